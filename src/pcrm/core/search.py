"""Full-text search over contacts, companies and interactions (one FTS5 index).

The user's query is turned into a safe FTS5 expression: each word becomes a prefix term,
"quoted text" stays a phrase, and OR / NOT / AND written in capitals stay operators.
So `pcrm search ada quote` finds "Ada Lovelace ... quotes", and no input can be a syntax
error in FTS5's own language.
"""

from __future__ import annotations

import re
import sqlite3

from sqlite_utils import Database

from pcrm.core.models import HIGHLIGHT_END, HIGHLIGHT_START, SearchHit
from pcrm.errors import InvalidInput

KINDS = ("contact", "company", "interaction")
_TOKENS = re.compile(r'"([^"]*)"?|(\S+)')
_OPERATORS = {"OR", "NOT", "AND"}
# The title (a name) weighs more than the body; `kind` is not indexed.
_RANK = "bm25(search_index, 0.0, 10.0, 1.0)"


def _quote(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def match_expression(query: str) -> str:
    """FTS5 MATCH text for a user's query; raises InvalidInput when nothing is searchable."""
    parts: list[str] = []
    for phrase, word in _TOKENS.findall(query):
        if phrase.strip():
            parts.append(_quote(phrase.strip()))
        elif word in _OPERATORS:
            if parts and parts[-1] not in _OPERATORS:
                parts.append(word)
        elif word:
            # Keep only letters and digits: punctuation is not indexed by unicode61 anyway.
            for piece in re.findall(r"\w+", word):
                parts.append(_quote(piece) + "*")
    while parts and parts[-1] in _OPERATORS:
        parts.pop()
    if not parts:
        raise InvalidInput(f'nothing to search for in "{query}"', hint="give a word or a name")
    return " ".join(parts)


def search(
    db: Database, query: str, *, kinds: tuple[str, ...] = KINDS, limit: int = 20
) -> list[SearchHit]:
    """Best matches first, across kinds, with a highlighted snippet of the matching text."""
    unknown = [kind for kind in kinds if kind not in KINDS]
    if unknown:
        raise InvalidInput(f'unknown kind "{unknown[0]}"', hint="use one of: " + ", ".join(KINDS))
    expression = match_expression(query)
    marks = ",".join("?" * len(kinds))
    sql = f"""
        SELECT kind, rowid / 8 AS id, title,
               snippet(search_index, -1, '{HIGHLIGHT_START}', '{HIGHLIGHT_END}', '…', 12),
               {_RANK} AS score
        FROM search_index WHERE search_index MATCH ? AND kind IN ({marks})
        ORDER BY score LIMIT ?"""
    try:
        rows = db.execute(sql, [expression, *kinds, limit]).fetchall()
    except sqlite3.OperationalError as exc:
        raise InvalidInput(f'cannot search for "{query}": {exc}') from exc
    hits = [
        SearchHit(kind, id_, title, snippet, score) for kind, id_, title, snippet, score in rows
    ]
    return _with_interaction_context(db, hits)


def _with_interaction_context(db: Database, hits: list[SearchHit]) -> list[SearchHit]:
    """An interaction's title names who it was with, and carries its time."""
    ids = [hit.id for hit in hits if hit.kind == "interaction"]
    if not ids:
        return hits
    marks = ",".join("?" * len(ids))
    context = {
        row[0]: (row[1], row[2])
        for row in db.execute(
            f"""SELECT i.id, i.kind || ' with ' || coalesce(
                    (SELECT group_concat(c.name, ', ') FROM interaction_contacts ic
                     JOIN contacts c ON c.id = ic.contact_id WHERE ic.interaction_id = i.id),
                    'nobody'), i.at
                FROM interactions i WHERE i.id IN ({marks})""",
            ids,
        )
    }
    return [
        SearchHit(hit.kind, hit.id, context[hit.id][0], hit.snippet, hit.score, context[hit.id][1])
        if hit.kind == "interaction" and hit.id in context
        else hit
        for hit in hits
    ]
