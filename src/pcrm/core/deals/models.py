"""Deals, their pipelines and stages, and their history."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pcrm.core.activity.models import Interaction
    from pcrm.core.activity.tasks import Task
    from pcrm.core.base import FieldValue, Link


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
    follow_ups: list[Task] = field(default_factory=list)  # open ones, soonest due first
    follow_up_count: int = 0  # open ones in all, with those left out of follow_ups
