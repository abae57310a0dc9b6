"""Aligned columns without Rich: widths, word wrap and styled runs for plain text and
terminals alike.

A busy agenda is ~300 rows; laying them out with Rich's Table took ~450 ms of CPU on the
bench set, and the cron mail does not need Rich at all. This grid sizes its columns the way
Rich's grid does (each column as wide as its widest cell; when the row is too wide, the
widest wrapping column gives way first, down to the next widest, and so on), wraps those
columns at spaces and cuts what cannot wrap with "…". The result is lines of (text, style) runs:
`plain_text` joins them for cron mail, render/agenda.py turns them into Rich segments for
a terminal. Cells must already be clean (render/safe.clean): no controls, one line.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

GAP = "  "  # two spaces between columns, none at the edges (Rich's grid with padding 2)
ELLIPSIS = "…"

Run = tuple[str, str]  # text and style name ("" for none)
Line = list[Run]


@lru_cache(maxsize=4096)
def _char_width(char: str) -> int:
    if unicodedata.combining(char) or unicodedata.category(char) in ("Mn", "Me", "Cf"):
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def cell_len(text: str) -> int:
    """Terminal cells `text` takes: wide (CJK) characters take two, combining marks none."""
    if text.isascii():
        return len(text)
    return sum(_char_width(char) for char in text)


def cut(text: str, width: int) -> str:
    """`text` in at most `width` cells, ending in "…" when it had to be cut."""
    if cell_len(text) <= width:
        return text
    if width <= 0:
        return ""
    out, used = [], 0
    for char in text:
        size = _char_width(char) if not char.isascii() else 1
        if used + size > width - 1:
            break
        out.append(char)
        used += size
    return "".join(out) + ELLIPSIS


def _fold(word: str, width: int) -> list[str]:
    """A run of wide characters longer than a line in pieces of `width` cells: Chinese or
    Japanese text has no spaces and breaks between any two characters."""
    pieces, current, used = [], "", 0
    for char in word:
        size = _char_width(char) if not char.isascii() else 1
        if current and used + size > width:
            pieces.append(current)
            current, used = "", 0
        current, used = current + char, used + size
    return [*pieces, current]


def wrap(text: str, width: int) -> list[str]:
    """`text` broken at spaces into lines of at most `width` cells. A word longer than a
    line is cut with "…" (an email or a URL split over two lines reads as two values, as
    render/fit.py says), unless it holds wide characters (CJK text), which break anywhere."""
    if cell_len(text) <= width:
        return [text]
    lines: list[str] = []
    current, used = "", 0
    for word in text.split():
        size = cell_len(word)
        if current and used + 1 + size <= width:
            current, used = f"{current} {word}", used + 1 + size
            continue
        if current:
            lines.append(current)
        if size > width and size > len(word):  # wide characters in it
            *whole, word = _fold(word, max(width, 2))
            lines.extend(whole)
            size = cell_len(word)
        elif size > width:
            word, size = cut(word, width), width
        current, used = word, size
    lines.append(current)
    return lines


@dataclass(frozen=True)
class Column:
    style: str = ""  # the style of every cell in the column, unless the cell has its own
    wrap: bool = False  # long text wraps onto more lines; else it stays whole while it can


def fit(natural: Sequence[int], columns: Sequence[Column], room: int) -> list[int]:
    """Column widths for cells of these natural widths in `room` cells (gaps excluded):
    each column its natural width while they fit; else the widest wrapping column shrinks
    to the next widest, repeatedly; past that, the widest of all loses a cell at a time."""
    widths = list(natural)
    excess = sum(widths) - room
    wrapping = [n for n, column in enumerate(columns) if column.wrap]
    while excess > 0 and wrapping:
        widest = max(widths[n] for n in wrapping)
        if widest <= 1:
            break
        tops = [n for n in wrapping if widths[n] == widest]
        second = max((widths[n] for n in wrapping if widths[n] < widest), default=0)
        # Take from the widest ones evenly, down to the next widest at most.
        step = min(widest - second, -(-excess // len(tops)))
        for n in tops:
            give = min(step, excess)
            widths[n] -= give
            excess -= give
    while excess > 0 and max(widths) > 1:
        widest = widths.index(max(widths))
        widths[widest] -= 1
        excess -= 1
    return widths


def grid(rows: Sequence[Sequence[Run]], columns: Sequence[Column], width: int | None) -> list[Line]:
    """The rows laid out as lines of runs: columns aligned, two spaces apart, in `width`
    cells (None: no limit); trailing spaces dropped."""
    if not rows:
        return []
    count = len(columns)
    measured = [[cell_len(text) for text, _ in row] for row in rows]
    natural = [max(lengths[n] for lengths in measured) for n in range(count)]
    # An empty column keeps its gap, as in Rich's grid (the agenda never has one).
    widths = natural if width is None else fit(natural, columns, width - len(GAP) * (count - 1))
    lines: list[Line] = []
    for row, lengths in zip(rows, measured, strict=True):
        cells = []
        for (text, style), length, column, size in zip(row, lengths, columns, widths, strict=True):
            if length <= size:  # most cells: as they are
                parts = [(text, length)]
            else:
                pieces = wrap(text, size) if column.wrap else [cut(text, size)]
                parts = [(piece, cell_len(piece)) for piece in pieces]
            cells.append((parts, style or column.style, size))
        for index in range(max(len(parts) for parts, _, _ in cells)):
            line: Line = []
            pending = ""  # padding and gap, written only when text follows on the line
            for parts, style, size in cells:
                text, length = parts[index] if index < len(parts) else ("", 0)
                if text:
                    if pending:
                        line.append((pending, ""))
                    line.append((text, style))
                    pending = ""
                pending += " " * (size - length) + GAP
            lines.append(line)
    return lines


def plain_text(line: Line) -> str:
    return "".join(text for text, _ in line)
