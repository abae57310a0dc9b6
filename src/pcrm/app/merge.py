"""Merging two contacts or companies, and undoing the last merge: each one write
transaction over core's merge, whose journal keeps every row it changed."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from pcrm.app.base import DatabaseFile

if TYPE_CHECKING:
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


def undo_merge(files: DatabaseFile, *, dry_run: bool) -> UndoResult:
    """Play the last merge's journal backwards (refused if its rows changed since)."""
    from pcrm.core.dedupe.merge import undo_last_merge

    with files.database(write=True, create=False) as db:
        return undo_last_merge(db, dry_run=dry_run)
