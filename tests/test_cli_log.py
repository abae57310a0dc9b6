"""`pcrm log`: text from the argument, stdin or $EDITOR; kinds, --at, --with, last contacted."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import dump, rows

ADA = ("contact", "add", "Ada Lovelace", "--email", "ada@example.org", "--company", "Analytical")


@pytest.fixture
def people(cli):
    for args in (
        ADA,
        ("contact", "add", "Charles Babbage", "--company", "Analytical"),
        ("contact", "add", "Zoë Müller"),
    ):
        assert cli(*args).exit_code == 0


def interactions(db_path: Path) -> list[tuple]:
    return rows(
        db_path,
        "SELECT i.id, i.kind, i.at, i.text, i.company_id,"
        " (SELECT group_concat(contact_id) FROM"
        "  (SELECT contact_id FROM interaction_contacts WHERE interaction_id = i.id"
        "   ORDER BY contact_id))"
        " FROM interactions i ORDER BY i.id",
    )


def last_contacted(db_path: Path, contact_id: int) -> str | None:
    return rows(db_path, "SELECT last_contacted_at FROM contacts WHERE id = ?", (contact_id,))[0][0]


def test_text_from_the_argument(cli, db_path, people):
    result = cli("log", "ada", "Call: wants a quote for 20 seats", "--kind", "call")
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == "logged call 1 with Ada Lovelace\n"
    assert interactions(db_path) == [
        (1, "call", "2026-11-23T10:00:00Z", "Call: wants a quote for 20 seats", 1, "1")
    ]
    assert last_contacted(db_path, 1) == "2026-11-23T10:00:00Z"
    assert last_contacted(db_path, 2) is None


def test_default_kind_is_note_and_kind_ignores_case(cli, db_path, people):
    assert cli("log", "zoe", "met at a conference").stdout == "logged note 1 with Zoë Müller\n"
    assert cli("log", "zoe", "rang", "-k", "CALL").stdout == "logged call 2 with Zoë Müller\n"
    assert [row[1] for row in interactions(db_path)] == ["note", "call"]


def test_text_from_stdin_with_dash(cli, db_path, people):
    result = cli("log", "ada", "-", "--kind", "email", input="Sent the quote.\n\nSecond para.\n")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "logged email 1 with Ada Lovelace\n"
    assert interactions(db_path)[0][3] == "Sent the quote.\n\nSecond para."


@pytest.mark.parametrize(
    ("args", "stdin", "error"),
    [
        (
            ("log", "ada"),
            None,
            'pcrm: error: no text given (pass it as an argument, or "-" to read stdin)\n',
        ),
        (
            ("log", "ada", "-"),
            "  \n",
            "pcrm: error: the interaction's text is empty (write what happened)\n",
        ),
        (
            ("log", "ada", "   "),
            None,
            "pcrm: error: the interaction's text is empty (write what happened)\n",
        ),
        (
            ("log", "ada", "hi", "--kind", "chat"),
            None,
            'pcrm: error: unknown interaction kind "chat" '
            "(kinds: call, email, meeting, demo, message, note;"
            " add one with: pcrm interaction kind add NAME)\n",
        ),
        (
            ("log", "ada", "hi", "--at", "the day after never"),
            None,
            'pcrm: error: cannot understand date "the day after never" '
            '(try 2024-03-12, tomorrow, fri, +3d, "in 2 weeks")\n',
        ),
        (
            ("log", "ada", "hi", "--at", "2026-02-30"),
            None,
            'pcrm: error: cannot understand date "2026-02-30" '
            '(try 2024-03-12, tomorrow, fri, +3d, "in 2 weeks")\n',
        ),
        (
            ("log", "nobody", "hi"),
            None,
            'pcrm: error: no contact matches "nobody" (try: pcrm search nobody)\n',
        ),
        (
            ("log", "ada", "hi", "--with", "nobody"),
            None,
            'pcrm: error: no contact matches "nobody" (try: pcrm search nobody)\n',
        ),
    ],
)
def test_bad_input_is_one_line_and_changes_nothing(cli, db_path, people, args, stdin, error):
    cli("log", "ada", "an earlier call", "--at", "yesterday")
    before = dump(db_path)
    result = cli(*args, input=stdin)
    assert (result.exit_code, result.stdout, result.stderr) == (1, "", error)
    assert result.exception is None
    assert dump(db_path) == before


def test_text_that_is_not_utf8_is_refused(cli, db_path, people):
    before = dump(db_path)
    done = subprocess.run(
        [sys.executable, "-m", "pcrm", "log", "ada", "-"],
        input=b"caf\xe9 \xff\n",
        capture_output=True,
        env={**os.environ, "PYTHONIOENCODING": "utf-8:surrogateescape"},
        timeout=60,
    )
    assert done.returncode == 1
    assert done.stderr == (
        b"pcrm: error: the interaction's text is not UTF-8"
        b" (convert it first, e.g. iconv -t UTF-8)\n"
    )
    assert dump(db_path) == before


def test_ambiguous_with_lists_the_candidates_and_logs_nothing(cli, db_path, people):
    cli("contact", "add", "Ada Byron")
    before = dump(db_path)
    result = cli("log", "zoe", "dinner", "--with", "ada")
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[0].startswith('pcrm: error: "ada" matches 2 contacts')
    assert any("Ada Lovelace" in line for line in lines[1:])
    assert any("Ada Byron" in line for line in lines[1:])
    assert dump(db_path) == before


def test_missing_database_is_not_created(cli, db_path):
    result = cli("log", "ada", "hello")
    assert result.exit_code == 1
    assert result.stderr.startswith("pcrm: error: ")
    assert len(result.stderr.splitlines()) == 1
    assert not db_path.exists()


# -- --at --------------------------------------------------------------------------------


def test_at_says_how_the_when_was_understood(cli, db_path, people):
    result = cli("log", "ada", "lunch", "-k", "meeting", "--at", "tomorrow 12:30")
    assert (
        result.stdout
        == "logged meeting 1 with Ada Lovelace at Tue 2026-11-24 12:30 (tomorrow), planned\n"
    )
    result = cli("log", "ada", "call", "--at", "3 days ago")
    assert result.stdout == "logged note 2 with Ada Lovelace on Fri 2026-11-20 (3 days ago)\n"
    result = cli("log", "ada", "called back", "--at", "2026-11-23T08:15")
    assert result.stdout == "logged note 3 with Ada Lovelace at Mon 2026-11-23 08:15 (1 hour ago)\n"
    assert [row[2] for row in interactions(db_path)] == [
        "2026-11-24T12:30:00Z",
        "2026-11-20T00:00:00Z",  # a day without a time: its start
        "2026-11-23T08:15:00Z",
    ]


def test_at_today_means_now_not_midnight(cli, db_path, people):
    result = cli("log", "ada", "quick chat", "--at", "today")
    assert result.stdout == "logged note 1 with Ada Lovelace on Mon 2026-11-23 (today)\n"
    assert interactions(db_path)[0][2] == "2026-11-23T10:00:00Z"


def test_at_is_read_in_the_local_zone(cli, db_path, people, monkeypatch):
    monkeypatch.setenv("TZ", "Europe/Berlin")
    result = cli("log", "ada", "call", "--at", "2026-11-20 15:00")
    assert result.stdout == "logged note 1 with Ada Lovelace at Fri 2026-11-20 15:00 (3 days ago)\n"
    assert interactions(db_path)[0][2] == "2026-11-20T14:00:00Z"


# -- last contacted ----------------------------------------------------------------------


def test_last_contacted_moves_forward_only_and_ignores_planned(cli, db_path, people):
    cli("log", "ada", "call", "--at", "3 days ago")
    assert last_contacted(db_path, 1) == "2026-11-20T00:00:00Z"
    cli("log", "ada", "older email, logged late", "--at", "2026-11-01 09:00", "-k", "email")
    assert last_contacted(db_path, 1) == "2026-11-20T00:00:00Z"
    cli("log", "ada", "planned demo", "--at", "next friday", "-k", "demo")
    assert last_contacted(db_path, 1) == "2026-11-20T00:00:00Z"
    cli("log", "ada", "a minute from now", "--at", "2026-11-23 10:01")
    assert last_contacted(db_path, 1) == "2026-11-20T00:00:00Z"
    cli("log", "ada", "just now")
    assert last_contacted(db_path, 1) == "2026-11-23T10:00:00Z"
    cli("log", "ada", "earlier today", "--at", "2026-11-23 07:00")
    assert last_contacted(db_path, 1) == "2026-11-23T10:00:00Z"


def test_contact_list_shows_last_contacted(cli, people):
    cli("log", "zoe", "coffee", "--at", "yesterday")
    listed = cli("contact", "list", "--sort", "name")
    assert listed.exit_code == 0, listed.stderr
    by_name = {line.split("\t")[1]: line.split("\t")[-1] for line in listed.stdout.splitlines()}
    assert by_name["Zoë Müller"] == "2026-11-22T00:00:00Z"
    assert by_name["Ada Lovelace"] == ""


# -- several contacts -------------------------------------------------------------------


def test_with_links_every_contact_once(cli, db_path, people):
    result = cli("log", "ada", "board meeting", "-k", "meeting", "--with", "charles", "-w", "zoe")
    assert result.stdout == ("logged meeting 1 with Ada Lovelace, Charles Babbage, Zoë Müller\n")
    # The same person twice (REF and --with, id and name) is linked once.
    result = cli("log", "ada", "follow-up", "--with", "1", "--with", "ada@example.org")
    assert result.stdout == "logged note 2 with Ada Lovelace\n"
    assert interactions(db_path) == [
        (1, "meeting", "2026-11-23T10:00:00Z", "board meeting", 1, "1,2,3"),
        (2, "note", "2026-11-23T10:00:00Z", "follow-up", 1, "1"),
    ]
    assert [last_contacted(db_path, i) for i in (1, 2, 3)] == ["2026-11-23T10:00:00Z"] * 3


def test_the_first_contacts_company_is_kept(cli, db_path, people):
    cli("log", "zoe", "intro", "--with", "ada")
    cli("log", "ada", "intro", "--with", "zoe")
    assert [row[4] for row in interactions(db_path)] == [None, 1]


def test_names_in_the_confirmation_are_not_markup_or_escapes(cli, db_path):
    cli("contact", "add", "[bold]Eve[/bold] \x1b[31mRed")
    result = cli("log", "eve", "hi", terminal=True)
    assert result.stdout == "logged note 1 with [bold]Eve[/bold] \\x1b[31mRed\n"


def test_text_is_stored_as_given(cli, db_path, people):
    text = "[red]not markup[/red] \x1b[2J and\ttabs"
    assert cli("log", "ada", text).exit_code == 0
    assert interactions(db_path)[0][3] == text


# -- $EDITOR (needs a real terminal on stdin: a pseudo-terminal) --------------------------

EDITOR = """\
import os, pathlib, sys
path = pathlib.Path(sys.argv[1])
pathlib.Path(os.environ["SEEN"]).write_text(path.read_text())
path.write_text(os.environ["WRITE"] + path.read_text())
"""


def run_on_a_terminal(tmp_path: Path, *args: str, write: str) -> tuple[subprocess.Popen, str]:
    script = tmp_path / "editor.py"
    script.write_text(EDITOR)
    seen = tmp_path / "seen.txt"
    env = {
        **os.environ,
        "EDITOR": f"{sys.executable} {script}",
        "SEEN": str(seen),
        "WRITE": write,
        "PCRM_NOW": "2026-11-23T10:00:00Z",
    }
    controller, terminal = pty.openpty()
    try:
        done = subprocess.run(
            [sys.executable, "-m", "pcrm", *args],
            stdin=terminal,
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
        )
    finally:
        os.close(terminal)
        os.close(controller)
    return done, seen.read_text() if seen.exists() else ""


def test_editor_opens_without_text_on_a_terminal(cli, db_path, people, tmp_path):
    done, template = run_on_a_terminal(
        tmp_path, "log", "ada", "-k", "call", "-w", "charles", write="Long call.\n# aside\nOK\n"
    )
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout == "logged call 1 with Ada Lovelace, Charles Babbage\n"
    assert template == (
        "\n# Write what happened (call with Ada Lovelace, Charles Babbage) above."
        "\n# Lines starting with # are ignored; an empty text logs nothing.\n"
    )
    assert interactions(db_path)[0][3] == "Long call.\nOK"


def test_editor_saved_empty_logs_nothing(cli, db_path, people, tmp_path):
    before = dump(db_path)
    done, _ = run_on_a_terminal(tmp_path, "log", "ada", write="\n\n")
    assert done.returncode == 1
    assert done.stderr == "pcrm: error: nothing written; no interaction logged\n"
    assert dump(db_path) == before


def test_editor_is_not_opened_for_a_bad_ref(cli, db_path, people, tmp_path):
    before = dump(db_path)
    done, template = run_on_a_terminal(tmp_path, "log", "nobody", write="lost words")
    assert done.returncode == 1
    assert done.stderr == 'pcrm: error: no contact matches "nobody" (try: pcrm search nobody)\n'
    assert template == ""  # the editor never ran
    assert dump(db_path) == before
