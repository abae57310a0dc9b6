"""Start-up, round 3 (issue 18): what every write command does on open, made lazy.

The change journal reads the schema's tables (journaled_tables) only when the command
first writes a table that may be journaled: a quiet `agenda --cron`, which writes only its
run record, never reads them. These tests watch the statements SQLite runs (its trace
callback, on a real file) and check that what is recorded, and what undo gives back, is
as before."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from conftest import ok, rows
from pcrm.core.journal import Capture
from pcrm.store.db import session

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
TABLE_LIST = "pragma_table_list"  # what journaled_tables reads


def traced(db_path: Path, writes: list[str]) -> tuple[list[str], int | None]:
    """Run `writes` in one write session with the journal on; the statements SQLite ran
    and the change recorded (None: none)."""
    statements: list[str] = []
    with session(db_path, write=True) as db:
        db.conn.set_trace_callback(statements.append)
        capture = Capture.start(db)
        assert capture is not None
        for sql in writes:
            db.execute(sql)
        change = capture.finish(NOW, ["test"])
        db.conn.set_trace_callback(None)
    return statements, change


RUN = (
    "INSERT INTO agenda_runs(ran_at, day, zone, delivery, status)"
    " VALUES ('2026-11-23T10:00:00Z', '2026-11-23', 'UTC', 'print', 'silent')"
)


def test_a_write_to_an_unjournaled_table_reads_no_table_list(cli, db_path: Path):
    ok(cli("contact", "add", "Ada Lovelace"))
    changes = rows(db_path, "SELECT count(*) FROM changes")
    statements, change = traced(db_path, [RUN])
    assert change is None
    assert not any(TABLE_LIST in sql for sql in statements)
    assert not any("TEMP TRIGGER" in sql for sql in statements)
    assert rows(db_path, "SELECT status FROM agenda_runs") == [("silent",)]
    assert rows(db_path, "SELECT count(*) FROM changes") == changes


def test_the_first_journaled_write_reads_the_tables_once_and_is_recorded(cli, db_path: Path):
    ok(cli("contact", "add", "Ada Lovelace"))
    statements, change = traced(
        db_path,
        [
            RUN,
            "UPDATE contacts SET title = 'Countess' WHERE id = 1",
            "INSERT INTO tags(name) VALUES ('math')",
            "UPDATE contacts SET note = 'engine' WHERE id = 1",
        ],
    )
    assert change is not None
    assert sum(TABLE_LIST in sql for sql in statements) == 1
    assert rows(db_path, "SELECT summary FROM changes WHERE id = ?", (change,)) == [
        ("contacts ~2, tags +1",)
    ]
    ok(cli("undo"))
    assert rows(db_path, "SELECT title, note FROM contacts") == [(None, None)]
    assert rows(db_path, "SELECT count(*) FROM tags WHERE name = 'math'") == [(0,)]
    assert rows(db_path, "SELECT count(*) FROM agenda_runs") == [(1,)]  # not journaled


def test_a_first_write_through_the_search_index_is_journaled_too(cli, db_path: Path):
    """A statement whose first write is to a table the journal does not keep (the
    search index, by a trigger) is refused once, the tables read, and run again."""
    ok(cli("contact", "add", "Ada Lovelace"))
    ok(cli("log", "ada", "Call: before"))
    _statements, change = traced(
        db_path, ["UPDATE interactions SET text = 'Call: after' WHERE id = 1"]
    )
    assert change is not None
    assert ok(cli("search", "after")).count("Call: after") == 1
    ok(cli("undo"))
    assert rows(db_path, "SELECT text FROM interactions") == [("Call: before",)]
    assert "Call: before" in ok(cli("search", "before"))


def test_a_quiet_cron_run_records_its_run_and_no_change(cli, db_path: Path):
    ok(cli("contact", "add", "Ada Lovelace"))
    history = ok(cli("history"))
    assert ok(cli("agenda", "--cron")) == ""
    assert rows(db_path, "SELECT status, delivery FROM agenda_runs") == [("silent", "print")]
    assert ok(cli("history")) == history
    conn = sqlite3.connect(db_path)
    try:  # no journal trigger was left in the file
        assert conn.execute(
            "SELECT count(*) FROM sqlite_master WHERE name LIKE 'pcrm_capture%'"
        ).fetchone() == (0,)
    finally:
        conn.close()
