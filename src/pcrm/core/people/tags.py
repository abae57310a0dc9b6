"""Tags: shared by contacts, companies and deals, case-insensitive, kept in one table."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TypeVar

from pcrm.errors import InvalidInput
from pcrm.store.db import Database

_T = TypeVar("_T")

# link table, column that names the record
_LINKS = {
    "contact": ("contact_tags", "contact_id"),
    "company": ("company_tags", "company_id"),
    "deal": ("deal_tags", "deal_id"),
}


def clean_tags(names: Iterable[str]) -> list[str]:
    """Tags as typed, split on commas, stripped, de-duplicated case-insensitively."""
    seen: dict[str, str] = {}
    for raw in names:
        for piece in raw.split(","):
            tag = " ".join(piece.split()).lstrip("#")
            if not tag and piece.strip():
                raise InvalidInput(f'invalid tag "{piece.strip()}"')
            if tag:
                seen.setdefault(tag.casefold(), tag)
    return list(seen.values())


def tag_ids(db: Database, names: list[str]) -> list[int]:
    ids = []
    for name in names:
        db.execute("INSERT OR IGNORE INTO tags(name) VALUES (?)", [name])
        ids.append(db.execute("SELECT id FROM tags WHERE name = ?", [name]).fetchone()[0])
    return ids


def add_tags(db: Database, kind: str, record_id: int, names: list[str]) -> None:
    table, column = _LINKS[kind]
    for tag_id in tag_ids(db, names):
        db.execute(
            f"INSERT OR IGNORE INTO {table}({column}, tag_id) VALUES (?, ?)", [record_id, tag_id]
        )


def remove_tags(db: Database, kind: str, record_id: int, names: list[str]) -> list[str]:
    """Unlink these tags (any case) from the record; returns the ones it did not have."""
    table, column = _LINKS[kind]
    missing = []
    for name in names:
        cursor = db.execute(
            f"DELETE FROM {table} WHERE {column} = ? AND tag_id = "
            "(SELECT id FROM tags WHERE name = ?)",
            [record_id, name],
        )
        if cursor.rowcount == 0:
            missing.append(name)
    return missing


def tags_by_record(db: Database, kind: str, ids: list[int]) -> dict[int, list[str]]:
    table, column = _LINKS[kind]
    result: dict[int, list[str]] = {record_id: [] for record_id in ids}
    for chunk in chunks(ids):
        marks = ",".join("?" * len(chunk))
        for record_id, name in db.execute(
            f"SELECT l.{column}, t.name FROM {table} l JOIN tags t ON t.id = l.tag_id "
            f"WHERE l.{column} IN ({marks}) ORDER BY t.name COLLATE NOCASE",
            chunk,
        ):
            result[record_id].append(name)
    return result


def chunks(values: Iterable[_T], size: int = 900) -> Iterator[list[_T]]:
    """Split values (ids, addresses) for `IN (...)` lists below SQLite's variable limit."""
    items = values if isinstance(values, list) else list(values)
    for start in range(0, len(items), size):
        yield items[start : start + size]


def filter_sql(
    kind: str,
    id_column: str,
    all_of: Iterable[str] = (),
    any_of: Iterable[str] = (),
    none_of: Iterable[str] = (),
) -> tuple[list[str], list[object]]:
    """WHERE terms for --tag (every one: one EXISTS each), --any-tag (one EXISTS with IN)
    and --no-tag (NOT EXISTS with IN), on `id_column` (e.g. "c.id"). Values split on
    commas as on add, so `--tag vip,press` is `--tag vip --tag press`."""
    table, column = _LINKS[kind]
    exists = (
        f"EXISTS (SELECT 1 FROM {table} l JOIN tags t ON t.id = l.tag_id"
        f" WHERE l.{column} = {id_column} AND t.name"
    )
    terms: list[str] = []
    params: list[object] = []
    for name in clean_tags(all_of):
        terms.append(f"{exists} = ?)")
        params.append(name)
    for names, prefix in ((clean_tags(any_of), ""), (clean_tags(none_of), "NOT ")):
        if names:
            terms.append(f"{prefix}{exists} IN ({', '.join('?' for _ in names)}))")
            params.extend(names)
    return terms, params
