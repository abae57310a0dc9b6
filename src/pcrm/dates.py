"""WHEN parsing and formatting.

Times are stored as UTC ISO-8601 text (`to_iso`/`from_iso`) and shown in the local zone, which is
$TZ when set (read at every call, so tests and cron jobs can change it) else the system's zone.
`parse_when` is total: it returns a `When` or raises `InvalidWhen`, never anything else, and it
never guesses. docs/when.md describes the grammar for users; keep the two in step.
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
import warnings
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any, Literal

from pcrm.errors import InvalidWhen

# dateutil's tz (~8 ms: it loads ctypes and tzdata helpers) and relativedelta (~3 ms, with
# calendar) are imported in the functions that use them: most commands never need them.

MIN_YEAR, MAX_YEAR = 1900, 2200
# People in a CRM can be historical figures or simply old records: birthdays go back further.
BIRTHDAY_MIN_YEAR = 1800
APPLE_NO_YEAR = 1604  # Apple's vCard BDAY year meaning "year unknown" (X-APPLE-OMIT-YEAR=1604)

_HINT = 'try 2024-03-12, tomorrow, fri, +3d, "in 2 weeks"'
_BIRTHDAY_HINT = "try 1985-03-12, 12 Mar 1985, or --03-12 for no year"
_MAX_LEN = 80  # no real date is longer; keeps the regexes below cheap on junk input

_WEEKDAYS: dict[str, int] = {  # the word -> Monday 0 ... Sunday 6, as datetime counts
    name: day
    for day, names in enumerate(
        (
            ("mon", "monday"),
            ("tue", "tues", "tuesday"),
            ("wed", "wednesday"),
            ("thu", "thur", "thurs", "thursday"),
            ("fri", "friday"),
            ("sat", "saturday"),
            ("sun", "sunday"),
        )
    )
    for name in names
}
_UNITS: dict[str, str] = {  # the word the user typed -> relativedelta's keyword
    **dict.fromkeys(("min", "mins", "minute", "minutes"), "minutes"),
    **dict.fromkeys(("h", "hr", "hrs", "hour", "hours"), "hours"),
    **dict.fromkeys(("d", "day", "days"), "days"),
    **dict.fromkeys(("w", "wk", "wks", "week", "weeks"), "weeks"),
    **dict.fromkeys(("m", "mo", "mos", "month", "months"), "months"),
    **dict.fromkeys(("y", "yr", "yrs", "year", "years"), "years"),
}
_CLOCK_UNITS = ("hours", "minutes")
# "eod" (end of day) is today: a day without a time lasts until midnight, as eow and eom do.
_NAMED_DAYS = {"yesterday": -1, "today": 0, "tomorrow": 1, "tmrw": 1, "tmr": 1, "eod": 0}
# The start of the next week (Monday), month or year.
_NEXT_PERIODS = frozenset({"next week", "next month", "next year"})

# Which way a day named without its date points: a weekday, or a day and month without a
# year. "future" (due dates, close dates) is the next one, "past" (what happened: log --at)
# the last one; today counts either way.
Direction = Literal["past", "future"]
# The order of day and month in all-number dates with slashes (the date-order setting).
DATE_ORDERS: dict[str, str] = {
    "dmy": "day/month/year",
    "mdy": "month/day/year",
    "ymd": "year/month/day",
}
# How to find the date-order setting when a slash date needs it: the command line installs
# a lookup of its database file (cli/env.py), so this module needs no database and most
# commands never read the setting. None (or a lookup giving None): no order is set.
date_order_lookup: ContextVar[Callable[[], str | None] | None] = ContextVar(
    "date_order_lookup", default=None
)
# Ends (and starts) of the current week, month and year (_period).
_PERIODS = frozenset({"sow", "eow", "som", "eom", "soy", "eoy"})

_A = re.ASCII  # \d and \s must not match other scripts' digits and spaces


class LazyPattern:
    """A regex compiled when first used: most commands parse no date, and compiling the
    patterns below at import cost ~2.5 ms of every start-up (docs/performance.md). Modules
    on the start-up path (core/people/text.py, phones.py, core/refs.py) use it too."""

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self.pattern, self.flags = pattern, flags

    @functools.cached_property
    def compiled(self) -> re.Pattern[str]:
        return re.compile(self.pattern, self.flags)

    def __getattr__(self, name: str) -> Any:  # fullmatch, match, search, findall
        return getattr(self.compiled, name)


_ISO = LazyPattern(r"\d{4}-?\d{2}-?\d{2}(?P<time>[Tt ].+)?", _A)  # what fromisoformat may take
_ISO_DAY = LazyPattern(r"\d{4}-\d{2}-\d{2}", _A)
_OFFSET = LazyPattern(r"(?P<sign>[+-])? ?(?P<n>\d{1,6}) ?(?P<unit>[a-z]+)", _A)
_IN = LazyPattern(r"in (?P<n>\d{1,6}|an?) ?(?P<unit>[a-z]+)", _A)
_AGO = LazyPattern(r"(?P<n>\d{1,6}|an?) ?(?P<unit>[a-z]+) ago", _A)
_NOW_OFFSET = LazyPattern(r"now ?(?P<offset>[+-].*)", _A)
_WEEKDAY = LazyPattern(r"(?:(?P<which>this|next|last) )?(?P<name>[a-z]+)", _A)
_CLOCK = r"noon|\d{1,2}(?::\d{2}){0,2} ?(?:am|pm)?"
_DAY_AT_CLOCK = LazyPattern(rf"(?:(?P<day>.+?) )??(?:at )?(?P<clock>{_CLOCK})", _A)
_CLOCK_PARTS = LazyPattern(r"(?P<h>\d+)(?::(?P<m>\d+))?(?::(?P<s>\d+))?(?: ?(?P<ampm>am|pm))?", _A)
_NO_YEAR = LazyPattern(r"--(\d{2})-?(\d{2})", _A)  # vCard's birthday without a year
# All-number dates with slashes or dots: 31/12/2027, 12/31, 2027/12/31, 31.12.2027, 31.12.
_NUMERIC = LazyPattern(r"(?P<a>\d+)(?P<sep>[/.])(?P<b>\d+)(?:(?P=sep)(?P<c>\d+))?(?P<end>\.)?", _A)
_MONTH_NAME = LazyPattern(r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)", _A | re.I)
_YEAR4 = LazyPattern(r"\b\d{4}\b", _A)
# All-number dates with dashes that dateutil reads (2024-3-12); slashes and dots are read by
# _numeric_parts. (shape, dateutil's dayfirst, order of the numbers, hint when dateutil
# would have swapped them)
_NUMERIC_DATES = (
    (
        LazyPattern(r"(\d{4})-(\d{1,2})-(\d{1,2})(?: |$)", _A),
        False,
        "ymd",
        "dates with dashes are year-month-day, e.g. 2024-03-12",
    ),
)
# Two defaults for dateutil that differ in every date field and in the hour: whatever comes out
# different between the two runs was not in the text, so dateutil never fills a gap silently.
_DEFAULT_A = datetime(2000, 1, 1)
_DEFAULT_B = datetime(1996, 12, 31, 13)  # both leap years, so "Feb 29" without a year parses


@dataclass(frozen=True)
class When:
    """A parsed WHEN: an aware datetime in the local zone, and whether the user gave a time."""

    moment: datetime  # local midnight when has_time is False (01:00 where DST skips midnight)
    has_time: bool


def local_tz() -> tzinfo:
    """The local zone: $TZ if it names one (read now, not at import), else the system's zone."""
    return _zone_for(os.environ.get("TZ"))


@functools.lru_cache(maxsize=16)
def _zone_for(name: str | None) -> tzinfo:
    # Cached per $TZ value: the agenda converts thousands of times (bench/run.py).
    # The standard library's zoneinfo reads the system's tzdata and costs ~2 ms to import;
    # dateutil's tz (~8 ms, with ctypes) is kept for what zoneinfo cannot read: a POSIX
    # rule in $TZ ("EST5EDT,M3.2.0,M11.1.0"), a path, or a system without tzdata.
    from zoneinfo import ZoneInfo

    key = (name or "").removeprefix(":")
    try:
        if key:
            return ZoneInfo(key)
        with open("/etc/localtime", "rb") as handle:
            return ZoneInfo.from_file(handle, key="localtime")
    except (ValueError, KeyError, OSError):  # ZoneInfoNotFoundError is a KeyError
        pass
    from dateutil import tz

    try:
        zone = tz.gettz(name)
    except (ValueError, OSError):  # a TZ value that is not a zone at all
        zone = None
    return zone or tz.tzlocal()


def local_zone_name() -> str | None:
    """The IANA name of the local zone ("Europe/Berlin"), for formats that name zones
    (iCalendar's TZID); None when only an offset is known (a POSIX $TZ string, no tzdata).
    zoneinfo alone decides: dateutil.tz would add ~9 ms of imports to every cron run, which
    records the zone it ran in."""
    from zoneinfo import ZoneInfo

    candidates = [os.environ.get("TZ", "").lstrip(":")]
    if not candidates[0]:
        try:  # /etc/localtime -> /usr/share/zoneinfo/Europe/Berlin
            target = os.path.realpath("/etc/localtime")
            candidates.append(target.partition("zoneinfo/")[2])
        except OSError:
            pass
    for name in candidates:
        if name and not name.startswith("/"):
            try:
                ZoneInfo(name)
            except (ValueError, KeyError, OSError):
                continue
            return name
    return None


# --- parsing -------------------------------------------------------------------------------


def parse_when(
    text: str, now: datetime, *, direction: Direction = "future", order: str | None = None
) -> When:
    """Parse a WHEN typed by the user or found in an import, relative to the aware `now`.

    `direction` says which way a weekday or a date without a year points; `order` is the
    order of slash dates (a key of DATE_ORDERS), by default the date-order setting."""
    if now.tzinfo is None:
        raise ValueError("parse_when needs an aware `now`")
    zone = local_tz()
    s = " ".join(text.split())
    if not s:
        raise InvalidWhen("no date given", hint=_HINT)
    if len(s) > _MAX_LEN:
        raise _cannot(s)
    try:
        reading = _Reading(direction, order)
        when = (
            _parse_iso(s, zone)
            or _parse_relative(s.lower(), now.astimezone(zone), zone, reading)
            or _parse_exported(s, zone, now.astimezone(zone).date(), reading)
        )
    except (ValueError, OverflowError) as exc:  # e.g. "2024-02-30", "+999999y", "25:00"
        raise _cannot(s) from exc
    if when is None:
        raise _cannot(s)
    if not MIN_YEAR <= when.moment.year <= MAX_YEAR:
        raise InvalidWhen(f'date "{_shown(s)}" is outside the years {MIN_YEAR} to {MAX_YEAR}')
    return when


def parse_day(
    text: str, now: datetime, *, direction: Direction = "future", order: str | None = None
) -> date:
    """Parse a WHEN where only the day matters (due dates, close dates)."""
    return parse_when(text, now, direction=direction, order=order).moment.date()


def current_date_order() -> str | None:
    """The date-order setting ("dmy", "mdy" or "ymd"), or None when it is not set."""
    lookup = date_order_lookup.get()
    order = lookup() if lookup is not None else None
    return order if order in DATE_ORDERS else None


@dataclass
class _Reading:
    """How to read the parts of a WHEN that leave a choice: the direction, and the order of
    slash dates (looked up only when one is met)."""

    direction: Direction
    given_order: str | None

    @functools.cached_property
    def order(self) -> str | None:
        return self.given_order if self.given_order is not None else current_date_order()


def parse_birthday(
    text: str, what: str = "birthday", *, order: str | None = None, today: date | None = None
) -> str:
    """Normalise a yearly date (a birthday, an anniversary) to 'YYYY-MM-DD', or '--MM-DD'
    when the year is unknown. Slash dates are read in `order`, by default the setting's;
    dots are day.month.year. A date-time (`1955-07-19T00:00:00Z`, as KDE and CRMs write
    birthdays) is taken for its date part, as written. A two-digit year (`01.01.99`) is
    the most recent one not after `today`'s year: a birthday is in the past."""
    s = " ".join(text.split())
    if not s:
        raise InvalidWhen(f"no {what} given", hint=_BIRTHDAY_HINT)
    if len(s) > _MAX_LEN:
        raise _birthday(s, what)
    try:
        if m := _NO_YEAR.fullmatch(s):
            return _no_year(int(m[1]), int(m[2]))
        numeric = _NUMERIC.fullmatch(s)
        if numeric and len(numeric["a"]) <= 2 and numeric["c"] and len(numeric["c"]) == 2:
            this_year = (today or date.today()).year
            full = this_year - (this_year - int(numeric["c"])) % 100
            four = f"{numeric['a']}{numeric['sep']}{numeric['b']}{numeric['sep']}{full}"
            try:
                return parse_birthday(four, what, order=order, today=today)
            except InvalidWhen:  # "0/0/00", Outlook's empty date: named as written
                raise _birthday(s, what) from None
        if (m := _ISO.fullmatch(s)) and m["time"] is not None:
            with contextlib.suppress(ValueError):  # not ISO after all: the grammar below
                s = datetime.fromisoformat(s).date().isoformat()
        if numeric:
            year, month, day_of_month = _numeric_parts(
                s, numeric, _Reading("future", order).order, what
            )
            if year is None:
                return _no_year(month, day_of_month)
            day = date(year, month, day_of_month)
        elif (m := _ISO.fullmatch(s)) and m["time"] is None:
            day = date.fromisoformat(s)  # also takes vCard's basic form 19850312
        else:
            parsed = _dateutil(s, what=what)
            if parsed is None or parsed[2]:  # not a date, or a date with a time of day
                raise _birthday(s, what)
            value, has_year, _ = parsed
            if not has_year:
                return _no_year(value.month, value.day)
            day = value.date()
    except ValueError as exc:  # "1985-02-30", "--13-01"
        raise _birthday(s, what) from exc
    if day.year == APPLE_NO_YEAR:
        return _no_year(day.month, day.day)
    if not BIRTHDAY_MIN_YEAR <= day.year <= MAX_YEAR:
        raise InvalidWhen(
            f'{what} "{_shown(s)}" is outside the years {BIRTHDAY_MIN_YEAR} to {MAX_YEAR}'
        )
    return day.isoformat()


def _no_year(month: int, day: int) -> str:
    date(2000, month, day)  # validates; 2000 is a leap year, so 29 Feb is allowed
    return f"--{month:02d}-{day:02d}"


def _parse_iso(s: str, zone: tzinfo) -> When | None:
    """The fast path: exact ISO dates and datetimes, as stored and as most exporters write."""
    m = _ISO.fullmatch(s)
    if m is None:
        return None
    try:
        value = datetime.fromisoformat(s)
    except ValueError:
        return None  # e.g. "2024-03-12 9:15": the grammar below takes it
    if m["time"] is None:
        return _day(value.date(), zone)
    return When(_localise(value, zone), has_time=True)


def _parse_relative(s: str, now: datetime, zone: tzinfo, reading: _Reading) -> When | None:
    """Words and offsets: now, today, fri, next fri, +3d, in 2 weeks, eom, tomorrow 9am..."""
    if s == "now":
        return When(now, has_time=True)
    if m := _NOW_OFFSET.fullmatch(s):  # "now +3d": an offset that keeps the time of day
        offset = _offset(m["offset"])
        return None if offset is None else When(_shift(now, *offset), has_time=True)
    offset = _offset(s)
    if offset is not None and offset[1] in _CLOCK_UNITS:
        return When(_shift(now, *offset), has_time=True)
    day_text, clock = s, None
    if m := _DAY_AT_CLOCK.fullmatch(s):  # "tomorrow 9am", "fri at 14:30", "9am" (today)
        day_text, clock = m["day"], _clock(m["clock"])
        if clock is None:
            return None  # "tomorrow 9": a bare number is not a time
    day = now.date() if day_text is None else _day_expr(day_text, now.date(), reading)
    if day is None:
        return None
    if clock is None:
        return _day(day, zone)
    return When(_localise(datetime.combine(day, clock), zone), has_time=True)


def _day_expr(s: str, today: date, reading: _Reading) -> date | None:
    """A day given in words or as an offset from today, or an ISO or all-number date; None
    if not one."""
    from dateutil.relativedelta import MO, relativedelta, weekday

    if s in _NAMED_DAYS:
        return today + timedelta(days=_NAMED_DAYS[s])
    if s in _PERIODS:
        return _period(s, today)
    if s in _NEXT_PERIODS:
        start = {
            "next week": relativedelta(weeks=1, weekday=MO(-1)),
            "next month": relativedelta(months=1, day=1),
            "next year": relativedelta(years=1, month=1, day=1),
        }
        return today + start[s]
    if (m := _WEEKDAY.fullmatch(s)) and m["name"] in _WEEKDAYS:
        day = weekday(_WEEKDAYS[m["name"]])
        if m["which"] == "next":  # the first one strictly after today
            return today + relativedelta(days=1, weekday=day(+1))
        if m["which"] == "last":  # the last one strictly before today
            return today + relativedelta(days=-1, weekday=day(-1))
        # bare or "this": today counts; the next one, or for what happened the last one
        return today + relativedelta(weekday=day(+1 if reading.direction == "future" else -1))
    if numeric := _NUMERIC.fullmatch(s):
        year, month, day_of_month = _numeric_parts(s, numeric, reading.order)
        if year is None:
            return _yearly(month, day_of_month, today, reading.direction)
        return date(year, month, day_of_month)
    offset = _offset(s)
    if offset is not None and offset[1] not in _CLOCK_UNITS:
        n, unit = offset
        # Jan 31 + 1 month = Feb 28 (or 29). unit is an int keyword (days..years); mypy
        # would match **{unit: n} to every parameter, the dates dt1/dt2 too.
        return today + relativedelta(**{unit: n})  # type: ignore[arg-type]
    if _ISO_DAY.fullmatch(s):
        return date.fromisoformat(s)  # "2024-03-12 9:15" arrives here, split from its time
    return None


def _period(name: str, today: date) -> date:
    """The week is the ISO week, Monday to Sunday, so "eow" is this week's Sunday (today on
    a Sunday); relativedelta clamps day=31 to the month's last day."""
    from dateutil.relativedelta import MO, SU, relativedelta

    shift = {
        "sow": relativedelta(weekday=MO(-1)),
        "eow": relativedelta(weekday=SU(+1)),
        "som": relativedelta(day=1),
        "eom": relativedelta(day=31),
        "soy": relativedelta(month=1, day=1),
        "eoy": relativedelta(month=12, day=31),
    }[name]
    return today + shift


def _offset(s: str) -> tuple[int, str] | None:
    """'+3d', '-2w', '3d', 'in 2 weeks', 'a month ago' -> (signed amount, relativedelta unit)."""
    if m := _OFFSET.fullmatch(s):
        sign = -1 if m["sign"] == "-" else 1  # no sign means the future
    elif m := _IN.fullmatch(s):
        sign = 1
    elif m := _AGO.fullmatch(s):
        sign = -1
    else:
        return None
    unit = _UNITS.get(m["unit"])
    if unit is None:
        return None
    n = 1 if m["n"] in ("a", "an") else int(m["n"])
    return sign * n, unit


# The repeat words that follow-ups (--every) and stay-in-touch cadences share.
EVERY_WORDS: dict[str, tuple[int, str]] = {
    "daily": (1, "days"),
    "weekly": (1, "weeks"),
    "fortnightly": (2, "weeks"),
    "monthly": (1, "months"),
    "quarterly": (3, "months"),
    "yearly": (1, "years"),
    "annually": (1, "years"),
}
_EVERY = LazyPattern(r"(?:(?P<every>every) ?)?(?P<n>\d{1,4})? ?(?P<unit>[a-z]+)?", _A)


def parse_every(text: str) -> tuple[int, str] | None:
    """An interval, the one repeat grammar of follow-ups and cadences: `2w`, `30d`, `30`
    (days), `3 months`, `every 6 weeks`, `every week`, `weekly`, `quarterly`... ->
    (count, relativedelta unit: days, weeks, months or years); None if it is not one.
    The count may be 0: the callers say why that is no interval."""
    s = " ".join(text.lower().split())
    if s in EVERY_WORDS:
        return EVERY_WORDS[s]
    m = _EVERY.fullmatch(s)
    if m is None or not s or (m["n"] is None and (m["every"] is None or m["unit"] is None)):
        return None  # "" or "week" alone
    unit = _UNITS.get(m["unit"] or "d")  # a bare number counts days
    if unit is None or unit in _CLOCK_UNITS:
        return None
    return int(m["n"] or 1), unit


def _shift(moment: datetime, n: int, unit: str) -> datetime:
    if unit in _CLOCK_UNITS:
        # Elapsed time: count in UTC so a DST switch in between neither adds nor loses an hour.
        return (moment.astimezone(UTC) + timedelta(**{unit: n})).astimezone(moment.tzinfo)
    # Calendar units keep the wall-clock time: 9:00 stays 9:00 across a DST switch.
    from dateutil.relativedelta import relativedelta

    # unit is an int keyword (days..years); mypy would match **{unit: n} to dt1/dt2 too.
    return resolve_imaginary(moment + relativedelta(**{unit: n}))  # type: ignore[arg-type]


def _clock(s: str) -> time | None:
    """'14:30', '9:15:00', '9am', '9:30 pm', 'noon'; None for a bare number like '9'."""
    if s == "noon":
        return time(12)
    m = _CLOCK_PARTS.fullmatch(s)
    if m is None or (m["m"] is None and m["ampm"] is None):
        return None
    hour, minute, second = int(m["h"]), int(m["m"] or 0), int(m["s"] or 0)
    if m["ampm"]:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if m["ampm"] == "pm" else 0)
    return time(hour, minute, second)  # ValueError for 24:00 or 9:60


def _parse_exported(s: str, zone: tzinfo, today: date, reading: _Reading) -> When | None:
    """Exporters' formats through dateutil: '12 Mar 2024', 'March 12, 2024 9am', '31 Dec'."""
    parsed = _dateutil(s)
    if parsed is None:
        return None
    value, has_year, has_time = parsed
    if not has_year:  # "31 Dec": the next one (or for what happened, the last one)
        day = _yearly(value.month, value.day, today, reading.direction)
        value = datetime.combine(day, value.time())
    if not has_time:
        return _day(value.date(), zone)
    return When(_localise(value, zone), has_time=True)


def _dateutil(s: str, what: str = "date") -> tuple[datetime, bool, bool] | None:
    """dateutil on the shapes we accept: (value, has_year, has_time), or None if not a date.

    Only text with a month name or one of _NUMERIC_DATES goes to dateutil, which otherwise
    reads "1 2 3" as 2 Jan 2003. Fuzzy parsing stays off.
    """
    if not s.isascii():
        return None
    numeric = _numeric_date(s)
    if numeric is None and not _MONTH_NAME.search(s):
        return None
    numbers, dayfirst, swap_hint = numeric or (None, False, None)
    from dateutil import parser  # here, not at the top: importing it costs ~40 ms

    try:
        with warnings.catch_warnings():
            # An unknown zone name ("14:30 XYZ") is only a warning; dropping it would be a guess.
            warnings.simplefilter("error", parser.UnknownTimezoneWarning)
            a = parser.parse(s, default=_DEFAULT_A, dayfirst=dayfirst, fuzzy=False)
            b = parser.parse(s, default=_DEFAULT_B, dayfirst=dayfirst, fuzzy=False)
    except parser.UnknownTimezoneWarning:
        raise _cannot(s, what=what, hint="give an offset such as +02:00, not a zone name") from None
    except Exception:  # ParserError, OverflowError, TypeError...: all mean "not a date"
        return None
    if (a.month, a.day) != (b.month, b.day):  # "Mar 2024", "may": no day given
        return None
    has_year, has_time = a.year == b.year, a.hour == b.hour
    # dateutil swaps day and month when the order we require cannot be right: "13/2/1979".
    if numbers is not None and numbers != {"y": a.year, "m": a.month, "d": a.day}:
        raise _cannot(s, what=what, hint=swap_hint)
    if has_year and a.year not in {int(y) for y in _YEAR4.findall(s)}:  # "12 Mar 24": 1924?
        raise _cannot(s, what=what, hint="write the year with 4 digits")
    named = {_WEEKDAYS[w] for w in re.findall(r"[a-z]+", s.lower()) if w in _WEEKDAYS}
    if named and (not has_year or named != {a.weekday()}):  # "Fri, 12 Mar 2024" was a Tuesday
        hint = f"{a.day} {a:%b %Y} is a {a:%A}" if has_year else None
        raise _cannot(s, what=what, hint=hint)
    return a, has_year, has_time


def _numeric_date(s: str) -> tuple[dict[str, int], bool, str] | None:
    """The numbers of an all-number date at the start of `s`, dateutil's dayfirst, and a hint."""
    for shape, dayfirst, order, hint in _NUMERIC_DATES:
        if m := shape.match(s):
            return dict(zip(order, map(int, m.groups()), strict=True)), dayfirst, hint
    return None


def _numeric_parts(
    s: str, m: re.Match[str], order: str | None, what: str = "date"
) -> tuple[int | None, int, int]:
    """(year or None, month, day) of an all-number date with slashes or dots.

    A first number of four digits is a year (2027/12/31). Dots are always day.month.year.
    Slashes follow the date-order setting; with none set, the reading that is a date is
    taken, and a date that reads both ways is refused with both readings."""
    a, sep, b, c = m["a"], m["sep"], m["b"], m["c"]
    slash = sep == "/"
    if slash:
        explained = (
            f"slash dates are {DATE_ORDERS[order]} (date-order {order})"
            if order
            else "slash dates are day/month or month/day, whichever is a date"
        )
    else:
        explained = "dates with dots are day.month.year, e.g. 31.12.2027"
    if m["end"] and slash:
        raise _cannot(s, what=what, hint=explained)
    if len(a) == 4:  # year first, whatever the order: nobody writes year/day/month
        if c is None or len(b) > 2 or len(c) > 2:
            raise _cannot(s, what=what, hint=f"{explained}; e.g. 2027-12-31")
        if not _valid(int(b), int(c), int(a)):
            raise _cannot(s, what=what, hint="year/month/day has no such day, e.g. 2027/12/31")
        return int(a), int(b), int(c)
    if len(a) > 2 or len(b) > 2 or (c is not None and len(c) != 4):
        raise _cannot(s, what=what, hint=f"write the year with 4 digits; {explained}")
    year = int(c) if c is not None else None
    if not slash or order == "dmy":
        orders = ["dm"]
    elif order == "ymd" and year is not None:  # year last is not year/month/day
        raise _cannot(s, what=what, hint=f"{explained}, e.g. 2027/12/31")
    elif order in ("mdy", "ymd"):  # without a year, ymd is month/day, as in ISO's --12-31
        orders = ["md"]
    else:
        orders = ["dm", "md"]
    readings = []
    for first in orders:
        month, day = (int(b), int(a)) if first == "dm" else (int(a), int(b))
        if _valid(month, day, year) and (month, day) not in readings:
            readings.append((month, day))
    if not readings:
        either = " in either order" if len(orders) > 1 else ""
        raise InvalidWhen(
            f'{what} "{_shown(s)}" is not a day{either}',
            hint=f"{explained}; or use ISO, e.g. 2027-12-31" if slash else explained,
        )
    if len(readings) > 1:
        shown = [f"{day} {_MONTHS[month - 1]}" + (f" {year}" if year else "")
                 for month, day in readings]  # fmt: skip
        month, day = readings[0]
        example = f"{year}-{month:02d}-{day:02d}" if year else shown[0]
        raise InvalidWhen(
            f'{what} "{_shown(s)}" could be {shown[0]} (day/month) or {shown[1]} (month/day)',
            hint="set the order you write: pcrm config set date-order dmy (or mdy);"
            f" or write it as {example}",
        )
    month, day = readings[0]
    return year, month, day


_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _valid(month: int, day: int, year: int | None) -> bool:
    """Whether the day exists (without a year, in a leap year: 29 Feb is one)."""
    try:
        date(2000 if year is None else year, month, day)
    except ValueError:
        return False
    return True


def _yearly(month: int, day: int, today: date, direction: Direction) -> date:
    """The next (or the last) day with this month and day; today counts. 29 February is
    the next (last) leap year's."""
    step = 1 if direction == "future" else -1
    for year in range(today.year, today.year + 9 * step, step):
        if _valid(month, day, year):
            found = date(year, month, day)
            if (found >= today) if step > 0 else (found <= today):
                return found
    raise ValueError(f"no {month}-{day} near {today}")  # a valid day recurs within 8 years


def _day(day: date, zone: tzinfo) -> When:
    return When(_localise(datetime.combine(day, time()), zone), has_time=False)


def resolve_imaginary(moment: datetime) -> datetime:
    """An aware wall-clock time that a DST switch skips (02:30 on a spring-forward day)
    moved forward by the gap; any other time as it is. The test is dateutil's
    datetime_exists (a round trip through UTC); dateutil's tz (~6 ms to import) is loaded
    only to move a time that does not exist."""
    naive = moment.replace(tzinfo=None)
    if moment.astimezone(UTC).astimezone(moment.tzinfo).replace(tzinfo=None) == naive:
        return moment
    from dateutil import tz

    return tz.resolve_imaginary(moment)


def local_midnight(day: date) -> datetime:
    """The instant the local `day` begins (the first instant after midnight when a DST
    switch skips it)."""
    return resolve_imaginary(datetime.combine(day, time(), tzinfo=local_tz()))


def _localise(value: datetime, zone: tzinfo) -> datetime:
    """An aware value is converted; a naive one is read as wall-clock time in `zone`."""
    if value.tzinfo is not None:
        return value.astimezone(zone)
    return resolve_imaginary(value.replace(tzinfo=zone))


def _cannot(s: str, *, what: str = "date", hint: str | None = _HINT) -> InvalidWhen:
    return InvalidWhen(f'cannot understand {what} "{_shown(s)}"', hint=hint)


def _birthday(s: str, what: str = "birthday") -> InvalidWhen:
    return _cannot(s, what=what, hint=_BIRTHDAY_HINT)


def _shown(s: str) -> str:
    """The input as quoted in a message: control characters escaped, long text cut."""
    s = "".join(c if c.isprintable() else repr(c)[1:-1] for c in s)
    return s if len(s) <= 40 else s[:39] + "…"


# --- storage and display -------------------------------------------------------------------


def to_iso(dt: datetime) -> str:
    """UTC ISO-8601 text for storage, to the second: '2026-11-23T13:05:00Z'."""
    if dt.tzinfo is None or dt.utcoffset() is None:
        raise ValueError(f"to_iso needs an aware datetime, got {dt!r}")
    return dt.astimezone(UTC).replace(tzinfo=None, microsecond=0).isoformat() + "Z"


def from_iso(text: str) -> datetime:
    """Read stored text back as an aware UTC datetime ('Z' or any explicit offset)."""
    value = datetime.fromisoformat(text)
    if value.tzinfo is None:
        raise ValueError(f"stored time has no zone: {text!r}")
    return value.astimezone(UTC)


def to_local(dt: datetime) -> datetime:
    if dt.tzinfo is None:
        raise ValueError(f"to_local needs an aware datetime, got {dt!r}")
    return dt.astimezone(local_tz())


def format_local(dt: datetime, with_time: bool = True) -> str:
    """'2026-11-23 14:05' (or '2026-11-23') in the local zone."""
    return to_local(dt).strftime("%Y-%m-%d %H:%M" if with_time else "%Y-%m-%d")


def humanize(dt: datetime, now: datetime) -> str:
    """'just now', '5 minutes ago', 'in 3 hours', 'yesterday', 'in 2 weeks', '2 years ago'.

    Minutes and hours within the same local day (or under an hour apart, even across
    midnight); otherwise whole local calendar days, as humanize_day says them.
    """
    seconds = (dt.astimezone(UTC) - now.astimezone(UTC)).total_seconds()  # real elapsed time
    if abs(seconds) < 60:
        return "just now"
    day, today = to_local(dt).date(), to_local(now).date()
    if day != today and abs(seconds) >= 3600:
        return humanize_day(day, today)
    minutes = int(abs(seconds) // 60)
    amount = plural(minutes, "minute") if minutes < 60 else plural(minutes // 60, "hour")
    return f"in {amount}" if seconds > 0 else f"{amount} ago"


def humanize_day(d: date, today: date) -> str:
    """'today', 'tomorrow', 'yesterday', 'in 3 days', '2 weeks ago', 'in 4 months', '2 years ago'.

    Days up to 13, then weeks until a calendar month has passed, months up to 11, then years.
    """
    days = (d - today).days
    if -1 <= days <= 1:
        return ("yesterday", "today", "tomorrow")[days + 1]
    if abs(days) < 14:
        amount = plural(abs(days), "day")
    else:
        from dateutil.relativedelta import relativedelta

        span = relativedelta(max(d, today), min(d, today))
        months = span.years * 12 + span.months
        if months == 0:
            amount = plural(abs(days) // 7, "week")
        elif months < 12:
            amount = plural(months, "month")
        else:
            amount = plural(span.years, "year")
    return f"in {amount}" if days > 0 else f"{amount} ago"


def plural(n: int, unit: str) -> str:
    """'1 day', '3 days': a count and its unit in words."""
    return f"{n} {unit}" if n == 1 else f"{n} {unit}s"
