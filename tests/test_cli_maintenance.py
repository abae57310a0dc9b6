"""pcrm backup, restore and doctor: copies that are whole, restores that refuse bad files,
and a doctor that finds (and with --fix repairs) what can go wrong with the file."""

from __future__ import annotations

import os
import sqlite3
import stat
from pathlib import Path

import pytest

from conftest import dump
from pcrm.store.migrations import known_names
from test_store import make_m001_file

STAMP = "20261123T100000Z"  # conftest's NOW


def checkpoint(db_path: Path) -> None:
    """Fold the write-ahead log into the file, so its bytes are the whole database."""
    conn = sqlite3.connect(db_path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()


def truncated_copy(source: Path, target: Path) -> Path:
    checkpoint(source)
    data = source.read_bytes()
    target.write_bytes(data[: len(data) // 2])
    return target


def names(cli) -> list[str]:
    return [line.split("\t")[1] for line in cli("contact", "list").stdout.splitlines()]


@pytest.fixture
def two_contacts(cli, db_path):
    assert cli("contact", "add", "Ada Lovelace", "-e", "ada@example.org").exit_code == 0
    assert cli("log", "ada", "Call: wants a quote for 20 seats").exit_code == 0
    assert cli("contact", "add", "Grace Hopper").exit_code == 0
    return db_path


# backup


def test_backup_default_name_beside_the_database_is_a_private_whole_copy(cli, two_contacts):
    db_path = two_contacts
    result = cli("backup")
    target = db_path.parent / f"pcrm.db.{STAMP}.bak"
    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"backed up {db_path} to {target}\n"
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o600
    assert dump(target) == dump(db_path)
    # One self-contained file: no write-ahead log of its own to carry along.
    assert sqlite3.connect(target).execute("PRAGMA journal_mode").fetchone()[0] == "delete"

    second = cli("backup")  # same second: a new name, the first copy untouched
    assert second.stdout == f"backed up {db_path} to {db_path.parent}/pcrm.db.{STAMP}-2.bak\n"


def test_backup_never_overwrites_a_file(cli, two_contacts, tmp_path):
    target = tmp_path / "mine.txt"
    target.write_text("precious")
    result = cli("backup", str(target))
    assert result.exit_code == 1
    assert result.stderr == (
        f"pcrm: error: {target} already exists; a backup never overwrites a file "
        "(give another FILE, or leave it out for a time-stamped name)\n"
    )
    assert target.read_text() == "precious"


def test_backup_into_a_missing_folder_is_a_clear_error(cli, two_contacts, tmp_path):
    target = tmp_path / "no" / "such" / "backup.db"
    result = cli("backup", str(target))
    assert result.exit_code == 1
    assert result.stderr == (
        f"pcrm: error: cannot write {target}: No such file or directory "
        "(check that the folder exists and that you may write there)\n"
    )
    assert not (tmp_path / "no").exists()


def test_a_backup_that_fails_midway_leaves_no_file(cli, two_contacts, tmp_path, monkeypatch):
    def half_written(source, path):
        path.write_bytes(b"SQLite format 3\x00" + bytes(100))
        raise KeyboardInterrupt

    monkeypatch.setattr("pcrm.store.backup._copy_into", half_written)
    assert cli("backup", str(tmp_path / "b.db")).exit_code == 130
    assert not (tmp_path / "b.db").exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_backup_refuses_a_database_that_is_not_an_sqlite_file(cli, db_path, tmp_path):
    db_path.parent.mkdir(parents=True, exist_ok=True)
    db_path.write_text("my notes, not a database\n")
    result = cli("backup", str(tmp_path / "b.db"))
    assert (result.exit_code, result.stderr) == (
        1,
        f"pcrm: error: {db_path} is not a pcrm database (not an SQLite file)\n",
    )
    assert not (tmp_path / "b.db").exists()


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_backup_into_a_read_only_folder_is_a_clear_error(cli, two_contacts, tmp_path):
    folder = tmp_path / "locked"
    folder.mkdir(mode=0o500)
    result = cli("backup", str(folder / "b.db"))
    assert result.exit_code == 1
    assert result.stderr.startswith(f"pcrm: error: cannot write {folder / 'b.db'}: Permission")
    assert list(folder.iterdir()) == []


def test_backup_of_a_missing_database_says_so(cli, db_path, tmp_path):
    result = cli("backup", str(tmp_path / "b.db"))
    assert result.exit_code == 1
    assert result.stderr.startswith(f"pcrm: error: no database at {db_path}")
    assert not (tmp_path / "b.db").exists()


def test_backup_while_another_connection_writes_is_consistent(cli, two_contacts, tmp_path):
    db_path = two_contacts
    writer = sqlite3.connect(db_path, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("UPDATE contacts SET note = 'uncommitted' WHERE id = 1")
    # A writer holds the lock mid-transaction: the backup neither waits nor copies its work.
    result = cli("backup", str(tmp_path / "b.db"))
    writer.execute("COMMIT")
    writer.close()
    assert result.exit_code == 0, result.stderr
    copy = sqlite3.connect(tmp_path / "b.db")
    assert copy.execute("SELECT note FROM contacts WHERE id = 1").fetchone() == (None,)
    assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)


# restore


def test_restore_replaces_the_database_and_keeps_the_current_one(cli, two_contacts, tmp_path):
    db_path = two_contacts
    assert cli("backup", str(tmp_path / "saved.db")).exit_code == 0
    assert cli("contact", "add", "Katherine Johnson").exit_code == 0
    before_restore = dump(db_path)

    result = cli("restore", str(tmp_path / "saved.db"))
    assert result.exit_code == 0, result.stderr
    kept = db_path.parent / f"pcrm.db.{STAMP}.bak"
    assert result.stdout == f"restored {db_path} from {tmp_path / 'saved.db'}\n"
    assert result.stderr == f"the database it replaced is kept as {kept}\n"
    assert names(cli) == ["Ada Lovelace", "Grace Hopper"]
    assert dump(kept) == before_restore
    assert cli("search", "quote").stdout.startswith("interaction\t")


def test_restore_into_a_missing_database_creates_it_privately(cli, two_contacts, tmp_path):
    assert cli("backup", str(tmp_path / "saved.db")).exit_code == 0
    fresh = tmp_path / "new" / "pcrm.db"
    result = cli("--db", str(fresh), "restore", str(tmp_path / "saved.db"))
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    assert stat.S_IMODE(os.stat(fresh).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(fresh.parent).st_mode) == 0o700
    assert dump(fresh) == dump(tmp_path / "saved.db")


def refused(cli, db_path: Path, source: Path) -> str:
    """Restore `source`, which must be refused with the database and its folder untouched."""
    before, files = dump(db_path), sorted(os.listdir(db_path.parent))
    result = cli("restore", str(source))
    assert result.exit_code == 1
    assert result.stdout == ""
    assert len(result.stderr.splitlines()) == 1
    assert "Traceback" not in result.stderr
    assert dump(db_path) == before
    assert sorted(os.listdir(db_path.parent)) == files
    return result.stderr


def test_restore_refuses_a_truncated_copy(cli, two_contacts, tmp_path):
    bad = truncated_copy(two_contacts, tmp_path / "half.db")
    message = refused(cli, two_contacts, bad)
    assert message.startswith(f"pcrm: error: {bad} is damaged (")
    assert message.endswith("; nothing was replaced (try an older backup)\n")


def test_restore_refuses_files_that_are_not_pcrm_databases(cli, two_contacts, tmp_path):
    text = tmp_path / "contacts.csv"
    text.write_text("First Name,Last Name\nAda,Lovelace\n")
    assert refused(cli, two_contacts, text) == (
        f"pcrm: error: {text} is not a pcrm database (not an SQLite file); nothing was replaced\n"
    )
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("CREATE TABLE notes (x)").connection.close()
    assert refused(cli, two_contacts, other) == (
        f"pcrm: error: {other} is an SQLite file but not a pcrm database; nothing was replaced\n"
    )
    missing = tmp_path / "missing.bak"
    assert refused(cli, two_contacts, missing) == (
        f"pcrm: error: no backup file at {missing} (give the path of a .bak file)\n"
    )


def test_restore_refuses_a_file_from_a_newer_pcrm(cli, two_contacts, tmp_path):
    future = tmp_path / "future.db"
    assert cli("backup", str(future)).exit_code == 0
    conn = sqlite3.connect(future)
    conn.execute(
        "INSERT INTO _sqlite_migrations(migration_set, name, applied_at)"
        " VALUES ('pcrm', 'm999_from_the_future', '2030-01-01')"
    )
    conn.commit()
    conn.close()
    assert refused(cli, two_contacts, future) == (
        f"pcrm: error: {future} was written by a newer pcrm (schema step "
        "'m999_from_the_future'); nothing was replaced (upgrade pcrm to restore it)\n"
    )


def test_restore_of_an_older_schema_is_migrated_when_next_opened(cli, db_path, tmp_path):
    old = tmp_path / "old.db"
    make_m001_file(old)
    assert cli("restore", str(old)).exit_code == 0
    assert "Zoë Müller" in cli("contact", "list").stdout
    applied = sqlite3.connect(db_path).execute("SELECT name FROM _sqlite_migrations")
    assert [row[0] for row in applied] == known_names()


def test_restore_over_a_damaged_database_keeps_its_bytes(cli, two_contacts, tmp_path):
    db_path = two_contacts
    assert cli("backup", str(tmp_path / "saved.db")).exit_code == 0
    truncated_copy(db_path, tmp_path / "half.db")
    damaged = (tmp_path / "half.db").read_bytes()
    db_path.write_bytes(damaged)
    for suffix in ("-wal", "-shm"):
        db_path.with_name(db_path.name + suffix).unlink(missing_ok=True)

    result = cli("restore", str(tmp_path / "saved.db"))
    assert result.exit_code == 0, result.stderr
    assert names(cli) == ["Ada Lovelace", "Grace Hopper"]
    assert (db_path.parent / f"pcrm.db.{STAMP}.bak").read_bytes() == damaged


# doctor


def doctor_rows(result) -> list[list[str]]:
    return [line.split("\t") for line in result.stdout.splitlines() if "\t" in line]


def test_doctor_on_a_healthy_database(cli, two_contacts):
    db_path = two_contacts
    result = cli("doctor")
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    assert doctor_rows(result) == [
        ["ok", "permissions", "file 0600, folder 0700", ""],
        ["ok", "integrity", "PRAGMA integrity_check: ok", ""],
        [
            "ok",
            "schema",
            f"matches a fresh file ({len(known_names())} steps, last {known_names()[-1]})",
            "",
        ],
        ["ok", "links", "no orphaned links (PRAGMA foreign_key_check)", ""],
        ["ok", "search index", "3 entries match the records", ""],
    ]
    lines = result.stdout.splitlines()
    assert lines[-2].startswith(f"{db_path}: ")
    assert lines[-1] == ("records: 2 contacts, 0 companies, 0 deals, 1 interactions, 0 tasks")


def test_doctor_finds_and_fixes_a_search_index_out_of_step(cli, two_contacts):
    conn = sqlite3.connect(two_contacts)
    conn.execute("DELETE FROM search_index WHERE kind = 'interaction'")
    conn.execute("UPDATE search_index SET body = 'stale' WHERE kind = 'contact'")
    conn.execute(
        "INSERT INTO search_index(rowid, kind, title, body) VALUES (999, 'contact', 'x', '')"
    )
    conn.commit()
    conn.close()
    assert cli("search", "quote").stdout == ""

    result = cli("doctor")
    assert result.exit_code == 1
    assert doctor_rows(result)[4] == [
        "PROBLEM",
        "search index",
        "contact: 2 not indexed or out of date; contact: 1 left over from deleted records; "
        "interaction: 1 not indexed or out of date",
        "pcrm doctor --fix",
    ]
    assert result.stderr == "pcrm: error: 1 problem found (run: pcrm doctor --fix)\n"

    fixed = cli("doctor", "--fix")
    assert fixed.exit_code == 0, fixed.stderr
    assert fixed.stderr == "fixed: search index rebuilt from the records\n"
    assert cli("search", "quote").stdout.startswith("interaction\t")


def test_doctor_finds_and_fixes_orphaned_links_and_loose_permissions(cli, two_contacts):
    db_path = two_contacts
    conn = sqlite3.connect(db_path)  # foreign keys off, as in any other SQLite tool
    conn.execute("DELETE FROM contacts WHERE id = 1")
    conn.commit()
    conn.close()
    os.chmod(db_path, 0o644)
    os.chmod(db_path.parent, 0o755)

    result = cli("doctor")
    assert result.exit_code == 1
    rows = {row[1]: row for row in doctor_rows(result)}
    assert rows["permissions"][0] == "PROBLEM"
    assert rows["permissions"][2] == "file is 0644, folder is 0755 (want 0600 / 0700)"
    assert rows["links"][2] == (
        "orphaned links: 1 in contact_emails.contact_id -> contacts; "
        "1 in interaction_contacts.contact_id -> contacts"
    )
    assert result.stderr == "pcrm: error: 2 problems found (run: pcrm doctor --fix)\n"

    fixed = cli("doctor", "--fix")
    assert fixed.exit_code == 0, fixed.stderr
    assert fixed.stderr.splitlines() == [
        "fixed: permissions set to 0600 (file) and 0700 (folder)",
        "fixed: removed 1 orphaned row(s) of contact_emails (contact_id -> contacts)",
        "fixed: removed 1 orphaned row(s) of interaction_contacts (contact_id -> contacts)",
    ]
    assert stat.S_IMODE(os.stat(db_path).st_mode) == 0o600
    assert cli("doctor").exit_code == 0


def test_doctor_never_tightens_a_folder_shared_with_other_files(cli, tmp_path):
    # A database in /tmp, a home or a project folder: that folder is not pcrm's to chmod.
    shared = tmp_path / "projects"
    shared.mkdir(mode=0o755)
    (shared / "notes.txt").write_text("mine\n")
    database = shared / "crm.db"
    assert cli("--db", str(database), "contact", "add", "Ada").exit_code == 0
    os.chmod(shared, 0o755)
    assert cli("--db", str(database), "doctor").exit_code == 0
    os.chmod(database, 0o644)
    fixed = cli("--db", str(database), "doctor", "--fix")
    assert fixed.stderr.splitlines() == ["fixed: permissions set to 0600 (file)"]
    assert stat.S_IMODE(os.stat(database).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(shared).st_mode) == 0o755


def test_doctor_migrates_an_old_schema_only_with_fix(cli, db_path):
    make_m001_file(db_path)
    os.chmod(db_path, 0o600)
    os.chmod(db_path.parent, 0o700)
    before = dump(db_path)
    result = cli("doctor")
    assert result.exit_code == 1
    schema_row = doctor_rows(result)[2]
    assert schema_row[0] == "PROBLEM"
    assert schema_row[2].startswith(f"{len(known_names()) - 1} step(s) behind (m002_search")
    assert dump(db_path) == before

    fixed = cli("doctor", "--fix")
    assert fixed.exit_code == 0, fixed.stderr
    assert "fixed: schema brought up to date (the old file was backed up first)" in fixed.stderr
    assert len(list(db_path.parent.glob("pcrm.db.*.bak"))) == 1


def test_doctor_on_a_truncated_file_reports_and_never_writes(cli, two_contacts, tmp_path):
    db_path = two_contacts
    truncated_copy(db_path, tmp_path / "half.db")
    for suffix in ("-wal", "-shm"):
        db_path.with_name(db_path.name + suffix).unlink(missing_ok=True)
    db_path.write_bytes((tmp_path / "half.db").read_bytes())
    damaged = db_path.read_bytes()

    for args in (("doctor",), ("doctor", "--fix")):
        result = cli(*args)
        assert result.exit_code == 1
        assert "Traceback" not in result.stderr
        assert result.exception is None
        rows = {row[1]: row for row in doctor_rows(result)}
        assert rows["integrity"][0] == "PROBLEM"
        assert rows["integrity"][3] == "pcrm restore BACKUP_FILE"
        assert result.stderr.splitlines()[-1].startswith("pcrm: error: ")
        assert "pcrm restore BACKUP_FILE" in result.stderr.splitlines()[-1]
        assert db_path.read_bytes() == damaged


def test_doctor_refuses_a_missing_or_foreign_file(cli, db_path):
    result = cli("doctor")
    assert result.exit_code == 1
    assert result.stderr.startswith(f"pcrm: error: no database at {db_path}")
    assert not db_path.exists()
    db_path.parent.mkdir()
    db_path.write_text("hello")
    result = cli("doctor", "--fix")
    assert result.exit_code == 1
    assert result.stderr.startswith(f"pcrm: error: {db_path} is not a pcrm database")
    assert db_path.read_text() == "hello"


def test_doctor_json(cli, two_contacts):
    import json

    result = cli("doctor", "--json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["ok"] is True
    assert [check["name"] for check in data["checks"]] == [
        "permissions",
        "integrity",
        "schema",
        "links",
        "search index",
    ]
    assert data["counts"]["contacts"] == 2
    assert data["repaired"] == []


def test_doctor_on_a_terminal(cli, two_contacts):
    result = cli("doctor", terminal=True, width=80)
    assert result.exit_code == 0
    lines = [line.rstrip() for line in result.stdout.splitlines()]
    assert lines[1:3] == [
        "ok  permissions   file 0600, folder 0700",
        "ok  integrity     PRAGMA integrity_check: ok",
    ]
