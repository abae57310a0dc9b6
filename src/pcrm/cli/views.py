"""`pcrm show`, `pcrm timeline`, `pcrm search`: looking at what is there."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Annotated

import typer

from pcrm.cli.env import get_env
from pcrm.cli.output import JsonOption, LimitOption, emit, note

if TYPE_CHECKING:
    from rich.console import RenderableType

    from pcrm.core.views.models import SearchHit

AnyRefArg = Annotated[
    str,
    typer.Argument(
        metavar="REF",
        help="A contact or company: id (a contact's), email, domain or name; "
        "contact:REF or company:REF to say which.",
    ),
]
TimelineRefArg = Annotated[
    str,
    typer.Argument(
        metavar="REF",
        help="A contact or company: id (a contact's), email, domain or name; "
        "contact:REF or company:REF to say which; deal:ID for a deal.",
    ),
]


def show(ctx: typer.Context, ref: AnyRefArg, json: JsonOption = False) -> None:
    """Show a contact or a company, with recent interactions.

    Its details (and a company's people), when it was last contacted, the next planned
    touch, its open follow-ups, its deals and the latest interactions.

    \b
    Example:
      pcrm show ada
    """
    from pcrm.cli.company import emit_company_view
    from pcrm.cli.contact import emit_contact_view
    from pcrm.core.refs import resolve_any
    from pcrm.core.views.overview import company_overview, contact_overview

    env = get_env(ctx)
    with env.database(write=False) as db:
        kind, record_id = resolve_any(db, ref)
        if kind == "contact":
            view = contact_overview(db, record_id, env.now)
        else:
            company = company_overview(db, record_id, env.now)
    if kind == "contact":
        emit_contact_view(env, view, json)
    else:
        emit_company_view(env, company, json)


def timeline(
    ctx: typer.Context, ref: TimelineRefArg, limit: LimitOption = 50, json: JsonOption = False
) -> None:
    """Show the history of a contact, a company or a deal.

    Everything that happened with them, newest first: interactions (planned ones too),
    when the record was added, and the stage and status changes of their deals.
    deal:ID shows a deal's: its interactions and notes, its stage and status changes.

    \b
    Example:
      pcrm timeline "Analytical Engines" --limit 0
    """
    from pcrm.core.refs import resolve, resolve_any, split_kind
    from pcrm.core.views.overview import timeline as load_timeline

    env = get_env(ctx)
    with env.database(write=False) as db:
        if split_kind(ref)[0] == "deal":
            kind, record_id = resolve(db, ref, ("deal",))
        else:
            kind, record_id = resolve_any(db, ref)
        events, total = load_timeline(db, kind, record_id, limit=limit or None)

    from pcrm.render.timeline import timeline_lines, timeline_table

    emit(
        env,
        events,
        json_mode=json,
        pretty=lambda value: timeline_table(value, env.now),
        plain=timeline_lines,
    )
    if len(events) < total and not json:
        note(f"showing the newest {len(events)} of {total} events (--limit 0 shows all)")


def search(
    ctx: typer.Context,
    query: Annotated[
        list[str],
        typer.Argument(
            metavar="QUERY",
            help='Words (prefixes match), "a phrase", OR, NOT, AND, (groups).',
        ),
    ],
    kind: Annotated[
        list[str] | None,
        typer.Option(
            "--kind",
            "-k",
            metavar="KIND",
            help="Only contact, company, deal or interaction; repeatable.",
        ),
    ] = None,
    limit: LimitOption = 20,
    json: JsonOption = False,
) -> None:
    """Search contacts, companies, deals and interactions.

    Best matches first. Words match as prefixes ("lov" finds Lovelace), accents and case
    aside; names count more than notes. "Quoted words" match as a phrase; OR, NOT and AND
    in capitals combine. When more than 1000 interactions match, the newest 1000 of them
    are ranked (contacts, companies and deals always all); --limit 0 ranks every match.

    \b
    Example:
      pcrm search quote "20 seats"
    """
    from pcrm.core.views.search import KINDS, RANKED_INTERACTIONS
    from pcrm.core.views.search import search as run_search

    env = get_env(ctx)
    text = " ".join(query)
    with env.database(write=False) as db:
        hits, more, bounded = run_search(db, text, kinds=tuple(kind or KINDS), limit=limit or None)

    def pretty(items: list[SearchHit]) -> RenderableType:
        from pcrm.render.search import hits_table

        return hits_table(items, env.now)

    def plain(items: list[SearchHit]) -> Iterator[str]:
        from pcrm.render.search import hit_lines

        return hit_lines(items)

    if json:
        from pcrm.render.search import hits_json

        # The JSON form drops the highlight markers; pretty and plain are then not used.
        emit(env, hits_json(hits), json_mode=True, pretty=pretty, plain=plain)
    else:
        emit(env, hits, json_mode=False, pretty=pretty, plain=plain)
    if more and not json:
        best = "the best match" if len(hits) == 1 else f"the best {len(hits)} matches"
        note(f"showing only {best} (--limit 0 shows all)")
    if bounded and not json:
        note(
            f"more than {RANKED_INTERACTIONS} interactions match: the newest"
            f" {RANKED_INTERACTIONS} were ranked (--limit 0 ranks all)"
        )


def register(app: typer.Typer) -> None:
    app.command("show")(show)
    app.command("timeline")(timeline)
    app.command("search")(search)
