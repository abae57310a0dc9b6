"""A JSON array of records, as --json prints them (formats/json.py), streamed."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TextIO

from pcrm.formats.exports import ExportFormat, ExportOptions


def write(stream: TextIO, records: Iterable[Any], options: ExportOptions) -> int:
    from pcrm.formats.json import write_array

    return write_array(stream, records)


def register_export_formats(register: Callable[[ExportFormat], None]) -> None:
    kinds = frozenset({"contact", "company", "deal", "interaction"})
    register(ExportFormat("json", kinds, write, order=20))
