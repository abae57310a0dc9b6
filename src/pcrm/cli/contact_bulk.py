"""`pcrm contact tag add|rm`, and the several-contact forms of `contact stage` and `contact rm`:
contacts named by REF or picked by `contact list`'s filters, one transaction, a --dry-run
and a confirmation (cli/bulk.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from pcrm.cli.bulk import DryRunOpt, YesOpt
from pcrm.cli.contact_filters import (
    AnyTagFilter,
    CompanyFilter,
    ContactFilters,
    LastContactFilter,
    NoTagFilter,
    SearchFilter,
    SourceFilter,
    StageFilter,
    TagFilter,
    WhereOption,
)
from pcrm.cli.env import Env, get_env
from pcrm.cli.helpformat import Typer

if TYPE_CHECKING:
    from pcrm.cli.bulk import Section
    from pcrm.core.people.bulk import Picked, Plan

tag_app = Typer(
    help="Tag or untag contacts, by REF or by filters.",
    no_args_is_help=True,
)

TagArg = Annotated[str, typer.Argument(metavar="TAG", help="The tag; several separated by commas.")]
RefsArg = Annotated[
    list[str] | None,
    typer.Argument(
        metavar="REF",
        help="The contacts: id, email or name each; or none, and filters.",
        show_default=False,
    ),
]


def pick(env: Env, refs: list[str], filters: ContactFilters) -> list[Picked]:
    """The contacts named by REFs (each resolved, a bad one is an error naming it) or matched
    by the filters, in a read of the database."""
    from pcrm.core.people.bulk import pick as pick_ids
    from pcrm.core.refs import resolve_contact
    from pcrm.errors import InvalidInput

    if refs and filters.given():
        raise InvalidInput(
            "give REFs or filters, not both", hint="add --tag, --where ... without REFs"
        )
    if not refs and not filters.given():
        raise InvalidInput(
            "no contacts named", hint="give REFs, or filters such as --tag T or --where ..."
        )
    with env.database(write=False) as db:
        ids = [resolve_contact(db, ref) for ref in refs] if refs else filters.ids(db, env.now)
        return pick_ids(db, ids)


def _names(picked: list[Picked], *extra: str) -> list[str]:
    from pcrm.cli.bulk import record_line

    return [record_line(person.id, person.name, *extra) for person in picked]


def _one_line(text: str) -> str:
    from pcrm.render.safe import clean

    return clean(text, one_line=True)


def _tag_sections(plans: list[Plan], add: bool) -> list[Section]:
    from pcrm.cli.bulk import Section, counted

    sections = []
    for plan in plans:
        tag = _one_line(plan.what)
        people = counted(len(plan.change), "contact")
        if add:
            would, done = f"would tag {people} {tag}", f"tagged {people} {tag}"
            has = "has" if len(plan.skip) == 1 else "have"
            skipped = f" ({len(plan.skip)} already {{}} it)" if plan.skip else ""
            would += skipped.format(has)
            done += skipped.format("had")
        else:
            would, done = f"would untag {people} {tag}", f"untagged {people} {tag}"
            skipped = f" ({len(plan.skip)} did not have it)" if plan.skip else ""
            would += skipped
            done += skipped
        sections.append(Section(would, done, _names(plan.change)))
    return sections


def _tag(
    ctx: typer.Context,
    tag: str,
    refs: list[str] | None,
    filters: ContactFilters,
    dry_run: bool,
    yes: bool,
    *,
    add: bool,
) -> None:
    from pcrm.cli.bulk import confirm_many, counted, print_done, print_dry_run
    from pcrm.core.people.bulk import apply_tags, plan_tags

    env = get_env(ctx)
    picked = pick(env, refs or [], filters)
    with env.database(write=False) as db:
        plans = plan_tags(db, picked, [tag], add=add)
    sections = _tag_sections(plans, add)
    if dry_run:
        print_dry_run(sections)
        return
    changing = len({person.id for plan in plans for person in plan.change})
    if changing and (filters.given() or len(refs or []) > 1):
        verb = "tag" if add else "untag"
        tags = ", ".join(_one_line(plan.what) for plan in plans)
        people = counted(changing, "contact")
        confirm_many(
            env,
            sections,
            f"{verb.capitalize()} {people} {tags}?",
            yes,
            refusal=f"not {verb}ging {people}",
        )
    if changing:
        with env.database(write=True, create=False) as db:
            apply_tags(db, env.now, plans, add=add)
    print_done(sections)


@tag_app.command("add")
def tag_add(
    ctx: typer.Context,
    tag: TagArg,
    refs: RefsArg = None,
    tag_: TagFilter = None,
    any_tag: AnyTagFilter = None,
    no_tag: NoTagFilter = None,
    company: CompanyFilter = None,
    source: SourceFilter = None,
    search: SearchFilter = None,
    stage: StageFilter = None,
    last_contact_before: LastContactFilter = None,
    where: WhereOption = None,
    dry_run: DryRunOpt = False,
    yes: YesOpt = False,
) -> None:
    """Tag contacts: by REF, or all that the filters pick.

    The filters are `pcrm contact list`'s. Several contacts, or any picked by filters,
    are shown and asked about first on a terminal (--yes: not asked; a script needs
    it); --dry-run lists who would be tagged and changes nothing. One transaction.

    \b
    Example:
      pcrm contact tag add vip ada bob
      pcrm contact tag add newsletter --where plan=pro --dry-run
    """
    filters = ContactFilters(
        tag_, any_tag, no_tag, company, source, search, stage, last_contact_before, where
    )
    _tag(ctx, tag, refs, filters, dry_run, yes, add=True)


@tag_app.command("rm")
def tag_rm(
    ctx: typer.Context,
    tag: TagArg,
    refs: RefsArg = None,
    tag_: TagFilter = None,
    any_tag: AnyTagFilter = None,
    no_tag: NoTagFilter = None,
    company: CompanyFilter = None,
    source: SourceFilter = None,
    search: SearchFilter = None,
    stage: StageFilter = None,
    last_contact_before: LastContactFilter = None,
    where: WhereOption = None,
    dry_run: DryRunOpt = False,
    yes: YesOpt = False,
) -> None:
    """Untag contacts: by REF, or all that the filters pick.

    As `contact tag add`: the same filters, --dry-run, and a confirmation for several.

    \b
    Example:
      pcrm contact tag rm prospect --stage customer --yes
    """
    filters = ContactFilters(
        tag_, any_tag, no_tag, company, source, search, stage, last_contact_before, where
    )
    _tag(ctx, tag, refs, filters, dry_run, yes, add=False)


def stage_many(
    ctx: typer.Context,
    refs: list[str],
    stage: str,
    filters: ContactFilters,
    reason: str | None,
    at: str | None,
    dry_run: bool,
    yes: bool,
) -> None:
    """`contact stage REF... STAGE` and `contact stage STAGE --tag T`: each move recorded in
    the lifecycle history with the same time and reason, as one contact's."""
    from pcrm.cli.bulk import Section, confirm_many, counted, print_done, print_dry_run
    from pcrm.core.people.bulk import apply_stage, plan_stage
    from pcrm.dates import parse_when

    env = get_env(ctx)
    moment = parse_when(at, env.now, direction="past").moment if at is not None else None
    picked = pick(env, refs, filters)
    with env.database(write=False) as db:
        plan = plan_stage(db, env.now, picked, stage, moment)
    target = _one_line(plan.what)
    people = counted(len(plan.change), "contact")
    skipped = f" ({len(plan.skip)} already at {target})" if plan.skip else ""
    lines = [
        line + f"  {_one_line(person.stage or 'no stage')} → {target}"
        for person, line in zip(plan.change, _names(plan.change), strict=True)
    ]
    section = Section(
        f"would move {people} to {target}{skipped}", f"moved {people} to {target}{skipped}", lines
    )
    if dry_run:
        print_dry_run([section])
        return
    if plan.change and (filters.given() or len(refs) > 1):
        confirm_many(
            env,
            [section],
            f"Move {people} to {target}?",
            yes,
            refusal=f"not moving {people}",
        )
    if plan.change:
        with env.database(write=True, create=False) as db:
            apply_stage(db, env.now, plan, reason=reason, at=moment)
    print_done([section])


def remove_many(
    ctx: typer.Context, refs: list[str], filters: ContactFilters, dry_run: bool, yes: bool
) -> None:
    """`contact rm REF REF...` and `contact rm --tag T`: each removed as one would be."""
    from pcrm.cli.bulk import Section, confirm_many, counted, print_done, print_dry_run
    from pcrm.core.people.bulk import apply_remove

    env = get_env(ctx)
    picked = pick(env, refs, filters)
    people = counted(len(picked), "contact")
    section = Section(f"would remove {people}", f"removed {people}", _names(picked))
    if dry_run:
        print_dry_run([section])
        return
    if picked:
        confirm_many(
            env,
            [section],
            f"Remove {people}?",
            yes,
            refusal=f"not removing {people}",
            declined="nothing removed",
        )
        with env.database(write=True, create=False) as db:
            apply_remove(db, env.now, picked)
    print_done([section])
