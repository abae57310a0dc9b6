"""`pcrm report wins` on a terminal and as plain text: one row per group and a total, the
per-currency figures one line per currency, then the lost reasons ranked."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import TYPE_CHECKING

from pcrm.render.reports import (
    days,
    heading,
    money_column,
    percent,
    period_text,
    plain_amounts,
    report_table,
)
from pcrm.render.safe import clean

if TYPE_CHECKING:
    from rich.console import RenderableType

    from pcrm.core.reports.wins import CurrencyOutcome, WinGroup, WinsReport

_NONE = {"month": "", "source": "(no source)", "tag": "(no tag)"}


def _label(group: WinGroup, by: str) -> str:
    if group.key is None:
        return _NONE[by]
    return clean(group.key, one_line=True)


def _title(report: WinsReport) -> str:
    total = report.total
    title = f"Wins and losses: {total.won} won, {total.lost} lost"
    if period_text(report.period):
        title += f", closed {period_text(report.period)}"
    return title


def _won(c: CurrencyOutcome) -> tuple[int, str, int]:
    return (c.won_value, c.currency, c.exponent)


def _lost(c: CurrencyOutcome) -> tuple[int, str, int]:
    return (c.lost_value, c.currency, c.exponent)


def _average(c: CurrencyOutcome) -> tuple[int, str, int] | None:
    return None if c.average_won is None else (c.average_won, c.currency, c.exponent)


def wins_view(report: WinsReport, now: datetime) -> RenderableType:
    from rich.console import Group
    from rich.text import Text

    parts: list[RenderableType] = [heading(_title(report)), Text("")]
    if not report.groups:
        parts.append(Text("No deal was won or lost in this period.", style="muted"))
        return Group(*parts)
    rows = [*report.groups, report.total]
    labels = [
        Text("All", style="heading") if g is report.total else Text(_label(g, report.by))
        for g in rows
    ]
    counts = report_table()
    counts.add_column(report.by.capitalize(), overflow="ellipsis")
    for header in ("Won", "Lost", "Win %", "Median cycle days"):
        counts.add_column(header, justify="right", no_wrap=True)
    for index, group in enumerate(rows):
        counts.add_row(
            labels[index],
            str(group.won),
            str(group.lost),
            percent(group.win_rate),
            days(group.median_cycle_days),
            end_section=index == len(rows) - 2,
        )
    # Money per currency, a line each; a currency without a win keeps its line (the dash)
    # in the average, so the lines of every column belong to the same currency.
    won = money_column([[_won(c) for c in g.currencies] for g in rows])
    lost = money_column([[_lost(c) for c in g.currencies] for g in rows])
    averages = money_column([[_average(c) for c in g.currencies] for g in rows])
    values = report_table()
    values.add_column(report.by.capitalize(), overflow="ellipsis")
    values.add_column("Won value", no_wrap=True)
    values.add_column("Lost value", no_wrap=True)
    values.add_column("Value win %", justify="right", no_wrap=True)
    values.add_column("Avg won deal", no_wrap=True)
    for index, group in enumerate(rows):
        values.add_row(
            labels[index],
            won[index],
            lost[index],
            "\n".join(percent(c.value_win_rate) for c in group.currencies),
            averages[index],
            end_section=index == len(rows) - 2,
        )
    parts += [counts, Text(""), values]
    if report.lost_reasons:
        reasons = report_table()
        reasons.add_column("Lost reason", overflow="ellipsis")
        reasons.add_column("Deals", justify="right", no_wrap=True)
        for reason in report.lost_reasons:
            reasons.add_row(Text(clean(reason.reason, one_line=True)), str(reason.count))
        parts += [Text(""), reasons]
    return Group(*parts)


def _plain_rates(group: WinGroup) -> str:
    return ", ".join(f"{percent(c.value_win_rate)} {c.currency}" for c in group.currencies)


def wins_lines(report: WinsReport) -> Iterator[str]:
    """Tab-separated: a line per group and one for all (group, won, lost, win rate, won
    value, lost value, value win rate, average won, median cycle days), amounts as
    '300.00 EUR, 5 JPY'; then the lost reasons (reason, deals), most frequent first."""
    yield _title(report)
    yield (
        f"{report.by}\twon\tlost\twin rate\twon value\tlost value\tvalue win rate"
        "\tavg won\tmedian cycle days"
    )
    for group in [*report.groups, report.total]:
        yield "\t".join(
            [
                "All" if group is report.total else _label(group, report.by),
                str(group.won),
                str(group.lost),
                percent(group.win_rate),
                plain_amounts([_won(c) for c in group.currencies]),
                plain_amounts([_lost(c) for c in group.currencies]),
                _plain_rates(group),
                plain_amounts([a for c in group.currencies if (a := _average(c)) is not None]),
                days(group.median_cycle_days),
            ]
        )
    yield ""
    yield "lost reason\tdeals"
    for reason in report.lost_reasons:
        yield f"{clean(reason.reason, one_line=True)}\t{reason.count}"
