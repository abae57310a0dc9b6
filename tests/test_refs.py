"""REF: how a user names a contact or a company. Never a guess between two people."""

from __future__ import annotations

import pytest

from conftest import dump, error, ok
from pcrm.core.people.text import name_key, split_label


def shown(cli, ref: str) -> str:
    """The first line of `contact show REF`: which contact the REF picked."""
    return ok(cli("contact", "show", ref)).splitlines()[0]


@pytest.fixture
def people(cli):
    ok(cli("contact", "add", "Zoë Müller", "-e", "zoe@muller.example", "-c", "Zebra Labs"))
    ok(cli("contact", "add", "Ada Lovelace", "-e", "ada@example.org", "-c", "Analytical"))
    ok(cli("contact", "add", "Ada Byron", "-e", "byron@example.org"))
    ok(cli("contact", "add", "Ada"))
    ok(cli("contact", "add", "Søren Kierkegaard"))


@pytest.mark.parametrize(
    ("ref", "picked"),
    [
        ("2", "contact 2: Ada Lovelace"),
        (" 3 ", "contact 3: Ada Byron"),
        ("ada@example.org", "contact 2: Ada Lovelace"),
        ("ADA@Example.ORG", "contact 2: Ada Lovelace"),
        ("zoe", "contact 1: Zoë Müller"),
        ("ZOË", "contact 1: Zoë Müller"),
        ("muller", "contact 1: Zoë Müller"),
        ("MÜLL", "contact 1: Zoë Müller"),
        ("zoe  muller", "contact 1: Zoë Müller"),
        ("muller zoe", "contact 1: Zoë Müller"),  # every word, in any order
        ("love", "contact 2: Ada Lovelace"),
        ("ada love", "contact 2: Ada Lovelace"),
        ("ada", "contact 4: Ada"),  # the exact whole name wins over "Ada Lovelace"...
        ("ADA", "contact 4: Ada"),
        ("ada byron", "contact 3: Ada Byron"),
        ("soren", "contact 5: Søren Kierkegaard"),  # ø is typed as o
    ],
)
def test_contact_ref_picks_one(cli, people, ref, picked):
    assert shown(cli, ref) == picked


def test_several_matches_list_the_candidates_and_exit_1(cli, db_path, people):
    before = dump(db_path)
    err = error(cli("contact", "show", "ad"))
    assert err == (
        'pcrm: error: "ad" matches 3 contacts (use the id, an email, or more of the name)\n'
        "  4  Ada\n"
        "  3  Ada Byron  <byron@example.org>\n"
        "  2  Ada Lovelace  <ada@example.org>  (Analytical)\n"
    )
    assert dump(db_path) == before


def test_two_people_with_the_same_name_are_never_guessed(cli, people):
    ok(cli("contact", "add", "Ada", "-e", "other.ada@example.org"))
    err = error(cli("contact", "edit", "ada", "--title", "x"))
    assert err == (
        'pcrm: error: "ada" matches 2 contacts (use the id, an email, or more of the name)\n'
        "  4  Ada\n"
        "  6  Ada  <other.ada@example.org>\n"
    )


def test_many_matches_are_cut_short(cli):
    for index in range(13):
        ok(cli("contact", "add", f"Sam {index:02d}"))
    err = error(cli("contact", "show", "sam"))
    lines = err.splitlines()
    assert lines[0].startswith('pcrm: error: "sam" matches 13 contacts')
    assert lines[1:3] == ["  1  Sam 00", "  2  Sam 01"]
    assert len(lines) == 1 + 10 + 1
    assert lines[-1] == "  ... and 3 more"


@pytest.mark.parametrize(
    ("ref", "message"),
    [
        ("nobody", 'pcrm: error: no contact matches "nobody" (try: pcrm search nobody)\n'),
        ("ada x", "pcrm: error: no contact matches \"ada x\" (try: pcrm search 'ada x')\n"),
        ("99", "pcrm: error: no contact has id 99 (see: pcrm contact list)\n"),
        (
            "nobody@example.org",
            "pcrm: error: no contact has the email nobody@example.org"
            " (try: pcrm search nobody@example.org)\n",
        ),
        ("  ", "pcrm: error: a REF cannot be empty (give an id, an email or a name)\n"),
    ],
)
def test_no_match_exits_1_with_a_hint(cli, db_path, people, ref, message):
    before = dump(db_path)
    assert error(cli("contact", "show", ref)) == message
    assert error(cli("contact", "rm", ref, "--yes")) == message
    assert dump(db_path) == before


def test_a_ref_works_the_same_for_every_command(cli, db_path, people):
    assert ok(cli("contact", "edit", "zoe", "--title", "CTO")) == "updated contact 1 Zoë Müller\n"
    assert ok(cli("contact", "rm", "ZOE@MULLER.EXAMPLE", "--yes")) == (
        "removed contact 1 Zoë Müller\n"
    )
    assert ok(cli("contact", "list", "--company", "analyt")).startswith("2\tAda Lovelace\t")


def test_company_ref_exact_name_beats_partial(cli):
    ok(cli("company", "add", "Acme"))
    ok(cli("company", "add", "Acme Holdings"))
    assert ok(cli("company", "show", "ACME")).startswith("company 1: Acme\n")
    assert ok(cli("company", "show", "hold")).startswith("company 2: Acme Holdings\n")
    assert error(cli("company", "show", "acm")).startswith('pcrm: error: "acm" matches 2 companies')
    assert error(cli("company", "show", "5")) == (
        "pcrm: error: no company has id 5 (see: pcrm company list)\n"
    )


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        ("Zoë  Müller", "zoe muller"),
        ("ZOË", "zoe"),
        ("Søren", "soren"),
        ("Łukasz Æbelø", "lukasz aebelo"),
        ("Straße", "strasse"),
        ("ﬁne", "fine"),  # the ligature decomposes
    ],
)
def test_name_key(typed, key):
    assert name_key(typed) == key


@pytest.mark.parametrize(
    ("typed", "split"),
    [
        ("work: ada@example.org", ("work", "ada@example.org")),
        ("Work:ada@example.org", ("work", "ada@example.org")),
        ("ada@example.org", (None, "ada@example.org")),
        ("mobile:  +44 20 1234", ("mobile", "+44 20 1234")),
        ("+44 20 1234", (None, "+44 20 1234")),
        ("home office: 555", ("home office", "555")),
        ("  555-1212 ", (None, "555-1212")),
    ],
)
def test_split_label(typed, split):
    assert split_label(typed) == split
