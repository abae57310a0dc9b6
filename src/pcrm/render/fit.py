"""Renderables that choose their columns for the width they are drawn at.

A list table never folds a cell onto a second line: an email, a URL or a word split across
lines reads as two values. Each cell stays on one line and a long one ends in "…"; when the
terminal is too narrow for every column at a readable width, the least important columns
go (each table lists them most important first), never the id or the name.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import (
        Console,
        ConsoleOptions,
        JustifyMethod,
        RenderableType,
        RenderResult,
    )
    from rich.table import Table
    from rich.text import Text


class FitWidth:
    """Built when printed, for the width Rich offers: a narrow terminal drops the columns
    that matter least instead of squeezing every cell into a few letters."""

    def __init__(self, build: Callable[[int], RenderableType]) -> None:
        self.build = build

    def __rich_console__(
        self, console: Console, options: ConsoleOptions
    ) -> Iterator[RenderableType]:
        yield self.build(options.max_width)


GAP = 2  # spaces between columns (Rich's padding of one on each side)
SHRINK_MIN = 10  # a cut cell keeps this much: enough to tell "ada.lovela…" from another
WANT = 20  # the room a column asks for before a less important column may be shown


@dataclass
class Column:
    header: str
    cells: list[Text]
    keep: bool = False  # always shown (the id and the name)
    shrink: bool = True  # may be cut with "…" when room is short; else always shown whole
    justify: JustifyMethod = "left"
    style: str = ""
    wrap: bool = False  # long text (a search match) wraps at spaces; words are never split
    room: int = WANT  # asked for before less important columns: more for values seen whole

    def is_empty(self) -> bool:
        return not any(cell.plain for cell in self.cells)

    def natural(self) -> int:
        from rich.cells import cell_len

        return max([cell_len(self.header), *(cell.cell_len for cell in self.cells)])

    def min_width(self) -> int:
        return min(self.natural(), SHRINK_MIN) if self.shrink else self.natural()

    def want(self) -> int:
        return min(self.natural(), self.room) if self.shrink else self.natural()


def fit_widths(columns: list[Column], order: list[str], width: int) -> list[tuple[Column, int]]:
    """The columns to show at `width` and the width of each.

    The kept columns come first; then the others in `order` (most important first), each
    at the room it wants, until one does not fit: it and all after it are dropped, so a less
    important column never shows while a more important one is missing. The room left over
    goes to the cut columns, evenly, up to their whole width.
    """
    candidates = [c for c in columns if c.keep or not c.is_empty()]
    by_header = {column.header: column for column in candidates}
    picked = [column for column in candidates if column.keep]
    used = sum(column.want() for column in picked) + GAP * (len(picked) - 1)
    for header in order:
        column = by_header.get(header)
        if column is None or column.keep:
            continue
        if used + GAP + column.want() > width:
            break
        picked.append(column)
        used += GAP + column.want()
    shown = [column for column in candidates if column in picked]
    widths = {id(column): column.want() for column in shown}
    room = width - GAP * (len(shown) - 1) - sum(widths.values())
    # Too narrow even for the kept columns: cut the widest cuttable one a column at a time.
    while room < 0:
        cuttable = [c for c in shown if c.shrink and widths[id(c)] > c.min_width()]
        if not cuttable:
            break
        widest = max(cuttable, key=lambda c: widths[id(c)])
        widths[id(widest)] -= 1
        room += 1
    # Room to spare: grow the cut columns in turn, one cell at a time, up to their whole width.
    while room > 0:
        growing = [c for c in shown if widths[id(c)] < c.natural()]
        if not growing:
            break
        for column in growing:
            if room == 0:
                break
            widths[id(column)] += 1
            room -= 1
    return [(column, widths[id(column)]) for column in shown]


class FittedTable:
    """A list table that picks its columns, and their widths, for the width it is drawn at.

    Columns with nothing in them are left out; see fit_widths for which columns go and how
    much room each gets.
    """

    def __init__(self, columns: list[Column], order: list[str], *, header: bool = True) -> None:
        self.columns = columns
        self.order = order
        self.header = header

    def chosen(self, width: int) -> list[Column]:
        return [column for column, _ in fit_widths(self.columns, self.order, width)]

    def table(self, width: int) -> Table:
        from rich.table import Table

        table = Table(box=None, pad_edge=False, header_style="heading", show_header=self.header)
        columns = fit_widths(self.columns, self.order, width)
        for column, size in columns:
            table.add_column(
                column.header,
                justify=column.justify,
                style=column.style,
                no_wrap=not column.wrap,
                overflow="ellipsis",
                width=size,
            )
        rows = len(columns[0][0].cells) if columns else 0
        for index in range(rows):
            table.add_row(*(column.cells[index] for column, _ in columns))
        return table

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        columns = fit_widths(self.columns, self.order, options.max_width)
        used = sum(size for _, size in columns) + GAP * (len(columns) - 1)
        if not columns or used > options.max_width or any(c.wrap for c, _ in columns):
            # Cells that wrap, or kept columns wider than the terminal: Rich's table lays
            # them out (it squeezes further).
            yield self.table(options.max_width)
            return
        yield from self.lines(console, columns)

    def lines(self, console: Console, columns: list[tuple[Column, int]]) -> RenderResult:
        """The table as Rich's Table draws it (box=None, pad_edge=False, each cell on one
        line, cut with "…"), written as styled segments: laying out a 100-row list with
        Rich's Table took ~40 ms of CPU on the bench set."""
        from rich.segment import Segment
        from rich.text import Text

        last = len(columns) - 1
        if self.header:
            heading = Text()  # Text.render drops a base style when there are no spans
            for n, (column, size) in enumerate(columns):
                cell = _cell(Text(column.header), size, column.justify, n, last)
                cell.style = "heading"
                heading.append_text(cell)
            yield from heading.render(console)
            yield Segment.line()
        for index in range(len(columns[0][0].cells)):
            line = Text()
            for n, (column, size) in enumerate(columns):
                cell = _cell(column.cells[index], size, column.justify, n, last)
                cell.style = column.style
                line.append_text(cell)
            yield from line.render(console)
            yield Segment.line()


def _cell(source: Text, size: int, justify: JustifyMethod, n: int, last: int) -> Text:
    """One cell in `size` cells, with Rich's padding of one on each inner side."""
    from rich.text import Text

    text = source.copy()
    if text.cell_len > size:
        text.truncate(size, overflow="ellipsis")
    room = size - text.cell_len
    cell = Text(" " if n else "")
    if justify == "right":
        cell.append(" " * room)
        cell.append_text(text)
    elif justify == "center":
        cell.append(" " * (room // 2))
        cell.append_text(text)
        cell.append(" " * (room - room // 2))
    else:
        cell.append_text(text)
        cell.append(" " * room)
    if n < last:
        cell.append(" ")
    return cell
