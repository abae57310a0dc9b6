"""Snippets of long texts, in time and memory in proportion to what is shown.

FTS5's snippet() scores every match in a column against every other one: a note of a
mebibyte that says one word a hundred thousand times took minutes. So a long record's
snippet is not asked of the index. Its text is cut into windows of a couple of KiB (at a
space where there is one), put a few dozen at a time into a small FTS5 table in memory,
and the best window of the first few dozen that hold a match gives the snippet; a window
holds so few matches that snippet() is quick in it. Every snippet is then cut to at most
SNIPPET_CHARS characters around its first match, so a "word" of a mebibyte is not shown
whole either.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

from pcrm.core.views.models import HIGHLIGHT_END, HIGHLIGHT_START

SNIPPET_WORDS = 12  # words in a snippet, as FTS5 counts them
SNIPPET_CHARS = 160  # at most this many characters of a snippet are kept
LONG_TEXT = 4096  # a record longer than this (title and body) is cut into windows
_WINDOW = 2048  # characters in one window
_BATCH = 32  # windows indexed at once, until one of them matches
_ELLIPSIS = "…"


def snippet_sql(column: int) -> str:
    """The FTS5 snippet() call for a column of search_index (-1: the best column)."""
    return (
        f"snippet(search_index, {column}, '{HIGHLIGHT_START}', '{HIGHLIGHT_END}',"
        f" '{_ELLIPSIS}', {SNIPPET_WORDS})"
    )


def long_snippet(title: str, body: str, terms: list[str], *, with_title: bool) -> str:
    """The snippet of a long record: from its title when that matches (and `with_title`),
    else from the best window among the first that match; the text's start when none does
    (a phrase cut in two by a window's edge)."""
    windows = sqlite3.connect(":memory:")
    try:
        windows.execute(
            "CREATE VIRTUAL TABLE w USING fts5(title, body,"
            " tokenize = 'unicode61 remove_diacritics 2')"
        )
        query = " OR ".join(terms)
        pieces = _windows(body)
        first = None
        if with_title:
            windows.execute("INSERT INTO w(rowid, title, body) VALUES (0, ?, '')", [title])
        number, last = 0, False
        while not last:
            batch = []
            for _ in range(_BATCH):
                piece = next(pieces, None)
                if piece is None:
                    last = True
                    break
                number += 1
                first = first if first is not None else piece
                batch.append((number, piece))
            windows.executemany("INSERT INTO w(rowid, title, body) VALUES (?, '', ?)", batch)
            found = windows.execute(
                f"SELECT rowid, snippet(w, -1, '{HIGHLIGHT_START}', '{HIGHLIGHT_END}',"
                f" '{_ELLIPSIS}', {SNIPPET_WORDS}) FROM w WHERE w MATCH ?"
                " ORDER BY bm25(w, 10.0, 1.0), rowid LIMIT 1",
                [query],
            ).fetchone()
            if found is not None:
                rowid, text = int(found[0]), str(found[1])
                if rowid == 0:  # the title
                    return text
                if rowid > 1 and not text.startswith(_ELLIPSIS):
                    text = _ELLIPSIS + text  # the window is not where the body starts
                if (rowid < number or not last) and not text.endswith(_ELLIPSIS):
                    text += _ELLIPSIS
                return text
            windows.execute("DELETE FROM w")  # no match: forget them, memory stays flat
        return (first or "")[:SNIPPET_CHARS] + (_ELLIPSIS if len(body) > SNIPPET_CHARS else "")
    finally:
        windows.close()


def _windows(text: str) -> Iterator[str]:
    """The text in pieces of at most _WINDOW characters, cut after a space or a line end
    in the second half of a piece when there is one (so words stay whole)."""
    start, size = 0, len(text)
    while start < size:
        end = start + _WINDOW
        if end < size:
            cut = max(text.rfind(" ", start + _WINDOW // 2, end), text.rfind("\n", start, end))
            if cut > start + _WINDOW // 2:
                end = cut + 1
        yield text[start:end]
        start = end


def bounded(snippet: str) -> str:
    """The snippet cut to at most SNIPPET_CHARS characters (highlight marks aside) around
    its first match, an ellipsis where it was cut, the marks still in pairs."""
    visible = len(snippet) - snippet.count(HIGHLIGHT_START) - snippet.count(HIGHLIGHT_END)
    if visible <= SNIPPET_CHARS:
        return snippet
    mark = snippet.find(HIGHLIGHT_START)
    start = max(0, mark - SNIPPET_CHARS // 4) if mark > 0 else 0
    piece = snippet[start : start + SNIPPET_CHARS]
    if piece.rfind(HIGHLIGHT_START) > piece.rfind(HIGHLIGHT_END):
        piece += HIGHLIGHT_END  # cut inside a match: close it
    if start and not piece.startswith(_ELLIPSIS):
        piece = _ELLIPSIS + piece.lstrip()
    if start + SNIPPET_CHARS < len(snippet) and not piece.endswith(_ELLIPSIS):
        piece = piece.rstrip() + _ELLIPSIS
    return piece
