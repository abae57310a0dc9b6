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

import calendar
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from pcrm.core.models import Link
from pcrm.dates import from_iso, to_iso, to_local
from pcrm.errors import InvalidInput
from pcrm.store.db import Database

_CADENCE = re.compile(
    r"(?:every )?(?P<n>\d{1,4}) ?(?P<unit>d|days?|w|weeks?|m|months?|y|years?)?", re.ASCII
)
_CADENCE_WORDS = {"daily": 1, "weekly": 7, "fortnightly": 14, "monthly": 30, "quarterly": 91}
_UNIT_DAYS = {"d": 1, "w": 7, "m": 30, "y": 365}
CADENCE_HINT = 'try 30d, 2w, 3m, "every 6 weeks" or monthly; "" clears'


def parse_cadence(text: str) -> int | None:
    """A stay-in-touch interval in days (a bare number is days; months count 30 days, years
    365); "" clears it."""
    s = " ".join(text.lower().split())
    if s in ("", "none", "never"):
        return None
    if s in _CADENCE_WORDS:
        return _CADENCE_WORDS[s]
    match = _CADENCE.fullmatch(s)
    if match is None and _CADENCE.fullmatch(s.lstrip("-")):
        raise InvalidInput(f'cadence "{text.strip()}" cannot be negative', hint=CADENCE_HINT)
    if match is None:
        raise InvalidInput(f'cannot read cadence "{text.strip()}"', hint=CADENCE_HINT)
    days = int(match["n"]) * _UNIT_DAYS[(match["unit"] or "d")[0]]  # a bare number: days
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


def stay_in_touch(db: Database, now: datetime, until: date) -> list[TouchDue]:
    """Contacts with a cadence whose due day is on or before `until`, longest overdue first."""
    rows = db.execute(
        """
        SELECT c.id, c.name, c.cadence_days, c.created_at,
               (SELECT max(i.at) FROM interaction_contacts ic
                JOIN interactions i ON i.id = ic.interaction_id
                WHERE ic.contact_id = c.id AND i.at <= :now)
        FROM contacts c WHERE c.cadence_days IS NOT NULL
        """,
        {"now": to_iso(now)},
    ).fetchall()
    found = []
    for contact_id, name, cadence, created_at, last in rows:
        since = to_local(from_iso(last or created_at)).date()
        due = since + timedelta(days=cadence if last else 0)
        if due <= until:
            found.append(
                TouchDue(Link("contact", contact_id, name), cadence, last, due.isoformat())
            )
    return sorted(found, key=lambda item: (item.due_date, item.contact.name.casefold()))


# -- birthdays and anniversaries -----------------------------------------------------------


@dataclass
class Occasion:
    contact: Link
    kind: str  # "birthday" or "anniversary"
    date: str  # the stored date: YYYY-MM-DD, or --MM-DD without a year
    on: str  # the local day it falls on next (today included)
    years: int | None  # the age turned or years married, when the year is known


def next_occurrence(month: int, day: int, today: date) -> date:
    """This year's or next year's day; 29 February is kept on 28 February in common years."""
    for year in (today.year, today.year + 1):
        last_day = calendar.monthrange(year, month)[1]
        candidate = date(year, month, min(day, last_day))
        if candidate >= today:
            return candidate
    raise AssertionError("a date recurs within a year")


def occasions(db: Database, today: date, days_before: int) -> list[Occasion]:
    """Birthdays and anniversaries from today through `days_before` days ahead."""
    horizon = today + timedelta(days=days_before)
    # Only dates whose month and day fall in the window are read (SQLite filters them).
    days = {f"{today + timedelta(days=n):%m-%d}" for n in range(days_before + 1)}
    if "02-28" in days and not calendar.isleap(today.year if today.month <= 2 else today.year + 1):
        days.add("02-29")
    marks = ", ".join("?" for _ in days)
    found = []
    for contact_id, name, kind, stored in db.execute(
        f"SELECT id, name, 'birthday', birthday FROM contacts"
        f" WHERE substr(birthday, -5) IN ({marks})"
        " UNION ALL SELECT id, name, 'anniversary', anniversary FROM contacts"
        f" WHERE substr(anniversary, -5) IN ({marks})",
        [*days, *days],
    ):
        year_part, month, day = _date_parts(stored)
        on = next_occurrence(month, day, today)
        if on <= horizon:
            years = on.year - year_part if year_part else None
            found.append(
                Occasion(Link("contact", contact_id, name), kind, stored, on.isoformat(), years)
            )
    return sorted(found, key=lambda item: (item.on, item.contact.name.casefold(), item.kind))


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


def deals_needing_attention(db: Database, now: datetime) -> list[DealAttention]:
    """Open deals with no open follow-up, idle past the stage's rotting limit, or past their
    expected close day; the longest idle first."""
    today = to_local(now).date()
    rows = db.execute(
        """
        SELECT d.id, d.title, s.name, p.name, d.expected_close, d.last_activity_at, s.rot_days,
               EXISTS (SELECT 1 FROM tasks t WHERE t.deal_id = d.id AND t.status = 'open')
        FROM deals d JOIN stages s ON s.id = d.stage_id JOIN pipelines p ON p.id = d.pipeline_id
        WHERE d.status = 'open'
        ORDER BY d.last_activity_at, d.id
        """
    ).fetchall()
    found = []
    for deal_id, title, stage, pipeline, close, active, rot_days, has_task in rows:
        reasons = []
        if close and date.fromisoformat(close) < today:
            reasons.append(f"past expected close ({close})")
        idle = now - from_iso(active)
        # The board's stale flag uses the same comparison, so both agree on a deal.
        if rot_days is not None and idle > timedelta(days=rot_days):
            reasons.append(f"stale (limit {rot_days} days)")
        if not has_task:
            reasons.append("no follow-up")
        if reasons:
            found.append(
                DealAttention(Link("deal", deal_id, title), stage, pipeline, close, active, reasons)
            )
    return found
