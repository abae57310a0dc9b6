"""What every record kind shares: its uid, and the log of deletions kept for sync."""

from __future__ import annotations

import uuid
from datetime import datetime

from pcrm.dates import to_iso
from pcrm.errors import NotFound
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


# The tables whose records a command may pick, then ask about or open in $EDITOR.
_TABLES = {
    "contact": "contacts",
    "company": "companies",
    "deal": "deals",
    "task": "tasks",
    "pipeline": "pipelines",
    "stage": "stages",
}


def id_of_uid(db: Database, kind: str, uid: str, label: str, outcome: str) -> int:
    """The id of a record picked before a question or an editor session, found again by
    its uid. Its id alone will not do: SQLite gives the id of the newest record to the
    next one added after it is removed, so by now that id may name someone else.

    `label` names the record as the user saw it ("contact 3 Bob Stone"); `outcome` says
    what did not happen ("nothing removed")."""
    row = db.execute(f"SELECT id FROM {_TABLES[kind]} WHERE uid = ?", [uid]).fetchone()
    if row is None:
        raise NotFound(
            f"{label} was removed meanwhile (by another pcrm); {outcome}",
            hint=f"see: pcrm {kind} list",
        )
    return int(row[0])
