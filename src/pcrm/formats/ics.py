"""Open follow-ups as an iCalendar file (RFC 5545), written by the icalendar library.

One VEVENT per open task, its UID the task's uid, so a calendar that subscribes to the file
updates an event instead of adding a copy. A follow-up with only a day is an all-day event;
one with a time lasts half an hour in the local zone (TZID plus VTIMEZONE), so a weekly
09:00 call stays at 09:00 across daylight-saving changes. A recurring task carries its RRULE
from its current occurrence on; COUNT becomes the UNTIL of the series' last day, because the
count runs from the series' start. A snoozed occurrence that the rule would not produce is
an event of its own, and the series goes on in a second one whose UID ends in "-series".
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr

from pcrm.dates import from_iso, local_tz, local_zone_name

if TYPE_CHECKING:
    from icalendar import Event

    from pcrm.core.activity.tasks import Task

TIMED_LENGTH = timedelta(minutes=30)
PRODID = "-//pcrm//follow-ups//EN"
SERIES_SUFFIX = "-series"
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")  # iCalendar TEXT may not hold these


def agenda_calendar(tasks: list[Task], now: datetime) -> bytes:
    """The open follow-ups as an .ics file's bytes."""
    from icalendar import Calendar

    zone_name = local_zone_name()
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", "pcrm follow-ups")
    for task in tasks:
        for event in _events(task, now, ZoneInfo(zone_name) if zone_name else None):
            calendar.add_component(event)
    calendar.add_missing_timezones()
    ical: bytes = calendar.to_ical()  # icalendar leaves to_ical() unannotated
    return ical


def _events(task: Task, now: datetime, zone: ZoneInfo | None) -> list[Event]:
    due = date.fromisoformat(task.due_date)
    if not task.rrule:
        return [_event(task, task.uid, due, None, now, zone)]
    start = date.fromisoformat(task.series_start or task.due_date)
    if _occurs_on(task.rrule, start, due):
        return [
            _event(
                task,
                task.uid,
                due,
                _rule_from(task.rrule, start, task.due_at is not None),
                now,
                zone,
            )
        ]
    # Snoozed off the rule: this occurrence alone, then the series from its next day.
    events = [_event(task, task.uid, due, None, now, zone)]
    after = rrulestr(task.rrule, dtstart=_midnight(start)).after(_midnight(due))
    if after is not None:
        rule = _rule_from(task.rrule, start, task.due_at is not None)
        events.append(_event(task, task.uid + SERIES_SUFFIX, after.date(), rule, now, zone))
    return events


def _event(
    task: Task, uid: str, day: date, rule: str | None, now: datetime, zone: ZoneInfo | None
) -> Event:
    from icalendar import Event, vRecur

    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", now.astimezone(UTC))
    event.add("summary", _summary(task))
    event.add("description", _description(task))
    if task.due_at:
        clock = from_iso(task.due_at).astimezone(zone or UTC).time()
        start = datetime.combine(day, clock, tzinfo=zone or UTC)
        event.add("dtstart", start)
        event.add("dtend", start + TIMED_LENGTH)
    else:
        event.add("dtstart", day)
        event.add("dtend", day + timedelta(days=1))
    if rule:
        event.add("rrule", vRecur.from_ical(rule))
    event.add("created", from_iso(task.created_at))
    event.add("last-modified", from_iso(task.updated_at))
    return event


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time())


def _occurs_on(rule: str, start: date, day: date) -> bool:
    moment = _midnight(day)
    return bool(rrulestr(rule, dtstart=_midnight(start)).between(moment, moment, inc=True))


def _rule_from(rule: str, start: date, timed: bool) -> str:
    """The rule as it reads from the current occurrence on: COUNT becomes UNTIL (the
    series' last day, since the count ran from the series' start), and for events with a
    time UNTIL is the UTC instant ending that local day, as RFC 5545 wants UNTIL in
    DTSTART's type."""
    parts = dict(part.partition("=")[::2] for part in rule.split(";"))
    if "COUNT" in parts:
        last = list(rrulestr(rule, dtstart=_midnight(start)))[-1].date()
        del parts["COUNT"]
        parts["UNTIL"] = last.strftime("%Y%m%d")
    if "UNTIL" in parts:
        day = datetime.strptime(parts["UNTIL"][:8], "%Y%m%d").date()
        if timed:
            end = datetime.combine(day, time(23, 59, 59), tzinfo=local_tz()).astimezone(UTC)
            parts["UNTIL"] = end.strftime("%Y%m%dT%H%M%SZ")
        else:
            parts["UNTIL"] = day.strftime("%Y%m%d")
    return ";".join(f"{key}={value}" for key, value in parts.items())


def _text(value: str) -> str:
    return _CONTROLS.sub("", value)


def _summary(task: Task) -> str:
    who = [link.name for link in (task.contact, task.company) if link]
    return _text(f"{task.title} ({', '.join(who)})" if who else task.title)


def _description(task: Task) -> str:
    links = (("With", task.contact), ("Company", task.company), ("Deal", task.deal))
    lines = [f"{label}: {link.name}" for label, link in links if link]
    lines.append(f"pcrm follow-up {task.id}" + (f", {task.repeat}" if task.repeat else ""))
    return _text("\n".join(lines))
