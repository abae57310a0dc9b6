"""Where the database lives: --db, then $PCRM_DB, then the platform's user data folder."""

from __future__ import annotations

import os
from pathlib import Path

ENV_VAR = "PCRM_DB"
FILE_NAME = "pcrm.db"


def default_db_path() -> Path:
    # platformdirs is imported here, not at module level: only needed when no path is given.
    from platformdirs import user_data_path

    return user_data_path("pcrm", appauthor=False) / FILE_NAME


def resolve_db_path(cli_value: str | os.PathLike[str] | None = None) -> Path:
    """The database path, by precedence: the --db option, $PCRM_DB, the platform default."""
    if cli_value:
        return Path(cli_value).expanduser()
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env).expanduser()
    return default_db_path()
