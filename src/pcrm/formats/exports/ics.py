"""Open follow-ups as an iCalendar file to subscribe to (formats/ics.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TextIO

from pcrm.formats.exports import ExportFormat, ExportOptions


def write(stream: TextIO, records: Iterable[Any], options: ExportOptions) -> int:
    from pcrm.formats.ics import write_agenda  # icalendar (VTIMEZONE, RRULE) when writing one

    # CRLF lines, as RFC 5545 says, event by event
    return write_agenda(stream, records, options.now, timed=options.timed)


def register_export_formats(register: Callable[[ExportFormat], None]) -> None:
    register(ExportFormat("ics", frozenset({"agenda"}), write, order=10, note="iCalendar"))
