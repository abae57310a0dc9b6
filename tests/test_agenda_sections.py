"""`pcrm agenda` sections that SQL filters, orders and cuts: stay in touch (local due days
around a DST change), birthdays and deals, each cut at the section limit with the rest
counted, in the same order as `--all`."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

BERLIN = {"TZ": "Europe/Berlin"}


@pytest.fixture
def ok(cli):
    def invoke(*args: str, now: datetime | None = None, **kwargs) -> str:
        extra = {"now": now} if now else {}
        result = cli(*args, env=BERLIN, **extra, **kwargs)
        assert result.exit_code == 0, result.stderr
        return result.stdout

    return invoke


@pytest.fixture
def limit_two(monkeypatch):
    from pcrm.core.activity import agenda

    monkeypatch.setattr(agenda, "SECTION_LIMIT", 2)


def section(stdout: str, name: str) -> list[list[str]]:
    return [line.split("\t")[1:] for line in stdout.splitlines() if line.split("\t")[0] == name]


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


# -- stay in touch ---------------------------------------------------------------------------


def test_a_cadence_counts_local_days_across_the_end_of_summer_time(ok):
    # 2026-10-24 22:30 UTC is 00:30 on 25 October in Berlin (summer time, UTC+2); 29 days on
    # is 23 November, today, although the same instant 29 days later is still 22 November
    # there (winter time, UTC+1). 2026-10-25 23:30 UTC is 00:30 on 26 October: due tomorrow.
    ok("contact", "add", "Early")
    ok("contact", "add", "Late")
    ok("log", "early", "Call", "--at", "2026-10-24T22:30:00Z")
    ok("log", "late", "Call", "--at", "2026-10-25T23:30:00Z")
    for name in ("early", "late"):
        ok("contact", "edit", name, "--every", "29d")
    assert section(ok("agenda"), "stay-in-touch") == [
        ["2026-11-23", "due today", "Early", "every 29 days, last 4 weeks ago", "contact 1"]
    ]
    tomorrow = utc("2026-11-24 10:00")
    assert [row[:3] for row in section(ok("agenda", now=tomorrow), "stay-in-touch")] == [
        ["2026-11-23", "due yesterday", "Early"],
        ["2026-11-24", "due today", "Late"],
    ]


def test_stay_in_touch_shows_the_earliest_local_due_days_first_then_by_name(ok, limit_two):
    # In UTC order: Zed's due instant (22:30), Cleo's (22:45), Amy's (23:15); in Berlin,
    # Cleo is due on the 22nd and Zed and Amy on the 23rd, so the first two are Cleo and Amy.
    ok("contact", "add", "Zed")
    ok("log", "zed", "Call", "--at", "2026-10-24T22:30:00Z")
    ok("contact", "edit", "zed", "--every", "29d")
    ok("contact", "add", "Cleo", now=utc("2026-11-22 22:45"))
    ok("contact", "add", "amy", now=utc("2026-11-22 23:15"))
    for name in ("cleo", "amy"):
        ok("contact", "edit", name, "--every", "1y")
    rows = section(ok("agenda"), "stay-in-touch")
    assert rows == [
        ["2026-11-22", "due yesterday", "Cleo", "every 365 days, never contacted", "contact 2"],
        ["2026-11-23", "due today", "amy", "every 365 days, never contacted", "contact 3"],
        ["", "", "… and 1 more", "pcrm agenda --all", ""],
    ]
    every = section(ok("agenda", "--all"), "stay-in-touch")
    assert [row[2] for row in every] == ["Cleo", "amy", "Zed"]


def test_a_cadence_of_thousands_of_years_is_never_due_once_touched(ok):
    ok("contact", "add", "Ada")
    ok("log", "ada", "Call", "--at", "2026-11-01 12:00")
    ok("contact", "edit", "ada", "--every", "9999y")
    assert section(ok("agenda"), "stay-in-touch") == []


# -- birthdays and anniversaries -------------------------------------------------------------


def test_birthdays_cut_at_the_limit_keep_day_then_name_order(ok, limit_two):
    ok("contact", "add", "bea", "--birthday", "1990-11-24")
    ok("contact", "add", "Al", "--birthday", "--11-24")
    ok("contact", "add", "Cy", "--birthday", "1980-11-23")
    rows = section(ok("agenda"), "dates")
    assert rows == [
        ["2026-11-23", "today", "Cy", "birthday, turns 46", "contact 3"],
        ["2026-11-24", "tomorrow", "Al", "birthday", "contact 2"],
        ["", "", "… and 1 more", "pcrm agenda --all", ""],
    ]
    assert [row[2] for row in section(ok("agenda", "--all"), "dates")] == ["Cy", "Al", "bea"]


# -- deals needing attention -----------------------------------------------------------------


def test_deals_cut_at_the_limit_are_the_longest_idle_and_all_are_counted(ok, limit_two):
    for day, title in (("2026-11-02", "Second"), ("2026-11-01", "First"), ("2026-11-03", "Third")):
        ok("deal", "add", title, "--value", "100", now=utc(f"{day} 09:00"))
    rows = section(ok("agenda"), "deals")
    assert [row[2] for row in rows] == ["First", "Second", "… and 1 more"]
    assert rows[-1][3] == "pcrm agenda --all"
    out = ok("agenda", terminal=True, width=80)
    assert "Deals needing attention (3)" in out.splitlines()
    data = json.loads(ok("agenda", "--json"))
    assert [deal["deal"]["name"] for deal in data["deals"]] == ["First", "Second"]
    assert data["more"] == {"deals": 1}
    every = json.loads(ok("agenda", "--all", "--json"))
    assert [deal["deal"]["name"] for deal in every["deals"]] == ["First", "Second", "Third"]
    assert every["more"] == {}


def test_a_deal_is_stale_only_once_idle_longer_than_its_stages_limit(ok):
    # Proposal rots after 14 days; the deal has a follow-up, so staleness alone lists it.
    start = utc("2026-11-01 09:00")
    ok("contact", "add", "Ada", now=start)
    ok("deal", "add", "Quote", "--value", "100", "--stage", "Proposal", now=start)
    ok("follow-up", "ada", "Chase", "--deal", "Quote", "--due", "2026-12-01", now=start)
    limit = start + timedelta(days=14)
    assert section(ok("agenda", now=limit), "deals") == []
    later = limit + timedelta(microseconds=1)
    assert section(ok("agenda", now=later), "deals") == [
        ["2026-11-01", "idle 14 days", "Quote", "Proposal: stale (limit 14 days)", "deal 1"]
    ]
