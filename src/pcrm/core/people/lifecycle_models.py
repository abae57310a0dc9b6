"""Lifecycle stages and a record's moves between them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pcrm.core.base import Link


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
