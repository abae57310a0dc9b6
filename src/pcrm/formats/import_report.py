"""`pcrm import contacts --report FILE`: every warning and rejected row of an import, in
file order, as a CSV of three columns (line, kind, message) that a spreadsheet opens and
that sort, grep or a script read: the summary shows only the first ones.

Written like the --rejects file, through formats/import_output.py: checked before any row
is read, written to a temporary file beside FILE and renamed over it at the end.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from pcrm.errors import InvalidInput
from pcrm.formats.import_output import OutputFile
from pcrm.formats.pcrm_csv import neutralise

if TYPE_CHECKING:
    from pcrm.core.importing.importer import RowNote

HEADER = ("line", "kind", "message")


class ReportWriter(OutputFile):
    """The report file: opened at once (so a FILE that cannot be written fails before the
    import), a row per note, put in place by finish()."""

    def __init__(
        self, path: str, *, force: bool = False, protect: Mapping[Path, str] | None = None
    ) -> None:
        super().__init__(path, force=force, protect=protect)
        self.count = 0
        handle = self.open("utf-8-sig")  # a BOM tells Excel the CSV is UTF-8
        try:
            self._writer = csv.writer(handle)
            self._writer.writerow(HEADER)
        except OSError as exc:
            self.discard()
            raise InvalidInput(f"cannot write {path}: {exc.strerror}") from None

    def write(self, kind: str, note: RowNote) -> None:
        try:
            self._writer.writerow((note.line, kind, neutralise(note.message)))
        except OSError as exc:  # a full disk: the import is rolled back, FILE untouched
            raise self.failed(exc) from None
        self.count += 1
