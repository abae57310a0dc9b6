"""Files pcrm writes or checks whole: is a file an SQLite database, and a new file that
lands complete or not at all.

Every file pcrm writes beside the user's data (exports, the demo, backups, a restore, the
rejects of an import) is written under a temporary name in the target's folder, created
readable by its owner only, flushed to disk, and renamed into place at the end: a failure
or a kill leaves the old file untouched and no half-written one. Errors are the standard
library's OSErrors; each caller words them for its command.
"""

from __future__ import annotations

import contextlib
import errno
import os
from pathlib import Path
from types import TracebackType

SQLITE_HEADER = b"SQLite format 3\x00"


def is_sqlite_file(path: Path, *, empty_ok: bool = False) -> bool:
    """Whether the file at `path` starts with SQLite's header. With `empty_ok` an empty file
    counts too (SQLite makes an empty file a database on its first write). OSError (missing,
    unreadable, a folder) is the caller's to word."""
    with path.open("rb") as handle:
        header = handle.read(len(SQLITE_HEADER))
    return header == SQLITE_HEADER or (empty_ok and header == b"")


class NewFile:
    """A file that replaces `target` whole, or not at all.

    Creating it makes an empty temporary file (mode 0600) beside `target`, in the same
    folder so that the final rename is atomic; `path` is that file, to be written by any
    means (a stream, SQLite). `commit()` flushes it to disk and renames it to `target`;
    `discard()` removes it. As a context manager it yields `path`, commits when the block
    ends normally and discards otherwise.

    An existing `target` is replaced only with `force`: without it, FileExistsError when the
    file exists at the start, and again (nothing replaced) if it appeared meanwhile.
    IsADirectoryError when `target` is a folder; other OSErrors (a missing or read-only
    folder) as the system gives them.
    """

    def __init__(self, target: Path, *, force: bool = False) -> None:
        import tempfile  # not on the start-up path of every command (store.db imports us)

        self.target = target
        self.force = force
        if target.is_dir():
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(target))
        if not force and target.exists():
            raise _exists(target)
        # The process id in the name lets `pcrm doctor` tell a file being written from one
        # a killed pcrm left behind (store/health.py: leftovers).
        prefix = f".{target.name}.{os.getpid()}."
        fd, name = tempfile.mkstemp(prefix=prefix, suffix=".tmp", dir=target.parent)
        os.close(fd)
        self.path = Path(name)
        self._done = False

    def commit(self) -> None:
        """Flush the file to disk and put it in place; on failure it is removed."""
        if self._done:
            return
        try:
            fd = os.open(self.path, os.O_RDWR)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
            self._move()
        except BaseException:
            self.discard()
            raise
        self._done = True
        _sync_folder(self.target.parent)

    def discard(self) -> None:
        if not self._done:
            self._done = True
            with contextlib.suppress(OSError):  # never hide the error that got us here
                self.path.unlink()

    def _move(self) -> None:
        if self.force:
            os.replace(self.path, self.target)
            return
        try:
            # A hard link fails if the target exists, where a rename would replace it.
            os.link(self.path, self.target)
        except FileExistsError:
            raise _exists(self.target) from None
        except OSError:  # a file system without hard links: check, then rename
            if self.target.exists():
                raise _exists(self.target) from None
            os.replace(self.path, self.target)
        else:
            self.path.unlink()

    def __enter__(self) -> Path:
        return self.path

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if exc_type is None:
            self.commit()
        else:
            self.discard()


def _exists(target: Path) -> FileExistsError:
    return FileExistsError(errno.EEXIST, os.strerror(errno.EEXIST), str(target))


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable, where the system allows opening a folder."""
    with contextlib.suppress(OSError, AttributeError):
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
