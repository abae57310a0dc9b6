"""What `pcrm import contacts` prints: the summary lines, and the progress bar on stderr."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import IO, TYPE_CHECKING

from pcrm.render.safe import clean

if TYPE_CHECKING:
    from pcrm.core.importing.importer import RowNote
    from pcrm.core.importing.models import ImportSummary

SHOWN_PROBLEMS = 20  # rejected rows and warnings listed; the rest are counted


def summary_lines(summary: ImportSummary) -> Iterator[str]:
    report = summary.report
    unit = "cards" if summary.delimiter is None else "rows"
    how = f"{summary.format}, {summary.encoding}"
    if summary.delimiter:
        how += f", {summary.delimiter}-separated"
    rows = unit if report.rows != 1 else unit[:-1]
    yield f"{clean(summary.file, one_line=True)}: {how}, {report.rows} {rows}"
    counts = [
        f"created {report.created}",
        f"merged {report.merged}",
        f"updated {report.updated}",
        f"unchanged {report.unchanged}",
        f"skipped {report.skipped}",
        f"rejected {report.rejected}",
    ]
    if report.empty:
        counts.append(f"empty {report.empty}")
    line = ", ".join(counts)
    if report.dropped:
        line += f"; values dropped {report.dropped}"
    if report.companies_created:
        line += f"; new companies {report.companies_created}"
    yield line
    took = f"{summary.seconds:.1f} s"
    yield f"Dry run: nothing was changed ({took})." if summary.dry_run else f"Done in {took}."
    more = " (--report FILE lists them all)" if summary.report_file is None else ""
    if report.rejects:
        yield f"Rejected {unit}:"
        yield from _problems(report.rejects, report.rejected, more)
        if summary.rejects_file:
            where = clean(summary.rejects_file, one_line=True)
            yield f"  written to {where}: fix them there and import that file"
    if report.warnings:
        yield "Warnings:"
        yield from _problems(report.warnings, report.warned, more)
    if summary.report_file is not None:
        where = clean(summary.report_file, one_line=True)
        warnings = f"{report.warned} warning{'s' if report.warned != 1 else ''}"
        yield f"Report written to {where}: {warnings}, {report.rejected} rejected"
    if summary.unmapped:
        what = "properties" if summary.delimiter is None else "columns"
        listed = ", ".join(
            f"{clean(column, one_line=True)} ({count} {unit if count != 1 else unit[:-1]})"
            for column, count in summary.unmapped.items()
        )
        if summary.format == "vCard":  # the raw card keeps them for vCard export
            yield f"No field for these {what}, kept in the contact's vCard: {listed}"
            yield "  --keep-unmapped also copies them into the note (pictures and keys aside)"
        else:
            yield f"Not imported, no field for these {what}: {listed}"
            yield '  --keep-unmapped keeps them in the note; --map "COLUMN=FIELD" maps a column'


def _problems(notes: list[RowNote], total: int, more: str) -> Iterator[str]:
    for note in notes[:SHOWN_PROBLEMS]:
        yield f"  line {note.line}: {clean(note.message, one_line=True)}"
    if total > SHOWN_PROBLEMS:
        yield f"  ... and {total - SHOWN_PROBLEMS} more{more}"


@contextmanager
def progress_bar(
    total: int, label: str, stream: IO[str] | None = None
) -> Iterator[Callable[[int, int], None]]:
    """A Rich progress bar on `stream` (stderr), drawn as on a terminal: the caller asks
    its Env whether stderr is one, and passes total 0 (no bar) when it is not. The
    callback takes (position, rows read): bytes read, or records written."""
    if total <= 0:
        yield lambda position, rows: None
        return
    from rich.progress import (
        BarColumn,
        Progress,
        TaskProgressColumn,
        TextColumn,
        TimeRemainingColumn,
    )

    from pcrm.render.console import make_console

    console = make_console(stream or sys.stderr, terminal=True)
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        TextColumn("{task.fields[rows]} rows"),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task(clean(label, one_line=True), total=total, rows=0)
        yield lambda position, rows: progress.update(task, completed=position, rows=rows)
