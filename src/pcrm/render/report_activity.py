"""`pcrm report activity` on a terminal (a row per week with a bar of its interactions) and
as plain text (every kind in its own column, for scripts)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import TYPE_CHECKING

from pcrm.dates import plural
from pcrm.render.fit import FitWidth
from pcrm.render.reports import heading, period_text, report_table

if TYPE_CHECKING:
    from rich.console import RenderableType

    from pcrm.core.reports.activity import ActivityReport, ActivityWeek

BAR = 16  # cells of the longest bar
_EIGHTHS = " ▏▎▍▌▋▊▉"


def bar(value: int, largest: int, width: int = BAR) -> str:
    """A horizontal bar of value / largest × width cells, to an eighth of a cell; a value
    above zero always shows at least an eighth."""
    if value <= 0 or largest <= 0:
        return ""
    eighths = max(1, round(value * width * 8 / largest))
    full, part = divmod(eighths, 8)
    return "█" * full + (_EIGHTHS[part] if part else "")


def _title(report: ActivityReport) -> str:
    total = report.total
    # A period that ends now reads "since ...": the end goes without saying.
    shown = period_text(report.period, open_end=report.period.end == report.now)
    return (
        f"Activity {shown}: {plural(total.total, 'interaction')}"
        f" with {plural(total.contacts, 'contact')}"
    )


def _overdue_now(report: ActivityReport) -> str | None:
    if not report.overdue_now:
        return None
    return f"{plural(report.overdue_now, 'follow-up')} overdue now (pcrm follow-up list --overdue)"


_SHORT = {"meeting": "Meet", "message": "Msg"}  # headers that fit 80 columns
_LEVELS = "▁▂▃▄▅▆▇█"
GAP = 2  # between table columns


def sparkline(values: list[int]) -> str:
    """One character per value, its height relative to the largest; zero is a space."""
    largest = max(values, default=0)
    return "".join(_LEVELS[max(1, round(v * 8 / largest)) - 1] if v > 0 else " " for v in values)


def activity_view(report: ActivityReport, now: datetime) -> RenderableType:
    from rich.console import Group
    from rich.text import Text

    parts: list[RenderableType] = [heading(_title(report))]
    if _overdue_now(report):
        parts.append(Text(_overdue_now(report) or "", style="warn"))
    parts += [Text(""), FitWidth(lambda width: _table(report, width))]
    return Group(*parts)


def _table(report: ActivityReport, width: int) -> RenderableType:
    from rich.console import Group
    from rich.text import Text

    # Only the kinds that occur get a column, so the table fits a narrow terminal.
    kinds = [kind for kind in report.kinds if report.total.kinds.get(kind)]
    headers = [
        "Week of",
        *(_SHORT.get(kind, kind.capitalize()) for kind in kinds),
        "Total",
        "Contacts",
        "Done",
        "Overdue",
    ]

    def cells(week: ActivityWeek) -> list[str]:
        return [
            *(str(week.kinds.get(kind, 0)) for kind in kinds),
            str(week.total),
            str(week.contacts),
            str(week.followups_done),
            str(week.followups_overdue),
        ]

    rows = [[week.week, *cells(week)] for week in report.weeks]
    rows.append(["All", *cells(report.total)])
    used = sum(max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers))
    used += GAP * len(headers)
    room = min(BAR, width - used)
    largest = max((week.total for week in report.weeks), default=0)

    table = report_table()
    for index, header in enumerate(headers):
        table.add_column(header, justify="left" if index == 0 else "right", no_wrap=True)
    if room >= BAR // 2:
        table.add_column("", style="kind", no_wrap=True)
    for index, week in enumerate(report.weeks):
        extra = [bar(week.total, largest, room)] if room >= BAR // 2 else []
        table.add_row(*rows[index], *extra, end_section=index == len(report.weeks) - 1)
    table.add_row(Text("All", style="heading"), *rows[-1][1:], *([""] if room >= BAR // 2 else []))
    if room >= BAR // 2:
        return table
    # No room for bars: one sparkline of the weeks instead.
    line = Text("Interactions per week  ")
    line.append(sparkline([week.total for week in report.weeks]), style="kind")
    return Group(table, Text(""), line)


def activity_lines(report: ActivityReport) -> Iterator[str]:
    """Tab-separated: a line per week (its Monday) and one for all: interactions of each
    kind, total, contacts touched, follow-ups done, follow-ups overdue."""
    yield _title(report)
    if _overdue_now(report):
        yield _overdue_now(report) or ""
    yield "\t".join(
        ["week", *report.kinds, "total", "contacts", "follow-ups done", "follow-ups overdue"]
    )
    for week in [*report.weeks, report.total]:
        yield "\t".join(
            [
                "All" if week is report.total else week.week,
                *(str(week.kinds.get(kind, 0)) for kind in report.kinds),
                str(week.total),
                str(week.contacts),
                str(week.followups_done),
                str(week.followups_overdue),
            ]
        )
