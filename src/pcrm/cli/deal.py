"""`pcrm deal add|list|show|edit|note|move|won|lost|reopen|rm`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Literal, get_args

import typer

from pcrm.cli.company_guess import NewCompanyOpt, settle_company
from pcrm.cli.env import get_env
from pcrm.cli.field import SetOption, UnsetOption, WhereOption, assignments
from pcrm.cli.helpformat import Typer
from pcrm.cli.listing import (
    AnyTagFilter,
    NoTagFilter,
    OffsetOption,
    ReverseOption,
    TagFilter,
    note_page,
    resolve_each,
)
from pcrm.cli.output import (
    JsonOption,
    LimitOption,
    confirm_removal,
    emit,
    say,
)

if TYPE_CHECKING:
    from pcrm.core.deals.models import Deal, Pipeline
    from pcrm.store.db import Database

app = Typer(
    help="Add deals, move them through stages, win or lose them.\n\n"
    "Also list, show, edit, reopen and remove them.",
    no_args_is_help=True,
)

RefArg = Annotated[str, typer.Argument(metavar="REF", help="Id, or a piece of the title.")]
ValueOpt = Annotated[
    str | None,
    typer.Option(
        "--value",
        metavar="AMOUNT",
        help="12000, 12,500.50, 12k, 1.5m; a symbol (€1,200) sets the currency.",
    ),
]
CurrencyOpt = Annotated[
    str | None,
    typer.Option(
        "--currency", metavar="CODE", help="ISO 4217 code (default: pcrm config get currency)."
    ),
]
ContactOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--contact",
        metavar="REF[:ROLE]",
        help="A contact on the deal, with an optional role; repeatable.",
    ),
]
TagOpt = Annotated[
    list[str] | None,
    typer.Option("--tag", "-t", metavar="TAG", help="Tags, separated by commas; repeatable."),
]
PipelineOpt = Annotated[
    str | None,
    typer.Option("--pipeline", metavar="NAME", help="Pipeline (default: the default one)."),
]
# Spelled out here (not imported from core) to keep `--help` off sqlite-utils;
# a test checks that they match core.deals.deals.STATUSES and SORTS.
Status = Literal["open", "won", "lost", "all"]
Sort = Literal["stage", "value", "close", "age", "title"]


def _label(deal: Deal) -> str:
    from pcrm.render.safe import clean

    return f"deal {deal.id} {clean(deal.title, one_line=True)}"


def _value(deal: Deal) -> str:
    from pcrm.render.money import money

    return money(deal.value, deal.currency, deal.exponent)


def _closing(deal: Deal, close: str | None) -> str:
    """The day --close was read as: ", closing Fri 2026-11-27"."""
    if not close or not deal.expected_close:
        return ""
    from datetime import date

    return f", closing {date.fromisoformat(deal.expected_close):%a} {deal.expected_close}"


@app.command("add")
def add(
    ctx: typer.Context,
    title: Annotated[
        str, typer.Argument(metavar="TITLE", help='What is being sold, e.g. "20 seats".')
    ],
    value: ValueOpt = None,
    currency: CurrencyOpt = None,
    company: Annotated[
        str | None,
        typer.Option(
            "--company",
            "-c",
            metavar="COMPANY",
            help="Company name, domain or id (created if new; asked if one looks like it; "
            "default: the first contact's).",
        ),
    ] = None,
    new_company: NewCompanyOpt = False,
    contact: ContactOpt = None,
    stage: Annotated[
        str | None,
        typer.Option(
            "--stage", metavar="STAGE", help="Stage name, prefix or position (default: the first)."
        ),
    ] = None,
    pipeline: PipelineOpt = None,
    close: Annotated[
        str | None, typer.Option("--close", metavar="WHEN", help="Expected close date.")
    ] = None,
    source: Annotated[
        str | None,
        typer.Option(
            "--source", metavar="SOURCE", help="Where it came from: a referral, an event..."
        ),
    ] = None,
    tag: TagOpt = None,
    note_: Annotated[
        str | None, typer.Option("--note", metavar="TEXT", help="Free-text note.")
    ] = None,
    set_: SetOption = None,
) -> None:
    """Add an open deal to a pipeline.

    It goes into the first stage of the default pipeline unless --stage or --pipeline
    say otherwise.

    \b
    Example:
      pcrm deal add "20 seats" --value 12k --contact ada:buyer --close eom
    """
    from pcrm.core.deals.deals import DealForm, add_deal
    from pcrm.render.safe import clean

    env = get_env(ctx)
    company, new_company = settle_company(env, company, new_company)
    form = DealForm(
        title=title,
        value=value,
        currency=currency,
        company=company,
        new_company=new_company,
        contacts=contact or [],
        stage=stage,
        pipeline=pipeline,
        close=close,
        source=source,
        tags=tag or [],
        note=note_,
        fields=assignments(set_),
    )
    with env.database(write=True) as db:
        saved = add_deal(db, env.now, form)
    if saved.created_company:
        created = saved.created_company
        say(f"added company {created.id} {clean(created.name, one_line=True)}")
    deal = saved.deal
    where = clean(f"{deal.pipeline.name} / {deal.stage.name}", one_line=True)
    say(f"added {_label(deal)}: {_value(deal)} in {where}{_closing(deal, close)}")


@app.command("list")
def list_(
    ctx: typer.Context,
    status: Annotated[
        list[str] | None,
        typer.Option(
            "--status",
            metavar="STATUS",
            help="Which deals: open (the default), won, lost or all; repeatable, or separated "
            "by commas (any of them).",
        ),
    ] = None,
    pipeline: Annotated[
        list[str] | None,
        typer.Option(
            "--pipeline",
            metavar="NAME",
            help="Only this pipeline; repeatable, or separated by commas (any of them).",
        ),
    ] = None,
    stage: Annotated[
        list[str] | None,
        typer.Option(
            "--stage",
            metavar="STAGE",
            help="Only this stage (of --pipeline, else of the default pipeline); repeatable, "
            "or separated by commas (any of them).",
        ),
    ] = None,
    company: Annotated[
        list[str] | None,
        typer.Option(
            "--company",
            "-c",
            metavar="REF",
            help="Only this company's; repeatable (any of them).",
        ),
    ] = None,
    contact: Annotated[
        list[str] | None,
        typer.Option(
            "--contact",
            metavar="REF",
            help="Only deals with this person; repeatable (all of them on the deal).",
        ),
    ] = None,
    tag: TagFilter = None,
    any_tag: AnyTagFilter = None,
    no_tag: NoTagFilter = None,
    closing_before: Annotated[
        list[str] | None,
        typer.Option(
            "--closing-before",
            metavar="WHEN",
            help="Expected to close by WHEN; repeated, all must hold (the earliest counts).",
        ),
    ] = None,
    closing_after: Annotated[
        list[str] | None,
        typer.Option(
            "--closing-after",
            metavar="WHEN",
            help="Expected to close on or after WHEN; repeated, all must hold (the latest counts).",
        ),
    ] = None,
    sort: Annotated[
        Sort,
        typer.Option(
            metavar="ORDER",
            help="stage (pipeline order, then value); value (highest first); close (soonest "
            "first); age (oldest first); title.",
        ),
    ] = "stage",
    reverse: ReverseOption = False,
    where: WhereOption = None,
    limit: LimitOption = 100,
    offset: OffsetOption = 0,
    json: JsonOption = False,
) -> None:
    """List deals: open ones unless --status says otherwise.

    Filters combine: every filter given must match. --where filters on custom fields
    (see docs/fields.md).

    \b
    Example:
      pcrm deal list --closing-before eom --sort value
      pcrm deal list --status won --status lost --tag enterprise --no-tag partner
      pcrm deal list --where "seats>=20"
    """
    from pcrm.core.deals.deals import list_deals
    from pcrm.core.deals.pipelines import resolve_pipeline
    from pcrm.core.listing import split_values
    from pcrm.core.refs import resolve_company, resolve_contact
    from pcrm.dates import parse_day

    statuses = split_values(status or [])
    for name in statuses:
        if name.lower() not in get_args(Status):
            # A usage error, as Click's own choice check was before --status took several.
            raise typer.BadParameter(
                f"'{name}' is not one of " + ", ".join(get_args(Status)), param_hint="'--status'"
            )
    env = get_env(ctx)
    # Repeated, each must hold: closing before both days is closing before the earlier one.
    before = min((parse_day(text, env.now) for text in closing_before or []), default=None)
    after = max((parse_day(text, env.now) for text in closing_after or []), default=None)
    with env.database(write=False) as db:
        chosen = [resolve_pipeline(db, name) for name in split_values(pipeline or [])]
        page = list_deals(
            db,
            statuses=statuses,
            pipeline_ids=[p.id for p in chosen],
            stage_ids=_stage_ids(db, chosen or [resolve_pipeline(db, None)], stage),
            company_ids=resolve_each(db, company, resolve_company, "--company"),
            contact_ids=resolve_each(db, contact, resolve_contact, "--contact"),
            tags_all=tag or [],
            tags_any=any_tag or [],
            tags_none=no_tag or [],
            closing_before=before,
            closing_after=after,
            sort=sort,
            reverse=reverse,
            limit=limit or None,
            offset=offset,
            conditions=where or [],
            now=env.now,
        )

    from pcrm.render.deals import deal_lines, deal_table

    emit(
        env,
        page.deals,
        json_mode=json,
        pretty=lambda value: deal_table(value, env.now),
        plain=deal_lines,
    )
    note_page(len(page.deals), page.total, offset)


def _stage_ids(db: Database, pipelines: list[Pipeline], stages: list[str] | None) -> list[int]:
    """--stage values in the pipelines chosen: a stage named in any of them counts; one
    that none of them has is an error (the first pipeline's, listing its stages)."""
    from pcrm.core.deals.pipelines import resolve_stage
    from pcrm.core.listing import split_values
    from pcrm.errors import InvalidInput

    ids: list[int] = []
    for text in split_values(stages or []):
        found: list[int] = []
        first: InvalidInput | None = None
        for chosen in pipelines:
            try:
                found.append(resolve_stage(db, chosen, text).id)
            except InvalidInput as exc:
                first = first or exc
        if not found and first is not None:
            raise first
        ids += found
    return ids


@app.command("show")
def show(ctx: typer.Context, ref: RefArg, json: JsonOption = False) -> None:
    """Show a deal's details, contacts and history.

    Its details and contacts, its open follow-ups, the time it spent in each stage, and
    the interactions logged against it.

    \b
    Example:
      pcrm deal show "20 seats"
    """
    from pcrm.core.deals.deals import deal_view
    from pcrm.core.refs import resolve_deal

    env = get_env(ctx)
    with env.database(write=False) as db:
        view = deal_view(db, resolve_deal(db, ref), env.now)

    from pcrm.render.deals import deal_view as draw_deal
    from pcrm.render.deals import deal_view_lines

    emit(
        env,
        view,
        json_mode=json,
        pretty=lambda value: draw_deal(value, env.now),
        plain=deal_view_lines,
    )


@app.command("edit")
def edit(
    ctx: typer.Context,
    ref: RefArg,
    title: Annotated[str | None, typer.Option("--title", metavar="TEXT", help="New title.")] = None,
    value: ValueOpt = None,
    currency: Annotated[
        str | None,
        typer.Option(
            "--currency",
            metavar="CODE",
            help="New currency; alone, keeps the amount (€100 -> $100).",
        ),
    ] = None,
    company: Annotated[
        str | None,
        typer.Option(
            "--company",
            "-c",
            metavar="COMPANY",
            help='Company name, domain or id (created if new); "" to unlink.',
        ),
    ] = None,
    new_company: NewCompanyOpt = False,
    contact: ContactOpt = None,
    rm_contact: Annotated[
        list[str] | None,
        typer.Option("--rm-contact", metavar="REF", help="Take a contact off the deal."),
    ] = None,
    close: Annotated[
        str | None,
        typer.Option("--close", metavar="WHEN", help='Expected close date; "" clears.'),
    ] = None,
    source: Annotated[
        str | None, typer.Option("--source", metavar="SOURCE", help='Source; "" clears.')
    ] = None,
    note_: Annotated[
        str | None,
        typer.Option(
            "--note",
            metavar="TEXT",
            help='The deal\'s standing note, replaced; "" clears (the old text is kept as a'
            " dated note). Dated notes: pcrm deal note.",
        ),
    ] = None,
    tag: TagOpt = None,
    untag: Annotated[
        list[str] | None, typer.Option("--untag", metavar="TAG", help="Remove a tag.")
    ] = None,
    set_: SetOption = None,
    unset: UnsetOption = None,
) -> None:
    """Change a deal's title, value, company, contacts or dates.

    To move it to another stage, use `pcrm deal move`; to close it, `pcrm deal won` or
    `pcrm deal lost`. A contact given again with --contact keeps its role unless a new
    one is given (REF:ROLE); REF: with nothing after the colon clears the role.

    \b
    Example:
      pcrm deal edit "20 seats" --value 15k --close fri --contact bob:champion
    """
    from pcrm.core.deals.deals import DealChanges, edit_deal
    from pcrm.core.refs import resolve_deal
    from pcrm.render.safe import clean

    env = get_env(ctx)
    company, new_company = settle_company(env, company, new_company)
    changes = DealChanges(
        title=title,
        value=value,
        currency=currency,
        company=company,
        new_company=new_company or None,
        close=close,
        source=source,
        note=note_,
        add_contacts=contact or [],
        remove_contacts=rm_contact or [],
        add_tags=tag or [],
        remove_tags=untag or [],
        set_fields=assignments(set_, unset),
    )
    with env.database(write=True, create=False) as db:
        saved = edit_deal(db, env.now, resolve_deal(db, ref), changes)
    if saved.created_company:
        created = saved.created_company
        say(f"added company {created.id} {clean(created.name, one_line=True)}")
    say(f"updated {_label(saved.deal)}{_closing(saved.deal, close)}")


@app.command("note")
def note(
    ctx: typer.Context,
    ref: RefArg,
    text: Annotated[
        str | None,
        typer.Argument(metavar="TEXT", help='The note; "-" reads stdin; omitted, opens $EDITOR.'),
    ] = None,
    at: Annotated[
        str | None,
        typer.Option("--at", metavar="WHEN", help="When (default: now); mon is the last Monday."),
    ] = None,
) -> None:
    """Add a dated note to a deal; its notes keep their history.

    The same as `pcrm log deal:REF TEXT`: a note interaction on the deal (and its
    company), with no contact, listed newest first under Interactions in `pcrm deal show`
    and in `pcrm timeline deal:ID`; it updates the deal's last activity. `deal edit
    --note` is the one standing note shown at the top, replaced when edited (the replaced
    text is kept as a dated note).

    \b
    Example:
      pcrm deal note "20 seats" "Legal wants the DPA signed first"
    """
    from pcrm.cli.interactions import log
    from pcrm.core.refs import split_kind
    from pcrm.errors import InvalidInput

    kind = split_kind(ref)[0]
    if kind not in (None, "deal"):
        raise InvalidInput(f'"{ref.strip()}" names a {kind}, not a deal')
    target = ref if kind == "deal" else f"deal:{ref}"
    log(ctx, ref=target, text=text, kind="note", at=at, with_=None, with_short=None, deal=None)


@app.command("move")
def move(
    ctx: typer.Context,
    ref: RefArg,
    stage: Annotated[
        str,
        typer.Argument(metavar="STAGE", help="Stage name, unique prefix, or position (1..)."),
    ],
    pipeline: Annotated[
        str | None,
        typer.Option("--pipeline", metavar="NAME", help="Move into a stage of another pipeline."),
    ] = None,
) -> None:
    """Move an open deal to another stage.

    \b
    Example:
      pcrm deal move "20 seats" proposal
    """
    from pcrm.core.deals.deals import move_deal
    from pcrm.core.refs import resolve_deal
    from pcrm.render.safe import clean

    env = get_env(ctx)
    with env.database(write=True, create=False) as db:
        deal, left = move_deal(db, env.now, resolve_deal(db, ref), stage, pipeline)
    if left is None:
        say(f"{_label(deal)} is already in {clean(deal.stage.name, one_line=True)}")
        return
    moved = clean(f"{left.name} → {deal.stage.name}", one_line=True)
    if left.pipeline_id != deal.pipeline.id:
        moved += f" ({clean(deal.pipeline.name, one_line=True)})"
    say(f"moved {_label(deal)}: {moved}")


@app.command("won")
def won(ctx: typer.Context, ref: RefArg) -> None:
    """Mark an open deal won.

    Its contacts and company move to the customer lifecycle stage, unless
    `pcrm config set lifecycle.customer_on_win off`.

    \b
    Example:
      pcrm deal won "20 seats"
    """
    from pcrm.cli.lifecycle import change_line
    from pcrm.core.deals.deals import win_deal
    from pcrm.core.people.lifecycle import advance_on_win
    from pcrm.core.refs import resolve_deal

    env = get_env(ctx)
    with env.database(write=True, create=False) as db:
        deal = win_deal(db, env.now, resolve_deal(db, ref))
        changes = advance_on_win(db, env.now, deal)
    say(f"won {_label(deal)}: {_value(deal)}")
    for change in changes:
        say(change_line(change))


@app.command("lost")
def lost(
    ctx: typer.Context,
    ref: RefArg,
    reason: Annotated[
        str,
        typer.Option(
            "--reason", "-r", metavar="TEXT", help="Why it was lost (kept for the reports)."
        ),
    ],
) -> None:
    """Mark an open deal lost, with the reason.

    \b
    Example:
      pcrm deal lost "20 seats" --reason "went with a cheaper offer"
    """
    from pcrm.core.deals.deals import lose_deal
    from pcrm.core.refs import resolve_deal
    from pcrm.render.safe import clean

    env = get_env(ctx)
    with env.database(write=True, create=False) as db:
        deal = lose_deal(db, env.now, resolve_deal(db, ref), reason)
    say(f"lost {_label(deal)}: {clean(deal.lost_reason, one_line=True)}")


@app.command("reopen")
def reopen(ctx: typer.Context, ref: RefArg) -> None:
    """Reopen a won or lost deal in the stage it closed in.

    \b
    Example:
      pcrm deal reopen "20 seats"
    """
    from pcrm.core.deals.deals import reopen_deal
    from pcrm.core.refs import resolve_deal
    from pcrm.render.safe import clean

    env = get_env(ctx)
    with env.database(write=True, create=False) as db:
        deal = reopen_deal(db, env.now, resolve_deal(db, ref))
    say(f"reopened {_label(deal)} in {clean(deal.stage.name, one_line=True)}")


@app.command("rm")
def rm(
    ctx: typer.Context,
    ref: RefArg,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
) -> None:
    """Remove a deal with its history.

    The interactions logged against it stay.

    \b
    Example:
      pcrm deal rm 42 --yes
    """
    from pcrm.core.deals.deals import get_deal, remove_deal
    from pcrm.core.records import id_of_uid
    from pcrm.core.refs import resolve_deal

    env = get_env(ctx)
    with env.database(write=False) as db:
        asked = get_deal(db, resolve_deal(db, ref))
    label = _label(asked)
    confirm_removal(env, label, yes)
    with env.database(write=True) as db:  # by uid: the id may name another deal by now
        removed = remove_deal(
            db, env.now, id_of_uid(db, "deal", asked.uid, label, "nothing removed")
        )
    say(f"removed {_label(removed)}")
