"""`pcrm doctor`: what can go wrong with the database file, checked without changing it.

The checks open the file with a plain sqlite3 connection and no migration, so a damaged,
old or foreign file can be looked at. Each check says what it found and, when something is
wrong, what to run; `repair()` does the fixes that are safe to do automatically.
"""

from __future__ import annotations

import os
import re
import sqlite3
import stat
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from pcrm.store import migrations
from pcrm.store.db import cannot_write, read_only_connection
from pcrm.store.migrations import normalised

# Record tables counted in the summary, when they exist in this schema.
COUNTED = ("contacts", "companies", "deals", "interactions", "tasks")
# The record kinds of the search index, each with its `KIND_search_docs` view.
SEARCH_KINDS = ("contact", "company", "interaction", "deal")
FIX = "pcrm doctor --fix"


@dataclass(frozen=True)
class Difference:
    """One way the file's schema is not what a fresh file of the same steps has."""

    kind: str  # table, index, trigger or view
    name: str
    problem: str  # "missing", "not in a fresh file", "column x missing"...

    def __str__(self) -> str:
        return f"{self.kind} {self.name}: {self.problem}"

    def repaired(self) -> str:
        """What putting it right did, said the same way."""
        done = {"missing": "created", NOT_FRESH: "dropped"}.get(self.problem)
        return f"{self.kind} {self.name}: {done or 'now as in a fresh file'}"


NOT_FRESH = "not in a fresh file"


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str
    fix: str | None = None  # what to run when not ok
    differences: tuple[Difference, ...] = ()  # the schema check's, each named in detail


@dataclass
class Report:
    path: Path
    checks: list[Check] = field(default_factory=list)
    size_bytes: int = 0
    wal_bytes: int = 0
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return all(check.ok for check in self.checks)

    @property
    def schema_fixable(self) -> bool:
        return any(check.name == "schema" and check.fix == FIX for check in self.checks)

    @property
    def schema_differences(self) -> tuple[Difference, ...]:
        return next((c.differences for c in self.checks if c.name == "schema"), ())

    @property
    def problems(self) -> list[Check]:
        return [check for check in self.checks if not check.ok]


def _connect(path: Path) -> sqlite3.Connection:
    # Autocommit: the checks read; repair() opens its own transaction.
    conn = sqlite3.connect(path, timeout=10, isolation_level=None)
    conn.execute("PRAGMA busy_timeout = 10000")
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.DatabaseError as exc:
        if not cannot_write(exc):
            return conn  # a damaged file: each check says what it finds
        # A read-only folder: the checks read the file as it is, not "cannot be read".
        conn.close()
        conn = read_only_connection(path)
        conn.isolation_level = None
    return conn


def writable(path: Path) -> bool:
    """Whether this user may write the file and beside it (SQLite's -wal and -shm)."""
    return os.access(path, os.W_OK) and os.access(path.parent, os.W_OK | os.X_OK)


def owned(path: Path) -> bool:
    """Whether this user may change the file's permissions (its owner, or root)."""
    return os.geteuid() in (0, path.stat().st_uid)


def fix_blocker(path: Path, report: Report) -> str | None:
    """Why repair() cannot fix what `report` found, if it cannot: None when it can."""
    failing = {check.name for check in report.problems}
    folder_too = own_folder(path)  # repair() tightens the folder too
    if "permissions" in failing and not (owned(path) and (owned(path.parent) or not folder_too)):
        return "it or its folder belongs to another user, who alone can change its permissions"
    if failing & {"schema", "links", "search index"} and not writable(path):
        return "the file or its folder is read-only for you"
    return None


def diagnose(path: Path) -> Report:
    """Run every check on the file at `path` (which exists and starts like an SQLite file)."""
    report = Report(path)
    report.size_bytes = path.stat().st_size
    wal = path.with_name(path.name + "-wal")
    report.wal_bytes = wal.stat().st_size if wal.exists() else 0
    report.checks.append(check_permissions(path))
    leftovers = check_leftovers(path)
    if leftovers is not None:  # a row only when there is something to say
        report.checks.append(leftovers)
    conn = _connect(path)
    try:
        steps: list[Callable[[sqlite3.Connection], Check]] = [
            check_integrity,
            check_schema,
            check_foreign_keys,
            check_search_index,
        ]
        for step in steps:
            try:
                report.checks.append(step(conn))
            except sqlite3.DatabaseError as exc:
                report.checks.append(_unreadable(step, exc))
        try:
            report.counts = _counts(conn)
        except sqlite3.DatabaseError:
            report.counts = {}
    finally:
        conn.close()
    return report


CHECK_NAMES = {
    "check_integrity": "integrity",
    "check_schema": "schema",
    "check_foreign_keys": "links",
    "check_search_index": "search index",
}
RESTORE = "pcrm restore BACKUP_FILE"


def _unreadable(step: Callable[..., Check], exc: sqlite3.DatabaseError) -> Check:
    return Check(CHECK_NAMES[step.__name__], False, f"cannot be read: {exc}", RESTORE)


def own_folder(path: Path) -> bool:
    """Whether the database's folder holds nothing but it and its side files and backups
    (pcrm.db, pcrm.db-wal, pcrm.db.20261123T101500Z.bak...). Only such a folder is pcrm's
    to tighten: /tmp, a home or a project folder shared with other files never is."""
    try:
        return all(
            entry.name.startswith(path.name) or _leftover_pid(path, entry.name) is not None
            for entry in path.parent.iterdir()
        )
    except OSError:
        return False


def check_permissions(path: Path) -> Check:
    """The file is its owner's only (0600), in a folder only its owner can list (0700) when
    the folder is the database's own."""
    file_mode = stat.S_IMODE(path.stat().st_mode)
    folder_mode = stat.S_IMODE(path.parent.stat().st_mode)
    loose = []
    if file_mode & 0o077:
        loose.append(f"file is {file_mode:04o}")
    if folder_mode & 0o077 and own_folder(path):
        loose.append(f"folder is {folder_mode:04o}")
    if loose:
        detail = ", ".join(loose) + " (want 0600 / 0700)"
        if not owned(path) or (folder_mode & 0o077 and own_folder(path) and not owned(path.parent)):
            # --fix could not chmod another user's file: do not advise it.
            return Check("permissions", False, detail + "; only its owner can change that")
        return Check("permissions", False, detail, FIX)
    return Check("permissions", True, f"file {file_mode:04o}, folder {folder_mode:04o}")


def _leftover_pid(database: Path, name: str) -> int | None:
    """For a temporary file pcrm makes beside the database (store/files.py's NewFile:
    `.pcrm.db.PID.RANDOM.tmp` for a restore or the demo, `.pcrm.db.STAMP.bak.PID.RANDOM.tmp`
    for a backup, with SQLite's `-journal`, or `-wal` and `-shm`, beside it while it is
    written), the process that made it (0 when made by a pcrm that did not put it in the
    name); None for any other file. Exact, so that no file of the user's is taken for one."""
    match = re.fullmatch(
        rf"\.{re.escape(database.name)}\.(?:\d{{8}}T\d{{6}}Z(?:-\d+)?\.bak(?:-wal)?\.)?"
        r"(?:(\d+)\.)?[a-z0-9_]{8}\.tmp(?:-journal|-wal|-shm)?",
        name,
    )
    if match is None:
        return None
    return int(match.group(1) or 0)


def _running(pid: int) -> bool:
    if pid == 0:
        return False  # named by a pcrm before the process id was in the name
    if os.name != "posix":
        return True  # no way to ask: never take it for a leftover
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's
    return True


def leftovers(database: Path) -> list[Path]:
    """Temporary files beside the database that a killed or crashed pcrm left behind (a
    backup, the backup before a migration, a restore); never one a running pcrm writes."""
    try:
        entries = sorted(database.parent.iterdir())
    except OSError:
        return []
    found = []
    for entry in entries:
        pid = _leftover_pid(database, entry.name)
        if pid is not None and not _running(pid) and entry.is_file():
            found.append(entry)
    return found


def check_leftovers(path: Path) -> Check | None:
    """None when there is none (the report shows this check only when it finds some)."""
    found = leftovers(path)
    if not found:
        return None
    names = ", ".join(entry.name for entry in found)
    detail = f"{len(found)} temporary file(s) left by an interrupted pcrm: {names}"
    return Check("leftovers", False, detail, FIX)


def check_integrity(conn: sqlite3.Connection) -> Check:
    problems = [row[0] for row in conn.execute("PRAGMA integrity_check(20)")]
    if problems == ["ok"]:
        return Check("integrity", True, "PRAGMA integrity_check: ok")
    more = f" and {len(problems) - 1} more" if len(problems) > 1 else ""
    return Check("integrity", False, f"{problems[0]}{more}", RESTORE)


def check_schema(conn: sqlite3.Connection) -> Check:
    """The file's steps against this pcrm's, and its tables, columns, indexes, triggers and
    views against those of a fresh file built with the same steps: every difference named.
    Names alone are not enough: m002, m003 and m012 were edited after they had landed, so
    a file can list every step and still hold an old index (m014 repairs those)."""
    known = migrations.known_names()
    applied = migrations.applied_names(conn)
    if not applied:
        return Check("schema", False, "not a pcrm database (no pcrm schema steps)", None)
    unknown = [name for name in applied if name not in known]
    if unknown:
        return Check(
            "schema", False, f"written by a newer pcrm (step {unknown[-1]})", "upgrade pcrm"
        )
    pending = [name for name in known if name not in applied]
    differences = tuple(schema_differences(conn, applied))
    if not pending and not differences:
        return Check(
            "schema", True, f"matches a fresh file ({len(applied)} steps, last {known[-1]})"
        )
    parts = []
    if pending:
        parts.append(
            f"{len(pending)} step(s) behind ({', '.join(pending)}); a backup is taken first"
        )
    if differences:
        parts.append("differs from a fresh file: " + "; ".join(map(str, differences)))
    fixable = bool(pending) or any(d.name in migrations.REPAIRABLE for d in differences)
    return Check("schema", False, "; ".join(parts), FIX if fixable else None, differences)


# sqlite_master's types in the order differences are told.
KINDS = ("table", "index", "trigger", "view")


def fresh_schema(steps: list[str]) -> sqlite3.Connection:
    """An in-memory database with `steps` applied as a fresh file gets them today."""
    reference = sqlite3.connect(":memory:")
    migrations.apply(reference, only=steps)
    return reference


def schema_differences(conn: sqlite3.Connection, steps: list[str]) -> list[Difference]:
    """How the file's schema differs from a fresh file's with the same steps (those this
    pcrm knows): tables and their columns (PRAGMA table_xinfo), indexes, triggers, views."""
    known = [name for name in migrations.known_names() if name in steps]
    reference = fresh_schema(known)
    try:
        actual = _objects(conn)
        expected = _objects(reference)
        found = []
        for key in sorted(actual.keys() | expected.keys(), key=lambda k: (KINDS.index(k[0]), k)):
            kind, name = key
            if key not in actual:
                found.append(Difference(kind, name, "missing"))
            elif key not in expected:
                found.append(Difference(kind, name, NOT_FRESH))
            elif kind == "table":
                found.extend(_table_differences(conn, reference, name))
            elif actual[key] != expected[key]:
                found.append(Difference(kind, name, "differs from a fresh file's"))
        return found
    finally:
        reference.close()


def _objects(conn: sqlite3.Connection) -> dict[tuple[str, str], tuple[str, str]]:
    # Litestream's own tables (_litestream_seq, _litestream_lock), made in the file by
    # `pcrm backup --replica`, are not pcrm's schema: not a difference.
    return {
        (kind, name): (table, sql)
        for kind, name, table, sql in migrations.schema_rows(conn)
        if kind in KINDS and not table.startswith("_litestream_")
    }


def _table_differences(
    conn: sqlite3.Connection, reference: sqlite3.Connection, table: str
) -> list[Difference]:
    actual = _columns(conn, table)
    expected = _columns(reference, table)
    found = [Difference("table", table, f"column {c} missing") for c in expected if c not in actual]
    found += [
        Difference("table", table, f"column {c} {NOT_FRESH}") for c in actual if c not in expected
    ]
    found += [
        Difference("table", table, f"column {c} differs from a fresh file's")
        for c in expected
        if c in actual and actual[c] != expected[c]
    ]
    if not found and list(actual) != list(expected):
        found.append(Difference("table", table, "columns in another order"))
    if not found and _table_sql(conn, table) != _table_sql(reference, table):
        found.append(Difference("table", table, "constraints differ from a fresh file's"))
    return found


def _columns(conn: sqlite3.Connection, table: str) -> dict[str, tuple[object, ...]]:
    """name -> (type, not null, default, primary key position, hidden), in table order."""
    rows = conn.execute(f"PRAGMA table_xinfo({_quote(table)})")
    return {row[1]: tuple(row[2:]) for row in rows}


def _table_sql(conn: sqlite3.Connection, table: str) -> str:
    row = conn.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", [table]
    ).fetchone()
    return normalised(row[0] if row else None)


def _broken_links(conn: sqlite3.Connection) -> dict[tuple[str, int], int]:
    """(table, foreign key id) -> rows pointing at a record that does not exist."""
    broken: dict[tuple[str, int], int] = {}
    for table, _rowid, _parent, fkid in conn.execute("PRAGMA foreign_key_check"):
        broken[(table, fkid)] = broken.get((table, fkid), 0) + 1
    return broken


def _foreign_key(conn: sqlite3.Connection, table: str, fkid: int) -> tuple[str, str, str, str]:
    """(column, parent table, parent column, on delete) of one foreign key of `table`."""
    for row in conn.execute(f"PRAGMA foreign_key_list({_quote(table)})"):
        if row[0] == fkid:
            parent_column = row[4] or "rowid"
            return row[3], row[2], parent_column, row[6]
    raise LookupError(f"{table} has no foreign key {fkid}")


def check_foreign_keys(conn: sqlite3.Connection) -> Check:
    """Orphaned links: rows pointing at a contact, deal, tag... that is gone."""
    broken = _broken_links(conn)
    if not broken:
        return Check("links", True, "no orphaned links (PRAGMA foreign_key_check)")
    parts = []
    for (table, fkid), count in sorted(broken.items()):
        column, parent, _, _ = _foreign_key(conn, table, fkid)
        parts.append(f"{count} in {table}.{column} -> {parent}")
    return Check("links", False, "orphaned links: " + "; ".join(parts), FIX)


def search_kinds(conn: sqlite3.Connection) -> list[str]:
    """The record kinds indexed for search: those whose `KIND_search_docs` view exists."""
    views = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='view'")}
    return [kind for kind in SEARCH_KINDS if f"{kind}_search_docs" in views]


def check_search_index(conn: sqlite3.Connection) -> Check:
    """Every record is in the search index with its current text, and nothing else is."""
    kinds = search_kinds(conn)
    if not kinds:
        return Check("search index", True, "no search index in this schema yet")
    try:
        conn.execute("INSERT INTO search_index(search_index) VALUES ('integrity-check')")
    except sqlite3.DatabaseError as exc:
        # FTS5 runs its own check as an INSERT, which a read-only file refuses: that is no
        # problem of the index, and the comparison with the records below still reads.
        if not cannot_write(exc):
            return Check("search index", False, f"FTS5 integrity-check failed: {exc}", FIX)
    problems = []
    for kind in kinds:
        missing, stale = _search_drift(conn, kind)
        if missing:
            problems.append(f"{kind}: {missing} not indexed or out of date")
        if stale:
            problems.append(f"{kind}: {stale} left over from deleted records")
    if problems:
        return Check("search index", False, "; ".join(problems), FIX)
    indexed = conn.execute("SELECT count(*) FROM search_index").fetchone()[0]
    return Check("search index", True, f"{indexed} entries match the records")


def _search_drift(conn: sqlite3.Connection, kind: str) -> tuple[int, int]:
    view = f"{kind}_search_docs"
    missing = conn.execute(
        f"SELECT count(*) FROM {view} d LEFT JOIN search_index s ON s.rowid = d.doc"
        " WHERE s.rowid IS NULL OR s.title IS NOT d.title OR s.body IS NOT d.body"
    ).fetchone()[0]
    stale = conn.execute(
        f"SELECT count(*) FROM search_index"
        f" WHERE kind = ? AND rowid NOT IN (SELECT doc FROM {view})",
        [kind],
    ).fetchone()[0]
    return missing, stale


def _counts(conn: sqlite3.Connection) -> dict[str, int]:
    tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    return {
        table: conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        for table in COUNTED
        if table in tables
    }


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def repair(path: Path, report: Report) -> list[str]:
    """Fix what `report` found that is safe to fix; returns what was done, one line each.

    Permissions are tightened, orphaned links resolved as their ON DELETE rule would have
    (removed, or set to nothing), and the search index rebuilt from the records. All the
    database changes are one transaction. A damaged file is left alone: restore a backup.
    """
    done: list[str] = []
    failing = {check.name for check in report.problems}
    if "permissions" in failing:
        os.chmod(path, 0o600)
        if own_folder(path):
            os.chmod(path.parent, 0o700)
            done.append("permissions set to 0600 (file) and 0700 (folder)")
        else:
            done.append("permissions set to 0600 (file)")
    if "leftovers" in failing:
        removed = []
        for entry in leftovers(path):
            try:
                entry.unlink()
            except FileNotFoundError:
                continue
            removed.append(entry.name)
        if removed:
            done.append(
                f"removed {len(removed)} temporary file(s) left by an interrupted pcrm: "
                + ", ".join(removed)
            )
    if "integrity" in failing or not failing & {"schema", "links", "search index"}:
        return done  # a damaged file is not written to: restore a backup
    if "schema" in failing:
        if report.schema_fixable:
            done.extend(_repair_schema(path, report))
        elif not report.schema_differences:
            return done  # not ours, or from a newer pcrm: not touched
    conn = _connect(path)
    try:
        conn.execute("BEGIN IMMEDIATE")
        try:
            if "links" in failing:
                done.extend(_repair_links(conn))
            if "search index" in failing:
                rebuild_search_index(conn)
                done.append("search index rebuilt from the records")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
    finally:
        conn.close()
    return done


def _remake_as_fresh(conn: sqlite3.Connection) -> None:
    """Make each index, view and trigger (and each missing table) that differs from a fresh
    file of the same steps as that fresh file has it, and drop the objects m014 removes.

    The target is today's fresh file, never m014's own copy of the definitions: a later step
    that changes a view must not be undone by `doctor --fix`. A table that exists is never
    remade (it holds data; doctor names the difference). A remade search view re-indexes its
    kind. Objects pcrm never made (an index of your own) are left alone."""
    applied = migrations.applied_names(conn) or []
    reference = fresh_schema([name for name in migrations.known_names() if name in applied])
    try:
        wanted = reference.execute(
            "SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL"
            " AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND tbl_name <> ?",
            [migrations.MIGRATIONS_TABLE],
        ).fetchall()
    finally:
        reference.close()
    for kind, name in migrations.REMOVED_OBJECTS:
        conn.execute(f"DROP {kind.upper()} IF EXISTS {_quote(name)}")
    order = ("table", "index", "view", "trigger")  # what a trigger or view refers to first
    for kind, name, sql in sorted(wanted, key=lambda row: (order.index(row[0]), row[1])):
        row = conn.execute(
            "SELECT sql FROM sqlite_master WHERE type = ? AND name = ?", [kind, name]
        ).fetchone()
        if row is not None and migrations.normalised(row[0]) == migrations.normalised(sql):
            continue
        if row is not None:
            if kind == "table":
                continue
            conn.execute(f"DROP {kind.upper()} {_quote(name)}")
        conn.execute(sql)
        if kind == "view" and name.endswith("_search_docs"):
            search_kind = name.removesuffix("_search_docs")
            code = SEARCH_KINDS.index(search_kind) + 1  # rowid = id * 8 + kind code
            conn.execute(f"DELETE FROM search_index WHERE rowid % 8 = {code}")
            conn.execute(
                "INSERT INTO search_index(rowid, kind, title, body)"
                f" SELECT doc, ?, title, body FROM {_quote(name)}",
                [search_kind],
            )
    # The one table fix m014 knows how to make in place (a REFERENCES clause; data kept).
    migrations._repair_deals_currency(conn)


def _repair_schema(path: Path, report: Report) -> list[str]:
    """Migrate an old file (m014 repairs it on the way), then make what still differs as a
    fresh file of the same steps has it; say which differences are gone."""
    from pcrm.store.db import _measure_new_indexes, open_db

    done = []
    conn = _connect(path)
    try:
        if migrations.pending(conn):
            open_db(path, create=False).close()  # migrates, after taking a backup
            done.append("schema brought up to date (the old file was backed up first)")
        conn.execute("BEGIN IMMEDIATE")
        try:
            _remake_as_fresh(conn)
            _measure_new_indexes(conn)
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        left = set(schema_differences(conn, migrations.applied_names(conn) or []))
    finally:
        conn.close()
    done.extend(d.repaired() for d in report.schema_differences if d not in left)
    return done


def _repair_links(conn: sqlite3.Connection) -> list[str]:
    done = []
    for (table, fkid), count in sorted(_broken_links(conn).items()):
        column, parent, parent_column, on_delete = _foreign_key(conn, table, fkid)
        orphan = (
            f"{_quote(column)} IS NOT NULL AND {_quote(column)} NOT IN "
            f"(SELECT {_quote(parent_column)} FROM {_quote(parent)})"
        )
        if on_delete == "CASCADE":
            conn.execute(f"DELETE FROM {_quote(table)} WHERE {orphan}")
            done.append(f"removed {count} orphaned row(s) of {table} ({column} -> {parent})")
        elif on_delete == "SET NULL":
            conn.execute(f"UPDATE {_quote(table)} SET {_quote(column)} = NULL WHERE {orphan}")
            done.append(f"cleared {count} dangling {table}.{column} value(s)")
        else:
            done.append(
                f"left {count} row(s) of {table} pointing at a missing {parent}: "
                "they cannot be fixed automatically; restore a backup"
            )
    return done


def rebuild_search_index(conn: sqlite3.Connection) -> None:
    """Refill the search index from the records, the way the migrations first filled it."""
    conn.execute("DELETE FROM search_index")
    for kind in search_kinds(conn):
        conn.execute(
            "INSERT INTO search_index(rowid, kind, title, body)"
            f" SELECT doc, '{kind}', title, body FROM {kind}_search_docs"
        )
