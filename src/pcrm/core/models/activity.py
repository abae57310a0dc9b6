"""Interactions as logged and exported."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pcrm.core.models.base import Link


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
