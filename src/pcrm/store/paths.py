"""Where the database lives: --db, then $PCRM_DB, then the platform's user data folder."""

from __future__ import annotations

import os
from pathlib import Path

from pcrm.errors import DatabaseError

ENV_VAR = "PCRM_DB"
FILE_NAME = "pcrm.db"


def default_db_path() -> Path:
    # platformdirs is imported here, not at module level: only needed when no path is given.
    from platformdirs import user_data_path

    return user_data_path("pcrm", appauthor=False) / FILE_NAME


def resolve_db_path(cli_value: str | os.PathLike[str] | None = None) -> Path:
    """The database path, by precedence: the --db option, $PCRM_DB, the platform default."""
    if cli_value:
        return reachable(Path(cli_value).expanduser())
    env = os.environ.get(ENV_VAR)
    if env:
        return reachable(Path(env).expanduser())
    return reachable(default_db_path())


def reachable(path: Path) -> Path:
    """`path`, refused when a folder on the way to it cannot be entered (no x permission)
    or the name is too long: every later look at the file (exists(), open) would fail
    with an OSError that names neither the folder nor what to do."""
    try:
        path.stat()
    except (FileNotFoundError, NotADirectoryError):
        pass  # a missing file is each command's to explain (created, or "no database")
    except PermissionError:
        raise DatabaseError(
            f"cannot reach {path}: permission denied on a folder on the way",
            hint="check each folder's permissions with ls -ld, or choose another file with --db",
        ) from None
    except OSError as exc:
        raise DatabaseError(
            f"cannot use {path}: {exc.strerror}", hint="check --db / $PCRM_DB"
        ) from None
    return path
