"""`pcrm restore` while another pcrm writes: the restore waits for the write lock before it
saves the current file, so what the other process committed is in the kept copy (or in
the restored file), never lost between the two.

Real processes, ordered by the test and not by timing: a writer holds its transaction open
until the restore has said it is waiting for the lock (its stderr is a terminal, so it says
so as it does for a person); only then does the writer commit.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest

from conftest import dump
from processes import HOLDER, PYTHON, SAFETY, WAITING, OnTerminal, environment, pcrm


def names(path: Path) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        return [row[0] for row in conn.execute("SELECT name FROM contacts ORDER BY id")]
    finally:
        conn.close()


def kept_copies(db_path: Path) -> list[Path]:
    """The `pcrm.db.STAMP.bak` files beside the database."""
    return sorted(db_path.parent.glob(f"{db_path.name}.*.bak"))


def until_restore_waits(restore: OnTerminal, db_path: Path) -> list[Path]:
    """Until the restore says it waits for the lock, or has copied the database without it
    (what it did before: a `.bak` taken, then a wait, then the write overwritten), or ended.
    Returns the kept copies that existed at that moment."""
    deadline = time.monotonic() + SAFETY
    while WAITING not in restore.stderr:
        assert time.monotonic() < deadline, restore.stderr
        copies = kept_copies(db_path)
        if copies or restore.process.poll() is not None:
            return copies
        restore.read(0.05)
    return kept_copies(db_path)


@pytest.fixture
def saved(tmp_path: Path) -> tuple[Path, Path]:
    """A database with Ada, a backup of it, and then Grace added after the backup."""
    db_path = tmp_path / "data" / "pcrm.db"
    assert pcrm(db_path, "contact", "add", "Ada Lovelace").returncode == 0
    backup = tmp_path / "saved.db"
    assert pcrm(db_path, "backup", str(backup)).returncode == 0
    assert pcrm(db_path, "contact", "add", "Grace Hopper").returncode == 0
    return db_path, backup


@pytest.mark.slow
def test_a_restore_waits_for_a_write_under_way_and_keeps_what_it_committed(saved):
    db_path, backup = saved
    held = 40
    env = environment(db_path)
    holder = subprocess.Popen(
        [PYTHON, "-c", HOLDER, str(held)],
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stderr is not None
        assert holder.stdout.readline() == "holding\n", holder.stderr.read()
        restore = OnTerminal([PYTHON, "-m", "pcrm", "restore", str(backup)], env)
        copied_before_the_lock = until_restore_waits(restore, db_path)
    finally:
        out, err = holder.communicate("\n", timeout=SAFETY)  # commit, now
    assert (holder.returncode, out) == (0, "committed\n"), err
    restored_out = restore.finish()
    assert restore.process.returncode == 0, restore.stderr

    # Nothing is lost: the rows the writer committed are in the copy the restore kept.
    held_names = [f"Held {i}" for i in range(held)]
    [kept] = kept_copies(db_path)
    assert names(kept) == ["Ada Lovelace", "Grace Hopper", *held_names]
    assert names(db_path) == ["Ada Lovelace"]
    assert dump(db_path) == dump(backup)
    # It waited for the lock (and said so) before copying anything.
    assert copied_before_the_lock == []
    assert restore.stderr == (
        f"pcrm: waiting for another pcrm to finish writing…\n"
        f"the database it replaced is kept as {kept}\n"
    )
    assert restored_out == f"restored {db_path} from {backup}\n"


def google_csv(path: Path, rows: int) -> Path:
    lines = ["First Name,Last Name,E-mail 1 - Value"]
    lines += [f"Person{i},Imported,person{i}@example.org" for i in range(rows)]
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    return path


def holds_the_write_lock(db_path: Path) -> bool:
    """Whether some process holds the write lock, asked without waiting."""
    conn = sqlite3.connect(db_path, timeout=0, isolation_level=None)
    try:
        conn.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as exc:
        assert "locked" in str(exc), exc
        return True
    finally:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        conn.close()
    return False


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


@pytest.mark.slow
def test_a_restore_during_a_real_import_keeps_the_imported_rows(saved, tmp_path):
    """A real `pcrm import contacts`, frozen (SIGSTOP) while it holds the write lock, then a
    restore; the import goes on only once the restore says it waits."""
    db_path, backup = saved
    rows = 5000
    env = environment(db_path)
    source = google_csv(tmp_path / "google.csv", rows)
    importer = subprocess.Popen(
        [PYTHON, "-m", "pcrm", "import", "contacts", str(source)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + SAFETY
    while True:
        assert time.monotonic() < deadline
        assert importer.poll() is None, "the import ended before the test saw it write"
        if holds_the_write_lock(db_path) and frozen(importer):
            if holds_the_write_lock(db_path):
                break  # frozen inside its transaction
            importer.send_signal(signal.SIGCONT)  # frozen just after it: try again
    try:
        restore = OnTerminal([PYTHON, "-m", "pcrm", "restore", str(backup)], env)
        copied_before_the_lock = until_restore_waits(restore, db_path)
    finally:
        importer.send_signal(signal.SIGCONT)
    _, err = importer.communicate(timeout=SAFETY)
    assert importer.returncode == 0, err
    restore.finish()
    assert restore.process.returncode == 0, restore.stderr

    [kept] = kept_copies(db_path)
    imported = [n for n in names(kept) if n.endswith(" Imported")]
    assert len(imported) == rows
    assert names(db_path) == ["Ada Lovelace"]
    assert copied_before_the_lock == []
    assert WAITING in restore.stderr


def test_a_restore_locked_out_past_the_wait_replaces_nothing(cli, db_path, tmp_path, monkeypatch):
    assert cli("contact", "add", "Ada Lovelace").exit_code == 0
    assert cli("backup", str(tmp_path / "saved.db")).exit_code == 0
    assert cli("contact", "add", "Grace Hopper").exit_code == 0
    before, files = dump(db_path), sorted(os.listdir(db_path.parent))
    monkeypatch.setattr("pcrm.store.db.WRITE_WAIT_MS", 300)  # not a minute in a test
    monkeypatch.setattr("pcrm.store.db.NOTICE_MS", 100)
    holder = sqlite3.connect(db_path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another process in the middle of a long write
    try:
        result = cli("restore", str(tmp_path / "saved.db"))
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (
        f"pcrm: error: database {db_path} is locked by another process; nothing was "
        "replaced (wait for it to finish and try again)\n"
    )
    assert dump(db_path) == before
    assert sorted(os.listdir(db_path.parent)) == files  # no copy kept: nothing replaced


def test_a_restore_that_cannot_keep_the_current_file_replaces_nothing(saved):
    """A full disk (RLIMIT_FSIZE below the database's size) while the current file is being
    kept: one clear line, the database as it was, no `.bak` and no temporary file."""
    import resource

    db_path, backup = saved
    conn = sqlite3.connect(db_path)
    conn.execute("UPDATE contacts SET note = hex(randomblob(400000)) WHERE name = 'Grace Hopper'")
    conn.commit()
    conn.close()
    before, files = dump(db_path), sorted(os.listdir(db_path.parent))

    def full_disk() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit: EFBIG
        resource.setrlimit(resource.RLIMIT_FSIZE, (256 * 1024, 256 * 1024))

    result = subprocess.run(
        [PYTHON, "-m", "pcrm", "restore", str(backup)],
        capture_output=True,
        text=True,
        env=environment(db_path),
        preexec_fn=full_disk,
        timeout=SAFETY,
    )
    assert result.returncode == 1
    assert result.stdout == ""
    [line] = result.stderr.splitlines()
    assert line.startswith(f"pcrm: error: cannot write {db_path}.20261123T100000Z.bak: ")
    assert line.endswith(": free some space and try again)")
    assert dump(db_path) == before
    assert names(db_path) == ["Ada Lovelace", "Grace Hopper"]
    assert sorted(os.listdir(db_path.parent)) == files
