"""The Env holds the streams and whether each is a terminal: a test gives pcrm a fake
terminal in-process (`obj=Env(stdin_isatty=True)`), and prompts, progress bars and the
lock-wait notice behave as they do for a person at one."""

from __future__ import annotations

import io
import re
import sqlite3
import sys
import threading
import time
from pathlib import Path

from typer.testing import CliRunner

from conftest import NOW, dump, error, ok
from pcrm.cli.env import Env
from pcrm.cli.main import app

SRC = Path(__file__).resolve().parent.parent / "src" / "pcrm"
WAITING = "pcrm: waiting for another pcrm to finish writing…\n"


def invoke(*args: str, input: str | None = None, **terminal: bool):
    """pcrm ARGS in-process with a pinned clock; `terminal` sets the Env's isatty flags.
    Wide enough for a progress bar's whole line (its label is the file's path)."""
    return CliRunner().invoke(
        app,
        list(args),
        input=input,
        obj=Env(clock=lambda: NOW, **terminal),
        env={"TZ": "UTC", "COLUMNS": "300"},
    )


def test_a_removal_is_asked_on_a_fake_terminal_and_refused_when_piped(cli, db_path):
    ok(cli("contact", "add", "Ada Lovelace"))
    before = dump(db_path)
    refused = error(cli("contact", "rm", "ada"))
    assert refused == (
        "pcrm: error: not removing contact 1 Ada Lovelace without confirmation (add --yes)\n"
    )
    declined = invoke("contact", "rm", "ada", input="n\n", stdin_isatty=True)
    assert declined.exit_code == 1
    assert declined.stdout == "Remove contact 1 Ada Lovelace? [y/N]: n\n"  # input echoed
    assert declined.stderr == "pcrm: error: nothing removed\n"
    assert dump(db_path) == before
    accepted = invoke("contact", "rm", "ada", input="y\n", stdin_isatty=True)
    assert accepted.exit_code == 0, accepted.stderr
    assert accepted.stdout == (
        "Remove contact 1 Ada Lovelace? [y/N]: y\nremoved contact 1 Ada Lovelace\n"
    )
    assert ok(cli("contact", "list")) == ""


def test_log_reads_its_text_from_the_envs_stdin(cli, db_path):
    ok(cli("contact", "add", "Ada Lovelace"))
    env = Env(clock=lambda: NOW, stdin=io.StringIO("Call: from a pipe\n"))
    result = CliRunner().invoke(app, ["log", "ada", "-"], obj=env)
    assert result.stdout == "logged note 1 with Ada Lovelace\n"
    assert "Call: from a pipe" in ok(cli("timeline", "ada"))


def test_log_without_text_needs_someone_at_a_terminal(cli, db_path):
    ok(cli("contact", "add", "Ada Lovelace"))
    result = invoke("log", "ada", stdin_isatty=False)
    assert result.exit_code == 1
    assert result.stderr.startswith("pcrm: error: no text given")


def test_a_bad_edit_offers_to_reopen_on_a_fake_terminal(cli, db_path, tmp_path):
    ok(cli("contact", "add", "Ada Lovelace"))
    script = tmp_path / "editor.py"
    script.write_text(
        "import sys\nfrom pathlib import Path\npath = Path(sys.argv[1])\n"
        "path.write_text(path.read_text().replace('title:', 'titel:'))\n",
        encoding="utf-8",
    )
    before = dump(db_path)
    editor = {"EDITOR": f"{sys.executable} {script}"}
    piped = cli("contact", "edit", "ada", env=editor)
    assert piped.exit_code == 1
    assert piped.stderr.startswith('pcrm: error: line 11: unknown field "titel"')
    asked = CliRunner().invoke(
        app,
        ["contact", "edit", "ada"],
        input="n\n",
        obj=Env(clock=lambda: NOW, stdin_isatty=True),
        env={**editor, "TZ": "UTC"},
    )
    assert asked.exit_code == 1
    assert asked.stdout == "Edit again? [Y/n]: n\n"
    assert asked.stderr.startswith('pcrm: error: line 11: unknown field "titel"')
    assert asked.stderr.endswith("\nnothing changed\n")
    assert dump(db_path) == before


def csv_file(tmp_path: Path, rows: int) -> Path:
    path = tmp_path / "people.csv"
    lines = "".join(f"Person {i},p{i}@example.org\n" for i in range(rows))
    path.write_text("Name,Email\n" + lines, encoding="utf-8")
    return path


def test_an_import_draws_its_progress_bar_on_a_fake_terminal_stderr(db_path, tmp_path):
    path = csv_file(tmp_path, 1200)
    result = invoke("import", "contacts", str(path), stderr_isatty=True)
    assert result.exit_code == 0, result.stderr
    # Drawn as on a terminal: the line redrawn in place every 500 rows, erased at the end.
    assert f"\r\x1b[2Kimporting {path} " in result.stderr
    assert " 0 rows " in result.stderr and " 1000 rows " in result.stderr
    assert result.stderr.endswith("\x1b[2K")
    assert result.stdout.splitlines()[1].startswith("created 1200,")


def test_no_progress_bar_when_stderr_is_not_a_terminal(db_path, tmp_path):
    result = invoke("import", "contacts", str(csv_file(tmp_path, 1200)), stderr_isatty=False)
    assert result.exit_code == 0
    assert result.stderr == ""


def test_an_export_to_a_file_draws_its_progress_bar_on_a_fake_terminal(cli, tmp_path):
    ok(cli("import", "contacts", str(csv_file(tmp_path, 300))))
    target = tmp_path / "out.csv"
    drawn = invoke("export", "contacts", "-o", str(target), stderr_isatty=True)
    assert drawn.exit_code == 0, drawn.stderr
    assert "exporting contacts" in drawn.stderr
    quiet = invoke("export", "contacts", "-o", str(target), "--force", stderr_isatty=False)
    assert quiet.exit_code == 0, quiet.stderr
    assert quiet.stderr == f"exported 300 contacts to {target}\n"


def hold_the_write_lock(db_path: Path, seconds: float) -> threading.Thread:
    """Another writer: a second connection holds BEGIN IMMEDIATE for `seconds`."""
    held = threading.Event()

    def writer() -> None:
        conn = sqlite3.connect(db_path, isolation_level=None, check_same_thread=False)
        try:
            conn.execute("BEGIN IMMEDIATE")
            held.set()
            time.sleep(seconds)
            conn.execute("COMMIT")
        finally:
            conn.close()

    thread = threading.Thread(target=writer)
    thread.start()
    assert held.wait(10)
    return thread


def test_a_write_kept_waiting_says_so_on_a_fake_terminal(cli, db_path):
    ok(cli("contact", "add", "Ada Lovelace"))
    thread = hold_the_write_lock(db_path, 1.5)
    try:
        result = invoke("log", "ada", "Call: after the wait", stderr_isatty=True)
    finally:
        thread.join()
    assert result.exit_code == 0, result.stderr
    assert result.stderr == WAITING
    assert result.stdout == "logged note 1 with Ada Lovelace\n"


def test_a_write_kept_waiting_is_silent_when_stderr_is_not_a_terminal(cli, db_path):
    ok(cli("contact", "add", "Ada Lovelace"))
    thread = hold_the_write_lock(db_path, 1.5)
    try:
        result = invoke("log", "ada", "Call: after the wait", stderr_isatty=False)
    finally:
        thread.join()
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    assert result.stdout == "logged note 1 with Ada Lovelace\n"


def test_only_the_env_asks_whether_a_stream_is_a_terminal():
    asking = sorted(
        str(path.relative_to(SRC))
        for path in SRC.rglob("*.py")
        if re.search(r"\.isatty\(", path.read_text(encoding="utf-8"))
    )
    assert asking == ["cli/env.py"]
