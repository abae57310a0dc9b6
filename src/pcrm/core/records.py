"""What every record kind shares: its uid, and the log of deletions kept for sync."""

from __future__ import annotations

import uuid
from datetime import datetime

from pcrm.dates import to_iso
from pcrm.store.db import Database


class PartialEdit:
    """Base of the *Changes dataclasses: a field left None (or an empty list) means
    "leave it alone" (so does an empty dict of custom fields), so an edit with nothing set
    is empty."""

    def is_empty(self) -> bool:
        fields = self.__dataclass_fields__  # type: ignore[attr-defined]
        return not any(getattr(self, name) not in (None, [], {}) for name in fields)


def new_uid() -> str:
    return str(uuid.uuid4())


def record_deletion(db: Database, now: datetime, kind: str, uid: str) -> None:
    db.execute(
        "INSERT INTO deletions(kind, uid, deleted_at) VALUES (?, ?, ?)", [kind, uid, to_iso(now)]
    )
