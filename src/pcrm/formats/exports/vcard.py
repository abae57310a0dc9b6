"""Contacts as vCard 3.0 or 4.0 (formats/vcard.py), card by card as they are read."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TextIO

from pcrm.formats.exports import ExportFormat, ExportOptions


def write(stream: TextIO, records: Iterable[Any], options: ExportOptions) -> int:
    from pcrm.formats.vcard import write_cards

    return write_cards(stream, records, options.vcard_version)


def register_export_formats(register: Callable[[ExportFormat], None]) -> None:
    register(ExportFormat("vcard", frozenset({"contact"}), write, order=30))
