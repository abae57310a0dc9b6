"""Lifecycle: the stage list, a record's changes, and the funnel and sources reports
(Rich on a terminal, tab-separated plain text when piped)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import TYPE_CHECKING

from pcrm.dates import plural
from pcrm.render.cells import t, when
from pcrm.render.reports import (
    DASH,
    days,
    heading,
    money_column,
    period_text,
    plain_amounts,
    report_table,
)
from pcrm.render.safe import clean

if TYPE_CHECKING:
    from rich.console import RenderableType
    from rich.table import Table
    from rich.text import Text

    from pcrm.core.people.lifecycle_models import LifecycleChange, LifecycleStage
    from pcrm.core.reports.funnel import Dropout, Funnel, MoneySum, SourcesReport

BAR = 24  # cells of the widest funnel bar (the whole cohort)


# -- the stage list --------------------------------------------------------------------


def stage_table(stages: list[LifecycleStage], now: datetime) -> RenderableType:
    table = report_table()
    table.add_column("#", justify="right", style="id", no_wrap=True)
    table.add_column("Stage", style="name", no_wrap=True)
    table.add_column("Contacts", justify="right", no_wrap=True)
    table.add_column("Companies", justify="right", no_wrap=True)
    for stage in stages:
        table.add_row(
            "exit" if stage.is_exit else str(stage.position),
            t(stage.name),
            str(stage.contacts),
            str(stage.companies),
        )
    return table


def stage_lines(stages: list[LifecycleStage]) -> Iterator[str]:
    """Tab-separated, no header: position (or 'exit'), name, contacts, companies."""
    for stage in stages:
        position = "exit" if stage.is_exit else str(stage.position)
        name = clean(stage.name, one_line=True)
        yield f"{position}\t{name}\t{stage.contacts}\t{stage.companies}"


# -- a record's changes (in `show`) ----------------------------------------------------


def _moved(change: LifecycleChange) -> str:
    if change.from_stage is None:
        return change.to_stage
    return f"{change.from_stage} → {change.to_stage}"


def change_rows(changes: list[LifecycleChange], now: datetime) -> Table:
    from rich.table import Table

    table = Table(box=None, pad_edge=False, show_header=False)
    table.add_column(style="muted", no_wrap=True)
    table.add_column(no_wrap=True)
    table.add_column(overflow="ellipsis", ratio=1, style="muted")
    for change in changes:
        table.add_row(when(change.at, now), t(_moved(change)), t(change.reason))
    return table


# -- the funnel ------------------------------------------------------------------------


def _funnel_title(funnel: Funnel) -> str:
    title = f"Lifecycle funnel: {plural(funnel.cohort, 'contact')} entered"
    period = period_text(funnel.period)
    return f"{title} {period}" if period else title


def _share(part: int, whole: int) -> str:
    """'66.7%' from the counts themselves (not from the rounded fraction), or the dash."""
    return f"{part * 100 / whole:.1f}%" if whole else DASH


def _bar(reached: int, cohort: int) -> Text:
    from rich.text import Text

    cells = round(BAR * reached / cohort) if cohort else 0
    if reached and not cells:
        cells = 1  # a stage somebody reached never looks empty
    return Text("█" * cells, style="good")


def _dropout_text(dropout: Dropout) -> str:
    return f"{dropout.exit}: {dropout.reason or '(no reason)'}"


def funnel_view(funnel: Funnel, now: datetime) -> RenderableType:
    from rich.console import Group
    from rich.text import Text

    parts: list[RenderableType] = [heading(_funnel_title(funnel))]
    if not funnel.cohort:
        parts.append(Text("Nobody entered the lifecycle in this period.", style="muted"))
        return Group(*parts)
    table = report_table()
    table.add_column("Stage", style="name", no_wrap=True)
    table.add_column("Reached", justify="right", no_wrap=True)
    table.add_column("", no_wrap=True, min_width=BAR)
    table.add_column("Step", justify="right", no_wrap=True)
    table.add_column("Overall", justify="right", no_wrap=True)
    table.add_column("Median days", justify="right", no_wrap=True)
    previous = None
    for step in funnel.steps:
        table.add_row(
            t(step.stage),
            str(step.reached),
            _bar(step.reached, funnel.cohort),
            _share(step.reached, previous) if previous is not None else "",
            _share(step.reached, funnel.cohort),
            days(step.median_days) if previous is not None else "",
        )
        previous = step.reached
    parts += [Text(""), table]
    dropped = [step for step in funnel.steps if step.dropouts]
    if dropped:
        reasons = report_table()
        reasons.add_column("Left at", style="name", no_wrap=True)
        reasons.add_column("Exit and reason", overflow="ellipsis", ratio=1)
        reasons.add_column("Count", justify="right", no_wrap=True)
        for step in dropped:
            for index, dropout in enumerate(step.dropouts):
                reasons.add_row(
                    t(step.stage) if index == 0 else "",
                    t(_dropout_text(dropout)),
                    str(dropout.count),
                )
        parts += [Text(""), heading("Drop-outs"), reasons]
    return Group(*parts)


def _fraction(value: float | None) -> str:
    return DASH if value is None else f"{value:.4f}".rstrip("0").rstrip(".")


def funnel_lines(funnel: Funnel) -> Iterator[str]:
    """A title line, then per stage: stage, reached, step conversion, overall conversion
    (fractions 0..1), median days, contacts timed; then the drop-outs: stage, exit,
    reason, count."""
    yield _funnel_title(funnel)
    yield "stage\treached\tstep\toverall\tmedian days\ttimed"
    for index, step in enumerate(funnel.steps):
        yield "\t".join(
            [
                clean(step.stage, one_line=True),
                str(step.reached),
                _fraction(step.step_conversion) if index else "",
                _fraction(step.overall_conversion),
                days(step.median_days) if index else "",
                str(step.timed) if index else "",
            ]
        )
    yield ""
    yield "left at\texit\treason\tcount"
    for step in funnel.steps:
        for dropout in step.dropouts:
            yield "\t".join(
                clean(value, one_line=True)
                for value in (step.stage, dropout.exit, dropout.reason or "", str(dropout.count))
            )


# -- sources ---------------------------------------------------------------------------


def _source_name(source: str | None) -> str:
    return source if source is not None else "(no source)"


def _amounts(sums: list[MoneySum]) -> list[tuple[int, str, int]]:
    return [(item.value, item.currency, item.exponent) for item in sums]


def _sources_title(report: SourcesReport) -> str:
    leads = sum(row.leads for row in report.rows)
    title = f"Lead sources: {plural(leads, 'lead')} entered"
    period = period_text(report.period)
    return f"{title} {period}" if period else title


def sources_view(report: SourcesReport, now: datetime) -> RenderableType:
    from rich.console import Group
    from rich.text import Text

    parts: list[RenderableType] = [heading(_sources_title(report))]
    if not report.rows:
        parts.append(Text("Nobody entered the lifecycle in this period.", style="muted"))
        return Group(*parts)
    table = report_table()
    table.add_column("Source", style="name", overflow="ellipsis")
    table.add_column("Leads", justify="right", no_wrap=True)
    table.add_column("Customers", justify="right", no_wrap=True)
    table.add_column("Conversion", justify="right", no_wrap=True)
    table.add_column("Won deals", justify="right", no_wrap=True)
    table.add_column("Won value", no_wrap=True)
    won = money_column([_amounts(row.won) for row in report.rows])
    for index, row in enumerate(report.rows):
        table.add_row(
            t(_source_name(row.source)),
            str(row.leads),
            str(row.customers),
            _share(row.customers, row.leads),
            str(sum(item.count for item in row.won)),
            won[index],
        )
    parts += [Text(""), table]
    return Group(*parts)


def sources_lines(report: SourcesReport) -> Iterator[str]:
    """A title line, a header, then per source: source, leads, customers, conversion
    (0..1), won deals, won value ('20.08 EUR, 10.05 USD')."""
    yield _sources_title(report)
    yield "source\tleads\tcustomers\tconversion\twon deals\twon value"
    for row in report.rows:
        yield "\t".join(
            [
                clean(_source_name(row.source), one_line=True),
                str(row.leads),
                str(row.customers),
                _fraction(row.conversion),
                str(sum(item.count for item in row.won)),
                plain_amounts(_amounts(row.won)),
            ]
        )
