"""Hostile inputs (issue 14, "one clear line"): each case is a table row driving the commands
it concerns. Every bad input ends in one `pcrm: error:` line on stderr naming the problem and
what to do, exit 1 (2 for usage), no traceback and the database unchanged; every input that
is only unusual (a pipe, UTF-16 without a BOM, a read-only folder, a C locale) just works.

Cases that need what CliRunner cannot give run pcrm as a real process: argv bytes, a locale,
pipes and FIFOs, another user. The tests run as root, so permission cases drop to 'nobody'
(uid 65534) in the child; they are skipped when no Python interpreter is usable by nobody.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import dump, ok, one_line_error
from pcrm.cli.env import Env
from pcrm.cli.main import app

ROOT = Path(__file__).resolve().parents[1]
HUGE = "99999999999999999999"  # past SQLite's integers (2**63 - 1)
NOBODY = 65534


def pcrm(
    db_path: Path,
    *args: str | bytes,
    env: dict[str, str] | None = None,
    python: str = sys.executable,
    user: int | None = None,
    **kwargs: object,
) -> subprocess.CompletedProcess[bytes]:
    """`pcrm ARGS` as a real process, its output as bytes (a locale may not be UTF-8)."""
    environment = {
        **os.environ,
        "PCRM_DB": str(db_path),
        "PCRM_NOW": "2026-11-23T10:00:00Z",
        "TZ": "UTC",
        **(env or {}),
    }
    environment.pop("PYTHONIOENCODING", None)
    if user is not None:
        environment["PYTHONPATH"] = os.pathsep.join(_import_paths())
        environment["HOME"] = str(db_path.parent)
    return subprocess.run(  # type: ignore[call-overload, no-any-return]
        [python, "-m", "pcrm", *args],
        capture_output=True,
        env=environment,
        timeout=120,
        preexec_fn=_as(user) if user is not None else None,
        cwd="/" if user is not None else None,
        **kwargs,
    )


def _as(uid: int) -> Callable[[], None]:
    def drop() -> None:
        os.setgroups([])
        os.setgid(uid)
        os.setuid(uid)

    return drop


def _import_paths() -> list[str]:
    """Where pcrm and its dependencies live, for an interpreter outside this venv."""
    import typer

    return [str(ROOT / "src"), str(Path(typer.__file__).parents[1])]


def one_line(result: subprocess.CompletedProcess[bytes], code: int = 1) -> str:
    """The one `pcrm: error:` line of a failed process (no traceback, nothing on stdout)."""
    err = result.stderr.decode("utf-8", "backslashreplace")
    assert result.returncode == code, (result.returncode, result.stdout, err)
    assert result.stdout == b"", result.stdout
    assert err.startswith("pcrm: error: ") and err.count("\n") == 1, err
    assert "unexpected" not in err and "Traceback" not in err
    return err


def seed(cli: Callable[..., object]) -> None:
    """A contact, a company, a deal, a task and an interaction to point at."""
    for args in (
        ["company", "add", "Analytical Engines"],
        ["contact", "add", "Ada Lovelace", "--email", "ada@example.org", "--company", "1"],
        ["contact", "add", "Zoë Ünal"],
        ["deal", "add", "Engine", "--contact", "1", "--company", "1"],
        ["follow-up", "1", "Send the quote", "--due", "tomorrow"],
        ["log", "1", "Call about the engine"],
    ):
        ok(cli(*args))  # type: ignore[arg-type]


@pytest.fixture
def seeded(cli, db_path: Path) -> Path:
    seed(cli)
    return db_path


# -- invalid UTF-8 in arguments ------------------------------------------------------------

# Python hands an argument's undecodable bytes over as lone surrogates (b"\xff" -> "\udcff").
BAD = "Bad\udcffname"

INVALID_UTF8 = [
    (["contact", "add", BAD], "NAME"),
    (["contact", "add", "Bob", "--email", f"{BAD}@example.org"], "--email"),
    (["contact", "add", "Bob", "--tag", BAD], "--tag"),
    (["contact", "edit", "1", "--note", BAD], "--note"),
    (["contact", "show", BAD], "REF"),
    (["contact", "list", "--tag", BAD], "--tag"),
    (["company", "add", BAD], "NAME"),
    (["deal", "add", BAD], "TITLE"),
    (["log", "1", BAD], "TEXT"),
    (["follow-up", "1", BAD, "--due", "tomorrow"], "TEXT"),
    (["search", BAD], "QUERY"),
    (["task", "edit", "1", "--text", BAD], "--text"),
    (["field", "add", BAD], "NAME"),
    (["config", "set", "currency", BAD], "VALUE"),
    (["stage", "add", BAD, "--probability", "10"], "NAME"),
    (["score", "rule", "add", f"+5 tag:{BAD}"], "RULE"),
]


@pytest.mark.parametrize(("args", "label"), INVALID_UTF8, ids=lambda v: " ".join(v)[:40])
def test_invalid_utf8_in_an_argument_is_refused_naming_it(cli, seeded, args, label):
    before = dump(seeded)
    result = cli(*args)
    assert result.exit_code == 2, (result.stdout, result.stderr, result.exception)
    assert result.exception is None
    assert result.stderr.count("\n") == 1, result.stderr
    assert result.stderr.startswith(f'pcrm: error: {label} "')
    assert "\\xff" in result.stderr and "is not valid UTF-8" in result.stderr
    assert dump(seeded) == before


def test_invalid_utf8_bytes_on_a_real_command_line(cli, seeded):
    before = dump(seeded)
    err = one_line(pcrm(seeded, "contact", "add", b"Bad\xffname"), code=2)
    assert err == (
        'pcrm: error: NAME "Bad\\xffname" is not valid UTF-8 '
        "(type it again in UTF-8, or convert it with iconv -t utf-8)\n"
    )
    assert dump(seeded) == before


def test_a_file_name_may_hold_any_bytes(cli, seeded):
    """Paths are not text to store: a backup to a Latin-1 file name works."""
    target = os.fsencode(seeded.parent) + b"/b\xe4ckup.db"
    result = pcrm(seeded, "backup", target)
    assert result.returncode == 0, result.stderr
    assert os.path.exists(target)


# -- huge numbers ------------------------------------------------------------------------

LIST_COMMANDS = [
    (["contact", "list"], "Ada Lovelace"),
    (["company", "list"], "Analytical Engines"),
    (["deal", "list"], "Engine"),
    (["task", "list"], "Send the quote"),
    (["timeline", "1"], "Call about the engine"),
    (["search", "engine"], "Engine"),
    (["dupes"], ""),
    (["pipeline", "show"], "Engine"),
    (["score", "show"], ""),
]


@pytest.mark.parametrize(("args", "shown"), LIST_COMMANDS, ids=lambda v: " ".join(v))
def test_a_huge_limit_means_all(cli, seeded, args, shown):
    out = ok(cli(*args, "--limit", HUGE))
    assert shown in out


HUGE_IDS = [
    (["contact", "show", HUGE], f"no contact has id {HUGE}"),
    (["company", "show", HUGE], f"no company has id {HUGE}"),
    (["deal", "show", HUGE], f"no deal has id {HUGE}"),
    (["show", HUGE], f"no contact has id {HUGE}"),
    (["show", f"contact:{HUGE}"], f"no contact has id {HUGE}"),
    (["timeline", HUGE], f"no contact has id {HUGE}"),
    (["contact", "rm", HUGE, "--yes"], f"no contact has id {HUGE}"),
    (["contact", "merge", "1", HUGE], f"no contact has id {HUGE}"),
    (["contact", "add", "Bob", "--company", HUGE], f"no company has id {HUGE}"),
    (["log", HUGE, "hi"], f"no contact has id {HUGE}"),
    (["log", "1", "hi", "--deal", HUGE], f"no deal has id {HUGE}"),
    (["follow-up", HUGE, "x", "--due", "tomorrow"], f"no contact has id {HUGE}"),
    (["task", "done", HUGE], f"no follow-up has id {HUGE}"),
    (["task", "snooze", HUGE, "tomorrow"], f"no follow-up has id {HUGE}"),
    (["task", "rm", HUGE, "--yes"], f"no follow-up has id {HUGE}"),
    (["score", "rule", "rm", HUGE], f"no scoring rule {HUGE}"),
    # "²" is a digit to str.isdigit() but no number to int()
    (["contact", "show", "²"], 'no contact matches "²"'),
    (["task", "done", "²"], '"²" is not a follow-up id'),
    (["config", "set", "reminder_days", "²"], '"²" is not a number of days'),
]


@pytest.mark.parametrize(("args", "message"), HUGE_IDS, ids=lambda v: " ".join(v)[:40])
def test_an_id_past_sqlites_integers_names_no_record(cli, seeded, args, message):
    before = dump(seeded)
    assert one_line_error(cli(*args)).startswith(f"pcrm: error: {message}")
    assert dump(seeded) == before


# -- PCRM_NOW, --db "" -------------------------------------------------------------------

BAD_NOW = [
    ("garbage", 'PCRM_NOW="garbage" is not an ISO-8601 time'),
    ("2026-13-01", 'PCRM_NOW="2026-13-01" is not an ISO-8601 time'),
    ("99999-01-01", 'PCRM_NOW="99999-01-01" is not an ISO-8601 time'),
    ("2026-01-01T00:00:00+25:00", "is not an ISO-8601 time"),
    ("0001-01-01T00:00:00-23:00", "is outside the years 1900 to 2200"),
    ("9999-12-31T23:59:59-23:00", "is outside the years 1900 to 2200"),
    ("0001-01-01", "is outside the years 1900 to 2200"),
]


@pytest.mark.parametrize("args", [["agenda"], ["log", "1", "hi"], ["contact", "list"]])
@pytest.mark.parametrize(("value", "message"), BAD_NOW)
def test_a_bad_pcrm_now_is_one_line(cli, seeded, args, value, message):
    before = dump(seeded)
    result = CliRunner().invoke(app, args, obj=Env(), env={"PCRM_NOW": value})
    assert result.exit_code == 1, result.output
    assert result.stdout == ""
    assert result.stderr.startswith("pcrm: error: PCRM_NOW=") and message in result.stderr
    assert result.stderr.count("\n") == 1
    assert dump(seeded) == before


def test_a_good_pcrm_now_with_an_offset_is_read_in_utc(cli, seeded):
    result = CliRunner().invoke(
        app, ["log", "1", "pinned"], obj=Env(), env={"PCRM_NOW": "2026-11-23T10:00:00+01:00"}
    )
    assert result.exit_code == 0, result.output
    conn = sqlite3.connect(seeded)
    try:
        at = conn.execute("SELECT at FROM interactions ORDER BY id DESC").fetchone()
    finally:
        conn.close()
    assert at == ("2026-11-23T09:00:00Z",)


@pytest.mark.parametrize("args", [["contact", "list"], ["contact", "add", "Bob"], ["doctor"]])
@pytest.mark.parametrize("value", ["", "  "])
def test_an_empty_db_option_is_refused(cli, isolated, tmp_path, args, value):
    result = cli("--db", value, *args)
    assert result.exit_code == 2, (result.stdout, result.stderr)
    assert result.stderr == (
        "pcrm: error: --db is empty (give the database file's path, or leave --db out)\n"
    )
    assert not isolated.exists()  # not the $PCRM_DB file either
    assert not (tmp_path / "home").exists()


# -- a locale that is not UTF-8 ----------------------------------------------------------

C_LOCALES = [
    {"LC_ALL": "C", "PYTHONUTF8": "0"},
    {"LANG": "C", "LC_ALL": "", "LC_CTYPE": "", "PYTHONUTF8": "0"},
    {"LC_ALL": "C"},  # Python's UTF-8 mode: worked before, must keep working
]


@pytest.mark.parametrize(
    "locale_env", C_LOCALES, ids=lambda e: " ".join(f"{k}={v}" for k, v in e.items())
)
@pytest.mark.parametrize(
    "args",
    [
        ["contact", "list"],
        ["contact", "show", "2"],
        ["search", "Ünal"],
        ["export", "contacts"],
        ["contact", "list", "--json"],
    ],
    ids=" ".join,
)
def test_a_c_locale_prints_what_it_can_and_escapes_the_rest(cli, seeded, locale_env, args):
    result = pcrm(seeded, *args, env=locale_env)
    assert result.returncode == 0, result.stderr
    assert result.stderr == b""
    out = result.stdout
    assert b"Zo\\xeb \\xdcnal" in out or "Zoë Ünal".encode() in out or b"Zo\\u00eb" in out


@pytest.mark.parametrize("terminal", [False, True])
def test_a_c_locale_on_a_terminal_and_utf8_arguments(cli, seeded, terminal):
    """UTF-8 bytes typed under an ASCII locale are the name the user meant; Rich's view
    escapes what ASCII cannot show."""
    env = {"LC_ALL": "C", "PYTHONUTF8": "0", **({"TTY_COMPATIBLE": "1"} if terminal else {})}
    added = pcrm(seeded, "contact", "add", "Émile Zola".encode(), env=env)
    assert added.returncode == 0, added.stderr
    assert added.stdout == b"added contact 3 \\xc9mile Zola\n"
    shown = pcrm(seeded, "contact", "show", "3", env=env)
    assert shown.returncode == 0, shown.stderr
    assert b"\\xc9mile Zola" in shown.stdout
    conn = sqlite3.connect(seeded)
    try:
        assert conn.execute("SELECT name FROM contacts WHERE id = 3").fetchone() == ("Émile Zola",)
    finally:
        conn.close()


# -- another user: a folder that cannot be entered, a read-only folder ---------------------


@pytest.fixture(scope="module")
def nobody_python() -> str:
    """An interpreter 'nobody' can run pcrm with (this venv may live in /root, 0700)."""
    if os.geteuid() != 0:
        pytest.skip("needs root to run a process as the unprivileged user nobody")
    paths = os.pathsep.join(_import_paths())
    for candidate in dict.fromkeys([sys.executable, sys._base_executable, "/usr/bin/python3"]):
        try:
            probe = subprocess.run(
                [candidate, "-c", "import pcrm.cli.main, sqlite3, rich"],
                env={"PYTHONPATH": paths, "PATH": os.environ.get("PATH", "")},
                preexec_fn=_as(NOBODY),
                capture_output=True,
                timeout=60,
                cwd="/",
            )
        except OSError:
            continue
        if probe.returncode == 0:
            return candidate
    pytest.skip("no Python interpreter that the user nobody can run pcrm with")


@pytest.fixture
def shared() -> Iterator[Path]:
    """A folder nobody can reach (pytest's tmp_path is in root's 0700 /tmp/pytest-of-root)."""
    folder = Path(tempfile.mkdtemp(prefix="pcrm-hostile-"))
    folder.chmod(0o755)
    try:
        yield folder
    finally:
        shutil.rmtree(folder)


def a_database(cli, folder: Path) -> Path:
    """A seeded database in `folder`, closed (no -wal or -shm left), readable by others."""
    path = folder / "pcrm.db"
    for args in (["contact", "add", "Ada Lovelace"], ["log", "1", "Call about the engine"]):
        ok(cli("--db", str(path), *args))
    path.chmod(0o644)
    assert sorted(p.name for p in folder.iterdir()) == ["pcrm.db"]
    return path


UNREACHABLE = [
    ["contact", "list"],
    ["contact", "add", "Bob"],
    ["show", "1"],
    ["export", "contacts"],
    ["doctor"],
    ["doctor", "--fix"],
    ["backup"],
]


@pytest.mark.parametrize("args", UNREACHABLE, ids=" ".join)
@pytest.mark.parametrize("inside", ["pcrm.db", "sub/pcrm.db"])
def test_a_database_behind_a_folder_you_cannot_enter(cli, nobody_python, shared, args, inside):
    locked = shared / "locked"
    locked.mkdir()
    path = a_database(cli, locked)
    locked.chmod(0o700)  # root's: nobody may not enter
    before = dump(path)
    result = pcrm(locked / inside, *args, python=nobody_python, user=NOBODY)
    err = one_line(result)
    assert err.startswith(f"pcrm: error: cannot reach {locked / inside}: permission denied")
    assert dump(path) == before


READS = [
    (["contact", "list"], "Ada Lovelace"),
    (["show", "1"], "Call about the engine"),
    (["timeline", "1"], "Call about the engine"),
    (["search", "engine"], "Call about the engine"),
    (["export", "contacts"], "Ada Lovelace"),
    (["agenda"], ""),
]


@pytest.mark.parametrize("owner", ["root", "nobody"], ids=["file-read-only", "file-writable"])
def test_a_healthy_database_in_a_read_only_folder_can_be_read(cli, nobody_python, shared, owner):
    path = a_database(cli, shared)
    if owner == "nobody":
        os.chown(path, NOBODY, NOBODY)
    before = dump(path)
    for args, shown in READS:
        result = pcrm(path, *args, python=nobody_python, user=NOBODY)
        assert result.returncode == 0, (args, result.stderr)
        assert result.stderr == b"", (args, result.stderr)
        assert shown.encode() in result.stdout, (args, result.stdout)
    err = one_line(pcrm(path, "contact", "add", "Bob", python=nobody_python, user=NOBODY))
    assert err.startswith(f"pcrm: error: cannot write to {path}")
    assert dump(path) == before
    assert sorted(p.name for p in shared.iterdir()) == ["pcrm.db"]


def test_a_read_only_folder_whose_owner_is_writing_shows_the_latest_changes(
    cli, nobody_python, shared
):
    """The owner's open connection keeps -wal and -shm: the read goes through them."""
    path = a_database(cli, shared)
    writer = sqlite3.connect(path, isolation_level=None)
    try:
        writer.execute("PRAGMA journal_mode = WAL")
        writer.execute("UPDATE contacts SET name = 'Ada King' WHERE id = 1")
        for side in ("-wal", "-shm"):
            Path(f"{path}{side}").chmod(0o644)
        result = pcrm(path, "contact", "list", python=nobody_python, user=NOBODY)
    finally:
        writer.close()
    assert result.returncode == 0, result.stderr
    assert b"Ada King" in result.stdout


def test_doctor_on_a_read_only_database(cli, nobody_python, shared):
    """No phantom search-index problem, no advice to restore a backup over good data, and
    --fix says it cannot write instead of failing half-way."""
    path = a_database(cli, shared)
    path.chmod(0o600)
    os.chown(path, NOBODY, NOBODY)  # nobody's own file, 0600: only the folder is read-only
    (shared / "notes.txt").write_text("not pcrm's: the folder is not the database's own\n")
    before = dump(path)
    checked = pcrm(path, "doctor", python=nobody_python, user=NOBODY)
    assert checked.returncode == 0, (checked.stdout, checked.stderr)
    out = checked.stdout.decode()
    assert "PROBLEM" not in out and "restore" not in out
    assert "search index" in out and "entries match the records" in out

    shared_file = a_database(cli, Path(tempfile.mkdtemp(dir=shared)))  # root's, 0644
    shared_file.parent.chmod(0o755)
    checked = pcrm(shared_file, "doctor", python=nobody_python, user=NOBODY)
    out = checked.stdout.decode()
    assert "restore" not in out + checked.stderr.decode()
    assert "search index" in out and "FTS5" not in out
    # root's 0644 file: a fact worth telling, but no advice that cannot work for nobody
    assert "file is 0644" in out and "only its owner can change that" in out
    assert checked.stderr == b"pcrm: error: 1 problem found\n"
    fixed = pcrm(shared_file, "doctor", "--fix", python=nobody_python, user=NOBODY)
    assert one_line(fixed).startswith(f"pcrm: error: cannot fix {shared_file}: ")
    assert dump(path) == before


# -- importing from a pipe, UTF-16 without a BOM, control bytes ------------------------------

CSV = "Name,Email\nBob Byte,bob@example.org\nZoë Ünal,zoe@example.org\n"


def imported(db_path: Path) -> list[tuple[str, ...]]:
    conn = sqlite3.connect(db_path)
    try:
        return conn.execute(
            "SELECT c.name, e.email FROM contacts c JOIN contact_emails e ON e.contact_id = c.id"
            " ORDER BY c.name"
        ).fetchall()
    finally:
        conn.close()


def _process_substitution(db_path: Path) -> subprocess.CompletedProcess[bytes]:
    """`pcrm import contacts <(cat file)`: a /dev/fd path to a pipe."""
    read, write = os.pipe()
    feeder = threading.Thread(target=lambda: (os.write(write, CSV.encode()), os.close(write)))
    feeder.start()
    try:
        return pcrm(db_path, "import", "contacts", f"/dev/fd/{read}", pass_fds=(read,))
    finally:
        feeder.join()
        os.close(read)


def _fifo(db_path: Path) -> subprocess.CompletedProcess[bytes]:
    fifo = db_path.parent / "contacts.fifo"
    os.mkfifo(fifo)

    def feed() -> None:
        with open(fifo, "wb") as stream:
            stream.write(CSV.encode())

    feeder = threading.Thread(target=feed)
    feeder.start()
    try:
        return pcrm(db_path, "import", "contacts", str(fifo))
    finally:
        feeder.join()


def _dev_stdin(db_path: Path) -> subprocess.CompletedProcess[bytes]:
    return pcrm(db_path, "import", "contacts", "/dev/stdin", input=CSV.encode())


def _dash(db_path: Path) -> subprocess.CompletedProcess[bytes]:
    return pcrm(db_path, "import", "contacts", "-", input=CSV.encode())


@pytest.mark.parametrize("feed", [_process_substitution, _fifo, _dev_stdin, _dash])
def test_import_from_a_pipe(db_path, feed):
    db_path.parent.mkdir(parents=True, exist_ok=True)
    result = feed(db_path)
    assert result.returncode == 0, result.stderr
    assert b"generic CSV, UTF-8, comma-separated, 2 rows" in result.stdout
    assert imported(db_path) == [("Bob Byte", "bob@example.org"), ("Zoë Ünal", "zoe@example.org")]


@pytest.mark.parametrize(("codec", "shown"), [("utf-16-le", "LE"), ("utf-16-be", "BE")])
def test_utf16_without_a_bom_imports(cli, db_path, tmp_path, codec, shown):
    source = tmp_path / "contacts.csv"
    source.write_bytes(CSV.encode(codec))
    out = ok(cli("import", "contacts", str(source)))
    assert f"UTF-16 {shown} (no BOM), comma-separated, 2 rows" in out
    assert imported(db_path) == [("Bob Byte", "bob@example.org"), ("Zoë Ünal", "zoe@example.org")]


@pytest.mark.parametrize("fmt", ["csv", "json"])
@pytest.mark.parametrize("note", ["a\x01b", "x\x00y\x02z"], ids=["x01", "x00"])
def test_pcrms_own_export_with_a_control_byte_imports_back(cli, db_path, tmp_path, fmt, note):
    ok(cli("contact", "add", "Ctl Byte", "--email", "ctl@example.org"))
    conn = sqlite3.connect(db_path)
    try:
        with conn:
            conn.execute("UPDATE contacts SET note = ? WHERE id = 1", [note])
    finally:
        conn.close()
    exported = tmp_path / f"contacts.{fmt}"
    ok(cli("export", "contacts", "--format", fmt, "-o", str(exported)))
    other = tmp_path / "other.db"
    ok(cli("--db", str(other), "import", "contacts", str(exported)))
    conn = sqlite3.connect(other)
    try:
        assert conn.execute("SELECT name, note FROM contacts").fetchall() == [("Ctl Byte", note)]
    finally:
        conn.close()


def test_a_real_binary_file_is_still_refused(cli, db_path, tmp_path):
    png = tmp_path / "photo.png"
    png.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4)
    assert one_line_error(cli("import", "contacts", str(png))).startswith(
        f"pcrm: error: {png} is a binary file, not CSV or vCard"
    )
    assert not db_path.exists()
