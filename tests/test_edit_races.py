"""Another pcrm writing while an $EDITOR form or a removal question is open (issue 14).

Each race runs two real processes: a `pcrm ... edit` whose fake $EDITOR waits on a signal
file (or a `pcrm ... rm` whose question waits on a pseudo-terminal) while this test
process changes the same record. An edit writes back only what the user changed, refuses
a field someone else changed meanwhile (keeping the user's form in a file), and finds its
record again by uid, never by an id that a deletion may have handed to someone else.
"""

from __future__ import annotations

import json
import os
import pty
import re
import select
import signal
import sqlite3
import stat
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from conftest import dump, error, ok

WAIT = 60  # seconds; a stuck process fails the test instead of hanging the suite

# The fake $EDITOR: says where the form is (and its own pid), waits for the test's "go",
# then applies its body to the form's text and saves.
EDITOR = """\
import json, pathlib, os, sys, time
form = pathlib.Path(sys.argv[1])
here = pathlib.Path(__file__).parent
(here / "ready.tmp").write_text(json.dumps({"form": str(form), "pid": os.getpid()}))
(here / "ready.tmp").rename(here / "ready")
deadline = time.monotonic() + 60
while not (here / "go").exists():
    if time.monotonic() > deadline:
        sys.exit(3)
    time.sleep(0.02)
text = form.read_text(encoding="utf-8")
"""


def as_json(result):
    return json.loads(ok(result))


def rows(db_path: Path, sql: str) -> list[tuple]:
    conn = sqlite3.connect(db_path)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def subprocess_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """The test's environment ($PCRM_DB set by conftest) with a TMPDIR of its own, to see
    what pcrm leaves there."""
    tmpdir = tmp_path / "tmpdir"
    tmpdir.mkdir(exist_ok=True)
    return {**os.environ, "TMPDIR": str(tmpdir), "PCRM_NOW": "2026-11-23T10:00:00Z", **extra}


class HeldEdit:
    """`pcrm ARGS` in a process of its own, its editor open on the form until finish()."""

    def __init__(
        self, tmp_path: Path, args: list[str], body: str = "", *, umask: int | None = None
    ) -> None:
        self.folder = tmp_path / f"editor-{'-'.join(args)}"
        self.folder.mkdir()
        script = self.folder / "editor.py"
        script.write_text(
            EDITOR + textwrap.dedent(body) + "\nform.write_text(text, encoding='utf-8')\n",
            encoding="utf-8",
        )
        self.tmpdir = tmp_path / "tmpdir"
        env = subprocess_env(tmp_path, EDITOR=f"{sys.executable} {script}")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "pcrm", *args],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
            text=True,
            preexec_fn=None if umask is None else lambda: os.umask(umask),
        )
        ready = self.folder / "ready"
        deadline = time.monotonic() + WAIT
        while not ready.exists():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.proc.kill()
                out, err = self.proc.communicate()
                pytest.fail(f"the editor never opened: {out!r} {err!r}")
            time.sleep(0.02)
        opened = json.loads(ready.read_text())
        self.form = Path(opened["form"])
        self.editor_pid = int(opened["pid"])

    def finish(self) -> subprocess.CompletedProcess[str]:
        """Let the editor save and quit; pcrm's exit status and output."""
        (self.folder / "go").touch()
        out, err = self.proc.communicate(timeout=WAIT)
        return subprocess.CompletedProcess(self.proc.args, self.proc.returncode, out, err)


def kept_form(stderr: str) -> Path:
    """The file an error line says the user's edited form was kept in."""
    found = re.search(r"kept in (\S+)", stderr)
    assert found, stderr
    path = Path(found.group(1).rstrip(";,)"))
    assert path.is_file(), path
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    return path


@pytest.fixture
def people(cli):
    ok(cli("contact", "add", "Ada Lovelace", "-e", "work: ada@example.org"))
    ok(cli("contact", "edit", "ada", "-c", "Analytical Engines", "-t", "vip"))
    ok(cli("contact", "add", "Bob Stone", "-e", "bob@example.org"))


# -- an edit keeps what another pcrm wrote meanwhile -------------------------------------


def test_contact_edit_keeps_changes_made_meanwhile(cli, tmp_path, people):
    held = HeldEdit(
        tmp_path,
        ["contact", "edit", "ada"],
        'text = text.replace("title: \\n", "title: Countess\\n")',
    )
    ok(
        cli(
            "contact", "edit", "ada", "--email", "home: ada@home.example",
            "--phone", "+44 20 7946 0000", "--tag", "speaker", "--source", "Referral",
            "--note", "met at the fair",
        )
    )  # fmt: skip
    ok(cli("company", "edit", "analytical", "--name", "AE Ltd"))
    done = held.finish()
    assert done.returncode == 0, done.stderr
    assert done.stdout == "updated contact 1 Ada Lovelace\n"
    contact = as_json(cli("contact", "show", "ada", "--json"))["contact"]
    assert contact["title"] == "Countess"
    assert contact["emails"] == [
        {"email": "ada@example.org", "label": "work"},
        {"email": "ada@home.example", "label": "home"},
    ]
    assert contact["phones"] == [{"phone": "+44 20 7946 0000", "label": None}]
    assert contact["tags"] == ["speaker", "vip"]
    assert (contact["source"], contact["note"]) == ("Referral", "met at the fair")
    # The company renamed meanwhile is still hers; no "Analytical Engines" was re-created.
    assert contact["company"]["name"] == "AE Ltd"
    assert ok(cli("company", "list")).count("\n") == 1


def test_both_sides_adding_to_lists_keeps_both(cli, tmp_path, people):
    held = HeldEdit(
        tmp_path,
        ["contact", "edit", "ada"],
        """
        text = text.replace("tags: vip", "tags: friend")
        text = text.replace("\\nemail: work: ada@example.org",
                            "\\nemail: work: ada@example.org\\nemail: ada@mine.example")
        """,
    )
    ok(cli("contact", "edit", "ada", "--email", "ada@theirs.example", "--tag", "speaker"))
    done = held.finish()
    assert done.returncode == 0, done.stderr
    contact = as_json(cli("contact", "show", "ada", "--json"))["contact"]
    assert [e["email"] for e in contact["emails"]] == [
        "ada@example.org",
        "ada@mine.example",
        "ada@theirs.example",
    ]
    assert contact["tags"] == ["friend", "speaker"]


def test_company_edit_keeps_changes_made_meanwhile(cli, tmp_path, people):
    held = HeldEdit(
        tmp_path,
        ["company", "edit", "analytical"],
        'text = text.replace("industry: \\n", "industry: Computing\\n")',
    )
    ok(
        cli(
            "company", "edit", "analytical", "--website", "https://ae.example",
            "--domain", "ae.example", "--tag", "partner", "--note", "since 1843",
        )
    )  # fmt: skip
    done = held.finish()
    assert done.returncode == 0, done.stderr
    company = as_json(cli("company", "show", "analytical", "--json"))["company"]
    assert company["industry"] == "Computing"
    assert (company["website"], company["domain"]) == ("https://ae.example", "ae.example")
    assert (company["tags"], company["note"]) == (["partner"], "since 1843")


# -- a field both changed is refused, the form kept ---------------------------------------


@pytest.mark.parametrize(
    ("args", "body", "other", "field", "mine"),
    [
        (
            ["contact", "edit", "ada"],
            'text = text.replace("title: \\n", "title: Countess\\n")',
            ["contact", "edit", "ada", "--title", "CTO"],
            "title",
            "title: Countess",
        ),
        (
            ["contact", "edit", "ada"],
            'text = text.replace("\\nemail: work: ada@example.org\\n", "\\nemail: \\n")',
            ["contact", "edit", "ada", "--email", "home: ada@example.org"],
            "email ada@example.org",
            "\nemail: \n",
        ),
        (
            ["company", "edit", "analytical"],
            'text = text.replace("website: \\n", "website: https://mine.example\\n")',
            ["company", "edit", "analytical", "--website", "https://theirs.example"],
            "website",
            "website: https://mine.example",
        ),
    ],
    ids=["contact-title", "contact-email", "company-website"],
)
def test_a_field_changed_on_both_sides_is_refused_and_the_form_kept(
    cli, db_path, tmp_path, people, args, body, other, field, mine
):
    held = HeldEdit(tmp_path, args, body)
    ok(cli(*other))
    before = dump(db_path)
    done = held.finish()
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr.startswith("pcrm: error: ")
    assert done.stderr.count("\n") == 1, done.stderr
    assert "changed meanwhile" in done.stderr and field in done.stderr
    assert "nothing saved" in done.stderr
    assert mine in kept_form(done.stderr).read_text(encoding="utf-8")
    assert dump(db_path) == before


def test_the_same_change_on_both_sides_is_no_conflict(cli, tmp_path, people):
    held = HeldEdit(
        tmp_path,
        ["contact", "edit", "ada"],
        'text = text.replace("title: \\n", "title: CTO\\n")',
    )
    ok(cli("contact", "edit", "ada", "--title", "CTO", "--source", "Event"))
    done = held.finish()
    assert (done.returncode, done.stderr) == (0, "")
    contact = as_json(cli("contact", "show", "ada", "--json"))["contact"]
    assert (contact["title"], contact["source"]) == ("CTO", "Event")


def test_two_forms_open_at_once_both_save(cli, tmp_path, people):
    """The second edit's clean-up leaves the first one's form alone: its pcrm still runs."""
    first = HeldEdit(
        tmp_path,
        ["contact", "edit", "ada"],
        'text = text.replace("title: \\n", "title: Countess\\n")',
    )
    second = HeldEdit(
        tmp_path,
        ["contact", "edit", "bob"],
        'text = text.replace("title: \\n", "title: Plumber\\n")',
    )
    assert first.form.exists() and second.form.exists()
    assert first.form != second.form
    assert ok(cli("contact", "edit", "ada", env={"EDITOR": "true"})) == "no changes\n"
    assert first.form.exists()
    assert first.finish().stdout == "updated contact 1 Ada Lovelace\n"
    assert second.finish().stdout == "updated contact 2 Bob Stone\n"
    titles = [as_json(cli("contact", "show", ref, "--json"))["contact"]["title"] for ref in "12"]
    assert titles == ["Countess", "Plumber"]


# -- a record is found again by uid, not by an id that may have been reused --------------


def test_edit_of_a_contact_removed_and_its_id_reused_is_refused(cli, db_path, tmp_path, people):
    held = HeldEdit(
        tmp_path,
        ["contact", "edit", "bob"],
        'text = text.replace("title: \\n", "title: Plumber\\n")',
    )
    ok(cli("contact", "rm", "bob", "--yes"))
    assert ok(cli("contact", "add", "Carol King", "-e", "carol@example.org")) == (
        "added contact 2 Carol King\n"  # SQLite gave the freed id to her
    )
    before = dump(db_path)
    done = held.finish()
    assert done.returncode == 1
    assert done.stderr.startswith("pcrm: error: contact 2 Bob Stone was removed")
    assert done.stderr.count("\n") == 1, done.stderr
    assert "title: Plumber" in kept_form(done.stderr).read_text(encoding="utf-8")
    assert dump(db_path) == before
    carol = as_json(cli("contact", "show", "2", "--json"))["contact"]
    assert (carol["name"], carol["title"]) == ("Carol King", None)


def test_company_edit_after_its_id_was_reused_is_refused(cli, db_path, tmp_path, people):
    ok(cli("company", "add", "Babbage Ltd"))
    held = HeldEdit(
        tmp_path,
        ["company", "edit", "babbage"],
        'text = text.replace("industry: \\n", "industry: Looms\\n")',
    )
    ok(cli("company", "rm", "babbage", "--yes"))
    assert ok(cli("company", "add", "Carol Co")) == "added company 2 Carol Co\n"
    before = dump(db_path)
    done = held.finish()
    assert done.returncode == 1
    assert done.stderr.startswith("pcrm: error: company 2 Babbage Ltd was removed")
    assert dump(db_path) == before


class Question:
    """`pcrm ARGS` at a terminal (stdin a pseudo-terminal), stopped at its question."""

    def __init__(self, args: list[str], env: dict[str, str]) -> None:
        self.master, slave = pty.openpty()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "pcrm", *args],
            stdin=slave,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
        )
        os.close(slave)
        assert self.proc.stdout is not None
        self.asked = b""
        deadline = time.monotonic() + WAIT
        while not self.asked.endswith(b"[y/N]: "):
            left = deadline - time.monotonic()
            ready, _, _ = select.select([self.proc.stdout], [], [], max(left, 0))
            chunk = os.read(self.proc.stdout.fileno(), 4096) if ready else b""
            if not chunk:
                self.proc.kill()
                pytest.fail(f"no question asked: {self.asked!r} {self.proc.communicate()!r}")
            self.asked += chunk

    def answer(self, text: str) -> subprocess.CompletedProcess[str]:
        try:
            os.write(self.master, text.encode())
            out, err = self.proc.communicate(timeout=WAIT)
        finally:
            os.close(self.master)
        return subprocess.CompletedProcess(
            self.proc.args, self.proc.returncode, (self.asked + out).decode(), err.decode()
        )


# kind: (setup commands, the `rm` asked, what another pcrm does meanwhile, the question)
REUSED = {
    "contact": (
        [],
        ["contact", "rm", "bob"],
        [["contact", "rm", "2", "--yes"], ["contact", "add", "Carol King"]],
        "Remove contact 2 Bob Stone?",
    ),
    "company": (
        [["company", "add", "Babbage Ltd"]],
        ["company", "rm", "babbage"],
        [["company", "rm", "2", "--yes"], ["company", "add", "Carol Co"]],
        "Remove company 2 Babbage Ltd?",
    ),
    "deal": (
        [["deal", "add", "20 seats"], ["deal", "add", "Old deal"]],
        ["deal", "rm", "old deal"],
        [["deal", "rm", "2", "--yes"], ["deal", "add", "New deal"]],
        "Remove deal 2 Old deal?",
    ),
    "task": (
        [
            ["follow-up", "ada", "Call back", "--due", "tomorrow"],
            ["follow-up", "ada", "Old task", "--due", "tomorrow"],
        ],
        ["task", "rm", "2"],
        [["task", "rm", "2", "--yes"], ["follow-up", "bob", "New task", "--due", "tomorrow"]],
        "Remove follow-up 2",
    ),
    "pipeline": (
        [["pipeline", "add", "Partnerships"]],
        ["pipeline", "rm", "Partnerships"],
        [["pipeline", "rm", "Partnerships", "--yes"], ["pipeline", "add", "Partnerships"]],
        "Remove pipeline Partnerships?",
    ),
}


@pytest.mark.parametrize("kind", list(REUSED))
def test_yes_at_a_question_never_removes_the_record_that_took_the_id(
    cli, db_path, tmp_path, people, kind
):
    setup, asked, meanwhile, question = REUSED[kind]
    for args in setup:
        ok(cli(*args))
    pending = Question(asked, subprocess_env(tmp_path))
    assert question in pending.asked.decode()
    for args in meanwhile:
        ok(cli(*args))
    before = dump(db_path)
    done = pending.answer("y\n")
    assert done.returncode == 1, done
    assert done.stderr.startswith("pcrm: error: "), done.stderr
    assert "was removed meanwhile" in done.stderr and "nothing removed" in done.stderr
    assert done.stderr.count("\n") == 1, done.stderr
    assert "removed " not in done.stdout
    assert dump(db_path) == before


def test_yes_removes_the_record_asked_about_even_if_changed_meanwhile(
    cli, db_path, tmp_path, people
):
    pending = Question(["contact", "rm", "bob"], subprocess_env(tmp_path))
    ok(cli("contact", "edit", "bob", "--name", "Robert Stone"))
    done = pending.answer("y\n")
    assert done.returncode == 0, done.stderr
    assert done.stdout.endswith("removed contact 2 Robert Stone\n")
    assert rows(db_path, "SELECT name FROM contacts") == [("Ada Lovelace",)]


# -- the form file: private, and never left behind ---------------------------------------


def leftovers(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


def test_the_form_is_private_and_outside_tmpdir(cli, db_path, tmp_path, people):
    held = HeldEdit(tmp_path, ["contact", "edit", "ada"])
    try:
        assert stat.S_IMODE(held.form.stat().st_mode) == 0o600
        assert stat.S_IMODE(held.form.parent.stat().st_mode) == 0o700
        assert held.form.parent.parent == db_path.parent
        assert leftovers(held.tmpdir) == []
    finally:
        done = held.finish()
    assert done.stdout == "no changes\n"
    assert not held.form.exists()


def test_the_form_is_private_under_any_umask(cli, db_path, tmp_path, people):
    held = HeldEdit(tmp_path, ["contact", "edit", "ada"], umask=0)
    try:
        assert stat.S_IMODE(held.form.stat().st_mode) == 0o600
        assert stat.S_IMODE(held.form.parent.stat().st_mode) == 0o700
    finally:
        held.finish()


def test_a_forms_folder_that_is_a_link_is_refused(cli, db_path, tmp_path, people):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (db_path.parent / f"{db_path.name}.forms").symlink_to(elsewhere)
    before = dump(db_path)
    err = error(cli("contact", "edit", "ada", env={"EDITOR": "true"}))
    assert err.startswith("pcrm: error: ") and "is not a folder of yours" in err, err
    assert err.count("\n") == 1
    assert list(elsewhere.iterdir()) == []
    assert dump(db_path) == before


def test_a_form_left_by_a_killed_pcrm_is_removed_by_the_next_edit(cli, db_path, tmp_path, people):
    before = dump(db_path)
    held = HeldEdit(tmp_path, ["contact", "edit", "ada"])
    held.proc.send_signal(signal.SIGKILL)
    held.proc.wait(timeout=WAIT)
    os.kill(held.editor_pid, signal.SIGKILL)
    assert held.form.exists()  # nothing can run on SIGKILL
    assert leftovers(held.tmpdir) == []
    assert dump(db_path) == before
    assert ok(cli("contact", "edit", "bob", env={"EDITOR": "true"})) == "no changes\n"
    assert not held.form.exists()
    assert leftovers(held.form.parent) == []


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP])
def test_a_terminated_pcrm_removes_its_form(cli, db_path, tmp_path, people, signum):
    before = dump(db_path)
    held = HeldEdit(tmp_path, ["contact", "edit", "ada"])
    held.proc.send_signal(signum)
    out, err = held.proc.communicate(timeout=WAIT)
    with_editor_gone = time.monotonic() + WAIT
    while time.monotonic() < with_editor_gone:  # pcrm ends its editor too
        try:
            os.kill(held.editor_pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.02)
    else:
        os.kill(held.editor_pid, signal.SIGKILL)
        pytest.fail("the editor outlived pcrm")
    assert held.proc.returncode == 128 + signum
    assert out == ""
    assert err.startswith("pcrm: error: ") and err.count("\n") == 1, err
    assert not held.form.exists()
    assert leftovers(held.tmpdir) == []
    assert dump(db_path) == before


# -- an editor that saves bad bytes or removes its file ----------------------------------


def editor_script(tmp_path: Path, body: str) -> str:
    script = tmp_path / "bad_editor.py"
    script.write_text("import pathlib, sys\nform = pathlib.Path(sys.argv[1])\n" + body + "\n")
    return f"{sys.executable} {script}"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            'form.write_bytes(form.read_bytes().replace(b"title: ", b"title: \\xff\\xfe"))',
            "the edited form is not UTF-8 text (line 11)",
        ),
        ("form.unlink()", "the editor removed the form file"),
    ],
    ids=["bad-bytes", "deleted"],
)
def test_a_broken_editor_is_one_clear_line(cli, db_path, tmp_path, people, body, message):
    before = dump(db_path)
    result = cli("contact", "edit", "ada", env={"EDITOR": editor_script(tmp_path, body)})
    err = error(result)
    assert err.startswith(f"pcrm: error: {message}"), err
    assert err.count("\n") == 1
    assert "nothing changed" in err
    assert dump(db_path) == before
