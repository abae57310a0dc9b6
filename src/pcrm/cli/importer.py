"""`pcrm import contacts FILE`: contacts from CSV exports (Google, Outlook, LinkedIn, HubSpot,
pcrm), vCard files and pcrm's own JSON."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Literal

import typer

from pcrm.cli.env import get_env
from pcrm.cli.helpformat import Typer, late_help
from pcrm.cli.output import JsonOption, emit

if TYPE_CHECKING:
    from contextlib import AbstractContextManager

    from pcrm.app.base import Advance

app = Typer(help="Import contacts from CSV, vCard and pcrm JSON files.", no_args_is_help=True)

# Spelled out here to keep `--help` off the import code; a test checks it against
# core.importing.importer.POLICIES. (--preset is checked by app: an unknown one is exit 1.)
Policy = Literal["skip", "update", "merge", "create"]
DateOrder = Literal["dmy", "mdy"]


def _preset_help() -> str:
    from pcrm.formats.presets import help_text

    return f"Whose export FILE is: {help_text()}."


@app.command("contacts", cls=late_help(preset=_preset_help))
def contacts(
    ctx: typer.Context,
    file: Annotated[
        str, typer.Argument(metavar="FILE", help="A CSV, vCard or pcrm JSON file; - reads stdin.")
    ],
    preset: Annotated[
        str,
        typer.Option(
            metavar="PRESET",
            help="Whose export FILE is (the presets are listed by --help).",
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
    date_order: Annotated[
        DateOrder | None,
        typer.Option(
            metavar="ORDER",
            help="dmy or mdy: how FILE's slash dates read (05/01/1991), when FILE cannot tell.",
        ),
    ] = None,
    report: Annotated[
        str | None,
        typer.Option(
            metavar="FILE",
            help="Write every warning and rejected row (line, kind, message) here, as CSV.",
        ),
    ] = None,
    force: Annotated[
        bool,
        typer.Option("--force", help="Replace the --rejects or --report FILE if it exists."),
    ] = False,
    json: JsonOption = False,
) -> None:
    """Import contacts from a CSV export or a vCard file.

    Reads the exports of Google Contacts, Outlook, LinkedIn (Connections.csv), HubSpot and
    pcrm, other CSV files through --map, vCard files (one or many cards) and pcrm's own
    JSON export. A row that
    matches a contact (same uid, email, phone and name, or name and company) is merged
    into it, so importing a file twice creates nothing the second time. A bad value is
    dropped with a warning; a row with no name, email or phone is rejected; the rest is
    imported in one transaction.

    \b
    Example:
      pcrm import contacts Connections.csv --tag linkedin --dry-run
    """
    from pcrm.app.importing import ImportRequest, import_contacts
    from pcrm.render.importing import progress_bar, summary_lines

    env = get_env(ctx)
    request = ImportRequest(
        file,
        preset=preset,
        maps=map_ or [],
        map_file=map_file,
        keep_unmapped=keep_unmapped,
        on_duplicate=on_duplicate,
        tags=tag or [],
        source=source,
        dry_run=dry_run,
        rejects=rejects,
        force=force,
        encoding=encoding,
        date_order=date_order,
        report=report,
    )

    def progress(total: int, label: str) -> AbstractContextManager[Advance]:
        # a bar only when stderr is a terminal
        return progress_bar(total if env.stderr_isatty else 0, label, env.stderr)

    summary = import_contacts(request, env, env.now, progress=progress)
    emit(
        env,
        summary,
        json_mode=json,
        pretty=lambda value: "\n".join(summary_lines(value)),
        plain=summary_lines,
    )
