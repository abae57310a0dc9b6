"""`pcrm export contacts|companies|deals|interactions|agenda`: data out of the database, in
formats other programs read (CSV, JSON, vCard, iCalendar).

Rows are written as they are read (core/export.py reads in batches inside one read
transaction). `-o FILE` writes a temporary file beside FILE and renames it at the end,
so a failed export leaves nothing half-written; docs/import-export.md has the layouts.
"""

from __future__ import annotations

import contextlib
import io
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Annotated, Any, Literal, TextIO

import typer

from pcrm.cli.env import Env, get_env
from pcrm.cli.field import WhereOption
from pcrm.cli.helpformat import Typer
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
    str | None, typer.Option("--tag", "-t", metavar="TAG", help="Only records with this tag.")
]
TableFormat = Literal["csv", "json"]
FormatHelp = "csv or json."


class _TerminalSafe:
    """Export text shown on a terminal: control characters made visible, as everywhere
    else pcrm prints untrusted text. Files and pipes get the exact bytes."""

    def __init__(self, stream: TextIO) -> None:
        from pcrm.render.safe import clean

        self._stream = stream
        self._clean = clean

    def write(self, text: str) -> int:
        return self._stream.write(self._clean(text.replace("\r\n", "\n")))


@contextlib.contextmanager
def _output(env: Env, path: str | None, *, force: bool, bom: bool = False) -> Iterator[Any]:
    """The stream to write to: stdout, or a temporary file renamed to `path` on success."""
    encoding = "utf-8-sig" if bom else "utf-8"
    if path in (None, "-"):
        sys.stdout.flush()
        stream = io.TextIOWrapper(sys.stdout.buffer, encoding=encoding, newline="")
        try:
            yield _TerminalSafe(stream) if env.terminal() else stream
            stream.flush()
        finally:
            stream.detach()
        return
    from pcrm.errors import Conflict, InvalidInput
    from pcrm.store.files import NewFile

    target = Path(path)
    if target.is_dir():
        raise InvalidInput(f"{path} is a folder", hint="give a file name, e.g. contacts.csv")
    exists = Conflict(f"{path} already exists", hint="add --force to replace it")
    try:
        # Created readable by its owner only: exports hold personal data.
        new_file = NewFile(target, force=force)
    except FileExistsError:
        raise exists from None
    except OSError as exc:
        raise InvalidInput(f"cannot write to {target.parent}: {exc.strerror}") from exc
    try:
        with new_file as temporary, temporary.open("w", encoding=encoding, newline="") as stream:
            yield stream
    except FileExistsError:
        raise exists from None  # it appeared while we were writing


_SINGULAR = {
    "contacts": "contact",
    "companies": "company",
    "deals": "deal",
    "interactions": "interaction",
}


def _done(count: int, what: str, path: str | None) -> None:
    """Say what was written, on stderr so that it never mixes with exported data."""
    if path not in (None, "-"):
        from pcrm.render.safe import clean

        noun = what if count != 1 else _SINGULAR[what]
        note(f"exported {count} {noun} to {clean(path, one_line=True)}")


# kind -> (plural, core.export reader, pcrm_csv header, pcrm_csv row maker)
_LAYOUTS = {
    "contact": ("contacts", "contacts", "CONTACT_COLUMNS", "contact_row"),
    "company": ("companies", "companies", "COMPANY_COLUMNS", "company_row"),
    "deal": ("deals", "deals", "DEAL_COLUMNS", "deal_row"),
    "interaction": ("interactions", "interactions", "INTERACTION_COLUMNS", "interaction_row"),
}


def _export(
    ctx: typer.Context,
    kind: str,
    *,
    fmt: str,
    output: str | None,
    force: bool,
    raw: bool,
    bom: bool,
    tag: str | None = None,
    where: list[str] | None = None,
    vcard_version: str = "3",
) -> None:
    from pcrm.core.views import export
    from pcrm.formats import pcrm_csv
    from pcrm.store.db import read_snapshot

    env = get_env(ctx)
    what, reader, header_name, row_name = _LAYOUTS[kind]
    records: Callable[..., Iterator[Any]] = getattr(export, reader)
    header: tuple[str, ...] = getattr(pcrm_csv, header_name)
    row_of: Callable[..., list[str]] = getattr(pcrm_csv, row_name)
    filters: dict[str, Any] = {"tag": tag, "conditions": where or [], "now": env.now}
    make_row = row_of
    if kind == "interaction":  # no custom fields, tags or --where
        filters = {}

        def make_row(item: Any, _names: list[str]) -> list[str]:
            return row_of(item)

    to_file = output not in (None, "-")
    with env.database(write=False) as db, read_snapshot(db):
        names = export.field_names(db, kind) if kind != "interaction" else []
        found = records(db, **filters)
        # Read the first record before opening FILE: a bad --where must not create it.
        first = next(found, None)
        total = export.count(db, kind, **filters) if to_file and env.stderr_isatty else 0
        with (
            _output(env, output, force=force, bom=bom and fmt == "csv") as stream,
            _progress(total, f"exporting {what}") as advance,
        ):
            items = _counted(_chain(first, found), advance)
            if fmt == "json":
                from pcrm.formats.json import write_array

                count = write_array(stream, items)
            elif fmt == "vcard":
                from pcrm.formats.vcard import write_cards

                count = write_cards(stream, items, vcard_version)
            else:
                columns = [*header, *pcrm_csv.field_columns(names)]
                rows = (make_row(item, names) for item in items)
                count = pcrm_csv.write_rows(stream, columns, rows, raw=raw)
    _done(count, what, output)


def _chain(first: Any, rest: Iterator[Any]) -> Iterator[Any]:
    if first is None:
        return
    yield first
    yield from rest


@contextlib.contextmanager
def _progress(total: int, label: str) -> Iterator[Callable[[int, int], None]]:
    """A progress bar on stderr when it is a terminal and FILE is written (0: none)."""
    if not total:
        yield lambda done, rows: None
        return
    from pcrm.render.importing import progress_bar

    with progress_bar(total, label) as advance:
        yield advance


def _counted(items: Iterator[Any], advance: Callable[[int, int], None]) -> Iterator[Any]:
    done = 0
    for done, item in enumerate(items, start=1):
        yield item
        if done % 100 == 0:
            advance(done, done)
    advance(done, done)


@app.command("contacts")
def contacts(
    ctx: typer.Context,
    output: OutputOption = None,
    format_: Annotated[
        Literal["csv", "json", "vcard"],
        typer.Option("--format", "-f", metavar="FORMAT", help="csv, json or vcard."),
    ] = "csv",
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
        fmt=format_,
        output=output,
        force=force,
        raw=raw,
        bom=bom,
        tag=tag,
        where=where,
        vcard_version=vcard_version,
    )


@app.command("companies")
def companies(
    ctx: typer.Context,
    output: OutputOption = None,
    format_: Annotated[
        TableFormat, typer.Option("--format", "-f", metavar="FORMAT", help=FormatHelp)
    ] = "csv",
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
        fmt=format_,
        output=output,
        force=force,
        raw=raw,
        bom=bom,
        tag=tag,
        where=where,
    )


@app.command("deals")
def deals(
    ctx: typer.Context,
    output: OutputOption = None,
    format_: Annotated[
        TableFormat, typer.Option("--format", "-f", metavar="FORMAT", help=FormatHelp)
    ] = "csv",
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
        fmt=format_,
        output=output,
        force=force,
        raw=raw,
        bom=bom,
        tag=tag,
        where=where,
    )


@app.command("interactions")
def interactions(
    ctx: typer.Context,
    output: OutputOption = None,
    format_: Annotated[
        TableFormat, typer.Option("--format", "-f", metavar="FORMAT", help=FormatHelp)
    ] = "csv",
    raw: RawOption = False,
    bom: BomOption = False,
    force: ForceOption = False,
) -> None:
    """Export every interaction as CSV or JSON, oldest first.

    \b
    Example:
      pcrm export interactions -o interactions.csv
    """
    _export(ctx, "interaction", fmt=format_, output=output, force=force, raw=raw, bom=bom)


@app.command("agenda")
def agenda(
    ctx: typer.Context,
    format_: Annotated[
        str, typer.Option("--format", "-f", metavar="FORMAT", help="ics (iCalendar).")
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
    from pcrm.core.activity.tasks import list_tasks
    from pcrm.errors import InvalidInput
    from pcrm.formats.ics import agenda_calendar

    if format_.lower() != "ics":
        raise InvalidInput(f'unknown agenda format "{format_}"', hint="use --format ics")
    env = get_env(ctx)
    with env.database(write=False) as db:
        tasks = list_tasks(db, env.now, scope="open")
    calendar = agenda_calendar(tasks, env.now).decode("utf-8")  # CRLF lines, as RFC 5545 says
    with _output(env, output, force=force) as stream:
        stream.write(calendar)
    if output not in (None, "-"):
        from pcrm.render.safe import clean

        note(f"exported {len(tasks)} follow-ups to {clean(output, one_line=True)}")
