"""What every use case is given: a way to open the database, and a progress callback."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from pcrm.store.db import Database


class DatabaseFile(Protocol):
    """The user's database: where it is, and how to open it for one command (cli's Env
    is one: it knows --db, $PCRM_DB and how to tell the user a write is waiting)."""

    @property
    def db_path(self) -> Path: ...

    def database(
        self, *, write: bool, create: bool | None = None
    ) -> AbstractContextManager[Database]: ...


# advance(units done, rows done): units are bytes read for an import, records for an export
Advance = Callable[[int, int], None]
# progress(total units, label) -> a context giving advance(); cli passes a Rich bar on stderr
Progress = Callable[[int, str], AbstractContextManager[Advance]]


@contextmanager
def no_progress(total: int, label: str) -> Iterator[Advance]:
    yield lambda done, rows: None
