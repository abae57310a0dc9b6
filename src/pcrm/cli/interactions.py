"""`pcrm log`: record an interaction in seconds."""

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import typer

from pcrm.cli.env import Env, get_env
from pcrm.cli.output import say

if TYPE_CHECKING:
    from pcrm.core.activity.models import Interaction
    from pcrm.dates import When
    from pcrm.store.db import Database

KIND_HELP = (
    "call, email, meeting, demo, message, note, or one you added (pcrm interaction kind list);"
    " an alias such as phone is its kind."
)


def log(
    ctx: typer.Context,
    ref: Annotated[
        str,
        typer.Argument(
            metavar="REF",
            help="The contact: id, email or name; deal:ID or company:REF for a deal or a company.",
        ),
    ],
    text: Annotated[
        str | None,
        typer.Argument(
            metavar="TEXT", help='What happened; "-" reads stdin; omitted, opens $EDITOR.'
        ),
    ] = None,
    kind: Annotated[str, typer.Option("--kind", "-k", metavar="KIND", help=KIND_HELP)] = "note",
    at: Annotated[
        str | None,
        typer.Option(
            "--at", metavar="WHEN", help="When it happened (default: now); mon is the last Monday."
        ),
    ] = None,
    with_: Annotated[
        list[str] | None,
        typer.Option("--with", metavar="REF", help="Another contact present; repeatable."),
    ] = None,
    # -w was --with's short form; it is --where elsewhere, so it only still works here, hidden.
    with_short: Annotated[list[str] | None, typer.Option("-w", metavar="REF", hidden=True)] = None,
    deal: Annotated[
        str | None,
        typer.Option("--deal", "-d", metavar="DEAL", help="The deal it was about: id or title."),
    ] = None,
) -> None:
    """Log a call, email, meeting or note; on a deal or company too.

    TEXT "-" reads it from stdin; without TEXT, $EDITOR opens (on a terminal). A past or
    present interaction updates the contacts' "last contacted"; one dated in the future
    (--at tomorrow, "next mon") is planned: it shows as the next touch. A weekday or a
    date without a year is the last one (--at mon: the Monday that passed). --deal links
    it to a deal, whose last activity it updates (a planned one does not).

    REF deal:ID logs it on the deal (and the deal's company) with no contact: a deal's
    notes, newest first in `pcrm deal show`; company:REF on the company alone. --with
    adds contacts who were there.

    \b
    Example:
      pcrm log ada "Call: wants a quote for 20 seats" --kind call
      pcrm log deal:12 "Legal wants the DPA signed first"
    """
    from pcrm.core.activity.interactions import check_kind, log_interaction
    from pcrm.core.refs import resolve_contact, split_kind
    from pcrm.dates import parse_when, to_iso
    from pcrm.errors import InvalidInput

    env = get_env(ctx)
    # A log records what happened: a bare weekday or a date without a year is the last one.
    when = parse_when(at, env.now, direction="past") if at else None
    on = split_kind(ref)[0]
    if on == "deal" and deal is not None:
        raise InvalidInput("the deal is named twice", hint=f"drop --deal or write {ref.strip()}")
    on_record = ref if on in ("deal", "company") else None
    refs = [*([] if on_record else [ref]), *(with_ or []), *(with_short or [])]
    if on_record is not None and on == "deal":
        deal, on_record = on_record, None
    if text is None and not env.stdin_isatty:
        raise InvalidInput("no text given", hint='pass it as an argument, or "-" to read stdin')
    if text is None or not env.db_path.exists():
        # Check the REFs first: before the editor opens, so nothing is typed in vain (and
        # the write lock is not held while the user types); and so that a log into a
        # missing database says so instead of creating an empty file.
        from pcrm.core.people.contacts import load_contacts

        with env.database(write=False) as db:
            ids = list(dict.fromkeys(resolve_contact(db, r) for r in refs))
            names = ", ".join(person.name for person in load_contacts(db, ids))
            whom = f"with {names}"
            if deal is not None and not names:
                whom = f"on deal {_deal_of(db, deal)[1]}"
            elif deal is not None:
                _deal_of(db, deal)
            if on_record is not None:
                whom = f"on company {_company_of(db, on_record)[1]}"
            kind = check_kind(db, kind)
    body = _from_editor(env, kind, whom) if text is None else _read(env, text)
    with env.database(write=True) as db:
        contact_ids = [resolve_contact(db, r) for r in refs]
        about = _deal_of(db, deal) if deal is not None else None
        company = _company_of(db, on_record) if on_record is not None else None
        item = log_interaction(
            db,
            env.now,
            contact_ids,
            body,
            kind=kind,
            at=_moment(when, env.now),
            deal_id=about[0] if about else None,
            company_id=company[0] if company else None,
        )
    message = f"logged {item.kind} {item.id}"
    if company:
        message += f" on company {company[0]} {_one_line(company[1])}"
    elif about and not item.contacts:
        message += f" on deal {about[0]} {_one_line(about[1])}"
    if item.contacts:
        message += f" with {_contact_names_of(item)}"
    if when:
        message += f" {_when_said(item.at, when.has_time, env.now)}"
        if item.at > to_iso(env.now):
            message += ", planned"
    if about and (item.contacts or company):
        message += f" (deal {about[0]} {_one_line(about[1])})"
    say(message)


def _one_line(text: str) -> str:
    from pcrm.render.safe import clean

    return clean(text, one_line=True)


def _deal_of(db: "Database", ref: str) -> tuple[int, str]:
    """The deal --deal names: its id and title."""
    from pcrm.core.deals.deals import get_deal
    from pcrm.core.refs import resolve_deal

    found = get_deal(db, resolve_deal(db, ref))
    return found.id, found.title


def _company_of(db: "Database", ref: str) -> tuple[int, str]:
    """The company a company:REF names: its id and name."""
    from pcrm.core.people.companies import get_company
    from pcrm.core.refs import resolve_company

    found = get_company(db, resolve_company(db, ref))
    return found.id, found.name


def _moment(when: "When | None", now: datetime) -> datetime | None:
    """The time to log at: a day without a time is its start (local midnight), except
    today, which is now: "--at today" should not date a call before the contact was added."""
    from pcrm.dates import to_local

    if when is None:
        return None
    if not when.has_time and when.moment.date() == to_local(now).date():
        return now
    return when.moment


def _contact_names_of(item: "Interaction") -> str:
    from pcrm.render.safe import clean

    return ", ".join(clean(link.name, one_line=True) for link in item.contacts)


def _when_said(stamp: str, has_time: bool, now: datetime) -> str:
    """How --at was understood, in local time: "on Tue 2026-11-24 (tomorrow)"."""
    from pcrm.dates import format_local, from_iso, humanize, humanize_day, to_local

    moment = from_iso(stamp)
    weekday = f"{to_local(moment):%a}"  # the resolved day: --at mon says which Monday
    if has_time:
        return f"at {weekday} {format_local(moment)} ({humanize(moment, now)})"
    relative = humanize_day(to_local(moment).date(), to_local(now).date())
    return f"on {weekday} {format_local(moment, with_time=False)} ({relative})"


def _read(env: Env, text: str) -> str:
    return env.stdin.read() if text == "-" else text


def _from_editor(env: Env, kind: str, whom: str) -> str:
    from pcrm.cli.editing import forms_folder, run_editor
    from pcrm.errors import InvalidInput
    from pcrm.render.safe import clean

    template = (
        f"\n# Write what happened ({kind} {clean(whom, one_line=True)}) above."
        "\n# Lines starting with # are ignored; an empty text logs nothing.\n"
    )
    written = run_editor(template, forms_folder(env.db_path), "log")
    lines = [line for line in written.splitlines() if not line.startswith("#")]
    body = "\n".join(lines).strip()
    if not body:
        raise InvalidInput("nothing written; no interaction logged")
    return body


def register(app: typer.Typer) -> None:
    app.command("log")(log)
