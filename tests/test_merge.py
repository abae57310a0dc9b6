"""core.merge on generated data: whatever two contacts hold, merging one into the other
leaves nothing pointing at it, and undoing the merge gives back the same database."""

from __future__ import annotations

import sqlite3
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import NOW, dump
from pcrm.core.activity.interactions import log_interaction
from pcrm.core.dedupe.merge import merge, undo_last_merge
from pcrm.core.journal import referencing
from pcrm.core.people.contacts import ContactForm, add_contact
from pcrm.store.db import open_db, transaction

PHONES = ["+44 20 7946 0018", "+44 (0)20 7946 0018", "+1 555 0100", "07700 900123"]
TAGS = ["vip", "VIP", "friend", "lead"]

person = st.fixed_dictionaries(
    {
        "phones": st.lists(st.sampled_from(PHONES), max_size=3),
        "tags": st.lists(st.sampled_from(TAGS), max_size=3),
        "title": st.sampled_from([None, "CTO", "CEO"]),
        "note": st.sampled_from([None, "likes tea"]),
        "emails": st.integers(0, 2),
    }
)
world = st.fixed_dictionaries(
    {
        "people": st.lists(person, min_size=2, max_size=4),
        # each interaction, deal and task as the indexes of the people on it
        "interactions": st.lists(st.sets(st.integers(0, 3), min_size=1), max_size=3),
        "deals": st.lists(
            st.dictionaries(st.integers(0, 3), st.sampled_from([None, "buyer"]), min_size=1),
            max_size=3,
        ),
        "tasks": st.lists(st.integers(0, 3), max_size=2),
        "pick": st.tuples(st.integers(0, 3), st.integers(0, 3)),
    }
)


def content(path: Path) -> tuple[list[str], list[tuple]]:
    lines = [line for line in dump(path) if "search_index_" not in line]
    conn = sqlite3.connect(path)
    try:
        index = conn.execute(
            "SELECT rowid, kind, title, body FROM search_index ORDER BY rowid"
        ).fetchall()
    finally:
        conn.close()
    return lines, index


def build(path: Path, data: dict) -> list[int]:
    db = open_db(path, create=True)
    with transaction(db):
        ids = []
        for n, p in enumerate(data["people"]):
            form = ContactForm(
                name=f"Person {n}",
                emails=[f"p{n}.{k}@example.org" for k in range(p["emails"])],
                phones=p["phones"],
                tags=p["tags"],
                title=p["title"],
                note=p["note"],
            )
            ids.append(add_contact(db, NOW, form).contact.id)

        def on(indexes):
            return [ids[i] for i in sorted(indexes) if i < len(ids)]

        for people in data["interactions"]:
            if on(people):
                log_interaction(db, NOW, on(people), "met", kind="meeting")
        db.execute("INSERT OR IGNORE INTO currencies VALUES ('EUR', 2, 'Euro')")
        stamp = "2026-11-23T10:00:00Z"
        for number, roles in enumerate(data["deals"]):
            deal = db.execute(
                "INSERT INTO deals(uid, title, title_key, currency, pipeline_id, stage_id,"
                " stage_entered_at, last_activity_at, created_at, updated_at)"
                " VALUES (?, ?, ?, 'EUR', 1, 1, ?, ?, ?, ?)",
                [f"deal-{number}", f"Deal {number}", f"deal {number}", *[stamp] * 4],
            ).lastrowid
            for index, role in roles.items():
                if index < len(ids):
                    db.execute(
                        "INSERT INTO deal_contacts VALUES (?, ?, ?)", [deal, ids[index], role]
                    )
        for number, index in enumerate(data["tasks"]):
            if index < len(ids):
                db.execute(
                    "INSERT INTO tasks(uid, title, contact_id, due_date, created_at, updated_at)"
                    " VALUES (?, 'call', ?, '2026-11-30', ?, ?)",
                    [f"task-{number}", ids[index], stamp, stamp],
                )
    db.close()
    return ids


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(world)
def test_merge_leaves_nothing_behind_and_undo_restores_everything(data):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "pcrm.db"
        ids = build(path, data)
        keep, other = (ids[i % len(ids)] for i in data["pick"])
        if keep == other:
            return
        before = content(path)
        db = open_db(path, create=False)
        with transaction(db):
            merge(db, NOW, "contact", keep, other)
        for table, column in referencing(db, "contacts"):
            left = db.execute(f"SELECT count(*) FROM {table} WHERE {column} = ?", [other])
            assert left.fetchone()[0] == 0, table
        assert db.execute("PRAGMA foreign_key_check").fetchall() == []
        with transaction(db):
            undo_last_merge(db)
        db.close()
        assert content(path) == before
