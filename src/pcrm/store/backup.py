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
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from pcrm.errors import DatabaseError
from pcrm.store import db, migrations
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
    with _backup_errors(target):
        private_file(target)


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
    with _backup_errors(target):
        protect = database_files(database) if database is not None else None
        with NewFile(target, protect=protect) as temporary:
            yield temporary


@contextlib.contextmanager
def _backup_errors(target: Path) -> Iterator[None]:
    """What went wrong creating the backup file `target`, in a backup's words."""
    try:
        yield
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
        # A copy that failed (a full disk) leaves SQLite's journal of the temporary file,
        # which its NewFile then removes: the journal goes with it.
        with contextlib.suppress(FileNotFoundError):
            path.with_name(path.name + "-journal").unlink()


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


def restore(
    source: Path, database: Path, now: datetime, on_wait: Callable[[], None] | None = None
) -> Restored:
    """Replace the database with the backup `source`, keeping the current file as a backup.

    The current file is saved only once the restore holds the write lock, so a write that
    another pcrm commits before it (an import under way) is in the kept copy, and none can
    come between the copy and the restore. on_wait: called once if the lock takes over
    NOTICE_MS to come (store.db's write wait)."""
    steps = check_restorable(source)
    if database.exists() and source.samefile(database):
        raise DatabaseError(f"{source} is the database itself; nothing to restore")
    if not database.exists():
        _create_private(database)
    previous = default_backup_path(database, now)
    kept: list[Path] = []

    def keep_current() -> None:
        """Save the file as it is, under our lock; an empty one (just created) needs none."""
        if _has_content(database):
            _keep_current(database, previous)
            kept.append(previous)

    backup_file = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro&immutable=1", uri=True)
    try:
        try:
            _write_through(backup_file, database, keep_current, on_wait)
        except sqlite3.DatabaseError as exc:
            code = getattr(exc, "sqlite_errorcode", 0) & 0xFF  # the primary code
            if code not in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB):
                raise DatabaseError(
                    f"cannot restore into {database}: {exc}; nothing was replaced",
                    hint="run `pcrm doctor` to see what is wrong",
                ) from exc
            # The current file is too damaged to be written through SQLite (doctor sends
            # users here for exactly that): save its bytes, then put the backup in its place.
            if not kept:
                _keep_bytes(database, previous)
                kept.append(previous)
            _replace_file(backup_file, database)
    finally:
        backup_file.close()
    return Restored(source, database, kept[0] if kept else None, steps)


def _write_through(
    backup_file: sqlite3.Connection,
    database: Path,
    keep: Callable[[], None],
    on_wait: Callable[[], None] | None,
) -> None:
    """Copy the backup into the live file through SQLite, under its locks: open readers see
    the old or the new database, whole. `keep()` runs once the write lock is ours.

    The backup API takes the destination's write lock at its first step and holds it to the
    last; copying one page per step lets keep() run between the first and the second (a
    pcrm database has more than one page: a schema table and `contacts`). A busy step is
    retried by sqlite3 and reported to progress(), which gives up after db.WRITE_WAIT_MS."""
    live = sqlite3.connect(database, timeout=db.NOTICE_MS / 1000)
    try:
        # WAL, as pcrm keeps every database (a restore into a new file makes one in rollback
        # mode): keep()'s reader is then never blocked by our write lock, which would be a
        # deadlock in this one thread.
        live.execute("PRAGMA journal_mode = WAL")
    except BaseException:
        live.close()
        raise
    started = time.monotonic()
    told = False
    locked = False

    def progress(status: int, remaining: int, total: int) -> None:
        nonlocal told, locked
        if status in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
            if not told and on_wait is not None:
                on_wait()
            told = True
            if time.monotonic() - started > db.WRITE_WAIT_MS / 1000:
                raise DatabaseError(
                    f"database {database} is locked by another process; nothing was replaced",
                    hint="wait for it to finish and try again",
                )
            return
        if not locked:
            locked = True
            keep()

    try:
        backup_file.backup(live, pages=1, progress=progress, sleep=0.05)
    finally:
        live.close()


def _has_content(database: Path) -> bool:
    """Whether the file holds anything to keep (a restore into a missing database creates
    it empty; another pcrm may have written to it since)."""
    conn = _connect(database)
    try:
        return bool(conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0])
    except sqlite3.DatabaseError:
        return True  # damaged: its bytes are kept
    finally:
        conn.close()


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
    _keep_bytes(database, previous)


def _keep_bytes(database: Path, previous: Path) -> None:
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
