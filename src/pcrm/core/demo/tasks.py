"""The demo's follow-ups and reminders, so `pcrm agenda` on the demo has every section: an
overdue follow-up, today's call, upcoming and recurring ones, people to stay in touch with
(their cadence), a customer anniversary and the birthdays of demo_data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from pcrm.core.activity.tasks import TaskForm, add_task
from pcrm.core.people.contacts import ContactChanges, update_contact
from pcrm.dates import to_local

if TYPE_CHECKING:
    from pcrm.core.demo.build import Demo


@dataclass(frozen=True)
class SampleFollowUp:
    person: str  # a SamplePerson key
    title: str
    due: str  # WHEN, from the demo's clock
    deal: str | None = None  # a SampleDeal title
    every: str | None = None


FOLLOW_UPS = (
    SampleFollowUp("ada", "Send the revised quote", "2 days ago", "20-seat annual licence"),
    SampleFollowUp("jose", "Call about the extra roastery seats", "today 15:00",
                   "Two more roastery seats"),
    SampleFollowUp("mehmet", "Check-in on the driver app", "tomorrow 09:30", "Driver app add-on",
                   every="weekly"),
    SampleFollowUp("priya.r", "Chase the signed order form", "in 3 days", "Legal ops workspace"),
    SampleFollowUp("mary", "Monthly catch-up with Mary", "in 6 days", every="monthly"),
    SampleFollowUp("a.okafor", "Ask whether the CFO has decided", "in 9 days",
                   "Clinic scheduling rollout"),
)  # fmt: skip

# person key -> (stay-in-touch cadence, anniversary as "days from now" or None)
REMINDERS = {
    "mary": ("3w", None),
    "zoe": ("monthly", None),
    "kwame": ("quarterly", None),
    "ada": ("2w", None),  # called today: not due
    "mehmet": (None, 4),  # a customer for four years on a day this week
}


def seed_follow_ups(demo: Demo) -> None:
    deals = dict(demo.db.execute("SELECT title, id FROM deals").fetchall())
    for sample in FOLLOW_UPS:
        form = TaskForm(
            title=sample.title,
            ref=str(demo.contacts[sample.person]),
            deal=str(deals[sample.deal]) if sample.deal else None,
            due=sample.due,
            every=sample.every,
        )
        add_task(demo.db, demo.now, form)
    for person, (cadence, anniversary_in) in REMINDERS.items():
        anniversary = None
        if anniversary_in is not None:
            day = to_local(demo.now).date() + timedelta(days=anniversary_in)
            anniversary = date(day.year - 4, day.month, day.day).isoformat()  # 29 Feb too
        changes = ContactChanges(cadence=cadence, anniversary=anniversary)
        update_contact(demo.db, demo.now, demo.contacts[person], changes)
    demo.counts["follow-ups"] = len(FOLLOW_UPS)
