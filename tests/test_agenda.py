"""`pcrm agenda`: its sections (follow-ups, stay in touch, birthdays and anniversaries, deals
needing attention), relative dates, local-day bucketing in Europe/Berlin, and `--cron`, also
as a real process with cron's bare environment."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from conftest import NOW, dump

BERLIN = {"TZ": "Europe/Berlin"}


@pytest.fixture
def ok(cli):
    def invoke(*args: str, now: datetime = NOW, **kwargs) -> str:
        result = cli(*args, now=now, env=BERLIN, **kwargs)
        assert result.exit_code == 0, result.stderr
        return result.stdout

    return invoke


def section(stdout: str, name: str) -> list[list[str]]:
    """The piped agenda's rows of one section, each split into its cells (without the name)."""
    return [line.split("\t")[1:] for line in stdout.splitlines() if line.split("\t")[0] == name]


# -- the empty agenda ----------------------------------------------------------------------


def test_an_empty_agenda_says_so_in_one_line_on_a_terminal_and_nothing_when_piped(ok):
    ok("contact", "add", "Ada")
    assert ok("agenda", terminal=True, width=80) == "Nothing due in the next 7 days.\n"
    assert ok("agenda") == ""
    assert ok("agenda", "--cron") == ""


def test_agenda_days_must_be_a_sensible_number(cli):
    cli("contact", "add", "Ada")
    result = cli("agenda", "--days", "400")
    assert result.exit_code == 1
    assert result.stderr == (
        "pcrm: error: --days must be between 0 and 366, not 400 (e.g. --days 14)\n"
    )


# -- follow-ups ----------------------------------------------------------------------------


def test_follow_ups_fall_into_overdue_today_and_upcoming_with_relative_days(ok):
    ok("contact", "add", "Ada Lovelace")
    ok("follow-up", "ada", "Send the quote", "--due", "2026-11-21")
    ok("follow-up", "ada", "Call back", "--due", "today 17:00")
    ok("follow-up", "ada", "Check in", "--due", "2026-11-26")
    ok("follow-up", "ada", "Too far ahead", "--due", "2026-12-01")
    out = ok("agenda")
    assert section(out, "overdue") == [
        ["2026-11-21", "2 days overdue", "Send the quote", "Ada Lovelace", "follow-up 1"]
    ]
    assert section(out, "today") == [
        ["2026-11-23", "today 17:00", "Call back", "Ada Lovelace", "follow-up 2"]
    ]
    assert section(out, "upcoming") == [
        ["2026-11-26", "in 3 days", "Check in", "Ada Lovelace", "follow-up 3"]
    ]
    assert "Too far ahead" not in out
    assert "Too far ahead" in ok("agenda", "--days", "8")


def test_a_task_due_today_stays_today_until_local_midnight_in_berlin(ok):
    ok("contact", "add", "Ada")
    ok("follow-up", "ada", "Late call", "--due", "2026-11-23 23:30")
    before_midnight = datetime(2026, 11, 23, 22, 59, tzinfo=UTC)  # 23:59 in Berlin
    assert section(ok("agenda", now=before_midnight), "today")[0][1] == "today 23:30"
    after_midnight = datetime(2026, 11, 23, 23, 1, tzinfo=UTC)  # 00:01 on the 24th
    assert section(ok("agenda", now=after_midnight), "overdue")[0][1] == "1 day overdue"


def test_bucketing_follows_the_local_day_across_a_dst_change(ok):
    ok("contact", "add", "Ada")
    # Berlin leaves summer time on Sunday 2026-10-25 at 03:00 (back to 02:00).
    ok("follow-up", "ada", "After the change", "--due", "2026-10-26")
    sunday_night = datetime(2026, 10, 25, 22, 30, tzinfo=UTC)  # 23:30 CET, still Sunday
    assert section(ok("agenda", now=sunday_night), "upcoming")[0][1] == "tomorrow"
    monday = datetime(2026, 10, 25, 23, 30, tzinfo=UTC)  # 00:30 CET on Monday
    assert section(ok("agenda", now=monday), "today")[0][0] == "2026-10-26"


# -- stay in touch -------------------------------------------------------------------------


def test_a_contact_past_its_cadence_is_due_and_logging_resets_it(ok):
    ok("contact", "add", "Ada Lovelace")
    ok("log", "ada", "Coffee", "--at", "2026-10-14 12:00")
    ok("contact", "edit", "ada", "--every", "30d")
    assert section(ok("agenda"), "stay-in-touch") == [
        [
            "2026-11-13",
            "due 10 days ago",
            "Ada Lovelace",
            "every 30 days, last 1 month ago",
            "contact 1",
        ]
    ]
    ok("log", "ada", "Call: catching up", "--kind", "call")
    assert section(ok("agenda"), "stay-in-touch") == []


def test_a_planned_interaction_counts_only_once_its_time_has_passed(ok):
    ok("contact", "add", "Ada")
    ok("log", "ada", "Coffee", "--at", "2026-11-01 12:00")
    ok("log", "ada", "Lunch planned", "--at", "2026-11-25 12:00")
    ok("contact", "edit", "ada", "--every", "2w")
    assert section(ok("agenda"), "stay-in-touch")[0][:2] == ["2026-11-15", "due 8 days ago"]
    later = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)
    assert section(ok("agenda", now=later), "stay-in-touch") == []


def test_a_contact_never_contacted_is_due_from_the_day_it_was_added(ok):
    ok("contact", "add", "Ada", now=datetime(2026, 11, 1, 9, 0, tzinfo=UTC))
    ok("contact", "edit", "ada", "--every", "monthly")
    assert section(ok("agenda"), "stay-in-touch") == [
        ["2026-11-01", "due 3 weeks ago", "Ada", "every 30 days, never contacted", "contact 1"]
    ]


def test_the_cadence_is_shown_and_can_be_cleared(ok):
    ok("contact", "add", "Ada")
    ok("contact", "edit", "ada", "--every", "every 6 weeks")
    assert "in touch: every 42 days" in ok("contact", "show", "ada")
    ok("contact", "edit", "ada", "--every", "")
    assert "in touch" not in ok("contact", "show", "ada")
    assert section(ok("agenda"), "stay-in-touch") == []


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("0d", 'cadence "0d" must be at least one day'),
        ("-30d", 'cadence "-30d" cannot be negative'),
        ("often", 'cannot read cadence "often"'),
    ],
)
def test_a_bad_cadence_is_refused_and_changes_nothing(cli, db_path, typed, message):
    cli("contact", "add", "Ada")
    before = dump(db_path)
    result = cli("contact", "edit", "ada", "--every", typed)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"pcrm: error: {message} (try 30d, 2w, 3m")
    assert dump(db_path) == before


# -- birthdays and anniversaries ------------------------------------------------------------


def test_birthdays_show_from_the_reminder_days_before_through_the_day(ok):
    ok("contact", "add", "Ada Lovelace", "--birthday", "1985-11-30")
    ok("contact", "add", "Grace", "--birthday", "--12-01")
    ok("contact", "add", "Alan")
    ok("contact", "edit", "alan", "--anniversary", "2016-11-23")
    assert section(ok("agenda"), "dates") == [
        ["2026-11-23", "today", "Alan", "anniversary, 10 years", "contact 3"],
        ["2026-11-30", "in 7 days", "Ada Lovelace", "birthday, turns 41", "contact 1"],
    ]
    ok("config", "set", "reminder_days", "8")
    assert section(ok("agenda"), "dates")[-1] == [
        "2026-12-01",
        "in 8 days",
        "Grace",
        "birthday",
        "contact 2",
    ]
    ok("config", "set", "reminder_days", "0")
    assert [row[2] for row in section(ok("agenda"), "dates")] == ["Alan"]


def test_a_29_february_birthday_falls_on_28_february_in_common_years(ok):
    ok("contact", "add", "Leap", "--birthday", "2000-02-29")
    ok("config", "set", "reminder_days", "0")
    common = datetime(2027, 2, 28, 10, 0, tzinfo=UTC)
    assert section(ok("agenda", now=common), "dates") == [
        ["2027-02-28", "today", "Leap", "birthday, turns 27", "contact 1"]
    ]
    leap_eve = datetime(2028, 2, 28, 10, 0, tzinfo=UTC)
    assert section(ok("agenda", now=leap_eve), "dates") == []
    leap_day = datetime(2028, 2, 29, 10, 0, tzinfo=UTC)
    assert section(ok("agenda", now=leap_day), "dates")[0][:2] == ["2028-02-29", "today"]


def test_reminder_days_must_be_a_number_of_days(cli, db_path):
    cli("contact", "add", "Ada")
    before = dump(db_path)
    result = cli("config", "set", "reminder_days", "soon")
    assert result.exit_code == 1
    assert result.stderr == ('pcrm: error: "soon" is not a number of days from 0 to 366 (e.g. 7)\n')
    assert dump(db_path) == before


# -- deals needing attention ----------------------------------------------------------------


def test_deals_without_a_follow_up_or_stale_or_past_close_need_attention(ok):
    ok("contact", "add", "Ada")
    old = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)
    ok("deal", "add", "Old deal", "--value", "1000", "--stage", "Proposal", now=old)
    ok("deal", "add", "Late deal", "--value", "2000", "--close", "2026-11-20")
    ok("deal", "add", "Fresh deal", "--value", "3000", "--contact", "ada")
    ok("follow-up", "ada", "Send the quote", "--deal", "Fresh deal", "--due", "fri")
    ok("follow-up", "ada", "Chase", "--deal", "Late deal", "--due", "fri")
    assert section(ok("agenda"), "deals") == [
        [
            "2026-10-01",
            "idle 53 days",
            "Old deal",
            "Proposal: stale (limit 14 days), no follow-up",
            "deal 1",
        ],
        [
            "2026-11-23",
            "idle 0 days",
            "Late deal",
            "Qualified: past expected close (2026-11-20)",
            "deal 2",
        ],
    ]
    ok("deal", "won", "Old deal")
    assert [row[2] for row in section(ok("agenda"), "deals")] == ["Late deal"]


# -- output forms ----------------------------------------------------------------------------


def busy_day(ok) -> None:
    ok("contact", "add", "Ada Lovelace", "--birthday", "1985-11-25")
    ok("contact", "add", "Grace Hopper")
    ok("log", "grace", "Coffee", "--at", "2026-10-01 12:00")
    ok("contact", "edit", "grace", "--every", "30d")
    ok("follow-up", "ada", "Send the quote", "--due", "2026-11-20")
    ok("follow-up", "ada", "Weekly sync", "--due", "today 15:00", "--every", "weekly")
    ok("follow-up", "grace", "Check in", "--due", "2026-11-27")


BUSY_CRON = """\
pcrm agenda for Monday 23 November 2026

Overdue (1)
3 days overdue  Fri 20 Nov  Send the quote  Ada Lovelace  follow-up 1

Today (1)
today 15:00  Mon 23 Nov  Weekly sync  Ada Lovelace  follow-up 2

Upcoming, next 7 days (1)
in 4 days  Fri 27 Nov  Check in  Grace Hopper  follow-up 3

Stay in touch (1)
due 3 weeks ago  Sat 31 Oct  Grace Hopper  every 30 days, last 1 month ago  contact 2

Birthdays and anniversaries (1)
in 2 days  Wed 25 Nov  Ada Lovelace  birthday, turns 41  contact 1
"""


def test_the_terminal_agenda_has_headed_sections_at_80_columns(ok):
    busy_day(ok)
    out = ok("agenda", terminal=True, width=80)
    assert out.splitlines()[:5] == [
        "Overdue (1)",
        "3 days overdue  Send the quote  Ada Lovelace  follow-up 1",
        "",
        "Today (1)",
        "today 15:00  Weekly sync  Ada Lovelace  follow-up 2",
    ]
    assert max(len(line) for line in out.splitlines()) <= 80
    wide = ok("agenda", terminal=True, width=120)
    assert "3 days overdue  Fri 20 Nov  Send the quote  Ada Lovelace  follow-up 1" in wide


def test_cron_output_is_plain_stable_text_and_silent_with_only_upcoming_tasks(ok):
    busy_day(ok)
    assert ok("agenda", "--cron") == BUSY_CRON
    assert ok("agenda", "--cron", terminal=True) == ok("agenda", "--cron")
    # Once everything due is dealt with, the follow-up three days out alone sends no mail.
    for task in ("1", "2"):
        ok("task", "done", task)
    ok("log", "grace", "Call", "--kind", "call")
    ok("contact", "edit", "ada", "--birthday", "")
    assert ok("agenda", "--cron") == ""
    assert section(ok("agenda"), "upcoming")[0][2] == "Check in"


def test_agenda_json_holds_every_section(ok):
    busy_day(ok)
    data = json.loads(ok("agenda", "--json"))
    assert data["today"] == "2026-11-23"
    assert [task["title"] for task in data["overdue"]] == ["Send the quote"]
    assert data["stay_in_touch"][0]["contact"]["name"] == "Grace Hopper"
    assert data["occasions"][0] == {
        "contact": {"kind": "contact", "id": 1, "name": "Ada Lovelace"},
        "kind": "birthday",
        "date": "1985-11-25",
        "on": "2026-11-25",
        "years": 41,
    }


def test_untrusted_names_stay_text_in_the_agenda(ok):
    ok("contact", "add", "[bold]Eve\x1b[31m")
    ok("follow-up", "eve", "Call [red]now[/red]", "--due", "today")
    out = ok("agenda", terminal=True)
    assert "Call [red]now[/red]" in out
    assert "\x1b[31m" not in out
    assert "[bold]Eve\\x1b[31m" in ok("agenda", "--cron")


def pcrm_process(db: Path, *args: str, now: str | None = None) -> subprocess.CompletedProcess:
    """pcrm as cron runs it: no terminal, no HOME, no TZ, only PATH and the database (and,
    for exact text, the clock pinned through PCRM_NOW)."""
    bin_dir = Path(sys.executable).parent
    env = {"PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}", "PCRM_DB": str(db)}
    if now:
        env["PCRM_NOW"] = now
    return subprocess.run(
        ["pcrm", *args], env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL
    )


def test_cron_as_a_process_with_a_bare_environment(ok, db_path):
    ok("config", "set", "reminder_days", "7")  # a database with nothing due in it
    clean_day = pcrm_process(db_path, "agenda", "--cron")
    assert (clean_day.returncode, clean_day.stdout, clean_day.stderr) == (0, "", "")
    busy_day(ok)
    busy = pcrm_process(db_path, "agenda", "--cron", now="2026-11-23T10:00:00Z")
    assert busy.returncode == 0, busy.stderr
    assert busy.stderr == ""
    # Without TZ the machine's zone (UTC on CI) shows the time written in Berlin, 15:00, as
    # 14:00; the days are the same: 10:00 UTC is far from midnight in both zones.
    assert busy.stdout == BUSY_CRON.replace("today 15:00", "today 14:00")


def test_a_long_section_shows_its_first_follow_ups_and_counts_the_rest(ok, monkeypatch):
    from pcrm.core.activity import agenda

    monkeypatch.setattr(agenda, "SECTION_LIMIT", 2)
    ok("contact", "add", "Ada")
    for day in ("2026-11-18", "2026-11-19", "2026-11-20", "2026-11-21"):
        ok("follow-up", "ada", f"Due {day}", "--due", day)
    assert section(ok("agenda"), "overdue") == [
        ["2026-11-18", "5 days overdue", "Due 2026-11-18", "Ada", "follow-up 1"],
        ["2026-11-19", "4 days overdue", "Due 2026-11-19", "Ada", "follow-up 2"],
        ["", "", "… and 2 more", "pcrm follow-up list --overdue", ""],
    ]
    out = ok("agenda", terminal=True, width=80)
    assert out.splitlines()[0] == "Overdue (4)"
    assert out.splitlines()[3].split() == [
        "…",
        "and",
        "2",
        "more",
        "pcrm",
        "follow-up",
        "list",
        "--overdue",
    ]


def test_cadence_and_anniversary_survive_export_and_import(ok, cli, tmp_path):
    ok("contact", "add", "Ada Lovelace", "-e", "ada@example.org")
    ok("contact", "edit", "ada", "--every", "6w", "--anniversary", "2016-11-25")
    exported = tmp_path / "contacts.csv"
    ok("export", "contacts", "-o", str(exported))
    other = tmp_path / "other.db"
    result = cli("--db", str(other), "import", "contacts", str(exported), "--preset", "pcrm")
    assert result.exit_code == 0, result.stderr
    shown = json.loads(ok("--db", str(other), "contact", "show", "ada", "--json"))["contact"]
    assert (shown["anniversary"], shown["cadence_days"]) == ("2016-11-25", 42)
    # A user's own file may give the cadence as a bare number of days.
    mine = tmp_path / "mine.csv"
    mine.write_text("Name,E-mail,Every\nGrace,grace@example.org,30\n", encoding="utf-8")
    mapped = cli(
        "--db", str(other), "import", "contacts", str(mine), "--map", "Name=name",
        "--map", "E-mail=email", "--map", "Every=cadence",
    )  # fmt: skip
    assert mapped.exit_code == 0, mapped.stderr
    grace = json.loads(ok("--db", str(other), "contact", "show", "grace", "--json"))["contact"]
    assert grace["cadence_days"] == 30


def test_contact_add_takes_the_cadence_and_anniversary_too(ok, cli, db_path):
    ok("contact", "add", "Grace", "--every", "2w", "--anniversary", "12 Jun 2015")
    shown = json.loads(ok("contact", "show", "grace", "--json"))["contact"]
    assert (shown["cadence_days"], shown["anniversary"]) == (14, "2015-06-12")
    before = dump(db_path)
    result = cli("contact", "add", "Alan", "--every", "0d")
    assert result.exit_code == 1
    assert result.stderr.startswith('pcrm: error: cadence "0d" must be at least one day')
    assert dump(db_path) == before
