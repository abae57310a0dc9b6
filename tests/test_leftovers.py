"""A backup, the backup before a migration or a restore killed (SIGKILL) while it writes
its copy leaves no half-written `.bak`: the copy is written under a temporary name and
renamed when complete. The temporary file the kill leaves beside the database is listed by
`pcrm doctor` and removed by `doctor --fix`; no other file is touched, and a temporary file
that a running pcrm is writing is neither.

Each process is killed at a moment the test chooses, not by timing: frozen (SIGSTOP) once
its temporary file exists, checked to still have it, then killed.
"""

from __future__ import annotations

import os
import re
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest

from conftest import dump
from processes import PYTHON, SAFETY, environment, pcrm
from test_store import make_m001_file

DECOYS = (
    ".pcrm.db.notes.tmp",
    ".pcrm.db.tmp",
    "pcrm.db.12345.abcdefgh.tmp",
    ".other.db.12345.abcdefgh.tmp",
    ".pcrm.db.mine.12345.abcdefgh.tmp",
    "notes.txt",
)


def temporary(folder: Path) -> list[str]:
    """pcrm's temporary files beside the database (the user's DECOYS aside)."""
    names = set(os.listdir(folder)) - set(DECOYS)
    return sorted(n for n in names if n.startswith(".pcrm.db.") and ".tmp" in n)


def listing(folder: Path) -> list[str]:
    """The folder's files, without SQLite's -wal/-shm of the database itself."""
    return sorted(n for n in os.listdir(folder) if n not in ("pcrm.db-wal", "pcrm.db-shm"))


def frozen(process: subprocess.Popen[bytes]) -> bool:
    """Stop the process (SIGSTOP) and wait until it is stopped; False if it exited first."""
    process.send_signal(signal.SIGSTOP)
    if process.returncode is not None:
        return False
    _, status = os.waitpid(process.pid, os.WUNTRACED)
    if os.WIFSTOPPED(status):
        return True
    process.returncode = os.waitstatus_to_exitcode(status)
    return False


def killed_while_writing(args: list[str], db_path: Path) -> list[str] | None:
    """Run pcrm ARGS and SIGKILL it while its temporary file exists beside the database;
    returns the temporary files then, or None if it finished before it could be caught
    with one (the caller tries again)."""
    process = subprocess.Popen(
        [PYTHON, "-m", "pcrm", *args],
        env=environment(db_path),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + SAFETY
    while not temporary(db_path.parent):
        assert time.monotonic() < deadline
        if process.poll() is not None:
            return None
    if not frozen(process):
        return None
    seen = temporary(db_path.parent)
    if not seen:  # renamed into place just before the stop
        process.send_signal(signal.SIGCONT)
        process.wait(timeout=SAFETY)
        return None
    process.kill()
    process.wait(timeout=SAFETY)
    return seen


def doctor_rows(result: subprocess.CompletedProcess[str]) -> dict[str, list[str]]:
    rows = [line.split("\t") for line in result.stdout.splitlines() if "\t" in line]
    return {row[1]: row for row in rows}


def assert_doctor_finds_and_removes(db_path: Path, seen: list[str]) -> None:
    folder = db_path.parent
    for name in DECOYS:
        (folder / name).write_text("mine\n")
    before = listing(folder)

    found = pcrm(db_path, "doctor")
    assert found.returncode == 1
    assert doctor_rows(found)["leftovers"] == [
        "PROBLEM",
        "leftovers",
        f"{len(seen)} temporary file(s) left by an interrupted pcrm: {', '.join(seen)}",
        "pcrm doctor --fix",
    ]
    assert "(run: pcrm doctor --fix" in found.stderr.splitlines()[-1]
    assert listing(folder) == before  # doctor alone changes nothing

    fixed = pcrm(db_path, "doctor", "--fix")
    assert (
        f"fixed: removed {len(seen)} temporary file(s) left by an interrupted pcrm: "
        f"{', '.join(seen)}"
    ) in fixed.stderr.splitlines()
    assert "leftovers" not in doctor_rows(fixed)
    assert temporary(folder) == []
    for name in DECOYS:  # the user's files are all there, untouched
        assert (folder / name).read_text() == "mine\n"


@pytest.fixture
def one_contact(db_path: Path) -> Path:
    assert pcrm(db_path, "contact", "add", "Ada Lovelace").returncode == 0
    return db_path


@pytest.fixture
def hold_the_file(one_contact: Path):
    """Lock every other process out of the database, readers too (an exclusive lock): a
    pcrm that reads it waits, with its temporary file made, until the lock is let go."""
    conn = sqlite3.connect(one_contact, isolation_level=None)
    conn.execute("PRAGMA locking_mode = EXCLUSIVE")
    conn.execute("BEGIN IMMEDIATE")
    conn.execute("SELECT count(*) FROM contacts").fetchone()

    held = [True]

    def let_go() -> None:
        if held.pop() if held else False:
            conn.execute("ROLLBACK")
            conn.close()

    yield let_go
    let_go()


def test_a_killed_backup_leaves_no_bak_and_doctor_removes_its_temporary_file(
    one_contact, hold_the_file
):
    db_path = one_contact
    seen = killed_while_writing(["backup"], db_path)
    hold_the_file()
    assert seen is not None
    [name] = seen
    assert name.startswith(".pcrm.db.20261123T100000Z.bak.") and name.endswith(".tmp")
    assert not list(db_path.parent.glob("*.bak"))  # no half-written backup
    assert_doctor_finds_and_removes(db_path, seen)
    assert listing(db_path.parent) == sorted(["pcrm.db", *DECOYS])


def test_a_temporary_file_being_written_is_not_a_leftover(one_contact, hold_the_file):
    """A backup alive (frozen) with its temporary file made: doctor neither lists nor
    removes that file, and the backup completes once it goes on."""
    db_path = one_contact
    process = subprocess.Popen(
        [PYTHON, "-m", "pcrm", "backup"],
        env=environment(db_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + SAFETY
    while not temporary(db_path.parent):
        assert time.monotonic() < deadline
        assert process.poll() is None, process.stderr
    assert frozen(process)
    hold_the_file()
    in_use = temporary(db_path.parent)
    for args in (["doctor"], ["doctor", "--fix"]):
        result = pcrm(db_path, *args)
        assert result.returncode == 0, result.stdout + result.stderr
        assert "leftovers" not in doctor_rows(result), result.stdout
        assert result.stderr == ""
    assert temporary(db_path.parent) == in_use
    process.send_signal(signal.SIGCONT)
    out, err = process.communicate(timeout=SAFETY)
    assert process.returncode == 0, err
    kept = db_path.parent / "pcrm.db.20261123T100000Z.bak"
    assert out == f"backed up {db_path} to {kept}\n"
    assert dump(kept) == dump(db_path)
    assert temporary(db_path.parent) == []


def big_notes(path: Path, rows: int = 2000, size: int = 8000) -> None:
    """Make the file large enough (some 30 MB) that copying it takes a while."""
    conn = sqlite3.connect(path)
    conn.execute(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)"
        " INSERT INTO contacts(uid, name, name_key, note, created_at, updated_at)"
        " SELECT 'uid-' || i, 'Person ' || i, 'person ' || i, hex(randomblob(?)),"
        " '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z' FROM n",
        [rows, size],
    )
    conn.commit()
    conn.close()


@pytest.mark.slow
def test_a_migration_killed_while_taking_its_backup_leaves_no_bak(db_path):
    """The copy taken before upgrading an old file: killed half-way, the old file is as it
    was and no `.bak` exists; doctor removes the temporary file, and --fix then upgrades
    (after a whole backup)."""
    for _attempt in range(20):
        for entry in db_path.parent.glob("*") if db_path.parent.exists() else []:
            entry.unlink()
        make_m001_file(db_path)
        big_notes(db_path)
        before = dump(db_path)
        seen = killed_while_writing(["contact", "list"], db_path)
        if seen is not None:
            break
    else:
        pytest.fail("the migration's backup was never caught half-way")
    # Named after the real time: the migration's backup does not read PCRM_NOW.
    assert any(re.fullmatch(r"\.pcrm\.db\.\d{8}T\d{6}Z\.bak\..*\.tmp", n) for n in seen), seen
    assert not list(db_path.parent.glob("*.bak"))
    assert dump(db_path) == before
    assert_doctor_finds_and_removes(db_path, seen)
    [backup] = db_path.parent.glob("*.bak")  # --fix upgraded the file, after a whole copy
    assert dump(backup) == before


@pytest.mark.slow
def test_a_restore_killed_while_keeping_the_current_file_leaves_no_bak(db_path, tmp_path):
    saved = tmp_path / "saved.db"
    for _attempt in range(20):
        for entry in db_path.parent.glob("*") if db_path.parent.exists() else []:
            entry.unlink()
        saved.unlink(missing_ok=True)
        assert pcrm(db_path, "contact", "add", "Ada Lovelace").returncode == 0
        assert pcrm(db_path, "backup", str(saved)).returncode == 0
        big_notes(db_path)
        before = dump(db_path)
        seen = killed_while_writing(["restore", str(saved)], db_path)
        if seen is not None:
            break
    else:
        pytest.fail("the restore's copy of the current file was never caught half-way")
    assert not list(db_path.parent.glob("*.bak"))
    assert dump(db_path) == before  # nothing was replaced
    assert_doctor_finds_and_removes(db_path, seen)
    assert listing(db_path.parent) == sorted(["pcrm.db", *DECOYS])
