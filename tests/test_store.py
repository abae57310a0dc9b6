"""The database file: where it lives, how it is created, opened, migrated and refused."""

from __future__ import annotations

import os
import sqlite3
import stat
from pathlib import Path

import pytest

from pcrm.store.db import open_db
from pcrm.store.migrations import known_names
from pcrm.store.paths import resolve_db_path

FIXTURES = Path(__file__).parent / "fixtures"


def make_m001_file(path: Path) -> None:
    """A database as an earlier pcrm left it: only m001 applied, no search index."""
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path)
    conn.executescript((FIXTURES / "schema_m001.sql").read_text())
    conn.close()


def test_path_precedence_option_then_env_then_platform(monkeypatch, tmp_path):
    monkeypatch.setenv("PCRM_DB", str(tmp_path / "env.db"))
    assert resolve_db_path(str(tmp_path / "opt.db")) == tmp_path / "opt.db"
    assert resolve_db_path(None) == tmp_path / "env.db"
    monkeypatch.delenv("PCRM_DB")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert resolve_db_path(None) == tmp_path / "xdg" / "pcrm" / "pcrm.db"


def test_read_command_on_missing_database_exits_1_and_creates_nothing(cli, db_path):
    result = cli("contact", "list")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.startswith(f"pcrm: error: no database at {db_path} (")
    assert len(result.stderr.splitlines()) == 1
    assert not db_path.exists()
    assert not db_path.parent.exists()


def test_first_write_creates_private_file_in_private_folder(cli, db_path):
    assert cli("contact", "add", "Ada Lovelace").exit_code == 0
    assert stat.S_IMODE(os.stat(db_path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(db_path.parent).st_mode) == 0o700


def test_db_option_wins_over_environment(cli, db_path, tmp_path):
    other = tmp_path / "other.db"
    assert cli("--db", str(other), "contact", "add", "Ada").exit_code == 0
    assert other.exists()
    assert not db_path.exists()


def test_every_open_sets_wal_foreign_keys_and_busy_timeout(db_path):
    db = open_db(db_path, create=True)
    try:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert db.execute("PRAGMA busy_timeout").fetchone()[0] >= 5000
    finally:
        db.close()


def test_new_database_has_every_migration_recorded_once(db_path):
    db = open_db(db_path, create=True)
    db.close()
    db = open_db(db_path, create=False)  # a second open applies nothing
    try:
        names = [row[0] for row in db.execute("SELECT name FROM _sqlite_migrations ORDER BY id")]
    finally:
        db.close()
    assert names == known_names()
    assert not list(db_path.parent.glob("*.bak")), "a new file needs no backup"


def test_old_schema_file_is_backed_up_then_migrated(cli, db_path):
    make_m001_file(db_path)
    before = sqlite3.connect(db_path)
    old_dump = list(before.iterdump())
    before.close()

    result = cli("search", "quote")
    assert result.exit_code == 0, result.stderr
    assert "Call: wants a quote for 20 seats" in result.stdout

    backups = list(db_path.parent.glob("pcrm.db.*.bak"))
    assert len(backups) == 1
    assert stat.S_IMODE(os.stat(backups[0]).st_mode) == 0o600
    saved = sqlite3.connect(backups[0])
    assert list(saved.iterdump()) == old_dump
    saved.close()

    # Records written before the search index existed are found, accents folded.
    found = cli("search", "zoe")
    assert found.stdout.split("\t")[:3] == ["contact", "2", "Zoë Müller"]


def test_a_file_with_planner_statistics_gets_them_for_migrated_indexes(cli, db_path):
    # An m001 file someone ran ANALYZE on: the indexes later migrations add must be
    # measured too, or the planner prefers them blindly over the measured ones.
    make_m001_file(db_path)
    conn = sqlite3.connect(db_path)
    conn.execute("ANALYZE")
    conn.close()
    assert cli("follow-up", "zoe", "Call", "--due", "today").exit_code == 0
    conn = sqlite3.connect(db_path)
    measured = {row[0] for row in conn.execute("SELECT idx FROM sqlite_stat1")}
    conn.close()
    # Indexes of tables that hold rows, added by m003 and m005 (an empty table's have
    # nothing to measure).
    assert {"interactions_deal", "contacts_lifecycle_stage"} <= measured


def test_file_from_newer_pcrm_is_refused_and_left_alone(cli, db_path):
    assert cli("contact", "add", "Ada").exit_code == 0
    conn = sqlite3.connect(db_path)
    conn.execute(
        "INSERT INTO _sqlite_migrations(migration_set, name, applied_at)"
        " VALUES ('pcrm', 'm999_from_the_future', '2030-01-01')"
    )
    conn.commit()
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    content = db_path.read_bytes()

    for args in (("contact", "list"), ("contact", "add", "Bob")):
        result = cli(*args)
        assert result.exit_code == 1
        assert result.stderr == (
            f"pcrm: error: {db_path} was written by a newer pcrm (schema step "
            "'m999_from_the_future') (upgrade pcrm to open it; the file was not changed)\n"
        )
    assert db_path.read_bytes() == content
    assert not list(db_path.parent.glob("*.bak"))


def test_a_file_that_is_not_sqlite_is_refused(cli, db_path):
    db_path.parent.mkdir(parents=True)
    db_path.write_text("First Name,Last Name\nAda,Lovelace\n")
    result = cli("contact", "add", "Ada")
    assert result.exit_code == 1
    assert result.stderr.startswith(f"pcrm: error: {db_path} is not a pcrm database")
    assert db_path.read_text() == "First Name,Last Name\nAda,Lovelace\n"


def test_a_truncated_database_gives_a_clear_error(cli, db_path):
    assert cli("contact", "add", "Ada").exit_code == 0
    conn = sqlite3.connect(db_path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    data = db_path.read_bytes()
    db_path.write_bytes(data[: len(data) // 2])
    for name in ("pcrm.db-wal", "pcrm.db-shm"):
        (db_path.parent / name).unlink(missing_ok=True)
    result = cli("contact", "list")
    assert result.exit_code == 1
    assert result.stderr.startswith("pcrm: error: cannot use database")
    assert "Traceback" not in result.stderr


def test_a_folder_that_cannot_be_created_is_a_clear_error(cli, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    result = cli("--db", str(blocker / "sub" / "pcrm.db"), "contact", "add", "Ada")
    assert result.exit_code == 1
    assert result.stderr.startswith(f"pcrm: error: cannot create folder {blocker / 'sub'}")


def test_failed_command_leaves_no_half_written_records(cli, db_path):
    from conftest import dump

    assert cli("contact", "add", "Ada", "--email", "ada@example.org").exit_code == 0
    before = dump(db_path)
    # The second email is taken: the contact, its company and first email must not land.
    result = cli(
        "contact",
        "add",
        "Bob",
        "--company",
        "NewCo",
        "-e",
        "bob@example.org",
        "-e",
        "ADA@example.org",
    )
    assert result.exit_code == 1
    assert "ada@example.org already belongs to contact 1 (Ada)" in result.stderr
    assert dump(db_path) == before


@pytest.mark.parametrize("debug", ["", "1"])
def test_unexpected_errors_have_no_traceback_unless_debugging(cli, db_path, debug):
    db_path.parent.mkdir(parents=True)
    conn = sqlite3.connect(db_path)
    conn.execute(
        "CREATE TABLE _sqlite_migrations (id INTEGER PRIMARY KEY, migration_set TEXT,"
        " name TEXT, applied_at TEXT)"
    )
    for name in known_names():
        conn.execute(
            "INSERT INTO _sqlite_migrations(migration_set, name) VALUES ('pcrm', ?)", [name]
        )
    conn.commit()
    conn.close()
    # Every migration is marked applied but no table exists: a broken file, a bug-like state.
    result = cli("contact", "list", env={"PCRM_DEBUG": debug})
    if debug:
        assert isinstance(result.exception, sqlite3.OperationalError)
    else:
        assert result.exit_code == 1
        assert result.stderr.startswith("pcrm: error: unexpected OperationalError")
        assert "PCRM_DEBUG=1" in result.stderr
        assert "Traceback" not in result.stderr


def test_a_write_waits_for_another_writer_and_says_so_once(db_path, monkeypatch):
    import threading

    from pcrm.store.db import session

    monkeypatch.setattr("pcrm.store.db.NOTICE_MS", 100)
    open_db(db_path, create=True).close()
    holder = sqlite3.connect(db_path, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")  # another pcrm in the middle of an import
    holder.execute("INSERT INTO settings(key, value) VALUES ('held', '1')")
    release = threading.Timer(0.6, lambda: holder.execute("COMMIT"))
    release.start()
    told: list[str] = []
    try:
        with session(db_path, write=True, on_wait=lambda: told.append("waiting")) as db:
            db.execute("INSERT INTO settings(key, value) VALUES ('mine', '2')")
    finally:
        release.join()
        holder.close()
    assert told == ["waiting"]  # past NOTICE_MS, once, and then the write went through
    check = sqlite3.connect(db_path)
    assert dict(check.execute("SELECT key, value FROM settings")).items() >= {
        ("held", "1"),
        ("mine", "2"),
    }
    check.close()


def test_links_carry_their_interaction_time_from_migration_and_triggers(cli, db_path):
    # m013: an old file's links get their interaction's time when it is migrated...
    make_m001_file(db_path)
    assert cli("log", "zoe", "Planned call", "--at", "2026-12-01 09:00").exit_code == 0
    conn = sqlite3.connect(db_path)
    assert conn.execute("SELECT count(*) FROM interaction_contacts").fetchone()[0] == 2
    mismatched = conn.execute(
        "SELECT count(*) FROM interaction_contacts ic JOIN interactions i"
        " ON i.id = ic.interaction_id WHERE ic.at IS NOT i.at"
    )
    assert mismatched.fetchone()[0] == 0
    # ...a new link gets it on insert (above: the planned call), and a changed time follows.
    planned = conn.execute("SELECT id FROM interactions WHERE text = 'Planned call'").fetchone()
    conn.execute("UPDATE interactions SET at = '2026-11-20T08:00:00Z' WHERE id = ?", planned)
    conn.commit()
    links = conn.execute("SELECT at FROM interaction_contacts WHERE interaction_id = ?", planned)
    assert [row[0] for row in links] == ["2026-11-20T08:00:00Z"]
    # The last touch is one seek in the (contact_id, at) index, not a scan.
    plan = " ".join(
        row[-1]
        for row in conn.execute(
            "EXPLAIN QUERY PLAN SELECT max(at) FROM interaction_contacts"
            " WHERE contact_id = 2 AND at <= '2026-11-23'"
        )
    )
    conn.close()
    assert "interaction_contacts_contact_at (contact_id=? AND at<?)" in plan
