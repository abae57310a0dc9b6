"""Search results: kind, name, and a snippet with the matching words highlighted."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import TYPE_CHECKING

from rich.table import Table
from rich.text import Text

from pcrm.render.records import t, when
from pcrm.render.safe import clean

if TYPE_CHECKING:
    from pcrm.core.models import SearchHit

# Kept apart from core.models: render must not import core at run time.
HIGHLIGHT_START = "\ue000"
HIGHLIGHT_END = "\ue001"


def highlighted(snippet: str) -> Text:
    """The snippet as Text, its matches in the "match" style; markers never printed."""
    text = Text()
    for index, part in enumerate(clean(snippet, one_line=True).split(HIGHLIGHT_START)):
        match, sep, rest = part.partition(HIGHLIGHT_END)
        if index and sep:
            text.append(match, "match")
            text.append(rest)
        else:
            text.append(part.replace(HIGHLIGHT_END, ""))
    return text


def hits_table(hits: list[SearchHit], now: datetime) -> Table | Text:
    if not hits:
        return Text("no matches", "muted")
    table = Table(box=None, pad_edge=False, header_style="heading")
    table.add_column("Kind", style="kind", no_wrap=True)
    table.add_column("ID", style="id", justify="right", no_wrap=True)
    table.add_column("Name", style="name", ratio=1, overflow="fold")
    table.add_column("Match", ratio=3, overflow="fold")
    table.add_column("When", style="muted", no_wrap=True)
    for hit in hits:
        table.add_row(
            hit.kind, str(hit.id), t(hit.title), highlighted(hit.snippet), when(hit.at, now)
        )
    return table


def hit_lines(hits: list[SearchHit]) -> Iterator[str]:
    """Tab-separated: kind, id, name, snippet (no highlight marks); no header."""
    for hit in hits:
        yield "\t".join(
            (hit.kind, str(hit.id), clean(hit.title, one_line=True), highlighted(hit.snippet).plain)
        )
