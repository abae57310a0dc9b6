"""An open follow-up as a one-item .ics file holding a VTODO (RFC 5545), for a vdir
collection that vdirsyncer carries to a CalDAV server (`pcrm vdir export`), and read back.

A follow-up with only a day has a date-only DUE (VALUE=DATE); one with a time has a DUE in
the local zone (TZID plus its VTIMEZONE), so it stays at its wall-clock time across
daylight-saving changes. A recurring follow-up carries DTSTART (its series' start) and its
RRULE. DTSTAMP is the follow-up's last change, not the time of the export: an unchanged
follow-up gives the same bytes, so its file is not rewritten.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from pcrm.dates import from_iso, local_zone_name, to_iso
from pcrm.errors import InvalidInput
from pcrm.formats.ics import PRODID, task_description, without_controls

if TYPE_CHECKING:
    from pcrm.core.activity.tasks import Task


@dataclass(frozen=True)
class Todo:
    """What pcrm reads back from a VTODO."""

    uid: str
    title: str
    due_date: str  # YYYY-MM-DD, the local day
    due_at: str | None  # UTC ISO instant when the DUE has a time
    rrule: str | None
    completed: bool


def todo_file(task: Task) -> str:
    """The follow-up as the text of a .ics file (CRLF line ends)."""
    from icalendar import Calendar, vRecur
    from icalendar import Todo as VTodo

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
    if task.due_at:
        due: date | datetime = from_iso(task.due_at).astimezone(zone)
    else:
        due = date.fromisoformat(task.due_date)
    todo.add("due", due)
    if task.rrule:
        start = date.fromisoformat(task.series_start or task.due_date)
        if isinstance(due, datetime):
            todo.add("dtstart", datetime.combine(start, due.timetz()))
        else:
            todo.add("dtstart", start)
        todo.add("rrule", vRecur.from_ical(task.rrule))
    calendar.add_component(todo)
    calendar.add_missing_timezones()
    text: str = calendar.to_ical().decode("utf-8")
    return text


def read_todo(text: str) -> Todo:
    """The VTODO of a .ics file; InvalidInput when the file holds none or no DUE."""
    from icalendar import Calendar

    try:
        calendar = Calendar.from_ical(text)
    except ValueError as exc:
        raise InvalidInput(f"not an iCalendar file ({exc})", hint="fix or remove it") from None
    todos = [part for part in calendar.walk("VTODO")]
    if len(todos) != 1:
        raise InvalidInput(
            f"expected one VTODO, found {len(todos)}", hint="one to-do per file, as vdirs hold"
        )
    todo = todos[0]
    uid = str(todo.get("uid", "")).strip()
    due_prop = todo.get("due") or todo.get("dtstart")
    if not uid or due_prop is None:
        raise InvalidInput("the VTODO has no UID or no DUE", hint="fix or remove it")
    due = due_prop.dt
    if isinstance(due, datetime):
        if due.tzinfo is None:  # floating time: the local zone's
            from pcrm.dates import local_tz

            due = due.replace(tzinfo=local_tz())
        from pcrm.dates import to_local

        due_date, due_at = to_local(due).date().isoformat(), to_iso(due)
    else:
        due_date, due_at = due.isoformat(), None
    rule = todo.get("rrule")
    rrule = rule.to_ical().decode("ascii") if rule is not None else None
    status = str(todo.get("status", "")).upper()
    completed = status == "COMPLETED" or todo.get("completed") is not None
    return Todo(uid, str(todo.get("summary", "")).strip(), due_date, due_at, rrule, completed)
