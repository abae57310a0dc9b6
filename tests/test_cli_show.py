"""`pcrm show REF`: the 360° view of a contact or a company; contact:/company: prefixes."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from conftest import NOW


@pytest.fixture
def crm(cli):
    """Analytical (Ada, Charles), Zoë on her own; past and planned interactions."""
    steps = [
        (8, ("contact", "add", "Ada Lovelace", "--email", "ada@example.org", "--title", "CTO",
             "--company", "Analytical Engines")),
        (8, ("contact", "add", "Charles Babbage", "--company", "Analytical Engines")),
        (8, ("contact", "add", "Zoë Müller")),
        (5, ("log", "ada", "Intro call", "-k", "call")),
        (3, ("log", "charles", "Sent the quote", "-k", "email", "--with", "zoe")),
        (1, ("log", "zoe", "Coffee", "-k", "meeting")),
        (0, ("log", "ada", "Demo of the engine", "-k", "demo", "--at", "2026-11-27 15:00")),
        (0, ("log", "charles", "Contract review", "-k", "meeting", "--at", "2026-11-25 09:00")),
        (0, ("log", "zoe", "Dinner", "-k", "meeting", "--at", "2026-11-24 19:00")),
    ]  # fmt: skip
    for days, args in steps:
        result = cli(*args, now=NOW - timedelta(days=days))
        assert result.exit_code == 0, result.stderr


def test_contact_plain(cli, crm):
    result = cli("show", "ada")
    assert (result.exit_code, result.stderr) == (0, "")
    lines = result.stdout.splitlines()
    assert lines[0] == "contact 1: Ada Lovelace"
    assert "email: ada@example.org" in lines
    assert "company: Analytical Engines" in lines
    assert lines[lines.index("interactions: 2") :] == [
        "interactions: 2",
        "last touch: 2026-11-18T10:00:00Z",
        "next touch: 2026-11-27T15:00:00Z",
        "",
        "2026-11-18T10:00:00Z\tcall\tAda Lovelace\tIntro call",
    ]


def test_contact_with_nothing_logged(cli):
    cli("contact", "add", "Nobody Yet")
    lines = cli("show", "nobody").stdout.splitlines()
    assert lines[0] == "contact 1: Nobody Yet"
    assert lines[-2:] == ["interactions: 0", "last touch: never"]


def test_company_has_its_people_their_interactions_and_touches(cli, crm):
    result = cli("show", "analytical")
    assert (result.exit_code, result.stderr) == (0, "")
    lines = result.stdout.splitlines()
    assert lines[0] == "company 1: Analytical Engines"
    assert [line for line in lines if line.startswith("person: ")] == [
        "person: 2\tCharles Babbage\t",
        "person: 1\tAda Lovelace\tCTO",
    ]
    assert lines[lines.index("interactions: 4") :] == [
        "interactions: 4",
        # Last: the newest up to now, by any of its people (Zoë's coffee is not theirs).
        "last touch: 2026-11-20T10:00:00Z",
        # Next: the earliest future-dated interaction of any of its people.
        "next touch: 2026-11-25T09:00:00Z",
        "",
        "2026-11-20T10:00:00Z\temail\tCharles Babbage, Zoë Müller\tSent the quote",
        "2026-11-18T10:00:00Z\tcall\tAda Lovelace\tIntro call",
    ]


def test_company_keeps_interactions_of_people_who_left(cli, crm):
    cli("contact", "edit", "ada", "--company", "")
    lines = cli("show", "company:analytical").stdout.splitlines()
    assert "person: 1\tAda Lovelace\tCTO" not in lines
    # Logged while she was there: still part of the company's history.
    assert "2026-11-18T10:00:00Z\tcall\tAda Lovelace\tIntro call" in lines


def test_recent_is_capped_at_five(cli):
    cli("contact", "add", "Ada Lovelace")
    for n in range(7):
        cli("log", "ada", f"note {n}", now=NOW - timedelta(hours=n + 1))
    lines = cli("show", "ada").stdout.splitlines()
    assert "interactions: 7" in lines
    assert [line.split("\t")[-1] for line in lines if "\t" in line] == [
        f"note {n}" for n in range(5)
    ]


def test_contact_terminal_view(cli, crm):
    result = cli("show", "charles", terminal=True, width=80)
    assert result.exit_code == 0, result.stderr
    lines = [line.rstrip() for line in result.stdout.splitlines()]
    assert lines[0] == "Charles Babbage  Analytical Engines  contact 2"
    assert "Last touch 3 days ago   Next in 2 days   2 interactions" in lines
    assert "  3 days ago  email  Sent the quote" in lines


def test_company_terminal_view(cli, crm):
    result = cli("show", "analytical", terminal=True, width=80)
    lines = [line.rstrip() for line in result.stdout.splitlines()]
    assert lines[0] == "Analytical Engines  company 1"
    assert "People (2)" in lines
    assert "Last touch 3 days ago   Next in 2 days   4 interactions" in lines
    assert any("Charles Babbage, Zoë Müller: Sent the quote" in line for line in lines)


def test_json_contact(cli, crm):
    view = json.loads(cli("show", "ada", "--json").stdout)
    assert list(view) == [
        "contact",
        "recent",
        "interaction_count",
        "last_touch",
        "next_touch",
        "deals",
        "lifecycle",
        "follow_ups",
        "follow_up_count",
        "archived_at",
    ]
    assert view["contact"]["name"] == "Ada Lovelace"
    assert view["contact"]["last_contacted_at"] == "2026-11-18T10:00:00Z"
    assert view["last_touch"] == "2026-11-18T10:00:00Z"
    assert view["next_touch"] == "2026-11-27T15:00:00Z"
    assert view["recent"][0] | {"uid": ""} == {
        "id": 1,
        "uid": "",
        "kind": "call",
        "at": "2026-11-18T10:00:00Z",
        "text": "Intro call",
        "contacts": [{"kind": "contact", "id": 1, "name": "Ada Lovelace"}],
        "company": {"kind": "company", "id": 1, "name": "Analytical Engines"},
        "deal": None,
        "created_at": "2026-11-18T10:00:00Z",
        "cancelled_at": None,
        "source": "manual",
        "external_id": None,
        "direction": None,
        "origin": None,
    }


def test_json_company(cli, crm):
    view = json.loads(cli("show", "company:1", "--json").stdout)
    assert list(view) == [
        "company",
        "people",
        "recent",
        "interaction_count",
        "last_touch",
        "next_touch",
        "deals",
        "lifecycle",
        "follow_ups",
        "follow_up_count",
    ]
    assert [person["name"] for person in view["people"]] == ["Charles Babbage", "Ada Lovelace"]
    assert view["interaction_count"] == 4
    assert (view["last_touch"], view["next_touch"]) == (
        "2026-11-20T10:00:00Z",
        "2026-11-25T09:00:00Z",
    )


# -- which record: prefixes and ambiguity ------------------------------------------------


def test_a_bare_id_is_a_contact_and_prefixes_choose(cli, crm):
    assert cli("show", "1").stdout.startswith("contact 1: Ada Lovelace\n")
    assert cli("show", "company:1").stdout.startswith("company 1: Analytical Engines\n")
    assert cli("show", "contact:zoe").stdout.startswith("contact 3: Zoë Müller\n")
    assert cli("show", "Company: Analytical").stdout.startswith("company 1: Analytical")
    assert cli("show", "ada@example.org").stdout.startswith("contact 1: Ada Lovelace\n")
    missing = cli("show", "99")
    assert (missing.exit_code, missing.stdout) == (1, "")
    assert missing.stderr == "pcrm: error: no contact has id 99 (for a company use company:99)\n"


def test_a_contact_and_a_company_with_similar_names_is_ambiguous(cli, db_path, crm):
    cli("company", "add", "Ada Industries", "--domain", "ada.example")
    result = cli("show", "ada")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr.splitlines() == [
        'pcrm: error: "ada" matches a contact and a company '
        "(prefix the REF with contact: or company:)",
        "  contact:1  Ada Lovelace  <ada@example.org>  (Analytical Engines)",
        "  company:2  Ada Industries  ada.example  (0 people)",
    ]
    assert cli("show", "contact:ada").stdout.startswith("contact 1: Ada Lovelace\n")
    assert cli("show", "company:ada").stdout.startswith("company 2: Ada Industries\n")
    assert cli("show", "ada.example").stdout.startswith("company 2: Ada Industries\n")


def test_a_whole_name_wins_over_a_piece(cli, crm):
    # "Zoë Müller" is a contact's whole name and part of the company's: the contact.
    cli("company", "add", "Zoë Müller Consulting")
    assert cli("show", "zoe muller").stdout.startswith("contact 3: Zoë Müller\n")
    assert cli("show", "zoe muller consulting").stdout.startswith("company 2: Zoë Müller")
    assert cli("show", "zoe").exit_code == 1


def test_no_match_names_both_kinds(cli, crm):
    result = cli("show", "nobody")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == (
        'pcrm: error: no contact or company matches "nobody" (try: pcrm search nobody)\n'
    )


def test_untrusted_names_are_literal(cli):
    cli("contact", "add", "[bold red]Mallory[/]", "--company", "\x1b[31mEvil\x1b[0m Corp")
    cli("log", "mallory", "[link=http://x]click[/link]")
    for args in (("show", "mallory"), ("show", "company:evil")):
        for terminal in (True, False):
            result = cli(*args, terminal=terminal, width=120)
            assert result.exit_code == 0, result.stderr
            assert "\x1b" not in result.stdout
            assert "[bold red]Mallory[/]" in result.stdout
            assert "[link=http://x]click[/link]" in result.stdout
            assert "\\x1b[31mEvil\\x1b[0m Corp" in result.stdout


def test_missing_database(cli, db_path):
    result = cli("show", "ada")
    assert result.exit_code == 1
    assert result.stderr.startswith(f"pcrm: error: no database at {db_path}")
    assert not db_path.exists()
