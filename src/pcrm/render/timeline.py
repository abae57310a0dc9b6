"""The timeline: one line per event, newest first, grouped by nothing but time."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import TYPE_CHECKING

from pcrm.dates import format_local, from_iso
from pcrm.render.cells import t, when
from pcrm.render.safe import clean

if TYPE_CHECKING:
    from rich.console import RenderableType
    from rich.table import Table

    from pcrm.core.views.models import TimelineEvent


# Below these widths a column gives its room to the text: first the time of day, then the date.
WIDE = 100
NARROW = 60


def source_tag(source: str | None, direction: str | None) -> str:
    """Where a captured interaction came from: "mail, in"; "" for one logged by hand."""
    if not source or source == "manual":
        return ""
    return f"{source}, {direction}" if direction else source


def timeline_table(events: list[TimelineEvent], now: datetime) -> RenderableType:
    from rich.text import Text

    from pcrm.render.fit import FitWidth  # terminal only: piped views print lines

    if not events:
        return Text("nothing has happened yet", "muted")
    return FitWidth(lambda width: _table(events, now, width))


def _table(events: list[TimelineEvent], now: datetime, width: int) -> Table:
    from rich.table import Table
    from rich.text import Text

    table = Table(box=None, pad_edge=False, header_style="heading")
    table.add_column("When", style="muted", no_wrap=True)
    if width >= NARROW:
        table.add_column("Date", style="muted", no_wrap=True)
    table.add_column("What", style="kind", no_wrap=True)
    table.add_column("", overflow="ellipsis", ratio=1)
    for event in events:
        line = Text()
        if event.cancelled_at:
            line.append("cancelled  ", "warn")
        tag = source_tag(event.source, event.direction)
        if tag:
            line.append(f"({tag}) ", "muted")
        if event.summary:
            line.append_text(t(event.summary, "muted" if event.text else ""))
            if event.text:
                line.append("  ")
        if event.text:
            line.append_text(t(event.text))
        moment = from_iso(event.at)
        date = [format_local(moment, with_time=width >= WIDE)] if width >= NARROW else []
        if event.cancelled_at:
            line.stylize("cancelled", len("cancelled  "))
        table.add_row(when(event.at, now), *date, event.kind, line)
    return table


def timeline_lines(events: list[TimelineEvent]) -> Iterator[str]:
    """Tab-separated: time (UTC ISO), kind, summary, text; no header. A cancelled
    interaction's summary starts with "cancelled"."""
    for event in events:
        summary = event.summary
        if event.cancelled_at:
            summary = "cancelled" + (f", {summary}" if summary else "")
        tag = source_tag(event.source, event.direction)
        if tag:
            summary = f"{summary} ({tag})" if summary else f"({tag})"
        yield "\t".join(
            clean(value, one_line=True)
            for value in (event.at, event.kind, summary, event.text or "")
        )
