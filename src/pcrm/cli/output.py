"""Output conventions shared by every command (sqlite-utils' output_options, done once).

On a terminal: Rich. Piped: plain text, no colour, nothing cut to a guessed width.
`--json`: machine output. Errors: one line on stderr, exit codes from ExitStatus.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from enum import IntEnum
from typing import Annotated, Any

import typer

from pcrm.cli.env import Env


class ExitStatus(IntEnum):
    OK = 0
    ERROR = 1
    USAGE = 2
    INTERRUPTED = 130


JsonOption = Annotated[
    bool, typer.Option("--json", help="Print JSON: stable keys, ISO times, money in minor units.")
]
# More rows than any file holds, and within SQLite's integers (LIMIT 99999999999999999999
# would fail there): a larger --limit means the same as this one, all of them.
MAX_LIMIT = 1 << 62


def cap_limit(value: int) -> int:
    return min(value, MAX_LIMIT)


LimitOption = Annotated[
    int,
    typer.Option(
        "--limit",
        "-n",
        metavar="N",
        min=0,
        callback=cap_limit,
        help="Show at most N rows (0: all).",
    ),
]


def emit(
    env: Env,
    value: Any,
    *,
    json_mode: bool,
    pretty: Callable[[Any], Any],
    plain: Callable[[Any], Iterable[str]],
) -> None:
    """Print a result: JSON, a Rich renderable on a terminal, or plain lines when piped.

    Callers pass the render functions themselves, imported inside the command (a renamed
    renderer fails at import, not by name at run time): render modules import Rich inside
    the functions that draw, so --json and piped output stay off Rich's import cost. A
    module that loads Rich at its top is imported inside `pretty` (the board)."""
    if json_mode:
        from pcrm.formats.json import dumps

        env.stdout.write(dumps(value) + "\n")
    elif env.terminal():
        from pcrm.render.console import make_console

        make_console(env.stdout).print(pretty(value))
    else:
        for line in plain(value):
            env.stdout.write(line + "\n")


def say(message: str) -> None:
    """A confirmation on stdout ("added contact 3 Ada Lovelace"); text already cleaned."""
    sys.stdout.write(message + "\n")


def note(message: str) -> None:
    """A side remark on stderr that must not pollute piped output."""
    sys.stderr.write(message + "\n")


def error_lines(message: str, details: Iterable[str] = ()) -> None:
    from pcrm.render.safe import clean

    sys.stderr.write(f"pcrm: error: {clean(message, one_line=True)}\n")
    for line in details:
        sys.stderr.write(f"  {clean(line, one_line=True)}\n")


def fail(message: str, hint: str | None = None) -> typer.Exit:
    """Print a user error and return the Exit to raise: `raise fail("...")`."""
    error_lines(f"{message} ({hint})" if hint else message)
    return typer.Exit(ExitStatus.ERROR)


def note_truncation(shown: int, total: int, json_mode: bool) -> None:
    if shown < total and not json_mode:
        note(f"showing {shown} of {total} (use --limit 0 for all)")


def confirm_removal(env: Env, label: str, yes: bool) -> None:
    """Ask on a terminal; refuse without --yes when nobody can answer."""
    if yes:
        return
    if not env.stdin_isatty:
        raise fail(f"not removing {label} without confirmation", hint="add --yes")
    if not typer.confirm(f"Remove {label}?", default=False):
        raise fail("nothing removed")
