"""The pipeline board on a terminal (render/board_text.py writes its plain-text form).

Wide terminals get one column per stage across the full width; when the stages do not fit
at MIN_COLUMN cells each (or the terminal is narrower than WIDE), a stacked list per stage.
The choice is made at draw time from the width Rich gives us, so a recording Console of any
width shows what a terminal of that width would. Stale deals say so in words, in colour too.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import TYPE_CHECKING

from rich import box
from rich._loop import loop_last
from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.padding import Padding
from rich.segment import Segment
from rich.text import Text

from pcrm.render.board_text import (
    amounts,
    deal_count,
    empty_message,
    filters_text,
    month_name,
    more_line,
    stage_facts,
    stage_list,
    step_when,
)
from pcrm.render.cells import t
from pcrm.render.money import money
from pcrm.render.safe import clean

if TYPE_CHECKING:
    from rich.table import Table

    from pcrm.core.deals.board import Board, BoardCard, BoardColumn
    from pcrm.core.deals.models import Pipeline

WIDE = 100  # narrower terminals always get the stacked list
MIN_COLUMN = 18  # a stage column narrower than this is unreadable
PANEL_COLUMN = 24  # from this width on, cards are drawn as panels
# No lines but one under the stage headers (a row of their own, see _columns).
_BOARD_BOX = box.Box("    \n    \n    \n    \n ── \n    \n    \n    \n")


def _column_width(width: int, stages: int) -> int:
    """The width Rich gives each stage column (separators between them take one each)."""
    return (width - (stages - 1)) // max(stages, 1)


def _flow(parts: list[Text], width: int) -> Text:
    """Pieces joined by " · " while the line has room, else each on a line of its own, so
    a fact such as "3d in stage" is never broken in two."""
    out = Text()
    used = 0
    for part in parts:
        if used and used + 3 + part.cell_len <= width:
            out.append(" · ", "muted")
            used += 3
        elif used:
            out.append("\n")
            used = 0
        out.append_text(part)
        used += part.cell_len
    return out


# -- the stage columns as segments ---------------------------------------------------------


class _Block:
    """A piece of a stage column: text, in a rounded panel when it has a border style, or
    followed by a blank line (gap)."""

    __slots__ = ("border", "gap", "text")

    def __init__(self, text: Text, *, border: str | None = None, gap: bool = False) -> None:
        self.text = text
        self.border = border
        self.gap = gap


def _distribute(total: int, parts: int) -> list[int]:
    """`total` cells shared by `parts` equal columns, the larger shares first (as Rich's
    ratio_distribute does for columns of ratio 1)."""
    shares = []
    for left in range(parts, 0, -1):
        share = -(-total // left)
        shares.append(share)
        total -= share
    return shares


def _text_lines(console: Console, text: Text, width: int) -> list[list[Segment]]:
    """`text` wrapped at `width`, each line padded to it, as a table cell draws it."""
    lines: list[Text] = []
    for line in text.split(allow_blank=True):
        if line.cell_len <= width and "\t" not in line.plain:
            # What Text.wrap does with a line that fits (most do: _flow made them fit).
            line.truncate(width, overflow="ellipsis", pad=True)
            lines.append(line)
        else:
            lines.extend(line.wrap(console, width, justify="left", overflow="ellipsis"))
    # Joined as Text.__rich_console__ joins them: each line's own style becomes a span.
    return list(Segment.split_lines(Text("\n").join(lines).render(console)))


def _block_lines(console: Console, block: _Block, width: int) -> list[list[Segment]]:
    if block.border is None:
        lines = _text_lines(console, block.text, width)
        if block.gap:
            lines.append([Segment(" " * width)])
        return lines
    edges = box.ROUNDED.substitute(console.options, safe=console.safe_box)
    border = console.get_style(block.border)
    inner = width - 4  # the border and one space on each side
    left, right, space = (
        Segment(edges.mid_left, border),
        Segment(edges.mid_right, border),
        Segment(" "),
    )
    lines = [[Segment(edges.get_top([width - 2]), border)]]
    for line in _text_lines(console, block.text, inner):
        lines.append([left, space, *line, space, right])
    lines.append([Segment(edges.get_bottom([width - 2]), border)])
    return lines


class _StageColumns:
    """One column per stage, side by side: the headers, a rule, then each column's cards,
    drawn as segments. Rich's Table with Panels and Paddings took ~40 ms of a 100k board's
    CPU to lay out the same text (docs/performance.md); the widths are those it gave: the
    width less a space between columns, shared equally, larger shares first, each column
    but the last keeping a space at its right."""

    def __init__(self, headers: list[Text], cells: list[list[_Block]]) -> None:
        self.headers = headers
        self.cells = cells

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        count = len(self.headers)
        shares = _distribute(options.max_width - (count - 1), count)
        widths = [share - 1 for share in shares[:-1]] + [shares[-1]]
        pads = [Segment(" ")] * (count - 1) + [None]
        new_line = Segment.line()
        header_cells = [
            _text_lines(console, header, width)
            for header, width in zip(self.headers, widths, strict=True)
        ]
        # The lines between columns are blank, the rule "─": Rich's ASCII box on a terminal
        # that cannot show them ("|" and "-+-"), as the Table drew it.
        lines = _BOARD_BOX.substitute(options, safe=console.safe_box)
        yield from self._row(header_cells, widths, pads, Segment(lines.head_vertical))
        yield Segment(lines.get_row(shares, "row", edge=False))
        yield new_line
        card_cells = [
            [line for block in blocks for line in _block_lines(console, block, width)]
            for blocks, width in zip(self.cells, widths, strict=True)
        ]
        yield from self._row(card_cells, widths, pads, Segment(lines.foot_vertical))

    @staticmethod
    def _row(
        cells: list[list[list[Segment]]],
        widths: list[int],
        pads: list[Segment | None],
        divider: Segment,
    ) -> Iterator[Segment]:
        height = max(len(lines) for lines in cells)
        new_line = Segment.line()
        for index in range(height):
            for number, (lines, width, pad) in enumerate(zip(cells, widths, pads, strict=True)):
                if number:
                    yield divider
                if index < len(lines):
                    yield from lines[index]
                else:
                    yield Segment(" " * width)
                if pad is not None:
                    yield pad
            yield new_line


# -- on a terminal -------------------------------------------------------------------------


class BoardView:
    """The board as a Rich renderable; wide or stacked depending on the width it gets."""

    def __init__(self, board: Board, now: datetime) -> None:
        self.board = board
        self.now = now

    def wide_enough(self, width: int) -> bool:
        n = len(self.board.columns)
        return width >= WIDE and _column_width(width, n) >= MIN_COLUMN

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        board = self.board
        yield self._title()
        message = empty_message(board)
        if message:
            yield Text(message, "muted")
            return
        width = options.max_width
        if self.wide_enough(width):
            yield self._columns(width)
        else:
            yield self._stacked(width)
        yield from self._footer(width)

    def _title(self) -> Text:
        board = self.board
        title = Text.assemble((clean(board.pipeline.name, one_line=True), "heading"))
        title.append(f"  {deal_count(board.count)} open", "muted")
        if board.stale_count:
            title.append(f", {board.stale_count} stale", "bad")
        if filters_text(board):
            title.append(f"  (only {filters_text(board)})", "muted")
        return title

    def _details(self, card: BoardCard, *, next_text: bool) -> list[Text]:
        """A card's facts after its title, as pieces that _flow lays out."""
        parts = [
            Text(money(card.value, card.currency, card.exponent)),
            Text(f"{card.days_in_stage}d in stage", "muted"),
        ]
        if card.next_step:
            step = card.next_step
            part = Text(f"next: {step.kind} {step_when(step, self.now)}", "kind")
            if next_text:
                part.append(" — ", "muted")
                part.append_text(t(step.text, "muted"))
            parts.append(part)
        if card.stale:
            parts.append(Text(f"STALE: idle {card.idle_days}d", "bad"))
        return parts

    # wide: one column per stage

    def _columns(self, width: int) -> _StageColumns:
        inner = _column_width(width, len(self.board.columns)) - 1  # less its padding
        return _StageColumns(
            [self._header(column, inner) for column in self.board.columns],
            [self._cell(column, inner) for column in self.board.columns],
        )

    def _header(self, column: BoardColumn, width: int) -> Text:
        header = Text.assemble((clean(column.stage.name, one_line=True), "heading"))
        header.append(f"\n{deal_count(column.count)} · {column.stage.probability}%", "muted")
        for total in column.totals:
            value = Text(money(total.value, total.currency, total.exponent))
            weighted = money(total.weighted, total.currency, total.exponent)
            header.append("\n")
            header.append_text(_flow([value, Text(f"weighted {weighted}", "muted")], width))
        return header

    def _cell(self, column: BoardColumn, width: int) -> list[_Block]:
        if not column.cards:
            return [_Block(Text("no deals", "muted"))]
        panels = width >= PANEL_COLUMN
        parts: list[_Block] = []
        for last, card in loop_last(column.cards):
            body = Text.assemble((f"#{card.id} ", "id"), t(card.title, "name"))
            if card.company:
                body.append("\n")
                body.append_text(t(card.company, "muted"))
            body.append("\n")
            body.append_text(_flow(self._details(card, next_text=False), width - 4 * panels))
            if panels:
                parts.append(_Block(body, border="bad" if card.stale else "muted"))
            else:
                parts.append(_Block(body, gap=not last))
        if column.more:
            parts.append(_Block(Text(more_line(self.board, column), "muted")))
        return parts

    # narrow: a stacked list per stage

    def _stacked(self, width: int) -> Group:
        parts: list[RenderableType] = []
        for column in self.board.columns:
            heading = Text.assemble((clean(column.stage.name, one_line=True), "heading"))
            heading.append(f"  {deal_count(column.count)} · {stage_facts(column)}", "muted")
            if column.totals:
                heading.append(f"\n{amounts(column.totals)}")
                heading.append(f" · weighted {amounts(column.totals, weighted=True)}", "muted")
            rows: list[RenderableType] = [heading]
            for card in column.cards:
                title = Text.assemble((f"#{card.id} ", "id"), t(card.title, "name"))
                if card.company:
                    title.append(" · ", "muted")
                    title.append_text(t(card.company, "muted"))
                details = _flow(self._details(card, next_text=True), width - 4)
                rows.append(Padding(title, (0, 0, 0, 2)))
                rows.append(Padding(details, (0, 0, 0, 4)))
            if column.more:
                more = Text(more_line(self.board, column), "muted")
                rows.append(Padding(more, (0, 0, 0, 2)))
            parts.append(Padding(Group(*rows), (1, 0, 0, 0)))
        return Group(*parts)

    # footer

    def _footer(self, width: int) -> Iterator[RenderableType]:
        board = self.board
        total = Text.assemble(("Total ", "heading"), amounts(board.totals))
        forecast = Text.assemble(
            ("weighted forecast ", "heading"), amounts(board.totals, weighted=True)
        )
        footer = Text("\n")
        footer.append_text(_flow([total, forecast], width))
        closing = board.closing
        footer.append(f"\nClosing in {month_name(closing.month)}: ", "heading")
        if not closing.count:
            footer.append("none", "muted")
            yield footer
            return
        footer.append(f"{deal_count(closing.count)}, {amounts(closing.totals)}")
        yield footer
        rows = [
            (
                card.expected_close or "",
                t(card.title),
                money(card.value, card.currency, card.exponent),
            )
            for card in closing.deals
        ]
        if closing.count > len(closing.deals):
            rows.append(("", Text(f"+{closing.count - len(closing.deals)} more", "muted"), ""))
        yield _Soonest(rows)


class _Soonest:
    """The month's soonest closings, indented by two: day, title, value (right-aligned),
    two spaces apart. Drawn as segments when they fit the width whole (always, but for
    long titles on a narrow terminal), else by Rich's Table, which cuts the titles."""

    def __init__(self, rows: list[tuple[str, Text, str]]) -> None:
        self.rows = rows

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        width = options.max_width
        days = max(cell_len(day) for day, _, _ in self.rows) + 2
        titles = max(title.cell_len for _, title, _ in self.rows) + 2
        values = max(cell_len(value) for _, _, value in self.rows)
        if 2 + days + titles + values > width:
            yield self._table()
            return
        muted = console.get_style("muted")
        indent, new_line = Segment("  "), Segment.line()
        for day, title, value in self.rows:
            yield indent
            yield Segment(day + " " * (days - 2 - cell_len(day)), muted)
            yield Segment("  ", muted)
            (line,) = _text_lines(console, title, titles - 2)
            yield from line
            yield Segment("  ")
            yield Segment(" " * (values - cell_len(value)) + value)
            yield Segment(" " * (width - 2 - days - titles - values))
            yield new_line

    def _table(self) -> Padding:
        from rich.table import Table

        soonest = Table(box=None, show_header=False, pad_edge=False, padding=(0, 2, 0, 0))
        soonest.add_column(style="muted", no_wrap=True)
        soonest.add_column(overflow="ellipsis")
        soonest.add_column(justify="right", no_wrap=True)
        for row in self.rows:
            soonest.add_row(*row)
        return Padding(soonest, (0, 0, 0, 2))


def board_view(board: Board, now: datetime) -> BoardView:
    return BoardView(board, now)


# -- the list of pipelines -----------------------------------------------------------------


def pipeline_table(pipelines: list[Pipeline]) -> Table:
    from rich.table import Table

    table = Table(box=None, pad_edge=False, header_style="heading")
    table.add_column("Pipeline", style="name", no_wrap=True)
    table.add_column("Open", justify="right", no_wrap=True)
    table.add_column("Stages", overflow="ellipsis", ratio=1)
    for pipeline in pipelines:
        name = t(pipeline.name)
        if pipeline.is_default:
            name.append(" (default)", "muted")
        table.add_row(name, str(pipeline.open_deals), t(stage_list(pipeline)))
    return table
