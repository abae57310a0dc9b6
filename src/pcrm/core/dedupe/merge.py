"""Merging two contacts (or two companies) into one, and undoing the last merge.

Every row that references OTHER moves to KEEP. The tables are found from the schema's
foreign keys, so a table added by a later migration is moved too, as long as it declares
its reference (`REFERENCES contacts(id)`). A row KEEP already has an equal of (the same
tag, deal or interaction; a phone with the same number) is not moved: it is removed, and
the empty columns of KEEP's row are filled from it (a deal role, say). Then KEEP's empty
fields are filled from OTHER, notes are joined, OTHER is deleted (recorded for sync), and
the journal of every row touched is kept in `merges` for `undo_last_merge`.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pcrm.core.base import Link
from pcrm.core.dedupe.journal import (
    Journal,
    Row,
    TableInfo,
    loads,
    play_backwards,
    referencing,
    table_info,
)
from pcrm.core.dedupe.journal import select as select_rows
from pcrm.core.matching import kind_plural
from pcrm.core.people.lifecycle import last_change_at
from pcrm.core.people.phones import phone_key
from pcrm.core.records import record_deletion
from pcrm.core.settings import phone_region
from pcrm.dates import to_iso
from pcrm.errors import Conflict, InvalidInput, NotFound
from pcrm.store.db import Database

TABLES = {"contact": "contacts", "company": "companies"}
# A record's own columns that a merge never takes from OTHER.
_OWN = {"id", "uid", "name", "name_key", "created_at", "updated_at"}
# Rows that are equal without a UNIQUE index saying so: (column, key of its value).
_SAME_VALUE: dict[str, tuple[str, Callable[[Any, str], str | None]]] = {
    "contact_phones": ("phone", lambda value, region: phone_key(value, region)),
}
# Never moved: the merge journal itself.
_SKIP = ("merges",)


@dataclass
class Moved:
    """What happened to the rows of one table that referenced OTHER."""

    table: str
    column: str
    moved: int
    already: int  # rows KEEP already had an equal of: removed, their details kept


@dataclass
class MergeResult:
    id: int | None  # the merge's id; None on a dry run
    kind: str
    keep: Link
    other: Link
    moves: list[Moved]
    filled: list[str]  # KEEP's fields that took OTHER's value
    joined: list[str]  # KEEP's fields OTHER's value was added to (notes)
    dry_run: bool


@dataclass
class UndoResult:
    id: int
    kind: str
    keep: Link
    other: Link
    merged_at: str
    rows: int  # rows put back
    dry_run: bool


@contextlib.contextmanager
def _rolled_back(db: Database, dry_run: bool) -> Iterator[None]:
    """Run the block for real, then take it all back when this is a dry run: what it
    reports is exactly what the command would do."""
    if not dry_run:
        yield
        return
    db.execute("SAVEPOINT dry_run")
    try:
        yield
    finally:
        db.execute("ROLLBACK TO dry_run")
        db.execute("RELEASE dry_run")


def _row(db: Database, info: TableInfo, kind: str, record_id: int) -> Row:
    rows = select_rows(db, info, "id = ?", [record_id])
    if not rows:
        raise NotFound(f"{kind} {record_id} no longer exists", hint=f"see: pcrm {kind} list")
    return rows[0]


def merge(
    db: Database, now: datetime, kind: str, keep_id: int, other_id: int, *, dry_run: bool = False
) -> MergeResult:
    """Merge record OTHER into KEEP (contacts or companies, by `kind`)."""
    table = TABLES[kind]
    if keep_id == other_id:
        raise InvalidInput(
            f"cannot merge {kind} {keep_id} into itself",
            hint=f"give two different {kind_plural(kind)}",
        )
    info = table_info(db, table)
    keep_row, other_row = _row(db, info, kind, keep_id), _row(db, info, kind, other_id)
    # Asked before the history moves: afterwards all of it is KEEP's.
    other_stage_newer = _changed_stage_later(db, kind, other_id, keep_id)
    with _rolled_back(db, dry_run):
        journal = Journal(db)
        region = phone_region(db)
        moves = []
        for ref_table, column in referencing(db, table, skip=_SKIP):
            moved = _move(db, journal, table_info(db, ref_table), column, keep_id, other_id, region)
            if moved:
                moves.append(moved)
        # Re-read both: a reference between them may just have moved.
        keep_row, other_row = _row(db, info, kind, keep_id), _row(db, info, kind, other_id)
        journal.delete(info, other_row)
        record_deletion(db, now, kind, other_row["uid"])
        journal.inserted(
            table_info(db, "deletions"), db.execute("SELECT last_insert_rowid()").fetchone()[0]
        )
        sets = _filled(info, keep_row, other_row, other_stage_newer)
        joined = [c for c in sets if keep_row[c] not in (None, "") and c == "note"]
        journal.update(info, keep_row, {**sets, "updated_at": to_iso(now)})
        merge_id = None
        if not dry_run:
            merge_id = _record(db, now, kind, keep_id, other_row, journal)
    return MergeResult(
        merge_id,
        kind,
        Link(kind, keep_id, keep_row["name"]),
        Link(kind, other_id, other_row["name"]),
        moves,
        [column for column in sets if column not in joined],
        joined,
        dry_run,
    )


def _move(
    db: Database,
    journal: Journal,
    info: TableInfo,
    column: str,
    keep_id: int,
    other_id: int,
    region: str,
) -> Moved | None:
    """Point `info`'s rows at KEEP instead of OTHER; a row KEEP already has an equal of is
    removed instead, after filling the empty columns of KEEP's row from it."""
    where = f'"{column}" = ?'
    rows = select_rows(db, info, where, [other_id])
    if not rows:
        return None
    keep_rows = select_rows(db, info, where, [keep_id])
    uniques = [unique for unique in info.unique if column in unique]
    # Rows in a user-visible order (emails, phones) go after KEEP's own.
    positioned = "position" in info.columns
    positions = [r["position"] for r in keep_rows if positioned and r["position"] is not None]
    next_position = max(positions, default=-1) + 1
    moved = already = 0
    for row in rows:
        twin = next(
            (k for k in keep_rows if _equal(info.name, row, k, column, uniques, region)), None
        )
        if twin is None:
            sets: Row = {column: keep_id}
            if positioned:
                sets["position"] = next_position
                next_position += 1
            try:
                keep_rows.append(journal.update(info, row, sets))
            except sqlite3.IntegrityError as exc:
                # A rule the schema keeps that merge cannot read (an index on an
                # expression, a CHECK): say where, and the transaction undoes the rest.
                raise Conflict(
                    f"cannot move a row of {info.name} to the record kept: {exc}",
                    hint="change or remove one of the two rows first",
                ) from exc
            moved += 1
            continue
        journal.delete(info, row)
        fill = {c: row[c] for c in info.columns if twin.get(c) is None and row[c] is not None}
        if fill:
            keep_rows[keep_rows.index(twin)] = journal.update(info, twin, fill)
        already += 1
    return Moved(info.name, column, moved, already)


def _equal(
    table: str, row: Row, twin: Row, column: str, uniques: list[tuple[str, ...]], region: str
) -> bool:
    """Would `row`, moved to KEEP, repeat KEEP's `twin`?"""
    for unique in uniques:
        if all(row[c] is not None and row[c] == twin[c] for c in unique if c != column):
            return True
    if table in _SAME_VALUE:
        value_column, key = _SAME_VALUE[table]
        mine = key(row[value_column], region)
        return mine is not None and mine == key(twin[value_column], region)
    return False


def _filled(info: TableInfo, keep: Row, other: Row, other_stage_newer: bool) -> Row:
    """KEEP's empty fields take OTHER's values; notes are joined; the latest contact and
    the latest lifecycle stage win, so the stage agrees with the merged history."""
    sets: Row = {}
    for column in info.columns:
        mine, theirs = keep[column], other[column]
        if column in _OWN or theirs in (None, "") or mine == theirs:
            continue
        if mine in (None, ""):
            sets[column] = theirs
        elif column == "note":
            sets[column] = f"{mine}\n\n{theirs}"
        elif (column == "last_contacted_at" and theirs > mine) or (
            column == "lifecycle_stage" and other_stage_newer
        ):
            sets[column] = theirs
    return sets


def _changed_stage_later(db: Database, kind: str, record_id: int, than_id: int) -> bool:
    """Did `record_id` move to its lifecycle stage after `than_id` moved to its own?"""
    mine, theirs = last_change_at(db, kind, record_id), last_change_at(db, kind, than_id)
    return mine is not None and (theirs is None or mine > theirs)


def _record(
    db: Database, now: datetime, kind: str, keep_id: int, other: Row, journal: Journal
) -> int:
    cursor = db.execute(
        "INSERT INTO merges(kind, keep_id, other_id, other_uid, other_name, other_row, changes,"
        " merged_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            kind,
            keep_id,
            other["id"],
            other["uid"],
            other["name"],
            json.dumps(other, ensure_ascii=False, default=str),
            journal.dumps(),
            to_iso(now),
        ],
    )
    assert cursor.lastrowid is not None
    return cursor.lastrowid


def _describe(table: str, row: Row) -> str:
    """How an undo names a row it cannot put back: the record itself, or its table."""
    for kind, kind_table in TABLES.items():
        if table == kind_table:
            return f"{kind} {row['id']} {row['name']}"
    return f"a row of {table}"


def undo_last_merge(db: Database, *, dry_run: bool = False) -> UndoResult:
    """Reverse the newest merge still recorded, and forget it (the one before is next).

    Refused (Conflict) when any row the merge wrote has changed since."""
    row = db.execute(
        "SELECT id, kind, keep_id, other_id, other_name, changes, merged_at FROM merges"
        " ORDER BY id DESC LIMIT 1"
    ).fetchone()
    if row is None:
        raise NotFound(
            "nothing to undo: no merge is recorded",
            hint="pcrm undo reverses pcrm contact merge and pcrm company merge",
        )
    merge_id, kind, keep_id, other_id, other_name, changes, merged_at = row
    entries = loads(changes)
    keep_name = next(
        entry["before"]["name"]
        for entry in entries
        if entry["table"] == TABLES[kind] and entry["before"] and entry["before"]["id"] == keep_id
    )
    with _rolled_back(db, dry_run):
        play_backwards(db, entries, f"merge {merge_id}", _describe)
        db.execute("DELETE FROM merges WHERE id = ?", [merge_id])
    return UndoResult(
        merge_id,
        kind,
        Link(kind, keep_id, keep_name),
        Link(kind, other_id, other_name),
        merged_at,
        len(entries),
        dry_run,
    )
