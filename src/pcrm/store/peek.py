"""A quick read-only look at the database, for shell completion: never creates, migrates
or locks the file, and gives up at once (None) rather than wait or complain."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from pcrm.store.db import Database

# A completion that waits for a writer's lock would freeze the user's shell at each tab.
PEEK_TIMEOUT_MS = 100


def peek(path: Path) -> Database | None:
    """The file at `path` opened read-only, or None when there is none to read."""
    try:
        if not path.is_file():
            return None
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=0)
        conn.execute(f"PRAGMA busy_timeout = {PEEK_TIMEOUT_MS}")
        conn.execute("PRAGMA query_only = ON")
    except (OSError, sqlite3.Error):
        return None
    return Database(conn)
