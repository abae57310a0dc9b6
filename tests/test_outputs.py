"""Issue 14, items 4, 5 and 7: every write is checked, and every path pcrm writes follows one
rule (store/files.py's check_output): an existing file only with --force, never the database
(its -wal/-shm/-journal included) or the file being read, not even with --force, never a
device or a pipe; written under a temporary name, 0600, and renamed. A full disk is one
line and exit 1, for stdout as for -o. `demo --force` replaces only an empty file or a demo,
and a read never makes an empty file a database.

A full disk is a file size limit (RLIMIT_FSIZE) in a subprocess, with SIGXFSZ ignored so
that a write past it fails with EFBIG, as it would with ENOSPC."""

from __future__ import annotations

import os
import resource
import signal
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import dump, ok, one_line_error

PYTHON = sys.executable
LIMIT = 40_000  # above SQLite's 32 KiB shared-memory file, which a read creates
DISK_FULL = "the disk is full or the file too large: free some space and try again"


def run_limited(
    db_path: Path, args: list[str], stdout: Path, *, unbuffered: bool = True
) -> subprocess.CompletedProcess[str]:
    """`pcrm ARGS` with files limited to LIMIT bytes and stdout appended to `stdout`, which
    already holds all but 64 of them: the first 64 bytes of output fit, the rest do not."""

    def limit() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (LIMIT, LIMIT))

    stdout.write_bytes(b"#" * (LIMIT - 64))
    env = {**os.environ, "PCRM_DB": str(db_path), "PCRM_NOW": "2026-11-23T10:00:00Z"}
    env.pop("PYTHONUNBUFFERED", None)
    if unbuffered:  # python -u: Python's text layer dropped what a short write left out
        env["PYTHONUNBUFFERED"] = "1"
    with stdout.open("ab") as out:
        return subprocess.run(
            [PYTHON, "-m", "pcrm", *args],
            stdout=out,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            preexec_fn=limit,
            timeout=120,
        )


@pytest.fixture
def filled(cli, db_path: Path) -> Path:
    """A database with enough to print: ten people, and Ada's timeline of ten calls."""
    for i in range(10):
        ok(
            cli(
                "contact", "add", f"Person {i:02} with a long enough name", "--email", f"p{i}@x.org"
            )
        )
    ok(cli("contact", "add", "Ada Lovelace", "--email", "ada@example.org"))
    for i in range(10):
        ok(cli("log", "ada", f"Call {i}: " + "talked about the analytical engine " * 3))
    return db_path


# -- item 4: a full disk ----------------------------------------------------------------


@pytest.mark.parametrize("unbuffered", [True, False], ids=["python-u", "buffered"])
@pytest.mark.parametrize(
    "args",
    [
        ["export", "contacts"],
        ["export", "contacts", "--format", "json"],
        ["contact", "list"],
        ["contact", "list", "--json"],
        ["timeline", "ada"],
    ],
    ids=" ".join,
)
def test_a_full_stdout_is_one_line_and_exit_1(filled, tmp_path, args, unbuffered):
    out = tmp_path / "out.txt"
    result = run_limited(filled, args, out, unbuffered=unbuffered)
    assert (result.returncode, result.stderr) == (
        1,
        f"pcrm: error: cannot write output: File too large ({DISK_FULL})\n",
    )


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full (Linux only)")
@pytest.mark.parametrize("unbuffered", [True, False], ids=["python-u", "buffered"])
def test_stdout_on_a_full_disk_for_real(filled, unbuffered):
    """/dev/full: every write fails with ENOSPC, as on a full disk."""
    env = {**os.environ, "PCRM_DB": str(filled)}
    env.pop("PYTHONUNBUFFERED", None)
    if unbuffered:
        env["PYTHONUNBUFFERED"] = "1"
    for args in (["export", "contacts"], ["contact", "list"], ["timeline", "ada"]):
        with open("/dev/full", "wb") as full:
            result = subprocess.run(
                [PYTHON, "-m", "pcrm", *args], stdout=full, stderr=subprocess.PIPE, env=env
            )
        assert (result.returncode, result.stderr) == (
            1,
            b"pcrm: error: cannot write output: No space left on device"
            b" (the disk is full or the file too large: free some space and try again)\n",
        ), args


def test_a_closed_stdout_is_one_line(filled):
    env = {**os.environ, "PCRM_DB": str(filled)}
    for args in (["export", "contacts"], ["contact", "list"], ["show", "ada", "--json"]):
        result = subprocess.run(
            [PYTHON, "-m", "pcrm", *args],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            env=env,
            preexec_fn=lambda: os.close(1),  # `pcrm ... >&-`
        )
        assert (result.returncode, result.stderr) == (
            1,
            b"pcrm: error: cannot write output: stdout is closed\n",
        ), args


def test_a_full_disk_under_export_o_leaves_no_file(cli, db_path, tmp_path):
    ok(cli("contact", "add", "Ada Lovelace", "--note", "x" * 50_000))
    target = tmp_path / "out" / "contacts.csv"
    target.parent.mkdir()
    result = run_limited(db_path, ["export", "contacts", "-o", str(target)], tmp_path / "o")
    assert (result.returncode, result.stderr) == (
        1,
        f"pcrm: error: cannot write {target}: File too large ({DISK_FULL})\n",
    )
    assert list(target.parent.iterdir()) == []  # neither FILE nor its temporary


def test_a_full_disk_under_backup_leaves_no_file(cli, db_path, tmp_path):
    ok(cli("contact", "add", "Ada Lovelace", "--note", "x" * 50_000))
    before = dump(db_path)
    target = tmp_path / "out" / "pcrm.bak"
    target.parent.mkdir()
    result = run_limited(db_path, ["backup", str(target)], tmp_path / "o")
    assert (result.returncode, result.stderr) == (
        1,
        f"pcrm: error: cannot back up {db_path} to {target}: disk I/O error ({DISK_FULL})\n",
    )
    assert list(target.parent.iterdir()) == []
    assert dump(db_path) == before


def test_a_full_disk_under_a_database_write_is_not_a_damaged_file(cli, db_path, tmp_path):
    ok(cli("contact", "add", "Ada Lovelace"))
    before = dump(db_path)
    args = ["contact", "add", "Big Note", "--note", "x" * 60_000]
    result = run_limited(db_path, args, tmp_path / "o")
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith(f"pcrm: error: cannot write to {db_path}: ")
    assert result.stderr.endswith(f"({DISK_FULL}; the database was not changed)\n")
    assert "restore" not in result.stderr
    assert dump(db_path) == before


@pytest.mark.parametrize("unbuffered", [True, False], ids=["python-u", "buffered"])
def test_a_reader_leaving_stays_a_quiet_exit_0(cli, db_path, tmp_path, unbuffered):
    rows = "Name,Email\n" + "".join(f"Person {i},p{i}@example.org\n" for i in range(3000))
    (tmp_path / "many.csv").write_text(rows)
    ok(cli("import", "contacts", str(tmp_path / "many.csv")))
    env = {**os.environ, "PCRM_DB": str(db_path)}
    env.pop("PYTHONUNBUFFERED", None)
    if unbuffered:
        env["PYTHONUNBUFFERED"] = "1"
    for args in (["contact", "list", "--limit", "0"], ["export", "contacts"]):
        process = subprocess.Popen(
            [PYTHON, "-m", "pcrm", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
        )
        assert process.stdout is not None and process.stderr is not None
        process.stdout.read(10)
        process.stdout.close()  # `| head -c 10`: more than a pipe holds is still unwritten
        assert (process.wait(timeout=120), process.stderr.read()) == (0, b"")


# -- item 5: the output-path rule ---------------------------------------------------------


def _csv(tmp_path: Path) -> Path:
    path = tmp_path / "in.csv"
    path.write_text("Name,Email\nAda,ada@example.org\n,bob@\n")
    return path


def _outputs(tmp_path: Path, target: Path) -> dict[str, list[str]]:
    """Every command that writes a file the user names, writing to `target`."""
    source = _csv(tmp_path)
    return {
        "export -o": ["export", "contacts", "-o", str(target)],
        "export agenda -o": ["export", "agenda", "-o", str(target)],
        "import --rejects": ["import", "contacts", str(source), "--rejects", str(target)],
    }


@pytest.mark.parametrize("command", ["export -o", "export agenda -o", "import --rejects"])
@pytest.mark.parametrize("side", ["", "-wal", "-shm", "-journal"])
@pytest.mark.parametrize("force", [False, True], ids=["no-force", "force"])
def test_never_the_database_not_even_with_force(cli, db_path, tmp_path, command, side, force):
    ok(cli("contact", "add", "Someone"))
    before, raw = dump(db_path), db_path.read_bytes()
    target = db_path.with_name(db_path.name + side)
    args = _outputs(tmp_path, target)[command] + (["--force"] if force else [])
    what = {
        "": "the pcrm database",
        "-wal": "the pcrm database's write-ahead log",
        "-shm": "the pcrm database's shared-memory file",
        "-journal": "the pcrm database's journal",
    }[side]
    assert one_line_error(cli(*args)) == (
        f"pcrm: error: {target} is {what}; pcrm never writes over it (give another file name)\n"
    )
    assert db_path.read_bytes() == raw
    assert dump(db_path) == before
    assert sorted(p.name for p in db_path.parent.iterdir()) == ["pcrm.db"]


@pytest.mark.parametrize("command", ["export -o", "import --rejects"])
def test_never_the_database_by_another_name(cli, db_path, tmp_path, command):
    ok(cli("contact", "add", "Someone"))
    before = dump(db_path)
    link = tmp_path / "link.db"
    link.symlink_to(db_path)
    hard = tmp_path / "hard.db"
    os.link(db_path, hard)
    for target in (link, hard, tmp_path / "data" / ".." / "data" / "pcrm.db"):
        args = [*_outputs(tmp_path, target)[command], "--force"]
        assert "is the pcrm database; pcrm never writes over it" in one_line_error(cli(*args))
    assert dump(db_path) == before


def test_backup_never_writes_a_file_of_the_database(cli, db_path):
    ok(cli("contact", "add", "Someone"))
    wal = db_path.with_name("pcrm.db-wal")
    assert one_line_error(cli("backup", str(wal))) == (
        f"pcrm: error: {wal} is the pcrm database's write-ahead log; pcrm never writes over it"
        " (give another file name)\n"
    )
    assert not wal.exists()


@pytest.mark.parametrize("force", [False, True], ids=["no-force", "force"])
def test_rejects_never_replace_the_imported_file_or_the_map_file(cli, db_path, tmp_path, force):
    source = _csv(tmp_path)
    map_file = tmp_path / "columns.txt"
    map_file.write_text("Name=name\n")
    flag = ["--force"] if force else []
    for target, what in (
        (source, "the file being imported"),
        (map_file, "the --map-file being read"),
    ):
        text = target.read_text()
        args = ["import", "contacts", str(source), "--map-file", str(map_file)]
        result = cli(*args, "--rejects", str(target), *flag)
        assert one_line_error(result) == (
            f"pcrm: error: {target} is {what}; pcrm never writes over it (give another file name)\n"
        )
        assert target.read_text() == text
    assert not db_path.exists()  # refused before anything was imported


def test_rejects_replace_an_existing_file_only_with_force(cli, db_path, tmp_path):
    source = _csv(tmp_path)
    rejects = tmp_path / "rejects.csv"
    rejects.write_text("my own notes\n")
    result = cli("import", "contacts", str(source), "--rejects", str(rejects))
    assert one_line_error(result) == (
        f"pcrm: error: {rejects} already exists (add --force to replace it)\n"
    )
    assert rejects.read_text() == "my own notes\n"
    assert not db_path.exists()  # refused before the import ran
    ok(cli("import", "contacts", str(source), "--rejects", str(rejects), "--force"))
    assert rejects.read_bytes() == b"\xef\xbb\xbfName,Email\r\n,bob@\r\n"


@pytest.mark.parametrize("command", ["export -o", "import --rejects"])
def test_an_existing_file_is_refused_without_force(cli, db_path, tmp_path, command):
    ok(cli("contact", "add", "Someone"))
    target = tmp_path / "mine.txt"
    target.write_text("mine\n")
    args = _outputs(tmp_path, target)[command]
    assert "already exists (add --force to replace it)" in one_line_error(cli(*args))
    assert target.read_text() == "mine\n"


def _special_files(tmp_path: Path) -> list[tuple[Path, int]]:
    """A pipe, and (as root) a private /dev/null: never /dev/null itself, which older
    versions replaced."""
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    made = [(fifo, stat.S_IFIFO)]
    if os.geteuid() == 0:
        null = tmp_path / "null"
        os.mknod(null, stat.S_IFCHR | 0o666, os.makedev(1, 3))
        made.append((null, stat.S_IFCHR))
    return made


@pytest.mark.parametrize("command", ["export -o", "export agenda -o", "import --rejects"])
def test_a_device_or_a_pipe_is_refused_and_left_as_it_is(cli, db_path, tmp_path, command):
    ok(cli("contact", "add", "Someone"))
    before = dump(db_path)
    for target, kind in _special_files(tmp_path):
        args = [*_outputs(tmp_path, target)[command], "--force"]
        assert one_line_error(cli(*args)) == (
            f"pcrm: error: {target} is not a regular file (a device, pipe or socket); pcrm does"
            " not write into it (give a file name, or write to stdout and redirect it)\n"
        )
        assert stat.S_IFMT(os.lstat(target).st_mode) == kind
    assert dump(db_path) == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary


def test_demo_refuses_a_device_or_a_pipe(cli, tmp_path):
    for target, kind in _special_files(tmp_path):
        result = cli("demo", str(target), "--force", "--quiet")
        assert "is not a regular file (a device, pipe or socket)" in one_line_error(result)
        assert stat.S_IFMT(os.lstat(target).st_mode) == kind


def test_a_replaced_file_is_a_new_private_file_renamed_into_place(cli, db_path, tmp_path):
    ok(cli("contact", "add", "Someone"))
    target = tmp_path / "contacts.csv"
    target.write_text("old\n")
    target.chmod(0o644)
    old_inode = target.stat().st_ino
    keep = tmp_path / "keep.csv"
    os.link(target, keep)  # written in place, this other name would show the new export
    ok(cli("export", "contacts", "-o", str(target), "--force"))
    assert target.stat().st_ino != old_inode
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert keep.read_text() == "old\n"
    assert "Someone" in target.read_text()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["contacts.csv", "data", "keep.csv"]


def test_a_symbolic_link_stays_a_link_to_the_replaced_file(cli, db_path, tmp_path):
    ok(cli("contact", "add", "Someone"))
    real = tmp_path / "real.csv"
    real.write_text("old\n")
    link = tmp_path / "link.csv"
    link.symlink_to(real)
    ok(cli("export", "contacts", "-o", str(link), "--force"))
    assert link.is_symlink()
    assert "Someone" in real.read_text()


# -- item 7: the demo and empty files ---------------------------------------------------


def test_demo_force_never_replaces_a_real_database(cli, tmp_path):
    other = tmp_path / "other.db"
    ok(cli("--db", str(other), "contact", "add", "A Real Friend"))
    before, raw = dump(other), other.read_bytes()
    result = cli("demo", str(other), "--force", "--quiet")
    assert one_line_error(result) == (
        f"pcrm: error: {other} is a database that pcrm demo did not write; not replacing it"
        " (give another file name, or back it up and remove it first)\n"
    )
    assert dump(other) == before
    assert other.read_bytes() == raw


def test_demo_force_replaces_an_empty_file_or_a_demo(cli, tmp_path):
    empty = tmp_path / "empty.db"
    empty.touch()
    ok(cli("demo", str(empty), "--force", "--quiet"))
    count = sqlite3.connect(empty).execute("SELECT count(*) FROM contacts").fetchone()[0]
    assert count == 40
    ok(cli("--db", str(empty), "contact", "add", "Added To The Demo"))
    ok(cli("demo", str(empty), "--force", "--quiet"))  # still the demo's file
    assert "already exists" in one_line_error(cli("demo", str(empty), "--quiet"))


@pytest.mark.parametrize(
    "args", [["contact", "list"], ["show", "ada"], ["search", "ada"], ["export", "contacts"]]
)
def test_a_read_never_makes_an_empty_file_a_database(cli, tmp_path, args):
    empty = tmp_path / "notes.db"
    empty.touch()
    assert one_line_error(cli("--db", str(empty), *args)) == (
        f"pcrm: error: {empty} is an empty file, not a pcrm database (check --db / $PCRM_DB;"
        " a command that writes, such as contact add, makes it a database)\n"
    )
    assert empty.read_bytes() == b""
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.db"]  # no -wal, no -shm


def test_a_write_may_make_an_empty_file_a_database(cli, tmp_path):
    empty = tmp_path / "new.db"
    empty.touch()
    ok(cli("--db", str(empty), "contact", "add", "Ada"))
    assert "Ada" in ok(cli("--db", str(empty), "contact", "list"))
