"""`pcrm contact query STRING`: mutt/neomutt query_command and aerc address-book-cmd."""

from __future__ import annotations

from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures" / "mail"


@pytest.fixture
def people(cli):
    for args in (
        ("Zoë Müller", "--email", "zoe@example.org", "--email", "z.mueller@work.example"),
        ("Ada Lovelace", "--email", "ada@analytical.example", "--company", "Analytical"),
        ("Adam Zoellner", "--email", "adam@example.org"),
        ("Nobody Mailless",),
    ):
        assert cli("contact", "add", *args).exit_code == 0


def test_names_match_without_case_or_accents(cli, people):
    result = cli("contact", "query", "ZOE")
    assert result.exit_code == 0
    # Names starting with it first, then the others whose name or address contains it.
    assert result.stdout == (
        "pcrm: 3 matches\n"
        "zoe@example.org\tZoë Müller\t\n"
        "z.mueller@work.example\tZoë Müller\t\n"
        "adam@example.org\tAdam Zoellner\t\n"
    )


def test_addresses_match_and_the_company_is_the_extra_field(cli, people):
    result = cli("contact", "query", "analytical")
    assert result.stdout == "pcrm: 1 match\nada@analytical.example\tAda Lovelace\tAnalytical\n"
    assert cli("contact", "query", "muller").stdout.count("Zoë Müller") == 2


def test_no_match_is_a_status_line_and_exit_1_for_mutt(cli, people):
    result = cli("contact", "query", "nobody")  # a contact without an address is no match
    assert result.exit_code == 1
    assert result.stdout == "pcrm: no matches\n"


def test_no_header_for_aerc(cli, people):
    result = cli("contact", "query", "--no-header", "ada")
    assert result.exit_code == 0
    assert result.stdout == (
        "ada@analytical.example\tAda Lovelace\tAnalytical\nadam@example.org\tAdam Zoellner\t\n"
    )
    empty = cli("contact", "query", "--no-header", "nobody")
    assert (empty.exit_code, empty.stdout) == (0, "")


def test_wildcards_are_literal(cli, people):
    assert cli("contact", "query", "%").stdout == "pcrm: no matches\n"
    assert cli("contact", "query", "_").stdout == "pcrm: no matches\n"


def test_a_message_on_stdin_without_date_is_dated_now(cli, db_path, people):
    text = (FIXTURES / "rfc2047_example.eml").read_text("ascii")
    result = cli("capture", "mail", "-", "--add-unknown", input=text)
    assert result.exit_code == 0
    assert result.stderr == "pcrm: warning: stdin: no Date header; dated now\n"
    import sqlite3

    conn = sqlite3.connect(db_path)
    assert conn.execute("SELECT at FROM interactions").fetchall() == [("2026-11-23T10:00:00Z",)]
    conn.close()
