"""What shell completion offers for a word being typed: names, tags, stages, follow-up ids.

Each query reads an index by prefix (a name's key, a tag's name) and stops at `limit`
rows, so a tab stays instant in a file of 100 000 contacts. Errors are the caller's to
swallow: completion must never print one.
"""

from __future__ import annotations

from pcrm.core.people.text import name_key
from pcrm.store.db import Database

LIMIT = 50
# The highest code point: `key < prefix + TOP` is "starts with prefix" as an index range.
TOP = "\U0010ffff"


def _range(prefix: str) -> list[object]:
    return [prefix, prefix + TOP]


def contact_names(db: Database, typed: str, limit: int = LIMIT) -> list[str]:
    """Contacts whose name starts with `typed` (case and accents aside), or whose email
    does when `typed` has an @."""
    if "@" in typed:
        rows = db.execute(
            "SELECT email FROM contact_emails WHERE email >= ? AND email < ?"
            " ORDER BY email LIMIT ?",
            [*_range(typed.strip().lower()), limit],
        )
        return [row[0] for row in rows]
    return _names(db, "contacts", "name", "name_key", typed, limit)


def company_names(db: Database, typed: str, limit: int = LIMIT) -> list[str]:
    return _names(db, "companies", "name", "name_key", typed, limit)


def deal_titles(db: Database, typed: str, limit: int = LIMIT) -> list[str]:
    return _names(db, "deals", "title", "title_key", typed, limit)


def _names(db: Database, table: str, column: str, key: str, typed: str, limit: int) -> list[str]:
    # table, column and key are this module's constants, never user input. No DISTINCT:
    # it would sort every match before the LIMIT; the index walk stops at `limit` rows.
    rows = db.execute(
        f"SELECT {column} FROM {table} WHERE {key} >= ? AND {key} < ? ORDER BY {key} LIMIT ?",
        [*_range(name_key(typed)), limit],
    )
    return list(dict.fromkeys(row[0] for row in rows))


def tag_names(db: Database, typed: str, limit: int = LIMIT) -> list[str]:
    # tags.name is COLLATE NOCASE with a unique index: a LIKE prefix walks that index.
    rows = db.execute(
        "SELECT name FROM tags WHERE name LIKE ? ESCAPE '\\' ORDER BY name LIMIT ?",
        [_like_prefix(typed), limit],
    )
    return [row[0] for row in rows]


def deal_stage_names(db: Database, typed: str, limit: int = LIMIT) -> list[str]:
    """Stage names of every pipeline, the default pipeline's first, in board order."""
    rows = db.execute(
        "SELECT s.name FROM stages s JOIN pipelines p ON p.id = s.pipeline_id"
        " WHERE s.name LIKE ? ESCAPE '\\'"
        " ORDER BY p.is_default DESC, p.id, s.position LIMIT ?",
        [_like_prefix(typed), limit],
    )
    return list(dict.fromkeys(row[0] for row in rows))


def lifecycle_stage_names(db: Database, typed: str, limit: int = LIMIT) -> list[str]:
    rows = db.execute(
        "SELECT name FROM lifecycle_stages WHERE name LIKE ? ESCAPE '\\' ORDER BY position LIMIT ?",
        [_like_prefix(typed), limit],
    )
    return [row[0] for row in rows]


def interaction_kind_names(db: Database, typed: str, limit: int = LIMIT) -> list[str]:
    """The interaction kinds in order (their aliases are for typing, not offered)."""
    rows = db.execute(
        "SELECT name FROM interaction_kinds WHERE name LIKE ? ESCAPE '\\'"
        " ORDER BY position LIMIT ?",
        [_like_prefix(typed), limit],
    )
    return [row[0] for row in rows]


def pipeline_names(db: Database, typed: str, limit: int = LIMIT) -> list[str]:
    rows = db.execute(
        "SELECT name FROM pipelines WHERE name LIKE ? ESCAPE '\\'"
        " ORDER BY is_default DESC, name LIMIT ?",
        [_like_prefix(typed), limit],
    )
    return [row[0] for row in rows]


def open_follow_ups(db: Database, typed: str, limit: int = LIMIT) -> list[tuple[str, str]]:
    """(id, text) of open follow-ups whose id starts with `typed`, soonest due first."""
    if typed and not typed.isdigit():
        return []
    rows = db.execute(
        "SELECT id, title FROM tasks WHERE status = 'open' AND CAST(id AS TEXT) LIKE ?"
        " ORDER BY due_date, id LIMIT ?",
        [typed + "%", limit],
    )
    return [(str(row[0]), row[1]) for row in rows]


def _like_prefix(typed: str) -> str:
    escaped = typed.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return escaped + "%"
