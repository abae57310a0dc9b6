"""Merging two contacts or companies, and undoing the last merge: each one write
transaction over core's merge, whose journal keeps every row it changed."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from pcrm.app.base import DatabaseFile

if TYPE_CHECKING:
    from pcrm.core.changes import UndoneChange
    from pcrm.core.dedupe.merge import MergeResult, UndoResult


def merge_records(
    files: DatabaseFile,
    now: datetime,
    kind: str,
    keep_ref: str,
    other_ref: str,
    *,
    dry_run: bool,
) -> MergeResult:
    """Fold OTHER into KEEP (both REFs of `kind`: contact or company); a dry run says what
    would change and changes nothing. A missing database is an error, not created."""
    from pcrm.core.dedupe.merge import merge
    from pcrm.core.refs import resolve_company, resolve_contact

    resolve = resolve_contact if kind == "contact" else resolve_company
    with files.database(write=True, create=False) as db:
        keep_id, other_id = resolve(db, keep_ref), resolve(db, other_ref)
        return merge(db, now, kind, keep_id, other_id, dry_run=dry_run)


def undo_change(
    files: DatabaseFile, now: datetime, change_id: int | None, *, dry_run: bool
) -> UndoneChange | UndoResult:
    """Play a change backwards: `change_id`, or the last change not undone. A file whose
    only journal is that of merges made before the change journal (schema step m018)
    undoes its last merge from that journal."""
    from pcrm.core.changes import last_change, recorded, undo
    from pcrm.core.dedupe.merge import undo_last_merge
    from pcrm.core.journal import note_change

    with files.database(write=True, create=False) as db:
        if change_id is None and last_change(db) is None and recorded(db):
            old_merge = db.execute("SELECT 1 FROM merges LIMIT 1").fetchone()
            if old_merge is not None:
                result = undo_last_merge(db, dry_run=dry_run)
                note_change(db, f"undo of merge {result.id}")
                return result
        return undo(db, now, change_id, dry_run=dry_run)
