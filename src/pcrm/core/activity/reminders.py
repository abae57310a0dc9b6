"""What the agenda reminds of besides follow-ups: people to stay in touch with, birthdays and
anniversaries coming up, and deals that need attention.

All of it is computed from the data on demand (nothing to keep in sync):
- stay in touch: a contact with a cadence is due `cadence_days` after its last interaction
  that has happened (a planned one in the future does not count until its time passes); a
  contact never contacted is due from the day it was added.
- birthdays and anniversaries: shown from `days_before` days ahead through the day itself. A
  29 February date falls on 28 February in common years.
- deals: an open deal needs attention when it has no open follow-up, has been idle longer
  than its stage's rotting limit, or is past its expected close day.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from pcrm.core.base import Link
from pcrm.dates import from_iso, local_midnight, parse_every, to_iso, to_local
from pcrm.errors import InvalidInput
from pcrm.store.db import Database

# The words keep the day counts they always had (a quarter is 91 days); the rest of the
# grammar is the one follow-ups repeat by (dates.parse_every).
_CADENCE_WORDS = {"daily": 1, "weekly": 7, "fortnightly": 14, "monthly": 30, "quarterly": 91}
_UNIT_DAYS = {"days": 1, "weeks": 7, "months": 30, "years": 365}
CADENCE_HINT = 'try 30d, 2w, 3m, "every 6 weeks", monthly or quarterly; "" clears'


def parse_cadence(text: str) -> int | None:
    """A stay-in-touch interval in days (a bare number is days; months count 30 days, years
    365); "" clears it."""
    s = " ".join(text.lower().split())
    if s in ("", "none", "never"):
        return None
    if s in _CADENCE_WORDS:
        return _CADENCE_WORDS[s]
    interval = parse_every(s)
    if interval is None and s.startswith("-") and parse_every(s.lstrip("-")):
        raise InvalidInput(f'cadence "{text.strip()}" cannot be negative', hint=CADENCE_HINT)
    if interval is None:
        raise InvalidInput(f'cannot read cadence "{text.strip()}"', hint=CADENCE_HINT)
    days = interval[0] * _UNIT_DAYS[interval[1]]  # months count 30 days, years 365
    if days == 0:
        raise InvalidInput(f'cadence "{text.strip()}" must be at least one day', hint=CADENCE_HINT)
    return days


# -- stay in touch -------------------------------------------------------------------------


@dataclass
class TouchDue:
    contact: Link
    cadence_days: int
    last_contact: str | None  # UTC instant of the last interaction that has happened
    due_date: str  # local day it became (or becomes) due


# Each contact with a cadence (contacts_cadence_touch holds what is read of them) and its
# last interaction that has happened (NULL: never): its latest link time is one seek of
# contact_touch (m025, kept by the links' triggers); only when that is after now (a
# planned interaction) is the last one up to now sought in interaction_contacts_contact_at,
# whose `at` is the interaction's time (m013). The contacts are taken in id order first,
# so the seeks walk those tables forwards instead of jumping about them (the covering
# index gives them by cadence, then creation).
_CADENCED = """
SELECT id, name, cadence_days, created_at FROM contacts
WHERE cadence_days IS NOT NULL AND archived_at IS NULL ORDER BY id
"""
_LAST_TOUCH = """
SELECT c.id, c.name, c.cadence_days, c.created_at,
       CASE WHEN t.at IS NULL OR t.at <= :now THEN t.at
            ELSE (SELECT max(ic.at) FROM interaction_contacts ic
                  WHERE ic.contact_id = c.id AND ic.at <= :now) END AS last
FROM cadenced c LEFT JOIN contact_touch t ON t.contact_id = c.id
"""
# A day's margin either way: UTC and local days differ by less than one (see stay_in_touch).
_MARGIN = timedelta(days=2)


def day_start(day: date) -> str:
    """The UTC instant the local `day` begins, as stored text (when DST skips midnight, the
    first instant after it)."""
    return to_iso(local_midnight(day))


def _touched_before(until: date, cadence: int) -> str:
    """A contact last touched before this instant is due by `until`: its last touch fell
    on a local day on or before `until - cadence`. "" (nothing is before it) when that day
    is before the calendar begins."""
    try:
        return day_start(until - timedelta(days=cadence - 1))
    except OverflowError:
        return ""


def stay_in_touch(
    db: Database, now: datetime, until: date, limit: int, since: date | None = None
) -> tuple[list[TouchDue], int]:
    """Contacts with a cadence whose due day is on or before `until` (and, given `since`, on
    or after it), longest overdue first (then by name): the first `limit` of them, and how
    many there are in all."""
    return stay_in_touch_windows(db, now, [(until, since, limit)])[0]


def stay_in_touch_windows(
    db: Database, now: datetime, windows: list[tuple[date, date | None, int]]
) -> list[tuple[list[TouchDue], int]]:
    """stay_in_touch for several windows (until, since, limit) at once: each contact's
    last touch is looked up once for all of them (the weekend's cron run asks for three).

    SQL filters and counts with one UTC bound per distinct cadence (`_touched_before`), so
    no contact's time is converted to the local zone for that. It orders by last touch +
    cadence in UTC, which is within a day of the local due day (a zone's offsets differ by
    less than a day), so only the rows up to the last shown one's day and a margin are
    converted, to find the exact due days and order them by name.
    """
    cadences = [row[0] for row in db.execute(_CADENCES)]
    params: dict[str, object] = {"now": to_iso(now)}
    spans, bounds = [], []
    for w, (until, since, _) in enumerate(windows):
        # "" is before every stored time: no lower bound.
        params[f"n{w}"], params[f"f{w}"] = (
            day_start(until + _DAY),
            day_start(since) if since else "",
        )
        spans.append(f"({w}, :n{w}, :f{w})")
        for n, cadence in enumerate(cadences):
            key = f"{w}_{n}"
            params[f"c{key}"], params[f"b{key}"] = cadence, _touched_before(until, cadence)
            # Due on or after `since`: last touched on or after the local day since - cadence.
            params[f"a{key}"] = _touched_before(since - _DAY, cadence) if since else ""
            bounds.append(f"({w}, :c{key}, :b{key}, :a{key})")
    values = ", ".join(bounds) or "(NULL, NULL, NULL, NULL)"
    rows = db.execute(
        f"""
        WITH bound(w, cadence, before, after) AS (VALUES {values}),
        win(w, never, never_from) AS (VALUES {", ".join(spans)}),
        -- materialized: each contact's last touch is looked up once, not wherever it is named
        cadenced AS MATERIALIZED ({_CADENCED}),
        touch AS MATERIALIZED ({_LAST_TOUCH})
        SELECT win.w, t.id, t.name, t.cadence_days, t.last, count(*) OVER (PARTITION BY win.w),
               CASE WHEN t.last IS NULL THEN t.created_at
                    ELSE strftime('%Y-%m-%dT%H:%M:%SZ', t.last, '+' || t.cadence_days || ' days')
               END AS utc_due
        FROM win CROSS JOIN touch t JOIN bound b ON b.w = win.w AND b.cadence = t.cadence_days
        WHERE CASE WHEN t.last IS NULL
                   THEN t.created_at < win.never AND t.created_at >= win.never_from
                   ELSE t.last < b.before AND t.last >= b.after END
        ORDER BY win.w, utc_due, t.id
        """,
        params,
    )
    totals = [0] * len(windows)
    found: list[list[tuple[date, str, int, TouchDue]]] = [[] for _ in windows]
    shown_days: list[list[int]] = [[] for _ in windows]  # per window, a max-heap
    done = [False] * len(windows)
    for w, contact_id, name, cadence, last, count, utc_due in rows:
        totals[w] = count  # every row carries the count of its window
        if done[w]:
            continue
        limit, shown = windows[w][2], shown_days[w]
        if shown and len(shown) == limit:
            approx = to_local(from_iso(utc_due)).date()
            if approx - _MARGIN > date.fromordinal(-shown[0]):
                # This row and every later one of the window is due after those kept.
                done[w] = True
                if w == len(windows) - 1:
                    break  # (give the window that holds most rows last)
                continue
        since = to_local(from_iso(last or utc_due)).date()
        due = since + timedelta(days=cadence if last else 0)
        item = TouchDue(Link("contact", contact_id, name), cadence, last, due.isoformat())
        found[w].append((due, name.casefold(), contact_id, item))
        if len(shown) < limit:
            heapq.heappush(shown, -due.toordinal())
        else:
            heapq.heappushpop(shown, -due.toordinal())
    out = []
    for (_, _, limit), mine, total in zip(windows, found, totals, strict=True):
        mine.sort(key=lambda entry: entry[:3])
        out.append(([entry[3] for entry in mine[:limit]], total))
    return out


_CADENCES = "SELECT DISTINCT cadence_days FROM contacts WHERE cadence_days IS NOT NULL"
_DAY = timedelta(days=1)


# -- birthdays and anniversaries -----------------------------------------------------------


@dataclass
class Occasion:
    contact: Link
    kind: str  # "birthday" or "anniversary"
    date: str  # the stored date: YYYY-MM-DD, or --MM-DD without a year
    on: str  # the local day it falls on next (today included)
    years: int | None  # the age turned or years married, when the year is known


def occasions(
    db: Database, today: date, days_before: int, limit: int
) -> tuple[list[Occasion], int]:
    """Birthdays and anniversaries from today through `days_before` days ahead, soonest
    first (then by name): the first `limit` of them, and how many there are in all."""
    # Only dates whose month and day fall in the window are read: the contacts_birthday_day
    # and contacts_anniversary_day indexes find them (the expressions must match them).
    window: dict[str, date] = {}  # month-day -> the first day of the window it falls on
    for n in range(days_before + 1):
        day = today + timedelta(days=n)
        window.setdefault(f"{day:%m-%d}", day)
        if f"{day:%m-%d}" == "02-28" and not _leap(day.year):
            window.setdefault("02-29", day)  # 29 February is kept on 28 February
    marks = ", ".join("?" for _ in window)
    found = []
    for contact_id, name, kind, stored in db.execute(
        f"SELECT id, name, 'birthday', birthday FROM contacts"
        f" WHERE birthday IS NOT NULL AND substr(birthday, -5) IN ({marks})"
        " AND archived_at IS NULL"
        " UNION ALL SELECT id, name, 'anniversary', anniversary FROM contacts"
        f" WHERE anniversary IS NOT NULL AND substr(anniversary, -5) IN ({marks})"
        " AND archived_at IS NULL",
        [*window, *window],
    ):
        found.append((window[stored[-5:]], name.casefold(), kind, contact_id, name, stored))
    found.sort(key=lambda entry: entry[:4])
    shown = []
    for on, _, kind, contact_id, name, stored in found[:limit]:
        year = _date_parts(stored)[0]
        years = on.year - year if year else None
        link = Link("contact", contact_id, name)
        shown.append(Occasion(link, kind, stored, on.isoformat(), years))
    return shown, len(found)


def _date_parts(stored: str) -> tuple[int | None, int, int]:
    if stored.startswith("--"):
        return None, int(stored[2:4]), int(stored[5:7])
    return int(stored[:4]), int(stored[5:7]), int(stored[8:10])


# -- deals needing attention ---------------------------------------------------------------


@dataclass
class DealAttention:
    deal: Link
    stage: str
    pipeline: str
    expected_close: str | None
    last_activity_at: str
    reasons: list[str] = field(default_factory=list)  # "no follow-up", "past close ...", ...


def deals_needing_attention(
    db: Database, now: datetime, limit: int
) -> tuple[list[DealAttention], int]:
    """Open deals with no open follow-up, idle past the stage's rotting limit, or past their
    expected close day, the longest idle first: the first `limit` of them, and how many
    there are in all. SQL tests the three reasons (deals_open_idle and tasks_open_deal make
    it an index walk) and stops at `limit`."""
    today = to_local(now).date().isoformat()
    params: dict[str, object] = {"today": today, "limit": limit}
    stages = db.execute("SELECT id, rot_days FROM stages WHERE rot_days IS NOT NULL").fetchall()
    for n, (stage_id, rot_days) in enumerate(stages):
        params[f"s{n}"], params[f"b{n}"] = stage_id, _idle_before(now, rot_days)
    bounds = ", ".join(f"(:s{n}, :b{n})" for n in range(len(stages))) or "(NULL, NULL)"
    flagged = f"""
        WITH stale_before(stage_id, before) AS (VALUES {bounds})
        SELECT d.id, d.stage_id, d.pipeline_id, d.expected_close, d.last_activity_at,
               coalesce(d.expected_close, '') <> '' AND d.expected_close < :today AS past_close,
               coalesce(d.last_activity_at < (SELECT before FROM stale_before sb
                                              WHERE sb.stage_id = d.stage_id), 0) AS stale,
               NOT EXISTS (SELECT 1 FROM tasks t
                           WHERE t.deal_id = d.id AND t.status = 'open') AS no_follow_up
        FROM deals d WHERE d.status = 'open'
    """
    total = db.execute(
        f"SELECT count(*) FROM ({flagged}) WHERE past_close OR stale OR no_follow_up", params
    ).fetchone()[0]
    rows = db.execute(
        f"""
        SELECT f.id, d.title, s.name, s.rot_days, p.name, f.expected_close, f.last_activity_at,
               f.past_close, f.stale, f.no_follow_up
        FROM ({flagged}) f JOIN deals d ON d.id = f.id
        JOIN stages s ON s.id = f.stage_id JOIN pipelines p ON p.id = f.pipeline_id
        WHERE f.past_close OR f.stale OR f.no_follow_up
        ORDER BY f.last_activity_at, f.id LIMIT :limit
        """,
        params,
    ).fetchall()
    found = []
    for deal_id, title, stage, rot_days, pipeline, close, active, late, stale, alone in rows:
        reasons = [f"past expected close ({close})"] if late else []
        if stale:
            reasons.append(f"stale (limit {rot_days} days)")
        if alone:
            reasons.append("no follow-up")
        link = Link("deal", deal_id, title)
        found.append(DealAttention(link, stage, pipeline, close, active, reasons))
    return found, total


def _idle_before(now: datetime, rot_days: int) -> str:
    """A deal last active before this instant is idle longer than `rot_days` (the board's
    stale rule). Stored times are whole seconds and to_iso drops a fraction of a second:
    a bound with one is rounded up, so that `<` on the text is `<` on the instant."""
    bound = now - timedelta(days=rot_days)
    if bound.microsecond:
        bound += timedelta(seconds=1)
    return to_iso(bound)


def _leap(year: int) -> bool:
    """calendar.isleap, without importing calendar (~0.4 ms) into every agenda run."""
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
