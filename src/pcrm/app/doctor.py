"""`pcrm doctor [--fix]`: check the database file, repair what is safe, check again."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from pcrm.errors import DatabaseError

if TYPE_CHECKING:
    from pcrm.store.health import Report


@dataclass(frozen=True)
class Checkup:
    report: Report  # after the repairs, if any
    repaired: list[str] = field(default_factory=list)  # what --fix did, one line each


def check_database(path: Path, *, fix: bool) -> Checkup:
    """Diagnose the file (never opened as pcrm opens it: no migration); with `fix`, repair
    a file that has problems and diagnose it again. A missing or non-SQLite file is an
    error: there is nothing to check."""
    from pcrm.store.files import is_sqlite_file
    from pcrm.store.health import diagnose, fix_blocker, repair

    if not path.exists():
        raise DatabaseError(f"no database at {path}", hint="point --db / $PCRM_DB at your file")
    try:
        is_sqlite = not path.is_dir() and is_sqlite_file(path)
    except OSError as exc:
        raise DatabaseError(
            f"cannot read {path}: {exc.strerror}", hint="check the file's permissions"
        ) from None
    if not is_sqlite:
        raise DatabaseError(
            f"{path} is not a pcrm database (not an SQLite file)",
            hint="check --db / $PCRM_DB, or restore a backup: pcrm restore FILE",
        )
    report = diagnose(path)
    if not fix or report.ok:
        return Checkup(report)
    blocked = fix_blocker(path, report)
    if blocked:
        raise DatabaseError(
            f"cannot fix {path}: {blocked}",
            hint="run pcrm doctor --fix as the file's owner; nothing was changed",
        )
    repaired = repair(path, report)
    return Checkup(diagnose(path), repaired)
