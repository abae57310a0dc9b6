"""Files made by earlier mains, while m002, m003 and m012 were still being edited, open in
today's pcrm with exactly the schema of a fresh file and their records intact; `pcrm
doctor` names how such a file differs, and --fix repairs it (m014_repair_history).

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

# commit -> what doctor finds in the file before it is upgraded, against a fresh file with
# the same steps (besides the steps it is behind).
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


def repaired(difference: str) -> str:
    """doctor --fix's line for a difference it put right."""
    thing, problem = difference.split(": ", 1)
    done = {"missing": "created", "not in a fresh file": "dropped"}
    return f"fixed: {thing}: {done.get(problem, 'now as in a fresh file')}"


def doctor_schema(result) -> list[str]:
    rows = [line.split("\t") for line in result.stdout.splitlines() if "\t" in line]
    return next(row for row in rows if row[1] == "schema")


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


@pytest.mark.parametrize("commit", sorted(c for c, found in DIFFERENCES.items() if found))
def test_doctor_names_every_difference_of_an_old_file_and_fix_repairs_them(cli, tmp_path, commit):
    path = copy_of(commit, tmp_path / "data")
    result = cli("--db", str(path), "doctor")
    assert result.exit_code == 1
    status, _, detail, fix = doctor_schema(result)
    assert status == "PROBLEM"
    assert fix == "pcrm doctor --fix"
    assert detail.endswith("differs from a fresh file: " + "; ".join(DIFFERENCES[commit]))

    fixed = cli("--db", str(path), "doctor", "--fix")

    assert fixed.exit_code == 0, fixed.stderr
    lines = fixed.stderr.splitlines()
    assert lines == [
        "fixed: schema brought up to date (the old file was backed up first)",
        *(repaired(difference) for difference in DIFFERENCES[commit]),
    ]
    status, _, detail, _ = doctor_schema(fixed)
    assert (status, detail) == (
        "ok",
        f"matches a fresh file ({len(known_names())} steps, last {known_names()[-1]})",
    )
    conn = sqlite3.connect(path)
    assert schema_rows(conn) == fresh_rows()


def test_doctor_on_the_first_mains_file_names_its_search_index_as_not_yet_m002s(cli, tmp_path):
    path = copy_of("4b1d639", tmp_path / "data")
    status, _, detail, fix = doctor_schema(cli("--db", str(path), "doctor"))
    assert (status, fix) == ("PROBLEM", "pcrm doctor --fix")
    assert detail.startswith(f"{len(known_names()) - 1} step(s) behind (m002_search, ")
    assert "; differs from a fresh file: table search_index: not in a fresh file; " in detail
    assert "view contact_search_docs: not in a fresh file" in detail


def test_doctor_tells_steps_applied_out_of_order_from_a_different_schema(cli, tmp_path):
    path = copy_of("d526640", tmp_path / "data")
    conn = sqlite3.connect(path)
    order = [row[0] for row in conn.execute("SELECT name FROM _sqlite_migrations ORDER BY id")]
    conn.close()
    assert order[-3:] == ["m009_import", "m011_agenda_speed", "m012_views_speed"]
    status, _, detail, _ = doctor_schema(cli("--db", str(path), "doctor"))
    assert status == "PROBLEM"
    assert "differs" not in detail  # only behind: the order of steps changes nothing


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


def test_doctor_fix_repairs_a_current_file_that_lost_an_index_and_leaves_a_users_own(cli, db_path):
    ok(cli("contact", "add", "Ada Lovelace"))
    conn = sqlite3.connect(db_path)
    conn.execute("DROP INDEX deal_history_status")  # as development code might have left it
    conn.execute("CREATE INDEX my_notes ON contacts(note)")
    conn.commit()
    conn.close()

    result = cli("doctor")
    assert doctor_schema(result)[2] == (
        "differs from a fresh file: index deal_history_status: missing;"
        " index my_notes: not in a fresh file"
    )

    fixed = cli("doctor", "--fix")
    assert fixed.exit_code == 1
    assert fixed.stderr.splitlines()[0] == "fixed: index deal_history_status: created"
    status, _, detail, fix = doctor_schema(fixed)
    assert (status, detail, fix) == (
        "PROBLEM",
        "differs from a fresh file: index my_notes: not in a fresh file",
        "",
    )


def test_a_users_own_index_does_not_stop_doctor_fix_repairing_the_rest(cli, db_path):
    ok(cli("contact", "add", "Ada Lovelace", "--note", "prefers calls"))
    conn = sqlite3.connect(db_path)
    conn.execute("CREATE INDEX my_notes ON contacts(note)")
    conn.execute("DELETE FROM search_index")
    conn.commit()
    conn.close()
    assert cli("search", "calls").stdout == ""

    fixed = cli("doctor", "--fix")

    assert fixed.stderr.splitlines()[0] == "fixed: search index rebuilt from the records"
    assert cli("search", "calls").stdout.startswith("contact\t")
    assert doctor_schema(fixed)[:3] == [
        "PROBLEM",
        "schema",
        "differs from a fresh file: index my_notes: not in a fresh file",
    ]
