"""core/vocabulary.py names what the schema allows: each tuple is exactly what a fresh
file's CHECK constraints accept, and the search kind codes and the phone tail are the
schema's own. The steps spell these out literally, so only this test ties them together."""

from __future__ import annotations

import re
import sqlite3

import pytest

from pcrm.core import vocabulary
from pcrm.store.migrations import apply, normalised


@pytest.fixture(scope="module")
def fresh() -> sqlite3.Connection:
    conn = sqlite3.connect(":memory:")
    apply(conn)
    return conn


def table_sql(conn: sqlite3.Connection, name: str) -> str:
    row = conn.execute("SELECT sql FROM sqlite_master WHERE name = ?", [name]).fetchone()
    return normalised(row[0])


def allowed(conn: sqlite3.Connection, table: str, column: str) -> tuple[str, ...]:
    """The values of `column IN ('a', 'b', ...)` in the table's CHECK constraint."""
    match = re.search(rf"CHECK \({column} IN \(([^)]*)\)\)", table_sql(conn, table))
    assert match, f"{table}.{column} has no CHECK ({column} IN (...))"
    return tuple(re.findall(r"'([^']*)'", match.group(1)))


@pytest.mark.parametrize(
    ("table", "column", "values"),
    [
        ("fields", "kind", vocabulary.FIELD_KINDS),
        ("fields", "type", vocabulary.FIELD_TYPES),
        ("deals", "status", vocabulary.DEAL_STATUSES),
        ("tasks", "status", vocabulary.TASK_STATUSES),
    ],
)
def test_each_tuple_is_what_the_check_constraint_allows(fresh, table, column, values):
    assert allowed(fresh, table, column) == values


def test_the_built_in_interaction_kinds_are_those_the_schema_seeds(fresh):
    rows = fresh.execute(
        "SELECT name FROM interaction_kinds WHERE builtin = 1 ORDER BY position"
    ).fetchall()
    assert tuple(row[0] for row in rows) == vocabulary.INTERACTION_KINDS


def test_an_interaction_kind_outside_the_kinds_table_is_refused(fresh):
    """Since m017 the kinds are a table users add to; interactions.kind references it."""
    fresh.execute("PRAGMA foreign_keys = ON")
    fresh.execute("SAVEPOINT probe")
    try:
        with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY constraint failed"):
            fresh.execute(
                "INSERT INTO interactions(uid, kind, at, text, created_at)"
                " VALUES ('u', 'telegram', '2026-01-01', 'x', '2026-01-01')"
            )
        for kind in vocabulary.INTERACTION_KINDS:
            fresh.execute(
                "INSERT INTO interactions(uid, kind, at, text, created_at)"
                " VALUES (?, ?, '2026-01-01', 'x', '2026-01-01')",
                [f"uid-{kind}", kind],
            )
    finally:
        fresh.execute("ROLLBACK TO probe")
        fresh.execute("RELEASE probe")


def test_kind_codes_are_those_of_the_search_views(fresh):
    for kind, code in vocabulary.KIND_CODES.items():
        view = table_sql(fresh, f"{kind}_search_docs")
        assert re.search(rf"\.id \* 8 \+ {code} AS doc", view), kind
    views = fresh.execute(
        "SELECT name FROM sqlite_master WHERE type = 'view' AND name LIKE '%_search_docs'"
    )
    assert {row[0].removesuffix("_search_docs") for row in views} == set(vocabulary.KIND_CODES)


def test_phone_tail_is_the_expression_of_the_contact_phones_tail_index(fresh):
    assert table_sql(fresh, "contact_phones_tail") == normalised(
        f"CREATE INDEX contact_phones_tail ON contact_phones({vocabulary.PHONE_TAIL_SQL})"
    )
    plan = fresh.execute(
        f"EXPLAIN QUERY PLAN SELECT contact_id FROM contact_phones"
        f" WHERE {vocabulary.PHONE_TAIL_SQL} = ?",
        ["79460958"],
    ).fetchall()
    assert any("contact_phones_tail" in row[-1] for row in plan)
