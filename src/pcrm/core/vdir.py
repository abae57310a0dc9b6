"""What pcrm knows of the files of a vdir collection it synced (`vdir_items`, m022).

One row per file: its collection (the folder's resolved path), its UID (the file name
without the suffix), the record it stands for, the sha256 of the file as last written or
read, the sha256 of what pcrm would have written for the record then, and that file's
text (the base of the next field-by-field comparison). app/vdir.py decides; this module
only reads and writes the rows, and lists the records a collection holds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from pcrm.dates import to_iso
from pcrm.store.db import Database

Prefer = Literal["pcrm", "file"]


@dataclass
class Counts:
    """What happened to one collection's items."""

    new: int = 0  # export: files written for the first time; import: contacts made
    changed: int = 0
    unchanged: int = 0  # export only
    removed: int = 0  # export: files removed (the record was removed in pcrm)
    waiting: int = 0  # export: files changed in the folder, left for the import
    matched: int = 0  # import: new cards that joined a contact already in pcrm
    archived: int = 0  # import: contacts whose card was deleted in the folder
    done: int = 0  # import: follow-ups finished or deleted in the folder
    skipped: int = 0  # import: to-dos made elsewhere (a follow-up needs a contact)


@dataclass
class ItemConflict:
    """An item changed in pcrm and in the folder since the last sync."""

    collection: str  # contacts | tasks
    uid: str
    record_id: int
    name: str
    pcrm: str  # what pcrm would write now
    file: str | None  # the file's text; None: deleted in the folder
    kept: Prefer | None = None  # the side --prefer kept; None: nothing changed for it


@dataclass
class VdirResult:
    action: Literal["export", "import"]
    folder: str
    dry_run: bool
    contacts: Counts = field(default_factory=Counts)
    tasks: Counts = field(default_factory=Counts)
    conflicts: list[ItemConflict] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # "contacts/x.vcf: why it was not read"


@dataclass(frozen=True)
class Item:
    uid: str
    record_id: int
    sha256: str
    pcrm_sha256: str


def items(db: Database, collection: str) -> dict[str, Item]:
    """What pcrm knows of each file, without the texts (read one by one by content(): an
    export or an import of 100k unchanged files needs none of them)."""
    return {
        row[0]: Item(*row)
        for row in db.execute(
            "SELECT uid, record_id, sha256, pcrm_sha256 FROM vdir_items WHERE collection = ?",
            [collection],
        )
    }


def content(db: Database, collection: str, uid: str) -> str | None:
    """The file's text as pcrm last wrote or read it: the base an edit is compared with."""
    row = db.execute(
        "SELECT content FROM vdir_items WHERE collection = ? AND uid = ?", [collection, uid]
    ).fetchone()
    return str(row[0]) if row else None


def save_item(
    db: Database, now: datetime, collection: str, kind: str, item: Item, content: str
) -> None:
    db.execute(
        "INSERT INTO vdir_items(collection, uid, kind, record_id, sha256, pcrm_sha256, content,"
        " synced_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT(collection, uid) DO UPDATE SET kind = excluded.kind,"
        " record_id = excluded.record_id, sha256 = excluded.sha256,"
        " pcrm_sha256 = excluded.pcrm_sha256, content = excluded.content,"
        " synced_at = excluded.synced_at",
        [
            collection,
            item.uid,
            kind,
            item.record_id,
            item.sha256,
            item.pcrm_sha256,
            content,
            to_iso(now),
        ],
    )


def forget_item(db: Database, collection: str, uid: str) -> None:
    db.execute("DELETE FROM vdir_items WHERE collection = ? AND uid = ?", [collection, uid])


def live_contacts(db: Database) -> dict[int, str]:
    """id -> uid of the contacts a vdir holds: every one not archived."""
    return dict(db.execute("SELECT id, uid FROM contacts WHERE archived_at IS NULL"))


def live_tasks(db: Database) -> dict[int, str]:
    """id -> uid of the follow-ups a vdir holds: the open ones."""
    return dict(db.execute("SELECT id, uid FROM tasks WHERE status = 'open'"))


def record_of_uid(db: Database, table: str, uid: str) -> int | None:
    row = db.execute(f"SELECT id FROM {table} WHERE uid = ?", [uid]).fetchone()
    return int(row[0]) if row else None


def close_task(db: Database, now: datetime, task_id: int) -> None:
    """A follow-up whose file was deleted elsewhere: done, and a recurring one's series
    ends there (no next occurrence: deleting a reminder on a phone means "no more")."""
    db.execute(
        "UPDATE tasks SET status = 'done', done_at = ?, updated_at = ? WHERE id = ?"
        " AND status = 'open'",
        [to_iso(now), to_iso(now), task_id],
    )
