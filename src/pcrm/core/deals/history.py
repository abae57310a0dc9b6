"""A deal's history: one row per stage move or status change, and time spent in each stage.

Every row holds the state before and after the change, stage and status, so a row reads on
its own and reports can count moves, wins and losses without replaying the whole table:

    created       from_stage NULL       to_stage Qualified  from_status NULL  to_status open
    moved         from_stage Qualified  to_stage Demo       from_status open  to_status open
    won           from_stage Demo       to_stage Demo       from_status open  to_status won
    reopened      from_stage Demo       to_stage Demo       from_status won   to_status open

Stage names are copied as they were at the time, so renaming or removing a stage later
leaves the history true.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from pcrm.core.deals.models import DealChange, Stage, StageSpell
from pcrm.dates import from_iso, to_iso
from pcrm.store.db import Database

CLOSED = ("won", "lost")


def record(
    db: Database,
    now: datetime,
    deal_id: int,
    *,
    before: Stage | None,
    after: Stage,
    from_status: str | None,
    to_status: str,
    note: str | None = None,
) -> None:
    db.execute(
        "INSERT INTO deal_history(deal_id, at, from_stage_id, from_stage, to_stage_id, to_stage,"
        " from_status, to_status, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            deal_id,
            to_iso(now),
            before.id if before else None,
            before.name if before else None,
            after.id,
            after.name,
            from_status,
            to_status,
            note,
        ],
    )


def move_all(db: Database, now: datetime, source: Stage, target: Stage, note: str) -> int:
    """Move every deal of `source` (any status) into `target`, each move in its history.
    Returns how many moved."""
    rows = db.execute(
        "SELECT id, status FROM deals WHERE stage_id = ? ORDER BY id", [source.id]
    ).fetchall()
    for deal_id, status in rows:
        record(
            db,
            now,
            deal_id,
            before=source,
            after=target,
            from_status=status,
            to_status=status,
            note=note,
        )
    stamp = to_iso(now)
    db.execute(
        "UPDATE deals SET stage_id = ?, pipeline_id = ?, stage_entered_at = ?, updated_at = ?"
        " WHERE stage_id = ?",
        [target.id, target.pipeline_id, stamp, stamp, source.id],
    )
    return len(rows)


def load_history(db: Database, deal_id: int) -> list[DealChange]:
    """The deal's changes, oldest first."""
    return [
        DealChange(*row)
        for row in db.execute(
            "SELECT at, from_stage, to_stage, from_status, to_status, note FROM deal_history"
            " WHERE deal_id = ? ORDER BY at, id",
            [deal_id],
        )
    ]


def load_spells(db: Database, deal_id: int, now: datetime) -> list[StageSpell]:
    rows = db.execute(
        "SELECT at, to_stage_id, to_stage, to_status FROM deal_history"
        " WHERE deal_id = ? ORDER BY at, id",
        [deal_id],
    ).fetchall()
    return spells(rows, now)


def spells(
    rows: Iterable[tuple[str, int | None, str | None, str]], now: datetime
) -> list[StageSpell]:
    """Time in each stage from history rows (at, to_stage_id, to_stage, to_status), oldest
    first. A spell starts when the deal is open in a stage, and ends when it moves to
    another stage or closes; a reopened deal starts a new spell. Time while closed counts
    nowhere. Stages are told apart by id (a stage renamed in between is the same stage)."""
    out: list[StageSpell] = []
    current: tuple[int | None, str, str] | None = None  # stage id, name, entered at

    def end(at: str | None, ended_by: str | None) -> None:
        assert current is not None
        _, name, entered = current
        until = from_iso(at) if at else now
        days = max(0, int((until - from_iso(entered)).total_seconds() // 86400))
        out.append(StageSpell(name, entered, at, days, ended_by))

    for at, stage_id, stage, status in rows:
        if current is not None and (status != "open" or stage_id != current[0]):
            end(at, status if status in CLOSED else "moved")
            current = None
        if status == "open" and current is None:
            current = (stage_id, stage or "", at)
    if current is not None:
        end(None, None)
    return out
