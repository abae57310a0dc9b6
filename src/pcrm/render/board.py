"""The pipeline board on a terminal, and its plain-text form.

Wide terminals get one column per stage across the full width; when the stages do not fit
at MIN_COLUMN cells each (or the terminal is narrower than WIDE), a stacked list per stage.
The choice is made at draw time from the width Rich gives us, so a recording Console of any
width shows what a terminal of that width would. Stale deals say so in words, in colour too.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterator
from datetime import date, datetime
from typing import TYPE_CHECKING

from rich import box
from rich._loop import loop_last
from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.padding import Padding
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from pcrm.dates import humanize_day, to_local
from pcrm.render.money import money, plain
from pcrm.render.records import t, when
from pcrm.render.safe import clean

if TYPE_CHECKING:
    from pcrm.core.board import Board, BoardCard, BoardColumn, CurrencyTotal, NextStep
    from pcrm.core.models import Pipeline

WIDE = 100  # narrower terminals always get the stacked list
MIN_COLUMN = 18  # a stage column narrower than this is unreadable
PANEL_COLUMN = 24  # from this width on, cards are drawn as panels
# No lines but one under the stage headers (a row of their own, see _columns).
_BOARD_BOX = box.Box("    \n    \n    \n    \n ── \n    \n    \n    \n")


def amounts(totals: list[CurrencyTotal], *, weighted: bool = False) -> str:
    """One amount per currency, never added across: '12,000 EUR, 3,500 USD'."""
    if not totals:
        return "0"
    return ", ".join(
        money(total.weighted if weighted else total.value, total.currency, total.exponent)
        for total in totals
    )


def _deals(n: int) -> str:
    return f"{n} deal" if n == 1 else f"{n} deals"


def _month(month: str) -> str:
    year, number = month.split("-")
    return f"{calendar.month_name[int(number)]} {year}"


def _stage_facts(column: BoardColumn) -> str:
    stage = column.stage
    facts = f"{stage.probability}%"
    if stage.rot_days:
        facts += f", stale after {stage.rot_days}d"
    return facts


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


def _filters(board: Board) -> str:
    """The filters in force, as typed ("--tag vip --stale"); the tag is the user's text."""
    return clean(" ".join(board.filters.describe()), one_line=True)


def empty_message(board: Board) -> str | None:
    """What to say instead of a board with nothing on it."""
    name = clean(board.pipeline.name, one_line=True)
    if not board.columns:
        return f"{name} has no stages (add one: pcrm stage add NAME --pipeline {name})"
    if board.count:
        return None
    if board.unfiltered_count:
        return f"no open deal in {name} matches {_filters(board)}"
    return f"no open deals in {name} (add one: pcrm deal add TITLE --pipeline {name})"


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
        title.append(f"  {_deals(board.count)} open", "muted")
        if board.stale_count:
            title.append(f", {board.stale_count} stale", "bad")
        if _filters(board):
            title.append(f"  (only {_filters(board)})", "muted")
        return title

    def _details(self, card: BoardCard, *, next_text: bool) -> list[Text]:
        """A card's facts after its title, as pieces that _flow lays out."""
        parts = [
            Text(money(card.value, card.currency, card.exponent)),
            Text(f"{card.days_in_stage}d in stage", "muted"),
        ]
        if card.next_step:
            step = card.next_step
            part = Text(f"next: {step.kind} {_step_when(step, self.now)}", "kind")
            if next_text:
                part.append(" — ", "muted")
                part.append_text(t(step.text, "muted"))
            parts.append(part)
        if card.stale:
            parts.append(Text(f"STALE: idle {card.idle_days}d", "bad"))
        return parts

    # wide: one column per stage

    def _columns(self, width: int) -> Table:
        inner = _column_width(width, len(self.board.columns)) - 1  # less its padding
        table = Table(
            box=_BOARD_BOX,
            expand=True,
            show_header=False,
            show_edge=False,
            pad_edge=False,
            padding=(0, 1, 0, 0),
        )
        for _ in self.board.columns:
            table.add_column(ratio=1, overflow="fold", vertical="top")
        # The stage headers are a first row, not Rich's header (always aligned to the bottom).
        table.add_row(*(self._header(column, inner) for column in self.board.columns))
        table.add_section()
        table.add_row(*(self._cell(column, inner) for column in self.board.columns))
        return table

    def _header(self, column: BoardColumn, width: int) -> Text:
        header = Text.assemble((clean(column.stage.name, one_line=True), "heading"))
        header.append(f"\n{_deals(column.count)} · {column.stage.probability}%", "muted")
        for total in column.totals:
            value = Text(money(total.value, total.currency, total.exponent))
            weighted = money(total.weighted, total.currency, total.exponent)
            header.append("\n")
            header.append_text(_flow([value, Text(f"weighted {weighted}", "muted")], width))
        return header

    def _cell(self, column: BoardColumn, width: int) -> RenderableType:
        if not column.cards:
            return Text("no deals", "muted")
        panels = width >= PANEL_COLUMN
        parts: list[RenderableType] = []
        for last, card in loop_last(column.cards):
            body = Text.assemble(t(card.title, "name"))
            if card.company:
                body.append("\n")
                body.append_text(t(card.company, "muted"))
            body.append("\n")
            body.append_text(_flow(self._details(card, next_text=False), width - 4 * panels))
            if panels:
                style = "bad" if card.stale else "muted"
                parts.append(Panel(body, box=box.ROUNDED, border_style=style, padding=(0, 1)))
            else:
                parts.append(Padding(body, (0, 0, 0 if last else 1, 0)))
        if column.more:
            parts.append(Text(f"+{column.more} more", "muted"))
        return Group(*parts)

    # narrow: a stacked list per stage

    def _stacked(self, width: int) -> Group:
        parts: list[RenderableType] = []
        for column in self.board.columns:
            heading = Text.assemble((clean(column.stage.name, one_line=True), "heading"))
            heading.append(f"  {_deals(column.count)} · {_stage_facts(column)}", "muted")
            if column.totals:
                heading.append(f"\n{amounts(column.totals)}")
                heading.append(f" · weighted {amounts(column.totals, weighted=True)}", "muted")
            rows: list[RenderableType] = [heading]
            for card in column.cards:
                title = Text.assemble(t(card.title, "name"))
                if card.company:
                    title.append(" · ", "muted")
                    title.append_text(t(card.company, "muted"))
                details = _flow(self._details(card, next_text=True), width - 4)
                rows.append(Padding(title, (0, 0, 0, 2)))
                rows.append(Padding(details, (0, 0, 0, 4)))
            if column.more:
                rows.append(Padding(Text(f"+{column.more} more", "muted"), (0, 0, 0, 2)))
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
        footer.append(f"\nClosing in {_month(closing.month)}: ", "heading")
        if not closing.count:
            footer.append("none", "muted")
            yield footer
            return
        footer.append(f"{_deals(closing.count)}, {amounts(closing.totals)}")
        yield footer
        soonest = Table(box=None, show_header=False, pad_edge=False, padding=(0, 2, 0, 0))
        soonest.add_column(style="muted", no_wrap=True)
        soonest.add_column(overflow="fold")
        soonest.add_column(justify="right", no_wrap=True)
        for card in closing.deals:
            value = money(card.value, card.currency, card.exponent)
            soonest.add_row(card.expected_close or "", t(card.title), value)
        if closing.count > len(closing.deals):
            soonest.add_row("", Text(f"+{closing.count - len(closing.deals)} more", "muted"), "")
        yield Padding(soonest, (0, 0, 0, 2))


def board_view(board: Board, now: datetime) -> BoardView:
    return BoardView(board, now)


# -- plain text ----------------------------------------------------------------------------


def _plain_card(card: BoardCard) -> str:
    fields = [
        str(card.id),
        clean(card.title, one_line=True),
        clean(card.company, one_line=True),
        plain(card.value, card.exponent),
        card.currency,
        f"{card.days_in_stage} days in stage",
    ]
    step = card.next_step
    stamp = step.at if step and step.has_time else step.due_date if step else ""
    fields.append(f"next {stamp} {step.kind}: {clean(step.text, one_line=True)}" if step else "")
    fields.append(f"STALE idle {card.idle_days} days" if card.stale else "")
    return "\t".join(fields).rstrip("\t")


def _step_when(step: NextStep, now: datetime) -> str:
    """'in 3 hours', or for a follow-up due on a day: 'today', 'in 2 days' (local days)."""
    if step.has_time or step.due_date is None:
        return when(step.at, now)
    return humanize_day(date.fromisoformat(step.due_date), to_local(now).date())


def board_lines(board: Board) -> Iterator[str]:
    """The board for a pipe or a mail: a line per stage, a tab-separated line per card
    (id, title, company, value in major units, currency, days in stage, next step, stale),
    then the footer."""
    title = f"{clean(board.pipeline.name, one_line=True)}: {_deals(board.count)} open"
    if board.stale_count:
        title += f", {board.stale_count} stale"
    if _filters(board):
        title += f" (only {_filters(board)})"
    yield title
    message = empty_message(board)
    if message:
        yield message
        return
    for column in board.columns:
        line = f"{clean(column.stage.name, one_line=True)} ({_stage_facts(column)}): "
        line += _deals(column.count)
        if column.totals:
            line += f", {amounts(column.totals)}, weighted {amounts(column.totals, weighted=True)}"
        yield ""
        yield line
        for card in column.cards:
            yield _plain_card(card)
        if column.more:
            yield f"+{column.more} more"
    yield ""
    forecast = amounts(board.totals, weighted=True)
    yield f"Total: {amounts(board.totals)}; weighted forecast: {forecast}"
    closing = board.closing
    if not closing.count:
        yield f"Closing in {_month(closing.month)}: none"
        return
    yield f"Closing in {_month(closing.month)}: {_deals(closing.count)}, {amounts(closing.totals)}"
    for card in closing.deals:
        value = money(card.value, card.currency, card.exponent)
        yield f"{card.expected_close}\t{card.id}\t{clean(card.title, one_line=True)}\t{value}"
    if closing.count > len(closing.deals):
        yield f"+{closing.count - len(closing.deals)} more"


# -- the list of pipelines -----------------------------------------------------------------


def _stage_list(pipeline: Pipeline) -> str:
    return ", ".join(f"{stage.name} {stage.probability}%" for stage in pipeline.stages)


def pipeline_table(pipelines: list[Pipeline]) -> Table:
    table = Table(box=None, pad_edge=False, header_style="heading")
    table.add_column("Pipeline", style="name", no_wrap=True)
    table.add_column("Open", justify="right", no_wrap=True)
    table.add_column("Stages", overflow="fold", ratio=1)
    for pipeline in pipelines:
        name = t(pipeline.name)
        if pipeline.is_default:
            name.append(" (default)", "muted")
        table.add_row(name, str(pipeline.open_deals), t(_stage_list(pipeline)))
    return table


def pipeline_lines(pipelines: list[Pipeline]) -> Iterator[str]:
    """Tab-separated: name, "default" or nothing, open deals, stages with probabilities."""
    for pipeline in pipelines:
        yield "\t".join(
            [
                clean(pipeline.name, one_line=True),
                "default" if pipeline.is_default else "",
                str(pipeline.open_deals),
                clean(_stage_list(pipeline), one_line=True),
            ]
        )
