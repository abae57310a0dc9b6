"""Reading interaction kinds by name: what `pcrm log` needs of core/activity/kinds.py.

Kept apart from kinds.py (its dataclasses, name rules and editing) so that logging an
interaction imports only this: a few queries, no dataclass to build (docs/performance.md).
"""

from __future__ import annotations

from pcrm.errors import InvalidInput
from pcrm.store.db import Database

ADD_HINT = "add one with: pcrm interaction kind add NAME"


def kind_names(db: Database) -> list[str]:
    """Every kind's name, in order."""
    return [row[0] for row in db.execute("SELECT name FROM interaction_kinds ORDER BY position")]


def known(db: Database) -> str:
    """The hint naming every kind."""
    return "kinds: " + ", ".join(kind_names(db))


def lookup(db: Database, text: str) -> tuple[str, bool] | None:
    """(the kind, whether `text` was an alias) for a kind's name or alias, any case."""
    row = db.execute("SELECT name FROM interaction_kinds WHERE name = ?", [text]).fetchone()
    if row is not None:
        return row[0], False
    row = db.execute("SELECT kind FROM interaction_kind_aliases WHERE alias = ?", [text]).fetchone()
    return (row[0], True) if row is not None else None


def resolve_kind(db: Database, text: str) -> str:
    """The kind a name or an alias stands for (`phone` -> call); unknown: one error naming
    the kinds and how to add one."""
    key = " ".join(text.split()).lower()
    if not key:
        raise InvalidInput("no interaction kind given", hint=known(db))
    found = lookup(db, key)
    if found is None:
        raise InvalidInput(f'unknown interaction kind "{key}"', hint=f"{known(db)}; {ADD_HINT}")
    return found[0]
