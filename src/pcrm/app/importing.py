"""Importing contacts: a file (formats) read into rows, decided by core's Importer in one
transaction; a dry run rolls it back; rejected rows go to a file to fix and import again.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Generator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from pcrm.app.base import DatabaseFile, Progress, no_progress
from pcrm.errors import InvalidInput, NotFound

if TYPE_CHECKING:
    from pcrm.core.importing.importer import ImportOptions, RowNote
    from pcrm.core.importing.models import ImportSummary, ParsedContact
    from pcrm.formats.contact_file import CsvLayout, Source
    from pcrm.formats.contact_presets import Target
    from pcrm.formats.contact_rows import CsvMapper
    from pcrm.store.db import Database

PROGRESS_EVERY = 500  # rows between progress updates
_KIND_NAMES = {"vcard": "vCard", "json": "pcrm JSON"}


@dataclass
class ImportRequest:
    """`pcrm import contacts` as typed: the file ("-": stdin) and its options."""

    file: str
    preset: str = "auto"
    maps: list[str] = field(default_factory=list)  # --map COLUMN=FIELD
    map_file: str | None = None
    keep_unmapped: bool = False
    on_duplicate: str = "merge"
    tags: list[str] = field(default_factory=list)
    source: str | None = None
    dry_run: bool = False
    rejects: str | None = None  # where rejected rows go
    force: bool = False  # replace an existing rejects or report file
    report: str | None = None  # where every warning and reject goes (--report FILE)
    encoding: str | None = None  # when detection gets it wrong
    date_order: str | None = None  # --date-order: "dmy" or "mdy" for the file's slash dates


class _DryRun(Exception):
    """Raised inside the transaction to roll a dry run back."""


def import_contacts(
    request: ImportRequest,
    files: DatabaseFile,
    now: datetime,
    *,
    progress: Progress = no_progress,
) -> ImportSummary:
    """Run one import; the summary says what was read and done."""
    from pcrm.core.importing.importer import ImportOptions
    from pcrm.formats.contact_file import open_source
    from pcrm.formats.contact_presets import parse_map_entry, read_map_file
    from pcrm.formats.presets import preset_named

    started = time.perf_counter()
    entries = [parse_map_entry(entry) for entry in request.maps]
    if request.map_file:
        entries += read_map_file(request.map_file)
    if request.preset != "auto":
        preset_named(request.preset)  # an unknown preset is refused before the file is read
    if request.date_order not in (None, "dmy", "mdy"):
        raise InvalidInput(
            f'date order "{request.date_order}" is not dmy or mdy',
            hint="dmy: 31/12/1985, mdy: 12/31/1985",
        )
    options = ImportOptions(
        request.on_duplicate,
        list(request.tags),
        request.source,
        request.keep_unmapped,
        request.date_order,
    )
    opened = open_source(request.file, encoding=request.encoding)
    try:
        summary = _run(request, files, now, opened, entries, options, progress)
    finally:
        opened.close()
    summary.seconds = time.perf_counter() - started
    return summary


def _run(
    request: ImportRequest,
    files: DatabaseFile,
    now: datetime,
    opened: Source,
    entries: list[tuple[str, Target]],
    options: ImportOptions,
    progress: Progress,
) -> ImportSummary:
    from pcrm.core.importing.importer import Importer
    from pcrm.core.importing.models import ImportSummary
    from pcrm.formats.contact_rows import RejectsWriter
    from pcrm.formats.vcard_rows import VcardMapper

    layout: CsvLayout | None
    mapper: VcardMapper | JsonMapper | CsvMapper
    rows: Iterator[ParsedContact]
    if opened.kind in ("vcard", "json"):
        if request.preset not in ("auto", "pcrm") or entries:
            raise InvalidInput(
                f"{opened.label} is a {_KIND_NAMES[opened.kind]} file;"
                " --preset and --map are for CSV files"
            )
        order_note = None
        if opened.kind == "vcard":
            from pcrm.formats.contact_file import vcard_texts

            mapper = VcardMapper(opened.codec)
            rows = (mapper.contact(card) for card in vcard_texts(opened))
            custom = []
        else:
            from pcrm.formats.contact_json import JsonMapper, json_records

            mapper = JsonMapper()
            records = list(json_records(opened))  # a JSON syntax error stops before any write
            rows = (mapper.contact(record) for record in records)
            custom = sorted({name for r in records if isinstance(r.value, dict)
                             for name in (r.value.get("fields") or {})})  # fmt: skip
        layout, shown = None, _KIND_NAMES[opened.kind]
    else:
        layout, mapper, rows, order_note = _csv(opened, request.preset, entries, options)
        shown = f"{mapper.preset.shown} CSV"
        custom = [t.arg for _, t in mapper.mapped if t.field == "custom" and t.arg]
        if mapper.preset.source and options.source is None:
            options.source = mapper.preset.source
    if custom and not files.db_path.exists():  # no database, so no field: say so, create none
        raise NotFound(
            f'no contact field named "{custom[0]}"',
            hint=f"declare it first: pcrm field add {custom[0]} --type text --on contact",
        )
    rejects = request.rejects
    writer = report = None
    if rejects:
        writer = RejectsWriter(
            rejects, layout, json=opened.kind == "json", force=request.force,
            protect=_read_files(request, files.db_path),
        )  # fmt: skip
    if request.report:
        from pcrm.formats.import_report import ReportWriter

        protect = _read_files(request, files.db_path)
        if rejects:
            protect[Path(rejects).expanduser()] = "the --rejects file"
        report = ReportWriter(request.report, force=request.force, protect=protect)
    try:
        with (
            _database(files, request.dry_run) as db,
            progress(opened.size, f"importing {opened.label}") as advance,
        ):
            notes = report.write if report is not None else None
            importer = Importer(db, now, options, notes=notes)
            if order_note is not None:
                importer.warn(order_note.line, order_note.message)
            importer.check_fields(custom)
            for done, (parsed, outcome) in enumerate(importer.import_rows(rows), start=1):
                if outcome == "rejected" and writer is not None and parsed.raw:
                    writer.write(parsed.raw)
                if done % PROGRESS_EVERY == 0:
                    advance(opened.position(), done)
            if writer is not None:
                writer.finish()  # before the commit: if it fails, nothing lands
            if report is not None:
                report.finish()
            if request.dry_run:
                raise _DryRun
    except _DryRun:
        pass
    except BaseException:
        if writer is not None:
            writer.discard()
        if report is not None:
            report.discard()
        raise
    return ImportSummary(
        file=opened.label,
        format=shown,
        encoding=opened.encoding,
        delimiter=layout.delimiter_name if layout else None,
        dry_run=request.dry_run,
        seconds=0.0,
        report=importer.report,
        unmapped=dict(mapper.unmapped_counts),
        rejects_file=rejects if writer is not None and writer.count else None,
        report_file=request.report,
    )


def _read_files(request: ImportRequest, database: Path) -> dict[Path, str]:
    """The files an import reads, which its rejects file must never replace."""
    from pcrm.store.files import database_files

    read = database_files(database)
    if request.file != "-":
        read[Path(request.file).expanduser()] = "the file being imported"
    if request.map_file:
        read[Path(request.map_file).expanduser()] = "the --map-file being read"
    return read


def _csv(
    opened: Source, preset_name: str, entries: list[tuple[str, Target]], options: ImportOptions
) -> tuple[CsvLayout, CsvMapper, Iterator[ParsedContact], RowNote | None]:
    from pcrm.formats.contact_file import read_csv
    from pcrm.formats.contact_presets import column_key, with_map
    from pcrm.formats.contact_rows import CsvMapper
    from pcrm.formats.presets import detect, preset_named

    layout, rows = read_csv(opened)
    base = detect(layout.header) if preset_name == "auto" else preset_named(preset_name)
    mapper = CsvMapper(layout, with_map(base, entries))
    header_keys = {column_key(column) for column in layout.header}
    for key, _target in entries:
        if key not in header_keys:
            raise InvalidInput(
                f'{opened.label} has no column "{key}" (from --map)',
                hint="columns: " + ", ".join(layout.header[:12]),
            )
    people = {"name", "first_name", "last_name", "email"}
    if not any(target.field in people for _, target in mapper.mapped):
        columns = ", ".join(layout.header[:8]) + (", ..." if len(layout.header) > 8 else "")
        raise InvalidInput(
            f"cannot tell which column of {opened.label} holds names or emails "
            f"(read as {layout.delimiter_name}-separated columns: {columns})",
            hint='choose --preset, or --map "COLUMN=name"',
        )
    order_note = None
    if options.date_order is None and _date_columns(mapper):
        # The pre-pass reads the file from its start: the rows are read again after it.
        if isinstance(rows, Generator):
            next(rows, None)  # started, so that closing it lets its text wrapper go
            rows.close()
        options.date_order, order_note = file_date_order(opened, mapper)
        layout, rows = read_csv(opened)
        layout.header = mapper.header
    return layout, mapper, (mapper.contact(row) for row in rows), order_note


# -- the day/month order of a file's slash dates --------------------------------------

# The fields whose cells are dates (a custom date field is read by its own type).
_DATE_FIELDS = frozenset({"birthday", "anniversary", "created_at", "updated_at"})
# A slash date, day and month in either order, with or without a year (time after it
# allowed): 20/01/1991, 5/1/91, 12/24. A four-digit first number (1991/01/20) is year first.
_SLASH_DATE = r"(?<![\d/])(\d{1,2})/(\d{1,2})(?:/\d{2,4})?(?![\d/])"


def _date_columns(mapper: CsvMapper) -> list[int]:
    targets = enumerate(mapper.targets)
    return [i for i, t in targets if t is not None and t.field in _DATE_FIELDS]


def _may_hold_slash_dates(opened: Source) -> bool:
    """Whether a slash date appears anywhere in the file. Its bytes are searched as they
    are when its encoding writes ASCII as ASCII (all but UTF-16 and UTF-32): a digit or a
    slash byte inside a multibyte character can only add a match, never hide one, and a
    match only means the date columns are read. A file without a `/` (the common case)
    costs one `in` per MiB."""
    import codecs
    import re

    if codecs.lookup(opened.codec).name.startswith(("utf-16", "utf-32")):
        pattern = re.compile(_SLASH_DATE)
        with opened.reading() as stream:
            carry = ""
            while chunk := stream.read(1 << 20):
                if "/" in (window := carry + chunk) and pattern.search(window):
                    return True
                carry = chunk[-16:]
        return False
    binary = re.compile(_SLASH_DATE.encode())
    opened.handle.seek(0)
    last = b""
    while data := opened.handle.read(1 << 20):
        if b"/" in (joined := last + data) and binary.search(joined):
            return True
        last = data[-16:]
    return False


def file_date_order(opened: Source, mapper: CsvMapper) -> tuple[str | None, RowNote | None]:
    """The day/month order of the slash dates in the columns mapped to dates, for the whole
    file, with the warning that says how it was settled (None: no slash date to settle).

    A first number above 12 anywhere (20/01/1991) settles day/month, a second one above 12
    (01/20/1991) month/day; both in one file is refused naming the two lines. Dates that
    read both ways (05/01/1991) and nothing to settle them take the date-order setting
    (dmy or mdy), else the file is refused. --date-order skips this pass.

    Cheap first: the whole text is searched for a slash date with one regular expression
    (no CSV parsing); only a file that has one anywhere is read as CSV for its date cells."""
    import re

    from pcrm.core.importing.importer import RowNote
    from pcrm.dates import current_date_order
    from pcrm.formats.contact_file import read_csv

    columns = _date_columns(mapper)
    if not columns:
        return None, None
    pattern = re.compile(_SLASH_DATE)
    if not _may_hold_slash_dates(opened):
        return None, None
    day_first: tuple[int, str] | None = None  # (line, cell) settling each order
    month_first: tuple[int, str] | None = None
    both_ways: tuple[int, str] | None = None
    _, rows = read_csv(opened)
    for row in rows:
        for index in columns:
            if index >= len(row.cells) or "/" not in (cell := row.cells[index]):
                continue
            for match in pattern.finditer(cell):
                first, second = int(match[1]), int(match[2])
                if first > 12 and second <= 12 and day_first is None:
                    day_first = (row.line, match[0])
                elif second > 12 and first <= 12 and month_first is None:
                    month_first = (row.line, match[0])
                elif first <= 12 and second <= 12 and first != second and both_ways is None:
                    both_ways = (row.line, match[0])
        if day_first and month_first:
            break
    label = opened.label
    if day_first and month_first:
        raise InvalidInput(
            f'{label}: slash dates are day/month on line {day_first[0]} ("{day_first[1]}")'
            f' and month/day on line {month_first[0]} ("{month_first[1]}")',
            hint="fix one of them, or give --date-order dmy or --date-order mdy",
        )
    settled = day_first or month_first
    if settled is not None:
        order = "dmy" if day_first else "mdy"
        shown = "day/month/year" if day_first else "month/day/year"
        note = RowNote(settled[0], f'slash dates read as {shown}, as "{settled[1]}" is')
        return order, note
    if both_ways is None:
        return None, None
    setting = current_date_order()
    if setting in ("dmy", "mdy"):
        shown = "day/month/year" if setting == "dmy" else "month/day/year"
        message = f'slash dates like "{both_ways[1]}" read as {shown} (date-order setting)'
        return setting, RowNote(both_ways[0], message)
    raise InvalidInput(
        f'{label}: slash dates like "{both_ways[1]}" (line {both_ways[0]})'
        " can be day/month or month/day",
        hint="give --date-order dmy or --date-order mdy",
    )


@contextmanager
def _database(files: DatabaseFile, dry_run: bool) -> Iterator[Database]:
    """The database in one transaction. A dry run with no database yet runs against an
    empty one in a temporary folder, so it creates no file."""
    if dry_run and not files.db_path.exists():
        from pcrm.store.db import session

        with (
            tempfile.TemporaryDirectory() as folder,
            session(Path(folder) / "dry-run.db", write=True) as db,
        ):
            yield db
        return
    with files.database(write=True) as db:
        from pcrm.core.journal import bulk_inserts

        # The rows an import adds are recorded for undo as runs of ids, not one by one.
        bulk_inserts(db)
        yield db
