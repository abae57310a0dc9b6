"""Issue 16: `--company NAME` that only looks like an existing company is asked about on a
terminal and refused off one (never a silent second company); a contact's namesake is
told; a REF that matches nothing suggests the closest names; `follow-up REF` is a
contact's. docs/guide.md, "Companies that look alike" and "Naming a record: REF"."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import NOW, dump, ok, one_line_error
from pcrm.cli.env import Env
from pcrm.cli.main import app


def rows(db_path: Path, sql: str) -> list[tuple]:
    conn = sqlite3.connect(db_path)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def at_terminal(*args: str, input: str):
    """pcrm ARGS with someone at the terminal to answer (stdin a fake terminal), 80 wide."""
    return CliRunner().invoke(
        app,
        list(args),
        input=input,
        obj=Env(clock=lambda: NOW, stdin_isatty=True, stdout_isatty=True),
        env={"TZ": "UTC", "COLUMNS": "80"},
    )


@pytest.fixture
def gmbh(cli):
    ok(cli("company", "add", "Müller & Söhne GmbH", "--domain", "mueller-soehne.de"))


def companies(db_path):
    return rows(db_path, "SELECT id, name FROM companies ORDER BY id")


REFUSED = (
    'pcrm: error: no company is named "Müller & Söhne", but it may be Müller & Söhne GmbH'
    ' (company 1, mueller-soehne.de) (use --company company:1, or --new-company to add "Müller'
    ' & Söhne")\n'
)


def test_piped_a_lookalike_company_is_refused_listing_it_and_nothing_is_written(cli, db_path, gmbh):
    before = dump(db_path)
    args = ("contact", "add", "Hans", "-e", "hans@mueller-soehne.de", "-c", "Müller & Söhne")
    assert one_line_error(cli(*args)) == REFUSED
    assert one_line_error(cli(*args, terminal=True, width=80)) == REFUSED
    assert dump(db_path) == before


@pytest.mark.parametrize(
    "typed",
    ["Müller & Söhne", "muller sohne", "MÜLLER & SÖHNE AG", "Müller und Söhne", "Müller"],
)
def test_a_legal_form_accents_case_or_a_piece_make_no_other_company(cli, db_path, gmbh, typed):
    err = one_line_error(cli("contact", "add", "Hans", "-c", typed))
    assert "it may be Müller & Söhne GmbH (company 1, mueller-soehne.de)" in err
    assert companies(db_path) == [(1, "Müller & Söhne GmbH")]


def test_the_contacts_email_domain_makes_a_company_look_alike(cli, db_path, gmbh):
    err = one_line_error(
        cli("contact", "add", "Hans", "-e", "hans@mueller-soehne.de", "-c", "Mueller Soehne")
    )
    assert "it may be Müller & Söhne GmbH (company 1, mueller-soehne.de)" in err
    # Without that email, nothing looks like "Mueller Soehne": a new company.
    out = ok(cli("contact", "add", "Hans", "-e", "hans@example.org", "-c", "Mueller Soehne"))
    assert out == "added company 2 Mueller Soehne\nadded contact 1 Hans\n"


def test_an_unrelated_name_is_added_as_before(cli, db_path, gmbh):
    out = ok(cli("contact", "add", "Ann", "-c", "Müllerei Schmidt"))
    assert out == "added company 2 Müllerei Schmidt\nadded contact 1 Ann\n"


def test_on_a_terminal_yes_links_the_lookalike(db_path, gmbh):
    result = at_terminal("contact", "add", "Hans", "-c", "Müller & Söhne", input="y\n")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == (
        'Müller & Söhne GmbH (company 1, mueller-soehne.de) matches "Müller & Söhne": use it?'
        " [Y/n/new]: y\nadded contact 1 Hans\n"
    )
    assert rows(db_path, "SELECT company_id FROM contacts") == [(1,)]
    assert companies(db_path) == [(1, "Müller & Söhne GmbH")]


def test_on_a_terminal_enter_takes_the_lookalike_too(db_path, gmbh):
    result = at_terminal("contact", "add", "Hans", "-c", "Müller & Söhne", input="\n")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.endswith("[Y/n/new]: \nadded contact 1 Hans\n")
    assert rows(db_path, "SELECT company_id FROM contacts") == [(1,)]


def test_on_a_terminal_new_adds_a_company_and_no_writes_nothing(db_path, gmbh):
    before = dump(db_path)
    declined = at_terminal("contact", "add", "Hans", "-c", "Müller & Söhne", input="n\n")
    assert declined.exit_code == 1
    assert declined.stderr == (
        "pcrm: error: nothing saved (give --company company:ID, or --new-company)\n"
    )
    assert dump(db_path) == before
    new = at_terminal("contact", "add", "Hans", "-c", "Müller & Söhne", input="new\n")
    assert new.exit_code == 0, new.stderr
    assert new.stdout.endswith(
        "[Y/n/new]: new\nadded company 2 Müller & Söhne\nadded contact 1 Hans\n"
    )
    assert companies(db_path) == [(1, "Müller & Söhne GmbH"), (2, "Müller & Söhne")]


def test_on_a_terminal_several_lookalikes_are_numbered(cli, db_path, gmbh):
    ok(cli("company", "add", "Müller & Söhne Bau AG"))
    result = at_terminal("contact", "add", "Hans", "-c", "Müller & Söhne", input="x\n2\n")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == (
        '"Müller & Söhne" is not a company yet, but it may be:\n'
        "  1) Müller & Söhne Bau AG (company 2)\n"
        "  2) Müller & Söhne GmbH (company 1, mueller-soehne.de)\n"
        "Use which? [1-2/n/new]: x\n"
        "Use which? [1-2/n/new]: 2\n"
        "added contact 1 Hans\n"
    )
    assert rows(db_path, "SELECT company_id FROM contacts") == [(1,)]


def test_new_company_adds_it_without_asking(cli, db_path, gmbh):
    out = ok(cli("contact", "add", "Hans", "-c", "Müller & Söhne", "--new-company"))
    assert out == "added company 2 Müller & Söhne\nadded contact 1 Hans\n"
    # company:ID links the existing one, off a terminal too.
    out = ok(cli("contact", "add", "Grete", "-c", "company:1"))
    assert out == "added contact 2 Grete\n"
    assert rows(db_path, "SELECT name, company_id FROM contacts ORDER BY id") == [
        ("Hans", 2),
        ("Grete", 1),
    ]


def test_new_company_without_company_is_a_usage_error(cli, db_path):
    ok(cli("contact", "add", "Hans"))
    before = dump(db_path)
    result = cli("contact", "edit", "hans", "--new-company")
    assert result.exit_code == 2
    assert "Invalid value for '--new-company': it needs --company NAME" in result.stderr
    assert dump(db_path) == before


def test_contact_edit_company_asks_the_same_with_the_contacts_emails(cli, db_path, gmbh):
    ok(cli("contact", "add", "Hans", "-e", "hans@mueller-soehne.de"))
    before = dump(db_path)
    err = one_line_error(cli("contact", "edit", "hans", "-c", "Mueller Soehne"))
    assert "it may be Müller & Söhne GmbH (company 1, mueller-soehne.de)" in err
    assert dump(db_path) == before
    result = at_terminal("contact", "edit", "hans", "-c", "Mueller Soehne", input="y\n")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.endswith("use it? [Y/n/new]: y\nupdated contact 1 Hans\n")
    assert rows(db_path, "SELECT company_id FROM contacts") == [(1,)]
    out = ok(cli("contact", "edit", "hans", "-c", "Mueller Soehne", "--new-company"))
    assert out == "added company 2 Mueller Soehne\nupdated contact 1 Hans\n"


def test_deal_add_and_edit_company_ask_the_same(cli, db_path, gmbh):
    before = dump(db_path)
    err = one_line_error(cli("deal", "add", "20 seats", "-c", "Müller & Söhne"))
    assert err == REFUSED
    assert dump(db_path) == before
    result = at_terminal("deal", "add", "20 seats", "-c", "Müller & Söhne", input="y\n")
    assert result.exit_code == 0, result.stderr
    assert rows(db_path, "SELECT company_id FROM deals") == [(1,)]
    assert one_line_error(cli("deal", "edit", "20 seats", "-c", "müller")).startswith(
        'pcrm: error: no company is named "müller", but it may be Müller & Söhne GmbH'
    )
    out = ok(cli("deal", "edit", "20 seats", "-c", "Müller & Söhne", "--new-company"))
    assert out.startswith("added company 2 Müller & Söhne\n")
    assert rows(db_path, "SELECT company_id FROM deals") == [(2,)]


def test_an_exact_name_or_domain_still_links_without_a_question(cli, db_path, gmbh):
    assert ok(cli("contact", "add", "A", "-c", "müller & söhne gmbh")) == "added contact 1 A\n"
    assert ok(cli("contact", "add", "B", "-c", "mueller-soehne.de")) == "added contact 2 B\n"
    assert companies(db_path) == [(1, "Müller & Söhne GmbH")]


def test_adding_a_namesake_says_so_on_stderr_and_adds_it(cli, db_path):
    ok(cli("company", "add", "Acme"))
    ok(cli("contact", "add", "Ada Lovelace", "-e", "ada@x.org", "-c", "Acme"))
    result = cli("contact", "add", "ada lovelace")
    assert result.exit_code == 0
    assert result.stdout == "added contact 2 ada lovelace\n"
    assert result.stderr == (
        "note: another contact is named ada lovelace: 1  Ada Lovelace  <ada@x.org>  (Acme)\n"
    )
    third = cli("contact", "add", "Ada Lovelace", terminal=True, width=80)
    assert third.stdout == "added contact 3 Ada Lovelace\n"
    assert third.stderr == (
        "note: other contacts are named Ada Lovelace: 1  Ada Lovelace  <ada@x.org>  (Acme);"
        " 2  ada lovelace\n"
    )
    assert rows(db_path, "SELECT count(*) FROM contacts") == [(3,)]


def test_a_new_name_has_no_note(cli):
    result = cli("contact", "add", "Ada Lovelace")
    assert (result.exit_code, result.stderr) == (0, "")


def test_no_match_suggests_the_closest_names(cli, db_path):
    ok(cli("contact", "add", "Ada Lovelace"))
    ok(cli("company", "add", "Analytical Engines"))
    ok(cli("deal", "add", "Twenty seats"))
    before = dump(db_path)
    assert one_line_error(cli("contact", "show", "ada lovlace")) == (
        'pcrm: error: no contact matches "ada lovlace"'
        " (did you mean Ada Lovelace? try: pcrm search 'ada lovlace')\n"
    )
    assert one_line_error(cli("log", "lovlace", "Call")) == (
        'pcrm: error: no contact matches "lovlace"'
        " (did you mean Ada Lovelace? try: pcrm search lovlace)\n"
    )
    assert one_line_error(cli("company", "show", "analytcal engines")).startswith(
        'pcrm: error: no company matches "analytcal engines" (did you mean Analytical Engines?'
    )
    assert one_line_error(cli("deal", "show", "twenty seets")).startswith(
        'pcrm: error: no deal matches "twenty seets" (did you mean Twenty seats?'
    )
    assert one_line_error(cli("show", "analytcal", terminal=True, width=80)) == (
        'pcrm: error: no contact or company matches "analytcal"'
        " (did you mean Analytical Engines? try: pcrm search analytcal)\n"
    )
    # Nothing close: the hint as before.
    assert one_line_error(cli("contact", "show", "zzz")) == (
        'pcrm: error: no contact matches "zzz" (try: pcrm search zzz)\n'
    )
    assert dump(db_path) == before


def test_follow_up_bare_ref_is_a_contact_and_company_prefix_a_company(cli, db_path):
    ok(cli("company", "add", "Acme"))
    ok(cli("contact", "add", "Ada Lovelace", "-c", "Acme"))
    before = dump(db_path)
    assert one_line_error(cli("follow-up", "acme", "Renewal", "--due", "tomorrow")) == (
        'pcrm: error: no contact matches "acme" (a company matches: write company:acme)\n'
    )
    assert dump(db_path) == before
    ok(cli("follow-up", "company:acme", "Renewal", "--due", "tomorrow"))
    ok(cli("follow-up", "ada", "Quote", "--due", "tomorrow"))
    assert rows(db_path, "SELECT title, contact_id, company_id FROM tasks ORDER BY id") == [
        ("Renewal", None, 1),
        ("Quote", 1, None),
    ]


def test_follow_up_help_says_a_bare_ref_is_a_contact(cli):
    out = ok(cli("follow-up", "add", "--help"))
    assert "The contact: id, email or name; company:REF for a company." in " ".join(out.split())


def test_a_real_pipe_refuses_the_lookalike(db_path, gmbh):
    """As a script runs it: a subprocess, stdin and stdout pipes."""
    result = subprocess.run(
        [sys.executable, "-m", "pcrm", "contact", "add", "Hans", "-c", "Müller & Söhne"],
        capture_output=True,
        text=True,
        stdin=subprocess.PIPE,
        check=False,
    )
    assert (result.returncode, result.stdout, result.stderr) == (1, "", REFUSED)
