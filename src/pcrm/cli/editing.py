"""Editing a record in $EDITOR (after khard): write a readable form, open the editor;
unchanged means cancel; a parse error says where and offers to reopen.

The form's file lives in a private folder beside the database (pcrm.db.forms, mode 0700),
never in $TMPDIR: it holds personal data. It is removed when the editor returns, and when pcrm is
stopped by SIGTERM or SIGHUP meanwhile; after a SIGKILL, which nothing can catch, the next
edit removes it (its name carries the pid of the pcrm that wrote it). A save that is
refused after the user typed it (another pcrm changed the same field, the record was
removed) keeps the user's text there, in a file the error names.
"""

from __future__ import annotations

import contextlib
import os
import shlex
import signal
import stat
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import typer

from pcrm.errors import InvalidInput

if TYPE_CHECKING:
    from types import FrameType

    from pcrm.cli.env import Env
    from pcrm.errors import PcrmError

T = TypeVar("T")

_EDITING = "edit-"  # edit-PID-NAME.txt: a form open in an editor (or left by a killed pcrm)


def editor_command() -> list[str]:
    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
    return shlex.split(editor)


def forms_folder(db_path: Path) -> Path:
    """The private folder for forms beside the database (pcrm.db.forms: named after it, as
    its backups are), made if missing, 0700 whatever the umask. One that is a link, or
    not the user's own, is refused: someone else could read the forms or swap them."""
    folder = db_path.with_name(f"{db_path.name}.forms")
    try:
        with contextlib.suppress(FileExistsError):
            folder.mkdir(mode=0o700)
        info = folder.lstat()
        if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.geteuid():
            raise InvalidInput(
                f"{folder} is not a folder of yours", hint="remove it; pcrm makes it again"
            )
        if stat.S_IMODE(info.st_mode) != 0o700:
            folder.chmod(0o700)
    except OSError as exc:
        raise InvalidInput(
            f"cannot make the folder for the form {folder}: {exc.strerror}",
            hint="pass the changes as options instead",
        ) from exc
    return folder


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # EPERM: someone's process; alive
        return True
    return True


def remove_stale_forms(folder: Path) -> None:
    """Forms left by a pcrm that was killed while its editor was open."""
    for path in folder.glob(f"{_EDITING}*.txt"):
        pid = path.name.removeprefix(_EDITING).split("-", 1)[0]
        if pid.isdigit() and int(pid) != os.getpid() and not _alive(int(pid)):
            with contextlib.suppress(OSError):
                path.unlink()


@contextlib.contextmanager
def _stopped_cleanly() -> Iterator[None]:
    """SIGTERM and SIGHUP (a closed terminal) end pcrm through its `finally` blocks, so
    the form is removed; the editor is ended too (subprocess.call kills it on the way)."""

    def stop(signum: int, frame: FrameType | None) -> None:
        from pcrm.cli.output import error_lines

        error_lines(f"stopped by {signal.Signals(signum).name}; nothing changed")
        raise typer.Exit(128 + signum)

    previous = {}
    with contextlib.suppress(ValueError):  # not the main thread: signals stay as they are
        for signum in (signal.SIGTERM, signal.SIGHUP):
            previous[signum] = signal.signal(signum, stop)
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def run_editor(text: str, folder: Path, name: str) -> str:
    """Open the user's editor on `text` in a file of `folder` (see forms_folder) and return
    what they saved. Their editor failing, removing the file or saving bytes that are not
    UTF-8 is an InvalidInput; nothing is left behind."""
    remove_stale_forms(folder)
    path = folder / f"{_EDITING}{os.getpid()}-{name}.txt"
    with _stopped_cleanly():
        try:
            path.unlink(missing_ok=True)  # left by an earlier process with our pid
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
            try:
                status = subprocess.call([*editor_command(), str(path)])
            except OSError as exc:
                raise InvalidInput(
                    f"cannot start the editor {editor_command()[0]!r}: {exc.strerror}",
                    hint="set $EDITOR, or pass the changes as options",
                ) from exc
            if status != 0:
                raise InvalidInput(f"the editor exited with status {status}; nothing changed")
            try:
                saved = path.read_bytes()
            except FileNotFoundError:
                raise InvalidInput(
                    "the editor removed the form file; nothing changed",
                    hint="save the form in place, under the name the editor opened",
                ) from None
            except OSError as exc:
                raise InvalidInput(
                    f"cannot read the edited form: {exc.strerror}; nothing changed"
                ) from exc
        finally:
            with contextlib.suppress(OSError):
                path.unlink()
    try:
        return saved.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = saved.count(b"\n", 0, exc.start) + 1
        raise InvalidInput(
            f"the edited form is not UTF-8 text (line {line}); nothing changed",
            hint="save it as UTF-8",
        ) from None


def keep_form(folder: Path, name: str, text: str) -> Path:
    """The user's edited text saved for them (0600) under a new name: NAME-TIME.txt."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    for attempt in range(1, 100):
        path = folder / f"{name}-{stamp}{f'-{attempt}' if attempt > 1 else ''}.txt"
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        except FileExistsError:
            continue
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        return path
    raise FileExistsError(f"{folder}/{name}-{stamp}-*.txt")


class FormEditor:
    """app/editing.py's Editor for one record kind: the parsed form, or None when the
    user saved it unchanged. It remembers what the user saved, so that a save refused
    later (keep()) loses nothing.

    On a parse error: when nobody can answer (stdin not a terminal) the error ends the
    command; on a terminal the user may reopen their own text to fix it.
    """

    def __init__(self, env: Env, kind: str) -> None:
        self.env = env
        self.kind = kind
        self.saved: str | None = None  # the user's text, once it parses
        self._folder: Path | None = None

    def __call__(self, text: str, parse: Callable[[str], dict[str, Any]]) -> dict[str, Any] | None:
        self._folder = forms_folder(self.env.db_path)
        edited = text
        while True:
            edited = run_editor(edited, self._folder, self.kind)
            if edited == text:
                return None
            try:
                values = parse(edited)
            except InvalidInput as exc:
                if not self.env.stdin_isatty:
                    raise
                from pcrm.cli.output import ExitStatus, error_lines

                error_lines(str(exc))
                if not typer.confirm("Edit again?", default=True):
                    self.env.stderr.write("nothing changed\n")
                    raise typer.Exit(ExitStatus.ERROR) from None
            else:
                self.saved = edited  # a form that parses: worth keeping if the save fails
                return values

    def keep(self, exc: PcrmError) -> None:
        """Add to `exc`'s hint where the user's edited text is kept, if they typed any."""
        if self.saved is None or self._folder is None:
            return
        try:
            where = f"your edited form is kept in {keep_form(self._folder, self.kind, self.saved)}"
        except OSError as error:
            where = f"your edited form could not be kept: {error.strerror or error}"
        exc.hint = f"{exc.hint}; {where}" if exc.hint else where
