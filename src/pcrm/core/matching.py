"""The matching rules every kind of record shares, so that a REF means the same to every
command (docs/guide.md, "Naming a record: REF").

Each concept package matches its own records with these (core/people/refs.py: contacts
and companies; core/deals/refs.py: deals), and core/refs.py dispatches to them. A name
piece matches case- and accent-insensitively, every word somewhere in the name; a name
equal to the whole REF wins over names that merely contain it; several matches are an
error listing at most MAX_CANDIDATES of them. When nothing matches as written, German
transliterations fold alike ("mueller" finds Müller, "muller" Mueller, "strasse" Straße).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from pcrm.core.people.text import FOLDED_KEY_SQL, folded_key, name_key
from pcrm.errors import Ambiguous, InvalidInput, NotFound
from pcrm.store.db import Database

MAX_CANDIDATES = 10


@dataclass(frozen=True)
class Matcher:
    """How one kind of record is named: what the dispatcher in core/refs.py calls."""

    kind: str  # contact, company, deal: also the REF prefix that names it
    match: Callable[[Database, str], int]  # the one record a bare REF names, or an error
    whole: Callable[[Database, int, str], bool]  # the REF is its whole name, email, domain...
    describe: Callable[[Database, list[int]], list[str]]  # one line per candidate
    closest: Callable[[Database, str], list[str]] = lambda db, ref: []  # for "did you mean"


def kind_plural(kind: str) -> str:
    return "companies" if kind == "company" else f"{kind}s"


_SHELL_SAFE = frozenset("_@%+=:,./-")


def search_hint(ref: str) -> str:
    """`pcrm search REF` as a shell takes it. Made for every REF resolved (the hint of a
    miss): a plain word is as shlex.quote leaves it, without importing shlex (~0.5 ms)."""
    if ref and all(c.isascii() and (c.isalnum() or c in _SHELL_SAFE) for c in ref):
        return f"try: pcrm search {ref}"
    import shlex

    return f"try: pcrm search {shlex.quote(ref)}"


# SQLite's largest integer: a longer id names no record, and SQLite refuses to bind it.
MAX_ID = (1 << 63) - 1


def is_id(ref: str) -> bool:
    """Whether a REF is an id: ASCII digits only ("²" is a digit to str.isdigit() but not a
    number to int())."""
    return ref.isascii() and ref.isdigit()


def id_param(ref: str) -> int:
    """An id REF as an SQL parameter: past SQLite's integers, -1, which no record has."""
    value = int(ref)
    return value if value <= MAX_ID else -1


def row_id(db: Database, table: str, ref: str) -> int | None:
    """The id of a digits-only REF, if that row exists (tables are ours, never typed)."""
    row = db.execute(f"SELECT id FROM {table} WHERE id = ?", [id_param(ref)]).fetchone()
    return None if row is None else row[0]


def name_ids(
    db: Database, table: str, column: str, ref: str, empty_hint: str
) -> tuple[list[int], int]:
    """Ids whose name key matches the REF (at most MAX_CANDIDATES + 1), and how many match.

    An exact whole-name match wins; several exact matches are the candidates."""
    key = name_key(ref)
    if not key:
        raise InvalidInput("a REF cannot be empty", hint=empty_hint)
    exact = [
        row[0]
        for row in db.execute(f"SELECT id FROM {table} WHERE {column} = ? ORDER BY id", [key])
    ]
    if exact:
        return exact, len(exact)
    found = _pieces(db, table, column, key.split())
    if found[1]:
        return found
    # Nothing as written: "Mueller" for Müller, "Strasse" for Straße (the key reads ß as
    # ss already). Only then, so that "michal" still names Michal alone beside Michael.
    folded = FOLDED_KEY_SQL.format(column=column)
    exact = [
        row[0]
        for row in db.execute(
            f"SELECT id FROM {table} WHERE {folded} = ? ORDER BY id", [folded_key(key)]
        )
    ]
    if exact:
        return exact, len(exact)
    return _pieces(db, table, folded, folded_key(key).split(), order=column)


def _pieces(
    db: Database, table: str, column: str, words: list[str], order: str | None = None
) -> tuple[list[int], int]:
    """Ids whose `column` (a column or an expression over one) holds every word."""
    where = " AND ".join(f"instr({column}, ?) > 0" for _ in words)
    total = db.execute(f"SELECT count(*) FROM {table} WHERE {where}", words).fetchone()[0]
    ids = [
        row[0]
        for row in db.execute(
            f"SELECT id FROM {table} WHERE {where} ORDER BY {order or column}, id LIMIT ?",
            [*words, MAX_CANDIDATES + 1],
        )
    ]
    return ids, total


# How many names a "did you mean" compares at most: a REF that matches nothing must still
# answer at once on a 100k-contact book (a scan of 100k keys per piece, a few ms each).
_CLOSE_SCAN = 200
_CLOSE_CUTOFF = 0.8


def close_names(db: Database, table: str, column: str, shown: str, ref: str) -> list[str]:
    """Up to three names (`shown`) closest to a REF that matched none: "ada lovlace" ->
    ["Ada Lovelace"]. The candidates share the first or last three letters of one of the
    REF's words, at most _CLOSE_SCAN for each, so the work stays bounded on a large book;
    difflib ranks them, comparing the REF with the whole name and with runs of as many
    words as it has ("lovlace" with "lovelace")."""
    from difflib import SequenceMatcher

    key = name_key(ref)
    words = key.split()
    if not words or len(key) < 3:
        return []
    pieces = sorted({piece for word in words for piece in (word[:3], word[-3:])})[:6]
    rows: list[tuple[str, str]] = []
    for piece in pieces:  # each piece its own few: a common one must not crowd out the rest
        rows += db.execute(
            f"SELECT {column}, {shown} FROM {table} WHERE instr({column}, ?) > 0 LIMIT ?",
            [piece, _CLOSE_SCAN],
        ).fetchall()
    matcher = SequenceMatcher(b=key)
    scored: dict[str, float] = {}
    for candidate, name in rows:
        theirs = candidate.split()
        texts = {candidate} | {
            " ".join(theirs[i : i + len(words)]) for i in range(len(theirs) - len(words) + 1)
        }
        best = 0.0
        for text in texts:
            matcher.set_seq1(text)
            if (
                matcher.real_quick_ratio() >= _CLOSE_CUTOFF
                and matcher.quick_ratio() >= _CLOSE_CUTOFF
            ):
                best = max(best, matcher.ratio())
        if best >= _CLOSE_CUTOFF and best > scored.get(name, 0.0):
            scored[name] = best
    return sorted(scored, key=lambda name: (-scored[name], name))[:3]


def did_you_mean(names: list[str], hint: str) -> str:
    """A not-found hint with the closest names first."""
    if not names:
        return hint
    return f"did you mean {' or '.join(names)}? {hint}"


def one(
    db: Database,
    kind: str,
    ref: str,
    found: tuple[list[int], int],
    describe: Callable[[Database, list[int]], list[str]],
    *,
    none_hint: str,
    narrow_hint: str,
    closest: Callable[[], list[str]] = list,
) -> int:
    """The single id of a name match; else not found, or ambiguous with the candidates."""
    ids, total = found
    if total == 1:
        return ids[0]
    if total == 0:
        raise NotFound(f'no {kind} matches "{ref}"', hint=did_you_mean(closest(), none_hint))
    shown = describe(db, ids[:MAX_CANDIDATES])
    if total > len(shown):
        shown.append(f"... and {total - len(shown)} more")
    raise Ambiguous(
        f'"{ref}" matches {total} {kind_plural(kind)}',
        candidates=shown,
        hint=narrow_hint,
    )
