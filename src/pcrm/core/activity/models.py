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
