"""`contact merge` of a contact with thousands of rows: set-based, so its work does not grow
with the square of the rows moved (issue 14, item 8), and `pcrm undo` still gives back the
very same file. Timing is for bench/merge.py; here the number of SQL statements a merge
runs is counted instead, which must not depend on the number of rows."""

from __future__ import annotations

import importlib.util
import os
import sqlite3
import subprocess
import sys
import time
from functools import partial
from pathlib import Path

import pytest

from conftest import NOW, dump, ok
from conftest import one_line_error as error
from pcrm.core.dedupe.merge import merge, undo_last_merge
from pcrm.store.db import open_db, transaction

BENCH = Path(__file__).parent.parent / "bench" / "merge.py"


@pytest.fixture(scope="module")
def bench_merge():
    """bench/merge.py, whose build() writes the two contacts the benchmark merges."""
    spec = importlib.util.spec_from_file_location("bench_merge", BENCH)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def rows(path: Path, sql: str, params=()) -> list[tuple]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def content(path: Path) -> tuple[list[str], list[tuple]]:
    """The dump without the search index's private storage (its bytes depend on the
    history of writes), plus what the index holds: equal when the data is."""
    lines = [
        line
        for line in dump(path)
        if "search_index_" not in line
        # the change journal (pcrm history) grows with every command
        and not line.startswith(('INSERT INTO "changes"', 'INSERT INTO "change_rows"'))
    ]
    return lines, rows(path, "SELECT rowid, kind, title, body FROM search_index ORDER BY rowid")


def statements(path: Path, work) -> int:
    """How many SQL statements `work(db)` runs in one transaction (triggers' rows aside:
    SQLite runs a trigger once per row, by design; Python's trace callback reports each
    trigger program a statement starts with that statement's own text, so a run of the
    same text, parameters expanded, counts once)."""
    seen: list[str] = []
    db = open_db(path, create=False)
    try:
        db.conn.set_trace_callback(seen.append)
        with transaction(db):
            work(db)
        db.conn.set_trace_callback(None)
    finally:
        db.close()
    statements = [sql for sql in seen if not sql.startswith("--")]
    return len([sql for n, sql in enumerate(statements) if n == 0 or sql != statements[n - 1]])


def test_merging_thousands_of_rows_then_undoing_gives_back_the_same_file(cli, db_path, bench_merge):
    db_path.parent.mkdir(parents=True, exist_ok=True)
    keep, other = bench_merge.build(db_path, 3000)  # + KEEP's 1 500, 300 with both
    before = content(db_path)

    out = ok(cli("contact", "merge", str(keep), str(other)))

    assert (
        out.splitlines()[:3]
        == [
            f"merged contact {other} Bob Smith into contact {keep} Robert Smith",
            f"moved to contact {keep}: 2 emails, 1 phone, 1 tag, 3000 interactions, 10 deals,"
            " 25 tasks, 1 custom field",
            f"already on contact {keep}, so dropped: 1 phone, 1 tag, 300 interactions, 10 deals,"
            " 1 custom field",
        ]
        or out
    )
    assert rows(
        db_path, "SELECT count(*), count(DISTINCT interaction_id) FROM interaction_contacts"
    ) == [(4800, 4800)]
    assert rows(db_path, "SELECT DISTINCT contact_id FROM interaction_contacts") == [(keep,)]
    # KEEP had no role on the deals both were on: it takes OTHER's
    assert rows(db_path, "SELECT role, count(*) FROM deal_contacts GROUP BY role") == [
        ("buyer", 20)
    ]
    assert rows(db_path, "SELECT phone, label, position FROM contact_phones ORDER BY id") == [
        ("+44 20 7946 0018", None, 0),
        ("07700 900123", None, 1),
    ]
    assert rows(db_path, "PRAGMA foreign_key_check") == []

    assert ok(cli("undo")).splitlines()[1] == "(change 1: pcrm contact merge 1 2)"
    assert content(db_path) == before


def test_the_statements_a_merge_runs_do_not_grow_with_its_rows(tmp_path, bench_merge):
    """Today's code ran several statements per row moved (and compared each row with all
    of KEEP's); set-based moves run the same statements for 100 rows as for 2 000."""
    counts = []
    for size in (100, 2000):
        path = tmp_path / f"{size}.db"
        keep, other = bench_merge.build(path, size)
        counts.append(
            statements(path, partial(merge, now=NOW, kind="contact", keep_id=keep, other_id=other))
        )
    assert counts[0] == counts[1]


def test_a_dry_run_of_a_big_merge_changes_nothing(cli, db_path, bench_merge):
    db_path.parent.mkdir(parents=True, exist_ok=True)
    keep, other = bench_merge.build(db_path, 1000)
    before = dump(db_path)
    out = ok(cli("contact", "merge", str(keep), str(other), "--dry-run"))
    assert "1000 interactions" in out.splitlines()[1]
    assert dump(db_path) == before


def test_undo_refuses_when_one_of_thousands_of_moved_rows_changed(cli, db_path, bench_merge):
    db_path.parent.mkdir(parents=True, exist_ok=True)
    keep, other = bench_merge.build(db_path, 1000)
    ok(cli("contact", "merge", str(keep), str(other)))
    with sqlite3.connect(db_path) as conn:  # another tool moves one of the moved tasks on
        conn.execute("UPDATE tasks SET contact_id = NULL WHERE id = (SELECT max(id) FROM tasks)")
    before = dump(db_path)
    assert error(cli("undo")) == (
        "pcrm: error: cannot undo change 1: a row of tasks changed since (contact_id)"
        " (undo only puts back what nothing has changed since; fix the records by hand)\n"
    )
    assert dump(db_path) == before


def test_values_json_cannot_hold_exactly_come_back_exactly(cli, db_path):
    """The journal is written by SQL now: a BLOB, a REAL with 17 digits and text that
    looks like JSON go through it unchanged, and undo finds them unchanged."""
    ok(cli("contact", "add", "Ada"))
    ok(cli("contact", "add", "Ada Byron"))
    with sqlite3.connect(db_path) as conn:
        conn.executescript(
            """
            CREATE TABLE readings (
                id INTEGER PRIMARY KEY,
                contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
                kind TEXT NOT NULL, raw BLOB, value REAL, note TEXT,
                UNIQUE (contact_id, kind));
            """
        )
        conn.executemany(
            "INSERT INTO readings(contact_id, kind, raw, value, note) VALUES (?, ?, ?, ?, ?)",
            [
                (1, "a", None, None, None),
                (2, "a", b"\x00\xff\x80", 0.1 + 0.2, '{"$hex": "00"}'),
                (2, "b", b"", 1e308 * 10, "[1, 2]"),
                (2, "c", None, -1 / 3, None),
            ],
        )
    before = content(db_path)
    ok(cli("contact", "merge", "1", "2"))
    assert rows(db_path, "SELECT contact_id, kind, raw, value, note FROM readings") == [
        (1, "a", b"\x00\xff\x80", 0.1 + 0.2, '{"$hex": "00"}'),
        (1, "b", b"", float("inf"), "[1, 2]"),
        (1, "c", None, -1 / 3, None),
    ]
    ok(cli("undo"))
    assert content(db_path) == before


def test_the_same_number_twice_on_other_is_kept_once_with_its_label(cli, db_path):
    """A phone OTHER has twice, written two ways, moves once (first in order) and takes
    the label of the second, as before the rewrite."""
    ok(cli("contact", "add", "Ada", "-p", "07700 900123"))
    ok(
        cli(
            "contact",
            "add",
            "Ada Byron",
            "-p",
            "+44 20 7946 0018",
            "-p",
            "work: +44 (0)20 7946 0018",
        )
    )
    before = content(db_path)
    out = ok(cli("contact", "merge", "1", "2"))
    assert out.splitlines()[1:3] == [
        "moved to contact 1: 1 phone",
        "already on contact 1, so dropped: 1 phone",
    ]
    assert rows(db_path, "SELECT contact_id, phone, label, position FROM contact_phones") == [
        (1, "07700 900123", None, 0),
        (1, "+44 20 7946 0018", "work", 1),
    ]
    ok(cli("undo"))
    assert content(db_path) == before


def test_the_bench_undo_is_exact_at_every_size(tmp_path, bench_merge):
    """bench/merge.py's own check, run small: merge then undo in core, same dump."""
    path = tmp_path / "bench.db"
    keep, other = bench_merge.build(path, 200)
    before = bench_merge.dump(path)
    db = open_db(path, create=False)
    try:
        with transaction(db):
            merge(db, NOW, "contact", keep, other)
        with transaction(db):
            undo_last_merge(db)
    finally:
        db.close()
    assert bench_merge.dump(path) == before


def write_locked(path: Path) -> bool:
    """Is another connection holding the write lock on `path` right now?"""
    conn = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("ROLLBACK")
        return False
    except sqlite3.OperationalError:
        return True
    finally:
        conn.close()


def test_a_log_typed_during_a_big_merge_is_kept(tmp_path, bench_merge):
    """The report: merging a contact with 12 000 interactions held the write lock for
    minutes, and a `pcrm log` typed meanwhile failed after waiting 60 s. Two real
    processes: the log, started while the merge holds the lock (or just after it), waits
    for it and is recorded."""
    path = tmp_path / "pcrm.db"
    keep, other = bench_merge.build(path, 12_000)
    env = {**os.environ, "PCRM_DB": str(path), "PCRM_NOW": "2026-11-23T10:00:00Z"}
    merging = subprocess.Popen(
        [sys.executable, "-m", "pcrm", "contact", "merge", str(keep), str(other)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        while merging.poll() is None and not write_locked(path):
            time.sleep(0.005)
        logged = subprocess.run(
            [sys.executable, "-m", "pcrm", "log", str(keep), "Called during the merge"],
            env=env,
            capture_output=True,
            text=True,
            timeout=180,
        )
        out, err = merging.communicate(timeout=600)
    finally:
        merging.kill()
        merging.wait()
    assert merging.returncode == 0, err
    assert out.startswith(f"merged contact {other} Bob Smith into contact {keep}")
    assert logged.returncode == 0, logged.stderr
    assert rows(
        path,
        "SELECT ic.contact_id FROM interactions i JOIN interaction_contacts ic"
        " ON ic.interaction_id = i.id WHERE i.text = 'Called during the merge'",
    ) == [(keep,)]
