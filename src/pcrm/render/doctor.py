"""`pcrm doctor`'s report: one row per check, then the file's size and record counts."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import TYPE_CHECKING, Any

from pcrm.render.safe import clean

if TYPE_CHECKING:
    from rich.console import Group

    from pcrm.store.health import Report


def human_size(size: int) -> str:
    value = float(size)
    for unit in ("bytes", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{int(value)} bytes" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} bytes"


def _file_line(report: Report) -> str:
    wal = f", {human_size(report.wal_bytes)} of write-ahead log" if report.wal_bytes else ""
    return f"{clean(str(report.path), one_line=True)}: {human_size(report.size_bytes)}{wal}"


def _counts_line(report: Report) -> str:
    if not report.counts:
        return "records: cannot be counted"
    return "records: " + ", ".join(f"{count} {table}" for table, count in report.counts.items())


def doctor_view(report: Report, now: datetime) -> Group:
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    table = Table(show_header=False, box=None, padding=(0, 1), pad_edge=False)
    for check in report.checks:
        status = Text("ok", style="good") if check.ok else Text("PROBLEM", style="bad")
        detail = Text(clean(check.detail, one_line=True))
        if check.fix and not check.ok:
            detail.append(f"  (run: {check.fix})", style="warn")
        table.add_row(status, Text(check.name, style="heading"), detail)
    return Group(Text(_file_line(report)), table, Text(_counts_line(report), style="muted"))


def doctor_lines(report: Report) -> Iterator[str]:
    """status, check, detail and what to run, tab-separated; the file and counts after."""
    for check in report.checks:
        fix = check.fix if not check.ok and check.fix else ""
        status = "ok" if check.ok else "PROBLEM"
        yield "\t".join([status, check.name, clean(check.detail, one_line=True), fix])
    yield _file_line(report)
    yield _counts_line(report)


def doctor_json(report: Report, repaired: list[str]) -> dict[str, Any]:
    return {
        "path": str(report.path),
        "ok": report.ok,
        "checks": [
            {"name": c.name, "ok": c.ok, "detail": c.detail, "fix": None if c.ok else c.fix}
            for c in report.checks
        ],
        "size_bytes": report.size_bytes,
        "wal_bytes": report.wal_bytes,
        "counts": report.counts,
        "repaired": repaired,
    }
