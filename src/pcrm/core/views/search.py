"""Full-text search over contacts, companies, deals and interactions (one FTS5 index).

The user's query is turned into a safe FTS5 expression, never passed through:

- each word becomes a prefix term (`lov` finds "Lovelace"); a word with punctuation in it
  (`ada@example.org`, `555-1234`) is a phrase of its pieces, so the pieces stay together;
- "quoted text" is an exact phrase; an unclosed quote runs to the end of the query;
- OR, NOT and AND written in capitals are operators, (parentheses) group; lowercase
  "or"/"not" are ordinary words;
- words with nothing searchable in them (`-`, `*`, `...`) are skipped;
- a word or phrase is looked for in each of its German spellings (core/people/text.py's
  german_spellings: "Mueller" also as "Müller", "Straße" also as "Strasse"); the index
  folds accents itself (unicode61, remove_diacritics 2), so "muller" finds "Müller" too.

A query that is a phone number ("1711234567", "+49 171 1234567") also finds the contacts
with that number however it is stored, as a REF does (core/people/refs.py), first.

An operator without a word on each side, or an unbalanced parenthesis, is a clear error:
"NOT ada" silently searching for "ada" would be the opposite of what was asked. So is a
query of more than MAX_TERMS words and phrases: each one is a lookup in the index, and
thousands of them took seconds. Snippets are bounded too (core/views/snippets.py).
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import replace

from pcrm.core.people.refs import contacts_by_phone
from pcrm.core.people.text import german_spellings
from pcrm.core.views.models import HIGHLIGHT_END, HIGHLIGHT_START, SearchHit
from pcrm.core.views.snippets import LONG_TEXT, bounded, long_snippet, snippet_sql
from pcrm.core.vocabulary import KIND_CODES
from pcrm.errors import InvalidInput
from pcrm.store.db import Database

KINDS = ("contact", "company", "deal", "interaction")
_TOKENS = re.compile(r'"(?P<phrase>[^"]*)"?|(?P<paren>[()])|(?P<word>[^\s()"]+)')
_OPERATORS = {"OR", "NOT", "AND"}
_SEARCHABLE = re.compile(r"[^\W_]")  # a letter or a digit: what the tokenizer indexes
# The title (a name) weighs more than the body; `kind` is not indexed.
_RANK = "bm25(search_index, 0.0, 10.0, 1.0)"
MAX_TERMS = 64  # words and phrases in one query
# Among more matching interactions than this, only the newest (the last recorded) are
# ranked: bm25 scores every row it ranks, ~1 µs each, and a common word matches a third of
# a million interactions. Contacts, companies and deals are always all ranked.
RANKED_INTERACTIONS = 1000
_INTERACTION = KIND_CODES["interaction"]


def _quote(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def _tokens(query: str) -> list[str]:
    """The query as FTS5 pieces: quoted terms, operators and parentheses."""
    out: list[str] = []
    for match in _TOKENS.finditer(query):
        phrase, paren, word = match["phrase"], match["paren"], match["word"]
        if paren:
            out.append(paren)
        elif word in _OPERATORS:
            out.append(word)
        elif word is not None:
            if _SEARCHABLE.search(word):
                out.append(_quote(word) + "*")
        elif phrase is not None and _SEARCHABLE.search(phrase):
            out.append(_quote(" ".join(phrase.split())))
    return out


def match_expression(query: str) -> str:
    """FTS5 MATCH text for a user's query; raises InvalidInput when it cannot be searched."""
    tokens = _tokens(query)
    if all(token in _OPERATORS or token in ("(", ")") for token in tokens):
        raise InvalidInput(f'nothing to search for in "{query}"', hint="give a word or a name")
    terms = _terms(tokens)
    if len(terms) > MAX_TERMS:
        raise InvalidInput(
            f"the query has {len(terms)} terms; at most {MAX_TERMS} are allowed",
            hint='search for fewer words, or put words that go together in "quotes"',
        )
    _check(tokens, query)
    return " ".join(_spelled(token) for token in _explicit_and(tokens))


def _spelled(token: str) -> str:
    """A quoted term as the OR of its German spellings; anything else as it is."""
    if not token.startswith('"'):
        return token
    star = "*" if token.endswith("*") else ""
    text = token[1 : len(token) - 1 - len(star)].replace('""', '"')
    spellings = german_spellings(text)
    if len(spellings) == 1:
        return token
    return "(" + " OR ".join(_quote(spelling) + star for spelling in spellings) + ")"


def _terms(tokens: list[str]) -> list[str]:
    """The words and phrases of a query, without its operators and parentheses."""
    return [token for token in tokens if token not in _OPERATORS and token not in ("(", ")")]


def _explicit_and(tokens: list[str]) -> list[str]:
    """AND between neighbouring terms: FTS5 rejects `a (b)` and binds `a NOT b c` as
    `a NOT (b c)`; with it written out, NOT binds tightest, then AND, then OR."""
    out: list[str] = []
    for token in tokens:
        ends_term = bool(out) and out[-1] not in _OPERATORS and out[-1] != "("
        if ends_term and token not in _OPERATORS and token != ")":
            out.append("AND")
        out.append(token)
    return out


def _check(tokens: list[str], query: str) -> None:
    """Operators need a term on each side; parentheses balance and are not empty."""
    depth = 0
    # None at the start and after "(" or an operator: a term must follow
    previous: str | None = None
    for token in tokens:
        if token in _OPERATORS and (previous in (None, "(") or previous in _OPERATORS):
            raise _lone_operator(token if previous in (None, "(") else previous)
        if token == "(":
            depth += 1
        elif token == ")":
            if depth == 0:
                raise InvalidInput(f'unbalanced ")" in "{query}"', hint='remove it, or add a "("')
            if previous in _OPERATORS:
                raise _lone_operator(previous)
            if previous == "(":
                raise InvalidInput(
                    f'empty "()" in "{query}"', hint="put words inside, or remove it"
                )
            depth -= 1
        previous = token
    if previous in _OPERATORS:
        raise _lone_operator(previous)
    if depth:
        raise InvalidInput(f'unbalanced "(" in "{query}"', hint='close it with ")", or remove it')


def _lone_operator(operator: str) -> InvalidInput:
    return InvalidInput(
        f'"{operator}" needs a word on each side, as in: ada {operator} zoe',
        hint=f'to search for the word itself, write "{operator.lower()}"',
    )


def check_kinds(kinds: tuple[str, ...]) -> tuple[str, ...]:
    """Kinds to search; plurals ("contacts") are accepted."""
    out = []
    for kind in kinds:
        key = kind.strip().lower()
        plurals = {
            "contacts": "contact",
            "companies": "company",
            "deals": "deal",
            "interactions": "interaction",
        }
        key = plurals.get(key, key)
        if key not in KINDS:
            raise InvalidInput(f'unknown kind "{kind}"', hint="use one of: " + ", ".join(KINDS))
        out.append(key)
    return tuple(dict.fromkeys(out))


def search(
    db: Database, query: str, *, kinds: tuple[str, ...] = KINDS, limit: int | None = 20
) -> tuple[list[SearchHit], bool, bool]:
    """Best matches first, across kinds, each with a highlighted snippet of the matching text.

    Returns the hits, whether more matched than `limit` (None: no limit) and whether older
    interactions were left out of the ranking (the bound below). A hit's score
    is higher for a better match (the negated bm25 rank), a name counting ten times the rest.
    With a limit, among more than RANKED_INTERACTIONS matching interactions only the newest
    that many are ranked (every matching contact, company and deal is); without one, all.
    """
    kinds = check_kinds(kinds)
    expression = match_expression(query)
    # The kind is read from the rowid (id * 8 + code), not the `kind` column: that column
    # lives in the content table, one extra read per match (half the time of a common word).
    only = "" if set(kinds) == set(KINDS) else f"AND rowid % 8 IN ({','.join('?' * len(kinds))})"
    codes = [KIND_CODES[kind] for kind in kinds] if only else []
    fetch = -1 if limit is None else limit + 1
    try:
        past = None
        if limit is not None and "interaction" in kinds:
            past = _newest_unranked_interaction(db, expression)
        newest = "" if past is None else f"AND (rowid > ? OR rowid % 8 <> {_INTERACTION})"
        bounds = [] if past is None else [past]
        # An interaction's title is its kind ("call"), already shown beside the hit: its
        # snippet always comes from the text. A contact's or company's from the best column.
        # A long record's snippet is left to long_snippet(): snippet() is quadratic in matches.
        sql = f"""
            SELECT kind, rowid / 8 AS id, title,
                   CASE WHEN length(title) + length(body) > {LONG_TEXT} THEN NULL
                        WHEN kind = 'interaction' THEN {snippet_sql(2)}
                        ELSE {snippet_sql(-1)} END,
                   -{_RANK} AS score, rowid
            FROM search_index WHERE search_index MATCH ? {only} {newest}
            ORDER BY {_RANK}, rowid LIMIT ?"""
        rows = db.execute(sql, [expression, *codes, *bounds, fetch]).fetchall()
    except sqlite3.OperationalError as exc:
        # match_expression only builds valid syntax; this is a last line of defence.
        raise InvalidInput(
            f'cannot search for "{query}": {exc}', hint='try plain words or "a phrase"'
        ) from exc
    terms = [_spelled(term) for term in _terms(_tokens(query))]
    hits = [
        SearchHit(
            kind,
            id_,
            title,
            _tidy(snippet_text if snippet_text is not None else _long(db, doc, kind, terms)),
            score,
        )
        for kind, id_, title, snippet_text, score, doc in rows
    ]
    if "contact" in kinds:
        hits = _phone_hits(db, query, hits)
    more = limit is not None and len(hits) > limit
    return _with_interaction_context(db, hits[:limit]), more, past is not None


def _newest_unranked_interaction(db: Database, expression: str) -> int | None:
    """The index row of the newest matching interaction past the RANKED_INTERACTIONS newest,
    or None when no more than that many match: it and older interactions are then left out
    of the ranking. FTS5 walks its match list backwards from the newest row, without
    ranking, and stops there."""
    row = db.execute(
        "SELECT rowid FROM search_index WHERE search_index MATCH ?"
        f" AND rowid % 8 = {_INTERACTION} ORDER BY rowid DESC LIMIT 1 OFFSET ?",
        [expression, RANKED_INTERACTIONS],
    ).fetchone()
    return None if row is None else int(row[0])


def _phone_hits(db: Database, query: str, hits: list[SearchHit]) -> list[SearchHit]:
    """The contacts with the phone number the query is, first (the index holds a number's
    groups, "171 1234567", not "1711234567"), each shown with its number as stored."""
    found = contacts_by_phone(db, query)
    if not found:
        return hits
    best = max((hit.score for hit in hits), default=0.0) + 1.0
    names = dict(
        db.execute(
            f"SELECT id, name FROM contacts WHERE id IN ({','.join('?' * len(found))})",
            list(found),
        ).fetchall()
    )
    first = [
        SearchHit("contact", id_, names[id_], f"{HIGHLIGHT_START}{phone}{HIGHLIGHT_END}", best)
        for id_, phone in found.items()
    ]
    return first + [hit for hit in hits if not (hit.kind == "contact" and hit.id in found)]


def _long(db: Database, doc: int, kind: str, terms: list[str]) -> str:
    """The snippet of a long record, read from the index's copy of its text."""
    title, body = db.execute(
        "SELECT title, body FROM search_index WHERE rowid = ?", [doc]
    ).fetchone()
    return long_snippet(title or "", body or "", terms, with_title=kind != "interaction")


def _tidy(snippet: str) -> str:
    # A record's body joins empty fields with spaces: show one space, not five.
    return bounded(re.sub(r" {2,}", " ", snippet).strip())


def _with_interaction_context(db: Database, hits: list[SearchHit]) -> list[SearchHit]:
    """An interaction's title says what and with whom ("call with Ada Lovelace"; without
    contacts, "note on deal Seats"; a cancelled one ends in "(cancelled)"), and the hit
    carries its time."""
    ids = [hit.id for hit in hits if hit.kind == "interaction"]
    if not ids:
        return hits
    marks = ",".join("?" * len(ids))
    context = {
        row[0]: (row[1], row[2])
        for row in db.execute(
            f"""SELECT i.id, i.kind || coalesce(' with ' ||
                    (SELECT group_concat(name, ', ') FROM (
                        SELECT c.name FROM interaction_contacts ic
                        JOIN contacts c ON c.id = ic.contact_id
                        WHERE ic.interaction_id = i.id ORDER BY c.name_key)),
                    ' on deal ' || (SELECT title FROM deals WHERE id = i.deal_id),
                    ' (no contact)')
                    || CASE WHEN i.cancelled_at IS NULL THEN '' ELSE ' (cancelled)' END, i.at
                FROM interactions i WHERE i.id IN ({marks})""",
            ids,
        )
    }
    return [
        replace(hit, title=context[hit.id][0], at=context[hit.id][1])
        if hit.kind == "interaction" and hit.id in context
        else hit
        for hit in hits
    ]
