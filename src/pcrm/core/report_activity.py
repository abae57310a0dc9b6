"""`pcrm report activity`: interactions per kind per week, contacts touched, follow-ups
done and missed.

Weeks are ISO weeks in local time, Monday to Sunday, named by their Monday; every week the
period touches gets a row, empty ones too, so gaps show. Without --since the period starts
on the Monday seven weeks before the week it ends in (eight weeks in all); without --until
it ends now, so planned interactions are not counted as done. docs/reports.md defines every
figure.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from dateutil import tz
from sqlite_utils import Database

from pcrm.core.period import Period, local_days
from pcrm.dates import from_iso, local_tz, to_iso, to_local
from pcrm.store.schema import INTERACTION_KINDS

WEEKS = 8  # weeks shown when --since is not given, the current one included


@dataclass
class ActivityWeek:
    week: str  # the Monday, YYYY-MM-DD; "all" for the period's total
    kinds: dict[str, int]  # every interaction kind, in schema order, zeros included
    total: int
    contacts: int  # distinct contacts linked to those interactions
    followups_done: int  # follow-ups marked done in the week
    followups_overdue: int  # follow-ups due in the week and not done by their due day


@dataclass
class ActivityReport:
    now: str
    period: Period
    weeks: list[ActivityWeek]
    total: ActivityWeek  # contacts counted once over the whole period
    overdue_now: int  # open follow-ups due before today, whatever the period
    kinds: list[str] = field(default_factory=lambda: list(INTERACTION_KINDS))


def _local_midnight(day: date) -> datetime:
    return tz.resolve_imaginary(datetime.combine(day, time(), tzinfo=local_tz()))


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def default_period(period: Period, now: datetime) -> Period:
    """The period with its defaults: it ends now, and starts WEEKS weeks back, on a Monday."""
    end = period.end or to_iso(now)
    if period.start is not None:
        return Period(period.start, end)
    last = to_local(from_iso(end) - timedelta(seconds=1)).date()
    start = _local_midnight(_monday(last) - timedelta(weeks=WEEKS - 1))
    return Period(to_iso(start), end)


def _week_of(stamp: str) -> str:
    return _monday(to_local(from_iso(stamp)).date()).isoformat()


def _row(week: str) -> ActivityWeek:
    return ActivityWeek(week, dict.fromkeys(INTERACTION_KINDS, 0), 0, 0, 0, 0)


def activity_report(db: Database, now: datetime, period: Period) -> ActivityReport:
    """Activity in `period` (give it start and end: see default_period)."""
    first, after = local_days(period)
    assert first is not None and after is not None, "the period needs both ends"
    weeks: dict[str, ActivityWeek] = {}
    monday = _monday(date.fromisoformat(first))
    while monday.isoformat() < after:
        weeks[monday.isoformat()] = _row(monday.isoformat())
        monday += timedelta(weeks=1)
    total = _row("all")

    where, params = period.sql("i.at")
    for kind, at in db.execute(f"SELECT i.kind, i.at FROM interactions i WHERE {where}", params):
        row = weeks[_week_of(at)]
        row.kinds[kind] = row.kinds.get(kind, 0) + 1
        row.total += 1
        total.kinds[kind] = total.kinds.get(kind, 0) + 1
        total.total += 1

    touched: dict[str, set[int]] = defaultdict(set)
    everyone: set[int] = set()
    for contact_id, at in db.execute(
        "SELECT ic.contact_id, i.at FROM interaction_contacts ic"
        f" JOIN interactions i ON i.id = ic.interaction_id WHERE {where}",
        params,
    ):
        touched[_week_of(at)].add(contact_id)
        everyone.add(contact_id)
    for week, people in touched.items():
        weeks[week].contacts = len(people)
    total.contacts = len(everyone)

    done_where, done_params = period.sql("done_at")
    for (done_at,) in db.execute(
        f"SELECT done_at FROM tasks WHERE status = 'done' AND {done_where}", done_params
    ):
        weeks[_week_of(done_at)].followups_done += 1
        total.followups_done += 1

    today = to_local(now).date().isoformat()
    for due, status, done_at in db.execute(
        "SELECT due_date, status, done_at FROM tasks"
        " WHERE due_date >= ? AND due_date < ? AND due_date < ?",
        [first, after, today],
    ):
        # Missed: its day is over and it was not done on or before that day.
        if status == "open" or to_local(from_iso(done_at)).date().isoformat() > due:
            weeks[_monday(date.fromisoformat(due)).isoformat()].followups_overdue += 1
            total.followups_overdue += 1

    overdue_now = db.execute(
        "SELECT count(*) FROM tasks WHERE status = 'open' AND due_date < ?", [today]
    ).fetchone()[0]
    return ActivityReport(to_iso(now), period, list(weeks.values()), total, overdue_now)
