"""Recurrence RULEs for follow-ups: a few words, or an RFC 5545 RRULE, stored as an RRULE.

The words (any case): the intervals that cadences take too (dates.parse_every): `daily`,
`weekly`, `fortnightly`, `monthly`, `quarterly`, `yearly`, `2w`, `30d`, `3m`, `every 6
weeks`, `every day|week|month|year`; `every monday` (several: `every mon,thu`),
`every weekday` (Monday to Friday), `every month on the 15th`. Anything starting with
`FREQ=` (or `RRULE:`) is taken as an RRULE and checked by dateutil. Occurrences are whole
days: the series starts on the task's due day (its DTSTART) and dateutil finds the next one,
so "monthly" from 31 January skips the months without a 31st, as RFC 5545 says.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import cast

from dateutil.rrule import rrule, rrulestr

from pcrm.dates import parse_every
from pcrm.errors import InvalidInput

_HINT = 'try weekly, 2w, 30d, quarterly, "every monday", or FREQ=WEEKLY;BYDAY=MO'
_FREQS = {"day": "DAILY", "week": "WEEKLY", "month": "MONTHLY", "year": "YEARLY"}
_ADVERBS = {"daily": "DAILY", "weekly": "WEEKLY", "monthly": "MONTHLY", "yearly": "YEARLY"}
_DAYS = {
    "MO": ("mon", "monday"),
    "TU": ("tue", "tues", "tuesday"),
    "WE": ("wed", "wednesday"),
    "TH": ("thu", "thur", "thurs", "thursday"),
    "FR": ("fri", "friday"),
    "SA": ("sat", "saturday"),
    "SU": ("sun", "sunday"),
}
_DAY_CODES = {name: code for code, names in _DAYS.items() for name in names}
_EVERY_N = re.compile(r"every (?P<n>\d{1,3}) (?P<unit>day|week|month|year)s?", re.ASCII)
_EVERY_ONE = re.compile(r"every (?P<unit>day|week|month|year)", re.ASCII)
_MONTH_DAY = re.compile(r"every month on the (?P<day>\d{1,2})(?:st|nd|rd|th)?", re.ASCII)
_DAY_LIST = re.compile(r"every (?P<days>[a-z]+(?: ?(?:,|and) ?[a-z]+)*)", re.ASCII)
_SUB_DAILY = ("HOURLY", "MINUTELY", "SECONDLY")


def parse_rule(text: str) -> str:
    """The RRULE (without 'RRULE:') for a RULE the user typed; InvalidInput if it is none."""
    s = " ".join(text.split())
    rule: str | None
    if s.upper().startswith(("FREQ=", "RRULE:")):
        rule = s.split(":", 1)[1] if s.upper().startswith("RRULE:") else s
        return _checked(rule.upper(), s)
    rule = _words(s.lower())
    if rule is None:
        raise _cannot(s)
    return rule


def _words(s: str) -> str | None:
    # Intervals are the grammar cadences take too: 2w, 30d, quarterly, "every 6 weeks".
    if interval := parse_every(s):
        n, unit = interval
        if n == 0:
            return None
        freq = f"FREQ={_FREQS[unit.removesuffix('s')]}"
        return freq if n == 1 else f"{freq};INTERVAL={n}"
    if s in _ADVERBS:
        return f"FREQ={_ADVERBS[s]}"
    if m := _EVERY_ONE.fullmatch(s):
        return f"FREQ={_FREQS[m['unit']]}"
    if m := _EVERY_N.fullmatch(s):
        n = int(m["n"])
        if n == 0:
            return None
        freq = f"FREQ={_FREQS[m['unit']]}"
        return freq if n == 1 else f"{freq};INTERVAL={n}"
    if m := _MONTH_DAY.fullmatch(s):
        day = int(m["day"])
        return f"FREQ=MONTHLY;BYMONTHDAY={day}" if 1 <= day <= 31 else None
    if s == "every weekday":
        return "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"
    if m := _DAY_LIST.fullmatch(s):
        names = re.split(r" ?(?:,|and) ?", m["days"])
        if not all(name in _DAY_CODES for name in names):
            return None
        codes = sorted({_DAY_CODES[name] for name in names}, key=list(_DAYS).index)
        return f"FREQ=WEEKLY;BYDAY={','.join(codes)}"
    return None


_PROBE_START = datetime(9796, 1, 1)  # a leap year, some 200 years before dateutil's limit


def _checked(rule: str, typed: str) -> str:
    """An RRULE the user wrote, as dateutil reads it: one day-based rule, no DTSTART."""
    if "\n" in rule or "DTSTART" in rule:
        raise _cannot(typed, hint="give the RRULE alone; the series starts on the due day")
    parts = dict(part.partition("=")[::2] for part in rule.split(";"))
    # dateutil loops forever on INTERVAL=0, and reads any date-like text as UNTIL ("2").
    if "INTERVAL" in parts and not re.fullmatch(r"0*[1-9]\d{0,3}", parts["INTERVAL"]):
        raise _cannot(typed, hint="INTERVAL is a whole number from 1")
    if "UNTIL" in parts and not re.fullmatch(r"\d{8}(?:T\d{6})?", parts["UNTIL"]):
        raise _cannot(typed, hint="write UNTIL as a day, e.g. UNTIL=20271231")
    try:
        # A rule such as BYMONTH=2;BYMONTHDAY=30 never matches, and dateutil searches up to
        # the year 9999 for its next day (seconds). Started near that end, the search for a
        # first day is bounded to about two centuries.
        # One RRULE line parses to an rrule; anything that makes a set has no replace()
        # and lands in the except below as "not a rule".
        probe = cast(rrule, rrulestr(rule, dtstart=_PROBE_START)).replace(count=None, until=None)
        never = probe.after(_PROBE_START, inc=True) is None
    except Exception as exc:  # ValueError, OverflowError, KeyError...: all mean "not a rule"
        raise _cannot(typed) from exc
    if never:
        raise _cannot(typed, hint="no day ever matches that rule")
    if parts.get("FREQ") in _SUB_DAILY:
        raise _cannot(typed, hint="follow-ups repeat by days at the finest")
    return rule


def next_day(rule: str, series_start: date, after: date) -> date | None:
    """The first day of the series strictly after `after`; None when the series has ended
    (COUNT or UNTIL)."""
    start = datetime.combine(series_start, datetime.min.time())
    found = rrulestr(rule, dtstart=start).after(datetime.combine(after, datetime.max.time()))
    return None if found is None else found.date()


def describe(rule: str) -> str:
    """A short reading of a stored rule: the words it came from when it is one of them."""
    parts = dict(part.partition("=")[::2] for part in rule.split(";"))
    freq, interval = parts.pop("FREQ", ""), parts.pop("INTERVAL", "1")
    unit = {v: k for k, v in _FREQS.items()}.get(freq)
    if unit is None:
        return rule
    if not parts:
        return f"every {unit}" if interval == "1" else f"every {interval} {unit}s"
    if interval == "1" and list(parts) == ["BYDAY"] and freq == "WEEKLY":
        codes = parts["BYDAY"].split(",")
        if codes == ["MO", "TU", "WE", "TH", "FR"]:
            return "every weekday"
        if all(code in _DAYS for code in codes):
            return "every " + ", ".join(_DAYS[code][-1] for code in codes)
    if interval == "1" and list(parts) == ["BYMONTHDAY"] and freq == "MONTHLY":
        return f"every month on day {parts['BYMONTHDAY']}"
    return rule


def _cannot(typed: str, hint: str = _HINT) -> InvalidInput:
    shown = "".join(c if c.isprintable() else repr(c)[1:-1] for c in typed)
    shown = shown if len(shown) <= 40 else shown[:39] + "…"
    return InvalidInput(f'cannot understand repeat rule "{shown}"', hint=hint)
