"""What every list shares: filter values split on commas, ORDER BY with --reverse, paging.

The lists (contacts, companies, deals, tasks) build their own WHERE terms; these helpers
keep the rules the same for all of them (docs/guide.md, "Filters")."""

from __future__ import annotations

from collections.abc import Iterable, Sequence


def split_values(values: Iterable[str]) -> list[str]:
    """Filter values as typed, split on commas like `--tag a,b` on add, stripped, each
    once (any case): `--stage lead,mql` is two stages, never one that matches nothing."""
    seen: dict[str, str] = {}
    for raw in values:
        for piece in raw.split(","):
            value = " ".join(piece.split())
            if value:
                seen.setdefault(value.casefold(), value)
    return list(seen.values())


def marks(values: Sequence[object]) -> str:
    """`?, ?, ?` for an IN list of these values."""
    return ", ".join("?" for _ in values)


def order_by(terms: Sequence[str], reverse: bool = False) -> str:
    """An ORDER BY list; `reverse` flips every term, so --reverse is the same order
    backwards (the last term is always an id, so ties stay in a stable order for paging)."""
    if not reverse:
        return ", ".join(terms)
    flipped = []
    for term in terms:
        if term.endswith(" DESC"):
            flipped.append(term.removesuffix(" DESC"))
        else:
            flipped.append(term + " DESC")
    return ", ".join(flipped)


def page_sql(limit: int | None, offset: int = 0) -> tuple[str, list[object]]:
    """` LIMIT ? OFFSET ?` and its parameters; no limit is SQLite's -1 (all rows)."""
    return " LIMIT ? OFFSET ?", [limit if limit else -1, max(offset, 0)]
