"""Files made by earlier mains, while m002, m003 and m012 were still being edited, open in
today's pcrm with exactly the schema of a fresh file and their records intact
(m014_repair_history).

The files in tests/fixtures/old_files/ were built with the code of those commits through
their own CLI (see the README there)."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
from pathlib import Path

import pytest

from conftest import ok
from pcrm.store.migrations import apply, known_names, repair_history, schema_rows

OLD_FILES = Path(__file__).parent / "fixtures" / "old_files"

# commit -> how the file differs from a fresh file with the same steps.
DIFFERENCES = {
    # The first main: m001 built the search index itself (later m002's job).
    "4b1d639": None,
    # m002's first version re-indexed on every update of these tables.
    "b61dc70": [
        "trigger companies_search_update: differs from a fresh file's",
        "trigger contacts_search_update: differs from a fresh file's",
        "trigger interactions_search_update: differs from a fresh file's",
    ],
    # m003 before it was edited: no currencies, deals not searchable by tag.
    "1d05636": [
        "table currencies: missing",
        "table deals: constraints differ from a fresh file's",
        "trigger companies_search_deals: missing",
        "trigger deal_tags_search_delete: missing",
        "trigger deal_tags_search_insert: missing",
        "trigger deal_tags_search_update: missing",
        "view deal_search_docs: differs from a fresh file's",
    ],
    # m012's first version, applied before m010 and m011 existed.
    "f8d2e81": [
        "index deal_history_status: missing",
        "index interactions_at_kind: missing",
        "index interactions_kind_at: not in a fresh file",
        "index tasks_done: differs from a fresh file's",
    ],
    # m012's second version, applied after m011 and before m010.
    "fe89365": [
        "index interactions_at_kind: missing",
        "index interactions_kind_at: not in a fresh file",
        "index tasks_done: differs from a fresh file's",
    ],
    # Today's m012, applied before m010: the same schema, steps in another order.
    "d526640": [],
}
HAS_DEALS = {"f8d2e81", "fe89365", "d526640"}


def fresh_rows() -> list[tuple[str, str, str, str]]:
    conn = sqlite3.connect(":memory:")
    apply(conn)
    return schema_rows(conn)


def records(path: Path) -> dict[str, tuple[list[str], list[tuple[object, ...]]]]:
    """Every row of every record table the old file has, in its own columns."""
    conn = sqlite3.connect(path)
    try:
        tables = [
            row[0]
            for row in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND sql NOT LIKE"
                " 'CREATE VIRTUAL%' AND name NOT LIKE 'search_index%' AND name NOT LIKE 'sqlite%'"
                " AND name <> '_sqlite_migrations'"
            )
        ]
        found = {}
        for table in tables:
            columns = [row[1] for row in conn.execute(f"PRAGMA table_info({table})")]
            found[table] = (columns, conn.execute(f"SELECT * FROM {table}").fetchall())
        return found
    finally:
        conn.close()


def copy_of(commit: str, folder: Path) -> Path:
    folder.mkdir(mode=0o700, exist_ok=True)
    path = folder / "pcrm.db"
    shutil.copyfile(OLD_FILES / f"{commit}.sqlite", path)
    os.chmod(path, 0o600)
    return path


@pytest.mark.parametrize("commit", sorted(DIFFERENCES))
def test_an_old_file_opens_with_the_schema_of_a_fresh_file_and_its_records(cli, tmp_path, commit):
    path = copy_of(commit, tmp_path / "data")
    before = records(path)

    found = json.loads(ok(cli("--db", str(path), "search", "quote", "--json")))

    conn = sqlite3.connect(path)
    assert schema_rows(conn) == fresh_rows()
    assert sorted(row[0] for row in conn.execute("SELECT name FROM _sqlite_migrations")) == sorted(
        known_names()
    )
    conn.close()
    after = records(path)
    for table, (columns, rows) in before.items():
        # every row as it was; a column added by a later step comes after the old ones
        kept = [row[: len(columns)] for row in after[table][1]]
        assert after[table][0][: len(columns)] == columns, table
        assert kept == rows, table
    assert [hit["kind"] for hit in found] == ["interaction"]
    assert "twenty seats" in found[0]["snippet"]
    people = json.loads(ok(cli("--db", str(path), "search", "Analytical", "--json")))
    deal = ["deal"] if commit in HAS_DEALS else []  # at Ada's company
    assert sorted(hit["kind"] for hit in people) == ["company", "contact", *deal]
    assert cli("--db", str(path), "doctor").exit_code == 0


@pytest.mark.parametrize("commit", sorted(HAS_DEALS))
def test_an_old_files_deals_and_follow_ups_read_back(cli, tmp_path, commit):
    path = copy_of(commit, tmp_path / "data")
    deals = json.loads(ok(cli("--db", str(path), "deal", "list", "--status", "all", "--json")))
    assert sorted((d["title"], d["status"]) for d in deals) == [
        ("Support plan", "won"),
        ("Twenty seats", "open"),
    ]
    hits = json.loads(ok(cli("--db", str(path), "search", "seats", "--json")))
    assert {hit["kind"] for hit in hits} == {"deal", "interaction"}
    tasks = json.loads(ok(cli("--db", str(path), "task", "list", "--all", "--json")))
    assert sorted((t["title"], t["status"]) for t in tasks) == [
        ("Book the demo", "done"),
        ("Send the quote", "open"),
    ]


def test_repair_changes_nothing_in_a_fresh_file_and_is_idempotent(db_path, cli):
    ok(cli("contact", "add", "Ada Lovelace"))
    conn = sqlite3.connect(db_path)
    before = schema_rows(conn)
    assert repair_history(conn) == []
    assert schema_rows(conn) == before == fresh_rows()
    conn.close()


def test_repair_twice_on_an_old_file_repairs_once(tmp_path):
    path = copy_of("f8d2e81", tmp_path / "data")
    conn = sqlite3.connect(path)
    first = repair_history(conn)
    assert first == [
        "index interactions_kind_at: dropped (not in a fresh file)",
        "index interactions_at_kind: created",
        "index tasks_done: remade as in a fresh file",
        "index deal_history_status: created",
    ]
    assert repair_history(conn) == []
    conn.close()
