"""Deals written straight into a test database, with exact times: the board's tests need
deals that entered a stage or went quiet at a given moment, which no command can fake."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta
from pathlib import Path

from sqlite_utils import Database

from conftest import NOW
from pcrm.core.deals.models import Pipeline, Stage
from pcrm.dates import to_iso
from pcrm.store.db import open_db

CURRENCIES = {"EUR": (2, "Euro"), "USD": (2, "US Dollar"), "JPY": (0, "Yen")}


def open_file(path: Path) -> Database:
    """The test's database, created and migrated if need be; commit when done writing."""
    return open_db(path, create=True)


def pipeline(db: Database, name: str | None = None) -> Pipeline:
    """A pipeline with its stages, by exact name; None: the default one."""
    where, params = ("name = ?", [name]) if name else ("is_default = 1", [])
    pid, uid, pname, is_default = db.execute(
        f"SELECT id, uid, name, is_default FROM pipelines WHERE {where}", params
    ).fetchone()
    stages = [
        Stage(*row)
        for row in db.execute(
            "SELECT id, uid, pipeline_id, name, position, probability, rot_days FROM stages"
            " WHERE pipeline_id = ? ORDER BY position",
            [pid],
        )
    ]
    return Pipeline(pid, uid, pname, bool(is_default), stages)


def add_pipeline(db: Database, name: str, stages: list[tuple[str, int, int | None]]) -> int:
    pid = db.execute(
        "INSERT INTO pipelines(uid, name, is_default, created_at) VALUES (?, ?, 0, ?)",
        [str(uuid.uuid4()), name, to_iso(NOW)],
    ).lastrowid
    for position, (stage, probability, rot) in enumerate(stages, start=1):
        db.execute(
            "INSERT INTO stages(uid, pipeline_id, name, position, probability, rot_days)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            [str(uuid.uuid4()), pid, stage, position, probability, rot],
        )
    return pid


def _company(db: Database, name: str) -> int:
    row = db.execute("SELECT id FROM companies WHERE name = ?", [name]).fetchone()
    if row:
        return row[0]
    return db.execute(
        "INSERT INTO companies(uid, name, name_key, created_at, updated_at) VALUES (?, ?, ?, ?, ?)",
        [str(uuid.uuid4()), name, name.lower(), to_iso(NOW), to_iso(NOW)],
    ).lastrowid


def add_deal(
    db: Database,
    title: str,
    *,
    stage: str = "Qualified",
    value: int = 0,
    currency: str = "EUR",
    company: str | None = None,
    pipeline_name: str | None = None,
    entered: datetime | None = None,
    idle: timedelta = timedelta(days=1),
    close: str | None = None,
    tags: Iterable[str] = (),
    status: str = "open",
) -> int:
    """A deal in `stage`; `entered` defaults to three days before NOW, last activity `idle`
    before NOW. Returns its id."""
    exponent, currency_name = CURRENCIES[currency]
    db.execute(
        "INSERT OR IGNORE INTO currencies VALUES (?, ?, ?)", [currency, exponent, currency_name]
    )
    board = pipeline(db, pipeline_name)
    stage_id = next(s.id for s in board.stages if s.name == stage)
    entered = entered or NOW - timedelta(days=3)
    deal_id = db.execute(
        "INSERT INTO deals(uid, title, title_key, value, currency, company_id, pipeline_id,"
        " stage_id, status, expected_close, stage_entered_at, last_activity_at, created_at,"
        " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            str(uuid.uuid4()),
            title,
            title.lower(),
            value,
            currency,
            _company(db, company) if company else None,
            board.id,
            stage_id,
            status,
            close,
            to_iso(entered),
            to_iso(NOW - idle),
            to_iso(entered),
            to_iso(entered),
        ],
    ).lastrowid
    db.execute(
        "INSERT INTO deal_history(deal_id, at, to_stage_id, to_stage, to_status)"
        " VALUES (?, ?, ?, ?, 'open')",
        [deal_id, to_iso(entered), stage_id, stage],
    )
    for tag in tags:
        db.execute("INSERT OR IGNORE INTO tags(name) VALUES (?)", [tag])
        db.execute(
            "INSERT INTO deal_tags(deal_id, tag_id) SELECT ?, id FROM tags WHERE name = ?",
            [deal_id, tag],
        )
    return deal_id


def plan(db: Database, deal_id: int, at: datetime, text: str, kind: str = "call") -> int:
    """An interaction logged against the deal at `at` (after NOW: a next step)."""
    return db.execute(
        "INSERT INTO interactions(uid, kind, at, text, created_at, deal_id)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        [str(uuid.uuid4()), kind, to_iso(at), text, to_iso(NOW), deal_id],
    ).lastrowid
