"""Merging two contacts (or two companies) into one, and undoing the last merge.

Every row that references OTHER moves to KEEP. The tables are found from the schema's
foreign keys, so a table added by a later migration is moved too, as long as it declares
its reference (`REFERENCES contacts(id)`). A row KEEP already has an equal of (the same
tag, deal or interaction; a phone with the same number) is not moved: it is removed, and
the empty columns of KEEP's row are filled from it (a deal role, say). Then KEEP's empty
fields are filled from OTHER, notes are joined, OTHER is deleted (recorded for sync), and
the journal of every row touched is kept in `merges` for `undo_last_merge`.

The rows move set-based (an UPDATE per table, a DELETE per UNIQUE index for the rows KEEP
already has, the journal written by INSERT ... SELECT): a merge runs the same statements
for ten rows as for fifty thousand, and its time grows with the rows, not their square.
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
from pcrm.core.journal import (
    Journal,
    Row,
    TableInfo,
    loads,
    note_change,
    play_backwards,
    referencing,
    table_info,
)
from pcrm.core.journal import select as select_rows
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
    "contact_faxes": ("phone", lambda value, region: phone_key(value, region)),
    "contact_urls": ("url", lambda value, _region: str(value)),
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
        if kind == "contact":
            _join_cards(db, journal, keep_id, other_id)
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
            note_change(db, f"merge of {kind} {other_id} into {keep_id}")
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
    removed instead, after filling the empty columns of KEEP's row from it.

    Set-based: a few statements per table and UNIQUE index, whatever the number of rows
    (a loop comparing each row with KEEP's made a merge of 12 000 rows take minutes)."""
    table, mine = _quote(info.name), f"{_quote(info.name)}.{_quote(column)} = :other"
    params: dict[str, Any] = {"keep": keep_id, "other": other_id}
    if not db.execute(f"SELECT EXISTS (SELECT 1 FROM {table} WHERE {mine})", params).fetchone()[0]:
        return None
    already = 0
    for unique in info.unique:
        if column in unique:
            already += _drop_twins(db, journal, info, column, unique, params)
    fills: dict[tuple[Any, ...], Row] = {}
    if info.name in _SAME_VALUE:
        dropped, fills = _drop_same_values(db, journal, info, column, params, region)
        already += dropped
    # Rows in a user-visible order (emails, phones) go after KEEP's own.
    positioned = "position" in info.columns
    start = 0
    if positioned:
        start = db.execute(
            f"SELECT coalesce(max(position), -1) + 1 FROM {table} WHERE {_quote(column)} = :keep",
            params,
        ).fetchone()[0]
    try:
        moved = journal.update_where(
            info, mine, params, {column: ":keep"}, "position" if positioned else None, start
        )
    except sqlite3.IntegrityError as exc:
        # A rule the schema keeps that merge cannot read (an index on an expression, a
        # CHECK): say where, and the transaction undoes the rest.
        raise Conflict(
            f"cannot move a row of {info.name} to the record kept: {exc}",
            hint="change or remove one of the two rows first",
        ) from exc
    for key, fill in fills.items():
        # The row OTHER's duplicates are folded into, wherever it is now (moved or KEEP's).
        found = dict(zip(info.key, key, strict=True))
        if column in found:
            found[column] = keep_id
        where = " AND ".join(f"{_quote(c)} = ?" for c in found)
        journal.update(info, select_rows(db, info, where, list(found.values()))[0], fill)
    return Moved(info.name, column, moved, already)


def _join_cards(db: Database, journal: Journal, keep_id: int, other_id: int) -> None:
    """Both imported from a vCard: KEEP's raw card is followed by OTHER's (one text, two
    cards), so that neither card's unmodelled properties are lost when OTHER's row, a twin
    by its primary key, is dropped by the move. The journal lets undo put both back."""
    info = table_info(db, "contact_vcards")
    keep = select_rows(db, info, "contact_id = ?", [keep_id])
    other = select_rows(db, info, "contact_id = ?", [other_id])
    if keep and other and other[0]["card"] not in keep[0]["card"]:
        card = keep[0]["card"].rstrip("\r\n") + "\r\n" + other[0]["card"]
        journal.update(info, keep[0], {"card": card})


def _drop_twins(
    db: Database,
    journal: Journal,
    info: TableInfo,
    column: str,
    unique: tuple[str, ...],
    params: dict[str, Any],
) -> int:
    """Remove OTHER's rows that KEEP has an equal of by `unique` (the same tag, deal or
    interaction), then fill the empty columns of KEEP's rows from them: one query each."""
    table = _quote(info.name)
    rest = [c for c in unique if c != column]

    def same(a: str, b: str) -> str:
        return " AND ".join(
            [f"{a}.{_quote(column)} = :keep"]
            + [f"{b}.{_quote(c)} IS NOT NULL AND {a}.{_quote(c)} = {b}.{_quote(c)}" for c in rest]
        )

    twin = (
        f"{table}.{_quote(column)} = :other"
        f" AND EXISTS (SELECT 1 FROM {table} k WHERE {same('k', table)})"
    )
    # OTHER's rows, kept aside: KEEP's rows take their details once they are gone, so that
    # no UNIQUE rule sees the same value twice meanwhile.
    db.execute("DROP TABLE IF EXISTS temp.pcrm_gone")
    db.execute(f"CREATE TEMP TABLE pcrm_gone AS SELECT * FROM {table} WHERE {twin}", params)
    dropped = journal.delete_where(info, twin, params)
    if rest and dropped:
        db.execute(
            "CREATE INDEX temp.pcrm_gone_key ON pcrm_gone("
            + ", ".join(_quote(c) for c in rest)
            + ")"
        )
    # Only the columns KEEP's row has empty and OTHER's had filled, only on those rows;
    # KEEP's column first: the comparison takes its collation, as the UNIQUE index does.
    fillable = [c for c in info.columns if c not in unique and c not in (*info.key, info.alias)]
    match = " AND ".join(f"{table}.{_quote(c)} = g.{_quote(c)}" for c in rest) or "1"
    if fillable and dropped:
        journal.update_where(
            info,
            f"{table}.{_quote(column)} = :keep AND EXISTS (SELECT 1 FROM temp.pcrm_gone g"
            f" WHERE {match} AND ("
            + " OR ".join(
                f"({table}.{_quote(c)} IS NULL AND g.{_quote(c)} IS NOT NULL)" for c in fillable
            )
            + "))",
            params,
            {
                c: f"coalesce({table}.{_quote(c)}, (SELECT g.{_quote(c)} FROM temp.pcrm_gone g"
                f" WHERE {match} LIMIT 1))"
                for c in fillable
            },
        )
    db.execute("DROP TABLE temp.pcrm_gone")
    return dropped


def _drop_same_values(
    db: Database,
    journal: Journal,
    info: TableInfo,
    column: str,
    params: dict[str, Any],
    region: str,
) -> tuple[int, dict[tuple[Any, ...], Row]]:
    """Remove OTHER's rows whose value KEEP has, written another way (a phone number),
    or an earlier row of OTHER's has. Returns how many, and the columns to fill in the
    rows they repeat (by key), to write once those have moved: linear, in one pass."""
    value_column, key_of = _SAME_VALUE[info.name]
    where = f"{_quote(column)} = ?"
    # value key -> the row that has it: KEEP's first, then OTHER's that will move
    seen: dict[str, Row] = {}
    for row in select_rows(db, info, where, [params["keep"]]):
        value = key_of(row[value_column], region)
        if value is not None:
            seen.setdefault(value, row)
    dropped: list[list[Any]] = []
    fills: dict[tuple[Any, ...], Row] = {}
    for row in select_rows(db, info, where, [params["other"]]):
        value = key_of(row[value_column], region)
        twin = seen.get(value) if value is not None else None
        if twin is None:
            if value is not None:
                seen[value] = row
            continue
        dropped.append([row[c] for c in info.key])
        fill = {c: row[c] for c in info.columns if twin.get(c) is None and row[c] is not None}
        if fill:
            twin.update(fill)  # a later duplicate sees it filled, as the journal will
            fills.setdefault(tuple(twin[c] for c in info.key), {}).update(fill)
    if not dropped:
        return 0, fills
    table = _quote(info.name)
    count = journal.delete_where(
        info,
        f"{table}.{_quote(column)} = :other AND"
        f" {_key_sql(info, table)} IN (SELECT value FROM json_each(:dropped))",
        {**params, "dropped": json.dumps(dropped)},
    )
    return count, fills


def _key_sql(info: TableInfo, alias: str) -> str:
    return "json_array(" + ", ".join(f"{alias}.{_quote(c)}" for c in info.key) + ")"


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


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
