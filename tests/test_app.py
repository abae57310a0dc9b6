"""app/'s use cases run on plain values, without Typer or Rich: a database file, `now`,
streams and callbacks; what they return is what cli renders."""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from conftest import NOW
from pcrm.app.export import ExportRequest, export_records
from pcrm.app.importing import ImportRequest, import_contacts
from pcrm.store.db import Database, session

FIXTURES = Path(__file__).parent / "fixtures" / "import"


class File:
    """A DatabaseFile: a path, opened the way pcrm opens it."""

    def __init__(self, path: Path) -> None:
        self.db_path = path

    @contextmanager
    def database(self, *, write: bool, create: bool | None = None) -> Iterator[Database]:
        with session(self.db_path, write=write, create=create) as db:
            yield db


def test_import_then_export_with_a_progress_callback(tmp_path: Path) -> None:
    book = File(tmp_path / "book.db")
    steps: list[tuple[int, str]] = []

    @contextmanager
    def progress(total: int, label: str) -> Iterator:
        steps.append((total, label))
        yield lambda done, rows: steps.append((done, str(rows)))

    request = ImportRequest(str(FIXTURES / "linkedin.csv"), tags=["met"])
    summary = import_contacts(request, book, NOW, progress=progress)
    assert summary.format == "LinkedIn CSV"
    assert summary.report.created > 0 and summary.report.rejected == 0
    assert steps[0] == ((FIXTURES / "linkedin.csv").stat().st_size, f"importing {summary.file}")

    written = io.StringIO()

    @contextmanager
    def stdout(encoding: str) -> Iterator[io.StringIO]:
        assert encoding == "utf-8"
        yield written

    done = export_records(ExportRequest("contact", "csv", tag="met"), book, NOW, stdout=stdout)
    assert done.count == summary.report.created and done.path is None
    lines = written.getvalue().splitlines()
    assert lines[0].startswith("uid,name,emails,")
    assert len(lines) == 1 + done.count


def test_a_dry_run_without_a_database_creates_no_file(tmp_path: Path) -> None:
    book = File(tmp_path / "book.db")
    request = ImportRequest(str(FIXTURES / "google.csv"), dry_run=True)
    summary = import_contacts(request, book, NOW)
    assert summary.dry_run and summary.report.created > 0
    assert not book.db_path.exists()
