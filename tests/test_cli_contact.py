"""`pcrm contact add|list|show|edit|rm` through the command line, as a user types them."""

from __future__ import annotations

import json
import os
import pty
import sqlite3
import subprocess
import sys
import textwrap
from datetime import timedelta
from pathlib import Path

import pytest
from rich.cells import cell_len

from conftest import NOW, dump, error, ok
from tables import headers, table_rows


def as_json(result):
    return json.loads(ok(result))


def rows(db_path: Path, sql: str, params=()) -> list[tuple]:
    conn = sqlite3.connect(db_path)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


@pytest.fixture
def people(cli):
    """Three contacts at two companies, contacted at different times."""
    ok(
        cli(
            "contact", "add", "Ada Lovelace", "-e", "work: ada@example.org",
            "-c", "Analytical Engines", "--source", "Referral", "-t", "vip,customer",
            now=NOW - timedelta(days=3),
        )
    )  # fmt: skip
    ok(
        cli(
            "contact", "add", "Zoë Müller", "-e", "zoe@muller.example", "-c", "Zebra Labs",
            "--source", "event", "-t", "lead", now=NOW - timedelta(days=2),
        )
    )  # fmt: skip
    ok(cli("contact", "add", "Bob Stone", "--source", "referral", now=NOW - timedelta(days=1)))
    ok(cli("log", "ada", "Call about the quote", "--kind", "call", "--at", "2026-11-01"))
    ok(cli("log", "zoe", "Coffee", "--at", "2026-11-20"))


# -- add ---------------------------------------------------------------------------------


def test_add_with_everything_then_show_json(cli):
    out = ok(
        cli(
            "contact", "add", "  Ada   Lovelace ",
            "--email", "work: Ada@Example.ORG", "-e", "home:ada@home.example",
            "--phone", "mobile: +44 20 7946 0000", "-p", "555-1212",
            "--company", "Analytical Engines", "--title", "Countess", "--source", "referral",
            "--tag", "vip,Customer", "-t", "VIP", "--birthday", "10 Dec 1985",
            "--note", "Met at the\nRoyal Society",
        )
    )  # fmt: skip
    assert out == "added company 1 Analytical Engines\nadded contact 1 Ada Lovelace\n"
    contact = as_json(cli("contact", "show", "1", "--json"))["contact"]
    assert contact["name"] == "Ada Lovelace"
    assert contact["emails"] == [
        {"email": "ada@example.org", "label": "work"},
        {"email": "ada@home.example", "label": "home"},
    ]
    assert contact["phones"] == [
        {"phone": "+44 20 7946 0000", "label": "mobile"},
        {"phone": "555-1212", "label": None},
    ]
    assert contact["company"] == {"kind": "company", "id": 1, "name": "Analytical Engines"}
    assert contact["tags"] == ["Customer", "vip"]
    assert (contact["title"], contact["source"]) == ("Countess", "referral")
    assert contact["birthday"] == "1985-12-10"
    assert contact["note"] == "Met at the\nRoyal Society"
    assert contact["created_at"] == contact["updated_at"] == "2026-11-23T10:00:00Z"


def test_add_links_existing_company_by_name_in_any_case_and_accents(cli, db_path):
    ok(cli("company", "add", "Société Générale", "--domain", "sg.example"))
    assert ok(cli("contact", "add", "Ann", "-c", "societe generale")) == "added contact 1 Ann\n"
    assert ok(cli("contact", "add", "Ben", "-c", "SOCIÉTÉ  GÉNÉRALE")) == "added contact 2 Ben\n"
    assert ok(cli("contact", "add", "Cy", "-c", "1")) == "added contact 3 Cy\n"
    assert ok(cli("contact", "add", "Di", "-c", "SG.example")) == "added contact 4 Di\n"
    assert rows(db_path, "SELECT id, company_id FROM contacts ORDER BY id") == [
        (1, 1),
        (2, 1),
        (3, 1),
        (4, 1),
    ]
    assert rows(db_path, "SELECT count(*) FROM companies") == [(1,)]


def test_add_never_links_a_company_by_a_piece_of_its_name(cli, db_path):
    ok(cli("company", "add", "Acme Holdings"))
    # A company that looks like it is asked about (tests/test_company_matching.py).
    out = ok(cli("contact", "add", "Ann", "-c", "Acme", "--new-company"))
    assert out == "added company 2 Acme\nadded contact 1 Ann\n"


def test_add_with_unknown_company_id_changes_nothing(cli, db_path):
    ok(cli("contact", "add", "Ann"))
    before = dump(db_path)
    err = error(cli("contact", "add", "Ben", "-c", "7"))
    assert err == "pcrm: error: no company has id 7 (see: pcrm company list)\n"
    assert dump(db_path) == before


def test_tags_split_on_commas_and_reuse_the_existing_spelling(cli, db_path):
    ok(cli("contact", "add", "Ann", "-t", "VIP, Lead ,#partner", "-t", "lead"))
    ok(cli("contact", "add", "Ben", "-t", "vip"))
    assert as_json(cli("contact", "show", "ann", "--json"))["contact"]["tags"] == [
        "Lead",
        "partner",
        "VIP",
    ]
    assert as_json(cli("contact", "show", "ben", "--json"))["contact"]["tags"] == ["VIP"]
    assert rows(db_path, "SELECT name FROM tags ORDER BY id") == [("VIP",), ("Lead",), ("partner",)]


@pytest.mark.parametrize(
    ("typed", "stored", "shown"),
    [
        ("1985-03-12", "1985-03-12", "1985-03-12"),
        ("12 Mar 1985", "1985-03-12", "1985-03-12"),
        ("March 12, 1985", "1985-03-12", "1985-03-12"),
        ("--03-12", "--03-12", "03-12 (no year)"),
        ("12 Mar", "--03-12", "03-12 (no year)"),
        ("29 feb", "--02-29", "02-29 (no year)"),
    ],
)
def test_birthday_with_and_without_year(cli, typed, stored, shown):
    ok(cli("contact", "add", "Ann", "--birthday", typed))
    assert as_json(cli("contact", "show", "ann", "--json"))["contact"]["birthday"] == stored
    assert f"birthday: {shown}\n" in ok(cli("contact", "show", "ann"))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["   "], "the name cannot be empty (give a name)"),
        (["Ann", "-e", "not-an-address"], 'invalid email address "not-an-address"'),
        (["Ann", "-e", "work: ann@"], 'invalid email address "ann@"'),
        (["Ann", "-p", "mobile: call me"], 'invalid phone number "mobile: call me"'),
        (["Ann", "--birthday", "1985-02-30"], 'cannot understand birthday "1985-02-30"'),
        (["Ann", "--birthday", "someday"], 'cannot understand birthday "someday"'),
        (["Ann", "-t", ","], None),
        (["Ann", "-e", "ada@EXAMPLE.org"], "ada@example.org already belongs to contact 1"),
    ],
)
def test_bad_add_changes_nothing(cli, db_path, args, message):
    ok(cli("contact", "add", "Ada", "-e", "ada@example.org"))
    before = dump(db_path)
    result = cli("contact", "add", *args)
    if message is None:  # an empty tag list is no tag at all, not an error
        ok(result)
        return
    err = error(result)
    assert err.startswith(f"pcrm: error: {message}")
    assert err.count("\n") == 1
    assert dump(db_path) == before


def test_email_clash_is_a_conflict_naming_the_owner(cli, db_path):
    ok(cli("contact", "add", "Ada Lovelace", "-e", "ada@example.org"))
    before = dump(db_path)
    err = error(cli("contact", "add", "Other Ada", "-e", "new@x.org", "-e", "ADA@Example.Org"))
    assert err == (
        "pcrm: error: ada@example.org already belongs to contact 1 (Ada Lovelace)"
        " (see: pcrm contact show 1)\n"
    )
    assert dump(db_path) == before
    # Nor may an edit take another contact's address.
    ok(cli("contact", "add", "Bob", "-e", "bob@x.org"))
    before = dump(db_path)
    err = error(cli("contact", "edit", "bob", "--email", "home: Ada@example.org"))
    assert err.startswith("pcrm: error: ada@example.org already belongs to contact 1")
    assert dump(db_path) == before


def test_the_same_email_twice_in_one_command_is_stored_once(cli, db_path):
    ok(cli("contact", "add", "Ann", "-e", "ann@x.org", "-e", "work: ANN@x.org"))
    assert rows(db_path, "SELECT email, label FROM contact_emails") == [("ann@x.org", None)]


def test_missing_company_name_creation_is_announced_on_edit_too(cli, db_path):
    ok(cli("contact", "add", "Ann"))
    out = ok(cli("contact", "edit", "ann", "--company", "New Co"))
    assert out == "added company 1 New Co\nupdated contact 1 Ann\n"


# -- list --------------------------------------------------------------------------------


def ids(output: str) -> list[int]:
    return [int(line.split("\t")[0]) for line in output.splitlines()]


def test_plain_list_is_tab_separated_without_header_or_colour(cli, people):
    out = ok(cli("contact", "list"))
    assert out == (
        "1\tAda Lovelace\tada@example.org\tAnalytical Engines\tcustomer,vip\t2026-11-01T00:00:00Z\n"
        "3\tBob Stone\t\t\t\t\n"
        "2\tZoë Müller\tzoe@muller.example\tZebra Labs\tlead\t2026-11-20T00:00:00Z\n"
    )
    assert "\x1b" not in out


def test_plain_list_never_cuts_a_long_name(cli):
    name = "Maximilian " + "Fitzgerald-Worthington " * 12 + "III"
    ok(cli("contact", "add", name, "-e", "max@" + "sub." * 20 + "example.org"))
    out = ok(cli("contact", "list", width=40))
    assert out.split("\t")[1] == " ".join(name.split())
    assert out.split("\t")[2] == "max@" + "sub." * 20 + "example.org"


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--tag", "VIP"], [1]),
        (["--tag", "#lead"], [2]),
        (["-t", "nosuch"], []),
        (["--company", "zebra"], [2]),
        (["-c", "1"], [1]),
        (["--source", "REFERRAL"], [1, 3]),
        (["--search", "quote"], []),  # interactions are not the contact's own text
        (["--search", "muller"], [2]),
        (["-s", "analyt"], [1]),
        (["--source", "referral", "--search", "stone"], [3]),
        (["--source", "referral", "--tag", "lead"], []),
    ],
)
def test_list_filters(cli, people, args, expected):
    assert ids(ok(cli("contact", "list", *args))) == expected


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("name", [1, 3, 2]),
        ("recent", [2, 1, 3]),  # last contacted first, never contacted last
        ("stale", [3, 1, 2]),  # never contacted first, then the longest silent
        ("created", [3, 2, 1]),  # newest first
        ("company", [1, 2, 3]),  # by company name, people without one last
    ],
)
def test_list_sorts(cli, people, sort, expected):
    assert ids(ok(cli("contact", "list", "--sort", sort))) == expected


def test_cli_sorts_match_core():
    from typing import get_args

    from pcrm.cli.contact import Sort
    from pcrm.core.people.contacts import SORTS

    assert list(get_args(Sort)) == list(SORTS)


def test_unknown_sort_is_a_usage_error(cli, people):
    result = cli("contact", "list", "--sort", "age")
    assert result.exit_code == 2
    assert "'age' is not one of" in result.stderr


def test_limit_says_how_many_were_left_out_on_stderr(cli, people):
    result = cli("contact", "list", "--limit", "2")
    assert ids(ok(result)) == [1, 3]
    assert result.stderr == "showing 2 of 3 (use --limit 0 for all)\n"
    everything = cli("contact", "list", "--limit", "0")
    assert ids(ok(everything)) == [1, 3, 2]
    assert everything.stderr == ""
    # JSON stays clean on stdout; the note still reaches a person on stderr.
    limited = cli("contact", "list", "-n", "1", "--json")
    assert [c["id"] for c in as_json(limited)] == [1]
    assert limited.stderr == "showing 1 of 3 (use --limit 0 for all)\n"


def test_limit_applies_to_filtered_rows(cli, people):
    result = cli("contact", "list", "--source", "referral", "-n", "1")
    assert ids(ok(result)) == [1]
    assert result.stderr == "showing 1 of 2 (use --limit 0 for all)\n"


CONTACT_KEYS = [
    "id",
    "uid",
    "name",
    "company",
    "title",
    "source",
    "birthday",
    "note",
    "last_contacted_at",
    "created_at",
    "updated_at",
    "emails",
    "phones",
    "tags",
    "anniversary",
    "cadence_days",
    "fields",
    "lifecycle_stage",
    "nickname",
    "faxes",
    "addresses",
    "urls",
]


def test_json_list_has_stable_keys_and_iso_times(cli, people):
    contacts = as_json(cli("contact", "list", "--json"))
    assert [list(contact) for contact in contacts] == [CONTACT_KEYS] * 3
    ada = contacts[0]
    assert ada["last_contacted_at"] == "2026-11-01T00:00:00Z"
    assert ada["created_at"] == "2026-11-20T10:00:00Z"
    assert contacts[1]["company"] is None
    assert contacts[1]["emails"] == [] and contacts[1]["tags"] == []


def test_empty_json_list_is_an_empty_array(cli, people):
    result = cli("contact", "list", "--tag", "nosuch", "--json")
    assert ok(result) == "[]\n"
    assert result.stderr == ""


def test_empty_list_prints_nothing_when_piped_and_says_so_on_a_terminal(cli, people):
    assert ok(cli("contact", "list", "--tag", "nosuch")) == ""
    assert ok(cli("contact", "list", "-t", "nosuch", terminal=True)) == "No contacts to show.\n"
    ok(cli("company", "add", "Empty Co"))
    assert ok(cli("company", "list", "-t", "x", terminal=True)) == "No companies to show.\n"


def test_rich_list_at_80_columns_keeps_every_row_readable(cli):
    long_name = "Maximilian Alexander Fitzgerald-Worthington the Third of Somewhere Far"
    long_email = "maximilian.alexander.fitzgerald@subdomain.verylongcompanyname.example.org"
    long_company = "International Business Machines Corporation of Greater Europe"
    ok(
        cli(
            "contact", "add", long_name, "-e", long_email, "-c", long_company,
            "-t", "enterprise,decision-maker,conference-2026,vip",
        )
    )  # fmt: skip
    for index in range(12):
        ok(cli("contact", "add", f"Person {index:02d}", "-e", f"p{index}@x.org"))
    ok(cli("log", "person 03", "hello", "--at", "2026-11-20"))
    out = ok(cli("contact", "list", terminal=True, width=80))
    assert "\x1b" not in out
    assert all(cell_len(line) <= 80 for line in out.splitlines())
    # Tags, then Company go when room is short; long cells stay on one line and end in "…".
    assert headers(out.splitlines()[0]) == ["ID", "Name", "Email", "Last contact"]
    table = table_rows(out)
    assert [int(row["ID"]) for row in table] == [1, *range(2, 14)]
    first = table[0]
    assert long_name.startswith(first["Name"].removesuffix("…"))
    assert first["Email"].endswith("…")
    assert long_email.startswith(first["Email"].removesuffix("…"))
    assert first["Last contact"] == "never"
    assert table[4] == {
        "ID": "5",
        "Name": "Person 03",
        "Email": "p3@x.org",
        "Last contact": "3 days ago",
    }


def test_rich_list_leaves_out_empty_and_least_needed_columns(cli):
    ok(cli("contact", "add", "Ann Example", "-e", "ann@example.org", "-c", "Acme"))
    out = ok(cli("contact", "list", terminal=True, width=80))
    assert [line.rstrip() for line in out.splitlines()] == [
        "ID  Name         Email            Company  Last contact",
        " 1  Ann Example  ann@example.org  Acme     never",
    ]
    narrow = ok(cli("contact", "list", terminal=True, width=30))
    assert [line.rstrip() for line in narrow.splitlines()] == [
        "ID  Name",
        " 1  Ann Example",
    ]


# -- show --------------------------------------------------------------------------------


def test_show_plain(cli, people):
    ok(
        cli(
            "contact", "edit", "ada", "-p", "mobile: +44 1", "--title", "Countess", "--note", "a\nb"
        )
    )
    ok(cli("contact", "edit", "ada", "--birthday", "--12-10"))
    assert ok(cli("contact", "show", "ada")) == textwrap.dedent(
        """\
        contact 1: Ada Lovelace
        email: ada@example.org (work)
        phone: +44 1 (mobile)
        company: Analytical Engines
        title: Countess
        source: Referral
        birthday: 12-10 (no year)
        tags: customer, vip
        note: a
        note: b
        interactions: 1
        last touch: 2026-11-01T00:00:00Z

        2026-11-01T00:00:00Z\tcall\tAda Lovelace\tCall about the quote
        """
    )


def test_show_rich(cli, people):
    ok(cli("contact", "edit", "ada", "-e", "home: ada@home.example", "--title", "Countess"))
    out = ok(cli("contact", "show", "ada", terminal=True, width=80))
    assert [line.rstrip() for line in out.splitlines()] == [
        "Ada Lovelace  Countess at Analytical Engines  contact 1",
        "",
        "  Email    ada@example.org (work)",
        "           ada@home.example (home)",
        "  Company  Analytical Engines",
        "  Title    Countess",
        "  Source   Referral",
        "  Tags     customer, vip",
        "",
        "Last touch 3 weeks ago   1 interaction",
        "  3 weeks ago  call  Call about the quote",
    ]


def test_show_json(cli, people):
    view = as_json(cli("contact", "show", "zoe", "--json"))
    assert list(view) == [
        "contact", "recent", "interaction_count", "last_touch", "next_touch", "deals",
        "lifecycle", "follow_ups", "follow_up_count", "archived_at",
    ]  # fmt: skip
    assert view["archived_at"] is None
    assert view["deals"] == []
    assert list(view["contact"]) == CONTACT_KEYS
    assert view["contact"]["name"] == "Zoë Müller"
    assert view["interaction_count"] == 1
    assert view["last_touch"] == "2026-11-20T00:00:00Z"
    assert view["recent"][0]["text"] == "Coffee"


# -- edit with options -------------------------------------------------------------------


def test_edit_adds_and_removes_emails_phones_and_tags(cli, db_path, people):
    out = ok(
        cli(
            "contact", "edit", "ada", "--email", "home: ada@home.example",
            "--rm-email", "ADA@example.org", "--phone", "mobile: +44 20 1234",
            "--phone", "555 1212", "--tag", "speaker", "--untag", "VIP",
        )
    )  # fmt: skip
    assert out == "updated contact 1 Ada Lovelace\n"
    ok(cli("contact", "edit", "1", "--rm-phone", "5551212", "-p", "work: +44 (20) 1234"))
    contact = as_json(cli("contact", "show", "1", "--json"))["contact"]
    assert contact["emails"] == [{"email": "ada@home.example", "label": "home"}]
    # the same digits are the same number: only its label changes
    assert contact["phones"] == [{"phone": "+44 20 1234", "label": "work"}]
    assert contact["tags"] == ["customer", "speaker"]
    assert contact["updated_at"] == "2026-11-23T10:00:00Z"


def test_edit_clears_fields_with_empty_strings(cli, people):
    ok(cli("contact", "edit", "ada", "--title", "CTO", "--birthday", "1985-12-10", "--note", "x"))
    out = ok(
        cli(
            "contact", "edit", "ada", "--title", "", "--source", "", "--birthday", "",
            "--note", "", "--company", "",
        )
    )  # fmt: skip
    assert out == "updated contact 1 Ada Lovelace\n"
    contact = as_json(cli("contact", "show", "ada", "--json"))["contact"]
    assert [contact[k] for k in ("title", "source", "birthday", "note", "company")] == [None] * 5
    # the company itself stays
    assert ids(ok(cli("company", "list"))) == [1, 2]


def test_edit_renames_and_moves_to_an_existing_company(cli, db_path, people):
    out = ok(cli("contact", "edit", "bob", "--name", "Robert  Stone", "-c", "zebra labs"))
    assert out == "updated contact 3 Robert Stone\n"
    assert ids(ok(cli("contact", "list", "--company", "zebra"))) == [3, 2]
    assert ok(cli("contact", "show", "robert")).startswith("contact 3: Robert Stone\n")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--rm-email", "nobody@x.org"], 'contact 1 has no email "nobody@x.org"'),
        (["--rm-phone", "999"], 'contact 1 has no phone "999"'),
        (["--untag", "nosuch"], 'contact 1 has no tag "nosuch"'),
        (["--name", " "], "the name cannot be empty"),
        (["--email", "bad"], 'invalid email address "bad"'),
        (["--birthday", "31 Feb"], 'cannot understand birthday "31 Feb"'),
        (["--company", "99"], "no company has id 99"),
        # a valid change before a bad one is rolled back with it
        (["--title", "CEO", "--rm-email", "nobody@x.org"], "contact 1 has no email"),
    ],
)
def test_bad_edit_changes_nothing(cli, db_path, people, args, message):
    before = dump(db_path)
    err = error(cli("contact", "edit", "ada", *args))
    assert err.startswith(f"pcrm: error: {message}")
    assert dump(db_path) == before


# -- edit in $EDITOR ---------------------------------------------------------------------


def editor(tmp_path: Path, body: str) -> str:
    """An $EDITOR command: a Python script that gets the form's path and changes it."""
    script = tmp_path / "editor.py"
    script.write_text(
        "import sys\npath = sys.argv[1]\ntext = open(path, encoding='utf-8').read()\n"
        + textwrap.dedent(body)
        + "\nopen(path, 'w', encoding='utf-8').write(text)\n",
        encoding="utf-8",
    )
    return f"{sys.executable} {script}"


def test_editor_form_shows_every_field(cli, tmp_path, people):
    ok(cli("contact", "edit", "ada", "-p", "+1 555", "--note", "line one\n  indented\nthree"))
    copy = tmp_path / "seen.txt"
    command = editor(tmp_path, f"open({str(copy)!r}, 'w', encoding='utf-8').write(text)")
    out = ok(cli("contact", "edit", "ada", env={"EDITOR": command}))
    assert out == "no changes\n"
    form = copy.read_text(encoding="utf-8")
    assert form.splitlines()[0] == "# Editing contact 1."
    assert [line for line in form.splitlines() if not line.startswith("#")] == [
        "",
        "name: Ada Lovelace",
        "email: work: ada@example.org",
        "phone: +1 555",
        "company: Analytical Engines",
        "title: ",
        "source: Referral",
        "birthday: ",
        "anniversary: ",
        "every: ",
        "tags: customer, vip",
        "note: line one",
        "    indented",
        "  three",
    ]


def test_editor_changes_are_applied(cli, db_path, tmp_path, people):
    command = editor(
        tmp_path,
        """
        text = text.replace("title: \\n", "title: Countess\\n")
        old = "\\nemail: work: ada@example.org"
        text = text.replace(old, "\\nemail: home: ADA@home.example" + old)
        text = text.replace("tags: customer, vip", "tags: vip, speaker")
        text = text.replace("company: Analytical Engines", "company: Difference Co")
        text = text.replace("birthday: ", "birthday: 10 Dec")
        text = text.replace("note: ", "note: first\\n  second\\n\\n    code")
        """,
    )
    out = ok(cli("contact", "edit", "ada", env={"EDITOR": command}))
    assert out == "added company 3 Difference Co\nupdated contact 1 Ada Lovelace\n"
    contact = as_json(cli("contact", "show", "ada", "--json"))["contact"]
    assert contact["title"] == "Countess"
    assert contact["emails"] == [
        {"email": "ada@home.example", "label": "home"},
        {"email": "ada@example.org", "label": "work"},
    ]
    assert contact["tags"] == ["speaker", "vip"]
    assert contact["company"]["name"] == "Difference Co"
    assert contact["birthday"] == "--12-10"
    assert contact["note"] == "first\nsecond\n\n  code"
    # Saving the same form again without changes changes nothing.
    assert ok(cli("contact", "edit", "ada", env={"EDITOR": "true"})) == "no changes\n"


def test_editor_clearing_lines_clears_fields(cli, tmp_path, people):
    command = editor(
        tmp_path,
        """
        text = text.replace("email: work: ada@example.org", "email:")
        text = text.replace("tags: customer, vip", "tags:")
        text = text.replace("company: Analytical Engines\\n", "")
        """,
    )
    ok(cli("contact", "edit", "ada", env={"EDITOR": command}))
    contact = as_json(cli("contact", "show", "ada", "--json"))["contact"]
    assert (contact["emails"], contact["tags"], contact["company"]) == ([], [], None)


def test_editor_saved_unchanged_cancels(cli, db_path, people):
    before = dump(db_path)
    assert ok(cli("contact", "edit", "ada", env={"EDITOR": "true"})) == "no changes\n"
    assert dump(db_path) == before


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            'text = text.replace("title:", "job title:")',
            'line 11: unknown field "job title" (fields: name, email, phone, company, title,'
            " source, birthday, anniversary, every, tags, note,"
            " nickname)",
        ),
        ('text = text.replace("source: Referral", "Referral")', 'line 12: expected "field: value"'),
        ('text = text.replace("name: Ada Lovelace", "name:")', "line 7: the name cannot be empty"),
        ('text = text.replace("name: Ada Lovelace\\n", "")', 'the form has no "name:" line'),
        ('text = text.replace("title:", "  title:")', "line 11: only the note may go on"),
        ('text += "title: twice\\n"', 'line 18: "title" appears twice'),
        (
            'text = text.replace("work: ada@example.org", "work: ada@")',
            'line 8: invalid email address "ada@"',
        ),
        ('text = text.replace("birthday: ", "birthday: 30 Feb")', "line 13: cannot understand"),
        (
            'text = text.replace("email: work: ada@example.org", "email: zoe@MULLER.example")',
            "zoe@muller.example already belongs to contact 2",
        ),
    ],
)
def test_editor_errors_name_the_line_and_change_nothing(
    cli, db_path, tmp_path, people, body, message
):
    before = dump(db_path)
    err = error(cli("contact", "edit", "ada", env={"EDITOR": editor(tmp_path, body)}))
    assert err.startswith(f"pcrm: error: {message}"), err
    assert err.count("\n") == 1
    assert dump(db_path) == before


def test_editor_that_fails_changes_nothing(cli, db_path, people):
    before = dump(db_path)
    err = error(cli("contact", "edit", "ada", env={"EDITOR": "false"}))
    assert err == "pcrm: error: the editor exited with status 1; nothing changed\n"
    missing = error(cli("contact", "edit", "ada", env={"EDITOR": "no-such-editor-xyz"}))
    assert missing.startswith("pcrm: error: cannot start the editor 'no-such-editor-xyz'")
    assert dump(db_path) == before


# -- rm ----------------------------------------------------------------------------------


def test_rm_refuses_without_yes_when_nobody_can_answer(cli, db_path, people):
    before = dump(db_path)
    err = error(cli("contact", "rm", "bob"))
    assert err == "pcrm: error: not removing contact 3 Bob Stone without confirmation (add --yes)\n"
    assert dump(db_path) == before


def test_rm_removes_the_contact_and_its_links_only(cli, db_path, people):
    ok(cli("contact", "edit", "zoe", "-p", "+49 30 1234"))
    ok(cli("log", "ada", "Meeting with both", "--with", "zoe", "--kind", "meeting"))
    out = ok(cli("contact", "rm", "zoe", "--yes"))
    assert out == "removed contact 2 Zoë Müller\n"
    assert rows(db_path, "SELECT id FROM contacts ORDER BY id") == [(1,), (3,)]
    assert rows(db_path, "SELECT count(*) FROM contact_emails WHERE contact_id = 2") == [(0,)]
    assert rows(db_path, "SELECT count(*) FROM contact_phones WHERE contact_id = 2") == [(0,)]
    assert rows(db_path, "SELECT count(*) FROM contact_tags WHERE contact_id = 2") == [(0,)]
    # interactions stay: the shared one with Ada, and Zoë's own (now with nobody)
    assert rows(db_path, "SELECT id, text FROM interactions ORDER BY id") == [
        (1, "Call about the quote"),
        (2, "Coffee"),
        (3, "Meeting with both"),
    ]
    assert rows(db_path, "SELECT interaction_id, contact_id FROM interaction_contacts") == [
        (1, 1),
        (3, 1),
    ]
    assert ids(ok(cli("company", "list"))) == [1, 2]
    assert rows(db_path, "SELECT name FROM tags ORDER BY name") == [
        ("customer",),
        ("lead",),
        ("vip",),
    ]
    uid = as_json(cli("contact", "show", "ada", "--json"))["contact"]["uid"]
    assert uid not in {row[0] for row in rows(db_path, "SELECT uid FROM deletions")}
    assert rows(db_path, "SELECT kind, deleted_at FROM deletions") == [
        ("contact", "2026-11-23T10:00:00Z")
    ]
    assert error(cli("contact", "show", "zoe")).startswith('pcrm: error: no contact matches "zoe"')


def run_on_terminal(
    db_path: Path, args: list[str], answer: str, editor: str | None = None
) -> subprocess.CompletedProcess:
    """Run pcrm as a user at a terminal would: stdin is a real pseudo-terminal."""
    master, slave = pty.openpty()
    try:
        env = {**os.environ, "PCRM_DB": str(db_path), "PCRM_NOW": "2026-11-23T10:00:00Z"}
        if editor:
            env["EDITOR"] = editor
        proc = subprocess.Popen(
            [sys.executable, "-m", "pcrm", *args],
            stdin=slave,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
            text=True,
        )
        os.write(master, answer.encode())
        out, err = proc.communicate(timeout=60)
    finally:
        os.close(slave)
        os.close(master)
    return subprocess.CompletedProcess(args, proc.returncode, out, err)


def test_rm_asks_on_a_terminal(cli, db_path, people):
    before = dump(db_path)
    declined = run_on_terminal(db_path, ["contact", "rm", "bob"], "n\n")
    assert declined.returncode == 1
    assert declined.stdout == "Remove contact 3 Bob Stone? [y/N]: "
    assert declined.stderr == "pcrm: error: nothing removed\n"
    assert dump(db_path) == before
    accepted = run_on_terminal(db_path, ["contact", "rm", "bob"], "y\n")
    assert accepted.returncode == 0, accepted.stderr
    assert accepted.stdout == "Remove contact 3 Bob Stone? [y/N]: removed contact 3 Bob Stone\n"
    assert rows(db_path, "SELECT id FROM contacts ORDER BY id") == [(1,), (2,)]


def test_editor_parse_error_on_a_terminal_offers_to_reopen(cli, db_path, tmp_path, people):
    """First save has an error; the user reopens and the second save fixes it."""
    counter = tmp_path / "count"
    command = editor(
        tmp_path,
        f"""
        import pathlib
        counter = pathlib.Path({str(counter)!r})
        n = int(counter.read_text()) + 1 if counter.exists() else 1
        counter.write_text(str(n))
        if n == 1:
            text = text.replace("title:", "titel:")
        else:
            text = text.replace("titel:", "title: Countess")
        """,
    )
    result = run_on_terminal(db_path, ["contact", "edit", "ada"], "y\n", editor=command)
    assert result.returncode == 0, result.stderr
    assert result.stderr.startswith('pcrm: error: line 11: unknown field "titel"')
    assert result.stdout.endswith("updated contact 1 Ada Lovelace\n")
    assert counter.read_text() == "2"
    assert as_json(cli("contact", "show", "ada", "--json"))["contact"]["title"] == "Countess"


# -- missing database --------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["contact", "list"],
        ["contact", "list", "--json"],
        ["contact", "show", "ada"],
        ["contact", "edit", "ada", "--title", "x"],
        ["contact", "edit", "ada"],
        ["contact", "rm", "ada", "--yes"],
    ],
)
def test_missing_database_is_an_error_and_creates_nothing(cli, db_path, args):
    err = error(cli(*args, env={"EDITOR": "true"}))
    assert err.startswith(f"pcrm: error: no database at {db_path} (")
    assert not db_path.exists()
    assert not db_path.parent.exists()


# -- untrusted text ----------------------------------------------------------------------

MARKUP = "[bold red]x[/] [link=https://evil.example]y[/link]"
# ESC sequences (colour, window title, a clear screen), an 8-bit CSI, a bidi override.
HOSTILE = "Eve \x1b[31mRed\x1b[0m \x1b]0;owned\x07 \x1b[2J\x9b31m \u202eevil"
RAW = ("\x1b", "\x07", "\x9b", "\u202e")


def test_markup_in_names_prints_literally(cli):
    assert ok(cli("contact", "add", MARKUP, "-c", MARKUP)) == (
        f"added company 1 {MARKUP}\nadded contact 1 {MARKUP}\n"
    )
    assert ok(cli("contact", "list")).split("\t")[1] == MARKUP
    rich_list = ok(cli("contact", "list", terminal=True, width=200))
    assert MARKUP in rich_list
    assert ok(cli("contact", "show", "1")).startswith(f"contact 1: {MARKUP}\n")
    rich_show = ok(cli("contact", "show", "1", terminal=True, width=200))
    assert rich_show.startswith(f"{MARKUP}  {MARKUP}  contact 1\n")
    assert ok(cli("company", "show", "1", terminal=True, width=200)).startswith(MARKUP)


def test_control_characters_are_never_printed_raw(cli, db_path):
    added = cli("contact", "add", HOSTILE, "-e", "eve@x.org", "--note", HOSTILE, "-t", HOSTILE)
    ok(cli("contact", "add", HOSTILE + " Two", "--title", HOSTILE, "-c", HOSTILE))
    # stored as typed: the database keeps the user's data, output makes it harmless
    assert all("\x1b[31mRed" in row[0] for row in rows(db_path, "SELECT name FROM contacts"))
    outputs = [
        added,
        cli("contact", "list"),
        cli("contact", "list", terminal=True, width=80),
        cli("contact", "list", "--json"),
        cli("contact", "show", "1"),
        cli("contact", "show", "1", terminal=True, width=80),
        cli("contact", "show", "2", terminal=True, width=80),
        cli("contact", "show", "1", "--json"),
        cli("company", "list", terminal=True, width=80),
        cli("company", "show", "1"),
        cli("company", "show", "1", terminal=True, width=80),
        cli("company", "show", "1", "--json"),
        cli("contact", "show", "eve"),  # ambiguous: the candidates name both
        cli("contact", "edit", "1", "--title", "t"),
        cli("contact", "rm", "1"),  # refused: the message names the contact
        cli("contact", "rm", "1", "--yes"),
    ]
    json_view = json.loads(outputs[7].stdout)
    assert json_view["contact"]["name"] == HOSTILE  # escaped in JSON, intact once parsed
    for result in outputs:
        assert result.exit_code in (0, 1), result.exception
        text = result.stdout + result.stderr
        assert "Red" in text or "eve" in text
        for char in RAW:
            assert char not in text, (char, text)
    shown = ok(cli("contact", "show", "2"))
    assert shown.splitlines()[0] == (
        "contact 2: Eve \\x1b[31mRed\\x1b[0m \\x1b]0;owned\\x07 \\x1b[2J\\x9b31m \\u202eevil Two"
    )


def test_editor_parse_error_on_a_terminal_can_be_given_up(cli, db_path, tmp_path, people):
    before = dump(db_path)
    command = editor(tmp_path, 'text = text.replace("title:", "titel:")')
    result = run_on_terminal(db_path, ["contact", "edit", "ada"], "n\n", editor=command)
    assert result.returncode == 1
    assert result.stdout == "Edit again? [Y/n]: "
    assert result.stderr == (
        'pcrm: error: line 11: unknown field "titel" (fields: name, email, phone, company,'
        " title, source, birthday, anniversary, every, tags, note, nickname)\nnothing changed\n"
    )
    assert dump(db_path) == before
