"""`pcrm timeline REF`: everything that happened with a contact or a company, newest first."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from conftest import NOW


@pytest.fixture
def history(cli):
    """Ada and Charles at Analytical, Zoë on her own; a few interactions over a week."""

    def at(days: int):
        return NOW - timedelta(days=days)

    steps = [
        (8, ("contact", "add", "Ada Lovelace", "--company", "Analytical")),
        (7, ("contact", "add", "Charles Babbage", "--company", "Analytical")),
        (6, ("contact", "add", "Zoë Müller")),
        (5, ("log", "ada", "Intro call", "-k", "call")),
        (3, ("log", "charles", "Sent the quote", "-k", "email", "--with", "zoe")),
        (1, ("log", "zoe", "Coffee", "-k", "meeting")),
        (0, ("log", "ada", "Demo of the engine", "-k", "demo", "--at", "in 2 days")),
    ]
    for days, args in steps:
        result = cli(*args, now=at(days))
        assert result.exit_code == 0, result.stderr


def test_contact_timeline_newest_first_with_added_event(cli, history):
    result = cli("timeline", "ada")
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout.splitlines() == [
        "2026-11-25T00:00:00Z\tdemo\t\tDemo of the engine",
        "2026-11-18T10:00:00Z\tcall\t\tIntro call",
        "2026-11-15T10:00:00Z\tadded\tcontact Ada Lovelace added\t",
    ]


def test_an_interaction_with_several_contacts_is_on_each_timeline(cli, history):
    charles = cli("timeline", "charles").stdout.splitlines()
    zoe = cli("timeline", "zoe").stdout.splitlines()
    assert "2026-11-20T10:00:00Z\temail\twith Zoë Müller\tSent the quote" in charles
    assert "2026-11-20T10:00:00Z\temail\twith Charles Babbage\tSent the quote" in zoe
    assert zoe == [
        "2026-11-22T10:00:00Z\tmeeting\t\tCoffee",
        "2026-11-20T10:00:00Z\temail\twith Charles Babbage\tSent the quote",
        "2026-11-17T10:00:00Z\tadded\tcontact Zoë Müller added\t",
    ]


def test_company_timeline_has_its_people_and_their_interactions(cli, history):
    result = cli("timeline", "analytical")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == [
        "2026-11-25T00:00:00Z\tdemo\twith Ada Lovelace\tDemo of the engine",
        "2026-11-20T10:00:00Z\temail\twith Charles Babbage, Zoë Müller\tSent the quote",
        "2026-11-18T10:00:00Z\tcall\twith Ada Lovelace\tIntro call",
        "2026-11-16T10:00:00Z\tadded\tcontact Charles Babbage added\t",
        "2026-11-15T10:00:00Z\tadded\tcontact Ada Lovelace added\t",
        "2026-11-15T10:00:00Z\tadded\tcompany Analytical added\t",
    ]


def test_prefixes_pick_the_kind(cli, history):
    cli("contact", "add", "Analytical Annie")  # now "analyt" names a contact too
    ambiguous = cli("timeline", "analyt")
    assert (ambiguous.exit_code, ambiguous.stdout) == (1, "")
    assert ambiguous.stderr.startswith('pcrm: error: "analyt" matches a contact and a company')
    # The company's whole name wins over a piece of the contact's.
    assert cli("timeline", "analytical").stdout == cli("timeline", "company:1").stdout
    assert cli("timeline", "company:analytical").stdout.endswith(
        "2026-11-15T10:00:00Z\tadded\tcompany Analytical added\t\n"
    )
    assert cli("timeline", "contact:analytical").stdout == (
        "2026-11-23T10:00:00Z\tadded\tcontact Analytical Annie added\t\n"
    )
    assert cli("timeline", "company:1").stdout == cli("timeline", "company:analytical").stdout


def test_json_has_stable_keys_and_iso_times(cli, history):
    result = cli("timeline", "zoe", "--json")
    assert result.exit_code == 0, result.stderr
    events = json.loads(result.stdout)
    assert [list(event) for event in events] == [
        [
            "at", "kind", "summary", "text", "subject", "interaction_id", "cancelled_at",
            "source", "direction", "origin",
        ]
    ] * 3  # fmt: skip
    assert events[1] == {
        "at": "2026-11-20T10:00:00Z",
        "kind": "email",
        "summary": "with Charles Babbage",
        "text": "Sent the quote",
        "subject": None,
        "interaction_id": 2,
        "cancelled_at": None,
        "source": "manual",
        "direction": None,
        "origin": None,
    }
    company = json.loads(cli("timeline", "company:analytical", "--json").stdout)
    assert company[3]["subject"] == {"kind": "contact", "id": 2, "name": "Charles Babbage"}


def test_limit_defaults_to_50_and_says_what_it_left_out(cli):
    cli("contact", "add", "Ada Lovelace")
    for n in range(55):
        assert cli("log", "ada", f"note {n}", now=NOW + timedelta(minutes=n)).exit_code == 0
    default = cli("timeline", "ada")
    lines = default.stdout.splitlines()
    assert len(lines) == 50
    assert lines[0] == "2026-11-23T10:54:00Z\tnote\t\tnote 54"
    assert lines[-1] == "2026-11-23T10:05:00Z\tnote\t\tnote 5"
    assert default.stderr == "showing the newest 50 of 56 events (--limit 0 shows all)\n"
    everything = cli("timeline", "ada", "--limit", "0")
    assert len(everything.stdout.splitlines()) == 56
    assert everything.stdout.splitlines()[-1].endswith("\tadded\tcontact Ada Lovelace added\t")
    assert everything.stderr == ""
    three = cli("timeline", "ada", "-n", "3", "--json")
    assert [event["text"] for event in json.loads(three.stdout)] == [
        "note 54",
        "note 53",
        "note 52",
    ]
    assert three.stderr == ""  # JSON is for scripts: no remarks
    assert cli("timeline", "ada", "--limit", "-1").exit_code == 2


def test_terminal_table_fits_the_width(cli, history):
    def drawn(width: int) -> list[str]:
        result = cli("timeline", "zoe", terminal=True, width=width)
        assert result.exit_code == 0, result.stderr
        assert max(len(line) for line in result.stdout.splitlines()) <= width
        return [line.rstrip() for line in result.stdout.splitlines()]

    assert drawn(100) == [
        "When        Date              What",
        "yesterday   2026-11-22 10:00  meeting  Coffee",
        "3 days ago  2026-11-20 10:00  email    with Charles Babbage  Sent the quote",
        "6 days ago  2026-11-17 10:00  added    contact Zoë Müller added",
    ]
    # Narrower: the time of day goes, then the date; the text keeps its room.
    assert drawn(80) == [
        "When        Date        What",
        "yesterday   2026-11-22  meeting  Coffee",
        "3 days ago  2026-11-20  email    with Charles Babbage  Sent the quote",
        "6 days ago  2026-11-17  added    contact Zoë Müller added",
    ]
    assert drawn(50) == [
        "When        What",
        "yesterday   meeting  Coffee",
        "3 days ago  email    with Charles Babbage  Sent",
        "                     the quote",
        "6 days ago  added    contact Zoë Müller added",
    ]


def test_untrusted_text_is_shown_literally(cli):
    cli("contact", "add", "[bold]Eve[/bold]")
    cli("log", "eve", "[red]alarm[/red] \x1b[2J\x07 line one\nline two")
    for terminal in (True, False):
        result = cli("timeline", "eve", terminal=terminal, width=120)
        assert "\x1b" not in result.stdout and "\x07" not in result.stdout
        assert "[red]alarm[/red] \\x1b[2J\\x07 line one ⏎ line two" in result.stdout
        assert "contact [bold]Eve[/bold] added" in result.stdout


def test_unknown_ref_and_missing_database(cli, db_path):
    missing = cli("timeline", "ada")
    assert missing.exit_code == 1
    assert missing.stderr.startswith(f"pcrm: error: no database at {db_path}")
    assert not db_path.exists()
    cli("contact", "add", "Ada Lovelace")
    unknown = cli("timeline", "nobody")
    assert (unknown.exit_code, unknown.stdout) == (1, "")
    assert len(unknown.stderr.splitlines()) == 1
    assert "nobody" in unknown.stderr
