"""Backups and restores with SQLite's online backup API.

The backup API copies a consistent snapshot while other processes keep writing (in WAL mode
a reader never blocks a writer), and a restore writes *through* SQLite into the live file,
so a process that has the database open sees the restored content, never a torn file.
A backup is one self-contained file (rollback journal mode), readable by any sqlite3.
"""

from __future__ import annotations

import contextlib
import shutil
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from pcrm.errors import DatabaseError
from pcrm.store import migrations
from pcrm.store.files import (
    NewFile,
    database_files,
    is_sqlite_file,
    make_folder,
    private_file,
    write_failed_hint,
)

BUSY_TIMEOUT_S = 10.0


def default_backup_path(database: Path, now: datetime) -> Path:
    """`pcrm.db.20261123T100000Z.bak` next to the database; a suffix if that name is taken."""
    stamp = now.strftime("%Y%m%dT%H%M%SZ")
    candidate = database.with_name(f"{database.name}.{stamp}.bak")
    counter = 1
    while candidate.exists():
        counter += 1
        candidate = database.with_name(f"{database.name}.{stamp}-{counter}.bak")
    return candidate


def _connect(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(path, timeout=BUSY_TIMEOUT_S)


def _reserve(target: Path) -> None:
    """Create `target` empty (mode 0600), refusing to touch an existing file."""
    try:
        private_file(target)
    except FileExistsError:
        raise DatabaseError(
            f"{target} already exists; a backup never overwrites a file",
            hint="give another FILE, or leave it out for a time-stamped name",
        ) from None
    except OSError as exc:
        raise DatabaseError(
            f"cannot write {target}: {exc.strerror}",
            hint="check that the folder exists and that you may write there",
        ) from exc


def copy_database(source: sqlite3.Connection, target: Path, database: Path | None = None) -> None:
    """Write a snapshot of `source` into the new file `target` (mode 0600, never replaced;
    never `database` or its side files).

    The copy is taken in one step: under WAL it is one consistent read, and writers carry on.
    It is written under a temporary name and renamed when complete: a failure leaves nothing.
    """
    with _new_backup(target, database) as temporary:
        _copy_into(source, temporary)


@contextlib.contextmanager
def _new_backup(target: Path, database: Path | None = None) -> Iterator[Path]:
    """A NewFile that never replaces one, with a backup's wording of what went wrong."""
    try:
        protect = database_files(database) if database is not None else None
        with NewFile(target, protect=protect) as temporary:
            yield temporary
    except FileExistsError:
        raise DatabaseError(
            f"{target} already exists; a backup never overwrites a file",
            hint="give another FILE, or leave it out for a time-stamped name",
        ) from None
    except OSError as exc:
        raise DatabaseError(
            f"cannot write {target}: {exc.strerror}",
            hint=write_failed_hint(exc)
            or "check that the folder exists and that you may write there",
        ) from exc


def _copy_into(source: sqlite3.Connection, path: Path) -> None:
    dest = sqlite3.connect(path)
    try:
        source.backup(dest)
        # One file, no -wal/-shm beside it: easy to move, mail or open anywhere.
        dest.execute("PRAGMA journal_mode = DELETE")
    finally:
        dest.close()


def backup(database: Path, target: Path) -> Path:
    """Back up the database file at `database` into the new file `target`."""
    if not database.exists():
        raise DatabaseError(f"no database at {database}", hint="point --db / $PCRM_DB at your file")
    if not is_sqlite_file(database):
        raise DatabaseError(f"{database} is not a pcrm database (not an SQLite file)")
    if target.exists() and target.samefile(database):
        raise DatabaseError(f"{target} is the database itself", hint="give another FILE")
    source = _connect(database)
    try:
        copy_database(source, target, database)
    except sqlite3.DatabaseError as exc:
        from pcrm.store.db import disk_full

        if disk_full(exc):  # the copy, or SQLite's -shm beside the database
            raise DatabaseError(
                f"cannot back up {database} to {target}: {exc}",
                hint="the disk is full or the file too large: free some space and try again",
            ) from exc
        raise DatabaseError(
            f"cannot back up {database}: {exc}", hint="run `pcrm doctor` to see what is wrong"
        ) from exc
    finally:
        source.close()
    return target


@dataclass(frozen=True)
class Restored:
    source: Path
    database: Path
    previous: Path | None  # where the replaced database was kept; None if there was none
    schema_steps: int  # migrations the restored file had (older files are migrated on open)


def check_restorable(source: Path) -> int:
    """Refuse a file that is not a sound pcrm database of a schema this pcrm knows.

    Returns how many schema steps it has. Nothing is written, not even a -wal file.
    """
    if not source.exists() or source.is_dir():
        raise DatabaseError(f"no backup file at {source}", hint="give the path of a .bak file")
    if not is_sqlite_file(source):
        raise DatabaseError(
            f"{source} is not a pcrm database (not an SQLite file); nothing was replaced"
        )
    # immutable=1: read the file as it is, create no -wal/-shm, take no locks.
    uri = f"{source.resolve().as_uri()}?mode=ro&immutable=1"
    try:
        conn = sqlite3.connect(uri, uri=True)
        try:
            problems = [row[0] for row in conn.execute("PRAGMA integrity_check")]
            if problems != ["ok"]:
                raise DatabaseError(
                    f"{source} is damaged ({problems[0]}); nothing was replaced",
                    hint="try an older backup",
                )
            tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
            applied = migrations.applied_names(conn) or []
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise DatabaseError(
            f"{source} is damaged ({exc}); nothing was replaced", hint="try an older backup"
        ) from exc
    if not applied or "contacts" not in tables:
        raise DatabaseError(
            f"{source} is an SQLite file but not a pcrm database; nothing was replaced"
        )
    unknown = [name for name in applied if name not in migrations.known_names()]
    if unknown:
        raise DatabaseError(
            f"{source} was written by a newer pcrm (schema step {unknown[-1]!r}); "
            "nothing was replaced",
            hint="upgrade pcrm to restore it",
        )
    return len(applied)


def restore(source: Path, database: Path, now: datetime) -> Restored:
    """Replace the database with the backup `source`, keeping the current file as a backup."""
    steps = check_restorable(source)
    if database.exists() and source.samefile(database):
        raise DatabaseError(f"{source} is the database itself; nothing to restore")
    previous = None
    if database.exists():
        previous = default_backup_path(database, now)
        _keep_current(database, previous)
    else:
        _create_private(database)
    backup_file = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro&immutable=1", uri=True)
    try:
        live = _connect(database)
        try:
            # Written through SQLite, under its locks: open readers see old or new, whole.
            backup_file.backup(live)
        finally:
            live.close()
    except sqlite3.DatabaseError:
        # The current file is too damaged to be written through SQLite (doctor sends users
        # here for exactly that): it is saved in `previous`, so put the backup in its place.
        _replace_file(backup_file, database)
    finally:
        backup_file.close()
    return Restored(source, database, previous, steps)


def _keep_current(database: Path, previous: Path) -> None:
    """Save the database about to be replaced; byte for byte if SQLite cannot read it."""
    conn = _connect(database)
    try:
        copy_database(conn, previous)
        return
    except sqlite3.DatabaseError:
        pass
    finally:
        conn.close()
    with _new_backup(previous) as temporary:
        shutil.copyfile(database, temporary)
    wal = database.with_name(database.name + "-wal")
    if wal.exists() and wal.stat().st_size:
        with _new_backup(previous.with_name(previous.name + "-wal")) as temporary:
            shutil.copyfile(wal, temporary)


def _replace_file(backup_file: sqlite3.Connection, database: Path) -> None:
    with NewFile(database, force=True) as temporary:
        _copy_into(backup_file, temporary)
        for stale in ("-wal", "-shm", "-journal"):
            with contextlib.suppress(FileNotFoundError):
                database.with_name(database.name + stale).unlink()


def _create_private(database: Path) -> None:
    folder = database.parent
    if not folder.exists():
        try:
            make_folder(folder)
        except OSError as exc:
            raise DatabaseError(f"cannot create folder {folder}: {exc.strerror}") from exc
    _reserve(database)
