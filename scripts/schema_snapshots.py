"""Write or check tests/schema/mNNN.sql: the schema of a fresh file after each step.

Run it after adding a schema step:  python scripts/schema_snapshots.py --write
It builds a fresh in-memory database one step at a time (store/migrations.py) and writes
each step's normalised sqlite_master. A snapshot that exists is rewritten only for the
newest step (still being written); an older one that differs means a landed step was
edited, which is refused: add a new step instead. Without --write it only checks, as
tests/test_schema_steps.py does, and exits 1 on a difference.
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
from collections.abc import Iterator
from pathlib import Path

from pcrm.store.migrations import apply, known_names, snapshot, snapshot_name

ROOT = Path(__file__).resolve().parent.parent
SNAPSHOTS = ROOT / "tests" / "schema"


def snapshots() -> Iterator[tuple[str, str]]:
    """(step name, the schema after it) for every step, from one fresh file built step by
    step."""
    conn = sqlite3.connect(":memory:")
    try:
        names = known_names()
        for count, name in enumerate(names, start=1):
            apply(conn, only=names[:count])
            yield name, snapshot(conn)
    finally:
        conn.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="write missing snapshots")
    args = parser.parse_args(argv)
    newest = known_names()[-1]
    problems = 0
    for name, text in snapshots():
        path = SNAPSHOTS / snapshot_name(name)
        if path.exists() and path.read_text() == text:
            continue
        if args.write and (not path.exists() or name == newest):
            SNAPSHOTS.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
            print(f"wrote {path.relative_to(ROOT)}")
            continue
        problems += 1
        if path.exists():
            print(
                f"{path.relative_to(ROOT)}: step {name} no longer gives this schema; a landed"
                " step is never edited: add a new step instead",
                file=sys.stderr,
            )
        else:
            print(f"{path.relative_to(ROOT)}: missing (run with --write)", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
