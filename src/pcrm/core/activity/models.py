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
    source: str = "manual"  # manual, mail or calendar: where it came from
    external_id: str | None = None  # its id there (a Message-ID, a meeting's UID[/RECURRENCE-ID])
    direction: str | None = None  # in or out (captured mail); None where it does not apply
    origin: str | None = None  # the file or folder a captured meeting was read from

    @property
    def planned(self) -> bool:
        """Logged ahead of its time (it may have come since)."""
        return self.at > self.created_at
