"""Open follow-ups as an iCalendar file (RFC 5545), streamed event by event by
formats/contentline.py; icalendar gives the VTIMEZONE and the RRULE's canonical form.

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
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING, TextIO
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr

from pcrm.dates import from_iso, local_tz, local_zone_name
from pcrm.formats.contentline import fold, param, text

if TYPE_CHECKING:
    from pcrm.core.activity.tasks import Task

TIMED_LENGTH = timedelta(minutes=30)
PRODID = "-//pcrm//follow-ups//EN"
SERIES_SUFFIX = "-series"
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")  # iCalendar TEXT may not hold these


def write_agenda(
    stream: TextIO, tasks: Iterable[Task], now: datetime, *, timed: bool = True
) -> int:
    """Write the open follow-ups as an .ics file, event by event as the tasks come;
    returns how many tasks. `timed`: some task has a time of day, so the calendar needs
    the local zone's VTIMEZONE (written before the events, from icalendar, once)."""
    zone = local_zone() if timed else None  # all-day events name no zone
    stream.write(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"
        + fold("PRODID:" + text(PRODID))
        + "CALSCALE:GREGORIAN\r\nX-WR-CALNAME:pcrm follow-ups\r\n"
    )
    if zone is not None:
        stream.write(vtimezone(zone))
    stamp = utc(now)
    count = 0
    for count, task in enumerate(tasks, start=1):  # noqa: B007 (the last is the total)
        for uid, day, rule in _events(task):
            stream.write(_event(task, uid, day, rule, stamp, zone))
    stream.write("END:VCALENDAR\r\n")
    return count


def local_zone() -> ZoneInfo | None:
    """The local zone events with a time are written in; None: UTC (times end in Z, no
    VTIMEZONE), when the zone is unnamed or one of UTC's names, as icalendar decides."""
    from icalendar.timezone import tzid_from_tzinfo

    zone_name = local_zone_name()
    zone = ZoneInfo(zone_name) if zone_name else None
    return None if zone is None or tzid_from_tzinfo(zone) == "UTC" else zone


@lru_cache(maxsize=4)
def vtimezone(zone: ZoneInfo) -> str:
    """The zone's VTIMEZONE as icalendar writes it for a calendar that uses it."""
    from icalendar import Calendar, Event

    calendar = Calendar()
    event = Event()
    event.add("dtstart", datetime(2000, 1, 1, tzinfo=zone))
    calendar.add_component(event)
    calendar.add_missing_timezones()
    ical: bytes = calendar.timezones[0].to_ical()
    return ical.decode("utf-8")


def _events(task: Task) -> list[tuple[str, date, str | None]]:
    """(UID, first day, RRULE) of the task's events: one, or two when a recurring task was
    snoozed off its rule."""
    due = date.fromisoformat(task.due_date)
    if not task.rrule:
        return [(task.uid, due, None)]
    start = date.fromisoformat(task.series_start or task.due_date)
    rule = _rule_from(task.rrule, start, task.due_at is not None)
    if _occurs_on(task.rrule, start, due):
        return [(task.uid, due, rule)]
    # Snoozed off the rule: this occurrence alone, then the series from its next day.
    events: list[tuple[str, date, str | None]] = [(task.uid, due, None)]
    after = rrulestr(task.rrule, dtstart=_midnight(start)).after(_midnight(due))
    if after is not None:
        events.append((task.uid + SERIES_SUFFIX, after.date(), rule))
    return events


def _event(
    task: Task, uid: str, day: date, rule: str | None, stamp: str, zone: ZoneInfo | None
) -> str:
    """One VEVENT, its properties in icalendar's order."""
    lines = ["SUMMARY:" + text(_summary(task))]
    if task.due_at:
        clock = from_iso(task.due_at).astimezone(zone or UTC).time()
        start = datetime.combine(day, clock, tzinfo=zone or UTC)
        lines += [moment("DTSTART", start, zone), moment("DTEND", start + TIMED_LENGTH, zone)]
    else:
        lines.append(f"DTSTART;VALUE=DATE:{day:%Y%m%d}")
        lines.append(f"DTEND;VALUE=DATE:{day + timedelta(days=1):%Y%m%d}")
    lines += ["DTSTAMP:" + stamp, "UID:" + text(uid)]
    if rule:
        lines.append("RRULE:" + recur(rule))
    lines.append("CREATED:" + utc(from_iso(task.created_at)))
    lines.append("DESCRIPTION:" + text(task_description(task)))
    lines.append("LAST-MODIFIED:" + utc(from_iso(task.updated_at)))
    return "BEGIN:VEVENT\r\n" + "".join(map(fold, lines)) + "END:VEVENT\r\n"


def moment(name: str, moment: datetime, zone: ZoneInfo | None) -> str:
    if zone is None:
        return f"{name}:{moment:%Y%m%dT%H%M%S}Z"
    return f"{name};TZID={param(zone.key)}:{moment:%Y%m%dT%H%M%S}"


def utc(moment: datetime) -> str:
    return f"{moment.astimezone(UTC):%Y%m%dT%H%M%SZ}"


@lru_cache(maxsize=256)
def recur(rule: str) -> str:
    """RRULE's value as icalendar writes it (its order of parts); rules repeat, so the
    few distinct ones are parsed once."""
    from icalendar import vRecur

    value: bytes = vRecur.from_ical(rule).to_ical()
    return value.decode("ascii")


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


def without_controls(value: str) -> str:
    """Text for a calendar property: control characters (terminal escapes) left out."""
    return _CONTROLS.sub("", value)


def _summary(task: Task) -> str:
    who = [link.name for link in (task.contact, task.company) if link]
    return without_controls(f"{task.title} ({', '.join(who)})" if who else task.title)


def task_description(task: Task) -> str:
    """What a follow-up's event or to-do says besides its title: who, and its pcrm id."""
    links = (("With", task.contact), ("Company", task.company), ("Deal", task.deal))
    lines = [f"{label}: {link.name}" for label, link in links if link]
    lines.append(f"pcrm follow-up {task.id}" + (f", {task.repeat}" if task.repeat else ""))
    return without_controls("\n".join(lines))
