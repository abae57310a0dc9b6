"""`pcrm demo`: a demo database written beside the user's, never over it, then toured."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from pcrm.errors import Conflict

if TYPE_CHECKING:
    from pcrm.core.demo.build import DemoFile, DemoTour


@dataclass(frozen=True)
class Demo:
    created: DemoFile
    tour: DemoTour | None  # None when not asked for


def make_demo(target: Path, now: datetime, *, force: bool, tour: bool, suggest: str) -> Demo:
    """Write the demo at `target` (an existing file only with `force`) and read its tour.
    The user's own database (where pcrm keeps it without --db) is refused; `suggest` is the
    file name the refusal proposes."""
    from pcrm.core.demo.build import create_demo_file, demo_tour
    from pcrm.store.db import session
    from pcrm.store.paths import resolve_db_path

    if _same_file(target, resolve_db_path(None)):
        raise Conflict(
            f"{target} is your pcrm database; the demo never writes there",
            hint=f"give another file, e.g. pcrm demo {suggest}",
        )
    created = create_demo_file(target, now, force=force)
    if not tour:
        return Demo(created, None)
    with session(target, write=False) as db:
        return Demo(created, demo_tour(db, created, now))


def _same_file(a: Path, b: Path) -> bool:
    if a.resolve() == b.resolve():
        return True
    try:
        return a.samefile(b)  # a hard link, or another spelling the resolver missed
    except OSError:
        return False
