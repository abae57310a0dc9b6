"""`pcrm vdir export|import DIR`: contacts and follow-ups as a vdir, for vdirsyncer."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

import typer

from pcrm.cli.bulk import DryRunOpt
from pcrm.cli.env import get_env
from pcrm.cli.helpformat import Typer
from pcrm.cli.output import JsonOption, emit

if TYPE_CHECKING:
    from pcrm.cli.env import Env
    from pcrm.core.vdir import VdirResult

app = Typer(
    help="Sync contacts and follow-ups with a vdir folder.",
    no_args_is_help=True,
)

DirArg = Annotated[
    Path,
    typer.Argument(
        metavar="DIR",
        help="The vdir: DIR/contacts/ holds <uid>.vcf, DIR/tasks/ holds <uid>.ics.",
        show_default=False,
    ),
]


def _emit(env: Env, result: VdirResult, json_mode: bool) -> None:
    from pcrm.render.vdir import vdir_lines, vdir_pretty

    emit(env, result, json_mode=json_mode, pretty=vdir_pretty, plain=vdir_lines)


@app.command("export")
def export(
    ctx: typer.Context, folder: DirArg, dry_run: DryRunOpt = False, json: JsonOption = False
) -> None:
    """Write what changed in pcrm to the vdir DIR.

    Only what changed since the last export is written.
    Contacts go to DIR/contacts/<uid>.vcf (vCard 3.0, with what pcrm does not model from
    the card it was read from), open follow-ups to DIR/tasks/<uid>.ics (one VTODO each).
    An unchanged item's file is not touched; a record removed in pcrm loses its file; a
    file changed in DIR since is left for `pcrm vdir import`. An export that would delete
    every file of a collection is refused. DIR is made when its parent exists.

    \b
    Example:
      pcrm vdir export ~/.local/share/pcrm/vdir
    """
    from pcrm.app.vdir import export_vdir

    env = get_env(ctx)
    with env.database(write=True, create=False) as db:  # a mistyped --db: said, not made
        result = export_vdir(db, env.now, folder, dry_run=dry_run)
    _emit(env, result, json)


class _DryRun(Exception):
    def __init__(self, result: VdirResult) -> None:
        self.result = result


@app.command("import")
def import_(
    ctx: typer.Context,
    folder: DirArg,
    prefer: Annotated[
        str | None,
        typer.Option(
            "--prefer",
            metavar="pcrm|file",
            help="Who wins an item changed on both sides (default: neither; it is reported).",
            show_default=False,
        ),
    ] = None,
    dry_run: DryRunOpt = False,
    json: JsonOption = False,
) -> None:
    """Read back what changed in DIR since the last sync.

    An edited file changes the fields the edit touched; a new card makes a contact, or
    joins the contact that has one of its emails or phone numbers; a deleted card archives
    its contact (pcrm contact restore brings it back); a deleted or completed to-do marks
    its follow-up done. An item changed in pcrm too is a conflict: shown with both
    versions and left as it is, unless --prefer says which side wins. `pcrm undo` takes
    an import back.

    \b
    Example:
      pcrm vdir import ~/.local/share/pcrm/vdir --dry-run
    """
    from pcrm.app.vdir import import_vdir
    from pcrm.errors import InvalidInput

    if prefer is not None and prefer not in ("pcrm", "file"):
        raise InvalidInput(f'--prefer "{prefer}" is not pcrm or file', hint="--prefer pcrm|file")
    side: Literal["pcrm", "file"] | None = prefer  # type: ignore[assignment]
    env = get_env(ctx)
    try:
        with env.database(write=True, create=False) as db:
            result = import_vdir(db, env.now, folder, side)
            if dry_run:
                result.dry_run = True
                raise _DryRun(result)
    except _DryRun as stop:
        result = stop.result
    _emit(env, result, json)
