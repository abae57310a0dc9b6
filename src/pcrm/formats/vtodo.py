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

from pcrm.dates import from_iso, to_iso
from pcrm.errors import InvalidInput
from pcrm.formats.contentline import fold, text
from pcrm.formats.ics import (
    PRODID,
    local_zone,
    moment,
    recur,
    task_description,
    utc,
    vtimezone,
    without_controls,
)

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
    """The follow-up as the text of a .ics file (CRLF line ends), written by
    formats/contentline.py in icalendar's layout (properties by name, VTIMEZONE before the
    VTODO when DUE has a time): the content lines icalendar's own calendar of it gives,
    folded at RFC 5545's 75 octets (tests/test_vtodo_streamed.py), at a seventh of the cost."""
    zone = local_zone()
    lines = [
        "CREATED:" + utc(from_iso(task.created_at)),
        "DESCRIPTION:" + text(task_description(task)),
        "DTSTAMP:" + utc(from_iso(task.updated_at)),
    ]
    if task.due_at:
        due = from_iso(task.due_at).astimezone(zone or UTC)
        if task.rrule:
            start = date.fromisoformat(task.series_start or task.due_date)
            lines.append(moment("DTSTART", datetime.combine(start, due.timetz()), zone))
        lines.append(moment("DUE", due, zone))
    else:
        if task.rrule:
            start = date.fromisoformat(task.series_start or task.due_date)
            lines.append(f"DTSTART;VALUE=DATE:{start:%Y%m%d}")
        lines.append(f"DUE;VALUE=DATE:{date.fromisoformat(task.due_date):%Y%m%d}")
    lines.append("LAST-MODIFIED:" + utc(from_iso(task.updated_at)))
    if task.rrule:
        lines.append("RRULE:" + recur(task.rrule))
    lines.append("STATUS:NEEDS-ACTION")
    lines.append("SUMMARY:" + text(without_controls(task.title)))
    lines.append("UID:" + text(task.uid))
    head = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n" + fold("PRODID:" + text(PRODID))
    if task.due_at and zone is not None:
        head += vtimezone(zone)
    todo = "BEGIN:VTODO\r\n" + "".join(map(fold, lines)) + "END:VTODO\r\n"
    return head + todo + "END:VCALENDAR\r\n"


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
