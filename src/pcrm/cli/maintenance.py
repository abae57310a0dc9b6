"""`pcrm backup`, `pcrm restore`, `pcrm doctor`: keeping the one database file safe."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from pcrm.cli.env import get_env
from pcrm.cli.output import ExitStatus, JsonOption, emit, error_lines, note, say


def backup(
    ctx: typer.Context,
    file: Annotated[
        str | None,
        typer.Argument(
            metavar="FILE",
            help="Where to write the copy (default: pcrm.db.TIMESTAMP.bak beside the database).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Copy the database to a backup file, safely while pcrm runs.

    Uses SQLite's online backup API, so it is safe while other pcrm processes (cron, another
    terminal) write. The copy is one self-contained SQLite file, readable only by you; an
    existing FILE is never overwritten.

    \b
    Example:
      pcrm backup ~/backups/pcrm-$(date +%F).db
    """
    from pcrm.render.safe import clean
    from pcrm.store.backup import backup as copy_out
    from pcrm.store.backup import default_backup_path

    env = get_env(ctx)
    database = env.db_path
    target = Path(file).expanduser() if file else default_backup_path(database, env.now)
    written = copy_out(database, target)
    say(f"backed up {clean(str(database), one_line=True)} to {clean(str(written), one_line=True)}")


def restore(
    ctx: typer.Context,
    file: Annotated[str, typer.Argument(metavar="FILE", help="A backup made by pcrm backup.")],
) -> None:
    """Replace the database with a backup, keeping the current one.

    FILE must pass SQLite's integrity check and be a pcrm database of a schema this pcrm
    knows (an older one is brought up to date when next opened); otherwise nothing is
    replaced. Once no other pcrm is writing (it waits, as every write does), the current
    database is saved as pcrm.db.TIMESTAMP.bak beside it.

    \b
    Example:
      pcrm restore ~/.local/share/pcrm/pcrm.db.20261123T100000Z.bak
    """
    from pcrm.render.safe import clean
    from pcrm.store.backup import restore as copy_in

    env = get_env(ctx)
    # It waits for another pcrm's write like every write does, saying so on a terminal.
    done = copy_in(Path(file).expanduser(), env.db_path, env.now, on_wait=env._say_waiting)
    message = f"restored {clean(str(done.database), one_line=True)} from "
    message += clean(str(done.source), one_line=True)
    say(message)
    if done.previous:
        note(f"the database it replaced is kept as {clean(str(done.previous), one_line=True)}")


def doctor(
    ctx: typer.Context,
    fix: Annotated[
        bool,
        typer.Option(
            "--fix",
            help="Repair what is safe to repair: permissions, leftover temporary files, "
            "schema, orphaned links, search.",
        ),
    ] = False,
    json: JsonOption = False,
) -> None:
    """Check the database file for problems, and say what to run.

    Checks the file and folder permissions (0600 / 0700), SQLite's integrity and
    foreign-key checks (orphaned links), the schema (its steps, and its tables, columns,
    indexes, triggers and views against a fresh file's: every difference is named) and
    the search index against the records, lists temporary files an interrupted pcrm left
    beside the database, and shows the file's size and record counts.
    Exits 1 when something is wrong. --fix tightens permissions, removes those files,
    migrates an old schema (after a backup) and repairs what earlier versions left
    different, resolves orphaned links as their delete rule says and rebuilds the search
    index; it never writes to a damaged file: restore a backup for that (pcrm restore FILE).

    \b
    Example:
      pcrm doctor --fix
    """
    from pcrm.app.doctor import check_database

    env = get_env(ctx)
    checkup = check_database(env.db_path, fix=fix)
    report, repaired = checkup.report, checkup.repaired
    for line in repaired:
        note(f"fixed: {line}")
    if json:
        from pcrm.formats.json import dumps
        from pcrm.render.doctor import doctor_json

        typer.echo(dumps(doctor_json(report, repaired)))
    else:
        from pcrm.render.doctor import doctor_lines, doctor_view

        emit(
            env,
            report,
            json_mode=False,
            pretty=lambda r: doctor_view(r, env.now),
            plain=doctor_lines,
        )
    if not report.ok:
        fixes = list(dict.fromkeys(check.fix for check in report.problems if check.fix))
        count = len(report.problems)
        summary = f"{count} problem{'s' if count > 1 else ''} found"
        error_lines(f"{summary} (run: {'; '.join(fixes)})" if fixes else summary)
        raise typer.Exit(ExitStatus.ERROR)


def register(app: typer.Typer) -> None:
    app.command("backup")(backup)
    app.command("restore")(restore)
    app.command("doctor")(doctor)
