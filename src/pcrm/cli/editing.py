"""Editing a record in $EDITOR (after khard): write a readable form, open the editor;
unchanged means cancel; a parse error says where and offers to reopen."""

from __future__ import annotations

import os
import shlex
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import typer

from pcrm.errors import InvalidInput

if TYPE_CHECKING:
    from pcrm.cli.env import Env

T = TypeVar("T")


def editor_command() -> list[str]:
    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
    return shlex.split(editor)


def run_editor(text: str, suffix: str = ".txt") -> str:
    """Open the user's editor on `text` and return what they saved."""
    fd, name = tempfile.mkstemp(prefix="pcrm-", suffix=suffix)
    path = Path(name)
    try:
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
        return path.read_text(encoding="utf-8")
    finally:
        path.unlink(missing_ok=True)


def edit_in_editor(env: Env, text: str, parse: Callable[[str], T]) -> T | None:
    """The parsed form, or None when the user saved it unchanged.

    On a parse error: when nobody can answer (stdin not a terminal) the error ends the
    command; on a terminal the user may reopen their own text to fix it.
    """
    edited = text
    while True:
        edited = run_editor(edited)
        if edited == text:
            return None
        try:
            return parse(edited)
        except InvalidInput as exc:
            if not env.stdin_isatty:
                raise
            from pcrm.cli.output import ExitStatus, error_lines

            error_lines(str(exc))
            if not typer.confirm("Edit again?", default=True):
                env.stderr.write("nothing changed\n")
                raise typer.Exit(ExitStatus.ERROR) from None
