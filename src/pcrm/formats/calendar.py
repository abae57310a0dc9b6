"""Reading calendars: an .ics file (a Google, Outlook or Apple export, a meeting
invitation), stdin, or a vdir folder (khal, vdirsyncer) into core's CalendarEvent
(core/activity/capture.py), one per meeting or occurrence within a window.

icalendar reads the files; recurring-ical-events expands recurring meetings (RRULE, RDATE,
EXDATE, moved or cancelled occurrences given by RECURRENCE-ID, and Google's X-WR-TIMEZONE
through x-wr-timezone): no rule is expanded here. Both are imported only when a calendar
is read (start-up matters).

Times: a timed meeting at its start in UTC; a floating time (no zone) read in the local
zone; an all-day meeting at local midnight of its day; a TZID that names no zone pcrm can
find (and has no VTIMEZONE) read in the local zone, with a warning — never UTC silently.

A file that cannot be read never stops the reading: it is said in `problems` (and its
origin is marked incomplete, so nothing of it is taken for gone). Nothing here writes to
the database.
"""

from __future__ import annotations

import os
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, tzinfo
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from pcrm.core.activity.capture import CalendarEvent, MailAddress
from pcrm.core.people.text import normalise_email
from pcrm.dates import local_midnight, local_tz, resolve_imaginary
from pcrm.errors import InvalidInput

if TYPE_CHECKING:
    from icalendar import Calendar, Component

EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)  # "no --since": a first run backfills history
NOT_PEOPLE = frozenset({"ROOM", "RESOURCE"})  # attendees that are rooms or projectors
# Bidirectional overrides and isolates: they reorder what a terminal shows after them.
_BIDI = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


@dataclass(frozen=True)
class RawCalendar:
    """A calendar file's bytes, before they are read."""

    where: str  # how to name it in a warning: the file as given, or "stdin"
    data: bytes
    origin: str | None  # the resolved SOURCE (file or folder) it came from; None for stdin
    named: bool  # given by name (not found in a folder): when unreadable, an error


@dataclass
class CalendarRead:
    """What a run read: the meetings in the window, what could not be read, and the
    origins of which something could not be read (nothing of them is taken for gone)."""

    events: list[CalendarEvent] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    incomplete: set[str] = field(default_factory=set)
    # UIDs whose meetings could not all be read, by origin: none of them is taken for gone
    unreadable_uids: dict[str, set[str]] = field(default_factory=dict)
    files: dict[str, int] = field(default_factory=dict)  # origin -> calendar files read


def read_raw(paths: list[Path], stdin: IO[bytes] | None) -> Iterator[RawCalendar]:
    """The calendar files of the SOURCEs: a file, a folder walked recursively (its *.ics
    files; hidden entries such as vdirsyncer's status folders skipped), or stdin."""
    if stdin is not None:
        data = stdin.read()
        if not data.strip():
            raise InvalidInput(
                "no calendar on stdin", hint="pipe an .ics in, or give a FILE or DIR"
            )
        yield RawCalendar("stdin", data, None, True)
    for path in paths:
        origin = str(path.resolve())
        if path.is_dir():
            for file in _walk(path):
                try:
                    data = file.read_bytes()
                except OSError:  # gone since the listing (a sync running): read next time
                    continue
                yield RawCalendar(str(file), data, origin, False)
        else:
            yield RawCalendar(str(path), path.read_bytes(), origin, True)


def _walk(folder: Path) -> Iterator[Path]:
    """*.ics files under `folder`, in name order, hidden files and folders left out."""
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(name for name in dirs if not name.startswith("."))
        for name in sorted(files):
            if not name.startswith(".") and name.lower().endswith(".ics"):
                yield Path(root) / name


def read_calendars(
    raws: Iterator[RawCalendar], since: datetime | None, until: datetime
) -> CalendarRead:
    """Every meeting (each occurrence of a recurring one) that starts from `since` (None:
    no limit) until before `until`."""
    found = CalendarRead()
    for raw in raws:
        if raw.origin:
            found.files[raw.origin] = found.files.get(raw.origin, 0) + 1
        calendars = _parse(raw)
        if calendars is None:
            if raw.named:
                raise InvalidInput(
                    f"{raw.where} is not an iCalendar file (no readable VCALENDAR)",
                    hint="give an .ics file, or a folder of them",
                )
            found.problems.append(f"{raw.where}: not an iCalendar file; skipped")
            if raw.origin:
                found.incomplete.add(raw.origin)
            continue
        for calendar in calendars:
            _read_calendar(calendar, raw, since, until, found)
    return found


def _parse(raw: RawCalendar) -> list[Calendar] | None:
    import icalendar
    from icalendar import Calendar

    # icalendar keeps the zones it has read (a VTIMEZONE, a Windows name it mapped) for
    # the whole process; started afresh, each file's own VTIMEZONEs apply to it alone.
    icalendar.use_zoneinfo()  # type: ignore[no-untyped-call]  # (it has no annotations)
    try:
        calendars = Calendar.from_ical(raw.data, multiple=True)
    except Exception:  # icalendar raises ValueError and others on junk: not a calendar
        return None
    found = [c for c in calendars if isinstance(c, Calendar) and c.name == "VCALENDAR"]
    bare = [c for c in calendars if c.name == "VEVENT"]
    if bare and not found:  # a VEVENT without its VCALENDAR, as some tools write: wrapped
        wrapper = Calendar()
        for event in bare:
            wrapper.add_component(event)
        found = [wrapper]
    return found or None


def _read_calendar(
    calendar: Calendar,
    raw: RawCalendar,
    since: datetime | None,
    until: datetime,
    found: CalendarRead,
) -> None:
    # recurring-ical-events ships no py.typed marker: Any to mypy.
    import recurring_ical_events  # type: ignore[import-untyped]

    events = list(calendar.walk("VEVENT"))
    method = str(calendar.get("METHOD", "")).upper()
    recurring = {
        str(e.get("UID", ""))
        for e in events
        if any(name in e for name in ("RRULE", "RDATE", "RECURRENCE-ID"))
    }
    for event in [e for e in events if "DTSTART" not in e and _cancelled(e, method)]:
        # A cancellation by UID alone (iTIP's CANCEL needs no DTSTART): it names what it
        # cancels, whatever the window.
        calendar.subcomponents.remove(event)
        meeting = _event(event, raw, method, recurring, found.problems)
        if meeting is not None:
            found.events.append(meeting)
    for event in calendar.walk("VEVENT"):  # only the start matters: a broken end is dropped
        for name in {name for name, _ in event.errors} & _END:
            event.pop(name, None)
    broken = [e for e in calendar.walk("VEVENT") if _errors(e) or "DTSTART" not in e]
    for event in broken:  # left out before expanding, so the rest of the file is read
        summary = _line(str(event.get("SUMMARY", ""))) or "(no title)"
        what = _errors(event) or "no DTSTART"
        found.problems.append(f'{raw.where}: "{summary}": {_line(what)}; skipped')
        if event in calendar.subcomponents:
            calendar.subcomponents.remove(event)
        if raw.origin:
            found.unreadable_uids.setdefault(raw.origin, set()).add(str(event.get("UID", "")))
    start = since or EARLIEST
    try:
        occurrences = list(recurring_ical_events.of(calendar).between(start, until))
    except Exception as error:  # a series the library cannot expand: the file is left out
        found.problems.append(
            f"{raw.where}: a recurring meeting could not be expanded"
            f" ({type(error).__name__}: {error}); file skipped"
        )
        if raw.origin:
            found.incomplete.add(raw.origin)
        return
    # recurring-ical-events drops the TZID of an occurrence: which zones were not found is
    # read from the meetings themselves.
    unknown: dict[str, str] = {}
    for event in calendar.walk("VEVENT"):
        dtstart: Any = event["DTSTART"]
        value = dtstart.dt
        if "TZID" in dtstart.params and isinstance(value, datetime) and not value.tzinfo:
            unknown[str(event.get("UID", ""))] = str(dtstart.params["TZID"])
    for uid, zone in sorted(unknown.items()):
        summary = next(
            (_line(str(e.get("SUMMARY", ""))) for e in events if str(e.get("UID", "")) == uid), ""
        )
        found.problems.append(
            f'{raw.where}: "{summary or "(no title)"}": unknown time zone "{zone}";'
            f" read in the local zone ({_local_name()})"
        )
    for occurrence in occurrences:
        meeting = _event(occurrence, raw, method, recurring, found.problems)
        if meeting is not None and (since is None or meeting.at >= since) and meeting.at < until:
            found.events.append(meeting)


# The properties a meeting's time and recurrence are read from: one of them broken and the
# meeting is left out (a broken DESCRIPTION or LAST-MODIFIED does not matter here).
_WHEN = frozenset({"DTSTART", "RRULE", "RDATE", "EXDATE", "RECURRENCE-ID"})
_END = frozenset({"DTEND", "DURATION"})


def _errors(event: Component) -> str:
    """What cannot be read of a meeting's time: "DTSTART: Expected time, got: x"."""
    return "; ".join(f"{name}: {error}" for name, error in event.errors if name in _WHEN)


def _cancelled(event: Component, method: str) -> bool:
    return method == "CANCEL" or str(event.get("STATUS", "")).upper() == "CANCELLED"


def _event(
    occurrence: Component,
    raw: RawCalendar,
    method: str,
    recurring: set[str],
    problems: list[str],
) -> CalendarEvent | None:
    uid = str(occurrence.get("UID", "")).strip()
    summary = _line(str(occurrence.get("SUMMARY", ""))) or "(no title)"
    if not uid:
        problems.append(f'{raw.where}: "{summary}" has no UID; skipped')
        return None
    start: Any = occurrence.get("DTSTART") or occurrence.get("RECURRENCE-ID")
    if start is None:  # a cancellation by UID alone
        at = EARLIEST
    elif not isinstance(start.dt, date):  # a DTSTART that is a period or a duration
        problems.append(f'{raw.where}: "{summary}": DTSTART is not a date or time; skipped')
        return None
    else:
        at = _moment(start.dt)
    external_id = uid
    rid: Any = occurrence.get("RECURRENCE-ID")
    if uid in recurring and (rid is not None or start is not None):
        external_id = f"{uid}/{_rid((rid if rid is not None else start).dt)}"
    location = _line(", ".join(str(occurrence.get("LOCATION", "")).splitlines()))
    return CalendarEvent(
        where=raw.where,
        uid=uid,
        external_id=external_id,
        at=at,
        summary=summary,
        location=location,
        people=_people(occurrence),
        cancelled=_cancelled(occurrence, method),
        origin=raw.origin,
    )


def _moment(value: date | datetime) -> datetime:
    """A DTSTART in UTC: all-day at local midnight, floating in the local zone."""
    if not isinstance(value, datetime):
        return local_midnight(value).astimezone(UTC)
    if value.tzinfo is None:
        value = resolve_imaginary(value.replace(tzinfo=local_tz()))
    return value.astimezone(UTC)


def _rid(value: date | datetime) -> str:
    """A RECURRENCE-ID as it names an occurrence: the date of an all-day one
    (20261207), the UTC time of a timed one (20261207T100000Z), a floating one as
    written (20261207T100000)."""
    if not isinstance(value, datetime):
        return value.strftime("%Y%m%d")
    if value.tzinfo is None:
        return value.strftime("%Y%m%dT%H%M%S")
    return value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _local_name() -> str:
    from pcrm.dates import local_zone_name

    zone: tzinfo = local_tz()
    return local_zone_name() or str(zone)


def _people(event: Component) -> list[MailAddress]:
    """ORGANIZER and ATTENDEEs with a mailto: address, lower case, rooms and resources
    and attendees who declined left out."""
    found: dict[str, MailAddress] = {}
    entries: list[tuple[Any, bool]] = []
    organizer = event.get("ORGANIZER")
    if organizer is not None:
        entries.append((organizer, True))
    attendees = event.get("ATTENDEE", [])
    if not isinstance(attendees, list):
        attendees = [attendees]
    entries.extend((attendee, False) for attendee in attendees)
    for value, is_organizer in entries:
        params = getattr(value, "params", {})
        if not is_organizer and str(params.get("PARTSTAT", "")).upper() == "DECLINED":
            continue
        if str(params.get("CUTYPE", "")).upper() in NOT_PEOPLE:
            continue
        text = "".join(str(value).split())  # no address has spaces: a line folded badly
        if not text.lower().startswith("mailto:"):
            continue
        try:
            email = normalise_email(text[len("mailto:") :])
        except InvalidInput:
            continue
        found.setdefault(email, MailAddress(email, _line(str(params.get("CN", "")).strip('"'))))
    return list(found.values())


def _line(text: str) -> str:
    """One line of text: control characters and runs of white space made one space."""
    kept = "".join(" " if unicodedata.category(c) == "Cc" or c in _BIDI else c for c in text)
    return " ".join(kept.split())
