"""`pcrm backup --replica URL` / `pcrm restore --replica URL`: the real litestream (the
`replica` extra, in the test extra too) with file:// replicas in tmp_path.

Two "machines" are two database files with two state folders (XDG_STATE_HOME), so two
host ids; both have this machine's host name."""

from __future__ import annotations

import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import Result, one_line_error
from pcrm.store.litestream import executable, parse_url, replicate_once


def _litestream_runs() -> str | None:
    try:
        program = executable()
        done = subprocess.run([program, "version"], capture_output=True, text=True, check=False)
    except Exception as exc:
        return f"litestream cannot run here: {exc}"
    return None if done.returncode == 0 else f"litestream cannot run here: {done.stderr}"


_CANNOT = _litestream_runs()
pytestmark = pytest.mark.skipif(_CANNOT is not None, reason=_CANNOT or "")

Cli = Callable[..., Result]


class Machine:
    """One laptop: its database file and its state folder (where its host id lives)."""

    def __init__(self, cli: Cli, root: Path, name: str) -> None:
        self.cli = cli
        self.db = root / name / "pcrm.db"
        self.state = root / name / "state"

    def run(self, *args: str) -> Result:
        return self.cli("--db", str(self.db), *args, env={"XDG_STATE_HOME": str(self.state)})

    def ok(self, *args: str) -> Result:
        result = self.run(*args)
        assert result.exit_code == 0, result.stderr
        return result

    @property
    def host_id(self) -> str:
        return (self.state / "pcrm" / "host-id").read_text().strip()


@pytest.fixture
def laptop(cli: Cli, tmp_path: Path) -> Machine:
    return Machine(cli, tmp_path, "laptop")


@pytest.fixture
def desktop(cli: Cli, tmp_path: Path) -> Machine:
    return Machine(cli, tmp_path, "desktop")


@pytest.fixture
def url(tmp_path: Path) -> str:
    """A replica on a mounted "NAS": the folder that holds it exists."""
    (tmp_path / "nas").mkdir()
    return (tmp_path / "nas" / "pcrm").as_uri()


def dump(path: Path) -> list[str]:
    """The file's content as SQL, without Litestream's own bookkeeping tables."""
    conn = sqlite3.connect(path)
    try:
        return [line for line in conn.iterdump() if "_litestream_" not in line]
    finally:
        conn.close()


def ltx_files(tmp_path: Path) -> list[str]:
    return sorted(p.name for p in (tmp_path / "nas" / "pcrm").rglob("*.ltx"))


def one_error_line(result: Result) -> str:
    """The one `pcrm: error:` line (exit 1, nothing on stdout, no traceback)."""
    return one_line_error(result).rstrip("\n")


def test_replicate_write_replicate_restore_gives_the_same_database(
    laptop: Machine, desktop: Machine, url: str, tmp_path: Path
) -> None:
    laptop.ok("contact", "add", "Ada Lovelace", "--email", "ada@example.org")
    first = laptop.ok("backup", "--replica", url)
    assert first.stdout == f"pushed {laptop.db} to {url} (TXID 0000000000000001)\n"
    laptop.ok("log", "ada", "Call: wants a quote for 20 seats", "--kind", "call")
    laptop.ok("contact", "add", "Grace Hopper")
    second = laptop.ok("backup", "--replica", url)
    assert second.stdout == f"pushed {laptop.db} to {url} (TXID 0000000000000002)\n"

    restored = desktop.ok("restore", "--replica", url)
    assert restored.stdout == f"restored {desktop.db} from {url} (TXID 0000000000000002)\n"
    assert dump(desktop.db) == dump(laptop.db)
    shown = desktop.ok("contact", "show", "ada")
    assert "wants a quote for 20 seats" in shown.stdout
    # Litestream's tables in the file are not a schema problem for doctor.
    doctor = laptop.run("doctor")
    assert "PROBLEM" not in doctor.stdout, doctor.stdout


def test_a_push_of_an_unchanged_file_adds_nothing_to_the_replica(
    laptop: Machine, url: str, tmp_path: Path
) -> None:
    laptop.ok("contact", "add", "Ada Lovelace")
    laptop.ok("backup", "--replica", url)
    files = ltx_files(tmp_path)
    laptop.ok("contact", "list")  # reading is not a change, nor doctor's checks
    laptop.ok("doctor")
    again = laptop.ok("backup", "--replica", url)
    assert again.stdout == (
        f"{laptop.db} has not changed since its last push to {url} (TXID 0000000000000001)\n"
    )
    assert ltx_files(tmp_path) == files
    laptop.ok("contact", "add", "Grace Hopper")
    assert "(TXID 0000000000000002)" in laptop.ok("backup", "--replica", url).stdout


def test_a_second_writer_is_refused_and_the_replica_keeps_the_first_ones_data(
    laptop: Machine, desktop: Machine, url: str, tmp_path: Path
) -> None:
    laptop.ok("contact", "add", "Ada Lovelace")
    laptop.ok("backup", "--replica", url)
    desktop.ok("contact", "add", "Zed Shaw")
    before = desktop.db.read_bytes()
    files = ltx_files(tmp_path)

    line = one_error_line(desktop.run("backup", "--replica", url))
    assert re.fullmatch(
        re.escape(f"pcrm: error: {url} was last written at ")
        + r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"
        + re.escape(
            f" by {socket.gethostname()} (host id {laptop.host_id}); this database never"
            f" pushed to it (to get its data: pcrm restore --replica {url}; to replace it"
            " with this database: add --take-over)"
        ),
        line,
    ), line
    assert desktop.db.read_bytes() == before
    assert ltx_files(tmp_path) == files
    third = Machine(laptop.cli, tmp_path, "third")
    third.ok("restore", "--replica", url)
    names = third.ok("contact", "list").stdout
    assert "Ada Lovelace" in names and "Zed" not in names


def test_a_machine_that_restored_writes_only_after_take_over_and_then_the_first_is_refused(
    laptop: Machine, desktop: Machine, url: str
) -> None:
    laptop.ok("contact", "add", "Ada Lovelace")
    laptop.ok("backup", "--replica", url)
    restored = desktop.ok("restore", "--replica", url)
    assert restored.stderr == (
        f"{url} is written by {socket.gethostname()} (host id {laptop.host_id});"
        f" to push to it from here: pcrm backup --replica {url} --take-over\n"
    )
    desktop.ok("contact", "add", "Grace Hopper")
    line = one_error_line(desktop.run("backup", "--replica", url))
    assert f"(host id {laptop.host_id})" in line

    took = desktop.ok("backup", "--replica", url, "--take-over")
    assert took.stdout == f"pushed {desktop.db} to {url} (TXID 0000000000000002)\n"
    assert took.stderr == (
        f"took over {url} from {socket.gethostname()} (host id {laptop.host_id})\n"
    )
    # The laptop, which pushed last at TXID 1, is now refused, naming the desktop.
    laptop.ok("contact", "add", "Linus Torvalds")
    before = dump(laptop.db)
    line = one_error_line(laptop.run("backup", "--replica", url))
    assert f" by {socket.gethostname()} (host id {desktop.host_id}); " in line
    assert "not by this database" in line
    assert dump(laptop.db) == before
    # The desktop goes on pushing without --take-over.
    desktop.ok("contact", "add", "Barbara Liskov")
    assert "(TXID 0000000000000003)" in desktop.ok("backup", "--replica", url).stdout


def test_restore_with_take_over_makes_this_machine_the_writer_at_once(
    laptop: Machine, desktop: Machine, url: str
) -> None:
    laptop.ok("contact", "add", "Ada Lovelace")
    laptop.ok("backup", "--replica", url)
    took = desktop.ok("restore", "--replica", url, "--take-over")
    assert took.stderr == (
        f"this machine is now the writer of {url} (pushed TXID 0000000000000002)\n"
    )
    laptop.ok("contact", "add", "Grace Hopper")
    line = one_error_line(laptop.run("backup", "--replica", url))
    assert f"(host id {desktop.host_id})" in line
    desktop.ok("contact", "add", "Barbara Liskov")
    assert "pushed" in desktop.ok("backup", "--replica", url).stdout
    # The old laptop gets the data back and takes the replica again.
    laptop.ok("restore", "--replica", url, "--take-over")
    names = laptop.ok("contact", "list").stdout
    assert "Barbara Liskov" in names and "Grace Hopper" not in names
    laptop.ok("contact", "add", "Edsger Dijkstra")
    laptop.ok("backup", "--replica", url)
    fresh = Machine(laptop.cli, laptop.db.parent.parent, "fresh")
    fresh.ok("restore", "--replica", url)
    assert dump(fresh.db) == dump(laptop.db)


def test_restore_keeps_the_current_file_aside(laptop: Machine, desktop: Machine, url: str) -> None:
    laptop.ok("contact", "add", "Ada Lovelace")
    laptop.ok("backup", "--replica", url)
    desktop.ok("contact", "add", "Zed Shaw")
    kept_dump = dump(desktop.db)
    restored = desktop.ok("restore", "--replica", url)
    kept = [p for p in desktop.db.parent.iterdir() if p.name.endswith(".bak")]
    assert len(kept) == 1
    assert f"the database it replaced is kept as {kept[0]}\n" in restored.stderr
    assert dump(kept[0]) == kept_dump
    assert (kept[0].stat().st_mode & 0o777) == 0o600
    assert (desktop.db.stat().st_mode & 0o777) == 0o600
    assert "Zed" not in desktop.ok("contact", "list").stdout


@pytest.mark.parametrize(
    ("replica", "expected"),
    [
        ("http://nas.local/pcrm", "unsupported replica URL scheme http:// in"),
        ("nas/pcrm", "is not a replica URL (for a folder, write file:///"),
        ("file://nas/pcrm", "is not a file:// URL of an absolute folder"),
        ("s3://", "names no bucket"),
        (
            "s3://KEY:SECRET@bucket/pcrm",
            "a replica URL must not carry credentials (give them to litestream in its"
            " environment: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)",
        ),
    ],
)
@pytest.mark.parametrize("command", ["backup", "restore"])
def test_bad_urls_are_refused_in_one_line(
    laptop: Machine, command: str, replica: str, expected: str
) -> None:
    laptop.ok("contact", "add", "Ada Lovelace")
    before = dump(laptop.db)
    line = one_error_line(laptop.run(command, "--replica", replica))
    assert expected in line
    assert dump(laptop.db) == before


def test_restore_from_a_replica_that_does_not_exist(laptop: Machine, tmp_path: Path) -> None:
    laptop.ok("contact", "add", "Ada Lovelace")
    before = dump(laptop.db)
    missing = (tmp_path / "nowhere").as_uri()
    line = one_error_line(laptop.run("restore", "--replica", missing))
    assert line == (
        f"pcrm: error: no replica at {missing}: {tmp_path / 'nowhere'} does not exist"
        " (check the URL; is the disk mounted?)"
    )
    (tmp_path / "empty").mkdir()
    empty = (tmp_path / "empty").as_uri()
    line = one_error_line(laptop.run("restore", "--replica", empty))
    assert line.startswith(f"pcrm: error: no replica at {empty} (it holds nothing to restore)")
    assert dump(laptop.db) == before


def test_a_push_to_an_unmounted_folder_is_refused(laptop: Machine, tmp_path: Path) -> None:
    laptop.ok("contact", "add", "Ada Lovelace")
    target = tmp_path / "mnt" / "nas" / "pcrm"
    line = one_error_line(laptop.run("backup", "--replica", target.as_uri()))
    assert f"cannot push to {target.as_uri()}: {target.parent} does not exist" in line
    assert not (tmp_path / "mnt").exists()


def test_litestream_failing_shows_its_error_line(laptop: Machine, tmp_path: Path) -> None:
    laptop.ok("contact", "add", "Ada Lovelace")
    before = dump(laptop.db)
    (tmp_path / "afile").write_text("not a folder\n")
    line = one_error_line(laptop.run("backup", "--replica", (tmp_path / "afile").as_uri()))
    assert line == f"pcrm: error: litestream failed: open {tmp_path}/afile/ltx/0: not a directory"
    assert dump(laptop.db) == before
    broken = tmp_path / "broken" / "ltx" / "0"
    broken.mkdir(parents=True)
    (broken / "0000000000000001-0000000000000001.ltx").write_bytes(b"junk\n")
    line = one_error_line(laptop.run("restore", "--replica", (tmp_path / "broken").as_uri()))
    assert line.startswith(
        f"pcrm: error: cannot restore {(tmp_path / 'broken').as_uri()}: litestream failed:"
        " invalid ltx file"
    )
    assert dump(laptop.db) == before


def test_a_replica_that_is_not_a_pcrm_database_is_not_restored(
    laptop: Machine, tmp_path: Path
) -> None:
    laptop.ok("contact", "add", "Ada Lovelace")
    before = dump(laptop.db)
    other = tmp_path / "other.db"
    conn = sqlite3.connect(other)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("CREATE TABLE notes (body TEXT)")
    conn.execute("INSERT INTO notes VALUES ('hello')")
    conn.commit()
    conn.close()
    replica = (tmp_path / "foreign").as_uri()
    subprocess.run(
        [executable(), "replicate", "-once", str(other), replica], check=True, capture_output=True
    )
    line = one_error_line(laptop.run("restore", "--replica", replica))
    assert "is an SQLite file but not a pcrm database; nothing was replaced" in line
    assert dump(laptop.db) == before
    assert not [p for p in laptop.db.parent.iterdir() if p.name.endswith(".bak")]


def test_without_litestream_one_line_says_how_to_install_it(
    laptop: Machine, url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    laptop.ok("contact", "add", "Ada Lovelace")
    before = dump(laptop.db)
    monkeypatch.setattr(sys, "executable", str(tmp_path / "no-python" / "python"))
    monkeypatch.setenv("PATH", str(tmp_path / "empty-path"))
    for command in ("backup", "restore"):
        line = one_error_line(laptop.run(command, "--replica", url))
        assert line == "pcrm: error: litestream is not installed: pip install 'pcrm[replica]'"
    assert dump(laptop.db) == before


def test_take_over_and_both_file_and_replica_are_usage_errors(
    laptop: Machine, url: str, tmp_path: Path
) -> None:
    laptop.ok("contact", "add", "Ada Lovelace")
    assert laptop.run("backup", "--take-over").exit_code == 2
    assert laptop.run("backup", str(tmp_path / "x.bak"), "--replica", url).exit_code == 2
    assert laptop.run("restore", "--replica", url, str(tmp_path / "x.bak")).exit_code == 2
    assert laptop.run("restore").exit_code == 2
    assert not (tmp_path / "x.bak").exists()


def _hold_write_lock(database: Path, seconds: float, name: str) -> threading.Thread:
    """Another process's write under way: a transaction holding the write lock, committed
    (the contact `name` added) after `seconds`."""
    conn = sqlite3.connect(database, isolation_level=None, check_same_thread=False)
    conn.execute("BEGIN IMMEDIATE")
    conn.execute(
        "INSERT INTO contacts (uid, name, name_key, created_at, updated_at)"
        " VALUES (?, ?, ?, '2026-11-23T10:00:00Z', '2026-11-23T10:00:00Z')",
        [f"uid-{name}", name, name.lower()],
    )

    def commit_later() -> None:
        time.sleep(seconds)
        conn.execute("COMMIT")
        conn.close()

    thread = threading.Thread(target=commit_later)
    thread.start()
    return thread


def test_a_push_waits_for_a_write_under_way_and_carries_it(
    laptop: Machine, url: str, tmp_path: Path
) -> None:
    laptop.ok("contact", "add", "Ada Lovelace")
    laptop.ok("backup", "--replica", url)
    thread = _hold_write_lock(laptop.db, 2.0, "First Writer")
    try:
        pushed = laptop.ok("backup", "--replica", url)
    finally:
        thread.join()
    assert "(TXID 0000000000000002)" in pushed.stdout
    # Litestream's local copy of what it pushed does not pile up beside the database.
    local = laptop.db.with_name(f".{laptop.db.name}-litestream")
    assert not list(local.rglob("*.ltx"))
    # Litestream's own wait for the lock is 1 s; pcrm runs it again until the write is done.
    laptop.ok("contact", "add", "Grace Hopper")  # its close checkpoints: no WAL left
    thread = _hold_write_lock(laptop.db, 2.5, "Held Writer")
    waited: list[bool] = []
    try:
        replicate_once(
            executable(), laptop.db, parse_url(url), wait_s=30, on_wait=lambda: waited.append(True)
        )
    finally:
        thread.join()
    assert waited == [True]
    fresh = Machine(laptop.cli, tmp_path, "fresh")
    fresh.ok("restore", "--replica", url)
    names = fresh.ok("contact", "list").stdout
    assert "First Writer" in names and "Held Writer" in names


def test_an_emptied_replica_is_started_again_only_with_take_over(
    laptop: Machine, url: str, tmp_path: Path
) -> None:
    laptop.ok("contact", "add", "Ada Lovelace")
    laptop.ok("backup", "--replica", url)
    shutil.rmtree(tmp_path / "nas" / "pcrm")
    line = one_error_line(laptop.run("backup", "--replica", url))
    assert line == (
        f"pcrm: error: {url} is empty, but this database pushed to it before (if it was moved"
        " or deleted on purpose, start it again with --take-over)"
    )
    assert not (tmp_path / "nas" / "pcrm").exists()
    pushed = laptop.ok("backup", "--replica", url, "--take-over")
    assert pushed.stdout == f"pushed {laptop.db} to {url} (TXID 0000000000000001)\n"
    fresh = Machine(laptop.cli, tmp_path, "fresh")
    fresh.ok("restore", "--replica", url)
    assert dump(fresh.db) == dump(laptop.db)


def test_this_machine_is_named_as_such_when_another_of_its_files_wrote_the_replica(
    laptop: Machine, url: str, tmp_path: Path
) -> None:
    laptop.ok("contact", "add", "Ada Lovelace")
    laptop.ok("backup", "--replica", url)
    other = Machine(laptop.cli, tmp_path, "laptop-other-file")
    other.state = laptop.state  # the same machine, another database file
    other.ok("contact", "add", "Zed Shaw")
    line = one_error_line(other.run("backup", "--replica", url))
    assert f"(host id {laptop.host_id}, this machine); this database never pushed" in line


def test_a_replica_of_an_older_pcrm_file_is_restored_and_upgraded(
    laptop: Machine, tmp_path: Path
) -> None:
    from pcrm.store.migrations import apply, known_names

    names = known_names()
    old = tmp_path / "old" / "pcrm.db"
    old.parent.mkdir()
    conn = sqlite3.connect(old)
    conn.execute("PRAGMA journal_mode = WAL")
    apply(conn, only=names[:10])
    conn.execute(
        "INSERT INTO contacts (uid, name, name_key, created_at, updated_at)"
        " VALUES ('c1', 'Ada Lovelace', 'ada lovelace', '2026-01-01T00:00:00Z',"
        " '2026-01-01T00:00:00Z')"
    )
    conn.commit()
    conn.close()
    replica = (tmp_path / "old-replica").as_uri()
    subprocess.run(
        [executable(), "replicate", "-once", str(old), replica], check=True, capture_output=True
    )
    laptop.ok("restore", "--replica", replica)
    assert "Ada Lovelace" in laptop.ok("contact", "list").stdout
    conn = sqlite3.connect(laptop.db)
    try:
        steps = [row[0] for row in conn.execute("SELECT name FROM _sqlite_migrations")]
    finally:
        conn.close()
    assert steps == names  # brought up to date when pcrm opened it
    # A replica written without pcrm's lease (litestream by hand) is named as such.
    laptop.ok("contact", "add", "Grace Hopper")
    line = one_error_line(laptop.run("backup", "--replica", replica))
    assert " by a writer pcrm cannot name (no pcrm lease in it); " in line


def test_the_writer_restoring_its_own_replica_stays_the_writer(laptop: Machine, url: str) -> None:
    laptop.ok("contact", "add", "Ada Lovelace")
    laptop.ok("backup", "--replica", url)
    laptop.ok("contact", "add", "Typo Contact")
    restored = laptop.ok("restore", "--replica", url)
    assert "to push to it from here" not in restored.stderr
    assert "Typo Contact" not in laptop.ok("contact", "list").stdout
    laptop.ok("contact", "add", "Grace Hopper")
    assert "(TXID 0000000000000002)" in laptop.ok("backup", "--replica", url).stdout


def test_a_damaged_record_of_pushes_is_named(laptop: Machine, url: str) -> None:
    laptop.ok("contact", "add", "Ada Lovelace")
    laptop.ok("backup", "--replica", url)
    record = laptop.db.with_name("pcrm.db.replica.json")
    assert (record.stat().st_mode & 0o777) == 0o600
    record.write_text("{not json")
    line = one_error_line(laptop.run("backup", "--replica", url))
    assert line.startswith(f"pcrm: error: cannot read {record} (")
    assert line.endswith("(remove it; the next push then needs --take-over)")


def test_a_hostile_host_name_in_a_replica_is_shown_as_text(
    laptop: Machine, desktop: Machine, url: str
) -> None:
    """The lease comes from another machine's file: its host name is data, not markup or
    terminal controls."""
    laptop.ok("contact", "add", "Ada Lovelace")
    laptop.ok("backup", "--replica", url)
    desktop.ok("restore", "--replica", url)
    conn = sqlite3.connect(desktop.db)
    conn.execute("UPDATE replica_writer SET host_name = ?", ["[bold red]evil\x1b[2J\nhost"])
    conn.commit()
    conn.close()
    # Pushed by hand, so that the hostile lease is the replica's latest state.
    subprocess.run(
        [executable(), "replicate", "-once", str(desktop.db), url], check=True, capture_output=True
    )
    laptop.ok("contact", "add", "Grace Hopper")
    line = one_error_line(laptop.run("backup", "--replica", url))
    assert "\x1b" not in line
    assert " by [bold red]evil" in line
    restored = Machine(laptop.cli, laptop.db.parent.parent, "third").ok("restore", "--replica", url)
    assert "\x1b" not in restored.stderr
    assert restored.stderr.count("\n") == 1
    assert restored.stderr.startswith(f"{url} is written by [bold red]evil")
