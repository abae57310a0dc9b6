"""Opening the database file: permissions, pragmas, migrations and one transaction per command."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pcrm.errors import DatabaseError
from pcrm.store import migrations
from pcrm.store.files import is_sqlite_file, make_folder, private_file

BUSY_TIMEOUT_MS = 10_000
# A write waits longer for the lock than a read for a busy file: another pcrm may be in the
# middle of an import or a merge (one transaction each), and failing a `pcrm log` typed by
# hand after 10 s loses the user's words. After NOTICE_MS the caller is told (on_wait).
WRITE_WAIT_MS = 60_000
NOTICE_MS = 1_000


class Connection(sqlite3.Connection):
    """sqlite3's connection, where a statement an authorizer refused can be run again.

    The change journal (core/journal.py) refuses, as SQLite prepares it, a statement that
    writes a table it does not watch yet, makes that table's triggers in `on_denied`, and
    the statement is prepared again: only the tables a command writes get triggers. A
    refused statement has done nothing yet (SQLite refuses it before it runs). Every write
    goes through execute or executemany (Database.execute too); another path that meets a
    refusal fails the command ("not authorized") rather than write unjournaled rows."""

    on_denied: Callable[[], bool] | None = None
    # Called after a ROLLBACK (TO a savepoint): it takes back the triggers made since.
    on_rollback: Callable[[], None] | None = None

    def execute(self, sql: str, parameters: Any = (), /) -> sqlite3.Cursor:
        while True:
            try:
                cursor = super().execute(sql, parameters)
            except sqlite3.DatabaseError as exc:
                if not self._allowed_now(exc):
                    raise
                continue
            if self.on_rollback is not None and sql.lstrip()[:8].upper() == "ROLLBACK":
                self.on_rollback()
            return cursor

    def executemany(self, sql: str, parameters: Any, /) -> sqlite3.Cursor:
        # The statement is prepared before the first parameters are taken: a refused one
        # has consumed none of them (an iterator too).
        while True:
            try:
                return super().executemany(sql, parameters)
            except sqlite3.DatabaseError as exc:
                if not self._allowed_now(exc):
                    raise

    def _allowed_now(self, exc: sqlite3.DatabaseError) -> bool:
        """Whether the refusal was an authorizer's that on_denied has since lifted."""
        if getattr(exc, "sqlite_errorname", None) != "SQLITE_AUTH" or self.on_denied is None:
            return False
        return self.on_denied()


class Database:
    """An open pcrm file: its sqlite3 connection, and execute() as sqlite-utils spells it.

    Commands only run SQL, and importing sqlite-utils costs ~70 ms on every run (it pulls
    pluggy, click and dateutil's parser), so the hot path uses this; migrations, which are
    rare, wrap the same connection in sqlite-utils (store/migrations.py).
    """

    __slots__ = ("conn",)

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def execute(
        self, sql: str, parameters: Sequence[object] | Mapping[str, object] | None = None
    ) -> sqlite3.Cursor:
        if parameters is None:
            return self.conn.execute(sql)
        return self.conn.execute(sql, parameters)

    def close(self) -> None:
        self.conn.close()


def _create_file(path: Path) -> None:
    """Create an empty database file readable by its owner only, in a private folder."""
    folder = path.parent
    if not folder.exists():
        try:
            make_folder(folder)
        except OSError as exc:
            raise DatabaseError(
                f"cannot create folder {folder}: {exc.strerror}",
                hint="choose another place with --db or $PCRM_DB",
            ) from exc
    try:
        private_file(path)
    except FileExistsError:
        return
    except OSError as exc:
        raise DatabaseError(
            f"cannot create database {path}: {exc.strerror}",
            hint="check the folder's permissions, or choose another place with --db",
        ) from exc


def _check_is_sqlite(path: Path, *, empty_ok: bool) -> None:
    try:
        is_sqlite = is_sqlite_file(path, empty_ok=True)  # empty: created, not yet written
        empty = is_sqlite and path.stat().st_size == 0
    except OSError as exc:
        raise DatabaseError(f"cannot read database {path}: {exc.strerror}") from exc
    if empty and not empty_ok:
        # A read must not make someone's empty file a database (SQLite would, on open).
        raise DatabaseError(
            f"{path} is an empty file, not a pcrm database",
            hint="check --db / $PCRM_DB; a command that writes, such as contact add, makes"
            " it a database",
        )
    if not is_sqlite:
        raise DatabaseError(
            f"{path} is not a pcrm database (not an SQLite file)",
            hint="check --db / $PCRM_DB, or restore a backup",
        )


def _configure(conn: sqlite3.Connection) -> None:
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA foreign_keys = ON")
    # On a read-only file this quietly stays in the old mode; reading still works.
    conn.execute("PRAGMA journal_mode = WAL")


def _migrate(db: Database, path: Path) -> None:
    applied = migrations.applied_names(db.conn) or []
    known = migrations.known_names()
    unknown = [name for name in applied if name not in known]
    if unknown:
        raise DatabaseError(
            f"{path} was written by a newer pcrm (schema step {unknown[-1]!r})",
            hint="upgrade pcrm to open it; the file was not changed",
        )
    if set(known) <= set(applied):  # every command opens the file: one read, not two
        return
    # Take the write lock first, so two processes opening an old file do not both migrate.
    with transaction(db):
        if not migrations.pending(db.conn):
            return
        has_data = db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] > 0
        if has_data:
            # A second connection reads the file as it is: in WAL mode a reader is not
            # blocked by our write lock, and we have written nothing yet.
            from pcrm.store.backup import copy_database, default_backup_path

            reader = sqlite3.connect(path)
            try:
                copy_database(reader, default_backup_path(path, datetime.now(UTC)))
            finally:
                reader.close()
        migrations.apply(db.conn)  # each step runs in its own savepoint inside this transaction
        _measure_new_indexes(db.conn)


def _measure_new_indexes(conn: sqlite3.Connection) -> None:
    """In a file with planner statistics (ANALYZE was run, as bench/generate.py does), give
    the indexes that migrations added theirs too. Next to measured indexes an unmeasured
    one looks cheaper than it is: a first version of m012's tasks_done (status, done_at)
    was chosen over tasks_due (status, due_date) for `task list`, which then sorted every
    open task to show 100."""
    if not conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'").fetchone():
        return
    unmeasured = conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
        " AND name NOT IN (SELECT idx FROM sqlite_stat1 WHERE idx IS NOT NULL)"
    ).fetchall()
    for (name,) in unmeasured:
        conn.execute(f'ANALYZE "{name}"')


def open_db(path: Path, *, create: bool, read_only: bool = False) -> Database:
    """Open (and with create=True, create) the database, migrated to the current schema.

    A read command passes create=False: a missing file is an error and nothing is created.
    With read_only, a file that cannot be written beside (a read-only folder: SQLite cannot
    create the -shm a WAL file needs) is opened read-only instead, so reading still works.
    """
    if not path.exists():
        if not create:
            raise DatabaseError(
                f"no database at {path}",
                hint="add a contact to create it, or point --db / $PCRM_DB at your file",
            )
        _create_file(path)
    elif path.is_dir():
        raise DatabaseError(f"{path} is a folder, not a database file")
    _check_is_sqlite(path, empty_ok=create)
    try:
        conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, factory=Connection)
        try:
            _configure(conn)
            db = Database(conn)
            _migrate(db, path)
        except sqlite3.OperationalError as exc:
            conn.close()
            if not (read_only and cannot_write(exc)):
                raise
            db = Database(read_only_connection(path))
            _migrate(db, path)
    except sqlite3.DatabaseError as exc:
        explained = _explain(exc, path)
        if explained is None:
            raise
        raise explained from exc
    return db


def cannot_write(exc: sqlite3.Error) -> bool:
    """Whether SQLite failed for want of write access to the file or its folder, or for want
    of room to write beside it (a full disk: no -shm can be made): a read then opens read-only."""
    return "readonly" in str(exc) or "unable to open" in str(exc) or disk_full(exc)


def read_only_connection(path: Path) -> sqlite3.Connection:
    """A connection that never writes, to a file in a folder pcrm cannot write to.

    mode=ro reads a WAL file whose -shm exists (its owner has it open); otherwise SQLite
    cannot coordinate with writers and the file is read as immutable, which is right only
    while no -wal holds changes not yet copied into the file: those would be missed."""
    uri = path.absolute().as_uri()
    timeout = BUSY_TIMEOUT_MS / 1000
    conn = sqlite3.connect(f"{uri}?mode=ro", uri=True, timeout=timeout)
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return conn
    except sqlite3.OperationalError as exc:
        conn.close()
        if not cannot_write(exc):
            raise
    wal = path.with_name(path.name + "-wal")
    if wal.exists() and wal.stat().st_size > 0:
        raise DatabaseError(
            f"cannot read {path}: its folder is read-only and its latest changes are still"
            f" in {wal.name}",
            hint="run any pcrm command on it as its owner first, or copy the folder",
        )
    conn = sqlite3.connect(f"{uri}?mode=ro&immutable=1", uri=True, timeout=timeout)
    return conn


def _explain(exc: sqlite3.Error, path: Path) -> DatabaseError | None:
    """Turn SQLite's environment errors into a user-facing message; None for a bug in pcrm."""
    text = str(exc)
    if isinstance(exc, sqlite3.OperationalError) and "no such" in text:
        return None
    if "locked" in text or "busy" in text:
        return DatabaseError(
            f"database {path} is locked by another process",
            hint="wait for it to finish and try again",
        )
    if disk_full(exc):
        return DatabaseError(
            f"cannot write to {path}: {text}",
            hint="the disk is full or the file too large: free some space and try again;"
            " the database was not changed",
        )
    if "readonly" in text or "unable to open" in text:
        return DatabaseError(
            f"cannot write to {path}: {text}",
            hint="check the file's and folder's permissions",
        )
    return DatabaseError(
        f"cannot use database {path}: {text}",
        hint="run `pcrm doctor`, or restore a backup",
    )


# SQLite's codes for a write the system refused: SQLITE_FULL (ENOSPC), and the I/O errors
# a full disk or a file size limit (EFBIG) gives while writing, growing or syncing a file.
# None of these damaged the file: the transaction is rolled back.
_WRITE_FAILED = {"SQLITE_FULL", "SQLITE_IOERR_WRITE", "SQLITE_IOERR_TRUNCATE",
                 "SQLITE_IOERR_FSYNC", "SQLITE_IOERR_SHMSIZE", "SQLITE_IOERR_SHMMAP"}  # fmt: skip


def disk_full(exc: sqlite3.Error) -> bool:
    """Whether SQLite failed because the system refused a write (a full disk, a size limit)."""
    return getattr(exc, "sqlite_errorname", None) in _WRITE_FAILED or "disk is full" in str(exc)


def _begin_write(conn: sqlite3.Connection, on_wait: Callable[[], None] | None) -> None:
    """BEGIN IMMEDIATE, waiting up to WRITE_WAIT_MS for another writer; on_wait() is called
    once if the wait passes NOTICE_MS."""
    try:
        _begin_within(conn, min(NOTICE_MS, WRITE_WAIT_MS))
    except sqlite3.OperationalError as exc:
        if "locked" not in str(exc) or WRITE_WAIT_MS <= NOTICE_MS:
            raise
        if on_wait is not None:
            on_wait()
        _begin_within(conn, WRITE_WAIT_MS - NOTICE_MS)


def _begin_within(conn: sqlite3.Connection, wait_ms: int) -> None:
    conn.execute(f"PRAGMA busy_timeout = {wait_ms}")
    try:
        conn.execute("BEGIN IMMEDIATE")
    finally:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")


@contextlib.contextmanager
def transaction(db: Database, on_wait: Callable[[], None] | None = None) -> Iterator[Database]:
    """One command, one transaction: BEGIN IMMEDIATE takes the write lock up front so a
    concurrent writer waits instead of failing half-way (see _begin_write)."""
    _begin_write(db.conn, on_wait)
    try:
        yield db
    except BaseException:
        if db.conn.in_transaction:
            db.conn.execute("ROLLBACK")
        raise
    else:
        db.conn.execute("COMMIT")


@contextlib.contextmanager
def session(
    path: Path,
    *,
    write: bool,
    create: bool | None = None,
    on_wait: Callable[[], None] | None = None,
) -> Iterator[Database]:
    """Open the database for one command; a write command runs in one transaction.
    `create` defaults to `write`: only a write may create the file. on_wait: see
    _begin_write."""
    db = open_db(path, create=write if create is None else create, read_only=not write)
    try:
        if write:
            try:
                with transaction(db, on_wait):
                    yield db
            except sqlite3.OperationalError as exc:
                explained = _explain(exc, path)
                if explained is None:
                    raise
                raise explained from exc
        else:
            yield db
    finally:
        db.close()


@contextlib.contextmanager
def read_snapshot(db: Database) -> Iterator[Database]:
    """One read transaction: every query inside sees the database as it was at the first
    one, even while other processes write (WAL). For reads made of many queries (export)."""
    db.conn.execute("BEGIN DEFERRED")
    try:
        yield db
    finally:
        if db.conn.in_transaction:
            db.conn.execute("COMMIT")
