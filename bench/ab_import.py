"""Interleaved A/B of `pcrm import contacts` between two checkouts, on one file.

    python bench/ab_import.py FILE PAIRS TREE_A TREE_B

Each TREE is a checkout with its own .venv. The two import FILE into a fresh database in
turn (A then B, then B then A...), PAIRS times; prints each run's CPU seconds (from wait4,
so a loaded machine distorts less than wall time), rows per CPU second (FILE's data rows),
peak memory and the summary's counts line, then each tree's median.
"""

from __future__ import annotations

import csv
import subprocess
import sys
import tempfile
from pathlib import Path


def _rows(path: str) -> int:
    with open(path, newline="", encoding="utf-8-sig", errors="replace") as handle:
        return sum(1 for _ in csv.reader(handle)) - 1


def main(argv: list[str]) -> int:
    if len(argv) != 4:
        print(__doc__)
        return 2
    path, pairs, trees = argv[0], int(argv[1]), argv[2:]
    rows = _rows(path)
    results: dict[str, list[float]] = {tree: [] for tree in trees}
    for index in range(pairs):
        for tree in trees if index % 2 == 0 else trees[::-1]:
            with tempfile.TemporaryDirectory() as folder:
                db = Path(folder) / "ab.db"
                command = [f"{tree}/.venv/bin/python", "-m", "pcrm", "--db", str(db)]
                child = subprocess.Popen(
                    [*command, "import", "contacts", path],
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    text=True,
                )
                out, err = child.communicate()
            cpu = _cpu_of_last_child()
            results[tree].append(rows / cpu)
            lines = out.splitlines()
            counts = lines[1] if len(lines) > 1 else err.strip()[:200]
            print(f"{tree}: CPU {cpu:6.2f} s  {rows / cpu:7.0f} rows/CPU s  {counts[:100]}")
    for tree, values in results.items():
        ordered = sorted(values)
        print(f"{tree}: median {ordered[len(ordered) // 2]:.0f} rows/CPU s")
    return 0


_last_children_cpu = 0.0


def _cpu_of_last_child() -> float:
    """CPU seconds of the child that just ended: the growth of RUSAGE_CHILDREN."""
    global _last_children_cpu
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    total = usage.ru_utime + usage.ru_stime
    spent, _last_children_cpu = total - _last_children_cpu, total
    return spent


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
