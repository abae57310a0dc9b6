"""The change journal: `pcrm history` lists what write commands changed, `pcrm undo`
plays one change backwards (core/journal.py's Capture records them, play_backwards
replays them). An undo is itself a change, so undoing it redoes."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pcrm.core.base import Link
from pcrm.core.journal import BULK_KEY, bulk_count, loads, note_change, play_backwards
from pcrm.dates import to_iso
from pcrm.errors import Conflict, NotFound
from pcrm.store.db import Database


@dataclass(frozen=True)
class Change:
    id: int
    at: str
    argv: list[str]
    summary: str
    undone_at: str | None
    undo_of: int | None

    @property
    def command(self) -> str:
        """The command line, as the user typed it (words with spaces quoted)."""
        import shlex

        return " ".join(["pcrm", *(shlex.quote(word) for word in self.argv)])


@dataclass(frozen=True)
class UndoneChange:
    change: Change
    rows: int  # rows put back
    id: int | None  # the undo's own change id; None on a dry run
    dry_run: bool
    restored: dict[str, int]  # table -> rows that come back (were removed)
    removed: dict[str, int]  # table -> rows taken away (were added)
    reverted: dict[str, int]  # table -> rows set back to what they were
    # The merge this change made or undid, if it is one: (merge id, kind, keep, other).
    merge: tuple[int, str, Link, Link] | None = None
    # The command change ends up about (following undo of undo of ...), and whether this
    # puts that command's change back (a redo) rather than reversing it.
    original: Change | None = None
    redo: bool = False


_COLUMNS = "id, at, argv, summary, undone_at, undo_of"


def _change(row: tuple[object, ...]) -> Change:
    change_id, at, argv, summary, undone_at, undo_of = row
    return Change(
        int(str(change_id)),
        str(at),
        list(json.loads(str(argv))),
        str(summary),
        None if undone_at is None else str(undone_at),
        None if undo_of is None else int(str(undo_of)),
    )


def recorded(db: Database) -> bool:
    return bool(db.execute("SELECT 1 FROM sqlite_master WHERE name = 'changes'").fetchone())


def history(db: Database, limit: int | None) -> list[Change]:
    """The recorded changes, newest first."""
    if not recorded(db):
        return []
    rows = db.execute(
        f"SELECT {_COLUMNS} FROM changes ORDER BY id DESC LIMIT ?", [limit or -1]
    ).fetchall()
    return [_change(row) for row in rows]


def _get(db: Database, change_id: int) -> Change:
    row = db.execute(f"SELECT {_COLUMNS} FROM changes WHERE id = ?", [change_id]).fetchone()
    if row is None:
        raise NotFound(f"no change {change_id} is recorded", hint="see: pcrm history")
    return _change(row)


def last_change(db: Database) -> Change | None:
    """The newest change not undone (an undo is a change: undoing it redoes)."""
    if not recorded(db):
        return None
    row = db.execute(
        f"SELECT {_COLUMNS} FROM changes WHERE undone_at IS NULL ORDER BY id DESC LIMIT 1"
    ).fetchone()
    return None if row is None else _change(row)


def _in_runs(bulk: str, other: str) -> str:
    """SQL: the row of `other` (by its key, or its key after a move) lies in the runs of
    rowids of the bulk entry `bulk`."""
    run = "BETWEEN json_extract(r.value, '$[0]') AND json_extract(r.value, '$[1]')"
    return (
        f"EXISTS (SELECT 1 FROM json_each({bulk}.kv) r"
        f" WHERE json_extract({other}.kv, '$[0]') {run}"
        f" OR json_extract({other}.kv_after, '$[0]') {run})"
    )


def _later_change(db: Database, change: Change) -> Change | None:
    """The newest later change in effect that touched a row `change` touched. A change
    that was undone, and the undo that undid it, cancel out and do not count."""
    row = db.execute(
        f"SELECT {', '.join('c.' + c.strip() for c in _COLUMNS.split(','))}"
        " FROM changes c WHERE c.id > :id AND c.undone_at IS NULL"
        " AND NOT EXISTS (SELECT 1 FROM changes u WHERE u.id = c.undo_of"
        "   AND u.undone_at IS NOT NULL)"
        " AND EXISTS (SELECT 1 FROM change_rows mine, change_rows later"
        "   WHERE mine.change_id = :id AND later.change_id = c.id AND later.tbl = mine.tbl"
        "   AND (later.kv IN (mine.kv, mine.kv_after)"
        "     OR later.kv_after IN (mine.kv, mine.kv_after)"
        # Rows added in bulk (journal.BULK_KEY): a row of the other's runs of rowids.
        f"     OR (mine.key = :bulk AND {_in_runs('mine', 'later')})"
        f"     OR (later.key = :bulk AND {_in_runs('later', 'mine')})))"
        " ORDER BY c.id DESC LIMIT 1",
        {"id": change.id, "bulk": BULK_KEY},
    ).fetchone()
    return None if row is None else _change(row)


def undo(
    db: Database, now: datetime, change_id: int | None, *, dry_run: bool = False
) -> UndoneChange:
    """Play one change backwards: the last one not undone, or `change_id`, refused
    (Conflict) when a later change touched the same rows."""
    if change_id is None:
        found = last_change(db)
        if found is None:
            raise NotFound("nothing to undo: no change is recorded", hint="see: pcrm history")
        change = found
    else:
        change = _get(db, change_id)
        if change.undone_at is not None:
            raise Conflict(
                f"change {change.id} was undone already",
                hint="undo the undo to redo it (see: pcrm history)",
            )
        later = _later_change(db, change)
        if later is not None:
            raise Conflict(
                f"cannot undo change {change.id}: change {later.id} ({later.command})"
                " changed the same records since",
                hint=f"undo change {later.id} first, or leave it",
            )
    entries = loads(
        "["
        + ",".join(
            entry
            for (entry,) in db.execute(
                # An added row is recorded by its key (kv_after) only: that is its "after".
                # Rows added in bulk: one entry with their rowid runs (journal.BULK_KEY).
                "SELECT CASE WHEN key = :bulk THEN json_object('table', tbl, 'key', json(key),"
                " 'before', NULL, 'after', NULL, 'runs', json(kv)) ELSE"
                " json_object('table', tbl, 'key', json(key), 'before', json(before),"
                " 'after', CASE WHEN before IS NULL THEN (SELECT json_group_object(k.value,"
                " v.value) FROM json_each(change_rows.key) k JOIN json_each(kv) v ON v.key = k.key)"
                " ELSE json(after) END) END FROM change_rows WHERE change_id = :id ORDER BY seq",
                {"id": change.id, "bulk": BULK_KEY},
            )
        )
        + "]"
    )
    restored: dict[str, int] = {}
    removed: dict[str, int] = {}
    reverted: dict[str, int] = {}
    for entry in entries:
        table = entry["table"]
        if "runs" in entry:
            removed[table] = removed.get(table, 0) + bulk_count(entry)
            continue
        counts = (
            restored if entry["after"] is None else removed if entry["before"] is None else reverted
        )
        counts[table] = counts.get(table, 0) + 1
    merge = _merge_of(db, entries)
    original, redo = change, False
    while original.undo_of is not None:
        original, redo = _get(db, original.undo_of), not redo
    db.execute("SAVEPOINT pcrm_undo")
    try:
        play_backwards(db, entries, f"change {change.id}", done_by_cascade=True)
    except BaseException:
        db.execute("ROLLBACK TO pcrm_undo")
        db.execute("RELEASE pcrm_undo")
        raise
    if dry_run:
        db.execute("ROLLBACK TO pcrm_undo")
        db.execute("RELEASE pcrm_undo")
        return UndoneChange(
            change, len(entries), None, True, restored, removed, reverted, merge, original, redo
        )
    db.execute("RELEASE pcrm_undo")
    db.execute("UPDATE changes SET undone_at = ? WHERE id = ?", [to_iso(now), change.id])
    # Along the chain of undos: the change an undo undid is in effect again, the one
    # before it undone again, and so on (`pcrm history` marks them so).
    target, in_effect = change.undo_of, True
    while target is not None:
        db.execute(
            "UPDATE changes SET undone_at = ? WHERE id = ?",
            [None if in_effect else to_iso(now), target],
        )
        target, in_effect = _get(db, target).undo_of, not in_effect
    label = f"redo of {change.undo_of}" if change.undo_of is not None else f"undo of {change.id}"
    note_change(db, label, undo_of=change.id)
    return UndoneChange(
        change, len(entries), None, False, restored, removed, reverted, merge, original, redo
    )


def _merge_of(db: Database, entries: list[dict[str, Any]]) -> tuple[int, str, Link, Link] | None:
    """The merge a change recorded (its row of `merges`), with the two records' names."""
    added = next(
        (e["after"] for e in entries if e["table"] == "merges" and e["before"] is None), None
    )
    if added is None:
        return None
    found = db.execute(
        "SELECT id, kind, keep_id, other_id, other_name FROM merges WHERE rowid = ?",
        [added["rowid"]],
    ).fetchone()
    if found is None:
        return None
    row = dict(zip(("id", "kind", "keep_id", "other_id", "other_name"), found, strict=True))
    kind, keep_id = str(row["kind"]), int(row["keep_id"])
    table = "contacts" if kind == "contact" else "companies"
    keep_name = next(
        (
            str((e["before"] or e["after"])["name"])
            for e in entries
            if e["table"] == table
            and "runs" not in e
            and (e["before"] or e["after"])["id"] == keep_id
        ),
        None,
    )
    if keep_name is None:
        found = db.execute(f"SELECT name FROM {table} WHERE id = ?", [keep_id]).fetchone()
        keep_name = str(found[0]) if found else ""
    return (
        int(row["id"]),
        kind,
        Link(kind, keep_id, keep_name),
        Link(kind, int(row["other_id"]), str(row["other_name"])),
    )
