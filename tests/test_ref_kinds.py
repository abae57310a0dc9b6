"""REF prefixes: `contact:`, `company:` and `deal:` name the kind, wherever a REF is taken.

A command's own kind is accepted and stripped; another kind is one line on stderr, exit 1,
nothing written. `--contact REF[:ROLE]` reads the prefix first, then the last colon."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from conftest import dump, error, ok, one_line_error


def rows(db_path: Path, sql: str) -> list[tuple]:
    conn = sqlite3.connect(db_path)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


@pytest.fixture
def crm(cli):
    """Zoë at Acme, Ada at Acme Holdings, a contact whose name looks like a prefix, and a
    deal with Zoë on it."""
    ok(cli("contact", "add", "Zoë Müller", "-e", "zoe@muller.example", "-c", "Acme"))
    ok(cli("contact", "add", "Ada Lovelace", "-e", "ada@example.org", "-c", "Acme Holdings"))
    ok(cli("contact", "add", "Deal: Maker"))
    ok(cli("deal", "add", "Seats for Zebra", "--contact", "zoe"))


def deal_people(db_path: Path, deal_id: int = 1) -> list[tuple]:
    return rows(
        db_path,
        "SELECT c.name, dc.role FROM deal_contacts dc JOIN contacts c ON c.id = dc.contact_id"
        f" WHERE dc.deal_id = {deal_id} ORDER BY c.id",
    )


# -- the command's own kind works everywhere ----------------------------------------------


@pytest.mark.parametrize("ref", ["contact:zoe", "Contact:ZOE", " contact : zoe", "contact:1"])
def test_contact_prefix_in_contact_commands(cli, db_path, crm, ref):
    assert ok(cli("contact", "show", ref)).startswith("contact 1: Zoë Müller\n")
    assert ok(cli("show", ref)).startswith("contact 1: Zoë Müller\n")
    assert ok(cli("contact", "edit", ref, "--title", "CTO")) == "updated contact 1 Zoë Müller\n"
    assert rows(db_path, "SELECT title FROM contacts WHERE id = 1") == [("CTO",)]


def test_contact_prefix_in_log_and_with(cli, db_path, crm):
    said = ok(cli("log", "contact:zoe", "Call", "--with", "contact:ada@example.org"))
    assert said == "logged note 1 with Ada Lovelace, Zoë Müller\n"
    assert rows(db_path, "SELECT contact_id FROM interaction_contacts ORDER BY contact_id") == [
        (1,),
        (2,),
    ]


def test_contact_prefix_in_follow_up_timeline_and_rm(cli, db_path, crm):
    ok(cli("follow-up", "contact:zoe", "Send the quote", "--due", "tomorrow"))
    assert rows(db_path, "SELECT contact_id, company_id FROM tasks") == [(1, None)]
    ok(cli("log", "zoe", "Met for coffee"))
    assert "Met for coffee" in ok(cli("timeline", "contact:zoe"))
    assert ok(cli("task", "list", "--contact", "contact:zoe")).count("Send the quote") == 1
    assert ok(cli("contact", "rm", "contact:zoe", "--yes")) == "removed contact 1 Zoë Müller\n"


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("contact:ada", ("Ada Lovelace", None)),
        ("contact:ada:buyer", ("Ada Lovelace", "buyer")),
        ("ada:buyer", ("Ada Lovelace", "buyer")),
        ("CONTACT:ada@example.org:economic buyer", ("Ada Lovelace", "economic buyer")),
        ("ada@example.org:buyer", ("Ada Lovelace", "buyer")),
        ("contact:2", ("Ada Lovelace", None)),
        ("contact:deal: maker:buyer", ("Deal: Maker", "buyer")),
    ],
)
def test_contact_role_after_the_prefix(cli, db_path, crm, given, stored):
    ok(cli("deal", "add", "Engines", "--contact", given))
    assert deal_people(db_path, 2) == [stored]
    ok(cli("deal", "edit", "engines", "--contact", "contact:zoe:champion"))
    assert deal_people(db_path, 2) == [("Zoë Müller", "champion"), stored]


def test_contact_prefix_keeps_or_clears_a_role_on_edit(cli, db_path, crm):
    ok(cli("deal", "edit", "deal:seats", "--contact", "contact:zoe:buyer"))
    assert deal_people(db_path) == [("Zoë Müller", "buyer")]
    ok(cli("deal", "edit", "deal:seats", "--contact", "contact:zoe"))  # no role given: kept
    assert deal_people(db_path) == [("Zoë Müller", "buyer")]
    ok(cli("deal", "edit", "deal:seats", "--contact", "contact:zoe:"))  # an empty role clears
    assert deal_people(db_path) == [("Zoë Müller", None)]
    ok(cli("deal", "edit", "deal:seats", "--rm-contact", "contact:zoe"))
    assert deal_people(db_path) == []


def test_company_prefix_in_company_commands(cli, db_path, crm):
    assert ok(cli("company", "show", "company:acme")).startswith("company 1: Acme\n")
    assert ok(cli("company", "show", "COMPANY:hold")).startswith("company 2: Acme Holdings\n")
    assert ok(cli("show", "company:acme")).startswith("company 1: Acme\n")
    ok(cli("log", "zoe", "Visit at the office"))
    assert "Visit at the office" in ok(cli("timeline", "company:acme"))
    assert ok(cli("contact", "list", "--company", "company:hold")).startswith("2\tAda Lovelace")
    ok(cli("company", "edit", "company:acme", "--industry", "Anvils"))
    assert rows(db_path, "SELECT industry FROM companies WHERE id = 1") == [("Anvils",)]
    ok(cli("follow-up", "company:acme", "Renewal", "--due", "fri"))
    ok(cli("follow-up", "zoe", "Ask about Holdings", "--due", "fri", "--company", "company:hold"))
    assert rows(db_path, "SELECT contact_id, company_id FROM tasks ORDER BY id") == [
        (None, 1),
        (1, 2),
    ]


def test_company_prefix_on_company_options_names_an_existing_one(cli, db_path, crm):
    # Without a prefix --company takes an exact name or adds one; company:REF takes the REF
    # rules (a piece of the name will do) and never adds a company.
    ok(cli("deal", "add", "Engines", "--company", "company:hold"))
    ok(cli("deal", "edit", "deal:seats", "--company", "company:2"))
    ok(cli("contact", "add", "Bob", "--company", "company:acme holdings"))
    assert rows(db_path, "SELECT company_id FROM deals ORDER BY id") == [(2,), (2,)]
    assert rows(db_path, "SELECT company_id FROM contacts WHERE name = 'Bob'") == [(2,)]
    assert ok(cli("deal", "list", "--company", "company:hold")).count("\n") == 2
    before = dump(db_path)
    assert one_line_error(cli("deal", "add", "X", "--company", "company:nosuch")) == (
        'pcrm: error: no company matches "nosuch" (drop "company:" to add a new company)\n'
    )
    assert one_line_error(cli("contact", "edit", "ada", "--company", "company:9")) == (
        "pcrm: error: no company has id 9 (see: pcrm company list)\n"
    )
    assert dump(db_path) == before
    assert ok(cli("deal", "add", "Y", "--company", "Nosuch")).startswith("added company 3 Nosuch")


def test_deal_prefix_in_deal_commands_log_and_follow_up(cli, db_path, crm):
    assert ok(cli("deal", "show", "deal:seats")).startswith("deal 1: Seats for Zebra\n")
    assert ok(cli("deal", "show", "DEAL:1")).startswith("deal 1: Seats for Zebra\n")
    ok(cli("deal", "edit", "deal:seats", "--value", "12k"))
    ok(cli("deal", "move", "deal:zebra", "demo"))
    said = ok(cli("log", "zoe", "Demo went well", "--deal", "deal:seats"))
    assert said == "logged note 1 with Zoë Müller (deal 1 Seats for Zebra)\n"
    ok(cli("follow-up", "zoe", "Send the contract", "--due", "fri", "--deal", "deal:seats"))
    assert "Send the contract" in ok(cli("task", "list", "--deal", "deal:seats"))
    assert ok(cli("deal", "won", "deal:seats")).startswith("won deal 1 Seats for Zebra")
    assert ok(cli("deal", "reopen", "deal:seats")).startswith("reopened deal 1")
    assert ok(cli("deal", "lost", "deal:seats", "--reason", "price")).startswith("lost deal 1")
    assert rows(db_path, "SELECT value, status, lost_reason FROM deals") == [
        (1200000, "lost", "price")
    ]
    assert ok(cli("deal", "rm", "deal:seats", "--yes")).startswith("removed deal 1")


def test_deal_refs_follow_the_shared_rules(cli, crm):
    ok(cli("deal", "add", "Café rollout"))
    ok(cli("deal", "add", "Café rollout phase 2"))
    # the whole title wins; words in any order; accents and case do not matter
    assert ok(cli("deal", "show", "deal:CAFE ROLLOUT")).startswith("deal 2: Café rollout\n")
    assert ok(cli("deal", "show", "deal:2 phase")).startswith("deal 3: Café rollout phase 2\n")
    assert error(cli("deal", "show", "deal:rollout")) == (
        'pcrm: error: "rollout" matches 2 deals (use the id or more of the title)\n'
        "  2  Café rollout  Qualified\n"
        "  3  Café rollout phase 2  Qualified\n"
    )
    assert one_line_error(cli("deal", "show", "deal:")) == (
        "pcrm: error: a REF cannot be empty (give an id or a piece of the title)\n"
    )


# -- another kind's prefix is one clear line, and nothing changes --------------------------


@pytest.mark.parametrize(
    ("args", "ref", "wanted"),
    [
        (("log", "zoe", "Call", "--with", "deal:seats"), "deal:seats", "a contact"),
        (("log", "zoe", "Call", "--deal", "contact:zoe"), "contact:zoe", "a deal"),
        (("contact", "edit", "company:acme", "--title", "x"), "company:acme", "a contact"),
        (("contact", "rm", "deal:1", "--yes"), "deal:1", "a contact"),
        (("contact", "add", "Bob", "--company", "contact:zoe"), "contact:zoe", "a company"),
        (("company", "rm", "contact:zoe", "--yes"), "contact:zoe", "a company"),
        (
            ("deal", "add", "X", "--contact", "company:acme:buyer"),
            "company:acme:buyer",
            "a contact",
        ),
        (("deal", "add", "X", "--company", "contact:zoe"), "contact:zoe", "a company"),
        (("deal", "edit", "seats", "--contact", "deal:seats"), "deal:seats", "a contact"),
        (("deal", "won", "company:acme"), "company:acme", "a deal"),
        (("show", "deal:seats"), "deal:seats", "a contact or a company"),
        (("score", "company:acme"), "company:acme", "a contact"),
    ],
)
def test_another_kinds_prefix_is_one_line_and_changes_nothing(cli, db_path, crm, args, ref, wanted):
    before = dump(db_path)
    named = ref.split(":")[0]
    assert one_line_error(cli(*args)) == f'pcrm: error: "{ref}" names a {named}, not {wanted}\n'
    assert dump(db_path) == before


# -- what is and is not a prefix ---------------------------------------------------------


def test_only_the_three_words_are_prefixes(cli, crm):
    ok(cli("contact", "add", "Work Bench", "-e", '"a:b"@example.org'))
    # another word before a colon is part of the REF: an email here, a name piece there
    assert ok(cli("contact", "show", '"a:b"@example.org')).startswith("contact 4: Work Bench\n")
    assert ok(cli("contact", "show", 'contact:"a:b"@example.org')).startswith("contact 4:")
    assert one_line_error(cli("contact", "show", "work:bench")) == (
        'pcrm: error: no contact matches "work:bench"'
        " (did you mean Work Bench? try: pcrm search work:bench)\n"
    )


def test_a_name_that_starts_like_a_prefix_needs_its_own_prefix(cli, crm):
    assert one_line_error(cli("contact", "show", "deal: maker")) == (
        'pcrm: error: "deal: maker" names a deal, not a contact\n'
    )
    assert ok(cli("contact", "show", "contact:deal: maker")).startswith("contact 3: Deal: Maker\n")
    assert ok(cli("contact", "show", "maker")).startswith("contact 3: Deal: Maker\n")


def test_a_company_named_like_a_prefix_is_still_found_by_its_whole_name(cli, db_path):
    ok(cli("company", "add", "Deal: Partners"))
    ok(cli("contact", "add", "Bob", "--company", "deal: partners"))
    ok(cli("contact", "edit", "bob", "--company", "Deal: Partners"))
    assert rows(db_path, "SELECT company_id FROM contacts") == [(1,)]
    assert rows(db_path, "SELECT count(*) FROM companies") == [(1,)]
