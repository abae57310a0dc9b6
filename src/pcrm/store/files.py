"""Files pcrm writes or checks whole: is a file an SQLite database, and a new file that
lands complete or not at all.

Every file pcrm writes beside the user's data (exports, the demo, backups, a restore, the
rejects of an import) is written under a temporary name in the target's folder, created
readable by its owner only, flushed to disk, and renamed into place at the end: a failure
or a kill leaves the old file untouched and no half-written one. Errors are the standard
library's OSErrors; each caller words them for its command. The rule every output path
follows is checked here, in one place, and refused with pcrm's own errors (docs/guide.md,
"Files pcrm writes"): an existing file only with force, never the database or the file being
read (not even with force), never a device, pipe or socket.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType

from pcrm.errors import Conflict, InvalidInput, PcrmError

SQLITE_HEADER = b"SQLite format 3\x00"
PRIVATE_FILE = 0o600  # every file pcrm writes holds personal data
PRIVATE_FOLDER = 0o700


def is_sqlite_file(path: Path, *, empty_ok: bool = False) -> bool:
    """Whether the file at `path` starts with SQLite's header. With `empty_ok` an empty file
    counts too (SQLite makes an empty file a database on its first write). OSError (missing,
    unreadable, a folder) is the caller's to word."""
    with path.open("rb") as handle:
        header = handle.read(len(SQLITE_HEADER))
    return header == SQLITE_HEADER or (empty_ok and header == b"")


def make_folder(folder: Path) -> None:
    """Create `folder` and every missing folder on the way to it, each 0700 whatever the
    umask (mkdir(parents=True) gives the parents 0777 less the umask). OSError as mkdir."""
    missing: list[Path] = []
    while not folder.exists() and folder != folder.parent:
        missing.append(folder)
        folder = folder.parent
    for each in reversed(missing):
        with contextlib.suppress(FileExistsError):  # another process made it meanwhile
            each.mkdir(mode=PRIVATE_FOLDER)
            os.chmod(each, PRIVATE_FOLDER)  # the umask may have taken bits off


def private_file(path: Path) -> None:
    """Create `path` empty, 0600 whatever the umask; FileExistsError if it is there."""
    fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, PRIVATE_FILE)
    try:
        os.fchmod(fd, PRIVATE_FILE)
    finally:
        os.close(fd)


def database_files(database: Path) -> dict[Path, str]:
    """The database and the files SQLite keeps beside it, for NewFile's `protect`."""
    return {
        database: "the pcrm database",
        database.with_name(database.name + "-wal"): "the pcrm database's write-ahead log",
        database.with_name(database.name + "-shm"): "the pcrm database's shared-memory file",
        database.with_name(database.name + "-journal"): "the pcrm database's journal",
    }


def same_file(a: Path, b: Path) -> bool:
    """Whether two paths name one file: the same resolved path (whether or not it exists),
    or the same inode (a hard link, or a spelling the resolver missed)."""
    if os.path.realpath(a) == os.path.realpath(b):
        return True
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def check_output(target: Path, *, force: bool, protect: Mapping[Path, str] | None = None) -> Path:
    """The rule for every path pcrm writes; returns the path to write (a symbolic link's
    target, so that the link stays a link and nothing in the link's folder is replaced).

    Refused (pcrm's errors): a path in `protect` (the database and its side files, the
    file being read: `what` names it), with or without force; an existing file that is not
    a regular file (a device such as /dev/null, a pipe, a socket: replacing it would swap
    a system file for a regular one, and writing into it is what stdout is for).
    IsADirectoryError for a folder; FileExistsError for an existing file without force.
    """
    for kept, what in (protect or {}).items():
        if same_file(target, kept):
            raise Conflict(
                f"{target} is {what}; pcrm never writes over it", hint="give another file name"
            )
    try:
        found = os.stat(target)
    except FileNotFoundError:
        return Path(os.path.realpath(target)) if target.is_symlink() else target
    except OSError:
        return target  # the folder cannot be entered: creating the file says why
    if stat.S_ISDIR(found.st_mode):
        raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(target))
    if not stat.S_ISREG(found.st_mode):
        raise InvalidInput(
            f"{target} is not a regular file (a device, pipe or socket); pcrm does not write"
            " into it",
            hint="give a file name, or write to stdout and redirect it",
        )
    if not force:
        raise _exists(target)
    return Path(os.path.realpath(target))


class NewFile:
    """A file that replaces `target` whole, or not at all.

    Creating it makes an empty temporary file (mode 0600) beside `target`, in the same
    folder so that the final rename is atomic; `path` is that file, to be written by any
    means (a stream, SQLite). `commit()` flushes it to disk and renames it to `target`;
    `discard()` removes it. As a context manager it yields `path`, commits when the block
    ends normally and discards otherwise. `sync_folder=False` leaves making the rename
    durable to the caller (one sync_folder() after many files, not one fsync each).

    `target` must pass check_output() (with `force` and `protect`, see there): an existing
    one is replaced only with `force`; without it, FileExistsError when the file exists at
    the start, and again (nothing replaced) if it appeared meanwhile. Other OSErrors (a
    missing or read-only folder) as the system gives them.
    """

    def __init__(
        self,
        target: Path,
        *,
        force: bool = False,
        protect: Mapping[Path, str] | None = None,
        sync_folder: bool = True,
    ) -> None:
        import tempfile  # not on the start-up path of every command (store.db imports us)

        self.target = check_output(target, force=force, protect=protect)
        self.force = force
        # mkstemp: a name nobody can guess or plant beforehand, created 0600 (O_EXCL). The
        # process id in the name lets `pcrm doctor` tell a file being written from one a
        # killed pcrm left behind (store/health.py: leftovers).
        fd, name = tempfile.mkstemp(
            prefix=f".{self.target.name}.{os.getpid()}.", suffix=".tmp", dir=self.target.parent
        )
        try:
            os.fchmod(fd, PRIVATE_FILE)  # whatever the umask
        finally:
            os.close(fd)
        self.path = Path(name)
        self._done = False
        self._sync_folder = sync_folder

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
        if self._sync_folder:
            sync_folder(self.target.parent)

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


# What the system says when a disk is full or a file grows past a size limit (ulimit -f).
DISK_FULL = frozenset({errno.ENOSPC, errno.EFBIG, getattr(errno, "EDQUOT", errno.ENOSPC)})


def write_failed_hint(exc: OSError) -> str | None:
    """The hint for a write that failed because the disk is full; None for another cause."""
    if exc.errno in DISK_FULL:
        return "the disk is full or the file too large: free some space and try again"
    return None


def write_failed(path: Path | str, exc: OSError) -> PcrmError:
    """The one-line error for a file that could not be written, with the disk-full hint."""
    return PcrmError(f"cannot write {path}: {exc.strerror}", write_failed_hint(exc))


def _exists(target: Path) -> FileExistsError:
    return FileExistsError(errno.EEXIST, os.strerror(errno.EEXIST), str(target))


def sync_folder(folder: Path) -> None:
    """Make the rename itself durable, where the system allows opening a folder."""
    with contextlib.suppress(OSError, AttributeError):
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
