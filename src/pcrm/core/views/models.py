"""What the timeline, `show`, search and `export interactions` return."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pcrm.core.activity.models import Interaction
    from pcrm.core.activity.tasks import Task
    from pcrm.core.base import Link
    from pcrm.core.deals.models import Deal
    from pcrm.core.people.lifecycle_models import LifecycleChange
    from pcrm.core.people.models import Company, Contact


HIGHLIGHT_START = "\ue000"
HIGHLIGHT_END = "\ue001"


@dataclass
class TimelineEvent:
    at: str
    # interaction kind ("call", "email"...), "added", "deal" (a stage/status change) or
    # "lifecycle" (a contact's or company's lifecycle stage change)
    kind: str
    summary: str
    text: str | None = None
    subject: Link | None = None  # the record the event belongs to, for a company's timeline
    interaction_id: int | None = None
    cancelled_at: str | None = None  # an interaction that was planned, then cancelled
    source: str | None = None  # an interaction's: manual, mail or calendar
    direction: str | None = None  # a captured mail's: in or out
    origin: str | None = None  # a captured meeting's: the file or folder it was read from


@dataclass
class ContactOverview:
    contact: Contact
    recent: list[Interaction]
    interaction_count: int
    last_touch: str | None
    next_touch: str | None
    deals: list[Deal] = field(default_factory=list)  # open first, then the latest closed
    lifecycle: list[LifecycleChange] = field(default_factory=list)  # newest first
    follow_ups: list[Task] = field(default_factory=list)  # open ones, soonest due first
    follow_up_count: int = 0  # open ones in all, with those left out of follow_ups
    archived_at: str | None = None  # archived (a card deleted on a device): contact restore


@dataclass
class CompanyOverview:
    company: Company
    people: list[Contact]
    recent: list[Interaction]
    interaction_count: int
    last_touch: str | None
    next_touch: str | None
    deals: list[Deal] = field(default_factory=list)  # open first, then the latest closed
    lifecycle: list[LifecycleChange] = field(default_factory=list)  # newest first
    follow_ups: list[Task] = field(default_factory=list)  # open ones, soonest due first
    follow_up_count: int = 0  # open ones in all, with those left out of follow_ups


@dataclass(frozen=True)
class SearchHit:
    kind: str
    id: int
    title: str
    snippet: str  # highlighted parts are wrapped in HIGHLIGHT_START / HIGHLIGHT_END
    score: float
    at: str | None = None


@dataclass
class ExportedInteraction:
    """An interaction as `pcrm export interactions` writes it: its people by name and
    uid (in the same order), its company and deal by name."""

    id: int
    uid: str
    kind: str
    at: str
    text: str
    contacts: list[Link] = field(default_factory=list)
    contact_uids: list[str] = field(default_factory=list)
    company: Link | None = None
    deal: Link | None = None
    cancelled_at: str | None = None  # a planned interaction that was called off
    source: str = "manual"  # manual, mail or calendar (pcrm capture)
    external_id: str | None = None  # a captured email's Message-ID
    direction: str | None = None  # in or out, for captured mail
