"""Reports on a terminal (Rich tables, numbers aligned) and as plain text, and the pieces
every report draws the same way: the period, rates, money per currency.

A rate with a zero denominator is "–", never 0 %. Money is one amount per currency, one
per line in a table cell, never added across currencies.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from pcrm.dates import from_iso, plural, to_local
from pcrm.render.money import aligned, plain
from pcrm.render.safe import clean

if TYPE_CHECKING:
    from rich.console import RenderableType
    from rich.table import Table
    from rich.text import Text

    from pcrm.core.deals.board import CurrencyTotal
    from pcrm.core.reports.period import Period
    from pcrm.core.reports.pipeline import PipelineFigures, PipelineReport, StageFigures

DASH = "–"  # a figure that cannot be computed (no deals, a zero denominator)


# -- shared pieces ---------------------------------------------------------------------------


def _local(stamp: str) -> datetime:
    return to_local(from_iso(stamp))


def _shown(moment: datetime) -> str:
    """A local day, with its time only when it is not midnight."""
    if moment.hour == moment.minute == moment.second == 0:
        return moment.date().isoformat()
    return moment.strftime("%Y-%m-%d %H:%M")


def period_text(period: Period, *, open_end: bool = False) -> str:
    """'2026-10-01 to 2026-10-31' (both days included), 'since 2026-10-01', 'until
    2026-10-31', 'up to 2026-10-31 18:00' (an end with a time is excluded), or ''.
    open_end: say nothing of the end (a period that ends now reads "since ...")."""
    start = _shown(_local(period.start)) if period.start else None
    end = None
    if period.end and not open_end:
        moment = _local(period.end)
        # An end at local midnight is the exclusive bound of a whole day: name that day.
        if moment.hour == moment.minute == moment.second == 0:
            end = "to " + (moment.date() - timedelta(days=1)).isoformat()
        else:
            end = f"up to {_shown(moment)}"
    if start and end:
        return f"{start} {end}"
    if start:
        return f"since {start}"
    if end:
        return end.replace("to ", "until ", 1) if end.startswith("to ") else end
    return ""


def percent(fraction: float | None) -> str:
    """A fraction as '62.5%'; None (nothing to divide by) as the dash."""
    return DASH if fraction is None else f"{fraction * 100:.1f}%"


def days(value: float | None) -> str:
    return DASH if value is None else f"{value:.1f}"


def money_column(cells: Sequence[Sequence[tuple[int, str, int] | None]]) -> list[Text]:
    """Table cells of amounts (value, currency, exponent), one per line, aligned across the
    whole column; None in a cell is a line with the dash, and an empty cell is the dash."""
    from rich.text import Text

    texts = aligned([item for cell in cells for item in cell if item is not None])
    dash = DASH.rjust(len(texts[0]) if texts else 1)  # every amount has the same width
    flat = iter(texts)
    out = []
    for cell in cells:
        lines = [next(flat) if item is not None else dash for item in cell]
        out.append(Text("\n".join(lines or [dash])))
    return out


def plain_amounts(items: list[tuple[int, str, int]]) -> str:
    """'20.08 EUR, 10.05 USD' for plain text (no grouping, code after), or ''."""
    return ", ".join(f"{plain(value, exponent)} {code}" for value, code, exponent in items)


def _values(totals: list[CurrencyTotal]) -> list[tuple[int, str, int]]:
    return [(t.value, t.currency, t.exponent) for t in totals]


def _weighted(totals: list[CurrencyTotal]) -> list[tuple[int, str, int]]:
    return [(t.weighted, t.currency, t.exponent) for t in totals]


def report_table(title: str | None = None) -> Table:
    from rich.table import Table

    return Table(
        box=None,
        pad_edge=False,
        header_style="heading",
        title=title,
        title_justify="left",
        title_style="heading",
    )


def heading(text: str) -> Text:
    from rich.text import Text

    return Text(clean(text, one_line=True), style="heading")


# -- pipeline --------------------------------------------------------------------------------


def _pipeline_title(report: PipelineReport) -> str:
    title = f"Open pipeline: {plural(report.count, 'deal')}, {report.stale} stale"
    if period_text(report.period):
        title += f", closing {period_text(report.period)}"
    return title


def pipeline_view(report: PipelineReport, now: datetime) -> RenderableType:
    from rich.console import Group
    from rich.text import Text

    parts: list[RenderableType] = [heading(_pipeline_title(report))]
    if report.undated_left_out:
        parts.append(
            Text(
                f"{plural(report.undated_left_out, 'open deal')} without a close date left out",
                style="muted",
            )
        )
    for figures in report.pipelines:
        table = report_table()
        table.add_column(clean(figures.pipeline, one_line=True), style="name", no_wrap=True)
        for header in ("Win %", "Deals", "Avg age", "Stale"):
            table.add_column(header, justify="right", no_wrap=True)
        table.add_column("Value", no_wrap=True)
        table.add_column("Weighted", no_wrap=True)
        rows: list[StageFigures | PipelineFigures] = [*figures.stages, figures]
        values = money_column([_values(row.totals) for row in rows])
        weights = money_column([_weighted(row.totals) for row in rows])
        for index, row in enumerate(figures.stages):
            table.add_row(
                Text(clean(row.stage, one_line=True)),
                f"{row.probability}%",
                str(row.count),
                days(row.average_age_days),
                str(row.stale),
                values[index],
                weights[index],
                end_section=index == len(figures.stages) - 1,
            )
        table.add_row(
            Text("Total", style="heading"),
            "",
            str(figures.count),
            days(figures.average_age_days),
            str(figures.stale),
            values[-1],
            weights[-1],
        )
        parts += [Text(""), table]
    parts += [Text(""), _forecast_table(report)]
    return Group(*parts)


def _month_label(month: str | None) -> str:
    return month if month is not None else "no close date"


def _forecast_table(report: PipelineReport) -> RenderableType:
    from rich.text import Text

    if not report.forecast:
        return Text("Forecast: no open deals", style="muted")
    table = report_table()
    table.add_column("Expected close", no_wrap=True)
    table.add_column("Deals", justify="right", no_wrap=True)
    table.add_column("Value", no_wrap=True)
    table.add_column("Weighted", no_wrap=True)
    totals = [month.totals for month in report.forecast]
    values = money_column([_values(t) for t in totals])
    weights = money_column([_weighted(t) for t in totals])
    for index, month in enumerate(report.forecast):
        table.add_row(_month_label(month.month), str(month.count), values[index], weights[index])
    return table


def pipeline_lines(report: PipelineReport) -> Iterator[str]:
    """Tab-separated: a line per stage and a total per pipeline (pipeline, stage, win %,
    deals, average age in days, stale, value, weighted), then the forecast by month
    (month, deals, value, weighted); amounts as '20.08 EUR, 10.05 USD'."""
    yield _pipeline_title(report)
    if report.undated_left_out:
        yield f"{plural(report.undated_left_out, 'open deal')} without a close date left out"
    yield "pipeline\tstage\twin %\tdeals\tavg age days\tstale\tvalue\tweighted"
    for figures in report.pipelines:
        name = clean(figures.pipeline, one_line=True)
        for row in figures.stages:
            yield "\t".join(
                [
                    name,
                    clean(row.stage, one_line=True),
                    str(row.probability),
                    str(row.count),
                    days(row.average_age_days),
                    str(row.stale),
                    plain_amounts(_values(row.totals)),
                    plain_amounts(_weighted(row.totals)),
                ]
            )
        yield "\t".join(
            [
                name,
                "Total",
                "",
                str(figures.count),
                days(figures.average_age_days),
                str(figures.stale),
                plain_amounts(_values(figures.totals)),
                plain_amounts(_weighted(figures.totals)),
            ]
        )
    yield ""
    yield "expected close\tdeals\tvalue\tweighted"
    for month in report.forecast:
        yield "\t".join(
            [
                _month_label(month.month),
                str(month.count),
                plain_amounts(_values(month.totals)),
                plain_amounts(_weighted(month.totals)),
            ]
        )
