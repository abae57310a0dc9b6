"""`pcrm export agenda --format ics`: open follow-ups as an iCalendar file, read back with the
icalendar library: UIDs, all-day and timed events in the local zone, recurrence rules."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from conftest import dump

BERLIN = {"TZ": "Europe/Berlin"}


@pytest.fixture
def ok(cli):
    def invoke(*args: str, **kwargs) -> str:
        result = cli(*args, env=BERLIN, **kwargs)
        assert result.exit_code == 0, result.stderr
        return result.stdout

    return invoke


def events(ics: str) -> dict[str, dict]:
    """UID -> the event's properties that matter here, as Python values."""
    calendar = Calendar.from_ical(ics)
    found = {}
    for event in calendar.walk("VEVENT"):
        rule = event.get("rrule")
        found[str(event["uid"])] = {
            "summary": str(event["summary"]),
            "start": event.decoded("dtstart"),
            "end": event.decoded("dtend"),
            "rrule": rule.to_ical().decode() if rule else None,
        }
    return found


def task_uids(ok) -> dict[str, str]:
    """Task title -> uid, from pcrm's own JSON."""
    return {task["title"]: task["uid"] for task in json.loads(ok("task", "list", "--json"))}


@pytest.fixture
def tasks(ok):
    ok("contact", "add", "Ada Lovelace")
    ok("follow-up", "ada", "Send the quote", "--due", "2026-11-27")
    ok("follow-up", "ada", "Weekly call", "--due", "2026-11-24 09:00", "--every", "weekly")
    ok(
        "follow-up",
        "ada",
        "Three reviews",
        "--due",
        "2026-11-30",
        "--every",
        "FREQ=MONTHLY;COUNT=3",
    )
    ok("follow-up", "ada", "Done already", "--due", "today")
    ok("task", "done", "4")
    return task_uids(ok)


def test_open_follow_ups_become_events_whose_uids_are_the_tasks(ok, tasks):
    found = events(ok("export", "agenda", "--format", "ics"))
    assert set(found) == {tasks["Send the quote"], tasks["Weekly call"], tasks["Three reviews"]}
    quote = found[tasks["Send the quote"]]
    assert quote == {
        "summary": "Send the quote (Ada Lovelace)",
        "start": date(2026, 11, 27),
        "end": date(2026, 11, 28),
        "rrule": None,
    }


def test_a_timed_recurring_follow_up_keeps_its_local_time_through_dst(ok, tasks):
    call = events(ok("export", "agenda"))[tasks["Weekly call"]]
    assert call["start"] == datetime(2026, 11, 24, 9, 0, tzinfo=ZoneInfo("Europe/Berlin"))
    assert call["end"] - call["start"] == timedelta(minutes=30)
    assert call["rrule"] == "FREQ=WEEKLY"
    assert call["start"].tzinfo.key == "Europe/Berlin"  # a named zone: 09:00 in summer too


def test_count_becomes_the_until_of_the_series_last_day(ok, tasks):
    reviews = events(ok("export", "agenda"))[tasks["Three reviews"]]
    assert reviews["start"] == date(2026, 11, 30)
    assert reviews["rrule"] == "FREQ=MONTHLY;UNTIL=20270130"


def test_a_snoozed_occurrence_is_its_own_event_and_the_series_goes_on(ok, tasks):
    ok("task", "snooze", "2", "2026-11-26 11:00")  # a Thursday: not a day of the rule
    found = events(ok("export", "agenda"))
    uid = tasks["Weekly call"]
    assert found[uid]["rrule"] is None
    assert found[uid]["start"].date() == date(2026, 11, 26)
    series = found[uid + "-series"]
    assert (series["start"].date(), series["rrule"]) == (date(2026, 12, 1), "FREQ=WEEKLY")


def test_the_uids_are_stable_from_one_export_to_the_next(ok, tasks, tmp_path):
    target = tmp_path / "pcrm.ics"
    assert ok("export", "agenda", "-o", str(target)) == ""  # the count goes to stderr
    first = events(target.read_text())
    ok("follow-up", "ada", "Another", "--due", "2026-12-03")
    again = ok("export", "agenda", "-o", str(target), "--force")
    assert again == ""
    second = events(target.read_text())
    assert set(first) < set(second)
    assert {uid: first[uid] for uid in first} == {uid: second[uid] for uid in first}


def test_untrusted_text_is_escaped_and_control_characters_dropped(ok):
    ok("contact", "add", "Eve; \x1b[31mRed, Team")
    ok("follow-up", "eve", "Line one\nline two, with \\ and ;", "--due", "2026-11-30")
    ics = ok("export", "agenda")
    assert "\x1b" not in ics
    (event,) = events(ics).values()
    assert event["summary"] == "Line one line two, with \\ and ; (Eve; [31mRed, Team)"


def test_an_empty_agenda_is_a_valid_empty_calendar(ok):
    ok("contact", "add", "Ada")
    calendar = Calendar.from_ical(ok("export", "agenda"))
    assert calendar["prodid"] == "-//pcrm//follow-ups//EN"
    assert calendar.walk("VEVENT") == []


def test_bad_format_or_unwritable_file_is_one_error_line(cli, db_path, tmp_path):
    cli("contact", "add", "Ada")
    before = dump(db_path)
    result = cli("export", "agenda", "--format", "csv")
    assert (result.exit_code, result.stderr) == (
        1,
        'pcrm: error: unknown agenda format "csv" (use --format ics)\n',
    )
    result = cli("export", "agenda", "-o", str(tmp_path / "missing" / "pcrm.ics"))
    assert result.exit_code == 1
    assert result.stderr.startswith(f"pcrm: error: cannot write to {tmp_path}/missing: ")
    (tmp_path / "kept.ics").write_text("mine\n")
    result = cli("export", "agenda", "-o", str(tmp_path / "kept.ics"))
    assert (result.exit_code, (tmp_path / "kept.ics").read_text()) == (1, "mine\n")
    assert result.stderr.endswith("already exists (add --force to replace it)\n")
    assert dump(db_path) == before
