"""An interaction as logged and listed."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pcrm.core.base import Link


@dataclass
class Interaction:
    id: int
    uid: str
    kind: str
    at: str
    text: str
    contacts: list[Link] = field(default_factory=list)
    company: Link | None = None
    deal: Link | None = None
    created_at: str = ""
    cancelled_at: str | None = None  # a planned interaction called off: never a touch

    @property
    def planned(self) -> bool:
        """Logged ahead of its time (it may have come since)."""
        return self.at > self.created_at
