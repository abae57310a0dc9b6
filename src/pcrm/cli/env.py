"""Everything a command needs from the outside world, in one object (after httpie's
Environment): the database path, the clock, and whether stdout is a terminal.

Tests swap any of it by passing `obj=Env(...)` to CliRunner.invoke; `$PCRM_NOW` freezes the
clock for a whole process (subprocess tests, reproducible docs).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    from pcrm.store.db import Database


def system_clock() -> datetime:
    """Now, in UTC; `$PCRM_NOW` (ISO-8601) pins it for tests and reproducible output."""
    pinned = os.environ.get("PCRM_NOW")
    if pinned:
        moment = datetime.fromisoformat(pinned.replace("Z", "+00:00"))
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return datetime.now(UTC)


def stdout_is_terminal() -> bool:
    # TTY_COMPATIBLE=1 is Rich's own switch to draw for a terminal when stdout is not one.
    if os.environ.get("TTY_COMPATIBLE") == "1":
        return True
    return sys.stdout.isatty()


@dataclass
class Env:
    db_option: str | None = None
    clock: Callable[[], datetime] = system_clock
    terminal: Callable[[], bool] = stdout_is_terminal
    _now: datetime | None = field(default=None, repr=False)

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

        with session(self.db_path, write=write, create=create, on_wait=_say_waiting) as db:
            yield db


def _say_waiting() -> None:
    """Told once when a write has waited a second for another pcrm's write (an import):
    on a terminal only, so cron mails and scripts' output stay as they were."""
    if sys.stderr.isatty():
        print("pcrm: waiting for another pcrm to finish writing…", file=sys.stderr, flush=True)


def get_env(ctx: typer.Context) -> Env:
    root = ctx.find_root()
    if not isinstance(root.obj, Env):
        root.obj = Env()
    return root.obj
