"""`pcrm import contacts FILE`: contacts from CSV exports (Google, Outlook, LinkedIn, HubSpot,
pcrm), vCard files and pcrm's own JSON."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

import typer

from pcrm.cli.env import Env, get_env
from pcrm.cli.helpformat import Typer
from pcrm.cli.output import JsonOption, emit

if TYPE_CHECKING:
    from pcrm.core.importing.importer import ImportOptions
    from pcrm.formats.contact_file import CsvLayout, Source
    from pcrm.formats.contact_json import JsonMapper
    from pcrm.formats.contact_presets import Target
    from pcrm.formats.contact_rows import CsvMapper, ParsedContact
    from pcrm.render.importing import ImportSummary
    from pcrm.store.db import Database

app = Typer(help="Import contacts from CSV, vCard and pcrm JSON files.", no_args_is_help=True)

# Spelled out here to keep `--help` off the import code; a test checks it against
# core.importing.POLICIES. (--preset is checked by formats: an unknown one is exit 1.)
Policy = Literal["skip", "update", "merge", "create"]
_PROGRESS_EVERY = 500  # rows between progress bar updates


class _DryRun(Exception):
    """Raised inside the transaction to roll a dry run back."""


@app.command("contacts")
def contacts(
    ctx: typer.Context,
    file: Annotated[
        str, typer.Argument(metavar="FILE", help="A CSV, vCard or pcrm JSON file; - reads stdin.")
    ],
    preset: Annotated[
        str,
        typer.Option(
            metavar="PRESET",
            help="Whose export FILE is: auto (from the header), google, outlook, linkedin, "
            "hubspot or pcrm.",
        ),
    ] = "auto",
    map_: Annotated[
        list[str] | None,
        typer.Option(
            "--map",
            metavar="COLUMN=FIELD",
            help="Put a column into a field (name, email, phone, company, title, field:NAME..."
            "); repeatable.",
        ),
    ] = None,
    map_file: Annotated[
        str | None,
        typer.Option(metavar="FILE", help="COLUMN=FIELD lines, as for --map (# starts a comment)."),
    ] = None,
    keep_unmapped: Annotated[
        bool, typer.Option(help="Keep values of unmapped columns in the contact's note.")
    ] = False,
    on_duplicate: Annotated[
        Policy,
        typer.Option(
            metavar="POLICY",
            help="For a row that matches a contact: merge (fill empty fields, add emails, "
            "phones and tags), update (the file's values win), skip, or create anyway.",
        ),
    ] = "merge",
    tag: Annotated[
        list[str] | None,
        typer.Option("--tag", "-t", metavar="TAG", help="Tag every imported contact; repeatable."),
    ] = None,
    source: Annotated[
        str | None,
        typer.Option(metavar="SOURCE", help="Source of contacts whose row names none."),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would happen; change nothing.")
    ] = False,
    rejects: Annotated[
        str | None,
        typer.Option(metavar="FILE", help="Write rejected rows here, to fix and import again."),
    ] = None,
    encoding: Annotated[
        str | None,
        typer.Option(metavar="NAME", help="The file's encoding, when detection gets it wrong."),
    ] = None,
    json: JsonOption = False,
) -> None:
    """Import contacts from a CSV export or a vCard file.

    Reads the exports of Google Contacts, Outlook, LinkedIn (Connections.csv), HubSpot and
    pcrm, other CSV files through --map, vCard files (one or many cards) and pcrm's own
    JSON export. A row that
    matches a contact (same email, phone, or name and company) is merged into it, so
    importing a file twice creates nothing the second time. Bad rows are listed with
    their line numbers and skipped; the rest is imported in one transaction.

    \b
    Example:
      pcrm import contacts Connections.csv --tag linkedin --dry-run
    """
    from pcrm.core.importing.importer import ImportOptions
    from pcrm.formats.contact_file import open_source
    from pcrm.formats.contact_presets import parse_map_entry, preset_named, read_map_file
    from pcrm.render.importing import summary_lines

    env = get_env(ctx)
    started = time.perf_counter()
    entries = [parse_map_entry(entry) for entry in map_ or []]
    if map_file:
        entries += read_map_file(map_file)
    if preset != "auto":
        preset_named(preset)  # an unknown preset is refused before the file is read
    options = ImportOptions(on_duplicate, tag or [], source, keep_unmapped)
    opened = open_source(file, encoding=encoding)
    try:
        summary = _run(env, opened, preset, entries, options, dry_run, rejects)
    finally:
        opened.close()
    summary.seconds = time.perf_counter() - started
    emit(
        env,
        summary,
        json_mode=json,
        pretty=lambda value: "\n".join(summary_lines(value)),
        plain=summary_lines,
    )


_KIND_NAMES = {"vcard": "vCard", "json": "pcrm JSON"}


def _run(
    env: Env,
    opened: Source,
    preset_name: str,
    entries: list[tuple[str, Target]],
    options: ImportOptions,
    dry_run: bool,
    rejects_path: str | None,
) -> ImportSummary:
    from pcrm.core.importing.importer import Importer
    from pcrm.formats.contact_rows import RejectsWriter, VcardMapper
    from pcrm.render.importing import ImportSummary, progress_bar

    mapper: VcardMapper | JsonMapper | CsvMapper
    rows: Iterator[ParsedContact]
    if opened.kind in ("vcard", "json"):
        if preset_name not in ("auto", "pcrm") or entries:
            from pcrm.errors import InvalidInput

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
        layout, mapper, rows = _csv(opened, preset_name, entries)
        shown = f"{mapper.preset.shown} CSV"
        custom = [t.arg for _, t in mapper.mapped if t.field == "custom" and t.arg]
        if mapper.preset.source and options.source is None:
            options.source = mapper.preset.source
    if custom and not env.db_path.exists():  # no database, so no field: say so, create none
        from pcrm.errors import NotFound

        raise NotFound(
            f'no contact field named "{custom[0]}"',
            hint=f"declare it first: pcrm field add {custom[0]} --type text --on contact",
        )
    writer = (
        RejectsWriter(rejects_path, layout, json=opened.kind == "json") if rejects_path else None
    )
    try:
        with (
            _database(env, dry_run) as db,
            progress_bar(
                opened.size if env.stderr_isatty else 0, f"importing {opened.label}", env.stderr
            ) as advance,
        ):
            importer = Importer(db, env.now, options)
            importer.check_fields(custom)
            for done, (parsed, outcome) in enumerate(importer.import_rows(rows), start=1):
                if outcome == "rejected" and writer is not None:
                    writer.write(parsed.raw)
                if done % _PROGRESS_EVERY == 0:
                    advance(opened.position(), done)
            if writer is not None:
                writer.finish()  # before the commit: if it fails, nothing lands
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    except BaseException:
        if writer is not None:
            writer.discard()
        raise
    return ImportSummary(
        file=opened.label,
        format=shown,
        encoding=opened.encoding,
        delimiter=layout.delimiter_name if layout else None,
        dry_run=dry_run,
        seconds=0.0,
        report=importer.report,
        unmapped=dict(mapper.unmapped_counts),
        rejects_file=rejects_path if writer is not None and writer.count else None,
    )


def _csv(
    opened: Source, preset_name: str, entries: list[tuple[str, Target]]
) -> tuple[CsvLayout, CsvMapper, Iterator[ParsedContact]]:
    from pcrm.errors import InvalidInput
    from pcrm.formats.contact_file import read_csv
    from pcrm.formats.contact_presets import column_key, detect, preset_named, with_map
    from pcrm.formats.contact_rows import CsvMapper

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
def _database(env: Env, dry_run: bool) -> Iterator[Database]:
    """The database in one transaction. A dry run with no database yet runs against an
    empty one in a temporary folder, so it creates no file."""
    if dry_run and not env.db_path.exists():
        import tempfile

        from pcrm.store.db import session

        with (
            tempfile.TemporaryDirectory() as folder,
            session(Path(folder) / "dry-run.db", write=True) as db,
        ):
            yield db
        return
    with env.database(write=True) as db:
        yield db
