"""Interactions as records of their own (issue 17): `pcrm interaction list|show|edit|rm|
done|cancel`, user kinds and aliases, and a cancelled interaction that never counts as a
touch. Every test runs the CLI on its own temporary file; the clock is conftest's NOW,
Monday 2026-11-23 10:00 UTC."""

from __future__ import annotations

import json
import sqlite3
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from conftest import NOW, dump, ok, one_line_error


@pytest.fixture
def crm(cli):
    """Ada (every 30 days) and Grace at Analytical, Bob alone, a deal; three interactions
    that happened and one planned for Wednesday."""
    ok(cli("contact", "add", "Ada Lovelace", "--email", "ada@example.org",
           "--company", "Analytical", "--every", "30d"))  # fmt: skip
    ok(cli("contact", "add", "Grace Hopper", "--company", "Analytical"))
    ok(cli("contact", "add", "Bob Stone"))
    ok(cli("deal", "add", "Twenty seats", "--company", "Analytical", "--contact", "ada"))
    ok(cli("log", "ada", "Intro call about twenty seats", "--kind", "call",
           "--at", "2026-11-01 10:00"))  # fmt: skip
    ok(cli("log", "grace", "Sent the quote", "--kind", "email", "--at", "2026-11-10 09:00",
           "--deal", "Twenty seats"))  # fmt: skip
    ok(cli("log", "bob", "Coffee", "--at", "2026-11-20 08:00"))
    ok(cli("log", "ada", "Demo of the tool", "--kind", "meeting",
           "--at", "2026-11-25 14:00", "--with", "grace"))  # fmt: skip
    return cli


def listed(cli, *args: str) -> list[int]:
    return [item["id"] for item in json.loads(ok(cli("interaction", "list", *args, "--json")))]


def last_contact(cli, name: str, **kw) -> str:
    rows = [line.split("\t") for line in ok(cli("contact", "list", **kw)).splitlines()]
    return next(row[-1] for row in rows if row[1] == name)


# -- list ----------------------------------------------------------------------------------


def test_list_is_newest_first_across_contacts_and_reads_well_piped(crm):
    out = ok(crm("interaction", "list"))
    assert out.splitlines() == [
        "4\t2026-11-25T14:00:00Z\tmeeting\tplanned\tAda Lovelace, Grace Hopper\tDemo of the tool"
        "\t\tAnalytical",
        "3\t2026-11-20T08:00:00Z\tnote\tdone\tBob Stone\tCoffee\t\t",
        "2\t2026-11-10T09:00:00Z\temail\tdone\tGrace Hopper\tSent the quote\tTwenty seats"
        "\tAnalytical",
        "1\t2026-11-01T10:00:00Z\tcall\tdone\tAda Lovelace\tIntro call about twenty seats"
        "\t\tAnalytical",
    ]


@pytest.mark.parametrize(
    ("args", "ids"),
    [
        (("--contact", "ada"), [4, 1]),
        (("--contact", "ada", "--contact", "bob"), [4, 3, 1]),
        (("--company", "Analytical"), [4, 2, 1]),
        (("--deal", "Twenty seats"), [2]),
        (("--kind", "call"), [1]),
        (("--kind", "phone"), [1]),  # an alias is its kind
        (("--kind", "call", "--kind", "email"), [2, 1]),
        (("--since", "2026-11-10", "--until", "2026-11-20"), [3, 2]),
        (("--since", "2026-11-11"), [4, 3]),
        (("--until", "2026-11-09"), [1]),
        (("--planned",), [4]),
        (("--contact", "grace", "--kind", "email"), [2]),
    ],
)
def test_list_filters(crm, args, ids):
    assert listed(crm, *args) == ids


def test_list_json_has_stable_keys_and_the_limit_is_told_on_stderr(crm):
    result = crm("interaction", "list", "--json", "--limit", "2")
    items = json.loads(ok(result))
    assert [item["id"] for item in items] == [4, 3]
    assert list(items[0]) == [
        "id", "uid", "kind", "at", "text", "contacts", "company", "deal", "created_at",
        "cancelled_at", "source", "external_id", "direction", "origin",
    ]  # fmt: skip
    assert items[0]["contacts"] == [
        {"kind": "contact", "id": 1, "name": "Ada Lovelace"},
        {"kind": "contact", "id": 2, "name": "Grace Hopper"},
    ]
    assert result.stderr == "showing 2 of 4 (use --limit 0 for all)\n"
    assert json.loads(ok(crm("interaction", "list", "--kind", "demo", "--json"))) == []


def test_list_on_a_terminal_fits_80_columns(crm):
    out = ok(crm("interaction", "list", terminal=True, width=80))
    lines = out.splitlines()
    assert lines[0].split() == ["ID", "When", "Kind", "With", "Text"]
    assert all(len(line) <= 80 for line in lines)
    assert "Ada Lovelace, Grace" in lines[1]


def test_list_bad_filters_are_one_line(crm, db_path):
    before = dump(db_path)
    err = one_line_error(crm("interaction", "list", "--kind", "fax"))
    assert 'unknown interaction kind "fax"' in err
    assert "pcrm interaction kind add" in err
    assert "no contact" in one_line_error(crm("interaction", "list", "--contact", "nobody"))
    assert dump(db_path) == before


# -- show ----------------------------------------------------------------------------------


def test_show_takes_the_ids_search_and_the_agenda_print(crm):
    search = ok(crm("search", "quote"))
    assert search.split("\t")[:2] == ["interaction", "2"]
    plain = ok(crm("interaction", "show", "2"))
    assert plain.splitlines() == [
        "id: 2",
        "kind: email",
        "when: 2026-11-10 09:00 (13 days ago)",
        "state: done",
        "with: Grace Hopper",
        "company: Analytical",
        "deal: Twenty seats (deal 1)",
        "logged: 2026-11-23 10:00",
        f"uid: {json.loads(ok(crm('interaction', 'show', '2', '--json')))['uid']}",
        "text: Sent the quote",
    ]
    for form in ("interaction 2", "interaction:2", "#2"):
        assert ok(crm("interaction", "show", form)) == plain
    shown = json.loads(ok(crm("interaction", "show", "2", "--json")))
    assert shown["deal"] == {"kind": "deal", "id": 1, "name": "Twenty seats"}
    assert shown["cancelled_at"] is None


@pytest.mark.parametrize(
    ("ref", "message"), [("99", "no interaction 99"), ("ada", "not an interaction id")]
)
def test_show_a_bad_id_is_one_line(crm, ref, message):
    assert message in one_line_error(crm("interaction", "show", ref))


# -- edit ----------------------------------------------------------------------------------


def test_edit_by_options(crm, db_path):
    out = ok(crm("interaction", "edit", "3", "--text", "Coffee with Bob", "--kind", "meet",
                 "--add-contact", "grace", "--deal", "Twenty seats"))  # fmt: skip
    assert out == "updated interaction 3 (meeting with Bob Stone, Grace Hopper)\n"
    item = json.loads(ok(crm("interaction", "show", "3", "--json")))
    assert (item["text"], item["kind"], item["deal"]["id"]) == ("Coffee with Bob", "meeting", 1)
    assert [c["name"] for c in item["contacts"]] == ["Bob Stone", "Grace Hopper"]
    ok(crm("interaction", "edit", "3", "--rm-contact", "grace", "--no-deal"))
    item = json.loads(ok(crm("interaction", "show", "3", "--json")))
    assert [c["name"] for c in item["contacts"]] == ["Bob Stone"] and item["deal"] is None
    # the search index follows the text
    assert [hit["id"] for hit in json.loads(ok(crm("search", "Bob", "--json")))
            if hit["kind"] == "interaction"] == [3]  # fmt: skip


def test_edit_at_moves_last_contacted_both_ways(crm):
    assert last_contact(crm, "Bob Stone") == "2026-11-20T08:00:00Z"
    ok(crm("interaction", "edit", "3", "--at", "2026-11-05 08:00"))
    assert last_contact(crm, "Bob Stone") == "2026-11-05T08:00:00Z"
    ok(crm("interaction", "edit", "3", "--at", "2026-11-22 08:00"))
    assert last_contact(crm, "Bob Stone") == "2026-11-22T08:00:00Z"


def test_edit_refuses_to_leave_nobody_and_bad_input_changes_nothing(crm, db_path):
    before = dump(db_path)
    err = one_line_error(crm("interaction", "edit", "3", "--rm-contact", "bob"))
    assert "interaction 3 would be with nobody" in err
    assert "not in interaction 3" in one_line_error(
        crm("interaction", "edit", "3", "--rm-contact", "ada")
    )
    assert "unknown interaction kind" in one_line_error(
        crm("interaction", "edit", "3", "--kind", "telegram")
    )
    assert "no interaction 42" in one_line_error(crm("interaction", "edit", "42", "--text", "x"))
    assert dump(db_path) == before
    # a deal keeps it about something: the last person may go
    ok(crm("interaction", "edit", "2", "--rm-contact", "grace"))
    assert json.loads(ok(crm("interaction", "show", "2", "--json")))["contacts"] == []


def editor_script(tmp_path: Path, body: str) -> str:
    """An $EDITOR that runs `body` (Python, `text` is the form) and saves `text`."""
    script = tmp_path / "editor.py"
    script.write_text(
        "import sys\npath = sys.argv[1]\ntext = open(path, encoding='utf-8').read()\n"
        f"{body}\nopen(path, 'w', encoding='utf-8').write(text)\n"
    )
    return f"{sys.executable} {script}"


def test_edit_in_the_editor(crm, tmp_path):
    seen = tmp_path / "seen.txt"
    body = (
        f"open({str(seen)!r}, 'w').write(text)\n"
        "text = text.replace('kind: note', 'kind: phone')"
        ".replace('text: Coffee', 'text: Coffee, then a call\\n  about the quote')"
        ".replace('with: 3 Bob Stone', 'with: 3 Bob Stone\\nwith: ada@example.org')"
    )
    out = ok(crm("interaction", "edit", "3", env={"EDITOR": editor_script(tmp_path, body)}))
    assert out == "updated interaction 3 (call with Ada Lovelace, Bob Stone)\n"
    form = seen.read_text()
    assert "kind: note\nat: 2026-11-20 08:00\nwith: 3 Bob Stone\ndeal: \ntext: Coffee\n" in form
    item = json.loads(ok(crm("interaction", "show", "3", "--json")))
    assert item["kind"] == "call"
    assert item["text"] == "Coffee, then a call\nabout the quote"
    assert item["at"] == "2026-11-20T08:00:00Z"
    assert [c["name"] for c in item["contacts"]] == ["Ada Lovelace", "Bob Stone"]


def test_the_form_moves_the_time_and_keeps_it_exact_when_untouched(crm, tmp_path):
    ok(crm("log", "bob", "Second coffee", "--at", "2026-11-21 08:00:37"))
    assert json.loads(ok(crm("interaction", "show", "5", "--json")))["at"] == (
        "2026-11-21T08:00:37Z"
    )
    kind_only = editor_script(tmp_path, "text = text.replace('kind: note', 'kind: meeting')")
    ok(crm("interaction", "edit", "5", env={"EDITOR": kind_only}))
    item = json.loads(ok(crm("interaction", "show", "5", "--json")))
    assert (item["kind"], item["at"]) == ("meeting", "2026-11-21T08:00:37Z")
    moved = editor_script(
        tmp_path, "text = text.replace('at: 2026-11-21 08:00', 'at: 2026-11-19 17:30')"
    )
    ok(crm("interaction", "edit", "5", env={"EDITOR": moved}))
    assert json.loads(ok(crm("interaction", "show", "5", "--json")))["at"] == (
        "2026-11-19T17:30:00Z"
    )
    assert last_contact(crm, "Bob Stone") == "2026-11-20T08:00:00Z"


def test_an_unchanged_form_changes_nothing(crm, tmp_path, db_path):
    before = dump(db_path)
    out = ok(crm("interaction", "edit", "3", env={"EDITOR": editor_script(tmp_path, "")}))
    assert out == "no changes\n"
    assert dump(db_path) == before


def test_a_bad_form_is_one_line_when_nobody_can_answer(crm, tmp_path, db_path):
    before = dump(db_path)
    body = "text = text.replace('kind: note', 'kind: telegram')"
    err = one_line_error(
        crm("interaction", "edit", "3", env={"EDITOR": editor_script(tmp_path, body)})
    )
    assert 'unknown interaction kind "telegram"' in err
    assert dump(db_path) == before


# -- rm ------------------------------------------------------------------------------------


def test_rm_asks_and_needs_yes_when_nobody_can_answer(crm, db_path):
    before = dump(db_path)
    err = one_line_error(crm("interaction", "rm", "3"))
    assert "not removing interaction 3 (note with Bob Stone) without confirmation" in err
    assert dump(db_path) == before
    assert "no interaction 9" in one_line_error(crm("interaction", "rm", "3", "9", "--yes"))
    assert dump(db_path) == before


def test_rm_removes_several_and_last_contacted_goes_back(crm, db_path):
    ok(crm("log", "bob", "Typo'd second coffee", "--at", "2026-11-21 08:00"))
    assert last_contact(crm, "Bob Stone") == "2026-11-21T08:00:00Z"
    out = ok(crm("interaction", "rm", "interaction", "5", "1", "--yes"))
    assert out == (
        "removed interaction 5 (note with Bob Stone)\n"
        "removed interaction 1 (call with Ada Lovelace)\n"
    )
    assert listed(crm) == [4, 3, 2]
    assert last_contact(crm, "Bob Stone") == "2026-11-20T08:00:00Z"
    assert last_contact(crm, "Ada Lovelace") == ""  # her only touch that happened is gone
    conn = sqlite3.connect(db_path)
    deleted = conn.execute("SELECT kind FROM deletions").fetchall()
    links = conn.execute("SELECT count(*) FROM interaction_contacts").fetchone()[0]
    conn.close()
    assert deleted == [("interaction",), ("interaction",)]
    assert links == 4  # 2: Grace; 3: Bob; 4: Ada and Grace
    assert "Typo" not in ok(crm("search", "coffee"))


def test_rm_on_a_terminal_asks(crm, db_path):
    from typer.testing import CliRunner

    from pcrm.cli.env import Env
    from pcrm.cli.main import app

    def at_terminal(answer: str):
        return CliRunner().invoke(
            app,
            ["interaction", "rm", "3"],
            input=answer,
            obj=Env(clock=lambda: NOW, stdin_isatty=True),
            env={"TZ": "UTC"},
        )

    before = dump(db_path)
    declined = at_terminal("n\n")
    assert declined.exit_code == 1
    assert "Remove interaction 3 (note with Bob Stone)? [y/N]" in declined.output
    assert dump(db_path) == before
    accepted = at_terminal("y\n")
    assert accepted.exit_code == 0
    assert "removed interaction 3 (note with Bob Stone)" in accepted.output
    assert listed(crm) == [4, 2, 1]


# -- done and cancel -----------------------------------------------------------------------


def test_done_on_a_future_planned_one_makes_it_now(crm):
    assert last_contact(crm, "Grace Hopper") == "2026-11-10T09:00:00Z"
    out = ok(crm("interaction", "done", "4"))
    assert (
        out
        == "done: interaction 4 (meeting with Ada Lovelace, Grace Hopper), on 2026-11-23 10:00\n"
    )
    item = json.loads(ok(crm("interaction", "show", "4", "--json")))
    assert item["at"] == "2026-11-23T10:00:00Z"
    assert last_contact(crm, "Grace Hopper") == "2026-11-23T10:00:00Z"
    assert listed(crm, "--planned") == []
    again = ok(crm("interaction", "done", "4"))
    assert again == (
        "interaction 4 (meeting with Ada Lovelace, Grace Hopper) already happened,"
        " on 2026-11-23 10:00\n"
    )


def test_cancel_keeps_it_in_the_history_marked(crm):
    out = ok(crm("interaction", "cancel", "interaction 4"))
    assert out == "cancelled interaction 4 (meeting with Ada Lovelace, Grace Hopper)\n"
    timeline = ok(crm("timeline", "ada")).splitlines()
    assert timeline[0] == (
        "2026-11-25T14:00:00Z\tmeeting\tcancelled, with Grace Hopper\tDemo of the tool"
    )
    event = json.loads(ok(crm("timeline", "ada", "--json")))[0]
    assert event["cancelled_at"] == "2026-11-23T10:00:00Z"
    assert "cancelled" in ok(crm("timeline", "ada", terminal=True, width=100)).splitlines()[1]
    assert listed(crm, "--cancelled") == [4]
    assert listed(crm, "--planned") == []
    assert ok(crm("interaction", "list", "--contact", "ada")).splitlines()[0].split("\t")[3] == (
        "cancelled"
    )
    assert "state: cancelled" in ok(crm("interaction", "show", "4"))
    assert "cancelled: 2026-11-23 10:00" in ok(crm("interaction", "show", "4"))
    assert ok(crm("interaction", "cancel", "4")).endswith("is already cancelled\n")
    # done takes the cancellation back
    ok(crm("interaction", "done", "4"))
    assert json.loads(ok(crm("interaction", "show", "4", "--json")))["cancelled_at"] is None


def test_a_past_interaction_cannot_be_cancelled(crm, db_path):
    before = dump(db_path)
    err = one_line_error(crm("interaction", "cancel", "3"))
    assert "interaction 3 is not planned" in err
    assert "pcrm interaction rm 3" in err
    assert dump(db_path) == before


def test_a_cancelled_one_leaves_the_agenda_and_the_next_touch(crm):
    assert "Demo of the tool" in ok(crm("agenda", "--days", "7"))
    assert "next_touch" in ok(crm("show", "ada", "--json"))
    assert json.loads(ok(crm("show", "ada", "--json")))["next_touch"] == "2026-11-25T14:00:00Z"
    ok(crm("interaction", "cancel", "4"))
    assert "Demo of the tool" not in ok(crm("agenda", "--days", "7"))
    shown = json.loads(ok(crm("show", "ada", "--json")))
    assert shown["next_touch"] is None
    assert shown["interaction_count"] == 1


def test_a_cancelled_one_is_no_touch_once_its_time_passes(crm):
    later = NOW + timedelta(days=20)  # 2026-12-13: Ada's 30 days since 11-01 are up
    # Not cancelled, the meeting of 11-25 would be her last touch: not due yet.
    assert "Ada Lovelace" not in ok(crm("agenda", now=later))
    assert last_contact(crm, "Grace Hopper", now=later) == "2026-11-10T09:00:00Z"
    ok(crm("interaction", "cancel", "4"))
    agenda = ok(crm("agenda", now=later))
    assert "stay-in-touch\t2026-12-01\tdue 12 days ago\tAda Lovelace" in agenda
    shown = json.loads(ok(crm("show", "ada", "--json", now=later)))
    assert shown["last_touch"] == "2026-11-01T10:00:00Z"
    assert last_contact(crm, "Grace Hopper", now=later) == "2026-11-10T09:00:00Z"
    # nor in `contact list --last-contact-before`
    stale = ok(crm("contact", "list", "--last-contact-before", "2026-11-24", now=later))
    assert "Ada Lovelace" in stale


def test_a_cancelled_one_is_not_counted_in_report_activity_or_scores(crm):
    later = NOW + timedelta(days=7)
    ok(crm("score", "rule", "add", "+10 per meeting in the last 30 days"))

    def meetings() -> tuple[int, int]:
        report = json.loads(ok(crm("report", "activity", "--json", now=later)))
        score = json.loads(ok(crm("score", "ada", "--json", now=later)))
        return report["total"]["kinds"]["meeting"], score["score"]

    assert meetings() == (1, 10)
    ok(crm("interaction", "cancel", "4"))
    assert meetings() == (0, 0)
    report = json.loads(ok(crm("report", "activity", "--json", now=later)))
    assert report["total"]["contacts"] == 3  # Ada 11-01, Grace 11-10, Bob 11-20; not the meeting
    assert report["total"]["total"] == 3


def test_a_cancelled_one_is_not_in_the_digest(crm):
    later = NOW + timedelta(days=7)
    before = ok(crm("digest", "--since", "2026-11-24", now=later))
    ok(crm("interaction", "cancel", "4"))
    after = ok(crm("digest", "--since", "2026-11-24", now=later))
    assert "meeting" in before
    assert "meeting" not in after


# -- kinds ---------------------------------------------------------------------------------


def test_user_kinds_and_aliases_through_log_and_reports(crm, db_path):
    assert ok(crm("interaction", "kind", "add", "WhatsApp", "--after", "message")) == (
        "added interaction kind whatsapp\n"
    )
    assert (
        ok(crm("interaction", "kind", "alias", "wa", "whatsapp")) == "added alias wa → whatsapp\n"
    )
    ok(crm("interaction", "kind", "add", "lunch"))
    out = ok(crm("log", "bob", "Voice note about the quote", "--kind", "WA", "--at", "2026-11-22"))
    assert out.startswith("logged whatsapp 5 with Bob Stone")
    ok(crm("log", "ada", "Lunch at the pier", "--kind", "lunch", "--at", "2026-11-22 12:00"))
    assert listed(crm, "--kind", "wa") == [5]
    kinds = ok(crm("interaction", "kind", "list")).splitlines()
    assert [line.split("\t")[0] for line in kinds] == [
        "call", "email", "meeting", "demo", "message", "whatsapp", "note", "lunch",
    ]  # fmt: skip
    assert kinds[5] == "whatsapp\twa\t1\tuser"
    assert kinds[0] == "call\tphone\t1\tbuiltin"
    report = json.loads(ok(crm("report", "activity", "--json")))
    assert report["kinds"] == [
        "call", "email", "meeting", "demo", "message", "whatsapp", "note", "lunch",
    ]  # fmt: skip
    assert (report["total"]["kinds"]["whatsapp"], report["total"]["kinds"]["lunch"]) == (1, 1)
    header = ok(crm("report", "activity")).splitlines()[1].split("\t")
    assert header[:9] == [
        "week", "call", "email", "meeting", "demo", "message", "whatsapp", "note", "lunch",
    ]  # fmt: skip
    digest = ok(crm("digest", "--since", "2026-11-16"))
    assert "  whatsapp  1\n" in digest and "  lunch     1\n" in digest
    # a kind in use stays; its alias, a built-in kind, an unknown one: one line each
    before = dump(db_path)
    assert '1 interaction uses the kind "lunch"' in one_line_error(
        crm("interaction", "kind", "rm", "lunch")
    )
    assert "built-in" in one_line_error(crm("interaction", "kind", "rm", "demo"))
    assert "already" in one_line_error(crm("interaction", "kind", "add", "phone"))
    assert "already" in one_line_error(crm("interaction", "kind", "alias", "lunch", "call"))
    assert dump(db_path) == before
    ok(crm("interaction", "edit", "6", "--kind", "meeting"))
    assert ok(crm("interaction", "kind", "rm", "lunch")) == "removed interaction kind lunch\n"
    assert ok(crm("interaction", "kind", "rm", "wa")) == "removed alias wa (of whatsapp)\n"
    err = one_line_error(crm("log", "ada", "hi", "--kind", "lunch"))
    assert 'unknown interaction kind "lunch"' in err
    assert "whatsapp" in err and "pcrm interaction kind add NAME" in err


# -- the schema step -----------------------------------------------------------------------


def test_a_file_made_at_m016_keeps_every_interaction_link_and_search_hit(cli, db_path):
    from pcrm.store.migrations import apply, known_names

    names = known_names()
    assert names[16] == "m017_interaction_records"
    db_path.parent.mkdir(mode=0o700, parents=True)
    conn = sqlite3.connect(db_path)
    conn.execute("PRAGMA foreign_keys = ON")
    apply(conn, only=names[:16])
    conn.executescript(
        """
        INSERT INTO contacts(uid, name, name_key, created_at, updated_at, last_contacted_at)
            VALUES ('c1', 'Ada Lovelace', 'ada lovelace', '2026-01-01T00:00:00Z',
                    '2026-01-01T00:00:00Z', '2026-11-02T10:00:00Z'),
                   ('c2', 'Grace Hopper', 'grace hopper', '2026-01-01T00:00:00Z',
                    '2026-01-01T00:00:00Z', '2026-11-02T10:00:00Z');
        INSERT INTO interactions(uid, kind, at, text, created_at) VALUES
            ('i1', 'call', '2026-11-01T10:00:00Z', 'twenty seats wanted', '2026-11-01T10:00:00Z'),
            ('i2', 'meeting', '2026-11-02T10:00:00Z', 'kickoff', '2026-11-02T10:00:00Z'),
            ('i3', 'demo', '2026-11-30T10:00:00Z', 'the demo', '2026-11-02T10:00:00Z');
        INSERT INTO interaction_contacts(interaction_id, contact_id) VALUES
            (1, 1), (2, 1), (2, 2), (3, 2);
        """
    )
    conn.commit()
    links_before = conn.execute("SELECT * FROM interaction_contacts").fetchall()
    rows_before = conn.execute("SELECT * FROM interactions").fetchall()
    conn.close()

    hits = json.loads(ok(cli("search", "twenty", "--json")))
    assert [(hit["kind"], hit["id"]) for hit in hits] == [("interaction", 1)]
    conn = sqlite3.connect(db_path)
    assert conn.execute("SELECT * FROM interaction_contacts").fetchall() == links_before
    assert [row[:8] for row in conn.execute("SELECT * FROM interactions")] == rows_before
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    assert conn.execute("SELECT count(*) FROM search_index").fetchone()[0] == 5
    conn.close()
    assert listed(cli) == [3, 2, 1]
    assert listed(cli, "--contact", "grace") == [3, 2]
    ok(cli("interaction", "cancel", "3"))
    assert listed(cli, "--cancelled") == [3]


def test_the_shell_completes_user_kinds(crm, db_path):
    from test_naming_and_completion import complete

    ok(crm("interaction", "kind", "add", "whatsapp"))
    assert complete("pcrm log ada x --kind wh", db=db_path) == ["whatsapp"]
    assert complete("pcrm interaction list --kind me", db=db_path) == ["meeting", "message"]


def test_export_says_which_were_cancelled(crm):
    ok(crm("interaction", "cancel", "4"))
    exported = json.loads(ok(crm("export", "interactions", "--format", "json")))
    assert [(item["id"], item["cancelled_at"]) for item in exported] == [
        (1, None), (2, None), (3, None), (4, "2026-11-23T10:00:00Z"),
    ]  # fmt: skip
    header, *rows = ok(crm("export", "interactions")).splitlines()
    assert header.endswith(",text,cancelled_at,source,external_id,direction")
    assert rows[-1].endswith(",Demo of the tool,2026-11-23T10:00:00Z,manual,,")


def test_a_cancelled_one_is_no_next_step_on_the_board(cli):
    ok(cli("contact", "add", "Ada Lovelace"))
    ok(cli("deal", "add", "Seats", "--contact", "ada"))
    ok(cli("log", "ada", "Demo", "--kind", "demo", "--at", "2026-11-25 14:00", "--deal", "Seats"))

    def next_step() -> object:
        board = json.loads(ok(cli("pipeline", "--json")))
        cards = [card for column in board["columns"] for card in column["cards"]]
        return cards[0]["next_step"]

    assert next_step()["text"] == "Demo"
    ok(cli("interaction", "cancel", "1"))
    assert next_step() is None
    assert "next 2026-11-25" not in ok(cli("pipeline"))


def test_a_deals_last_activity_follows_a_removal(cli):
    from datetime import UTC, datetime

    opened = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
    ok(cli("contact", "add", "Ada Lovelace", now=opened))
    ok(cli("deal", "add", "Seats", "--contact", "ada", now=opened))
    ok(cli("log", "ada", "Call", "--at", "2026-11-10 09:00", "--deal", "Seats"))

    def last_activity() -> str:
        return str(
            json.loads(ok(cli("deal", "show", "Seats", "--json")))["deal"]["last_activity_at"]
        )

    assert last_activity() == "2026-11-10T09:00:00Z"
    ok(cli("interaction", "rm", "1", "--yes"))
    assert last_activity() == "2026-11-01T09:00:00Z"


@pytest.mark.parametrize("name", ["[red]x", "a,b", "x" * 31, "'x", "😀"])
def test_a_kind_name_is_a_plain_word(cli, db_path, name):
    ok(cli("contact", "add", "Ada Lovelace"))
    before = dump(db_path)
    assert "is not a plain word" in one_line_error(cli("interaction", "kind", "add", name))
    assert "is not a plain word" in one_line_error(
        cli("interaction", "kind", "alias", name, "call")
    )
    assert dump(db_path) == before
    ok(cli("interaction", "kind", "add", "Site visit"))
    assert "site visit" in ok(cli("interaction", "kind", "list"))


def test_search_says_an_interaction_was_cancelled(crm):
    ok(crm("interaction", "cancel", "4"))
    hit = json.loads(ok(crm("search", "demo", "--json")))[0]
    assert (hit["kind"], hit["id"]) == ("interaction", 4)
    assert hit["title"] == "meeting with Ada Lovelace, Grace Hopper (cancelled)"
