"""The agenda: everything due, gathered from follow-ups, cadences, dates and deals.

Sections: overdue and today's follow-ups, upcoming follow-ups (the next `days` days after
today), people to stay in touch with, birthdays and anniversaries, deals needing attention.
Upcoming follow-ups are a look ahead, not something due: an agenda holding nothing else is
"nothing due", which is what keeps `pcrm agenda --cron` silent on a clean day.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlite_utils import Database

from pcrm.core.reminders import (
    DealAttention,
    Occasion,
    TouchDue,
    deals_needing_attention,
    occasions,
    stay_in_touch,
)
from pcrm.core.settings import reminder_days
from pcrm.core.tasks import Task, list_tasks, today_of
from pcrm.errors import InvalidInput

DEFAULT_DAYS = 7
MAX_DAYS = 366


@dataclass
class Agenda:
    today: str  # the local day it was made for
    days: int  # how far the upcoming section looks ahead
    reminder_days: int  # how early birthdays and anniversaries show
    overdue: list[Task] = field(default_factory=list)
    due_today: list[Task] = field(default_factory=list)
    upcoming: list[Task] = field(default_factory=list)
    stay_in_touch: list[TouchDue] = field(default_factory=list)
    occasions: list[Occasion] = field(default_factory=list)
    deals: list[DealAttention] = field(default_factory=list)

    @property
    def anything_due(self) -> bool:
        return any((self.overdue, self.due_today, self.stay_in_touch, self.occasions, self.deals))


def build_agenda(db: Database, now: datetime, days: int = DEFAULT_DAYS) -> Agenda:
    if not 0 <= days <= MAX_DAYS:
        raise InvalidInput(
            f"--days must be between 0 and {MAX_DAYS}, not {days}", hint="e.g. --days 14"
        )
    today = today_of(now)
    lead = reminder_days(db)
    agenda = Agenda(today.isoformat(), days, lead)
    horizon = (today + timedelta(days=days)).isoformat()
    for task in list_tasks(db, now, scope="open"):
        if task.bucket == "overdue":
            agenda.overdue.append(task)
        elif task.bucket == "today":
            agenda.due_today.append(task)
        elif task.due_date <= horizon:
            agenda.upcoming.append(task)
    agenda.stay_in_touch = stay_in_touch(db, now, today)
    agenda.occasions = occasions(db, today, lead)
    agenda.deals = deals_needing_attention(db, now)
    return agenda
