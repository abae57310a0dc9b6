"""How long `pcrm contact merge` and `pcrm undo` take for a contact with a long history.

    python bench/merge.py [--sizes 12000,50000] [--db-dir DIR]

For each size N, builds a database of two contacts, one person entered twice: OTHER with N
interactions, KEEP with N / 2 of its own, and N / 10 interactions with both of them (the
rows the merge drops as already on KEEP); tags, emails, a phone written two ways and a
custom field in common; deals with both (KEEP without a role, OTHER with one, which KEEP
takes) and with OTHER alone; follow-ups. Then merges OTHER into KEEP and undoes it, each
in one transaction as the commands run them, and prints CPU and wall time of each (on a
busy machine CPU time is the steadier figure) and whether undo gave back the same file.
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

from pcrm.core.dedupe.merge import MergeResult, merge, undo_last_merge
from pcrm.core.people.contacts import ContactForm, add_contact
from pcrm.store.db import Database, open_db, transaction

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
STAMP = "2026-11-23T10:00:00Z"
KINDS = ("call", "email", "meeting", "demo", "message", "note")


def build(path: Path, interactions: int) -> tuple[int, int]:
    """Write the two contacts and their history to `path`; returns (KEEP's id, OTHER's)."""
    db = open_db(path, create=True)
    with transaction(db):
        keep = add_contact(
            db,
            NOW,
            ContactForm(
                name="Robert Smith",
                emails=["robert@acme.example"],
                phones=["+44 20 7946 0018"],
                company="Acme",
                tags=["vip", "lead"],
            ),
        ).contact.id
        other = add_contact(
            db,
            NOW,
            ContactForm(
                name="Bob Smith",
                emails=["bob@home.example", "bob@work.example"],
                phones=["+44 (0)20 7946 0018", "07700 900123"],
                tags=["VIP", "friend"],
                title="CTO",
                note="Likes tea",
            ),
        ).contact.id
        conn = db.conn
        for name in ("tier", "region"):
            conn.execute(
                "INSERT INTO fields(kind, name, type, created_at) VALUES ('contact', ?, 'text', ?)",
                [name, STAMP],
            )
        conn.executemany(
            "INSERT INTO contact_field_values"
            " VALUES (?, (SELECT id FROM fields WHERE name = ?), ?)",
            [(keep, "tier", "gold"), (other, "tier", "silver"), (other, "region", "EU")],
        )
        conn.execute("INSERT OR IGNORE INTO currencies VALUES ('EUR', 2, 'Euro')")
        deals = []
        for number in range(20):
            deals.append(
                conn.execute(
                    "INSERT INTO deals(uid, title, title_key, currency, pipeline_id, stage_id,"
                    " stage_entered_at, last_activity_at, created_at, updated_at)"
                    " VALUES (?, ?, ?, 'EUR', 1, 1, ?, ?, ?, ?)",
                    [str(uuid.uuid4()), f"Deal {number}", f"deal {number}", *[STAMP] * 4],
                ).lastrowid
            )
        # deals 0-9 with both (KEEP has no role, OTHER has one), 10-19 with OTHER alone
        conn.executemany(
            "INSERT INTO deal_contacts VALUES (?, ?, ?)",
            [(deal, keep, None) for deal in deals[:10]]
            + [(deal, other, "buyer") for deal in deals],
        )
        conn.executemany(
            "INSERT INTO tasks(uid, title, contact_id, due_date, created_at, updated_at)"
            " VALUES (?, ?, ?, '2026-11-30', ?, ?)",
            [
                (str(uuid.uuid4()), f"Call {n}", (keep, other)[n % 2], STAMP, STAMP)
                for n in range(50)
            ],
        )
        # OTHER's N, KEEP's N / 2, then N / 10 with both
        owners = [(other,)] * interactions + [(keep,)] * (interactions // 2)
        owners += [(keep, other)] * (interactions // 10)
        first = conn.execute("SELECT coalesce(max(id), 0) + 1 FROM interactions").fetchone()[0]
        conn.executemany(
            "INSERT INTO interactions(id, uid, kind, at, text, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (
                (
                    first + n,
                    str(uuid.uuid4()),
                    KINDS[n % len(KINDS)],
                    f"2026-{1 + n % 11:02d}-{1 + n % 28:02d}T{n % 24:02d}:00:00Z",
                    f"Call number {n} about the quote",
                    STAMP,
                )
                for n in range(len(owners))
            ),
        )
        conn.executemany(
            "INSERT INTO interaction_contacts(interaction_id, contact_id) VALUES (?, ?)",
            ((first + n, person) for n, people in enumerate(owners) for person in people),
        )
    db.close()
    return keep, other


def dump(path: Path) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        return [line for line in conn.iterdump() if "search_index_" not in line]
    finally:
        conn.close()


def timed(path: Path, work: Callable[[Database], object]) -> tuple[float, float]:
    """CPU and wall seconds of `work(db)` in one write transaction, as a command runs it."""
    db = open_db(path, create=False)
    try:
        cpu, wall = time.process_time(), time.perf_counter()
        with transaction(db):
            work(db)
        return time.process_time() - cpu, time.perf_counter() - wall
    finally:
        db.close()


def _merge(results: list[MergeResult], keep: int, other: int, db: Database) -> None:
    results.append(merge(db, NOW, "contact", keep, other))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes", default="12000,50000", help="interactions of OTHER, comma-separated"
    )
    parser.add_argument("--db-dir", type=Path, help="keep the databases in this folder")
    args = parser.parse_args(argv)
    print(
        "| interactions of OTHER | rows moved | merge cpu | merge wall"
        " | undo cpu | undo wall | undo exact |"
    )
    print("|---:|---:|---:|---:|---:|---:|:--|")
    with tempfile.TemporaryDirectory() as scratch:
        folder = args.db_dir or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        for size in (int(s) for s in args.sizes.split(",")):
            path = folder / f"merge-{size}.db"
            path.unlink(missing_ok=True)
            keep, other = build(path, size)
            before = dump(path)
            results: list[MergeResult] = []
            m_cpu, m_wall = timed(path, partial(_merge, results, keep, other))
            moved = sum(move.moved + move.already for move in results[0].moves)
            u_cpu, u_wall = timed(path, undo_last_merge)
            exact = "yes" if dump(path) == before else "NO"
            print(
                f"| {size:,} | {moved:,} | {m_cpu:.2f} s | {m_wall:.2f} s"
                f" | {u_cpu:.2f} s | {u_wall:.2f} s | {exact} |",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
