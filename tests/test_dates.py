"""pcrm.dates: the WHEN grammar, birthdays, storing and showing times."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pcrm.dates import (
    MAX_YEAR,
    MIN_YEAR,
    When,
    format_local,
    from_iso,
    humanize,
    humanize_day,
    local_midnight,
    local_tz,
    parse_birthday,
    parse_day,
    parse_when,
    resolve_imaginary,
    to_iso,
    to_local,
)
from pcrm.errors import InvalidInput, InvalidWhen

# Monday 23 Nov 2026, 14:05 in Berlin (CET, +01:00).
NOW = datetime(2026, 11, 23, 13, 5, tzinfo=UTC)
HINT = '(try 2024-03-12, tomorrow, fri, +3d, "in 2 weeks")'
# The autouse fixture is function-scoped but only sets $TZ, which every example may share.
# No deadline: the first example pays for importing dateutil.parser.
shared_fixture = settings(
    suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None
)


@pytest.fixture(autouse=True)
def berlin(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "Europe/Berlin")


def when(text: str, now: datetime = NOW) -> tuple[str, bool]:
    """parse_when as (local ISO text, has_time): one comparison checks day, time and offset."""
    result = parse_when(text, now)
    return result.moment.isoformat(), result.has_time


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


# --- ISO and exporters' formats ------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "moment", "has_time"),
    [
        ("2024-03-12", "2024-03-12T00:00:00+01:00", False),
        ("20240312", "2024-03-12T00:00:00+01:00", False),
        ("2024-03-12 14:30", "2024-03-12T14:30:00+01:00", True),  # HubSpot
        ("2024-03-12T14:30", "2024-03-12T14:30:00+01:00", True),
        ("2024-03-12T00:00", "2024-03-12T00:00:00+01:00", True),  # a time was given: midnight
        ("2024-03-12T14:30:00Z", "2024-03-12T15:30:00+01:00", True),
        ("2024-07-12T14:30:00Z", "2024-07-12T16:30:00+02:00", True),  # summer time
        ("2024-03-12T14:30+02:00", "2024-03-12T13:30:00+01:00", True),  # offset respected
        ("2024-03-12 9:15", "2024-03-12T09:15:00+01:00", True),
        ("2024-3-12", "2024-03-12T00:00:00+01:00", False),
        ("12 Mar 2024", "2024-03-12T00:00:00+01:00", False),  # LinkedIn
        ("Mar 12 2024", "2024-03-12T00:00:00+01:00", False),
        ("March 12, 2024", "2024-03-12T00:00:00+01:00", False),
        ("12 march 2024", "2024-03-12T00:00:00+01:00", False),
        ("Tue, 12 Mar 2024", "2024-03-12T00:00:00+01:00", False),
        ("12 Mar 2024 9am", "2024-03-12T09:00:00+01:00", True),
        ("March 12, 2024 at 9:30 pm", "2024-03-12T21:30:00+01:00", True),
        ("12 Mar 2024 14:30 UTC", "2024-03-12T15:30:00+01:00", True),
        ("12 Mar 2024 14:30 +0200", "2024-03-12T13:30:00+01:00", True),
        ("14.03.1985", "1985-03-14T00:00:00+01:00", False),  # day first with dots
        ("01.02.1985", "1985-02-01T00:00:00+01:00", False),
        # slashes: the one reading that is a date (tests/test_when_words.py: the order)
        ("11/20/1979", "1979-11-20T00:00:00+01:00", False),
        ("20/11/1979", "1979-11-20T00:00:00+01:00", False),
        ("11/20/1979 10:00 PM", "1979-11-20T22:00:00+01:00", True),
        ("  2024-03-12  ", "2024-03-12T00:00:00+01:00", False),
    ],
)
def test_absolute_dates(text: str, moment: str, has_time: bool) -> None:
    assert when(text) == (moment, has_time)


# --- relative words (NOW is Monday 23 Nov 2026, 14:05 in Berlin) ---------------------------


@pytest.mark.parametrize(
    ("text", "moment", "has_time"),
    [
        ("now", "2026-11-23T14:05:00+01:00", True),
        ("NOW", "2026-11-23T14:05:00+01:00", True),
        ("today", "2026-11-23T00:00:00+01:00", False),
        ("Tomorrow", "2026-11-24T00:00:00+01:00", False),
        (" yesterday ", "2026-11-22T00:00:00+01:00", False),
        # offsets in days and up give a day; from "now" they keep the time
        ("+3d", "2026-11-26T00:00:00+01:00", False),
        ("3d", "2026-11-26T00:00:00+01:00", False),
        ("3 days", "2026-11-26T00:00:00+01:00", False),
        ("-2d", "2026-11-21T00:00:00+01:00", False),
        ("+2w", "2026-12-07T00:00:00+01:00", False),
        ("2w", "2026-12-07T00:00:00+01:00", False),
        ("+1m", "2026-12-23T00:00:00+01:00", False),
        ("+1mo", "2026-12-23T00:00:00+01:00", False),
        ("+1y", "2027-11-23T00:00:00+01:00", False),
        ("in 3 days", "2026-11-26T00:00:00+01:00", False),
        ("in 2 weeks", "2026-12-07T00:00:00+01:00", False),
        ("in 1 month", "2026-12-23T00:00:00+01:00", False),
        ("in a year", "2027-11-23T00:00:00+01:00", False),
        ("3 days ago", "2026-11-20T00:00:00+01:00", False),
        ("2 weeks ago", "2026-11-09T00:00:00+01:00", False),
        ("1 month ago", "2026-10-23T00:00:00+02:00", False),  # still summer time then
        ("a week ago", "2026-11-16T00:00:00+01:00", False),
        ("2 years ago", "2024-11-23T00:00:00+01:00", False),
        ("now +3d", "2026-11-26T14:05:00+01:00", True),
        ("now+1m", "2026-12-23T14:05:00+01:00", True),
        # hours and minutes count from now
        ("+4h", "2026-11-23T18:05:00+01:00", True),
        ("+30min", "2026-11-23T14:35:00+01:00", True),
        ("-90min", "2026-11-23T12:35:00+01:00", True),
        ("in 4 hours", "2026-11-23T18:05:00+01:00", True),
        ("in an hour", "2026-11-23T15:05:00+01:00", True),
        ("30 minutes ago", "2026-11-23T13:35:00+01:00", True),
        ("now-2h", "2026-11-23T12:05:00+01:00", True),
        # ends and starts of the current ISO week (Mon-Sun), month, year
        ("eow", "2026-11-29T00:00:00+01:00", False),
        ("eom", "2026-11-30T00:00:00+01:00", False),
        ("eoy", "2026-12-31T00:00:00+01:00", False),
        ("sow", "2026-11-23T00:00:00+01:00", False),
        ("som", "2026-11-01T00:00:00+01:00", False),
        ("soy", "2026-01-01T00:00:00+01:00", False),
        # a time after a day
        ("tomorrow 14:00", "2026-11-24T14:00:00+01:00", True),
        ("tomorrow at 9am", "2026-11-24T09:00:00+01:00", True),
        ("today 17:30", "2026-11-23T17:30:00+01:00", True),
        ("fri 9am", "2026-11-27T09:00:00+01:00", True),
        ("next fri 9:15", "2026-11-27T09:15:00+01:00", True),
        ("+3d 9am", "2026-11-26T09:00:00+01:00", True),
        ("eom 17:00:30", "2026-11-30T17:00:30+01:00", True),
        # a time alone is today
        ("9am", "2026-11-23T09:00:00+01:00", True),
        ("14:30", "2026-11-23T14:30:00+01:00", True),
        ("at noon", "2026-11-23T12:00:00+01:00", True),
        ("12pm", "2026-11-23T12:00:00+01:00", True),
        ("12am", "2026-11-23T00:00:00+01:00", True),
        ("9:30 PM", "2026-11-23T21:30:00+01:00", True),
    ],
)
def test_relative(text: str, moment: str, has_time: bool) -> None:
    assert when(text) == (moment, has_time)


@pytest.mark.parametrize(
    ("text", "day"),
    [
        # bare weekday: the next one, today included (NOW is a Monday)
        ("mon", date(2026, 11, 23)),
        ("monday", date(2026, 11, 23)),
        ("tue", date(2026, 11, 24)),
        ("thurs", date(2026, 11, 26)),
        ("fri", date(2026, 11, 27)),
        ("this fri", date(2026, 11, 27)),
        ("sun", date(2026, 11, 29)),
        # next: strictly after today; last: strictly before today
        ("next mon", date(2026, 11, 30)),
        ("next fri", date(2026, 11, 27)),
        ("last mon", date(2026, 11, 16)),
        ("last fri", date(2026, 11, 20)),
        ("last sunday", date(2026, 11, 22)),
    ],
)
def test_weekdays(text: str, day: date) -> None:
    result = parse_when(text, NOW)
    assert (result.moment.date(), result.has_time) == (day, False)


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("fri", date(2026, 11, 27)),  # today
        ("next fri", date(2026, 12, 4)),
        ("last fri", date(2026, 11, 20)),
    ],
)
def test_weekdays_on_that_weekday(text: str, day: date) -> None:
    friday = utc(2026, 11, 27, 9)
    assert parse_day(text, friday) == day


def test_eow_on_a_sunday_is_today() -> None:
    assert parse_day("eow", utc(2026, 11, 29, 12)) == date(2026, 11, 29)
    assert parse_day("sow", utc(2026, 11, 29, 12)) == date(2026, 11, 23)


@pytest.mark.parametrize(
    ("text", "now", "day"),
    [
        ("+1m", utc(2026, 1, 31, 12), date(2026, 2, 28)),
        ("+1m", utc(2024, 1, 31, 12), date(2024, 2, 29)),  # leap year
        ("in 1 month", utc(2026, 3, 31, 12), date(2026, 4, 30)),
        ("1 month ago", utc(2026, 3, 31, 12), date(2026, 2, 28)),
        ("+1y", utc(2024, 2, 29, 12), date(2025, 2, 28)),
        ("eom", utc(2026, 2, 10, 12), date(2026, 2, 28)),
        ("eom", utc(2024, 2, 10, 12), date(2024, 2, 29)),
        ("eom", utc(2026, 4, 30, 12), date(2026, 4, 30)),
        ("tomorrow", utc(2026, 12, 31, 12), date(2027, 1, 1)),
        # 23:30 UTC on 31 Dec is already 1 Jan in Berlin
        ("today", utc(2026, 12, 31, 23, 30), date(2027, 1, 1)),
        ("eoy", utc(2026, 12, 31, 23, 30), date(2027, 12, 31)),
    ],
)
def test_month_and_year_ends(text: str, now: datetime, day: date) -> None:
    assert parse_day(text, now) == day


# --- DST switches in Europe/Berlin: 29 Mar 2026 (02:00 -> 03:00), 25 Oct 2026 (03:00 -> 02:00)


@pytest.mark.parametrize(
    ("text", "now", "moment", "has_time"),
    [
        ("tomorrow", utc(2026, 3, 28, 12), "2026-03-29T00:00:00+01:00", False),
        ("+2d", utc(2026, 3, 28, 12), "2026-03-30T00:00:00+02:00", False),
        ("tomorrow", utc(2026, 3, 29, 12), "2026-03-30T00:00:00+02:00", False),
        ("yesterday", utc(2026, 3, 29, 12), "2026-03-28T00:00:00+01:00", False),
        # 02:30 does not exist that night: moved forward by the gap
        ("tomorrow 02:30", utc(2026, 3, 28, 12), "2026-03-29T03:30:00+02:00", True),
        ("2026-03-29 02:30", NOW, "2026-03-29T03:30:00+02:00", True),
        # elapsed hours are real hours; days keep the wall-clock time
        ("+24h", utc(2026, 3, 28, 12), "2026-03-29T14:00:00+02:00", True),
        ("now +1d", utc(2026, 3, 28, 12), "2026-03-29T13:00:00+02:00", True),
        ("tomorrow", utc(2026, 10, 24, 12), "2026-10-25T00:00:00+02:00", False),
        ("+2d", utc(2026, 10, 24, 12), "2026-10-26T00:00:00+01:00", False),
        ("+24h", utc(2026, 10, 24, 12), "2026-10-25T13:00:00+01:00", True),
        ("now +1d", utc(2026, 10, 24, 12), "2026-10-25T14:00:00+01:00", True),
        # 02:30 happens twice that night: the first one (still summer time)
        ("tomorrow 02:30", utc(2026, 10, 24, 12), "2026-10-25T02:30:00+02:00", True),
    ],
)
def test_dst_days_in_berlin(text: str, now: datetime, moment: str, has_time: bool) -> None:
    assert when(text, now) == (moment, has_time)


def test_tomorrow_across_dst_is_stored_as_local_midnight() -> None:
    assert to_iso(parse_when("tomorrow", utc(2026, 3, 28, 12)).moment) == "2026-03-28T23:00:00Z"
    assert to_iso(parse_when("tomorrow", utc(2026, 3, 29, 12)).moment) == "2026-03-29T22:00:00Z"


# --- other zones ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("zone", "text", "now", "moment"),
    [
        ("UTC", "now", NOW, "2026-11-23T13:05:00+00:00"),
        ("UTC", "tomorrow", NOW, "2026-11-24T00:00:00+00:00"),
        ("UTC", "2024-03-12T14:30+02:00", NOW, "2024-03-12T12:30:00+00:00"),
        ("UTC", "2024-03-12 14:30", NOW, "2024-03-12T14:30:00+00:00"),
        ("America/New_York", "now", NOW, "2026-11-23T08:05:00-05:00"),
        ("America/New_York", "today", NOW, "2026-11-23T00:00:00-05:00"),
        ("America/New_York", "2024-03-12T14:30:00Z", NOW, "2024-03-12T10:30:00-04:00"),
        # 03:00 UTC on the 24th is still the evening of the 23rd in New York
        ("America/New_York", "today", utc(2026, 11, 24, 3), "2026-11-23T00:00:00-05:00"),
        ("America/New_York", "tomorrow", utc(2026, 11, 24, 3), "2026-11-24T00:00:00-05:00"),
        ("Europe/Berlin", "today", utc(2026, 11, 24, 3), "2026-11-24T00:00:00+01:00"),
        # New York's DST switches: 8 Mar and 1 Nov 2026
        ("America/New_York", "tomorrow", utc(2026, 3, 7, 17), "2026-03-08T00:00:00-05:00"),
        ("America/New_York", "+2d", utc(2026, 3, 7, 17), "2026-03-09T00:00:00-04:00"),
        ("America/New_York", "tomorrow 2:30am", utc(2026, 3, 7, 17), "2026-03-08T03:30:00-04:00"),
        ("America/New_York", "+2d", utc(2026, 10, 31, 16), "2026-11-02T00:00:00-05:00"),
    ],
)
def test_other_zones(
    monkeypatch: pytest.MonkeyPatch, zone: str, text: str, now: datetime, moment: str
) -> None:
    monkeypatch.setenv("TZ", zone)
    assert parse_when(text, now).moment.isoformat() == moment


def test_local_tz_follows_tz_at_call_time(monkeypatch: pytest.MonkeyPatch) -> None:
    assert local_tz().utcoffset(datetime(2026, 1, 15)) == timedelta(hours=1)
    monkeypatch.setenv("TZ", "America/New_York")
    assert local_tz().utcoffset(datetime(2026, 1, 15)) == timedelta(hours=-5)
    assert format_local(NOW) == "2026-11-23 08:05"


@pytest.mark.parametrize("value", [None, "Nowhere/Atlantis"])
def test_local_tz_without_a_usable_tz(monkeypatch: pytest.MonkeyPatch, value: str | None) -> None:
    if value is None:
        monkeypatch.delenv("TZ")
    else:
        monkeypatch.setenv("TZ", value)
    zone = local_tz()
    assert datetime(2026, 1, 15, tzinfo=zone).utcoffset() is not None
    moment = parse_when("today", NOW).moment
    assert (moment.hour, moment.minute, moment.tzinfo) == (0, 0, zone)


@pytest.mark.parametrize(
    "zone",
    ["Europe/Berlin", "CET-1CEST,M3.5.0,M10.5.0/3"],  # a zone file; a POSIX rule
)
def test_times_a_dst_switch_skips_move_forward_and_others_stay(
    monkeypatch: pytest.MonkeyPatch, zone: str
) -> None:
    monkeypatch.setenv("TZ", zone)
    berlin = local_tz()
    skipped = datetime(2026, 3, 29, 2, 30, tzinfo=berlin)  # 02:00 -> 03:00 that night
    assert resolve_imaginary(skipped).isoformat() == "2026-03-29T03:30:00+02:00"
    twice = datetime(2026, 10, 25, 2, 30, tzinfo=berlin)  # 03:00 -> 02:00: exists twice
    assert resolve_imaginary(twice) is twice
    assert resolve_imaginary(twice.replace(fold=1)).utcoffset() == timedelta(hours=1)
    assert to_iso(local_midnight(date(2026, 3, 29))) == "2026-03-28T23:00:00Z"
    assert to_iso(local_midnight(date(2026, 3, 30))) == "2026-03-29T22:00:00Z"


def test_local_midnight_when_dst_skips_midnight(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "America/Santiago")  # clocks go 00:00 -> 01:00 in September
    start = local_midnight(date(2026, 9, 6))
    assert start.isoformat() == "2026-09-06T01:00:00-03:00"


# --- what is refused -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "blorp",
        "3",  # a bare number is not a date
        "2024",
        "may",  # a month alone
        "March",
        "Mar 2024",  # no day
        "1 2 3",  # dateutil would read 2 Jan 2003
        "1 2 1999",
        "tomorrow 9",  # a bare number is not a time
        "tomorrow 25:00",
        "9:60",
        "13pm",
        "2024-02-30",
        "2023-02-29",
        "2024-03-12T25:00",
        "+3x",
        "in 3 parsecs",
        "next",
        "fri fri",
        "+9999999d",
        "+999999y",
        "12 Mar 2024 blorp",
        "１２ Mar 2024",  # fullwidth digits
        "in 2 hours 9am",
        "now 9am",
    ],
)
def test_refused_with_the_usual_hint(text: str) -> None:
    with pytest.raises(InvalidWhen) as caught:
        parse_when(text, NOW)
    assert str(caught.value) == f'cannot understand date "{text.strip()}" {HINT}'


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", f"no date given {HINT}"),
        ("   ", f"no date given {HINT}"),
        ("12 Mar 24", 'cannot understand date "12 Mar 24" (write the year with 4 digits)'),
        (
            "13/13/1979",
            'date "13/13/1979" is not a day in either order (slash dates are day/month or'
            " month/day, whichever is a date; or use ISO, e.g. 2027-12-31)",
        ),
        (
            "03.14.1985",
            'date "03.14.1985" is not a day (dates with dots are day.month.year, e.g. 31.12.2027)',
        ),
        (
            "Fri, 12 Mar 2024",
            'cannot understand date "Fri, 12 Mar 2024" (12 Mar 2024 is a Tuesday)',
        ),
        (
            "12 Mar 2024 14:30 ABC",
            'cannot understand date "12 Mar 2024 14:30 ABC" '
            "(give an offset such as +02:00, not a zone name)",
        ),
        ("1850-01-01", 'date "1850-01-01" is outside the years 1900 to 2200'),
        ("2201-01-01", 'date "2201-01-01" is outside the years 1900 to 2200'),
        ("+200y", 'date "+200y" is outside the years 1900 to 2200'),
        ("\x1b[31mtomorrow", f'cannot understand date "\\x1b[31mtomorrow" {HINT}'),
    ],
)
def test_refused_with_a_specific_message(text: str, message: str) -> None:
    with pytest.raises(InvalidWhen) as caught:
        parse_when(text, NOW)
    assert str(caught.value) == message
    assert isinstance(caught.value, InvalidInput)


def test_long_input_is_cut_in_the_message() -> None:
    with pytest.raises(InvalidWhen) as caught:
        parse_when("tomorrow " * 20, NOW)
    shown = ("tomorrow " * 5)[:39] + "…"  # the first 39 characters
    assert caught.value.message == f'cannot understand date "{shown}"'


def test_naive_now_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="aware"):
        parse_when("today", datetime(2026, 11, 23, 13, 5))


def test_parse_day_is_the_local_day() -> None:
    assert parse_day("tomorrow 14:00", NOW) == date(2026, 11, 24)
    assert parse_day("2024-03-12T23:30:00Z", NOW) == date(2024, 3, 13)  # already the 13th here


# --- birthdays -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "normalised"),
    [
        ("1985-03-12", "1985-03-12"),
        (" 1985-03-12 ", "1985-03-12"),
        ("19850312", "1985-03-12"),
        ("--03-12", "--03-12"),  # vCard, Google: no year
        ("--0312", "--03-12"),
        ("12 Mar 1985", "1985-03-12"),
        ("March 12, 1985", "1985-03-12"),
        ("Mar 12", "--03-12"),
        ("12 March", "--03-12"),
        ("14.03.1985", "1985-03-14"),
        ("11/20/1979", "1979-11-20"),  # the one reading that is a date
        ("1604-03-14", "--03-14"),  # Apple's "no year"
        ("1604-02-29", "--02-29"),
        ("--02-29", "--02-29"),
        ("Feb 29", "--02-29"),
        ("29 Feb 1988", "1988-02-29"),
        # issue 15: the date part of a date-time, as KDE and CRMs write birthdays
        ("1955-07-19T00:00:00Z", "1955-07-19"),
        ("19550719T000000", "1955-07-19"),
        ("1955-07-19 00:00:00", "1955-07-19"),
        ("1985-03-12T10:00", "1985-03-12"),
        ("1604-03-14T00:00:00", "--03-14"),
        # dots are day.month.year; a two-digit year is the latest not in the future
        ("20.01.1991", "1991-01-20"),
        ("01.01.99", "1999-01-01"),
        ("05.03.05", "2005-03-05"),
        ("20/4/26", "2026-04-20"),
    ],
)
def test_birthdays(text: str, normalised: str) -> None:
    assert parse_birthday(text, today=date(2026, 12, 7)) == normalised


@pytest.mark.parametrize(
    ("text", "hint"),
    [
        ("blorp", "try 1985-03-12, 12 Mar 1985, or --03-12 for no year"),
        (
            "0/0/00",  # Outlook's empty date
            "try 1985-03-12, 12 Mar 1985, or --03-12 for no year",
        ),
        ("--02-30", "try 1985-03-12, 12 Mar 1985, or --03-12 for no year"),
        ("--13-01", "try 1985-03-12, 12 Mar 1985, or --03-12 for no year"),
        ("1985-02-29", "try 1985-03-12, 12 Mar 1985, or --03-12 for no year"),
        ("12 Mar 1985 10am", "try 1985-03-12, 12 Mar 1985, or --03-12 for no year"),
        ("tomorrow", "try 1985-03-12, 12 Mar 1985, or --03-12 for no year"),
        ("Mar", "try 1985-03-12, 12 Mar 1985, or --03-12 for no year"),
        ("3", "try 1985-03-12, 12 Mar 1985, or --03-12 for no year"),
        ("12 Mar 85", "write the year with 4 digits"),
    ],
)
def test_bad_birthdays(text: str, hint: str) -> None:
    with pytest.raises(InvalidWhen) as caught:
        parse_birthday(text)
    assert caught.value.message == f'cannot understand birthday "{text}"'
    assert caught.value.hint == hint


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "no birthday given"),
        ("1799-12-31", 'birthday "1799-12-31" is outside the years 1800 to 2200'),
    ],
)
def test_birthday_messages(text: str, message: str) -> None:
    with pytest.raises(InvalidWhen) as caught:
        parse_birthday(text)
    assert caught.value.message == message


# --- storage and display -------------------------------------------------------------------


def test_to_iso_is_utc_to_the_second() -> None:
    local = datetime(2026, 11, 23, 14, 5, 30, 999_999, tzinfo=local_tz())
    assert to_iso(local) == "2026-11-23T13:05:30Z"
    assert to_iso(NOW) == "2026-11-23T13:05:00Z"


def test_to_iso_refuses_naive() -> None:
    with pytest.raises(ValueError, match="aware"):
        to_iso(datetime(2026, 11, 23, 13, 5))


@pytest.mark.parametrize(
    "text", ["2026-11-23T13:05:00Z", "2026-11-23T13:05:00+00:00", "2026-11-23T14:05:00+01:00"]
)
def test_from_iso(text: str) -> None:
    value = from_iso(text)
    assert value == NOW
    assert value.utcoffset() == timedelta(0)
    assert to_iso(value) == "2026-11-23T13:05:00Z"


@pytest.mark.parametrize("text", ["2026-11-23T13:05:00", "not a time"])
def test_from_iso_refuses(text: str) -> None:
    with pytest.raises(ValueError):
        from_iso(text)


def test_local_display() -> None:
    assert to_local(NOW).isoformat() == "2026-11-23T14:05:00+01:00"
    assert format_local(NOW) == "2026-11-23 14:05"
    assert format_local(NOW, with_time=False) == "2026-11-23"
    assert format_local(utc(2026, 11, 23, 23, 30), with_time=False) == "2026-11-24"
    assert format_local(utc(2026, 7, 1, 12)) == "2026-07-01 14:00"
    with pytest.raises(ValueError):
        to_local(datetime(2026, 11, 23))


# --- humanize ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("delta", "text"),
    [
        (timedelta(0), "just now"),
        (timedelta(seconds=30), "just now"),
        (timedelta(seconds=-59), "just now"),
        (timedelta(minutes=-1), "1 minute ago"),
        (timedelta(minutes=-5), "5 minutes ago"),
        (timedelta(minutes=5), "in 5 minutes"),
        (timedelta(minutes=-59, seconds=-59), "59 minutes ago"),
        (timedelta(hours=-1), "1 hour ago"),
        (timedelta(hours=-3), "3 hours ago"),
        (timedelta(hours=3), "in 3 hours"),
        (timedelta(hours=-14, minutes=-5), "14 hours ago"),  # 00:00 today
        (timedelta(hours=-14, minutes=-6), "yesterday"),  # 23:59 yesterday
        (timedelta(hours=9, minutes=54), "in 9 hours"),  # 23:59 today
        (timedelta(hours=10), "tomorrow"),  # 00:05 tomorrow
        (timedelta(days=-2), "2 days ago"),
        (timedelta(days=3), "in 3 days"),
        (timedelta(days=13), "in 13 days"),
        (timedelta(days=14), "in 2 weeks"),
        (timedelta(days=-20), "2 weeks ago"),
        (timedelta(days=-100), "3 months ago"),
        (timedelta(days=125), "in 4 months"),
        (timedelta(days=365), "in 1 year"),
        (timedelta(days=-800), "2 years ago"),
    ],
)
def test_humanize(delta: timedelta, text: str) -> None:
    assert humanize(NOW + delta, NOW) == text


def test_humanize_minutes_across_midnight() -> None:
    now = utc(2026, 11, 23, 23, 10)  # 00:10 on the 24th in Berlin
    assert humanize(utc(2026, 11, 23, 22, 50), now) == "20 minutes ago"  # 23:50 the day before
    assert humanize(utc(2026, 11, 23, 21, 0), now) == "yesterday"  # 22:00, over an hour ago


def test_humanize_counts_real_hours_across_dst() -> None:
    now = utc(2026, 3, 29, 10)  # 12:00 CEST, on the day clocks went forward
    # Both in the same local zone object: the subtraction must still be in real time.
    earlier = parse_when("today 00:30", now).moment
    assert humanize(earlier, parse_when("now", now).moment) == "10 hours ago"
    assert humanize(parse_when("now", now).moment, earlier) == "in 10 hours"


@pytest.mark.parametrize(
    ("day", "text"),
    [
        (date(2026, 11, 23), "today"),
        (date(2026, 11, 24), "tomorrow"),
        (date(2026, 11, 22), "yesterday"),
        (date(2026, 11, 25), "in 2 days"),
        (date(2026, 11, 21), "2 days ago"),
        (date(2026, 12, 6), "in 13 days"),
        (date(2026, 12, 7), "in 2 weeks"),
        (date(2026, 11, 9), "2 weeks ago"),
        (date(2026, 12, 14), "in 3 weeks"),
        (date(2026, 12, 22), "in 4 weeks"),
        (date(2026, 12, 23), "in 1 month"),  # a calendar month, not 30 days
        (date(2026, 10, 23), "1 month ago"),
        (date(2027, 2, 23), "in 3 months"),
        (date(2027, 11, 22), "in 11 months"),
        (date(2027, 11, 23), "in 1 year"),
        (date(2024, 11, 23), "2 years ago"),
    ],
)
def test_humanize_day(day: date, text: str) -> None:
    assert humanize_day(day, date(2026, 11, 23)) == text


@pytest.mark.parametrize("days", range(-13, 15))
def test_humanize_day_reads_back(days: int) -> None:
    """What humanize_day says for the next two weeks is itself a WHEN for the same day."""
    today = date(2026, 11, 23)
    day = today + timedelta(days=days)
    assert parse_day(humanize_day(day, today), NOW) == day


# --- properties ----------------------------------------------------------------------------

WORDS = st.sampled_from(
    [
        "now", "today", "tomorrow", "fri", "next", "last", "mon", "in", "ago", "at", "+", "-",
        "3", "12", "31", "2024", "1979", "1604", "d", "w", "m", "min", "h", "days", "weeks",
        "Mar", "March", "Feb 29", ",", ".", "/", ":", "9", "am", "pm", "noon", "eom", "eow",
        "Z", "UTC", "T", "-03", "00", "+02:00", " ", "--",
    ]
)  # fmt: skip
WHEN_LIKE = st.one_of(
    st.text(),
    st.lists(WORDS, max_size=8).map("".join),
    st.lists(WORDS, max_size=6).map(" ".join),
)
NOWS = st.datetimes(
    min_value=datetime(1900, 1, 1), max_value=datetime(2200, 12, 31), timezones=st.just(UTC)
)


@shared_fixture
@given(text=WHEN_LIKE, now=st.one_of(st.just(NOW), NOWS))
def test_parse_when_is_total(text: str, now: datetime) -> None:
    try:
        result = parse_when(text, now)
    except InvalidWhen as exc:
        assert exc.message and "\n" not in str(exc)
        return
    assert isinstance(result, When)
    assert result.moment.utcoffset() is not None
    assert MIN_YEAR <= result.moment.year <= MAX_YEAR
    if not result.has_time:  # Berlin's midnights all exist
        assert result.moment.time() == time(0)
    assert from_iso(to_iso(result.moment)) == result.moment.astimezone(UTC).replace(microsecond=0)


BIRTHDAY = re.compile(r"\d{4}-\d{2}-\d{2}|--\d{2}-\d{2}")


@shared_fixture
@given(st.one_of(st.text(), st.lists(WORDS, max_size=6).map(" ".join)))
def test_parse_birthday_is_total(text: str) -> None:
    try:
        result = parse_birthday(text)
    except InvalidWhen as exc:
        assert exc.message and "\n" not in str(exc)
        return
    assert BIRTHDAY.fullmatch(result)
    assert parse_birthday(result) == result  # normalised text is accepted as is


@shared_fixture
@given(
    st.datetimes(
        min_value=datetime(1900, 1, 2),
        max_value=datetime(2200, 12, 30),
        timezones=st.timezones(),
    )
)
def test_iso_round_trip(value: datetime) -> None:
    text = to_iso(value)
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z", text)
    assert from_iso(text) == value.astimezone(UTC).replace(microsecond=0)
    assert to_iso(from_iso(text)) == text


@shared_fixture
@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 12, 31)))
def test_iso_days_parse_to_local_midnight(day: date) -> None:
    result = parse_when(day.isoformat(), NOW)
    assert (result.moment.date(), result.moment.time(), result.has_time) == (day, time(0), False)


def test_import_does_not_load_dateutil_parser() -> None:
    code = "import sys, pcrm.dates; print('dateutil.parser' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


@pytest.mark.parametrize("text", ["10 Dec 1815", "1815-12-10", "10.12.1815", "1815/12/10"])
def test_birthdays_of_people_born_before_1900_are_kept(text: str) -> None:
    assert parse_birthday(text) == "1815-12-10"
