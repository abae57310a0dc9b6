"""The pipeline board and the list of pipelines as plain text (pipes, mail, scripts), and
the wording the terminal board shares with it.

This module does not import Rich (render/board.py draws for a terminal): a piped
`pcrm pipeline` is spared its import (docs/performance.md).
"""

from __future__ import annotations

import calendar
import shlex
from collections.abc import Iterator
from datetime import date, datetime
from typing import TYPE_CHECKING

from pcrm.dates import humanize_day, to_local
from pcrm.render.cells import when
from pcrm.render.money import money, plain
from pcrm.render.safe import clean

if TYPE_CHECKING:
    from pcrm.core.deals.board import Board, BoardCard, BoardColumn, CurrencyTotal, NextStep
    from pcrm.core.deals.models import Pipeline


def amounts(totals: list[CurrencyTotal], *, weighted: bool = False) -> str:
    """One amount per currency, never added across: '12,000 EUR, 3,500 USD'."""
    if not totals:
        return "0"
    return ", ".join(
        money(total.weighted if weighted else total.value, total.currency, total.exponent)
        for total in totals
    )


def deal_count(n: int) -> str:
    return f"{n} deal" if n == 1 else f"{n} deals"


def month_name(month: str) -> str:
    year, number = month.split("-")
    return f"{calendar.month_name[int(number)]} {year}"


def stage_facts(column: BoardColumn) -> str:
    stage = column.stage
    facts = f"{stage.probability}%"
    if stage.rot_days:
        facts += f", stale after {stage.rot_days}d"
    return facts


def filters_text(board: Board) -> str:
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
        return f"no open deal in {name} matches {filters_text(board)}"
    return f"no open deals in {name} (add one: pcrm deal add TITLE --pipeline {name})"


DEAL_LIST_LIMIT = 100  # what `pcrm deal list` shows unless given --limit


def more_line(board: Board, column: BoardColumn) -> str:
    """'+3 more: pcrm deal list --stage Proposal': how many cards a column leaves out and
    the command that lists them all, with the board's filters."""
    filters = board.filters
    tag = ["--tag", filters.tag] if filters.tag else []
    if filters.stale:  # `deal list` has no --stale: the whole board, every card
        words = ["pcrm", "pipeline", "show", board.pipeline.name, *tag]
        words += [*(["--closing", filters.closing] if filters.closing else []), "--stale"]
        words += ["--limit", "0"]
    else:
        words = ["pcrm", "deal", "list"]
        if not board.pipeline_is_default:
            words += ["--pipeline", board.pipeline.name]
        words += ["--stage", column.stage.name, *tag]
        if filters.closing:
            words += ["--closing-before", filters.closing]
        if column.count > DEAL_LIST_LIMIT:
            words += ["--limit", "0"]
    command = " ".join(shlex.quote(clean(word, one_line=True)) for word in words)
    return f"+{column.more} more: {command}"


# -- the board -----------------------------------------------------------------------------


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


def step_when(step: NextStep, now: datetime) -> str:
    """'in 3 hours', or for a follow-up due on a day: 'today', 'in 2 days' (local days)."""
    if step.has_time or step.due_date is None:
        return when(step.at, now)
    return humanize_day(date.fromisoformat(step.due_date), to_local(now).date())


def board_lines(board: Board) -> Iterator[str]:
    """The board for a pipe or a mail: a line per stage, a tab-separated line per card
    (id, title, company, value in major units, currency, days in stage, next step, stale),
    then the footer."""
    title = f"{clean(board.pipeline.name, one_line=True)}: {deal_count(board.count)} open"
    if board.stale_count:
        title += f", {board.stale_count} stale"
    if filters_text(board):
        title += f" (only {filters_text(board)})"
    yield title
    message = empty_message(board)
    if message:
        yield message
        return
    for column in board.columns:
        line = f"{clean(column.stage.name, one_line=True)} ({stage_facts(column)}): "
        line += deal_count(column.count)
        if column.totals:
            line += f", {amounts(column.totals)}, weighted {amounts(column.totals, weighted=True)}"
        yield ""
        yield line
        for card in column.cards:
            yield _plain_card(card)
        if column.more:
            yield more_line(board, column)
    yield ""
    forecast = amounts(board.totals, weighted=True)
    yield f"Total: {amounts(board.totals)}; weighted forecast: {forecast}"
    closing = board.closing
    if not closing.count:
        yield f"Closing in {month_name(closing.month)}: none"
        return
    counted = f"{deal_count(closing.count)}, {amounts(closing.totals)}"
    yield f"Closing in {month_name(closing.month)}: {counted}"
    for card in closing.deals:
        value = money(card.value, card.currency, card.exponent)
        yield f"{card.expected_close}\t{card.id}\t{clean(card.title, one_line=True)}\t{value}"
    if closing.count > len(closing.deals):
        yield f"+{closing.count - len(closing.deals)} more"


# -- the list of pipelines -----------------------------------------------------------------


def stage_list(pipeline: Pipeline) -> str:
    return ", ".join(f"{stage.name} {stage.probability}%" for stage in pipeline.stages)


def pipeline_lines(pipelines: list[Pipeline]) -> Iterator[str]:
    """Tab-separated: name, "default" or nothing, open deals, stages with probabilities."""
    for pipeline in pipelines:
        yield "\t".join(
            [
                clean(pipeline.name, one_line=True),
                "default" if pipeline.is_default else "",
                str(pipeline.open_deals),
                clean(stage_list(pipeline), one_line=True),
            ]
        )
