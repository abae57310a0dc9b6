"""The registry of export formats: one module per format in this package (csv, json,
vcard, ics...).

Each module defines `register_export_formats(register)` and calls `register(...)` for its
format, saying which kinds of record it writes (llm's plugin hooks, without pluggy). The
modules are loaded the first time a format is asked for, so only `pcrm export` pays for
them. `pcrm export KIND --format` takes its choices and help from here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TextIO

from pcrm.formats.hooks import call_hooks, either

# What can be exported; records of the first four are written as they are read.
KINDS = ("contact", "company", "deal", "interaction", "agenda")


@dataclass(frozen=True)
class ExportOptions:
    """What a writer may need besides the records."""

    kind: str
    now: datetime
    field_names: list[str] = field(default_factory=list)  # custom fields, in column order
    raw: bool = False  # CSV: formula-like cells left as they are
    vcard_version: str = "3"
    timed: bool = True  # agenda: some follow-up has a time of day (ICS: write VTIMEZONE)


# write(stream, records, options) -> how many records were written
Writer = Callable[[TextIO, Iterable[Any], ExportOptions], int]


@dataclass(frozen=True)
class ExportFormat:
    name: str  # --format NAME
    kinds: frozenset[str]
    write: Writer
    order: int  # place in --format's help
    note: str | None = None  # shown after the name in help: "ics (iCalendar)"
    bom: bool = False  # --bom applies (a UTF-8 byte-order mark for Excel)

    @property
    def shown(self) -> str:
        return f"{self.name} ({self.note})" if self.note else self.name


_registry: dict[str, ExportFormat] | None = None


def register(export_format: ExportFormat) -> None:
    """Add a format; what a module's register_export_formats() is given."""
    assert _registry is not None
    if export_format.name in _registry:
        raise ValueError(f"export format {export_format.name!r} registered twice")
    if not export_format.kinds <= set(KINDS):
        raise ValueError(f"export format {export_format.name!r}: unknown kind")
    _registry[export_format.name] = export_format


def registry() -> dict[str, ExportFormat]:
    """Every export format, by name, from this package's modules (loaded once)."""
    global _registry
    if _registry is None:
        _registry = {}
        try:
            call_hooks(__name__, __path__, "register_export_formats", register)
        except BaseException:
            _registry = None
            raise
    return _registry


def formats_for(kind: str) -> list[ExportFormat]:
    """The formats that write `kind`, in the order help lists them."""
    found = [each for each in registry().values() if kind in each.kinds]
    return sorted(found, key=lambda each: (each.order, each.name))


def names_for(kind: str) -> list[str]:
    return [each.name for each in formats_for(kind)]


def help_for(kind: str) -> str:
    """--format's help: "csv, json or vcard."."""
    return either(each.shown for each in formats_for(kind)) + "."
