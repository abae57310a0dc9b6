"""`pcrm capture mail|calendar`: log the mail exchanged with contacts, from the mail client,
and the meetings with them, from the calendar."""

from __future__ import annotations

import io
import os
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO, TYPE_CHECKING, Annotated

import typer

from pcrm.cli.env import get_env
from pcrm.cli.helpformat import Typer
from pcrm.cli.output import JsonOption, note, say

if TYPE_CHECKING:
    from pcrm.cli.env import Env
    from pcrm.core.activity.capture import CaptureSummary

ONE_DAY = timedelta(days=1)
# The options both commands have, declared once.
KindOption = Annotated[
    str, typer.Option("--kind", "-k", metavar="KIND", help="The interaction kind.")
]
DryRunOption = Annotated[
    bool, typer.Option("--dry-run", help="Say what would be captured; change nothing.")
]

app = Typer(
    help="Capture interactions from mail and calendars.",
    no_args_is_help=True,
)


@app.command("mail")
def mail(
    ctx: typer.Context,
    sources: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="FILE",
            help="Messages (what a mail client pipes) or mbox files; - or nothing: stdin.",
        ),
    ] = None,
    maildir: Annotated[
        Path | None,
        typer.Option("--maildir", metavar="DIR", help="A maildir folder (cur/, new/) to read."),
    ] = None,
    since: Annotated[
        str | None,
        typer.Option("--since", metavar="WHEN", help="Only messages dated from then (-7d, mon)."),
    ] = None,
    deal: Annotated[
        str | None,
        typer.Option("--deal", "-d", metavar="DEAL", help="Link every message to this deal."),
    ] = None,
    kind: KindOption = "email",
    add_unknown: Annotated[
        bool,
        typer.Option(
            "--add-unknown", help='Add correspondents not in pcrm as contacts (source "email").'
        ),
    ] = False,
    include_lists: Annotated[
        bool,
        typer.Option(
            "--include-lists", help="Also capture mailing-list, bulk, automatic and noreply mail."
        ),
    ] = False,
    dry_run: DryRunOption = False,
    json: JsonOption = False,
) -> None:
    """Log mail as email interactions with contacts in From, To, Cc.

    Reads one message on stdin (mutt's pipe-message, aerc's :pipe, notmuch show
    --format=raw), message or mbox FILEs, or a maildir (--maildir). Each message becomes one
    interaction at its Date: the subject and the first lines of the reply, quotes and
    signature left out; out when From is one of yours (pcrm config set me.emails
    a@x,b@y), else in. A message captured before (same Message-ID) changes nothing;
    a reply joins the deal of its thread. Addresses not in pcrm are listed, or added
    with --add-unknown; mailing-list, bulk and noreply mail is skipped. Recipes for
    neomutt, aerc and notmuch: docs/capture.md.

    \b
    Example:
      pcrm capture mail --maildir ~/Mail/work/INBOX --since -30d
      pcrm capture mail message.eml --add-unknown
    """
    from pcrm.app.capture_mail import CaptureOptions, capture_mail
    from pcrm.dates import parse_when
    from pcrm.errors import InvalidInput

    env = get_env(ctx)
    files = [name for name in sources or [] if name != "-"]
    if maildir is not None and files:
        raise InvalidInput("give FILEs or --maildir, not both", hint="run it once for each")
    paths = [maildir] if maildir is not None else [Path(name) for name in files]
    for path in paths:
        if not path.exists():
            raise InvalidInput(
                f"{path} does not exist", hint="give a message file, an mbox or --maildir DIR"
            )
    if maildir is not None and not maildir.is_dir():
        raise InvalidInput(f"{maildir} is not a folder", hint="--maildir takes a maildir folder")
    for path in paths:
        if maildir is None and path.is_dir():
            raise InvalidInput(f"{path} is a folder", hint=f"for a maildir: --maildir {path}")
    stdin = None
    if not paths:
        if env.stdin_isatty:
            raise InvalidInput(
                "no message given", hint="pipe one in, or give FILE or --maildir DIR"
            )
        stdin = _binary(env.stdin)
    options = CaptureOptions(
        deal=deal,
        kind=kind,
        since=parse_when(since, env.now, direction="past").moment if since else None,
        add_unknown=add_unknown,
        include_lists=include_lists,
        dry_run=dry_run,
    )
    summary = capture_mail(env, env.now, paths, stdin, options)
    _report(env, summary, json)


@app.command("calendar")
def calendar(
    ctx: typer.Context,
    sources: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="SOURCE",
            help="An .ics file, a folder of them (a vdir: khal, vdirsyncer), or - for stdin.",
        ),
    ] = None,
    since: Annotated[
        str | None,
        typer.Option("--since", metavar="WHEN", help="Only meetings from then (default: all)."),
    ] = None,
    until: Annotated[
        str | None,
        typer.Option(
            "--until", metavar="WHEN", help="Only meetings before then (default: 30 days ahead)."
        ),
    ] = None,
    deal: Annotated[
        str | None,
        typer.Option("--deal", "-d", metavar="DEAL", help="Link every new meeting to this deal."),
    ] = None,
    kind: KindOption = "meeting",
    add_unknown: Annotated[
        bool,
        typer.Option(
            "--add-unknown", help='Add attendees not in pcrm as contacts (source "calendar").'
        ),
    ] = False,
    dry_run: DryRunOption = False,
    json: JsonOption = False,
) -> None:
    """Log calendar meetings as interactions with those invited.

    Reads .ics files (Google, Outlook or Apple exports, invitations), a folder of them
    (a khal or vdirsyncer vdir, walked recursively) or stdin (-). Each meeting with a
    contact among its organizer and attendees becomes one interaction at its start
    (recurring meetings expanded, from --since until --until): a past one is a touch, a
    future one is planned and shows in the agenda. Capturing again updates a moved or
    renamed meeting in place, cancels a cancelled one, and cancels a meeting still to
    come that is gone from a SOURCE captured before. Your own addresses (me.emails) are
    never contacts. Recipes for khal and vdirsyncer: docs/capture.md.

    \b
    Example:
      pcrm capture calendar ~/.calendars/work
      pcrm capture calendar invite.ics --add-unknown
    """
    from pcrm.app.capture_calendar import CalendarOptions, capture_calendar
    from pcrm.errors import InvalidInput

    env = get_env(ctx)
    names = list(sources or [])
    paths = [Path(name) for name in names if name != "-"]
    for path in paths:
        if not path.exists():
            raise InvalidInput(
                f"{path} does not exist", hint="give an .ics file, a folder of them, or -"
            )
        if not path.is_dir() and not os.access(path, os.R_OK):
            raise InvalidInput(f"{path} cannot be read", hint="check its permissions")
    stdin = None
    if "-" in names or not names:
        if not names and env.stdin_isatty:
            raise InvalidInput(
                "no calendar given", hint="give an .ics file, a folder of them, or pipe one in"
            )
        stdin = _binary(env.stdin)
    first, last = _window(env.now, since, until)
    options = CalendarOptions(
        deal=deal, kind=kind, since=first, until=last, add_unknown=add_unknown, dry_run=dry_run
    )
    summary = capture_calendar(env, env.now, paths, stdin, options)
    _report(env, summary, json)


def _window(
    now: datetime, since: str | None, until: str | None
) -> tuple[datetime | None, datetime | None]:
    """--since and --until as instants; a day without a time: --until takes it whole."""
    from pcrm.dates import local_midnight, parse_when
    from pcrm.errors import InvalidInput

    first = parse_when(since, now, direction="past").moment if since else None
    last = None
    if until:
        when = parse_when(until, now, direction="future")
        last = when.moment if when.has_time else local_midnight(when.moment.date() + ONE_DAY)
    if first is not None and last is not None and first >= last:
        raise InvalidInput("--since is not before --until", hint="e.g. --since -7d --until +30d")
    return first, last


def _binary(stream: IO[str]) -> IO[bytes]:
    """The bytes of a text stream (stdin; CliRunner's has no buffer)."""
    raw = getattr(stream, "buffer", None)
    return raw if raw is not None else io.BytesIO(stream.read().encode("utf-8", "surrogateescape"))


def _report(env: Env, summary: CaptureSummary, json: bool) -> None:
    from pcrm.render.capture import capture_json, capture_line, problem_lines

    if json:
        import json as json_module

        env.stdout.write(
            json_module.dumps(capture_json(summary), ensure_ascii=False, indent=2) + "\n"
        )
        return
    for line in problem_lines(summary):
        note(f"pcrm: warning: {line}")
    say(capture_line(summary))


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="capture")
