"""The files an import writes beside its summary (`--rejects FILE`, `--report FILE`).

Each is checked before any row is read (store/files.py's rule: an existing FILE only with
--force; never the imported file, a --map-file, the other output or the database, which
`protect` names), written to a temporary file beside FILE (mode 0600), and renamed over
FILE by finish(): an import that fails leaves no half-written FILE.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from pathlib import Path
from typing import TextIO

from pcrm.errors import Conflict, InvalidInput, PcrmError
from pcrm.store.files import NewFile, check_output, write_failed


def _exists(path: str | Path) -> Conflict:
    return Conflict(f"{path} already exists", hint="add --force to replace it")


class OutputFile:
    """FILE checked at once; open() starts the temporary file, finish() puts it in place,
    discard() leaves FILE as it was."""

    def __init__(
        self, path: str, *, force: bool = False, protect: Mapping[Path, str] | None = None
    ) -> None:
        self.path = Path(path).expanduser()
        if self.path.is_dir():
            raise InvalidInput(f"cannot write {path}: it is a folder", hint="give a file name")
        try:
            check_output(self.path, force=force, protect=protect)
        except FileExistsError:
            raise _exists(path) from None
        self.force = force
        self.protect = protect
        self._file: NewFile | None = None
        self._handle: TextIO | None = None

    def open(self, encoding: str) -> TextIO:
        try:
            self._file = NewFile(self.path, force=self.force, protect=self.protect)
            self._handle = self._file.path.open("w", encoding=encoding, newline="")
        except FileExistsError:
            raise _exists(self.path) from None
        except OSError as exc:
            if self._file is not None:
                self._file.discard()
            raise InvalidInput(f"cannot write {self.path}: {exc.strerror}") from None
        return self._handle

    def failed(self, exc: OSError) -> PcrmError:
        """A write failed (a full disk): FILE is left as it was; the error to raise."""
        self.discard()
        return write_failed(self.path, exc)

    def finish(self, tail: str = "") -> None:
        """Write `tail` and put the file in place (nothing when it was never opened)."""
        if self._handle is None:
            return
        assert self._file is not None
        try:
            self._handle.write(tail)
            self._handle.close()
            self._file.commit()  # removes the temporary file if it fails
        except FileExistsError:
            raise _exists(self.path) from None
        except OSError as exc:
            raise self.failed(exc) from None

    def discard(self) -> None:
        if self._handle is not None:
            with contextlib.suppress(OSError):  # flushing what is left may fail again
                self._handle.close()
        if self._file is not None:
            self._file.discard()
