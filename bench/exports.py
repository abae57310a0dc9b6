"""Measure `pcrm export` for every format at every size: records a CPU second and peak RSS.

    python bench/exports.py [--runs N] [--only TEXT] [--python PATH] [--sizes 10k,100k,300k]

Cases: contacts as CSV, JSON and vCard (3.0), and open follow-ups as ICS (`export agenda`),
each written to a file in a temporary folder, over the sets in bench/data/:
10k/bench.db (`bench/generate.py --scale 0.1 --no-csv --out bench/data/10k`),
bench100k.db and bench300k.db (copies of the shared sets; never symlinks).

Every case is a whole process (`python -m pcrm export ...`); its CPU (user + system) and
peak RSS (ru_maxrss) come from wait4 on the child. Records/s is the records written over
the median CPU seconds, start-up included; "rec/s past 10k" leaves start-up out (the
records added over the CPU seconds added since the smallest size). Targets (issue 18):
vCard and ICS >= 10 000 records/s at every size; peak RSS at 300k within 1.5x of that at
10k for every format.
`--python` runs another checkout's interpreter (the "before" figures: /work/main's venv).
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).parent
NOW = "2026-11-23T10:00:00Z"  # the data sets' "now"
SETS = {
    "10k": HERE / "data" / "10k" / "bench.db",
    "100k": HERE / "data" / "bench100k.db",
    "300k": HERE / "data" / "bench300k.db",
}
# name -> (export arguments, records/s target or None, SQL counting the records written)
FORMATS = {
    "contacts csv": (["contacts", "--format", "csv"], None, "SELECT count(*) FROM contacts"),
    "contacts json": (["contacts", "--format", "json"], None, "SELECT count(*) FROM contacts"),
    "contacts vcard": (
        ["contacts", "--format", "vcard"],
        10_000,
        "SELECT count(*) FROM contacts",
    ),
    "agenda ics": (
        ["agenda", "--format", "ics"],
        10_000,
        "SELECT count(*) FROM tasks WHERE status = 'open'",
    ),
}
RSS_RATIO = 1.5  # peak RSS at the largest size / at the smallest


@dataclass
class Case:
    size: str
    name: str
    argv: list[str]
    records: int
    target: int | None
    cpus: list[float] = field(default_factory=list)
    rss_kb: int = 0
    failed: str | None = None

    @property
    def rate(self) -> float:
        return self.records / statistics.median(self.cpus) if self.cpus else float("nan")


def run_once(case: Case, out: Path) -> None:
    if case.failed:
        return
    env = {**os.environ, "NO_COLOR": "1", "PCRM_NOW": NOW, "TZ": "Europe/Berlin"}
    process = subprocess.Popen(
        [*case.argv, "-o", str(out), "--force"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        env=env,
    )
    _, status, usage = os.wait4(process.pid, 0)
    error = process.stderr.read().decode(errors="replace") if process.stderr else ""
    if process.stderr:
        process.stderr.close()
    if os.waitstatus_to_exitcode(status) != 0:
        case.failed = (error.strip().splitlines() or ["?"])[-1]
        return
    case.cpus.append(usage.ru_utime + usage.ru_stime)
    case.rss_kb = max(case.rss_kb, usage.ru_maxrss)


def count(db: Path, sql: str) -> int:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        return int(conn.execute(sql).fetchone()[0])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--runs", type=int, default=1, help="timed runs per case (median)")
    parser.add_argument("--only", default="", help="only cases whose name holds this")
    parser.add_argument("--python", default=sys.executable, help="the interpreter running pcrm")
    parser.add_argument("--sizes", default=",".join(SETS), help="which sets, by name")
    args = parser.parse_args(argv)
    cases: list[Case] = []
    for size in args.sizes.split(","):
        db = SETS[size]
        if not db.exists():
            print(f"(no {db}: {size} not measured)", file=sys.stderr)
            continue
        for name, (export, target, sql) in FORMATS.items():
            if args.only in f"{size} {name}":
                pcrm = [args.python, "-m", "pcrm", "--db", str(db), "export"]
                cases.append(Case(size, name, [*pcrm, *export], count(db, sql), target))
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "export.out"
        for _ in range(args.runs):  # round-robin: a burst of load hits every case alike
            for case in cases:
                run_once(case, out)
                if case.cpus and not case.failed:
                    print(
                        f"  {case.size:>5} {case.name:<15} {case.cpus[-1]:8.2f} s CPU",
                        file=sys.stderr,
                    )
    print(f"load: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}")
    header = f"{'set':>5} {'case':<15} {'records':>8} {'CPU s':>8} {'rec/s':>8} {'RSS MiB':>8}"
    print(header + "  target")
    # case -> its first size's (name, RSS, records, CPU seconds)
    smallest: dict[str, tuple[str, int, int, float]] = {}
    for case in cases:
        if case.failed:
            print(f"{case.size:>5} {case.name:<15} failed: {case.failed}")
            continue
        cpu = statistics.median(case.cpus)
        first, first_rss, first_records, first_cpu = smallest.setdefault(
            case.name, (case.size, case.rss_kb, case.records, cpu)
        )
        verdicts = []
        if case.target:
            ok = "ok" if case.rate >= case.target else "over"
            verdicts.append(f">= {case.target} rec/s {ok}")
        if case.size != first and cpu > first_cpu:
            # start-up left out: the records added over the CPU added since the first size
            marginal = (case.records - first_records) / (cpu - first_cpu)
            verdicts.append(f"{marginal:.0f} rec/s past {first}")
        if case.size != first:
            ratio = case.rss_kb / first_rss
            ok = "ok" if ratio <= RSS_RATIO else "over"
            verdicts.append(f"RSS {ratio:.2f}x {first}'s (<= {RSS_RATIO}x) {ok}")
        print(
            f"{case.size:>5} {case.name:<15} {case.records:>8} {statistics.median(case.cpus):8.2f}"
            f" {case.rate:8.0f} {case.rss_kb / 1024:8.0f}  {'; '.join(verdicts)}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
