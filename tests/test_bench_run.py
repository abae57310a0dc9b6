"""bench/run.py keeps working as pcrm grows: its floors mirror pcrm's command count and run,
and a case measures a real process (figures are reported, never asserted)."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).parent.parent / "bench"


@pytest.fixture(scope="module")
def bench_run():
    spec = importlib.util.spec_from_file_location("bench_run", BENCH / "run.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_the_floors_have_as_many_commands_as_pcrm_and_run(bench_run, tmp_path):
    from pcrm.cli.main import COMMANDS

    count = bench_run.pcrm_command_count()
    assert count > len(COMMANDS)  # groups count their sub-commands
    typer_app, argparse_app = bench_run.write_floors(tmp_path, count)
    for app in (typer_app, argparse_app):
        listed = subprocess.run(
            [sys.executable, str(app), "--help"], capture_output=True, text=True, timeout=60
        )
        assert listed.returncode == 0, listed.stderr
        assert f"cmd{count - 1}" in listed.stdout
        ran = subprocess.run(
            [sys.executable, str(app), "cmd3", "ada", "hi"], capture_output=True, timeout=60
        )
        assert ran.returncode == 0, ran.stderr


def test_a_case_records_wall_cpu_and_memory(bench_run):
    case = bench_run.Case("python -c pass", [sys.executable, "-c", "pass"])
    bench_run.measure([case], runs=2)
    assert len(case.walls) == len(case.cpus) == 2
    assert case.failed is None and case.rss_kb > 0
    broken = bench_run.Case("exit 3", [sys.executable, "-c", "raise SystemExit(3)"])
    bench_run.measure([broken], runs=1)
    assert broken.failed.startswith("exit 3")


def test_the_schema_ceiling_fills_pcrms_real_tables(bench_run, tmp_path):
    """The second import ceiling writes what an import writes, search index included."""
    import sqlite3

    csv_path = tmp_path / "people.csv"
    header = "First Name,Last Name,Organization Name,Organization Title,Birthday,Notes,Labels"
    header += ",E-mail 1 - Value,E-mail 2 - Value,Phone 1 - Value,Phone 2 - Value\n"
    csv_path.write_text(
        header
        + "Ada,Lovelace,Acme,CTO,,Met at a fair,Friends ::: * myContacts,ada@x.org,,+44 20 1,\n"
        + "Alan,Turing,,,,,,alan@x.org,a@y.org,,+49 30 2\n",
        encoding="utf-8",
    )
    rows, seconds = bench_run.schema_ceiling(csv_path, tmp_path)
    assert rows == 2 and seconds > 0
    conn = sqlite3.connect(tmp_path / "schema-ceiling.db")
    counts = [
        conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        for table in ("contacts", "companies", "contact_emails", "contact_phones", "contact_tags")
    ]
    assert counts == [2, 1, 3, 2, 1]
    found = conn.execute("SELECT rowid FROM search_index WHERE search_index MATCH 'fair'")
    assert found.fetchall() == [(1 * 8 + 1,)]
