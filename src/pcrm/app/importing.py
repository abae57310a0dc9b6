"""Importing contacts: a file (formats) read into rows, decided by core's Importer in one
transaction; a dry run rolls it back; rejected rows go to a file to fix and import again.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from pcrm.app.base import DatabaseFile, Progress, no_progress
from pcrm.errors import InvalidInput, NotFound

if TYPE_CHECKING:
    from pcrm.core.importing.importer import ImportOptions
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
    options = ImportOptions(
        request.on_duplicate, list(request.tags), request.source, request.keep_unmapped
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
    from pcrm.formats.contact_rows import RejectsWriter, VcardMapper

    layout: CsvLayout | None
    mapper: VcardMapper | JsonMapper | CsvMapper
    rows: Iterator[ParsedContact]
    if opened.kind in ("vcard", "json"):
        if request.preset not in ("auto", "pcrm") or entries:
            raise InvalidInput(
                f"{opened.label} is a {_KIND_NAMES[opened.kind]} file;"
                " --preset and --map are for CSV files"
            )
        if opened.kind == "vcard":
            from pcrm.formats.contact_file import vcard_texts

            mapper = VcardMapper()
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
        layout, mapper, rows = _csv(opened, request.preset, entries)
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
    opened: Source, preset_name: str, entries: list[tuple[str, Target]]
) -> tuple[CsvLayout, CsvMapper, Iterator[ParsedContact]]:
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
    return layout, mapper, (mapper.contact(row) for row in rows)


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
        yield db
