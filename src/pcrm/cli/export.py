"""`pcrm export ...`: data out of the database, in formats other programs read."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from pcrm.cli.env import get_env
from pcrm.cli.helpformat import Typer
from pcrm.cli.output import note

app = Typer(help="Write records out as files other programs read.", no_args_is_help=True)

OutputOpt = Annotated[
    str | None,
    typer.Option("--output", "-o", metavar="FILE", help="Write to FILE (- or none: stdout)."),
]


def write_output(data: bytes, output: str | None) -> None:
    """To stdout, or to FILE by replacing it whole: a calendar app or sync job reading the
    file never sees half of it."""
    if output in (None, "-"):
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    from pcrm.errors import PcrmError

    path = Path(output).expanduser()
    partial = path.with_name(f".{path.name}.partial")
    try:
        partial.write_bytes(data)
        partial.replace(path)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise PcrmError(
            f"cannot write {path}: {exc.strerror}", hint="check the folder exists and is writable"
        ) from exc


@app.command("agenda")
def agenda(
    ctx: typer.Context,
    format_: Annotated[
        str, typer.Option("--format", "-f", metavar="FORMAT", help="ics (iCalendar).")
    ] = "ics",
    output: OutputOpt = None,
) -> None:
    """Export open follow-ups as an iCalendar file to subscribe to.

    Each open follow-up is an event (all day, or 30 minutes at its time) whose UID is
    the task's, so a calendar that subscribes to the file updates events in place;
    recurring ones carry their RRULE. Re-export from cron to keep it current.

    \b
    Example:
      pcrm export agenda --format ics -o ~/calendars/pcrm.ics
    """
    from pcrm.core.tasks import list_tasks
    from pcrm.errors import InvalidInput
    from pcrm.formats.ics import agenda_calendar

    if format_.lower() != "ics":
        raise InvalidInput(f'unknown agenda format "{format_}"', hint="use --format ics")
    env = get_env(ctx)
    with env.database(write=False) as db:
        tasks = list_tasks(db, env.now, scope="open")
    write_output(agenda_calendar(tasks, env.now), output)
    if output not in (None, "-"):
        note(f"wrote {len(tasks)} follow-ups to {output}")
