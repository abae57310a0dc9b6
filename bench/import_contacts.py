"""How fast `pcrm import contacts` is, and whether its memory stays flat.

    python bench/import_contacts.py [--rows N ...] [--layout google|outlook] [--keep DIR]

For each N (default 10 000 and 100 000) writes a contacts export of N rows in the Google or
Outlook.com CSV layout with bench/generate.py's generator, then runs `pcrm import contacts`
in a child process twice: into an empty database (every row new), and again (every row a
duplicate: nothing is written). Prints rows per second and the child's peak memory; the
memory of the two sizes should be about the same, since the file is streamed.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from generate import FULL, Maker, write_google, write_outlook

WRITERS = {"google": write_google, "outlook": write_outlook}


def run_import(db: Path, csv_path: Path) -> tuple[float, float, int, str]:
    """Wall seconds, CPU seconds, peak RSS in MiB, and the summary's counts line of one
    import. On a shared machine the CPU time says more than the wall time."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        started = time.perf_counter()
        child = subprocess.Popen(
            [sys.executable, "-m", "pcrm", "--db", str(db), "import", "contacts", str(csv_path)],
            stdout=out,
            stderr=err,
            text=True,
        )
        _, status, usage = os.wait4(child.pid, 0)  # this child's own peak memory
        seconds = time.perf_counter() - started
        out.seek(0)
        err.seek(0)
        if os.waitstatus_to_exitcode(status):
            raise SystemExit(f"import failed: {err.read().strip()}")
        lines = out.read().splitlines()
    cpu = usage.ru_utime + usage.ru_stime
    return seconds, cpu, usage.ru_maxrss // 1024, lines[1] if len(lines) > 1 else ""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--layout", choices=sorted(WRITERS), default="google")
    parser.add_argument("--seed", type=int, default=9)
    parser.add_argument("--keep", type=Path, help="write the files here and keep them")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as scratch:
        folder = args.keep or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        print(
            f"{'rows':>8}  {'run':<6} {'wall s':>7} {'rows/s':>7} {'CPU s':>6} {'rows/CPU s':>10}"
            f" {'peak MiB':>8}  counts"
        )
        for rows in args.rows:
            csv_path = folder / f"{args.layout}-{rows}.csv"
            WRITERS[args.layout](csv_path, Maker(args.seed, rows / FULL["csv_rows"]))
            db = folder / f"import-{rows}.db"
            for suffix in ("", "-wal", "-shm"):
                Path(f"{db}{suffix}").unlink(missing_ok=True)
            for run in ("new", "again"):
                seconds, cpu, peak, counts = run_import(db, csv_path)
                print(
                    f"{rows:>8}  {run:<6} {seconds:>7.1f} {rows / seconds:>7.0f} {cpu:>6.1f}"
                    f" {rows / cpu:>10.0f} {peak:>8}  {counts}"
                )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
