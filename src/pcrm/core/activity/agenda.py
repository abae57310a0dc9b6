"""The agenda: everything due, gathered from follow-ups, cadences, dates and deals.

Sections: overdue and today's follow-ups, planned interactions (meetings, calls... logged
ahead of time with `pcrm log --at`, from today through the next `days` days), upcoming
follow-ups (the next `days` days after today), people to stay in touch with, birthdays and
anniversaries, deals needing attention. Upcoming follow-ups and interactions planned after
today are a look ahead, not something due: an agenda holding nothing else is "nothing due",
which is what keeps `pcrm agenda --cron` silent on a clean day.

Missed (catch-up): what fell due on the local days strictly after the latest day a cron run
delivered for (core/activity/runs.py) and strictly before today — birthdays and
anniversaries of those days, follow-ups due then and still open, contacts whose cadence ran
out then. Those items are listed once, in their own section, and left out of Overdue and
Stay in touch in the same agenda; the next delivered run closes the window, and after it
the follow-up is simply overdue and the contact simply due. Planned interactions are not
part of it (they are history once their day has passed). No run ever delivered, or a
today not after that day (the clock went back): nothing is missed. The window is at most
MISSED_MAX_DAYS long, so its queries stay bounded.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from pcrm.core.activity.reminders import (
    DealAttention,
    Occasion,
    TouchDue,
    deals_needing_attention,
    occasions,
    stay_in_touch,
    stay_in_touch_windows,
)
from pcrm.core.activity.runs import last_delivered_day
from pcrm.core.activity.tasks import Task, open_tasks_due, today_of
from pcrm.core.settings import reminder_days
from pcrm.dates import from_iso, local_midnight, to_iso, to_local
from pcrm.errors import InvalidInput
from pcrm.store.db import Database

if TYPE_CHECKING:
    from pcrm.core.activity.models import Interaction

DEFAULT_DAYS = 7
MAX_DAYS = 366
MAX_ITEMS = 10**9  # "all": no limit a real database reaches
SECTION_LIMIT = 50  # items shown per section unless asked for all; the rest are counted
MISSED_MAX_DAYS = 366  # the longest catch-up window: runs skipped for longer show its last days


@dataclass
class Missed:
    """An item that fell due on a day no cron run delivered for."""

    kind: str  # "birthday", "anniversary", "follow-up" or "stay-in-touch"
    day: str  # the local day it fell due on, YYYY-MM-DD
    item: Task | Occasion | TouchDue


@dataclass
class Agenda:
    today: str  # the local day it was made for
    days: int  # how far the upcoming section looks ahead
    reminder_days: int  # how early birthdays and anniversaries show
    overdue: list[Task] = field(default_factory=list)
    due_today: list[Task] = field(default_factory=list)
    upcoming: list[Task] = field(default_factory=list)
    # Interactions logged ahead of time, due today through the last day ahead, soonest first.
    planned: list[Interaction] = field(default_factory=list)
    stay_in_touch: list[TouchDue] = field(default_factory=list)
    occasions: list[Occasion] = field(default_factory=list)
    deals: list[DealAttention] = field(default_factory=list)
    # The latest day a cron run delivered for (None: none ever did), and what fell due
    # after it and before today: oldest first.
    missed_since: str | None = None
    missed: list[Missed] = field(default_factory=list)
    # Items left out of a section past SECTION_LIMIT, by section: {"overdue": 120}.
    more: dict[str, int] = field(default_factory=dict)

    @property
    def planned_today(self) -> bool:
        """Whether an interaction is planned today: a meeting today is due today."""
        return (
            bool(self.planned)
            and to_local(from_iso(self.planned[0].at)).date().isoformat() == self.today
        )

    @property
    def anything_due(self) -> bool:
        due = (
            self.missed,
            self.overdue,
            self.due_today,
            self.stay_in_touch,
            self.occasions,
            self.deals,
        )
        return any(due) or self.planned_today


def planned_interactions(
    db: Database, first: date, last: date, limit: int
) -> tuple[list[Interaction], int]:
    """Interactions planned from the local day `first` through `last`: logged ahead of their
    time (`at` later than `created_at`), soonest first; the first `limit` and how many in
    all. A range of an index on interactions(at) (interactions_at or interactions_at_kind,
    as the planner likes) reads only those days' rows, however long the history."""
    start, end = local_midnight(first), local_midnight(last + timedelta(days=1))
    where = "i.at >= ? AND i.at < ? AND i.at > i.created_at AND i.cancelled_at IS NULL"
    args = [to_iso(start), to_iso(end)]
    rows = db.execute(
        f"SELECT i.id FROM interactions i WHERE {where} ORDER BY i.at, i.id LIMIT {int(limit)}",
        args,
    ).fetchall()
    total = len(rows)
    if total == limit:
        count = f"SELECT count(*) FROM interactions i WHERE {where}"
        total = db.execute(count, args).fetchone()[0]
    if not rows:  # most mornings: the interactions' modules are not imported (cron)
        return [], total
    from pcrm.core.activity.interactions import load_interactions

    return load_interactions(db, [row[0] for row in rows]), total


def build_agenda(
    db: Database, now: datetime, days: int = DEFAULT_DAYS, show_all: bool = False
) -> Agenda:
    """The agenda for the local day of `now`: each section's first SECTION_LIMIT items
    (all of them with show_all) and how many more there are."""
    if not 0 <= days <= MAX_DAYS:
        raise InvalidInput(
            f"--days must be between 0 and {MAX_DAYS}, not {days}", hint="e.g. --days 14"
        )
    today = today_of(now)
    lead = reminder_days(db)
    agenda = Agenda(today.isoformat(), days, lead)
    limit = MAX_ITEMS if show_all else SECTION_LIMIT
    since = last_delivered_day(db)
    agenda.missed_since = since.isoformat() if since else None
    window = missed_window(since, today)
    touches = None
    if window:
        # Contacts due in the missed days, before them, and today: one lookup of every
        # contact's last touch for the three (core/activity/reminders.py).
        touches = stay_in_touch_windows(
            db,
            now,
            [
                (window[1], window[0], limit),
                (today, today, limit),
                (window[0] - timedelta(days=1), None, limit),  # the most: last
            ],
        )
        _add_missed(db, now, agenda, window, limit, touches[0])
    ranges = {
        # What the missed section holds is not repeated as overdue.
        "overdue": (None, (window[0] if window else today) - timedelta(days=1)),
        "today": (today, today),
        "upcoming": (today + timedelta(days=1), today + timedelta(days=days)),
    }
    for key, (first, last) in ranges.items():
        if days == 0 and key == "upcoming":
            continue
        tasks, total = open_tasks_due(db, now, first, last, limit)
        setattr(agenda, "due_today" if key == "today" else key, tasks)
        if total > len(tasks):
            agenda.more[key] = total - len(tasks)
    last = today + timedelta(days=days)
    agenda.planned, total = planned_interactions(db, today, last, limit)
    if total > len(agenda.planned):
        agenda.more["planned"] = total - len(agenda.planned)
    found: dict[str, tuple[list[Any], int]] = {  # three kinds of items
        "stay-in-touch": _stay_in_touch(db, now, today, touches, limit),
        "dates": occasions(db, today, lead, limit),
        "deals": deals_needing_attention(db, now, limit),
    }
    for key, (items, total) in found.items():
        if total > len(items):
            agenda.more[key] = total - len(items)
    agenda.stay_in_touch = found["stay-in-touch"][0]
    agenda.occasions = found["dates"][0]
    agenda.deals = found["deals"][0]
    return agenda


def missed_window(since: date | None, today: date) -> tuple[date, date] | None:
    """The first and last local day whose items were missed: after `since` (the latest day
    a run delivered for) and before today, at most MISSED_MAX_DAYS; None when there is no
    such day (no run ever delivered, the last one was yesterday or later, or the clock went
    back)."""
    if since is None or since >= today - timedelta(days=1):
        return None
    first = max(since + timedelta(days=1), today - timedelta(days=MISSED_MAX_DAYS))
    return first, today - timedelta(days=1)


_KIND_ORDER = {"birthday": 0, "anniversary": 0, "follow-up": 1, "stay-in-touch": 2}


def _add_missed(
    db: Database,
    now: datetime,
    agenda: Agenda,
    window: tuple[date, date],
    limit: int,
    touched: tuple[list[TouchDue], int],
) -> None:
    """The missed section: each kind's first `limit` items (each query bounded by the
    window and the limit), merged oldest day first and cut at `limit`, the rest counted."""
    first, last = window
    tasks, task_total = open_tasks_due(db, now, first, last, limit)
    dates, date_total = occasions(db, first, (last - first).days, limit)
    touches, touch_total = touched  # stay_in_touch(db, now, last, limit, since=first)
    items = [Missed("follow-up", task.due_date, task) for task in tasks]
    items += [Missed(item.kind, item.on, item) for item in dates]
    items += [Missed("stay-in-touch", item.due_date, item) for item in touches]
    items.sort(key=lambda entry: (entry.day, _KIND_ORDER[entry.kind]))  # stable: each in order
    agenda.missed = items[:limit]
    total = task_total + date_total + touch_total
    if total > len(agenda.missed):
        agenda.more["missed"] = total - len(agenda.missed)


def _stay_in_touch(
    db: Database,
    now: datetime,
    today: date,
    touches: list[tuple[list[TouchDue], int]] | None,
    limit: int,
) -> tuple[list[TouchDue], int]:
    """Contacts due by today, less those the missed section holds (due in its window):
    those due before the window, then those due today (`touches`: the missed days',
    today's and the days before them, from stay_in_touch_windows)."""
    if touches is None:
        return stay_in_touch(db, now, today, limit)
    (due_today, today_total), (before, before_total) = touches[1], touches[2]
    return (before + due_today)[:limit], before_total + today_total
