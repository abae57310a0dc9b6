"""Custom fields: the `pcrm field list` table and plain lines, and values as text."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import TYPE_CHECKING

from pcrm.render.safe import clean

if TYPE_CHECKING:
    from rich.console import RenderableType

    from pcrm.core.base import FieldValue
    from pcrm.core.people.models import FieldDef


def value_text(value: FieldValue | None) -> str:
    """5000, 12.5, 2027-01-31, pro (the same spelling as CSV export)."""
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value)
    return str(value)


def describe(definition: FieldDef) -> str:
    """'budget (number)', 'plan (choice: free, pro)'."""
    kind = definition.type
    if definition.choices:
        kind += ": " + ", ".join(definition.choices)
    return clean(f"{definition.name} ({kind})", one_line=True)


def _used(definition: FieldDef) -> str:
    if definition.used == 1:
        return f"1 {definition.kind}"
    kinds = "companies" if definition.kind == "company" else definition.kind + "s"
    return f"{definition.used} {kinds}"


def field_table(definitions: list[FieldDef], now: datetime) -> RenderableType:
    from rich.table import Table
    from rich.text import Text

    if not definitions:
        return Text("No custom fields yet (add one: pcrm field add NAME --type TYPE).", "muted")
    table = Table(box=None, pad_edge=False, header_style="heading")
    table.add_column("On", style="kind", no_wrap=True)
    table.add_column("Name", style="name", overflow="ellipsis")
    table.add_column("Type", no_wrap=True)
    table.add_column("Choices", overflow="ellipsis")
    table.add_column("Used by", justify="right", no_wrap=True, style="muted")
    for definition in definitions:
        table.add_row(
            definition.kind,
            Text(clean(definition.name, one_line=True)),
            definition.type,
            Text(clean(", ".join(definition.choices), one_line=True)),
            _used(definition),
        )
    return table


def field_lines(definitions: list[FieldDef]) -> Iterator[str]:
    """Tab-separated: kind, name, type, choices (comma-separated), records with a value."""
    for definition in definitions:
        yield "\t".join(
            clean(value, one_line=True)
            for value in (
                definition.kind,
                definition.name,
                definition.type,
                ",".join(definition.choices),
                str(definition.used),
            )
        )
