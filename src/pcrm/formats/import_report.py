"""`pcrm import contacts --report FILE`: every warning and rejected row of an import, in
file order, as a CSV of three columns (line, kind, message) that a spreadsheet opens and
that sort, grep or a script read: the summary shows only the first ones.

Written like the --rejects file (formats/contact_rows.py's RejectsWriter): checked before
any row is read (an existing FILE only with --force; never the imported file, a --map-file,
the --rejects file or the database), written to a temporary file beside FILE, mode 0600,
and renamed over FILE at the end, so a failed import leaves no half-written FILE.
"""

from __future__ import annotations

import contextlib
import csv
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from pcrm.errors import Conflict, InvalidInput
from pcrm.formats.pcrm_csv import neutralise
from pcrm.store.files import NewFile, check_output, write_failed

if TYPE_CHECKING:
    from pcrm.core.importing.importer import RowNote

HEADER = ("line", "kind", "message")


class ReportWriter:
    """The report file: open at once (so a FILE that cannot be written fails before the
    import), a row per note, put in place by finish()."""

    def __init__(
        self, path: str, *, force: bool = False, protect: Mapping[Path, str] | None = None
    ) -> None:
        self.path = Path(path).expanduser()
        if self.path.is_dir():
            raise InvalidInput(f"cannot write {path}: it is a folder", hint="give a file name")
        try:
            check_output(self.path, force=force, protect=protect)
            self._file = NewFile(self.path, force=force, protect=protect)
        except FileExistsError:
            raise _exists(path) from None
        except OSError as exc:
            raise InvalidInput(f"cannot write {path}: {exc.strerror}") from None
        self.count = 0
        try:
            # a BOM tells Excel the CSV is UTF-8
            self._handle: TextIO = self._file.path.open("w", encoding="utf-8-sig", newline="")
            self._writer = csv.writer(self._handle)
            self._writer.writerow(HEADER)
        except OSError as exc:
            self._file.discard()
            raise InvalidInput(f"cannot write {path}: {exc.strerror}") from None

    def write(self, kind: str, note: RowNote) -> None:
        try:
            self._writer.writerow((note.line, kind, neutralise(note.message)))
        except OSError as exc:  # a full disk: the import is rolled back, FILE untouched
            self.discard()
            raise write_failed(self.path, exc) from None
        self.count += 1

    def finish(self) -> None:
        try:
            self._handle.close()
            self._file.commit()  # removes the temporary file if it fails
        except FileExistsError:
            raise _exists(self.path) from None
        except OSError as exc:
            self.discard()
            raise write_failed(self.path, exc) from None

    def discard(self) -> None:
        with contextlib.suppress(OSError):  # flushing what is left may fail again
            self._handle.close()
        self._file.discard()


def _exists(path: str | Path) -> Conflict:
    return Conflict(f"{path} already exists", hint="add --force to replace it")
