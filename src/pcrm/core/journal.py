"""A journal of row changes that can be played backwards: what `pcrm undo` runs on.

Every write goes through the journal, which records the whole row before and after it
(None for a row that did not exist). Undo replays the entries newest first; before each
step it checks that the row is still exactly what the journal says it became, so a change
made since (an edit, a new record on a freed id) stops the undo instead of being lost.

Tables are read from the schema as they are (columns, keys, unique indexes, foreign keys),
so tables added by later migrations are handled without this module knowing them.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pcrm.errors import Conflict
from pcrm.store.db import Connection, Database

Row = dict[str, Any]
# The name a rowid table's rows carry their rowid under, in the journal.
ROWID = "rowid"
# Columns whose later value is kept over the journal's: a record edited after the merge
# keeps the time of that edit.
_LATER_WINS = frozenset({"updated_at"})


@dataclass(frozen=True)
class TableInfo:
    name: str
    columns: tuple[str, ...]
    # The columns that identify a row: ("rowid",), or a WITHOUT ROWID table's primary key.
    key: tuple[str, ...]
    # Column sets of the UNIQUE indexes and primary keys (SQLite lists both as indexes).
    unique: tuple[tuple[str, ...], ...]
    # A rowid table's INTEGER PRIMARY KEY column, which is its rowid under another name.
    alias: str | None = None
    # Columns declared TEXT or INTEGER, whose values a trigger journals as they are (a
    # shorter trigger: see Capture); the others are checked for BLOB and REAL values.
    plain: frozenset[str] = frozenset()


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def table_info(db: Database, table: str) -> TableInfo:
    described = db.execute(f"PRAGMA table_info({_quote(table)})").fetchall()
    columns = tuple(row[1] for row in described)
    pk_rows = sorted((row for row in described if row[5]), key=lambda row: row[5])
    pk = [row[1] for row in pk_rows]
    without_rowid = db.execute(
        "SELECT wr FROM pragma_table_list WHERE name = ? AND schema = 'main'", [table]
    ).fetchone()[0]
    unique = []
    for _seq, index, is_unique, _origin, _partial in db.execute(
        f"PRAGMA index_list({_quote(table)})"
    ):
        if is_unique:
            names = [row[2] for row in db.execute(f"PRAGMA index_info({_quote(index)})")]
            # An index on an expression has no column name: SQLite still enforces it, and
            # an update that breaks it fails the whole command (nothing half-written).
            if None not in names:
                unique.append(tuple(names))
    alias = None
    if not without_rowid and len(pk_rows) == 1 and pk_rows[0][2].upper() == "INTEGER":
        alias = pk[0]
        unique.append((alias,))
    key = tuple(pk) if without_rowid else (ROWID,)
    return TableInfo(table, columns, key, tuple(unique), alias)


def referencing(db: Database, target: str, skip: tuple[str, ...] = ()) -> list[tuple[str, str]]:
    """(table, column) of every foreign key that points at `target`, in schema order."""
    return [
        (table, column)
        for table, column in db.execute(
            'SELECT m.name, f."from" FROM sqlite_master m, pragma_foreign_key_list(m.name) f'
            " WHERE m.type = 'table' AND f.\"table\" = ? COLLATE NOCASE ORDER BY m.rowid, f.id",
            [target],
        )
        if table not in skip
    ]


def select(db: Database, info: TableInfo, where: str, params: list[Any]) -> list[Row]:
    rowid = "rowid AS rowid, " if info.key == (ROWID,) else ""
    order = ", ".join(_quote(column) for column in info.key)
    cursor = db.execute(
        f"SELECT {rowid}* FROM {_quote(info.name)} WHERE {where} ORDER BY {order}", params
    )
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _key_where(key: tuple[str, ...], row: Row) -> tuple[str, list[Any]]:
    return " AND ".join(f"{_quote(column)} = ?" for column in key), [row[c] for c in key]


def _fetch(db: Database, info: TableInfo, row: Row) -> Row | None:
    where, params = _key_where(info.key, row)
    rows = select(db, info, where, params)
    return rows[0] if rows else None


# The journal of the merge under way: a temporary table of the connection, filled by
# INSERT ... SELECT so that a write of thousands of rows is a few statements, not a loop.
_TABLE = "temp.pcrm_journal"


def _row_json(info: TableInfo, alias: str) -> str:
    """SQL for a row of `info` (as `alias`) as a JSON object, as select() reads it: values
    JSON cannot hold exactly (a BLOB, a REAL) as an object _decode turns back."""
    names = ((ROWID,) if info.key == (ROWID,) else ()) + info.columns
    pairs = []
    for column in names:
        value = f"{alias}.{_quote(column)}"
        if column in info.plain:
            pairs.append(f"'{column.replace(chr(39), chr(39) * 2)}', {value}")
            continue
        pairs.append(
            f"'{column.replace(chr(39), chr(39) * 2)}', CASE typeof({value})"
            f" WHEN 'blob' THEN json_object('$hex', hex({value}))"
            f" WHEN 'real' THEN json_object('$real', printf('%!.17g', {value}))"
            f" ELSE {value} END"
        )
    return f"json_object({', '.join(pairs)})"


def _key_array(info: TableInfo, alias: str, sets: dict[str, str] | None = None) -> str:
    """SQL for the key of a row as a JSON array; with `sets`, the key it takes once they
    are written (an expression evaluated on the row as it was, as UPDATE does)."""
    sets = dict(sets or {})
    if info.alias in sets:  # a new INTEGER PRIMARY KEY is a new rowid
        sets[ROWID] = sets[info.alias]
    return (
        "json_array("
        + ", ".join(sets.get(column, f"{alias}.{_quote(column)}") for column in info.key)
        + ")"
    )


def _by_key(info: TableInfo, alias: str, array: str) -> str:
    """SQL matching the row of `info` whose key is the JSON array `array` (an index seek)."""
    return " AND ".join(
        f"{alias}.{_quote(column)} = json_extract({array}, '$[{n}]')"
        for n, column in enumerate(info.key)
    )


class Journal:
    """Writes rows and remembers each one's before and after."""

    def __init__(self, db: Database) -> None:
        self.db = db
        db.execute(
            f"CREATE TABLE IF NOT EXISTS {_TABLE} (seq INTEGER PRIMARY KEY, tbl TEXT NOT NULL,"
            " key TEXT NOT NULL, kv TEXT, kv_after TEXT, pos INTEGER, before TEXT, after TEXT)"
        )
        db.execute(f"CREATE INDEX IF NOT EXISTS {_TABLE}_kv ON pcrm_journal(tbl, kv)")
        db.execute(f"DELETE FROM {_TABLE}")

    def _record(self, info: TableInfo, before: Row | None, after: Row | None) -> None:
        self.db.execute(
            f"INSERT INTO {_TABLE}(tbl, key, before, after) VALUES (?, ?, ?, ?)",
            [info.name, _key_json(info), _dumps(before), _dumps(after)],
        )

    def _last(self) -> int:
        return int(self.db.execute(f"SELECT coalesce(max(seq), 0) FROM {_TABLE}").fetchone()[0])

    def update(self, info: TableInfo, row: Row, sets: Row) -> Row:
        """Change some columns of `row`; returns the row as it now is."""
        where, params = _key_where(info.key, row)
        assignments = ", ".join(f"{_quote(column)} = ?" for column in sets)
        self.db.execute(
            f"UPDATE {_quote(info.name)} SET {assignments} WHERE {where}",
            [*sets.values(), *params],
        )
        moved_to = {**row, **sets}
        if info.alias in sets:
            moved_to[ROWID] = sets[info.alias]
        after = _fetch(self.db, info, moved_to)
        assert after is not None
        self._record(info, row, after)
        return after

    def update_where(
        self,
        info: TableInfo,
        where: str,
        params: dict[str, Any],
        sets: dict[str, str],
        numbered: str | None = None,
        start: int = 0,
    ) -> int:
        """UPDATE every row of `info` matching `where` (SQL on the table's own name, named
        parameters) with `sets` (column -> SQL expression), journalled: a fixed number of
        statements whatever the number of rows. `numbered`: a column set to start, start+1,
        ... in key order. Returns the number of rows changed."""
        table, mark = _quote(info.name), self._last()
        order = ", ".join(f"{table}.{_quote(column)}" for column in info.key)
        params = {**params, "_tbl": info.name, "_key": _key_json(info)}
        params.update({"_mark": mark, "_start": start})
        self.db.execute(
            f"INSERT INTO {_TABLE}(tbl, key, kv, kv_after, pos, before)"
            f" SELECT :_tbl, :_key, {_key_array(info, table)}, {_key_array(info, table, sets)},"
            f" :_start + row_number() OVER (ORDER BY {order}) - 1, {_row_json(info, table)}"
            f" FROM {table} WHERE {where} ORDER BY {order}",
            params,
        )
        count = self.db.execute("SELECT changes()").fetchone()[0]
        if not count:
            return 0
        assignments = {**sets}
        if numbered:
            assignments[numbered] = (
                f"(SELECT j.pos FROM {_TABLE} j WHERE j.tbl = :_tbl"
                f" AND j.kv = {_key_array(info, table)} AND j.seq > :_mark)"
            )
        self.db.execute(
            f"UPDATE {table} SET "
            + ", ".join(f"{_quote(column)} = {value}" for column, value in assignments.items())
            + f" WHERE {where}",
            params,
        )
        self.db.execute(
            f"UPDATE {_TABLE} SET after = (SELECT {_row_json(info, 'r')} FROM {table} r"
            f" WHERE {_by_key(info, 'r', f'{_TABLE}.kv_after')}) WHERE seq > :_mark",
            {"_mark": mark},
        )
        return int(count)

    def delete(self, info: TableInfo, row: Row) -> None:
        where, params = _key_where(info.key, row)
        self.db.execute(f"DELETE FROM {_quote(info.name)} WHERE {where}", params)
        self._record(info, row, None)

    def delete_where(self, info: TableInfo, where: str, params: dict[str, Any]) -> int:
        """DELETE every row of `info` matching `where`, journalled, in two statements."""
        table = _quote(info.name)
        order = ", ".join(f"{table}.{_quote(column)}" for column in info.key)
        self.db.execute(
            f"INSERT INTO {_TABLE}(tbl, key, before) SELECT :_tbl, :_key, {_row_json(info, table)}"
            f" FROM {table} WHERE {where} ORDER BY {order}",
            {**params, "_tbl": info.name, "_key": _key_json(info)},
        )
        return int(self.db.execute(f"DELETE FROM {table} WHERE {where}", params).rowcount)

    def inserted(self, info: TableInfo, rowid: int) -> None:
        """Record a row something else has just inserted (by its rowid)."""
        row = _fetch(self.db, info, {ROWID: rowid})
        assert row is not None
        self._record(info, None, row)

    def dumps(self) -> str:
        """The journal as the JSON text `merges.changes` keeps, oldest change first."""
        entries = self.db.execute(
            "SELECT json_object('table', tbl, 'key', json(key), 'before', json(before),"
            f" 'after', json(after)) FROM {_TABLE} ORDER BY seq"
        )
        return "[" + ",".join(entry for (entry,) in entries) + "]"


def _key_json(info: TableInfo) -> str:
    """The key's column names as a JSON array (json.dumps' spelling)."""
    import json

    return json.dumps(list(info.key))


def _sql_array(names: tuple[str, ...] | list[str]) -> str:
    """SQL for a JSON array of `names` (SQLite's json_array: the journal's write path
    does without Python's json module, ~1 ms to import)."""
    return "json_array(" + ", ".join("'" + n.replace("'", "''") + "'" for n in names) + ")"


def _dumps(row: Row | None) -> str | None:
    import json

    return None if row is None else json.dumps(row, default=_encode, ensure_ascii=False)


def _encode(value: Any) -> Any:
    if isinstance(value, bytes):
        import base64

        return {"$bytes": base64.b64encode(value).decode("ascii")}
    raise TypeError(f"cannot journal a {type(value).__name__}")


def _decode(obj: dict[str, Any]) -> Any:
    if set(obj) == {"$bytes"}:
        import base64

        return base64.b64decode(obj["$bytes"])
    if set(obj) == {"$hex"}:
        return bytes.fromhex(obj["$hex"])
    if set(obj) == {"$real"}:
        return float(obj["$real"])
    return obj


def loads(text: str) -> list[dict[str, Any]]:
    import json

    entries: list[dict[str, Any]] = json.loads(text, object_hook=_decode)
    return entries


def play_backwards(
    db: Database,
    entries: list[dict[str, Any]],
    what: str,
    describe: Callable[[str, Row], str] = lambda table, _row: f"a row of {table}",
    *,
    done_by_cascade: bool = False,
) -> None:
    """Put back what the journal wrote, newest change first.

    Only the columns an entry changed are put back, so a later change to another column
    (a title edited, a moved task done) stays; a later `updated_at` stays too. A column
    the journal wrote that has changed since, a row it wrote that is gone, or a removed
    row whose key is taken again makes it refuse (Conflict), naming the row with
    `describe(table, row)`; the caller's transaction then undoes the steps already taken,
    so the database is never half restored.

    done_by_cascade: a step that an earlier one already took (a trigger, or ON DELETE
    CASCADE, wrote the row back as it was, or removed it) is passed over: the general
    journal keeps the rows those wrote too. Foreign keys are checked at commit meanwhile,
    so rows come back in any order."""
    if done_by_cascade:
        db.execute("PRAGMA defer_foreign_keys = ON")
    hint = "undo only puts back what nothing has changed since; fix the records by hand"
    # Rows added in bulk are checked before any step (a step's cascade may remove some).
    for entry in entries:
        if "runs" in entry and _present(db, entry) < bulk_count(entry):
            raise Conflict(
                f"cannot undo {what}: some rows of {entry['table']} it added were removed since",
                hint=hint,
            )
    for entry in reversed(entries):
        table, key = entry["table"], tuple(entry["key"])
        if "runs" in entry:
            for first, last in entry["runs"]:
                db.execute(
                    f"DELETE FROM {_quote(table)} WHERE rowid BETWEEN ? AND ?", [first, last]
                )
            continue
        before, after = entry["before"], entry["after"]
        info = TableInfo(table, (), key, ())
        if done_by_cascade and _already_back(db, info, before, after):
            continue
        if after is not None:
            current = _fetch(db, info, after)
            if current is None:
                raise Conflict(
                    f"cannot undo {what}: {describe(table, after)} was removed since", hint=hint
                )
            written = [c for c, v in after.items() if before is None or before.get(c) != v]
            changed = [c for c in written if current.get(c) != after[c] and c not in _LATER_WINS]
            if changed:
                raise Conflict(
                    f"cannot undo {what}: {describe(table, after)} changed since"
                    f" ({', '.join(changed)})",
                    hint=hint,
                )
        elif _fetch(db, info, before) is not None:
            raise Conflict(
                f"cannot undo {what}: the id of {describe(table, before)} was given to a new"
                " record since",
                hint=hint,
            )
        if before is not None and after is not None:
            assert current is not None  # read above, as after is not None
            columns = [
                c
                for c in written
                if c != ROWID and not (c in _LATER_WINS and current.get(c) != after[c])
            ]
            if columns:
                where, params = _key_where(key, after)
                assignments = ", ".join(f"{_quote(c)} = ?" for c in columns)
                db.execute(
                    f"UPDATE {_quote(table)} SET {assignments} WHERE {where}",
                    [before[c] for c in columns] + params,
                )
        elif after is not None:
            where, params = _key_where(key, after)
            db.execute(f"DELETE FROM {_quote(table)} WHERE {where}", params)
        else:
            columns = list(before)
            names = ", ".join(_quote(c) for c in columns)
            marks = ", ".join("?" * len(columns))
            db.execute(
                f"INSERT INTO {_quote(table)}({names}) VALUES ({marks})",
                [before[c] for c in columns],
            )


def bulk_count(entry: dict[str, Any]) -> int:
    return sum(last - first + 1 for first, last in entry["runs"])


def _present(db: Database, entry: dict[str, Any]) -> int:
    """How many of the rows a bulk entry lists are there now."""
    return sum(
        int(
            db.execute(
                f"SELECT count(*) FROM {_quote(entry['table'])} WHERE rowid BETWEEN ? AND ?",
                [first, last],
            ).fetchone()[0]
        )
        for first, last in entry["runs"]
    )


# Tables whose rows are not the user's records: the journal itself, the record of the
# schema steps, SQLite's own, and agenda_runs (what cron delivered is no user change).
# The search index (FTS5: a virtual table and its shadow tables) is not a plain table and
# follows the records through its own triggers, so undo keeps it right without journaling it;
# so does contact_touch (m025), each contact's latest link time kept by the links' triggers.
NOT_JOURNALED = frozenset(
    {
        "changes",
        "change_rows",
        "agenda_runs",
        "_sqlite_migrations",
        "sqlite_sequence",
        "contact_touch",
    }
)
_CAPTURE = "pcrm_capture"
_WRITES = frozenset({sqlite3.SQLITE_INSERT, sqlite3.SQLITE_UPDATE, sqlite3.SQLITE_DELETE})


def journaled_tables(db: Database) -> list[TableInfo]:
    """Every plain table of the file whose rows a write command's journal keeps: read from
    the schema on each write, so a table a later step adds is journaled without a change."""
    columns: dict[str, list[tuple[str, int, str]]] = {}
    without_rowid: dict[str, int] = {}
    for table, wr, column, pk, kind in db.execute(
        "SELECT t.name, t.wr, c.name, c.pk, c.type FROM pragma_table_list t,"
        " pragma_table_info(t.name) c WHERE t.schema = 'main' AND t.type = 'table'"
        " AND t.name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY t.name, c.cid"
    ):
        if table in NOT_JOURNALED:
            continue
        columns.setdefault(table, []).append((column, pk, kind))
        without_rowid[table] = wr
    infos = []
    for table, described in columns.items():
        pk = [c for c, n, _ in sorted((d for d in described if d[1]), key=lambda d: d[1])]
        alias = None
        if not without_rowid[table] and len(pk) == 1:
            kind = next(k for c, _, k in described if c == pk[0])
            alias = pk[0] if kind.upper() == "INTEGER" else None
        key = tuple(pk) if without_rowid[table] else (ROWID,)
        plain = frozenset(c for c, _, k in described if k.upper() in ("TEXT", "INTEGER"))
        names = tuple(c for c, _, _ in described)
        infos.append(TableInfo(table, names, key, (), alias, plain))
    return infos


def _names(info: TableInfo) -> tuple[str, ...]:
    return ((ROWID,) if info.key == (ROWID,) else ()) + info.columns


def _row_values(info: TableInfo, alias: str) -> str:
    """SQL for a row's values as a JSON array, in _names order: half the text of
    _row_json, which halves the time to make the triggers; finish() names them."""
    values = []
    for column in _names(info):
        value = f"{alias}.{_quote(column)}"
        if column not in info.plain:
            value = (
                f"CASE typeof({value}) WHEN 'blob' THEN json_object('$hex', hex({value}))"
                f" WHEN 'real' THEN json_object('$real', printf('%!.17g', {value}))"
                f" ELSE {value} END"
            )
        values.append(value)
    return f"json_array({', '.join(values)})"


def _trigger_sql(info: TableInfo, number: int, above: int | None = None) -> list[str]:
    name, key = _quote(info.name), _sql_array(info.key)
    label = info.name.replace("'", "''")
    statements = []
    for event, before, after in (
        ("INSERT", None, "NEW"),
        ("UPDATE", "OLD", "NEW"),
        ("DELETE", "OLD", None),
    ):
        values = ", ".join(
            [
                f"'{label}'",
                key,
                # kv: the row's key (as it was; an added row's own), kv_after: its key
                # after an UPDATE (the same, but for a merge's moved rows).
                _key_array(info, before or after or ""),
                _key_array(info, after) if after and before else "NULL",
                _row_values(info, before) if before else "NULL",
                # An added row is kept by its key only (kv_after): an import adds tens of
                # thousands, and writing each whole again doubled its time.
                _row_values(info, after) if after and before else "NULL",
            ]
        )
        # In bulk mode (bulk_inserts) the rows above the table's old last rowid are
        # recorded at the end, as one entry: their changes and removal are passed over.
        when = f" WHEN OLD.rowid <= {above}" if above is not None and before else ""
        statements.append(
            f"CREATE TEMP TRIGGER IF NOT EXISTS pcrm_capture_{number}_{event.lower()}"
            f" AFTER {event} ON main.{name}{when} BEGIN INSERT INTO {_CAPTURE}"
            f"(tbl, key, kv, kv_after, before, after) VALUES ({values}); END"
        )
    return statements


class Capture:
    """The rows one write command changes, caught by TEMP triggers (never in the schema),
    and recorded at the end of the command's transaction as one entry of `changes`.

    Triggers are made only on the tables the command writes, when it first writes each:
    SQLite's authorizer is told, as a statement is prepared, every table it (its triggers,
    its foreign-key actions) writes; one the capture does not watch yet is refused, its
    triggers made, and the statement prepared again (store/db.py's Connection). `pcrm log`
    makes the triggers of three tables, a quiet `agenda --cron` none, where making them on
    all ~33 tables cost every write command ~7 ms."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.names: dict[str, list[str]] = {}
        self._number: dict[str, int] = {}
        self._infos: dict[str, TableInfo] = {}
        self._unwatched: set[str] = set()
        self._asked: set[str] = set()
        # The journaled tables are read from the schema (journaled_tables, ~1 ms) when the
        # command first writes a table that may be one: a quiet `agenda --cron` writes
        # only agenda_runs, not journaled, and never reads them.
        self._known = False

    def _know_tables(self) -> None:
        infos = journaled_tables(self.db)
        self.names = {info.name: list(_names(info)) for info in infos}
        self._number = {info.name: number for number, info in enumerate(infos)}
        self._infos = {info.name: info for info in infos}
        self._unwatched = set(self._infos)
        self._known = True

    @classmethod
    def start(cls, db: Database) -> Capture | None:
        """Catch every row change from now on; None on a file without the journal."""
        if not db.execute("SELECT 1 FROM sqlite_master WHERE name = 'change_rows'").fetchone():
            return None
        capture = cls(db)
        conn = db.conn
        if not isinstance(conn, Connection):  # opened otherwise: watch every table now
            capture._know_tables()
            capture._asked = set(capture._unwatched)
            capture._watch()
            return capture
        conn.on_denied = capture._watch
        conn.on_rollback = capture._rolled_back
        conn.set_authorizer(capture._authorize)
        return capture

    def _names_json(self, table: str) -> str:
        names = self.names[table]
        return str(self.db.execute(f"SELECT {_sql_array(names)}").fetchone()[0])

    @property
    def watching(self) -> bool:
        """Whether a table has triggers yet (the command has written a journaled table)."""
        return len(self._unwatched) < len(self._infos)

    def _authorize(
        self,
        action: int,
        table: str | None,
        _column: str | None,
        schema: str | None,
        _by: str | None,
    ) -> int:
        """SQLite's authorizer: refuse a write to a table not watched yet (noted). Before
        the journaled tables are known, a write to any table that may be one is refused
        (as the statement is prepared: a table written by a trigger or by the search
        index's own statements is seen then too), and on_denied reads them."""
        if action not in _WRITES or schema == "temp" or table is None:
            return sqlite3.SQLITE_OK
        if table in self._unwatched or not (
            self._known or table in NOT_JOURNALED or table.startswith("sqlite_")
        ):
            self._asked.add(table)
            return sqlite3.SQLITE_DENY
        return sqlite3.SQLITE_OK

    def _rolled_back(self) -> None:
        """After a ROLLBACK (TO a savepoint: `undo --dry-run`): triggers made since are
        gone with it, so their tables are watched anew at their next write."""
        if not self.watching:
            return
        made = {
            name
            for (name,) in self.db.execute(
                "SELECT name FROM sqlite_temp_master WHERE type = 'trigger'"
                " AND name LIKE 'pcrm\\_capture\\_%' ESCAPE '\\'"
            )
        }
        for table, number in self._number.items():  # (bulk tables have no INSERT trigger)
            if f"pcrm_capture_{number}_update" not in made:
                self._unwatched.add(table)

    def _watch(self) -> bool:
        """Make the triggers of the tables the authorizer refused; False if none was."""
        learned = not self._known and bool(self._asked)
        if learned:
            self._know_tables()
        asked, self._asked = self._asked & self._unwatched, set()
        if asked and not self.watching:  # the first: the tables the triggers write to
            self.db.execute(
                f"CREATE TEMP TABLE IF NOT EXISTS {_CAPTURE} (seq INTEGER PRIMARY KEY,"
                " tbl TEXT NOT NULL, key TEXT NOT NULL, kv TEXT, kv_after TEXT, before TEXT,"
                " after TEXT)"
            )
            self.db.execute(
                "CREATE TEMP TABLE IF NOT EXISTS pcrm_change_note (undo_of INTEGER, label TEXT)"
            )
        bulk = _bulk_tops(self.db) if asked else {}
        for table in sorted(asked):
            above = bulk.get(table)
            statements = _trigger_sql(self._infos[table], self._number[table], above)
            for sql in statements if above is None else statements[1:]:  # bulk: no INSERT
                self.db.execute(sql)
            self._unwatched.discard(table)
        return bool(asked) or learned  # learned: the refused tables are not journaled

    def finish(self, now: datetime, argv: list[str]) -> int | None:
        """Record what was caught as one change (in the command's transaction); a command
        that changed no row records nothing. Returns the change's id."""
        db = self.db
        if not self.watching:  # no journaled table was written
            return None
        # An UPDATE that wrote the values a row had is no change.
        db.execute(f"DELETE FROM {_CAPTURE} WHERE before IS NOT NULL AND before IS after")
        added = self._bulk_added()
        counts = db.execute(
            f"SELECT tbl, sum(before IS NULL), sum(before IS NOT NULL AND after IS NOT NULL),"
            f" sum(before IS NOT NULL AND after IS NULL) FROM {_CAPTURE}"
            " GROUP BY tbl ORDER BY min(seq)"
        ).fetchall()
        if added:
            counts = _with_added(counts, added)
        if not counts:
            return None
        for table, *_counts in counts:
            obj = (
                "CASE WHEN {0} IS NULL THEN NULL ELSE (SELECT json_group_object(c.value,"
                " CASE WHEN v.type = 'object' THEN json(v.value) ELSE v.value END)"
                " FROM json_each(:names) c JOIN json_each({0}) v ON v.key = c.key) END"
            )
            db.execute(
                f"UPDATE {_CAPTURE} SET before = {obj.format('before')},"
                f" after = {obj.format('after')} WHERE tbl = :table",
                {"names": self._names_json(table), "table": table},
            )
        note = db.execute("SELECT undo_of, label FROM pcrm_change_note").fetchone()
        undo_of, label = note if note else (None, None)
        summary = ", ".join(
            f"{table} "
            + " ".join(f"{sign}{n}" for sign, n in (("+", added), ("~", changed), ("-", gone)) if n)
            for table, added, changed, gone in counts
        )
        if label:
            summary = f"{label}: {summary}"
        change_id = db.execute(
            "INSERT INTO changes(at, argv, summary, undo_of)"
            f" VALUES (?, json_array({', '.join('?' * len(argv))}), ?, ?)",
            [_iso(now), *argv, summary, undo_of],
        ).lastrowid
        db.execute(
            "INSERT INTO change_rows(change_id, seq, tbl, key, kv, kv_after, before, after)"
            " SELECT ?, row_number() OVER (ORDER BY seq), tbl, key, kv, nullif(kv_after, kv),"
            " before, after"
            f" FROM {_CAPTURE} ORDER BY seq",
            [change_id],
        )
        # The rows added in bulk: one entry per table, after every other (so undo removes
        # them first: nothing the command changed can depend on their absence).
        for table, (runs, _count) in added.items():
            db.execute(
                "INSERT INTO change_rows(change_id, seq, tbl, key, kv) SELECT ?,"
                " coalesce(max(seq), 0) + 1, ?, ?, ? FROM change_rows WHERE change_id = ?",
                [change_id, table, BULK_KEY, _runs_json(runs), change_id],
            )
        db.execute(f"DELETE FROM {_CAPTURE}")
        if added:
            db.execute(f"DELETE FROM {_BULK}")
        db.execute("DELETE FROM pcrm_change_note")
        return change_id

    def _bulk_added(self) -> dict[str, tuple[list[list[int]], int]]:
        """The rows each bulk table holds above its old last rowid (the rows the command
        added and kept), as runs of consecutive rowids and a count; the entries the
        triggers made for those rows (changed or removed again in the same command) are
        dropped: undo removes the rows, and a row added then removed is no change."""
        added: dict[str, tuple[list[list[int]], int]] = {}
        if not _bulk_tops(self.db):
            return added
        bulk = self.db.execute(
            f"SELECT b.tbl, b.above FROM {_BULK} b JOIN main.sqlite_master m ON m.name = b.tbl"
            " ORDER BY m.rowid"  # in schema order: contacts before their emails
        ).fetchall()
        for table, above in bulk:
            self.db.execute(
                f"DELETE FROM {_CAPTURE} WHERE tbl = ? AND json_extract(kv, '$[0]') > ?",
                [table, above],
            )
            runs = [
                [first, last]
                for first, last in self.db.execute(
                    "SELECT min(rowid), max(rowid) FROM (SELECT rowid, rowid - row_number()"
                    f" OVER (ORDER BY rowid) AS run FROM main.{_quote(table)} WHERE rowid > ?)"
                    " GROUP BY run ORDER BY 1",
                    [above],
                )
            ]
            if runs:
                added[table] = (runs, sum(last - first + 1 for first, last in runs))
        return added


def _with_added(
    counts: list[tuple[str, int, int, int]], added: dict[str, tuple[list[list[int]], int]]
) -> list[tuple[str, int, int, int]]:
    """The per-table counts of a change with the rows added in bulk counted in."""
    merged = [
        (table, plus + (added[table][1] if table in added else 0), changed, gone)
        for table, plus, changed, gone in counts
    ]
    seen = {table for table, *_ in counts}
    merged += [(table, n, 0, 0) for table, (_runs, n) in added.items() if table not in seen]
    return merged


# The `key` of a change_rows entry that records the rows a command added in bulk: its kv
# is the JSON list of their rowid runs, [[first, last], ...], instead of one row's key.
BULK_KEY = '["rowid runs"]'
_BULK = "pcrm_bulk"


def bulk_inserts(db: Database) -> None:
    """Record the rows the command under way adds to rowid tables (an import's tens of
    thousands) as one entry per table, instead of one per row: finish() lists the rows
    above each table's last rowid of now (see _bulk_added). Their INSERT triggers are
    dropped (a trigger costs ~3 µs a row even when its WHEN passes the row over: 0.3 s of
    a 20 000-row import), and the UPDATE and DELETE triggers pass over the rows above
    that rowid (undo removes them whole). Changes and removals of the rows that were
    there, and rows of WITHOUT ROWID tables, are journaled row by row as before.

    Only for a command that adds rows under new rowids, as the import does (SQLite gives
    max(rowid) + 1; the import numbers new contacts from max(id) + 1): a row added under
    a rowid freed earlier would not be journaled."""
    if not db.execute("SELECT 1 FROM sqlite_master WHERE name = 'change_rows'").fetchone():
        return  # no journal on this file
    db.execute(f"CREATE TEMP TABLE IF NOT EXISTS {_BULK} (tbl TEXT PRIMARY KEY, above INTEGER)")
    db.execute(f"DELETE FROM {_BULK}")
    made = {name for (name,) in db.execute("SELECT name FROM sqlite_temp_master")}
    for number, info in enumerate(journaled_tables(db)):
        if info.key != (ROWID,):
            continue
        above = db.execute(f"SELECT coalesce(max(rowid), 0) FROM main.{_quote(info.name)}")
        top = int(above.fetchone()[0])
        db.execute(f"INSERT INTO {_BULK}(tbl, above) VALUES (?, ?)", [info.name, top])
        if f"pcrm_capture_{number}_update" not in made:
            continue  # not written yet: Capture._watch makes its bulk triggers when it is
        for event in ("insert", "update", "delete"):
            db.execute(f"DROP TRIGGER IF EXISTS temp.pcrm_capture_{number}_{event}")
        for sql in _trigger_sql(info, number, top)[1:]:  # UPDATE and DELETE
            db.execute(sql)


def _runs_json(runs: list[list[int]]) -> str:
    """[[first, last], ...] as JSON (no json import on the write path: start-up)."""
    return "[" + ", ".join(f"[{first}, {last}]" for first, last in runs) + "]"


def _bulk_tops(db: Database) -> dict[str, int]:
    """The tables in bulk mode (bulk_inserts) and their last rowid before the command."""
    if not db.execute("SELECT 1 FROM temp.sqlite_master WHERE name = ?", [_BULK]).fetchone():
        return {}
    return {table: int(above) for table, above in db.execute(f"SELECT tbl, above FROM {_BULK}")}


def _iso(now: datetime) -> str:
    """dates.to_iso's form, without importing dates (every write command pays imports)."""
    return now.astimezone(UTC).replace(tzinfo=None, microsecond=0).isoformat() + "Z"


def note_change(db: Database, label: str, undo_of: int | None = None) -> None:
    """Name the change the command under way makes (merge, undo of N) in its summary."""
    db.execute("CREATE TEMP TABLE IF NOT EXISTS pcrm_change_note (undo_of INTEGER, label TEXT)")
    db.execute("DELETE FROM temp.pcrm_change_note")
    db.execute("INSERT INTO temp.pcrm_change_note(undo_of, label) VALUES (?, ?)", [undo_of, label])


def _already_back(db: Database, info: TableInfo, before: Row | None, after: Row | None) -> bool:
    """Whether the row is already as it was before this entry (put back by a cascade)."""
    if after is not None:
        current = _fetch(db, info, after)
        if current is None:
            return before is None
        if before is None:
            return False
        written = [c for c, v in after.items() if before.get(c) != v]
        return all(current.get(c) == before[c] for c in written if c not in _LATER_WINS)
    assert before is not None
    return _fetch(db, info, before) == before
