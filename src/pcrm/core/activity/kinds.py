"""Interaction kinds: the ordered list (`pcrm interaction kind list|add|rm|alias`).

m017 seeds the six built-in kinds (call, email, meeting, demo, message, note) and a few
aliases (phone -> call, mail and e-mail -> email, meet -> meeting, sms and text ->
message). Users add their own kinds (whatsapp, lunch) and aliases. An alias is a second
name for a kind: what is stored is always the kind. Names and aliases are one namespace,
any case. A built-in kind stays (log's default and the scoring rules name them); a user
kind can be removed once no interaction uses it, and its aliases go with it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from pcrm.core.activity.kind_names import kind_names as kind_names  # re-exported
from pcrm.core.activity.kind_names import known as _known
from pcrm.core.activity.kind_names import lookup as _lookup
from pcrm.core.activity.kind_names import resolve_kind as resolve_kind
from pcrm.core.people.text import require_name
from pcrm.errors import Conflict, InvalidInput
from pcrm.store.db import Database

# A kind is a word of the user's vocabulary, shown as a column heading in reports: letters,
# digits, spaces and - . / & + ' only, at most 30 characters.
_NAME = re.compile(r"^\w[\w .\-/&+']{0,29}$")


@dataclass(frozen=True)
class InteractionKind:
    name: str
    position: int  # 1-based, the order reports list kinds in
    builtin: bool
    aliases: list[str] = field(default_factory=list)
    interactions: int = 0  # how many interactions are of this kind (with counts=True)


def load_kinds(db: Database, *, counts: bool = False) -> list[InteractionKind]:
    """Every kind in order, with its aliases (and, with counts, how many interactions)."""
    aliases: dict[str, list[str]] = {}
    for alias, kind in db.execute(
        "SELECT alias, kind FROM interaction_kind_aliases ORDER BY alias"
    ):
        aliases.setdefault(kind.lower(), []).append(alias)
    used: dict[str, int] = {}
    if counts:
        used = {
            kind.lower(): n
            for kind, n in db.execute("SELECT kind, count(*) FROM interactions GROUP BY kind")
        }
    return [
        InteractionKind(
            name, position, bool(builtin), aliases.get(name.lower(), []), used.get(name.lower(), 0)
        )
        for name, position, builtin in db.execute(
            "SELECT name, position, builtin FROM interaction_kinds ORDER BY position"
        )
    ]


def _new_name(db: Database, text: str, what: str) -> str:
    name = " ".join(require_name(text, what).split()).lower()
    if not _NAME.match(name):
        raise InvalidInput(
            f'{what} "{name[:40]}" is not a plain word',
            hint="use letters, digits, spaces and - . / & + ' (at most 30 characters)",
        )
    found = _lookup(db, name)
    if found is not None:
        kind, is_alias = found
        taken = f"an alias of {kind}" if is_alias else "a kind"
        raise Conflict(f'"{name}" is already {taken}', hint="choose another name")
    return name


def add_kind(db: Database, text: str, *, after: str | None = None) -> InteractionKind:
    """A new kind, after `after` (default: last)."""
    name = _new_name(db, text, "kind name")
    names = kind_names(db)
    if after is not None:
        names.insert(names.index(resolve_kind(db, after)) + 1, name)
    else:
        names.append(name)
    db.execute(
        "INSERT INTO interaction_kinds(name, position, builtin) VALUES (?, ?, 0)",
        [name, len(names) + 1],
    )
    _renumber(db, names)
    return next(kind for kind in load_kinds(db) if kind.name == name)


def _renumber(db: Database, names: list[str]) -> None:
    for position, name in enumerate(names, start=1):
        db.execute("UPDATE interaction_kinds SET position = ? WHERE name = ?", [position, name])


def add_alias(db: Database, alias_text: str, kind_text: str) -> tuple[str, str]:
    """A second name for a kind: (alias, kind)."""
    alias = _new_name(db, alias_text, "alias")
    kind = resolve_kind(db, kind_text)
    db.execute("INSERT INTO interaction_kind_aliases(alias, kind) VALUES (?, ?)", [alias, kind])
    return alias, kind


@dataclass(frozen=True)
class Removed:
    name: str
    alias_of: str | None  # the kind, when an alias was removed
    aliases: list[str]  # a kind's aliases, removed with it


def remove_kind(db: Database, text: str) -> Removed:
    """Remove an alias, or a user kind no interaction uses (with its aliases)."""
    key = " ".join(text.split()).lower()
    found = _lookup(db, key) if key else None
    if found is None:
        raise InvalidInput(f'unknown interaction kind "{key}"', hint=_known(db))
    kind, is_alias = found
    if is_alias:
        db.execute("DELETE FROM interaction_kind_aliases WHERE alias = ?", [key])
        return Removed(key, kind, [])
    row = db.execute("SELECT builtin FROM interaction_kinds WHERE name = ?", [kind]).fetchone()
    if row[0]:
        raise Conflict(
            f'"{kind}" is a built-in kind and stays', hint="only kinds you added can be removed"
        )
    used = db.execute("SELECT count(*) FROM interactions WHERE kind = ?", [kind]).fetchone()[0]
    if used:
        plural = "interaction uses" if used == 1 else "interactions use"
        raise Conflict(
            f'{used} {plural} the kind "{kind}"',
            hint=f"change their kind first; see them with: pcrm interaction list --kind {kind}",
        )
    aliases = [
        row[0]
        for row in db.execute(
            "SELECT alias FROM interaction_kind_aliases WHERE kind = ? ORDER BY alias", [kind]
        )
    ]
    db.execute("DELETE FROM interaction_kinds WHERE name = ?", [kind])
    _renumber(db, kind_names(db))
    return Removed(kind, None, aliases)
