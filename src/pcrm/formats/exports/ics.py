"""Open follow-ups as an iCalendar file to subscribe to (formats/ics.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TextIO

from pcrm.formats.exports import ExportFormat, ExportOptions


def write(stream: TextIO, records: Iterable[Any], options: ExportOptions) -> int:
    from pcrm.formats.ics import agenda_calendar  # icalendar: only when writing one

    tasks = list(records)
    # CRLF lines, as RFC 5545 says
    stream.write(agenda_calendar(tasks, options.now).decode("utf-8"))
    return len(tasks)


def register_export_formats(register: Callable[[ExportFormat], None]) -> None:
    register(ExportFormat("ics", frozenset({"agenda"}), write, order=10, note="iCalendar"))
