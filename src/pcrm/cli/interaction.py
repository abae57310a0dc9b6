"""`pcrm interaction list|show|edit|rm|done|cancel` and `pcrm interaction kind ...`:
interactions as records of their own (`pcrm log` records one: cli/interactions.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from pcrm.cli.env import get_env
from pcrm.cli.helpformat import Typer
from pcrm.cli.listing import OffsetOption
from pcrm.cli.output import JsonOption, LimitOption, emit, say

if TYPE_CHECKING:
    from pcrm.core.activity.models import Interaction

app = Typer(
    help="List, correct, cancel and remove logged interactions.",
    no_args_is_help=True,
)
kind_app = Typer(help="The interaction kinds, built in and your own.", no_args_is_help=True)
app.add_typer(kind_app, name="kind")

IdArg = Annotated[
    str,
    typer.Argument(
        metavar="ID", help='The interaction: its number, or "interaction N" as search prints it.'
    ),
]


def _id(text: str) -> int:
    from pcrm.core.activity.interaction_records import parse_id

    return parse_id(text)


def _label(item: Interaction) -> str:
    from pcrm.render.safe import clean

    names = ", ".join(link.name for link in item.contacts)
    who = f" with {names}" if names else ""
    return clean(f"interaction {item.id} ({item.kind}{who})", one_line=True)


@app.command("list")
def list_(
    ctx: typer.Context,
    contact: Annotated[
        list[str] | None,
        typer.Option("--contact", metavar="REF", help="Only with this contact; repeatable."),
    ] = None,
    company: Annotated[
        list[str] | None,
        typer.Option(
            "--company", metavar="REF", help="Only at this company or with its people; repeatable."
        ),
    ] = None,
    deal: Annotated[
        list[str] | None,
        typer.Option("--deal", "-d", metavar="DEAL", help="Only about this deal; repeatable."),
    ] = None,
    kind: Annotated[
        list[str] | None,
        typer.Option(
            "--kind", "-k", metavar="KIND", help="Only of this kind (or alias); repeatable."
        ),
    ] = None,
    since: Annotated[
        str | None, typer.Option("--since", metavar="WHEN", help="From this time or day on.")
    ] = None,
    until: Annotated[
        str | None,
        typer.Option("--until", metavar="WHEN", help="Up to this time, or to the end of this day."),
    ] = None,
    planned: Annotated[
        bool,
        typer.Option("--planned", help="Only those still to come (not cancelled), soonest first."),
    ] = False,
    cancelled: Annotated[bool, typer.Option("--cancelled", help="Only cancelled ones.")] = False,
    limit: LimitOption = 100,
    offset: OffsetOption = 0,
    json: JsonOption = False,
) -> None:
    """List interactions across contacts, newest first.

    The first 100 by default (--limit N, 0 for all); when some are left out, stderr says
    how many there are in all, also with --json. Repeated filters of one kind match any of
    them; different filters must all match. --since/--until read as in reports: a day
    means the whole local day.

    \b
    Example:
      pcrm interaction list --contact ada --since "30 days ago"
      pcrm interaction list --kind call --planned
    """
    from pcrm.cli.listing import note_page, resolve_each
    from pcrm.core.activity.interaction_records import InteractionFilters, list_interactions
    from pcrm.core.activity.kinds import resolve_kind
    from pcrm.core.refs import resolve_company, resolve_contact, resolve_deal
    from pcrm.core.reports.period import parse_period
    from pcrm.errors import InvalidInput

    if planned and cancelled:
        raise InvalidInput("give --planned or --cancelled, not both")
    env = get_env(ctx)
    period = parse_period(since, until, env.now)
    with env.database(write=False) as db:
        filters = InteractionFilters(
            contact_ids=resolve_each(db, contact, resolve_contact, "--contact"),
            company_ids=resolve_each(db, company, resolve_company, "--company"),
            deal_ids=resolve_each(db, deal, resolve_deal, "--deal"),
            kinds=list(dict.fromkeys(resolve_kind(db, k) for k in kind or [])),
            period=period,
            planned=planned,
            cancelled=cancelled,
        )
        items, total = list_interactions(db, env.now, filters, limit=limit or None, offset=offset)
    from pcrm.render.interactions import interaction_lines, interaction_table

    emit(
        env,
        items,
        json_mode=json,
        pretty=lambda value: interaction_table(value, env.now),
        plain=lambda value: interaction_lines(value, env.now),
    )
    note_page(len(items), total, offset)


@app.command("show")
def show(ctx: typer.Context, interaction_id: IdArg, json: JsonOption = False) -> None:
    """Show one interaction with its people, deal and state.

    Its kind, time, people, company, deal, text, when it was logged and whether it was
    cancelled.

    \b
    Example:
      pcrm interaction show 12
    """
    from pcrm.core.activity.interaction_records import get_interaction

    env = get_env(ctx)
    number = _id(interaction_id)
    with env.database(write=False) as db:
        item = get_interaction(db, number)
    from pcrm.render.interactions import interaction_view, interaction_view_lines

    emit(
        env,
        item,
        json_mode=json,
        pretty=lambda value: interaction_view(value, env.now),
        plain=lambda value: interaction_view_lines(value, env.now),
    )


@app.command("edit")
def edit(
    ctx: typer.Context,
    interaction_id: IdArg,
    text: Annotated[
        str | None, typer.Option("--text", metavar="TEXT", help="The new text.")
    ] = None,
    kind: Annotated[
        str | None, typer.Option("--kind", "-k", metavar="KIND", help="The new kind (or alias).")
    ] = None,
    at: Annotated[
        str | None,
        typer.Option("--at", metavar="WHEN", help="When it happened (as pcrm log --at reads it)."),
    ] = None,
    add_contact: Annotated[
        list[str] | None,
        typer.Option("--add-contact", metavar="REF", help="Add a person to it; repeatable."),
    ] = None,
    rm_contact: Annotated[
        list[str] | None,
        typer.Option("--rm-contact", metavar="REF", help="Take a person off it; repeatable."),
    ] = None,
    deal: Annotated[
        str | None,
        typer.Option("--deal", "-d", metavar="DEAL", help="Link it to this deal (id or title)."),
    ] = None,
    no_deal: Annotated[bool, typer.Option("--no-deal", help="Unlink it from its deal.")] = False,
) -> None:
    """Correct an interaction: its text, kind, time, people or deal.

    With no option, $EDITOR opens on the interaction's form; saving it unchanged changes
    nothing. At least one person stays, unless it is about a deal or a company. Contacts'
    "last contacted" follows the change.

    \b
    Example:
      pcrm interaction edit 12 --kind call --at "yesterday 3pm"
      pcrm interaction edit 12 --add-contact grace --rm-contact ada
      pcrm interaction edit 12
    """
    from pcrm.app.interaction_edit import InteractionEdit, edit_interaction
    from pcrm.cli.editing import FormEditor
    from pcrm.errors import PcrmError

    env = get_env(ctx)
    number = _id(interaction_id)
    changes = InteractionEdit(
        text=text,
        kind=kind,
        at=at,
        add_contacts=add_contact or [],
        rm_contacts=rm_contact or [],
        deal=deal,
        no_deal=no_deal,
    )
    editor = FormEditor(env, "interaction")
    try:
        saved = edit_interaction(env, env.now, number, changes, editor=editor)
    except PcrmError as exc:
        editor.keep(exc)
        raise
    if saved is None:
        say("no changes")
        return
    say(f"updated {_label(saved)}")


def _ids(values: list[str]) -> list[int]:
    """The IDs of `rm`: numbers, "#N", "interaction N" as one word or two."""
    from pcrm.core.activity.interaction_records import parse_id

    ids = []
    for value in values:
        if value.strip().lower() == "interaction":
            continue  # `rm interaction 12`, pasted from search or the agenda
        ids.append(parse_id(value))
    return list(dict.fromkeys(ids))


@app.command("rm")
def rm(
    ctx: typer.Context,
    interaction_ids: Annotated[
        list[str], typer.Argument(metavar="ID...", help="The interactions to remove.")
    ],
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
) -> None:
    """Remove interactions for good.

    For a typo, a duplicate, or one that never happened.
    Contacts' "last contacted" goes back to their latest touch left. A planned
    interaction that will not happen can be cancelled instead, which keeps it in the
    history.

    \b
    Example:
      pcrm interaction rm 12 --yes
    """
    from pcrm.cli.output import confirm_removal
    from pcrm.core.activity.interaction_records import (
        get_by_uid,
        get_interaction,
        remove_interactions,
    )
    from pcrm.errors import InvalidInput

    env = get_env(ctx)
    ids = _ids(interaction_ids)
    if not ids:
        raise InvalidInput(
            "no interaction given", hint="give its number, e.g. pcrm interaction rm 12"
        )
    with env.database(write=False) as db:
        asked = [get_interaction(db, number) for number in ids]
    label = _label(asked[0]) if len(asked) == 1 else f"{len(asked)} interactions"
    confirm_removal(env, label, yes)
    with env.database(write=True) as db:
        # Found again by uid: an id may have gone to a new interaction meanwhile.
        now_ids = [get_by_uid(db, item.uid, _label(item), "nothing removed").id for item in asked]
        removed = remove_interactions(db, env.now, now_ids)
    for item in removed:
        say(f"removed {_label(item)}")


@app.command("done")
def done(ctx: typer.Context, interaction_id: IdArg) -> None:
    """Mark a planned interaction as having happened.

    One still to come is moved to now; one whose time has passed keeps it. A cancelled
    one is no longer cancelled. Either way it is a touch from then on.

    \b
    Example:
      pcrm interaction done 12
    """
    from pcrm.core.activity.interaction_records import done_interaction, get_interaction
    from pcrm.dates import format_local, from_iso

    env = get_env(ctx)
    number = _id(interaction_id)
    with env.database(write=True, create=False) as db:
        item = done_interaction(db, env.now, number)
        if item is None:
            item = get_interaction(db, number)
            say(f"{_label(item)} already happened, on {format_local(from_iso(item.at))}")
            return
    say(f"done: {_label(item)}, on {format_local(from_iso(item.at))}")


@app.command("cancel")
def cancel(ctx: typer.Context, interaction_id: IdArg) -> None:
    """Cancel a planned interaction; it stays, marked.

    It stays in the history, marked cancelled. A cancelled interaction is never a
    touch: not in "last contacted", stay-in-touch, the agenda, scores or reports.
    `interaction done` takes the cancellation back.

    \b
    Example:
      pcrm interaction cancel 12
    """
    from pcrm.core.activity.interaction_records import cancel_interaction, get_interaction

    env = get_env(ctx)
    number = _id(interaction_id)
    with env.database(write=True, create=False) as db:
        item = cancel_interaction(db, env.now, number)
        if item is None:
            say(f"{_label(get_interaction(db, number))} is already cancelled")
            return
    say(f"cancelled {_label(item)}")


# -- kinds ---------------------------------------------------------------------------------

KindArg = Annotated[str, typer.Argument(metavar="KIND", help="A kind's name.")]


@kind_app.command("list")
def kind_list(ctx: typer.Context, json: JsonOption = False) -> None:
    """List the kinds in order, with their aliases.

    With how many interactions use each. Reports list the kinds in this order.

    \b
    Example:
      pcrm interaction kind list
    """
    from pcrm.core.activity.kinds import load_kinds

    env = get_env(ctx)
    with env.database(write=False) as db:
        kinds = load_kinds(db, counts=True)
    from pcrm.render.interactions import kind_lines, kind_table

    emit(env, kinds, json_mode=json, pretty=kind_table, plain=kind_lines)


@kind_app.command("add")
def kind_add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(metavar="NAME", help="The new kind, e.g. whatsapp.")],
    after: Annotated[
        str | None,
        typer.Option("--after", metavar="KIND", help="Put it after this kind (default: last)."),
    ] = None,
) -> None:
    """Add an interaction kind of your own.

    \b
    Example:
      pcrm interaction kind add whatsapp --after message
    """
    from pcrm.core.activity.kinds import add_kind
    from pcrm.render.safe import clean

    env = get_env(ctx)
    with env.database(write=True) as db:
        kind = add_kind(db, name, after=after)
    say(f"added interaction kind {clean(kind.name, one_line=True)}")


@kind_app.command("alias")
def kind_alias(
    ctx: typer.Context,
    alias: Annotated[str, typer.Argument(metavar="ALIAS", help="The other name, e.g. wa.")],
    kind: KindArg,
) -> None:
    """Give a kind another name.

    --kind ALIAS then means KIND, and KIND is what is stored.

    \b
    Example:
      pcrm interaction kind alias wa whatsapp
    """
    from pcrm.core.activity.kinds import add_alias
    from pcrm.render.safe import clean

    env = get_env(ctx)
    with env.database(write=True) as db:
        name, target = add_alias(db, alias, kind)
    say(clean(f"added alias {name} → {target}", one_line=True))


@kind_app.command("rm")
def kind_rm(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(metavar="NAME", help="A kind you added, or an alias.")],
) -> None:
    """Remove an alias, or a kind you added that no interaction uses.

    A kind's aliases go with it. The built-in kinds stay.

    \b
    Example:
      pcrm interaction kind rm lunch
    """
    from pcrm.core.activity.kinds import remove_kind
    from pcrm.render.safe import clean

    env = get_env(ctx)
    with env.database(write=True, create=False) as db:
        removed = remove_kind(db, name)
    if removed.alias_of is not None:
        say(clean(f"removed alias {removed.name} (of {removed.alias_of})", one_line=True))
        return
    also = f" and its aliases {', '.join(removed.aliases)}" if removed.aliases else ""
    say(clean(f"removed interaction kind {removed.name}{also}", one_line=True))
