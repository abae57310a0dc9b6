"""The record of `pcrm agenda --cron`'s runs (table agenda_runs, schema step m016).

Each cron run is recorded once it has delivered (or failed to): when it ran, the local day
and zone it was for, how it delivered ("print", or the command it piped the text to), the
status, and the rows it showed. A run that delivered — `delivered`, or `silent` when
nothing was due (a successful delivery of nothing) — moves the start of the agenda's
"missed" window; a `failed` one does not, so what it should have delivered is shown again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from pcrm.core.settings import PRINT  # the delivery when no command is given
from pcrm.store.db import Database

STATUSES = ("delivered", "silent", "failed")
__all__ = ["PRINT", "AgendaRun", "ShownItem", "last_delivered_day", "recent_runs", "record_run"]


@dataclass
class ShownItem:
    """One row a run showed: its section, the record ("follow-up 12"), the day, what; or,
    for a section cut at its limit, how many more it left out (`more`, ref "")."""

    section: str
    ref: str
    day: str
    what: str
    more: int = 0


@dataclass
class AgendaRun:
    id: int
    ran_at: str  # UTC instant
    day: str  # the local day the run was for
    zone: str  # the local zone's name then
    delivery: str  # "print" or the command
    status: str  # delivered | silent | failed
    exit_code: int | None
    error: str | None
    shown: list[ShownItem] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        """Items shown per section, in the order shown (with those a cut section left
        out)."""
        counts: dict[str, int] = {}
        for item in self.shown:
            counts[item.section] = counts.get(item.section, 0) + (item.more or 1)
        return counts


def last_delivered_day(db: Database) -> date | None:
    """The latest local day a run delivered for (None: none ever did). The greatest day,
    not the newest run's: after the clock went back and forth, nothing is missed twice.
    One seek in agenda_runs_ok (its WHERE is this one's)."""
    row = db.execute("SELECT max(day) FROM agenda_runs WHERE status <> 'failed'").fetchone()
    return None if row is None or row[0] is None else date.fromisoformat(row[0])


def record_run(
    db: Database,
    *,
    ran_at: str,
    day: str,
    zone: str,
    delivery: str,
    status: str,
    exit_code: int | None = None,
    error: str | None = None,
    shown: list[ShownItem] | None = None,
) -> int:
    """Record one run; its id."""
    if status not in STATUSES:
        raise ValueError(f"unknown run status {status!r}")
    rows = [_shown_dict(item) for item in shown or []]
    text = "[]"
    if rows:  # json is imported only then: a quiet morning's run goes without it
        import json

        text = json.dumps(rows, ensure_ascii=False)
    cursor = db.execute(
        "INSERT INTO agenda_runs(ran_at, day, zone, delivery, status, exit_code, error, shown)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [ran_at, day, zone, delivery, status, exit_code, error, text],
    )
    return int(cursor.lastrowid or 0)


def _shown_dict(item: ShownItem) -> dict[str, Any]:
    if item.more:
        return {"section": item.section, "more": item.more}
    return {"section": item.section, "ref": item.ref, "day": item.day, "what": item.what}


def _shown_item(value: dict[str, Any]) -> ShownItem:
    return ShownItem(
        str(value.get("section", "")),
        str(value.get("ref", "")),
        str(value.get("day", "")),
        str(value.get("what", "")),
        int(value.get("more", 0)),
    )


def recent_runs(db: Database, limit: int) -> tuple[list[AgendaRun], int]:
    """The newest `limit` runs, newest recorded first, and how many there are in all."""
    rows = db.execute(
        "SELECT id, ran_at, day, zone, delivery, status, exit_code, error, shown"
        " FROM agenda_runs ORDER BY id DESC LIMIT ?",
        [limit],
    ).fetchall()
    total = len(rows)
    if total == limit:
        total = db.execute("SELECT count(*) FROM agenda_runs").fetchone()[0]
    import json

    runs = []
    for run_id, ran_at, day, zone, delivery, status, code, error, shown in rows:
        try:
            items = [_shown_item(value) for value in json.loads(shown or "[]")]
        except (ValueError, TypeError, AttributeError):
            items = []  # a row edited by hand: the run is still listed
        runs.append(AgendaRun(run_id, ran_at, day, zone, delivery, status, code, error, items))
    return runs, total
