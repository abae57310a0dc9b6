"""Notes and follow-ups on a deal or a company without a contact (issue 17).

`pcrm log deal:ID TEXT` and `pcrm deal note D TEXT` log a note on the deal (and its
company); `pcrm log company:REF TEXT` one on the company alone. `pcrm follow-up --deal D
TEXT` (or `follow-up deal:D TEXT`, `--company REF TEXT`) adds a follow-up with no contact.
They show where the deal's and the company's other activity shows."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from conftest import NOW, dump, ok, one_line_error, rows


def interactions(db_path: Path) -> list[tuple]:
    """id, kind, at, text, company, deal, contacts (comma-separated ids or None)."""
    return rows(
        db_path,
        "SELECT i.id, i.kind, i.at, i.text, i.company_id, i.deal_id,"
        " (SELECT group_concat(contact_id) FROM interaction_contacts WHERE interaction_id = i.id)"
        " FROM interactions i ORDER BY i.id",
    )


def last_activity(db_path: Path, deal_id: int = 1) -> str:
    return rows(db_path, "SELECT last_activity_at FROM deals WHERE id = ?", (deal_id,))[0][0]


EARLIER = NOW - timedelta(days=10)
STAMP = "2026-11-23T10:00:00Z"


@pytest.fixture
def crm(cli):
    """Zoë at Acme (company 1); deal 1 "Seats for Zebra" at Acme with Zoë and a standing
    note, added ten days ago; deal 2 "Lonely deal" with no company; Globex (company 2)
    with nobody."""
    ok(cli("contact", "add", "Zoë Müller", "-e", "zoe@acme.example", "-c", "Acme", now=EARLIER))
    ok(
        cli(
            "deal", "add", "Seats for Zebra", "--company", "Acme", "--contact", "zoe",
            "--note", "Wants it before Christmas", now=EARLIER,
        )
    )  # fmt: skip
    ok(cli("deal", "add", "Lonely deal", now=EARLIER))
    ok(cli("company", "add", "Globex", now=EARLIER))


# -- pcrm log deal:ID ----------------------------------------------------------------------


def test_log_on_a_deal_links_the_deal_and_its_company_and_no_contact(cli, db_path, crm):
    assert ok(cli("log", "deal:1", "Legal wants the DPA signed first")) == (
        "logged note 1 on deal 1 Seats for Zebra\n"
    )
    assert interactions(db_path) == [
        (1, "note", STAMP, "Legal wants the DPA signed first", 1, 1, None)
    ]
    assert last_activity(db_path) == STAMP
    # nobody was contacted
    assert rows(db_path, "SELECT last_contacted_at FROM contacts") == [(None,)]


def test_log_on_a_deal_without_a_company_and_with_a_kind(cli, db_path, crm):
    said = ok(cli("log", "deal:lonely", "Rang their switchboard", "--kind", "call"))
    assert said == "logged call 1 on deal 2 Lonely deal\n"
    assert interactions(db_path) == [(1, "call", STAMP, "Rang their switchboard", None, 2, None)]
    assert last_activity(db_path, 2) == STAMP
    assert last_activity(db_path, 1) == "2026-11-13T10:00:00Z"


def test_log_on_a_deal_with_someone_present(cli, db_path, crm):
    said = ok(cli("log", "deal:seats", "Lunch", "--with", "zoe"))
    assert said == "logged note 1 with Zoë Müller (deal 1 Seats for Zebra)\n"
    assert interactions(db_path) == [(1, "note", STAMP, "Lunch", 1, 1, "1")]
    assert rows(db_path, "SELECT last_contacted_at FROM contacts") == [(STAMP,)]


def test_a_planned_deal_note_does_not_count_as_activity(cli, db_path, crm):
    said = ok(cli("log", "deal:1", "Steering committee", "--at", "2026-11-30 14:00"))
    assert said.startswith("logged note 1 on deal 1 Seats for Zebra at Mon 2026-11-30 14:00")
    assert said.endswith(", planned\n")
    assert last_activity(db_path) == "2026-11-13T10:00:00Z"


def test_log_on_a_company_links_the_company_alone(cli, db_path, crm):
    assert ok(cli("log", "company:globex", "Their office moved to Leeds")) == (
        "logged note 1 on company 2 Globex\n"
    )
    assert interactions(db_path) == [
        (1, "note", STAMP, "Their office moved to Leeds", 2, None, None)
    ]
    said = ok(cli("log", "company:acme", "Budget freeze until Q2", "--deal", "seats"))
    assert said == "logged note 2 on company 1 Acme (deal 1 Seats for Zebra)\n"
    assert interactions(db_path)[1] == (2, "note", STAMP, "Budget freeze until Q2", 1, 1, None)


def test_a_plain_ref_is_still_a_contact(cli, db_path, crm):
    assert ok(cli("log", "zoe", "Call")) == "logged note 1 with Zoë Müller\n"
    before = dump(db_path)
    # Globex is a company: a bare REF names a contact, as before
    assert one_line_error(cli("log", "globex", "Call")).startswith(
        'pcrm: error: no contact matches "globex"'
    )
    assert dump(db_path) == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("log", "deal:9", "x"),
            "pcrm: error: no deal has id 9 (see: pcrm deal list --status all)\n",
        ),
        (
            ("log", "deal:1", "x", "--deal", "2"),
            "pcrm: error: the deal is named twice (drop --deal or write deal:1)\n",
        ),
        (("log", "company:nosuch", "x"), None),
        (
            ("log", "deal:1", "   "),
            "pcrm: error: the interaction's text is empty (write what happened)\n",
        ),
        (
            ("deal", "note", "contact:zoe", "x"),
            'pcrm: error: "contact:zoe" names a contact, not a deal\n',
        ),
        (
            ("deal", "note", "9", "x"),
            "pcrm: error: no deal has id 9 (see: pcrm deal list --status all)\n",
        ),
    ],
)
def test_bad_targets_are_one_line_and_change_nothing(cli, db_path, crm, args, message):
    before = dump(db_path)
    said = one_line_error(cli(*args))
    if message is None:
        assert said.startswith('pcrm: error: no company matches "nosuch"')
    else:
        assert said == message
    assert dump(db_path) == before


# -- pcrm deal note, and where the notes show ----------------------------------------------


@pytest.fixture
def noted(cli, crm):
    """Two notes on deal 1 (one with deal note), one call with Zoë about it, a note on Globex."""
    ok(cli("log", "deal:1", "Legal wants the DPA signed first", now=NOW - timedelta(days=2)))
    ok(
        cli(
            "log",
            "zoe",
            "Demo went well",
            "--deal",
            "1",
            "--kind",
            "call",
            now=NOW - timedelta(days=1),
        )
    )
    assert ok(cli("deal", "note", "seats", "DPA signed; PO next week")) == (
        "logged note 3 on deal 1 Seats for Zebra\n"
    )
    ok(cli("log", "company:globex", "Met their CFO at the fair"))


def test_deal_note_is_a_note_interaction_on_the_deal(cli, db_path, noted):
    assert interactions(db_path)[2] == (3, "note", STAMP, "DPA signed; PO next week", 1, 1, None)
    assert last_activity(db_path) == STAMP
    # the deal's standing note is untouched
    assert rows(db_path, "SELECT note FROM deals WHERE id = 1") == [("Wants it before Christmas",)]
    assert ok(cli("deal", "note", "deal:2", "-", input="From stdin\n")) == (
        "logged note 5 on deal 2 Lonely deal\n"
    )
    assert interactions(db_path)[4][3] == "From stdin"


def test_deal_show_lists_the_notes_newest_first_after_the_standing_note(cli, noted):
    out = ok(cli("deal", "show", "1"))
    assert "note: Wants it before Christmas\n" in out
    assert out.endswith(
        "interactions: 3\n"
        f"{STAMP}\tnote\t\tDPA signed; PO next week\n"
        "2026-11-22T10:00:00Z\tcall\tZoë Müller\tDemo went well\n"
        "2026-11-21T10:00:00Z\tnote\t\tLegal wants the DPA signed first\n"
    )
    view = json.loads(ok(cli("deal", "show", "1", "--json")))
    newest = view["interactions"][0]
    assert (newest["text"], newest["contacts"]) == ("DPA signed; PO next week", [])
    drawn = ok(cli("deal", "show", "1", terminal=True, width=80))
    assert "Interactions (3)" in drawn
    assert "DPA signed; PO next week" in drawn
    assert "Wants it before Christmas" in drawn


def test_company_show_and_timeline_have_the_notes(cli, noted):
    shown = ok(cli("company", "show", "globex"))
    assert f"{STAMP}\tnote\t\tMet their CFO at the fair\n" in shown
    acme = ok(cli("timeline", "company:acme"))
    assert f"{STAMP}\tnote\t\tDPA signed; PO next week\n" in acme
    assert "2026-11-21T10:00:00Z\tnote\t\tLegal wants the DPA signed first\n" in acme
    assert "Met their CFO" not in acme


def test_a_deals_timeline(cli, noted):
    assert ok(cli("timeline", "deal:1")) == (
        f"{STAMP}\tnote\t\tDPA signed; PO next week\n"
        "2026-11-22T10:00:00Z\tcall\twith Zoë Müller\tDemo went well\n"
        "2026-11-21T10:00:00Z\tnote\t\tLegal wants the DPA signed first\n"
        '2026-11-13T10:00:00Z\tdeal\t"Seats for Zebra" opened in Qualified\t\n'
    )
    events = json.loads(ok(cli("timeline", "deal:seats", "--json")))
    assert [event["kind"] for event in events] == ["note", "call", "note", "deal"]
    drawn = ok(cli("timeline", "deal:1", terminal=True, width=80))
    assert "DPA signed; PO next week" in drawn
    assert max(len(line) for line in drawn.splitlines()) <= 80
    # a bare REF is still a contact or a company
    assert one_line_error(cli("timeline", "seats")).startswith(
        'pcrm: error: no contact or company matches "seats"'
    )


def test_search_finds_deal_and_company_notes(cli, noted):
    hits = json.loads(ok(cli("search", "DPA", "--json")))
    assert [(hit["kind"], hit["id"], hit["title"]) for hit in hits] == [
        ("interaction", 3, "note on deal Seats for Zebra"),
        ("interaction", 1, "note on deal Seats for Zebra"),
    ]
    hits = json.loads(ok(cli("search", "CFO", "--json")))
    assert [(hit["kind"], hit["id"]) for hit in hits] == [("interaction", 4)]


def test_deal_edit_note_replaces_the_standing_note_and_keeps_the_old_one(cli, db_path, noted):
    active = rows(db_path, "SELECT last_activity_at FROM deals WHERE id = 1")
    ok(cli("deal", "edit", "1", "--note", "Christmas is off; spring"))
    # keeping the old text is no activity on the deal
    assert rows(db_path, "SELECT last_activity_at FROM deals WHERE id = 1") == active
    assert rows(db_path, "SELECT note FROM deals WHERE id = 1") == [("Christmas is off; spring",)]
    # the dated notes are all still there, and the replaced standing note is one of them
    replaced = "Standing note, replaced: Wants it before Christmas"
    assert [row[3] for row in interactions(db_path) if row[5] == 1] == [
        "Legal wants the DPA signed first",
        "Demo went well",
        "DPA signed; PO next week",
        replaced,
    ]
    # the same note again changes nothing; clearing it keeps it too
    ok(cli("deal", "edit", "1", "--note", "Christmas is off; spring"))
    ok(cli("deal", "edit", "1", "--note", ""))
    assert rows(db_path, "SELECT note FROM deals WHERE id = 1") == [(None,)]
    kept = [row[3] for row in interactions(db_path) if row[5] == 1]
    assert kept[-2:] == [replaced, "Standing note, replaced: Christmas is off; spring"]
    assert "Standing note, replaced: Christmas is off; spring" in ok(cli("deal", "show", "1"))


# -- follow-ups on a deal or a company -----------------------------------------------------


def tasks(db_path: Path) -> list[tuple]:
    return rows(
        db_path,
        "SELECT id, title, contact_id, deal_id, company_id, due_date FROM tasks ORDER BY id",
    )


def test_follow_up_on_a_deal_without_a_contact(cli, db_path, crm):
    said = ok(cli("follow-up", "--deal", "seats", "Chase the signature", "--due", "tomorrow"))
    assert said == "added follow-up 1 Chase the signature: due Tue 2026-11-24\n"
    said = ok(cli("follow-up", "deal:lonely", "Find a way in", "--due", "today"))
    assert said == "added follow-up 2 Find a way in: due Mon 2026-11-23\n"
    said = ok(cli("follow-up", "add", "--company", "globex", "Renewal", "--due", "fri"))
    assert said == "added follow-up 3 Renewal: due Fri 2026-11-27\n"
    assert tasks(db_path) == [
        (1, "Chase the signature", None, 1, None, "2026-11-24"),
        (2, "Find a way in", None, 2, None, "2026-11-23"),
        (3, "Renewal", None, None, 2, "2026-11-27"),
    ]
    # the single-contact form is as it was
    ok(cli("follow-up", "zoe", "Send the quote", "--due", "fri", "--deal", "1"))
    assert tasks(db_path)[3] == (4, "Send the quote", 1, 1, None, "2026-11-27")


def test_a_deals_follow_up_shows_in_the_agenda_deal_show_and_the_board(cli, db_path, crm):
    ok(cli("follow-up", "--deal", "seats", "Chase the signature", "--due", "tomorrow"))
    agenda = ok(cli("agenda"))
    assert "Chase the signature\tSeats for Zebra\tfollow-up 1" in agenda
    shown = ok(cli("deal", "show", "1"))
    assert "follow-ups: 1\nfollow-up: 1\t2026-11-24\t\tupcoming\tChase the signature\n" in shown
    board = ok(cli("pipeline"))
    assert "next 2026-11-24 follow-up: Chase the signature" in board
    assert ok(cli("follow-up", "list", "--deal", "1")).count("Chase the signature") == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("follow-up", "Chase", "--due", "fri"),
            'pcrm: error: a follow-up needs a REF and a TEXT (e.g. pcrm follow-up ada "Send the'
            ' quote" --due fri; without a contact, --deal D or --company REF and the TEXT)\n',
        ),
        (
            ("follow-up", "deal:1", "x", "--deal", "2", "--due", "fri"),
            "pcrm: error: the deal is named twice (drop --deal or deal:1)\n",
        ),
        (
            ("follow-up", "--deal", "9", "x", "--due", "fri"),
            "pcrm: error: no deal has id 9 (see: pcrm deal list --status all)\n",
        ),
    ],
)
def test_follow_up_errors_change_nothing(cli, db_path, crm, args, message):
    before = dump(db_path)
    assert one_line_error(cli(*args)) == message
    assert dump(db_path) == before


def test_a_deal_note_written_in_the_editor(cli, db_path, crm, tmp_path):
    from test_cli_log import run_on_a_terminal

    done, template = run_on_a_terminal(tmp_path, "deal", "note", "seats", write="Signed!\n")
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout == "logged note 1 on deal 1 Seats for Zebra\n"
    assert template.startswith("\n# Write what happened (note on deal Seats for Zebra) above.")
    done, template = run_on_a_terminal(tmp_path, "log", "company:globex", write="Moved.\n")
    assert done.stdout == "logged note 2 on company 2 Globex\n"
    assert template.startswith("\n# Write what happened (note on company Globex) above.")
    assert [row[3] for row in interactions(db_path)] == ["Signed!", "Moved."]
