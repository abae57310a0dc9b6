"""Exporting: records read in batches inside one read snapshot (core/views/export.py),
written as they are read by a format of formats/exports/ into stdout or a file.

A file is written under a temporary name beside it and renamed at the end, so a failed
export leaves nothing half-written; docs/import-export.md has the layouts.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from pcrm.app.base import Advance, DatabaseFile, Progress
from pcrm.errors import Conflict, InvalidInput

if TYPE_CHECKING:
    from pcrm.formats.exports import ExportFormat

# encoding -> the stream stdout is written through (cli makes it terminal-safe)
Stdout = Callable[[str], AbstractContextManager[TextIO]]


@dataclass
class ExportRequest:
    """`pcrm export KIND` as typed."""

    kind: str  # contact, company, deal, interaction or agenda
    format: str
    output: str | None = None  # a file; None or "-": stdout
    force: bool = False  # replace the file
    raw: bool = False
    bom: bool = False
    tag: list[str] | None = None  # every one of these tags
    where: list[str] = field(default_factory=list)
    vcard_version: str = "3"

    @property
    def to_file(self) -> bool:
        return self.output not in (None, "-")


@dataclass(frozen=True)
class Exported:
    count: int  # records written
    path: str | None  # the file written; None for stdout


def _readers() -> dict[str, Callable[..., Iterator[Any]]]:
    from pcrm.core.views import export

    return {
        "contact": export.contacts,
        "company": export.companies,
        "deal": export.deals,
        "interaction": export.interactions,
    }


def export_records(
    request: ExportRequest,
    files: DatabaseFile,
    now: datetime,
    *,
    stdout: Stdout,
    progress: Progress | None = None,
) -> Exported:
    """Export contacts, companies, deals or interactions. `progress` (None: no bar, and no
    counting) is shown only when a file is written."""
    from pcrm.core.views.export import count, field_names
    from pcrm.formats.exports import ExportOptions
    from pcrm.store.db import read_snapshot

    kind = request.kind
    writer = _format(request)
    filters: dict[str, Any] = {"tag": request.tag, "conditions": request.where, "now": now}
    if kind == "interaction":  # no custom fields, tags or --where
        filters = {}
    # The vCard export writes the raw cards' unmodelled properties back out.
    extra = {"vcards": True} if kind == "contact" and writer.name == "vcard" else {}
    with files.database(write=False) as db, read_snapshot(db):
        names = field_names(db, kind) if kind != "interaction" else []
        found = _readers()[kind](db, **filters, **extra)
        # Read the first record before opening FILE: a bad --where must not create it.
        first = next(found, None)
        total = count(db, kind, **filters) if request.to_file and progress else 0
        options = ExportOptions(kind, now, names, request.raw, request.vcard_version)
        encoding = "utf-8-sig" if request.bom and writer.bom else "utf-8"
        with (
            _output(request, stdout, encoding, files.db_path) as stream,
            _progress(progress, total, f"exporting {_PLURAL[kind]}") as advance,
        ):
            written = writer.write(stream, _counted(_chain(first, found), advance), options)
    return Exported(written, request.output if request.to_file else None)


def export_agenda(
    request: ExportRequest, files: DatabaseFile, now: datetime, *, stdout: Stdout
) -> Exported:
    """Export open follow-ups (a calendar to subscribe to), written as they are read."""
    from pcrm.core.activity.tasks import stream_open_tasks
    from pcrm.formats.exports import ExportOptions
    from pcrm.store.db import read_snapshot

    writer = _format(request)
    with files.database(write=False) as db, read_snapshot(db):
        tasks, timed = stream_open_tasks(db, now)
        with _output(request, stdout, "utf-8", files.db_path) as stream:
            written = writer.write(stream, tasks, ExportOptions("agenda", now, timed=timed))
    return Exported(written, request.output if request.to_file else None)


_PLURAL = {
    "contact": "contacts",
    "company": "companies",
    "deal": "deals",
    "interaction": "interactions",
}


def _format(request: ExportRequest) -> ExportFormat:
    """The registered format; cli offers only these, but the agenda takes any case."""
    from pcrm.formats.exports import formats_for

    found = {each.name: each for each in formats_for(request.kind)}
    chosen = found.get(request.format.lower() if request.kind == "agenda" else request.format)
    if chosen is None:
        raise InvalidInput(
            f'unknown {request.kind} format "{request.format}"',
            hint="use --format " + " or ".join(found),
        )
    return chosen


def _chain(first: Any, rest: Iterator[Any]) -> Iterator[Any]:
    if first is None:
        return
    yield first
    yield from rest


@contextlib.contextmanager
def _progress(progress: Progress | None, total: int, label: str) -> Iterator[Advance]:
    """The progress bar when there is something to count (0: none)."""
    if not total or progress is None:
        yield lambda done, rows: None
        return
    with progress(total, label) as advance:
        yield advance


def _counted(items: Iterator[Any], advance: Advance) -> Iterator[Any]:
    done = 0
    for done, item in enumerate(items, start=1):
        yield item
        if done % 100 == 0:
            advance(done, done)
    advance(done, done)


@contextlib.contextmanager
def _output(
    request: ExportRequest, stdout: Stdout, encoding: str, database: Path
) -> Iterator[TextIO]:
    """The stream to write to: stdout, or a temporary file renamed to FILE on success.
    FILE follows store/files.py's rule: never the database, a device or a pipe."""
    if not request.to_file:
        with stdout(encoding) as stream:
            yield stream
        return
    from pcrm.store.files import NewFile, database_files, write_failed

    path = str(request.output)
    target = Path(path)
    if target.is_dir():
        raise InvalidInput(f"{path} is a folder", hint="give a file name, e.g. contacts.csv")
    exists = Conflict(f"{path} already exists", hint="add --force to replace it")
    try:
        # Created readable by its owner only: exports hold personal data.
        new_file = NewFile(target, force=request.force, protect=database_files(database))
    except FileExistsError:
        raise exists from None
    except OSError as exc:
        raise InvalidInput(f"cannot write to {target.parent}: {exc.strerror}") from exc
    try:
        with new_file as temporary, temporary.open("w", encoding=encoding, newline="") as stream:
            yield stream
    except FileExistsError:
        raise exists from None  # it appeared while we were writing
    except OSError as exc:  # a full disk: the temporary file is gone, FILE untouched
        raise write_failed(path, exc) from exc
