"""`pcrm interaction list|show` and `interaction kind list`: a table on a terminal (fitted to
its width), tab-separated lines when piped. A cancelled interaction says "cancelled" in
words; on a terminal it is struck through too."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import TYPE_CHECKING

from pcrm.dates import format_local, from_iso, humanize
from pcrm.render.safe import clean

if TYPE_CHECKING:
    from rich.console import RenderableType
    from rich.text import Text

    from pcrm.core.activity.kinds import InteractionKind
    from pcrm.core.activity.models import Interaction
    from pcrm.render.fit import FittedTable


def _names(item: Interaction) -> str:
    return ", ".join(link.name for link in item.contacts)


def state(item: Interaction, now: datetime) -> str:
    """cancelled, planned (still to come) or done (it has happened)."""
    from pcrm.dates import to_iso

    if item.cancelled_at:
        return "cancelled"
    return "planned" if item.at > to_iso(now) else "done"


def interaction_table(items: list[Interaction], now: datetime) -> FittedTable | Text:
    """ID, when (local), how long ago, kind, with whom, text, deal, company."""
    from rich.text import Text

    from pcrm.render.cells import t, when
    from pcrm.render.fit import Column, FittedTable

    if not items:
        return Text("No interactions to show.", "muted")

    def text_of(item: Interaction) -> Text:
        if not item.cancelled_at:
            return t(item.text)
        return Text.assemble(("cancelled ", "warn"), t(item.text, "cancelled"))

    columns = [
        Column("ID", [Text(str(item.id)) for item in items], True, False, "right", "id"),
        Column("When", [Text(when(item.at, now)) for item in items], True, False, style="muted"),
        Column(
            "Kind",
            [Text(clean(item.kind, one_line=True)) for item in items],
            True,
            False,
            style="kind",
        ),
        Column("With", [t(_names(item)) for item in items], True, style="name"),
        Column("Text", [text_of(item) for item in items], True, room=40),
        Column("Date", [Text(format_local(from_iso(item.at))) for item in items], shrink=False),
        Column("Deal", [t(item.deal.name if item.deal else None) for item in items]),
        Column("Company", [t(item.company.name if item.company else None) for item in items]),
    ]
    return FittedTable(columns, ["With", "Date", "Deal", "Company"])


def interaction_lines(items: list[Interaction], now: datetime) -> Iterator[str]:
    """Tab-separated, no header: id, time (UTC ISO), kind, state (done, planned,
    cancelled), contacts, text, deal, company."""
    for item in items:
        yield "\t".join(
            clean(value, one_line=True)
            for value in (
                str(item.id),
                item.at,
                item.kind,
                state(item, now),
                _names(item),
                item.text,
                item.deal.name if item.deal else "",
                item.company.name if item.company else "",
            )
        )


def _source(item: Interaction) -> str:
    """ "mail, in <id@host>" for a captured interaction; "" for one logged by hand."""
    if item.source == "manual":
        return ""
    said = item.source + (f", {item.direction}" if item.direction else "")
    return said + (f" <{item.external_id}>" if item.external_id else "")


def _fields(item: Interaction, now: datetime) -> list[tuple[str, str]]:
    moment = from_iso(item.at)
    fields = [
        ("Kind", item.kind),
        ("When", f"{format_local(moment)} ({humanize(moment, now)})"),
        ("State", state(item, now)),
        ("With", _names(item)),
        ("Company", item.company.name if item.company else ""),
        ("Deal", f"{item.deal.name} (deal {item.deal.id})" if item.deal else ""),
        ("Logged", format_local(from_iso(item.created_at)) if item.created_at else ""),
        ("Cancelled", format_local(from_iso(item.cancelled_at)) if item.cancelled_at else ""),
        ("Source", _source(item)),
        ("Read from", item.origin or ""),
        ("UID", item.uid),
    ]
    return [(label, value) for label, value in fields if value]


def interaction_view(item: Interaction, now: datetime) -> RenderableType:
    from rich.console import Group
    from rich.padding import Padding
    from rich.table import Table
    from rich.text import Text

    heading = Text()
    heading.append(f"{clean(item.kind, one_line=True).capitalize()} ", "bold")
    heading.append(f"interaction {item.id}", "id")
    if item.cancelled_at:
        heading.append("  cancelled", "warn")
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="muted", no_wrap=True)
    grid.add_column()
    for label, value in _fields(item, now):
        grid.add_row(label, Text(clean(value, one_line=True)))
    body = Text(clean(item.text), "cancelled" if item.cancelled_at else "")
    return Group(heading, Padding(grid, (1, 0, 0, 2)), Padding(body, (1, 0, 0, 2)))


def interaction_view_lines(item: Interaction, now: datetime) -> Iterator[str]:
    """`label: value` lines, then `text:` and the text, its further lines indented."""
    yield f"id: {item.id}"
    for label, value in _fields(item, now):
        yield f"{label.lower()}: {clean(value, one_line=True)}"
    lines = clean(item.text).splitlines() or [""]
    yield f"text: {lines[0]}"
    for line in lines[1:]:
        yield f"  {line}"


def kind_table(kinds: list[InteractionKind]) -> RenderableType:
    from rich.table import Table
    from rich.text import Text

    table = Table(box=None, pad_edge=False, header_style="heading")
    table.add_column("Kind", style="kind", no_wrap=True)
    table.add_column("Aliases")
    table.add_column("Interactions", justify="right")
    table.add_column("", style="muted")
    for kind in kinds:
        table.add_row(
            Text(clean(kind.name, one_line=True)),
            Text(clean(", ".join(kind.aliases), one_line=True)),
            str(kind.interactions),
            "built in" if kind.builtin else "",
        )
    return table


def kind_lines(kinds: list[InteractionKind]) -> Iterator[str]:
    """Tab-separated: kind, aliases (comma-separated), interactions, built-in or user."""
    for kind in kinds:
        yield "\t".join(
            clean(value, one_line=True)
            for value in (
                kind.name,
                ",".join(kind.aliases),
                str(kind.interactions),
                "builtin" if kind.builtin else "user",
            )
        )
