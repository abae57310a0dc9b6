"""`pcrm capture mail`: log the mail exchanged with contacts, from the mail client."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from pcrm.cli.env import get_env
from pcrm.cli.helpformat import Typer
from pcrm.cli.output import JsonOption, note, say

app = Typer(help="Capture interactions from where the work happens: mail.", no_args_is_help=True)


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
    kind: Annotated[
        str, typer.Option("--kind", "-k", metavar="KIND", help="The interaction kind.")
    ] = "email",
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
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Say what would be captured; change nothing.")
    ] = False,
    json: JsonOption = False,
) -> None:
    """Log mail as email interactions with the contacts in From, To and Cc.

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
    import io

    from pcrm.app.capture_mail import CaptureOptions, capture_mail
    from pcrm.dates import parse_when
    from pcrm.errors import InvalidInput
    from pcrm.render.capture import capture_json, capture_line, problem_lines

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
        raw = getattr(env.stdin, "buffer", None)
        stdin = (
            raw
            if raw is not None
            else io.BytesIO(env.stdin.read().encode("utf-8", "surrogateescape"))
        )
    options = CaptureOptions(
        deal=deal,
        kind=kind,
        since=parse_when(since, env.now, direction="past").moment if since else None,
        add_unknown=add_unknown,
        include_lists=include_lists,
        dry_run=dry_run,
    )
    summary = capture_mail(env, env.now, paths, stdin, options)
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
