"""`pcrm backup`, `pcrm restore`, `pcrm doctor`: keeping the one database file safe."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from pcrm.cli.env import get_env
from pcrm.cli.output import ExitStatus, JsonOption, emit, error_lines, note, say

ReplicaOption = Annotated[
    str | None,
    typer.Option(
        "--replica",
        metavar="URL",
        help="A Litestream replica: file:///folder or s3://bucket/path.",
        show_default=False,
    ),
]


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
    replica: ReplicaOption = None,
    take_over: Annotated[
        bool,
        typer.Option(
            "--take-over",
            help="With --replica: push even though another machine wrote the replica last,"
            " and become its writer.",
        ),
    ] = False,
    follow: Annotated[
        bool,
        typer.Option(
            "--follow",
            help="With --replica: keep pushing each change as it is made, until stopped"
            " (Litestream's daemon: small pushes, compacted).",
        ),
    ] = False,
) -> None:
    """Copy the database to a backup file, safely while pcrm runs.

    Uses SQLite's online backup API, so it is safe while other pcrm processes (cron, another
    terminal) write. The copy is one self-contained SQLite file, readable only by you; an
    existing FILE is never overwritten.

    With --replica URL (file:///folder or s3://bucket/path) it pushes the database to an
    off-machine Litestream replica instead (litestream replicate -once; pip install
    'pcrm[replica]'). A replica has one writer: a push is refused, naming the other machine,
    when another one wrote the replica since this database last pushed, unless --take-over.
    --follow runs until stopped and pushes each change as it is made: a push once is a
    whole compressed copy, a push while following only what changed (docs/replica.md).

    \b
    Example:
      pcrm backup ~/backups/pcrm-$(date +%F).db
      pcrm backup --replica s3://my-bucket/pcrm
      pcrm backup --replica s3://my-bucket/pcrm --follow    (a login service)
    """
    from pcrm.render.safe import clean

    _check_options(file, replica, take_over)
    if follow and replica is None:
        raise typer.BadParameter("only with --replica", param_hint="--follow")
    if replica is not None:
        _push(ctx, replica, take_over=take_over, follow=follow)
        return
    from pcrm.store.backup import backup as copy_out
    from pcrm.store.backup import default_backup_path

    env = get_env(ctx)
    database = env.db_path
    target = Path(file).expanduser() if file else default_backup_path(database, env.now)
    written = copy_out(database, target)
    say(f"backed up {clean(str(database), one_line=True)} to {clean(str(written), one_line=True)}")


def restore(
    ctx: typer.Context,
    file: Annotated[
        str | None,
        typer.Argument(metavar="FILE", help="A backup made by pcrm backup.", show_default=False),
    ] = None,
    replica: ReplicaOption = None,
    take_over: Annotated[
        bool,
        typer.Option(
            "--take-over",
            help="With --replica: make this machine the replica's writer (pcrm backup"
            " --replica then pushes from here).",
        ),
    ] = False,
) -> None:
    """Replace the database with a backup, keeping the current one.

    FILE must pass SQLite's integrity check and be a pcrm database of a schema this pcrm
    knows (an older one is brought up to date when next opened); otherwise nothing is
    replaced. Once no other pcrm is writing (it waits, as every write does), the current
    database is saved as pcrm.db.TIMESTAMP.bak beside it.

    With --replica URL it restores the latest state of a Litestream replica (made by pcrm
    backup --replica), with the same checks. The replica's writer stays the machine that
    pushed it, unless --take-over makes it this one.

    \b
    Example:
      pcrm restore ~/.local/share/pcrm/pcrm.db.20261123T100000Z.bak
      pcrm restore --replica s3://my-bucket/pcrm --take-over
    """
    from pcrm.render.safe import clean
    from pcrm.store.backup import restore as copy_in

    _check_options(file, replica, take_over)
    if replica is not None:
        _pull(ctx, replica, take_over=take_over)
        return
    if file is None:
        raise typer.BadParameter("give a backup FILE, or --replica URL", param_hint="FILE")
    env = get_env(ctx)
    # It waits for another pcrm's write like every write does, saying so on a terminal.
    done = copy_in(Path(file).expanduser(), env.db_path, env.now, on_wait=env._say_waiting)
    message = f"restored {clean(str(done.database), one_line=True)} from "
    message += clean(str(done.source), one_line=True)
    say(message)
    if done.previous:
        note(f"the database it replaced is kept as {clean(str(done.previous), one_line=True)}")


def _check_options(file: str | None, replica: str | None, take_over: bool) -> None:
    """FILE or --replica, and --take-over only with --replica (usage errors otherwise)."""
    if replica is None and take_over:
        raise typer.BadParameter("only with --replica", param_hint="--take-over")
    if replica is not None and file is not None:
        raise typer.BadParameter("give FILE or --replica, not both", param_hint="FILE")


def _push(ctx: typer.Context, url: str, *, take_over: bool, follow: bool) -> None:
    from pcrm.render.safe import clean
    from pcrm.store.replica import follow as follow_changes
    from pcrm.store.replica import push

    env = get_env(ctx)
    if follow:
        shown = clean(url, one_line=True)
        done = follow_changes(
            env.db_path,
            url,
            env.now,
            take_over=take_over,
            on_wait=env._say_waiting,
            on_started=lambda: note(f"pushing each change to {shown}; stop with Ctrl-C"),
        )
    else:
        done = push(env.db_path, url, env.now, take_over=take_over, on_wait=env._say_waiting)
    where = clean(done.replica.url, one_line=True)
    if done.took_over_from is not None:
        note(f"took over {where} from {clean(done.took_over_from.describe(), one_line=True)}")
    database = clean(str(env.db_path), one_line=True)
    txid = f" (TXID {done.position.txid})"
    if done.unchanged:
        say(f"{database} has not changed since its last push to {where}{txid}")
    else:
        say(f"pushed {database} to {where}{txid}")


def _pull(ctx: typer.Context, url: str, *, take_over: bool) -> None:
    from pcrm.render.safe import clean
    from pcrm.store.replica import pull

    env = get_env(ctx)
    done = pull(env.db_path, url, env.now, take_over=take_over, on_wait=env._say_waiting)
    where = clean(done.replica.url, one_line=True)
    database = clean(str(done.restored.database), one_line=True)
    say(f"restored {database} from {where} (TXID {done.position.txid})")
    if done.restored.previous:
        kept = clean(str(done.restored.previous), one_line=True)
        note(f"the database it replaced is kept as {kept}")
    if done.pushed is not None:
        txid = done.pushed.position.txid
        note(f"this machine is now the writer of {where} (pushed TXID {txid})")
    elif not done.is_writer:
        writer = done.writer.describe() if done.writer else "another machine"
        note(
            f"{where} is written by {clean(writer, one_line=True)}; to push to it from here:"
            f" pcrm backup --replica {where} --take-over"
        )


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
