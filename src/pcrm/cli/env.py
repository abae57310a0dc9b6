"""Everything a command needs from the outside world, in one object (after httpie's
Environment): the database path, the clock, stdin, stdout and stderr, and whether each is
a terminal. No other module asks a stream whether it is a terminal: they ask the Env.

Tests swap any of it by passing `obj=Env(...)` to CliRunner.invoke, a fake terminal
included (`Env(stdin_isatty=True)` lets a prompt ask); `$PCRM_NOW` freezes the clock for a
whole process (subprocess tests, reproducible docs).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

import typer

if TYPE_CHECKING:
    from pcrm.store.db import Database


def system_clock() -> datetime:
    """Now, in UTC; `$PCRM_NOW` (ISO-8601) pins it for tests and reproducible output."""
    pinned = os.environ.get("PCRM_NOW")
    if pinned:
        return pinned_now(pinned)
    return datetime.now(UTC)


def pinned_now(text: str) -> datetime:
    """$PCRM_NOW read as an ISO-8601 time (UTC when it names no zone), within the years
    pcrm reads dates in: "now" at year 1 or 9999 would overflow the first date sum."""
    from pcrm.dates import MAX_YEAR, MIN_YEAR
    from pcrm.errors import InvalidInput

    hint = "unset it, or give a time such as 2026-11-23T10:00:00Z"
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise InvalidInput(f'PCRM_NOW="{text}" is not an ISO-8601 time', hint=hint) from None
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    try:
        in_range = MIN_YEAR <= moment.astimezone(UTC).year <= MAX_YEAR
    except OverflowError:  # 9999-12-31T23:00-05:00 is past the last day Python knows
        in_range = False
    if not in_range:
        raise InvalidInput(
            f'PCRM_NOW="{text}" is outside the years {MIN_YEAR} to {MAX_YEAR}', hint=hint
        )
    return moment


class Env:
    """A stream left out is the process's own as it is when first used (CliRunner swaps
    sys.stdout for an invoke, after a test has built its Env); a terminal flag left out is
    asked of that stream once."""

    def __init__(
        self,
        db_option: str | None = None,
        *,
        clock: Callable[[], datetime] = system_clock,
        stdin: TextIO | None = None,
        stdout: TextIO | None = None,
        stderr: TextIO | None = None,
        stdin_isatty: bool | None = None,
        stdout_isatty: bool | None = None,
        stderr_isatty: bool | None = None,
    ) -> None:
        self.db_option = db_option
        self.clock = clock
        self._stdin, self._stdout, self._stderr = stdin, stdout, stderr
        self._stdin_isatty = stdin_isatty
        self._stdout_isatty = stdout_isatty
        self._stderr_isatty = stderr_isatty
        self._now: datetime | None = None
        # The command line as the user typed it, without the program's name: what
        # `pcrm history` shows for each change (the root command sets it).
        self.argv: list[str] | None = None

    @property
    def stdin(self) -> TextIO:
        return self._stdin or sys.stdin

    @property
    def stdout(self) -> TextIO:
        return self._stdout or sys.stdout

    @property
    def stderr(self) -> TextIO:
        return self._stderr or sys.stderr

    @property
    def stdin_isatty(self) -> bool:
        """Someone can answer a question (a removal to confirm, an editor to reopen)."""
        if self._stdin_isatty is None:
            self._stdin_isatty = self.stdin.isatty()
        return self._stdin_isatty

    @property
    def stdout_isatty(self) -> bool:
        """Output is drawn for a terminal (Rich); else plain text."""
        if self._stdout_isatty is None:
            # TTY_COMPATIBLE=1 is Rich's own switch to draw for a terminal when stdout is
            # not one.
            compatible = os.environ.get("TTY_COMPATIBLE") == "1"
            self._stdout_isatty = compatible or self.stdout.isatty()
        return self._stdout_isatty

    @property
    def stderr_isatty(self) -> bool:
        """Progress bars and the lock-wait notice are shown (never in cron mail)."""
        if self._stderr_isatty is None:
            self._stderr_isatty = self.stderr.isatty()
        return self._stderr_isatty

    def terminal(self) -> bool:
        """Whether to draw for a terminal: stdout_isatty."""
        return self.stdout_isatty

    @property
    def now(self) -> datetime:
        """One instant per command, so every record it writes carries the same time."""
        if self._now is None:
            self._now = self.clock()
        return self._now

    @property
    def db_path(self) -> Path:
        from pcrm.store.paths import resolve_db_path

        return resolve_db_path(self.db_option)

    @contextmanager
    def database(self, *, write: bool, create: bool | None = None) -> Iterator[Database]:
        """The database for this command: a write command is one transaction.

        A write creates a missing file unless create=False: a command that changes an
        existing record must say the database is missing, not make an empty one."""
        from pcrm.store.db import session

        with session(self.db_path, write=write, create=create, on_wait=self._say_waiting) as db:
            capture = None
            if write:
                # Every row the command changes is journaled, and recorded as one change
                # at the end of its transaction (nothing when it fails: it rolls back).
                from pcrm.core.journal import Capture

                capture = Capture.start(db)
            # Amounts drawn for a person follow the number style; pipes keep one form. Off a
            # terminal nothing is imported for it (`pcrm log` in a script pays nothing), and
            # a style left by an earlier command in this process is taken back.
            if self.stdout_isatty:
                from pcrm.core.settings import number_style
                from pcrm.render.money import use_style

                use_style(number_style(db))
            elif "pcrm.render.money" in sys.modules:
                sys.modules["pcrm.render.money"].use_style(None)
            yield db
            if capture is not None:
                argv = self.argv if self.argv is not None else sys.argv[1:]
                # Words the locale could not decode (surrogates) as the UTF-8 they were.
                typed = [
                    word.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
                    for word in argv
                ]
                capture.finish(self.now, typed)

    def date_order(self) -> str | None:
        """The database's date-order setting (dmy, mdy, ymd; None when not set)."""
        from pcrm.core.settings import stored_date_order

        return stored_date_order(self.db_path)

    def _say_waiting(self) -> None:
        """Told once when a write has waited a second for another pcrm's write (an
        import): on a terminal only, so cron mails and scripts' output stay as they were."""
        if self.stderr_isatty:
            print("pcrm: waiting for another pcrm to finish writing…", file=self.stderr, flush=True)


def get_env(ctx: typer.Context) -> Env:
    from pcrm.dates import date_order_lookup

    root = ctx.find_root()
    if not isinstance(root.obj, Env):
        root.obj = Env()
    date_order_lookup.set(root.obj.date_order)  # read only if a slash date needs it
    return root.obj
