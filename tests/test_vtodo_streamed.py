"""A follow-up's .ics file in a vdir (`pcrm vdir export`) is written by formats/contentline.py
(issue 18's writer, 20x cheaper than icalendar's objects). Its content lines are exactly
those of icalendar's own calendar of the follow-up (the code before, kept here as the
reference); only the folding of long lines differs (ours fills each line to RFC 5545's
75 octets, icalendar 7 stops at 74), so a long line's file is rewritten once after an
upgrade. Generated follow-ups with awkward text, every rule, timed and all-day, in three
zones."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st
from icalendar import Calendar, vRecur
from icalendar import Todo as VTodo

from pcrm.core.activity.tasks import Task
from pcrm.dates import from_iso, local_zone_name
from pcrm.formats.ics import PRODID, task_description, without_controls
from pcrm.formats.vtodo import read_todo, todo_file
from test_export_streamed import SETTINGS, assert_folded, monkeypatch_tz, tasks

__all__ = ["monkeypatch_tz"]  # the fixture, imported for this module's tests


def library_todo(task: Task) -> str:
    """The follow-up's file as icalendar wrote it (formats/vtodo.py before)."""
    zone_name = local_zone_name()
    zone = ZoneInfo(zone_name) if zone_name else UTC
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    todo = VTodo()
    todo.add("uid", task.uid)
    todo.add("dtstamp", from_iso(task.updated_at))
    todo.add("created", from_iso(task.created_at))
    todo.add("last-modified", from_iso(task.updated_at))
    todo.add("summary", without_controls(task.title))
    todo.add("description", task_description(task))
    todo.add("status", "NEEDS-ACTION")
    due: date | datetime = (
        from_iso(task.due_at).astimezone(zone) if task.due_at else date.fromisoformat(task.due_date)
    )
    todo.add("due", due)
    if task.rrule:
        start = date.fromisoformat(task.series_start or task.due_date)
        todo.add(
            "dtstart", datetime.combine(start, due.timetz()) if isinstance(due, datetime) else start
        )
        todo.add("rrule", vRecur.from_ical(task.rrule))
    calendar.add_component(todo)
    calendar.add_missing_timezones()
    return calendar.to_ical().decode("utf-8")


def unfold(text: str) -> list[str]:
    return text.replace("\r\n ", "").split("\r\n")


@SETTINGS
@given(tasks(), st.sampled_from(["Europe/Berlin", "UTC", "America/New_York"]))
def test_a_to_do_file_has_the_lines_icalendar_writes(monkeypatch_tz, task: Task, zone: str) -> None:
    monkeypatch_tz(zone)
    ours = todo_file(task)
    assert unfold(ours) == unfold(library_todo(task))
    assert_folded(ours)
    back = read_todo(ours)
    assert (back.uid, back.due_at, back.rrule is None) == (task.uid, task.due_at, not task.rrule)
    if not task.due_at:
        assert back.due_date == task.due_date


def test_vtimezone_only_for_a_to_do_with_a_time(monkeypatch_tz) -> None:
    monkeypatch_tz("Europe/Berlin")
    day = Task(id=1, uid="u1", title="Call back", contact=None, deal=None, company=None,
               due_date="2026-12-10", due_at=None, rrule=None, series_start=None, repeat=None,
               status="open", bucket="upcoming", done_at=None,
               created_at="2026-12-01T10:00:00Z", updated_at="2026-12-01T10:00:00Z")  # fmt: skip
    timed = replace(day, due_at="2026-12-10T08:30:00Z")
    assert "BEGIN:VTIMEZONE\r\nTZID:Europe/Berlin\r\n" in todo_file(timed)
    assert "DUE;TZID=Europe/Berlin:20261210T093000\r\n" in todo_file(timed)
    assert "VTIMEZONE" not in todo_file(day)
    monkeypatch_tz("UTC")
    assert "VTIMEZONE" not in todo_file(timed)
    assert "DUE:20261210T083000Z\r\n" in todo_file(timed)
