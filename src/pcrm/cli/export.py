"""`pcrm export contacts|companies|deals|interactions|agenda`: data out of the database, in
formats other programs read (CSV, JSON, vCard, iCalendar).

The export itself is app/export.py; the formats, and so --format's choices and help,
come from the registry in formats/exports/. Here: the options, stdout (made safe on a
terminal), the progress bar, and the line saying what was written.
"""

from __future__ import annotations

import contextlib
import io
import sys
from collections.abc import Callable, Iterator
from typing import Annotated, Any, Literal, TextIO

import typer

from pcrm.cli.env import Env, get_env
from pcrm.cli.field import WhereOption
from pcrm.cli.helpformat import Typer, late_help
from pcrm.cli.output import note

app = Typer(help="Write records out as files other programs read.", no_args_is_help=True)

OutputOption = Annotated[
    str | None,
    typer.Option("--output", "-o", metavar="FILE", help="Write to FILE (- or none: stdout)."),
]
ForceOption = Annotated[bool, typer.Option("--force", help="Replace FILE if it exists.")]
RawOption = Annotated[
    bool,
    typer.Option(
        "--raw", help="CSV: leave cells that start with = + - @ as they are (not for spreadsheets)."
    ),
]
BomOption = Annotated[
    bool, typer.Option("--bom", help="CSV: start with a UTF-8 byte-order mark, for Excel.")
]
TagOption = Annotated[
    list[str] | None,
    typer.Option(
        "--tag",
        "-t",
        metavar="TAG",
        help="Only records with every tag given; repeatable, or separated by commas.",
    ),
]


def _choice(kind: str) -> Callable[[str], str]:
    """--format's check: one of the registered formats that write `kind` (a usage error
    otherwise, as click's choices give). The registry loads when the command runs."""

    def check(value: str) -> str:
        from pcrm.formats.exports import names_for

        names = names_for(kind)
        if value not in names:
            shown = ", ".join(repr(name) for name in names)
            raise typer.BadParameter(f"{value!r} is not one of {shown}.")
        return value

    return check


def _complete(kind: str) -> Callable[[str], list[str]]:
    def complete(incomplete: str) -> list[str]:
        from pcrm.formats.exports import names_for

        return [name for name in names_for(kind) if name.startswith(incomplete)]

    return complete


def _format_option(kind: str) -> Any:
    return typer.Option(
        "--format",
        "-f",
        metavar="FORMAT",
        parser=_choice(kind),
        autocompletion=_complete(kind),
        help="The formats are listed by --help.",
    )


def _formats(kind: str) -> type:
    """A command whose --format help lists the registry's formats for `kind`, written when
    help is shown (pcrm --help builds every command, and loads no format)."""

    def listed() -> str:
        from pcrm.formats.exports import help_for

        return help_for(kind)

    return late_help(format_=listed)


class _TerminalSafe:
    """Export text shown on a terminal: control characters made visible, as everywhere
    else pcrm prints untrusted text. Files and pipes get the exact bytes."""

    def __init__(self, stream: TextIO) -> None:
        from pcrm.render.safe import clean

        self._stream = stream
        self._clean = clean

    def write(self, text: str) -> int:
        return self._stream.write(self._clean(text.replace("\r\n", "\n")))


def _stdout(env: Env) -> Callable[[str], contextlib.AbstractContextManager[Any]]:
    """How app writes to stdout: through an encoding of our own (for --bom), made safe on
    a terminal."""

    @contextlib.contextmanager
    def opened(encoding: str) -> Iterator[Any]:
        sys.stdout.flush()
        stream = io.TextIOWrapper(sys.stdout.buffer, encoding=encoding, newline="")
        try:
            yield _TerminalSafe(stream) if env.terminal() else stream
            stream.flush()
        finally:
            stream.detach()

    return opened


_SINGULAR = {
    "contacts": "contact",
    "companies": "company",
    "deals": "deal",
    "interactions": "interaction",
}


def _done(count: int, what: str, path: str | None) -> None:
    """Say what was written, on stderr so that it never mixes with exported data."""
    if path is not None:
        from pcrm.render.safe import clean

        noun = what if count != 1 else _SINGULAR.get(what, what)
        note(f"exported {count} {noun} to {clean(path, one_line=True)}")


def _export(
    ctx: typer.Context,
    kind: str,
    what: str,
    *,
    fmt: str,
    output: str | None,
    force: bool,
    raw: bool,
    bom: bool,
    tag: list[str] | None = None,
    where: list[str] | None = None,
    vcard_version: str = "3",
) -> None:
    from pcrm.app.export import ExportRequest, export_records

    env = get_env(ctx)
    request = ExportRequest(
        kind, fmt, output, force, raw, bom, tag, where or [], vcard_version=vcard_version
    )
    progress = None
    if env.stderr_isatty:  # else no bar, and nothing counted for one
        from functools import partial

        from pcrm.render.importing import progress_bar

        progress = partial(progress_bar, stream=env.stderr)
    done = export_records(request, env, env.now, stdout=_stdout(env), progress=progress)
    _done(done.count, what, done.path)


@app.command("contacts", cls=_formats("contact"))
def contacts(
    ctx: typer.Context,
    output: OutputOption = None,
    format_: Annotated[str, _format_option("contact")] = "csv",
    tag: TagOption = None,
    where: WhereOption = None,
    vcard_version: Annotated[
        Literal["3", "4"],
        typer.Option("--vcard-version", metavar="VERSION", help="vCard 3 (3.0) or 4 (4.0)."),
    ] = "3",
    raw: RawOption = False,
    bom: BomOption = False,
    force: ForceOption = False,
) -> None:
    """Export contacts as CSV (re-importable), JSON or vCard.

    pcrm's CSV layout (docs/import-export.md) imports back without loss with
    `pcrm import contacts FILE --preset pcrm`.

    \b
    Example:
      pcrm export contacts -o contacts.csv
      pcrm export contacts --tag vip --format vcard -o vip.vcf
    """
    _export(
        ctx,
        "contact",
        "contacts",
        fmt=format_,
        output=output,
        force=force,
        raw=raw,
        bom=bom,
        tag=tag,
        where=where,
        vcard_version=vcard_version,
    )


@app.command("companies", cls=_formats("company"))
def companies(
    ctx: typer.Context,
    output: OutputOption = None,
    format_: Annotated[str, _format_option("company")] = "csv",
    tag: TagOption = None,
    where: WhereOption = None,
    raw: RawOption = False,
    bom: BomOption = False,
    force: ForceOption = False,
) -> None:
    """Export companies as CSV or JSON.

    \b
    Example:
      pcrm export companies -o companies.csv
    """
    _export(
        ctx,
        "company",
        "companies",
        fmt=format_,
        output=output,
        force=force,
        raw=raw,
        bom=bom,
        tag=tag,
        where=where,
    )


@app.command("deals", cls=_formats("deal"))
def deals(
    ctx: typer.Context,
    output: OutputOption = None,
    format_: Annotated[str, _format_option("deal")] = "csv",
    tag: TagOption = None,
    where: WhereOption = None,
    raw: RawOption = False,
    bom: BomOption = False,
    force: ForceOption = False,
) -> None:
    """Export deals (open, won and lost) as CSV or JSON.

    CSV values are in major units (12500.50) so a spreadsheet can sum them; JSON keeps
    integer minor units, as --json does everywhere.

    \b
    Example:
      pcrm export deals --format json -o deals.json
    """
    _export(
        ctx,
        "deal",
        "deals",
        fmt=format_,
        output=output,
        force=force,
        raw=raw,
        bom=bom,
        tag=tag,
        where=where,
    )


@app.command("interactions", cls=_formats("interaction"))
def interactions(
    ctx: typer.Context,
    output: OutputOption = None,
    format_: Annotated[str, _format_option("interaction")] = "csv",
    raw: RawOption = False,
    bom: BomOption = False,
    force: ForceOption = False,
) -> None:
    """Export every interaction as CSV or JSON, oldest first.

    \b
    Example:
      pcrm export interactions -o interactions.csv
    """
    _export(
        ctx,
        "interaction",
        "interactions",
        fmt=format_,
        output=output,
        force=force,
        raw=raw,
        bom=bom,
    )


@app.command("agenda", cls=_formats("agenda"))
def agenda(
    ctx: typer.Context,
    format_: Annotated[
        str,
        typer.Option("--format", "-f", metavar="FORMAT", help="The formats are listed by --help."),
    ] = "ics",
    output: OutputOption = None,
    force: ForceOption = False,
) -> None:
    """Export open follow-ups as an iCalendar file to subscribe to.

    Each open follow-up is an event (all day, or 30 minutes at its time) whose UID is
    the task's, so a calendar that subscribes to the file updates events in place;
    recurring ones carry their RRULE. Re-export from cron (with --force) to keep it
    current.

    \b
    Example:
      pcrm export agenda --format ics -o ~/calendars/pcrm.ics --force
    """
    from pcrm.app.export import ExportRequest, export_agenda

    env = get_env(ctx)
    request = ExportRequest("agenda", format_, output, force)  # any case: app checks it
    done = export_agenda(request, env, env.now, stdout=_stdout(env))
    if done.path is not None:
        from pcrm.render.safe import clean

        note(f"exported {done.count} follow-ups to {clean(done.path, one_line=True)}")
