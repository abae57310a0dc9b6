"""Issue 16, "Seen better": planned interactions in the agenda (terminal, piped, --json,
--cron), open follow-ups in `pcrm show` and `pcrm deal show`, deal ids on the board's cards
and a "+N more" line that names the command listing them all.

The clock is the suite's: Monday 2026-11-23 10:00 UTC, in UTC.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime

import pytest

from conftest import NOW, ok

EARLY = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)  # two hours before the suite's "now"


def run(cli, *args: str, **kwargs) -> str:
    return ok(cli(*args, **kwargs))


def lines(out: str) -> list[str]:
    return [line.rstrip() for line in out.splitlines()]


def fits(out: str, width: int = 80) -> bool:
    return max(len(line) for line in out.splitlines()) <= width


# -- the agenda: planned interactions ------------------------------------------------------


@pytest.fixture
def planned(cli):
    """Ada and Grace; a meeting planned for later today, one earlier today (logged at 08:00
    for 09:00), a call in two days, a demo past the 7 days ahead; and history that is no
    plan: a call logged as it happened, one logged afterwards for an earlier time."""
    run(cli, "contact", "add", "Ada Lovelace")
    run(cli, "contact", "add", "Grace Hopper")
    run(cli, "log", "ada", "Standup with the team", "--kind", "meeting", "--at",
        "2026-11-23T09:00", now=EARLY)  # fmt: skip
    run(cli, "log", "ada", "--with", "grace", "Contract walkthrough", "--kind", "meeting",
        "--at", "2026-11-23T15:00")  # fmt: skip
    run(cli, "log", "grace", "Pricing call", "--kind", "call", "--at", "2026-11-25T09:30")
    run(cli, "log", "grace", "Demo in Oslo", "--kind", "demo", "--at", "2026-12-10T09:00")
    run(cli, "log", "ada", "Called about the quote", "--kind", "call")
    run(cli, "log", "grace", "Met at the fair", "--kind", "meeting", "--at", "2026-11-20T12:00")


def test_the_agenda_shows_todays_and_upcoming_planned_interactions_at_80_columns(cli, planned):
    out = run(cli, "agenda", terminal=True, width=80)
    assert lines(out) == [
        "Planned, today and next 7 days (3)",
        "today 09:00      Standup with the team  meeting · Ada Lovelace     interaction 1",
        "today 15:00      Contract walkthrough   meeting · Ada Lovelace,    interaction 2",
        "                                        Grace Hopper",
        "in 2 days 09:30  Pricing call           call · Grace Hopper        interaction 3",
    ]
    for history in ("Demo in Oslo", "Called about the quote", "Met at the fair"):
        assert history not in out
    assert fits(out)
    # From 100 columns the local day shows too.
    wide = run(cli, "agenda", terminal=True, width=120)
    assert lines(wide)[3] == (
        "in 2 days 09:30  Wed 25 Nov  Pricing call           call · Grace Hopper"
        "                   interaction 3"
    )


def test_the_piped_agenda_has_a_planned_line_per_interaction(cli, planned):
    out = run(cli, "agenda")
    assert [line for line in out.splitlines() if line.startswith("planned\t")] == [
        "planned\t2026-11-23\ttoday 09:00\tStandup with the team\tmeeting · Ada Lovelace"
        "\tinteraction 1",
        "planned\t2026-11-23\ttoday 15:00\tContract walkthrough"
        "\tmeeting · Ada Lovelace, Grace Hopper\tinteraction 2",
        "planned\t2026-11-25\tin 2 days 09:30\tPricing call\tcall · Grace Hopper\tinteraction 3",
    ]
    # A day without a time (stored at local midnight) is said without one.
    run(cli, "log", "ada", "Coffee", "--kind", "meeting", "--at", "2026-11-24")
    assert "planned\t2026-11-24\ttomorrow\tCoffee\tmeeting · Ada Lovelace\tinteraction 7" in (
        run(cli, "agenda").splitlines()
    )
    # --days widens the look ahead for planned interactions as for follow-ups.
    assert "Demo in Oslo" in run(cli, "agenda", "--days", "20")
    assert "Pricing call" not in run(cli, "agenda", "--days", "0")


def test_the_agenda_json_has_planned_interactions_under_a_stable_key(cli, planned):
    agenda = json.loads(run(cli, "agenda", "--json"))
    assert list(agenda) == [
        "today",
        "days",
        "reminder_days",
        "overdue",
        "due_today",
        "upcoming",
        "planned",
        "stay_in_touch",
        "occasions",
        "deals",
        "missed_since",
        "missed",
        "more",
    ]
    assert [(item["id"], item["kind"], item["at"], item["text"]) for item in agenda["planned"]] == [
        (1, "meeting", "2026-11-23T09:00:00Z", "Standup with the team"),
        (2, "meeting", "2026-11-23T15:00:00Z", "Contract walkthrough"),
        (3, "call", "2026-11-25T09:30:00Z", "Pricing call"),
    ]
    assert [c["name"] for c in agenda["planned"][1]["contacts"]] == ["Ada Lovelace", "Grace Hopper"]
    assert set(agenda["planned"][0]) == {
        "id", "uid", "kind", "at", "text", "contacts", "company", "deal", "created_at",
        "cancelled_at", "source", "external_id", "direction", "origin",
    }  # fmt: skip
    assert agenda["more"] == {}


def test_a_long_planned_section_is_cut_and_counted(cli, monkeypatch):
    from pcrm.core.activity import agenda

    monkeypatch.setattr(agenda, "SECTION_LIMIT", 2)
    run(cli, "contact", "add", "Ada Lovelace")
    for hour in (11, 12, 13):
        run(cli, "log", "ada", f"Meeting at {hour}", "--kind", "meeting", "--at",
            f"2026-11-24T{hour}:00")  # fmt: skip
    out = run(cli, "agenda", terminal=True, width=80)
    assert "Planned, today and next 7 days (3)" in out
    assert "                … and 1 more   pcrm agenda --all" in lines(out)
    assert "Meeting at 13" not in out
    assert json.loads(run(cli, "agenda", "--json"))["more"] == {"planned": 1}
    assert "Meeting at 13" in run(cli, "agenda", "--all")


def test_cron_speaks_for_a_meeting_today(cli):
    run(cli, "contact", "add", "Ada Lovelace")
    run(cli, "log", "ada", "Contract walkthrough", "--kind", "meeting", "--at", "2026-11-23T15:00")
    run(cli, "log", "ada", "Pricing call", "--kind", "call", "--at", "2026-11-25T09:30")
    assert run(cli, "agenda", "--cron") == (
        "pcrm agenda for Monday 23 November 2026\n"
        "\n"
        "Planned, today and next 7 days (2)\n"
        "today 15:00      Mon 23 Nov  Contract walkthrough  meeting · Ada Lovelace  interaction 1\n"
        "in 2 days 09:30  Wed 25 Nov  Pricing call          call · Ada Lovelace     interaction 2\n"
    )


def test_cron_is_silent_when_planned_interactions_are_all_after_today(cli):
    run(cli, "contact", "add", "Ada Lovelace")
    run(cli, "log", "ada", "Pricing call", "--kind", "call", "--at", "2026-11-25T09:30")
    run(cli, "follow-up", "ada", "Send the quote", "--due", "2026-11-26")
    result = cli("agenda", "--cron")
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "")
    # The look ahead is still there for a person at the terminal.
    assert "Pricing call" in run(cli, "agenda", terminal=True, width=80)


def test_the_planned_section_reads_a_range_of_an_index_on_time(cli, planned, db_path):
    """On a big file the section must not scan the interactions: its query is a SEARCH on an
    index over interactions(at)."""
    from pcrm.core.activity.agenda import build_agenda
    from pcrm.store.db import Database

    seen: list[str] = []
    conn = sqlite3.connect(db_path)
    try:
        conn.set_trace_callback(seen.append)
        build_agenda(Database(conn), NOW)
        queries = [sql for sql in seen if "i.at > i.created_at" in sql]
        assert queries
        for sql in queries:
            plan = " ".join(row[3] for row in conn.execute("EXPLAIN QUERY PLAN " + sql))
            assert "SEARCH i USING" in plan and "INDEX interactions_at" in plan, plan
    finally:
        conn.close()


def test_a_piped_agenda_with_planned_interactions_loads_no_rich(cli, planned, db_path):
    result = subprocess.run(
        [sys.executable, "-m", "pcrm", "--db", str(db_path), "agenda", "--days", "30"],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPROFILEIMPORTTIME": "1"},
        timeout=60,
    )
    assert "\tDemo in Oslo\t" in result.stdout
    modules = {
        line.split("|")[-1].strip()
        for line in result.stderr.splitlines()
        if line.startswith("import time:") and "|" in line
    }
    assert "pcrm.core.activity.agenda" in modules
    assert {m for m in modules if m.split(".")[0] == "rich"} == set()


# -- show and deal show: open follow-ups ---------------------------------------------------


@pytest.fixture
def follow_ups(cli):
    """Ada at Acme with a deal; follow-ups overdue, today, later (one on the deal) and done;
    Grace at Acme with one; Linus elsewhere with one."""
    run(cli, "company", "add", "Acme")
    run(cli, "contact", "add", "Ada Lovelace", "--company", "Acme")
    run(cli, "contact", "add", "Grace Hopper", "--company", "Acme")
    run(cli, "contact", "add", "Linus Torvalds")
    run(cli, "deal", "add", "Website rebuild", "--value", "12000", "--company", "Acme")
    run(cli, "follow-up", "ada", "Send the revised quote", "--due", "2026-11-21")
    run(cli, "follow-up", "ada", "Call about the seats", "--due", "2026-11-23 15:00")
    run(cli, "follow-up", "ada", "Chase the order form", "--due", "2026-11-26", "--deal", "1")
    run(cli, "follow-up", "ada", "Old thing", "--due", "2026-11-20")
    run(cli, "task", "done", "4")
    run(cli, "follow-up", "grace", "Ask about the budget", "--due", "2026-11-30")
    run(cli, "follow-up", "linus", "Someone else's", "--due", "2026-11-24")


def test_show_lists_a_contacts_open_follow_ups_at_80_columns(cli, follow_ups):
    out = run(cli, "show", "ada", terminal=True, width=80)
    assert lines(out)[lines(out).index("Open follow-ups (3)") :] == [
        "Open follow-ups (3)",
        "  #1  2 days overdue  Send the revised quote",
        "  #2  today 15:00     Call about the seats",
        "  #3  in 3 days       Chase the order form    Website rebuild",
    ]
    assert "Old thing" not in out and "Ask about the budget" not in out
    assert fits(out)


def test_show_piped_and_json_list_the_open_follow_ups(cli, follow_ups):
    out = run(cli, "show", "ada")
    assert [line for line in out.splitlines() if line.startswith("follow-up")] == [
        "follow-ups: 3",
        "follow-up: 1\t2026-11-21\t\toverdue\tSend the revised quote",
        "follow-up: 2\t2026-11-23\t15:00\ttoday\tCall about the seats",
        "follow-up: 3\t2026-11-26\t\tupcoming\tChase the order form",
    ]
    view = json.loads(run(cli, "show", "ada", "--json"))
    assert [task["id"] for task in view["follow_ups"]] == [1, 2, 3]
    assert view["follow_up_count"] == 3
    # Nothing open, no block.
    run(cli, "task", "done", "5")
    assert json.loads(run(cli, "show", "grace", "--json"))["follow_ups"] == []
    assert "follow-up" not in run(cli, "show", "grace")
    assert "Open follow-ups" not in run(cli, "show", "grace", terminal=True, width=80)


def test_show_of_a_company_lists_its_peoples_follow_ups(cli, follow_ups):
    out = run(cli, "show", "company:acme", terminal=True, width=80)
    text = " ".join(out.split())
    assert "Open follow-ups (4)" in text
    assert "#5 in 7 days Ask about the budget Grace Hopper" in text
    assert "#3 in 3 days Chase the order form Ada Lovelace · Website rebuild" in text
    assert "Someone else's" not in out
    assert fits(out)
    piped = run(cli, "show", "company:acme")
    assert "follow-up: 5\t2026-11-30\t\tupcoming\tAsk about the budget" in piped.splitlines()


def test_show_says_how_to_see_every_follow_up_past_the_first_ten(cli):
    run(cli, "contact", "add", "Ada Lovelace")
    for day in range(24, 36):
        run(cli, "follow-up", "ada", f"Step {day}", "--due", f"2026-11-{day}" if day <= 30
            else f"2026-12-{day - 30:02}")  # fmt: skip
    out = run(cli, "show", "ada", terminal=True, width=80)
    assert "Open follow-ups (12), the soonest 10: pcrm follow-up list --contact 1" in out
    assert "Step 33" in out and "Step 34" not in out
    assert run(cli, "show", "ada").splitlines().count("follow-ups: 12") == 1
    listed = run(cli, "task", "list", "--contact", "1")
    assert "Step 35" in listed


def test_deal_show_lists_the_deals_open_follow_ups(cli, follow_ups):
    out = run(cli, "deal", "show", "1", terminal=True, width=80)
    text = " ".join(out.split())
    assert "Open follow-ups (1) #3 in 3 days Chase the order form Ada Lovelace" in text
    assert "Send the revised quote" not in out
    assert fits(out)
    piped = run(cli, "deal", "show", "1").splitlines()
    assert piped[piped.index("follow-ups: 1") + 1] == (
        "follow-up: 3\t2026-11-26\t\tupcoming\tChase the order form"
    )
    view = json.loads(run(cli, "deal", "show", "1", "--json"))
    assert [(t["id"], t["title"]) for t in view["follow_ups"]] == [(3, "Chase the order form")]
    assert view["follow_up_count"] == 1


# -- the board: ids on cards, and how to see every deal ------------------------------------


@pytest.fixture
def board(cli):
    """Three deals in Qualified, two in Contact made (one tagged vip), a second pipeline."""
    for title, value in (("Website rebuild", "12000"), ("Support plan", "3000"),
                         ("Audit", "500")):  # fmt: skip
        run(cli, "deal", "add", title, "--value", value)
    run(cli, "deal", "add", "Big data", "--value", "9000", "--stage", "Contact made")
    run(cli, "deal", "add", "Small data", "--value", "900", "--stage", "Contact made",
        "--tag", "vip")  # fmt: skip


def test_board_cards_show_deal_ids_at_80_columns_and_wide(cli, board):
    out = run(cli, "pipeline", terminal=True, width=80)
    assert "  #1 Website rebuild" in lines(out)
    assert "  #4 Big data" in lines(out)
    assert fits(out)
    wide = run(cli, "pipeline", terminal=True, width=120)
    assert "#1 Website rebuild" in wide and "#4 Big data" in wide


def test_the_more_line_names_the_command_that_lists_every_deal(cli, board):
    out = run(cli, "pipeline", "--limit", "1", terminal=True, width=80)
    assert "  +2 more: pcrm deal list --stage Qualified" in lines(out)
    assert "  +1 more: pcrm deal list --stage 'Contact made'" in lines(out)
    piped = run(cli, "pipeline", "--limit", "1").splitlines()
    assert "+2 more: pcrm deal list --stage Qualified" in piped
    assert "+1 more: pcrm deal list --stage 'Contact made'" in piped
    # The command shown does list the deals the column left out.
    listed = run(cli, "deal", "list", "--stage", "Contact made")
    assert "Small data" in listed and "Big data" in listed
    # Side by side, the line wraps within its column, between words.
    wide = lines(run(cli, "pipeline", "--limit", "1", terminal=True, width=120))
    at = wide.index("+2 more: pcrm deal list  +1 more: pcrm deal")
    assert wide[at + 1 : at + 3] == [
        "--stage Qualified        list --stage 'Contact",
        " " * 25 + "made'",
    ]


def test_the_more_line_keeps_the_boards_filters_and_pipeline(cli, board):
    run(cli, "deal", "add", "Tagged", "--value", "100", "--tag", "vip")
    run(cli, "deal", "add", "Tagged too", "--value", "50", "--tag", "vip")
    piped = run(cli, "pipeline", "--limit", "1", "--tag", "vip").splitlines()
    assert "+1 more: pcrm deal list --stage Qualified --tag vip" in piped
    run(cli, "pipeline", "add", "Hiring", "--stage", "Screen", "--stage", "Offer")
    run(cli, "deal", "add", "Engineer", "--pipeline", "Hiring")
    run(cli, "deal", "add", "Designer", "--pipeline", "Hiring")
    hiring = run(cli, "pipeline", "Hiring", "--limit", "1").splitlines()
    assert "+1 more: pcrm deal list --pipeline Hiring --stage Screen" in hiring
    listed = run(cli, "deal", "list", "--pipeline", "Hiring", "--stage", "Screen")
    assert "Engineer" in listed and "Designer" in listed
    # `deal list` has no --stale: the whole board is the way to see them all.
    later = datetime(2027, 1, 30, 10, 0, tzinfo=UTC)
    stale = run(cli, "pipeline", "--limit", "1", "--stale", now=later).splitlines()
    assert "+4 more: pcrm pipeline show Sales --stale --limit 0" in stale
