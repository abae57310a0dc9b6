"""`pcrm company add|list|show|edit|stage|rm`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Literal

import typer

from pcrm.cli.env import Env, get_env
from pcrm.cli.field import SetOption, UnsetOption, WhereOption, assignments
from pcrm.cli.helpformat import Typer
from pcrm.cli.lifecycle import AtOpt, ReasonOpt, TargetStageArg
from pcrm.cli.listing import (
    AnyTagFilter,
    NoTagFilter,
    OffsetOption,
    ReverseOption,
    TagFilter,
    note_page,
)
from pcrm.cli.merge import DryRunOption, run_merge
from pcrm.cli.output import (
    JsonOption,
    LimitOption,
    confirm_removal,
    emit,
    say,
)

if TYPE_CHECKING:
    from pcrm.core.views.models import CompanyOverview

app = Typer(help="Add, list, show, edit, stage and remove companies.", no_args_is_help=True)

RefArg = Annotated[str, typer.Argument(metavar="REF", help="Id, domain, or a piece of the name.")]
TagOpt = Annotated[
    list[str] | None,
    typer.Option("--tag", "-t", metavar="TAG", help="Tags, separated by commas; repeatable."),
]
# Spelled out here to keep `--help` off sqlite-utils; a test checks it against core.
Sort = Literal["name", "people", "recent", "created"]
DomainOpt = Annotated[
    str | None, typer.Option("--domain", metavar="DOMAIN", help="Email domain, e.g. acme.com.")
]
WebsiteOpt = Annotated[
    str | None, typer.Option("--website", metavar="URL", help="Website address.")
]
IndustryOpt = Annotated[
    str | None, typer.Option("--industry", metavar="INDUSTRY", help="Industry.")
]
SizeOpt = Annotated[str | None, typer.Option("--size", metavar="SIZE", help="Size, e.g. 11-50.")]
NoteOpt = Annotated[str | None, typer.Option("--note", metavar="TEXT", help="Free-text note.")]


@app.command("add")
def add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(metavar="NAME", help="Company name.")],
    domain: DomainOpt = None,
    website: WebsiteOpt = None,
    industry: IndustryOpt = None,
    size: SizeOpt = None,
    tag: TagOpt = None,
    note_: NoteOpt = None,
    set_: SetOption = None,
) -> None:
    """Add a company.

    \b
    Example:
      pcrm company add "Analytical Engines" --domain analytical.example
    """
    from pcrm.core.people.companies import CompanyForm, add_company
    from pcrm.render.safe import clean

    env = get_env(ctx)
    form = CompanyForm(name, domain, website, industry, size, note_, tag or [], assignments(set_))
    with env.database(write=True) as db:
        company = add_company(db, env.now, form)
    say(f"added company {company.id} {clean(company.name, one_line=True)}")


@app.command("list")
def list_(
    ctx: typer.Context,
    tag: TagFilter = None,
    any_tag: AnyTagFilter = None,
    no_tag: NoTagFilter = None,
    industry: Annotated[
        list[str] | None,
        typer.Option(
            "--industry",
            metavar="INDUSTRY",
            help="Only this industry; repeatable, or separated by commas (any of them).",
        ),
    ] = None,
    search: Annotated[
        list[str] | None,
        typer.Option(
            "--search",
            "-s",
            metavar="QUERY",
            help="Full-text filter; repeatable (all must match).",
        ),
    ] = None,
    sort: Annotated[
        Sort,
        typer.Option(
            metavar="ORDER",
            help="name; people (most first); recent (last contacted first); "
            "created (newest first).",
        ),
    ] = "name",
    reverse: ReverseOption = False,
    where: WhereOption = None,
    limit: LimitOption = 100,
    offset: OffsetOption = 0,
    json: JsonOption = False,
) -> None:
    """List companies, filtered and sorted.

    Filters combine: every filter given must match. --where filters on custom fields
    (see docs/fields.md).

    \b
    Example:
      pcrm company list --sort people
      pcrm company list --tag partner --no-tag churned --industry Energy,Health
      pcrm company list --where "renewal<eom"
    """
    from pcrm.core.people.companies import list_companies

    env = get_env(ctx)
    with env.database(write=False) as db:
        page = list_companies(
            db,
            tags_all=tag or [],
            tags_any=any_tag or [],
            tags_none=no_tag or [],
            industries=industry or [],
            searches=search or [],
            sort=sort,
            reverse=reverse,
            limit=limit,
            offset=offset,
            conditions=where or [],
            now=env.now,
        )

    from pcrm.render.records import company_lines, company_table

    emit(
        env,
        page.companies,
        json_mode=json,
        pretty=lambda value: company_table(value, env.now),
        plain=company_lines,
    )
    # On stderr in every mode: a script reading --json must hear that rows were left out.
    note_page(len(page.companies), page.total, offset)


@app.command("show")
def show(ctx: typer.Context, ref: RefArg, json: JsonOption = False) -> None:
    """Show a company's details, people and recent interactions.

    Its details and people, when it was last contacted, the next planned touch, its deals
    and the latest interactions.

    \b
    Example:
      pcrm company show analytical
    """
    from pcrm.core.refs import resolve_company
    from pcrm.core.views.overview import company_overview

    env = get_env(ctx)
    with env.database(write=False) as db:
        view = company_overview(db, resolve_company(db, ref), env.now)
    emit_company_view(env, view, json)


def emit_company_view(env: Env, view: CompanyOverview, json_mode: bool) -> None:
    from pcrm.render import records

    emit(
        env,
        view,
        json_mode=json_mode,
        pretty=lambda v: records.company_view(v, env.now),
        plain=records.company_view_lines,
    )


@app.command("edit")
def edit(
    ctx: typer.Context,
    ref: RefArg,
    name: Annotated[str | None, typer.Option("--name", metavar="NAME", help="New name.")] = None,
    domain: DomainOpt = None,
    website: WebsiteOpt = None,
    industry: IndustryOpt = None,
    size: SizeOpt = None,
    note_: NoteOpt = None,
    tag: TagOpt = None,
    untag: Annotated[
        list[str] | None, typer.Option("--untag", metavar="TAG", help="Remove a tag.")
    ] = None,
    set_: SetOption = None,
    unset: UnsetOption = None,
) -> None:
    """Change a company; with no options, edit it in $EDITOR.

    An empty value ("") clears a field.

    \b
    Example:
      pcrm company edit analytical --industry Computing --tag partner
    """
    from pcrm.app.editing import edit_company
    from pcrm.cli.editing import FormEditor
    from pcrm.core.people.companies import CompanyChanges
    from pcrm.errors import PcrmError
    from pcrm.render.safe import clean

    env = get_env(ctx)
    changes = CompanyChanges(
        name,
        domain,
        website,
        industry,
        size,
        note_,
        add_tags=tag or [],
        remove_tags=untag or [],
        set_fields=assignments(set_, unset),
    )
    editor = FormEditor(env, "company")
    try:
        company = edit_company(env, env.now, ref, changes, editor=editor)
    except PcrmError as exc:
        editor.keep(exc)  # a refused save names where the user's text is kept
        raise
    if company is None:
        say("no changes")
        return
    say(f"updated company {company.id} {clean(company.name, one_line=True)}")


@app.command("stage")
def stage(
    ctx: typer.Context,
    ref: RefArg,
    stage_: TargetStageArg,
    reason: ReasonOpt = None,
    at: AtOpt = None,
) -> None:
    """Move a company to a lifecycle stage, any direction.

    Every change is kept with its time and reason (see pcrm lifecycle list for the
    stages); --at may date it back, but not before the company's last change.

    \b
    Example:
      pcrm company stage analytical customer --at 2026-11-02
    """
    from pcrm.cli.lifecycle import change_stage

    change_stage(ctx, "company", ref, stage_, reason, at)


@app.command("rm")
def rm(
    ctx: typer.Context,
    ref: RefArg,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
) -> None:
    """Remove a company; its people and interactions stay.

    They are kept, no longer linked to it.

    \b
    Example:
      pcrm company rm 7 --yes
    """
    from pcrm.core.people.companies import get_company, remove_company
    from pcrm.core.records import id_of_uid
    from pcrm.core.refs import resolve_company
    from pcrm.render.safe import clean

    env = get_env(ctx)
    with env.database(write=False) as db:
        asked = get_company(db, resolve_company(db, ref))
    label = f"company {asked.id} {clean(asked.name, one_line=True)}"
    confirm_removal(env, label, yes)
    with env.database(write=True) as db:  # by uid: the id may name another company by now
        removed = remove_company(
            db, env.now, id_of_uid(db, "company", asked.uid, label, "nothing removed")
        )
    say(f"removed company {removed.id} {clean(removed.name, one_line=True)}")


@app.command("merge")
def merge(
    ctx: typer.Context,
    keep: Annotated[str, typer.Argument(metavar="KEEP", help="The company to keep (a REF).")],
    other: Annotated[
        str, typer.Argument(metavar="OTHER", help="The company merged into KEEP, then removed.")
    ],
    dry_run: DryRunOption = False,
) -> None:
    """Merge a duplicate company into another.

    Its people, tags, interactions, deals, tasks and everything else that points
    at OTHER move to KEEP; KEEP's empty fields take OTHER's values. `pcrm undo` reverses it.

    \b
    Example:
      pcrm company merge acme.com "Acme Inc" --dry-run
    """
    run_merge(ctx, "company", keep, other, dry_run)
