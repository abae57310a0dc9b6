"""Measure `pcrm vdir export|import` over a whole data set: CPU, peak RSS, items per second.

    python bench/vdir.py [--sizes 10k,100k] [--python PATH]

What `pcrm sync` pays on every run (issue 21) before vdirsyncer moves anything: over a copy
of each set in bench/data/ (10k/bench.db, bench100k.db, bench300k.db, as bench/exports.py
names them; a copy, because both commands write what they remember of the folder), in
this order, each once and each a whole process (`python -m pcrm --db COPY vdir ...`):

- first export: every contact and open follow-up written as a new file;
- export, nothing changed: what an hourly cron pays when nothing happened;
- import, nothing changed: every file's hash compared with the one remembered;
- import, 100 cards edited in the folder (a NOTE line added, as a phone would);
- export after 100 contacts were edited in pcrm (`contact tag add`, one process).

CPU (user + system) and peak RSS (ru_maxrss) come from wait4 on the child.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

from exports import NOW, SETS  # the same sets as the exports' benchmark (bench/ is on sys.path)

EDITED = 100


def run_timed(argv: list[str]) -> tuple[float, int, str]:
    """CPU seconds, peak RSS (KiB) and the last line of stdout of one pcrm process."""
    env = {**os.environ, "NO_COLOR": "1", "PCRM_NOW": NOW, "TZ": "Europe/Berlin"}
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        process = subprocess.Popen(argv, stdout=out, stderr=err, stdin=subprocess.DEVNULL, env=env)
        _, status, usage = os.wait4(process.pid, 0)
        out.seek(0)
        err.seek(0)
        if os.waitstatus_to_exitcode(status) != 0:
            sys.exit(f"{' '.join(argv[3:])} failed: {err.read().decode(errors='replace').strip()}")
        lines = out.read().decode(errors="replace").strip().splitlines()
    return usage.ru_utime + usage.ru_stime, usage.ru_maxrss, lines[-1] if lines else ""


def edit_cards(folder: Path, n: int) -> None:
    """Add a NOTE to the first n cards, as a phone's edit rewrites a card."""
    for card in sorted((folder / "contacts").glob("*.vcf"))[:n]:
        text = card.read_bytes().decode()
        edited = text.replace("END:VCARD", "NOTE:edited on the phone\r\nEND:VCARD")
        card.write_bytes(edited.encode())


def count(db: Path, sql: str) -> int:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        return int(conn.execute(sql).fetchone()[0])


def measure(size: str, source: Path, python: str) -> None:
    with tempfile.TemporaryDirectory(dir=source.parent) as work:
        db = Path(work) / "bench.db"
        shutil.copyfile(source, db)
        folder = Path(work) / "vdir"
        pcrm = [python, "-m", "pcrm", "--db", str(db)]
        items = count(db, "SELECT count(*) FROM contacts") + count(
            db, "SELECT count(*) FROM tasks WHERE status = 'open'"
        )
        ids = [
            str(row[0])
            for row in sqlite3.connect(db).execute(f"SELECT id FROM contacts LIMIT {EDITED}")
        ]
        steps: list[tuple[str, list[str], int]] = [
            ("first export", [*pcrm, "vdir", "export", str(folder)], items),
            ("export, nothing changed", [*pcrm, "vdir", "export", str(folder)], items),
            ("import, nothing changed", [*pcrm, "vdir", "import", str(folder)], items),
            (f"import, {EDITED} edited", [*pcrm, "vdir", "import", str(folder)], EDITED),
            (f"export, {EDITED} edited", [*pcrm, "vdir", "export", str(folder)], EDITED),
        ]
        for name, argv, records in steps:
            if name.startswith("import,") and "edited" in name:
                edit_cards(folder, EDITED)
            if name.startswith("export,") and "edited" in name:
                run_timed([*pcrm, "contact", "tag", "add", "edited", *ids, "--yes"])
            cpu, rss, said = run_timed(argv)
            print(
                f"{size:>5} {name:<24} {records:>7} {cpu:7.2f} {records / cpu:8.0f}"
                f" {rss / 1024:7.0f}  {said}",
                flush=True,
            )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--python", default=sys.executable, help="the interpreter running pcrm")
    parser.add_argument("--sizes", default=",".join(SETS), help="which sets, by name")
    args = parser.parse_args(argv)
    print(f"load: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"{'set':>5} {'case':<24} {'items':>7} {'CPU s':>7} {'items/s':>8} {'RSS MiB':>7}  says")
    for size in args.sizes.split(","):
        if not SETS[size].exists():
            print(f"(no {SETS[size]}: {size} not measured)", file=sys.stderr)
            continue
        measure(size, SETS[size], args.python)
    return 0


if __name__ == "__main__":
    sys.exit(main())
