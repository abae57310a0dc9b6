"""The records core returns: plain dataclasses that render/ and formats/ turn into output.

Times are UTC ISO-8601 strings as stored; render/ shows them in local time.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# A custom field's value: int or float for number fields, "YYYY-MM-DD" for dates, else text.
FieldValue = int | float | str


@dataclass(frozen=True)
class FieldDef:
    """A custom field declared for one kind of record (`pcrm field add`)."""

    id: int
    kind: str  # contact | company | deal
    name: str
    type: str  # text | number | date | choice
    choices: tuple[str, ...] = ()  # a choice field's choices, as declared
    used: int = 0  # how many records have a value (filled by listings)


@dataclass(frozen=True)
class Email:
    email: str
    label: str | None = None


@dataclass(frozen=True)
class Phone:
    phone: str
    label: str | None = None


@dataclass(frozen=True)
class Link:
    """A short reference to another record: enough to name it in a listing."""

    kind: str
    id: int
    name: str


@dataclass
class Contact:
    id: int
    uid: str
    name: str
    company: Link | None
    title: str | None
    source: str | None
    birthday: str | None
    note: str | None
    last_contacted_at: str | None
    created_at: str
    updated_at: str
    emails: list[Email] = field(default_factory=list)
    phones: list[Phone] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    anniversary: str | None = None  # YYYY-MM-DD or --MM-DD, like birthday
    cadence_days: int | None = None  # stay in touch at least this often
    fields: dict[str, FieldValue] = field(default_factory=dict)  # custom field name -> value
    lifecycle_stage: str | None = None  # None: not in the lifecycle yet

    @property
    def primary_email(self) -> str | None:
        return self.emails[0].email if self.emails else None


@dataclass
class Company:
    id: int
    uid: str
    name: str
    domain: str | None
    website: str | None
    industry: str | None
    size: str | None
    note: str | None
    created_at: str
    updated_at: str
    tags: list[str] = field(default_factory=list)
    people_count: int = 0
    last_contacted_at: str | None = None
    fields: dict[str, FieldValue] = field(default_factory=dict)
    lifecycle_stage: str | None = None  # None: not in the lifecycle yet


@dataclass
class Interaction:
    id: int
    uid: str
    kind: str
    at: str
    text: str
    contacts: list[Link] = field(default_factory=list)
    company: Link | None = None


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


@dataclass
class ContactOverview:
    contact: Contact
    recent: list[Interaction]
    interaction_count: int
    last_touch: str | None
    next_touch: str | None
    deals: list[Deal] = field(default_factory=list)  # open first, then the latest closed
    lifecycle: list[LifecycleChange] = field(default_factory=list)  # newest first


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


@dataclass(frozen=True)
class SearchHit:
    kind: str
    id: int
    title: str
    snippet: str  # highlighted parts are wrapped in HIGHLIGHT_START / HIGHLIGHT_END
    score: float
    at: str | None = None


HIGHLIGHT_START = "\ue000"
HIGHLIGHT_END = "\ue001"


# -- deals and pipelines ---------------------------------------------------------------


@dataclass(frozen=True)
class Stage:
    id: int
    uid: str
    pipeline_id: int
    name: str
    position: int  # 1-based order within its pipeline
    probability: int  # win probability in percent, for the weighted forecast
    rot_days: int | None  # a deal idle longer than this is stale; None: never
    open_deals: int = 0  # filled by listings (pipelines, `pcrm stage list`); else 0


@dataclass
class Pipeline:
    id: int
    uid: str
    name: str
    is_default: bool
    stages: list[Stage] = field(default_factory=list)
    open_deals: int = 0


@dataclass(frozen=True)
class DealContact:
    id: int
    name: str
    role: str | None = None


@dataclass
class Deal:
    id: int
    uid: str
    title: str
    value: int  # in minor units of the currency (cents)
    currency: str  # ISO 4217 code
    exponent: int  # minor-unit digits of the currency (2 for EUR, 0 for JPY)
    company: Link | None
    pipeline: Link
    stage: Link
    probability: int
    status: str  # open | won | lost
    expected_close: str | None  # YYYY-MM-DD
    source: str | None
    lost_reason: str | None
    closed_at: str | None
    note: str | None
    stage_entered_at: str
    last_activity_at: str
    created_at: str
    updated_at: str
    contacts: list[DealContact] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    fields: dict[str, FieldValue] = field(default_factory=dict)


@dataclass(frozen=True)
class DealChange:
    """One row of a deal's history: a stage move and/or a status change."""

    at: str
    from_stage: str | None
    to_stage: str | None
    from_status: str | None
    to_status: str
    note: str | None = None  # the lost reason, or why the deal moved ("stage Demo removed")


@dataclass(frozen=True)
class StageSpell:
    """One uninterrupted stretch a deal spent open in a stage: from entering it until a move,
    a win or a loss (`ended_by`), or until now when it is still there (`left_at` None)."""

    stage: str  # the stage's name when the deal entered it
    entered_at: str
    left_at: str | None
    days: int  # whole days spent, up to `left_at` or now
    ended_by: str | None  # "moved" | "won" | "lost" | None (still there)


@dataclass
class DealView:
    """`pcrm deal show`: the deal, its full history, time in each stage, and the
    interactions logged against it (newest first)."""

    deal: Deal
    history: list[DealChange]
    time_in_stage: list[StageSpell]
    interactions: list[Interaction]
    interaction_count: int


# -- lifecycle ---------------------------------------------------------------------


@dataclass(frozen=True)
class LifecycleStage:
    name: str
    position: int  # 1-based order: the funnel's stages first, then the exits
    is_exit: bool  # disqualified, churned: a record leaves the funnel by it
    contacts: int = 0  # how many contacts are at it now
    companies: int = 0


@dataclass(frozen=True)
class LifecycleChange:
    """One lifecycle stage change of a contact or company (`subject`)."""

    at: str
    from_stage: str | None  # None: the record's first stage
    to_stage: str
    reason: str | None
    subject: Link
