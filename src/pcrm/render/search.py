"""Search results: kind, name, and a snippet with the matching words highlighted.

core marks the matches in a snippet with two private-use characters; they become a style
on a terminal and disappear everywhere else (plain text, JSON).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import TYPE_CHECKING, Any

from pcrm.render.cells import t, when
from pcrm.render.safe import clean

if TYPE_CHECKING:
    from rich.console import RenderableType
    from rich.text import Text

    from pcrm.core.views.models import SearchHit

# The same characters as core.views.models': render must not import core at run time.
HIGHLIGHT_START = "\ue000"
HIGHLIGHT_END = "\ue001"


def _unmark(text: str) -> str:
    return text.replace(HIGHLIGHT_START, "").replace(HIGHLIGHT_END, "")


def highlighted(snippet: str) -> Text:
    """The snippet as one line of Text, its matches in the "match" style; markers dropped."""
    from rich.text import Text

    text = Text()
    for index, part in enumerate(clean(snippet, one_line=True).split(HIGHLIGHT_START)):
        match, sep, rest = part.partition(HIGHLIGHT_END)
        if index and sep:
            text.append(_unmark(match), "match")
            text.append(_unmark(rest))
        else:
            text.append(_unmark(part))
    return text


def plain_snippet(snippet: str) -> str:
    """The snippet as one line of plain text: what highlighted() shows, without the style."""
    return _unmark(clean(snippet, one_line=True))


def hits_table(hits: list[SearchHit], now: datetime) -> RenderableType:
    from rich.text import Text

    from pcrm.render.fit import Column, FittedTable

    if not hits:
        return Text("no matches", "muted")
    columns = [
        Column("Kind", [Text(hit.kind) for hit in hits], True, False, style="kind"),
        Column("ID", [Text(str(hit.id)) for hit in hits], True, False, "right", "id"),
        Column("Name", [t(hit.title) for hit in hits], True, style="name"),
        # The match wraps at spaces (its highlighted words stay in sight), never inside one.
        Column("Match", [highlighted(hit.snippet) for hit in hits], True, wrap=True),
        Column("When", [Text(when(hit.at, now)) for hit in hits], shrink=False, style="muted"),
    ]
    return FittedTable(columns, ["When"])


def hit_lines(hits: list[SearchHit]) -> Iterator[str]:
    """Tab-separated: kind, id, name, snippet (no highlight marks), time (UTC ISO); no header."""
    for hit in hits:
        yield "\t".join(
            (
                hit.kind,
                str(hit.id),
                clean(hit.title, one_line=True),
                plain_snippet(hit.snippet),
                hit.at or "",
            )
        )


def hits_json(hits: list[SearchHit]) -> list[dict[str, Any]]:
    """JSON records with stable keys: kind, id, title, snippet (plain text), at (UTC ISO,
    interactions only, else null) and score (higher is a better match)."""
    return [
        {
            "kind": hit.kind,
            "id": hit.id,
            "title": hit.title,
            "snippet": _unmark(hit.snippet),
            "at": hit.at,
            "score": hit.score,
        }
        for hit in hits
    ]
