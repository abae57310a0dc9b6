"""`pcrm report activity`: interactions per kind per week, contacts touched, follow-ups
done and missed.

Weeks are ISO weeks in local time, Monday to Sunday, named by their Monday; every week the
period touches gets a row, empty ones too, so gaps show. Without --since the period starts
on the Monday seven weeks before the week it ends in (eight weeks in all); without --until
it ends now, so planned interactions are not counted as done. docs/reports.md defines every
figure.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from pcrm.core.activity.kinds import kind_names
from pcrm.core.reports.period import Period, local_days
from pcrm.core.vocabulary import INTERACTION_KINDS
from pcrm.dates import from_iso, local_midnight, to_iso, to_local
from pcrm.store.db import Database

WEEKS = 8  # weeks shown when --since is not given, the current one included
CHUNK = 1000  # weeks per query: 3 parameters each, well under SQLite's 32766


@dataclass
class ActivityWeek:
    week: str  # the Monday, YYYY-MM-DD; "all" for the period's total
    kinds: dict[str, int]  # every interaction kind, in the kinds' order, zeros included
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


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def default_period(period: Period, now: datetime) -> Period:
    """The period with its defaults: it ends now, and starts WEEKS weeks back, on a Monday."""
    end = period.end or to_iso(now)
    if period.start is not None:
        return Period(period.start, end)
    last = to_local(from_iso(end) - timedelta(seconds=1)).date()
    start = local_midnight(_monday(last) - timedelta(weeks=WEEKS - 1))
    return Period(to_iso(start), end)


def _row(week: str, kinds: list[str]) -> ActivityWeek:
    return ActivityWeek(week, dict.fromkeys(kinds, 0), 0, 0, 0, 0)


def _weeks(period: Period) -> list[tuple[str, str, str]]:
    """(Monday, start, end) of every local week the period touches, each cut to the period:
    UTC ISO bounds, so rows are placed in weeks by comparing stored text."""
    first, after = local_days(period)
    assert first is not None and after is not None, "the period needs both ends"
    assert period.start is not None and period.end is not None
    out = []
    monday = _monday(date.fromisoformat(first))
    while monday.isoformat() < after:
        start = to_iso(local_midnight(monday))
        end = to_iso(local_midnight(monday + timedelta(weeks=1)))
        out.append((monday.isoformat(), max(start, period.start), min(end, period.end)))
        monday += timedelta(weeks=1)
    return out


def _count_interactions(
    db: Database,
    bounds: list[tuple[str, str, str]],
    weeks: dict[str, ActivityWeek],
    total: ActivityWeek,
) -> None:
    """Interactions per kind in each of these weeks (a cancelled one did not happen)."""
    ranges = "WITH w(week, s, e) AS (VALUES " + ", ".join(["(?, ?, ?)"] * len(bounds)) + ")"
    flat = [value for bound in bounds for value in bound]
    # A range of the interactions_at_kind index per week: the kind is read from the index,
    # not from each interaction's row. Every interaction is counted, then the cancelled
    # ones (the few in interactions_cancelled) are taken off: testing cancelled_at on
    # each one read every row.
    per = "SELECT w.week, i.kind, count(*) FROM w CROSS JOIN interactions i"
    per += " ON i.at >= w.s AND i.at < w.e"
    net: dict[tuple[str, str], int] = defaultdict(int)
    for monday, kind, count in db.execute(f"{ranges} {per} GROUP BY w.week, i.kind", flat):
        net[monday, kind] += count
    for monday, kind, count in db.execute(
        f"{ranges} {per} WHERE i.cancelled_at IS NOT NULL GROUP BY w.week, i.kind", flat
    ):
        net[monday, kind] -= count
    for (monday, kind), count in net.items():
        if not count:
            continue  # all of them cancelled
        row = weeks[monday]
        row.kinds[kind] = row.kinds.get(kind, 0) + count
        row.total += count
        total.kinds[kind] = total.kinds.get(kind, 0) + count
        total.total += count


def _count_contacts(
    db: Database, bounds: list[tuple[str, str, str]], weeks: dict[str, ActivityWeek]
) -> set[str]:
    """Contacts touched in each of these weeks; returns the ids of those touched in any.

    Each week's links come from a range of interaction_contacts_at (a link carries its
    interaction's time, NULL once cancelled), as one text of the contacts' ids per week;
    Python counts them apart with sets. Sorting the links by contact in SQL to count
    them (GROUP BY, DISTINCT) cost twice as much, and the sets hold at most one id per
    contact, however many links there are."""
    ranges = "WITH w(week, s, e) AS (VALUES " + ", ".join(["(?, ?, ?)"] * len(bounds)) + ")"
    flat = [value for bound in bounds for value in bound]
    touched: set[str] = set()
    for monday, ids in db.execute(
        f"{ranges} SELECT w.week, group_concat(ic.contact_id)"
        " FROM w CROSS JOIN interaction_contacts ic ON ic.at >= w.s AND ic.at < w.e"
        " GROUP BY w.week",
        flat,
    ):
        week = set(ids.split(","))
        weeks[monday].contacts = len(week)
        touched |= week
    return touched


def activity_report(db: Database, now: datetime, period: Period) -> ActivityReport:
    """Activity in `period` (give it start and end: see default_period).

    Interactions are counted per week and kind in SQL, each week a range of the
    interactions_at_kind index, so a long period over a big file reads no row of the table
    and converts no time; follow-ups are counted per due day (one conversion per day)."""
    bounds = _weeks(period)
    kinds = kind_names(db)
    weeks = {monday: _row(monday, kinds) for monday, _, _ in bounds}
    starts = [start for _, start, _ in bounds]
    total = _row("all", kinds)

    def week_of(stamp: str) -> ActivityWeek:
        return weeks[bounds[bisect_right(starts, stamp) - 1][0]]

    touched: set[str] = set()
    for chunk in range(0, len(bounds), CHUNK):
        _count_interactions(db, bounds[chunk : chunk + CHUNK], weeks, total)
        touched |= _count_contacts(db, bounds[chunk : chunk + CHUNK], weeks)
    total.contacts = len(touched)

    done_where, done_params = period.sql("done_at")
    for (done_at,) in db.execute(
        f"SELECT done_at FROM tasks WHERE status = 'done' AND {done_where}", done_params
    ):
        week_of(done_at).followups_done += 1
        total.followups_done += 1

    first, after = local_days(period)
    today = to_local(now).date().isoformat()
    last = min(after or today, today)  # due days whose day is over
    # Open follow-ups due on a past day are overdue: counted per day by the tasks_due index.
    overdue = dict.fromkeys(weeks, 0)
    for due, count in db.execute(
        "SELECT due_date, count(*) FROM tasks WHERE status = 'open'"
        " AND due_date >= ? AND due_date < ? GROUP BY due_date",
        [first, last],
    ):
        overdue[_monday(date.fromisoformat(due)).isoformat()] += count
    # Done ones were overdue when done after their day ended: one conversion per due day.
    day_after: dict[str, str] = {}
    for due, done_at in db.execute(
        "SELECT due_date, done_at FROM tasks WHERE status = 'done'"
        " AND due_date >= ? AND due_date < ?",
        [first, last],
    ):
        if due not in day_after:
            next_day = date.fromisoformat(due) + timedelta(days=1)
            day_after[due] = to_iso(local_midnight(next_day))
        if done_at >= day_after[due]:
            overdue[_monday(date.fromisoformat(due)).isoformat()] += 1
    for monday, count in overdue.items():
        weeks[monday].followups_overdue = count
        total.followups_overdue += count

    overdue_now = db.execute(
        "SELECT count(*) FROM tasks WHERE status = 'open' AND due_date < ?", [today]
    ).fetchone()[0]
    return ActivityReport(to_iso(now), period, list(weeks.values()), total, overdue_now, kinds)
