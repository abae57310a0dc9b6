"""`pcrm log`: record an interaction in seconds."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from pcrm.cli.env import get_env
from pcrm.cli.output import say

KIND_HELP = "call, email, meeting, demo, message or note."


def log(
    ctx: typer.Context,
    ref: Annotated[str, typer.Argument(metavar="REF", help="The contact: id, email or name.")],
    text: Annotated[
        str | None,
        typer.Argument(help='What happened; "-" reads stdin; omitted, opens $EDITOR.'),
    ] = None,
    kind: Annotated[str, typer.Option("--kind", "-k", help=KIND_HELP)] = "note",
    at: Annotated[
        str | None, typer.Option("--at", metavar="WHEN", help="When it happened (default: now).")
    ] = None,
    with_: Annotated[
        list[str] | None,
        typer.Option("--with", "-w", metavar="REF", help="Another contact present; repeatable."),
    ] = None,
) -> None:
    """Log an interaction with a contact (a call, an email, a meeting...).

    Example: pcrm log ada "Call: wants a quote for 20 seats" --kind call
    """
    from pcrm.core.interactions import check_kind, log_interaction
    from pcrm.core.refs import resolve_contact
    from pcrm.dates import parse_when
    from pcrm.render.safe import clean

    env = get_env(ctx)
    kind = check_kind(kind)
    when = parse_when(at, env.now).moment if at else None
    body = _read_text(text)
    with env.database(write=True) as db:
        contact_ids = [resolve_contact(db, ref)] + [resolve_contact(db, r) for r in with_ or []]
        item = log_interaction(db, env.now, contact_ids, body, kind=kind, at=when)
    names = ", ".join(clean(link.name, one_line=True) for link in item.contacts)
    say(f"logged {item.kind} {item.id} with {names}")


def _read_text(text: str | None) -> str:
    from pcrm.errors import InvalidInput

    if text == "-":
        return sys.stdin.read()
    if text is not None:
        return text
    if not sys.stdin.isatty():
        raise InvalidInput("no text given", hint='pass it as an argument, or "-" to read stdin')
    from pcrm.cli.editing import run_editor

    template = "\n# Write what happened above. Lines starting with # are ignored.\n"
    written = run_editor(template)
    lines = [line for line in written.splitlines() if not line.startswith("#")]
    body = "\n".join(lines).strip()
    if not body:
        raise InvalidInput("nothing written; no interaction logged")
    return body


def register(app: typer.Typer) -> None:
    app.command("log")(log)
