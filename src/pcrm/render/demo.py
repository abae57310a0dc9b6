"""What `pcrm demo` prints: the latest and the coming interactions, one person in full, the
deals board, then a summary line and the commands to try next on the new file."""

from __future__ import annotations

import shlex
from collections.abc import Iterator
from datetime import datetime
from typing import TYPE_CHECKING

from pcrm.render.board import board_view
from pcrm.render.board_text import board_lines
from pcrm.render.records import contact_view, contact_view_lines, interaction_rows
from pcrm.render.safe import clean

if TYPE_CHECKING:
    from rich.console import RenderableType

    from pcrm.core.activity.models import Interaction
    from pcrm.core.demo.build import DemoFile, DemoTour

# Commands that show other sides of the demo; tests run each of them on a fresh demo file.
NEXT = (
    "show kestrel",
    "contact list --sort stale --limit 10",
    "search quote",
    "pipeline --stale",
    "agenda",
    "digest",
    "report funnel",
)


def _summary(demo_file: DemoFile) -> tuple[str, str, str]:
    verb = "replaced" if demo_file.replaced else "created"
    counts = ", ".join(f"{n} {kind}" for kind, n in demo_file.counts.items())
    return f"{verb} demo database ", clean(str(demo_file.path), one_line=True), f": {counts}"


def summary_line(demo_file: DemoFile) -> str:
    return "".join(_summary(demo_file))


def next_commands(demo_file: DemoFile) -> list[str]:
    db = clean(shlex.quote(str(demo_file.path)), one_line=True)
    return [f"pcrm --db {db} {command}" for command in NEXT]


def _section(title: str, body: RenderableType) -> RenderableType:
    from rich.console import Group
    from rich.padding import Padding
    from rich.text import Text

    return Group(Padding(Text(title, "heading"), (1, 0, 0, 0)), Padding(body, (0, 0, 0, 2)))


def demo_view(tour: DemoTour, now: datetime) -> RenderableType:
    # The summary and what to type next come last, so they stay on screen after the scroll.
    from rich.console import Group
    from rich.padding import Padding
    from rich.text import Text

    before, path, after = _summary(tour.file)
    return Group(
        Text("Latest activity", "heading"),
        Padding(interaction_rows(tour.latest, now, who=True), (0, 0, 0, 2)),
        _section("Coming up", interaction_rows(tour.upcoming, now, who=True)),
        Text(""),
        contact_view(tour.featured, now),
        Text(""),
        board_view(tour.board, now),
        Text(""),
        Text.assemble(before, (path, "bold"), after),
        _section("Try next", Text("\n".join(next_commands(tour.file)))),
    )


def _lines(items: list[Interaction]) -> Iterator[str]:
    for item in items:
        names = ", ".join(link.name for link in item.contacts)
        yield "\t".join(
            clean(value, one_line=True) for value in (item.at, item.kind, names, item.text)
        )


def demo_lines(tour: DemoTour) -> Iterator[str]:
    yield "latest activity:"
    yield from _lines(tour.latest)
    yield ""
    yield "coming up:"
    yield from _lines(tour.upcoming)
    yield ""
    yield from contact_view_lines(tour.featured)
    yield ""
    yield from board_lines(tour.board)
    yield ""
    yield summary_line(tour.file)
    yield ""
    yield "try next:"
    yield from ("  " + command for command in next_commands(tour.file))
