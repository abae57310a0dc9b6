"""bench/generate.py: the benchmark data is a sound pcrm database, of the asked size, the
same for the same seed, and its CSV files are in the exporters' layouts."""

from __future__ import annotations

import csv
import importlib.util
import sqlite3
from pathlib import Path

import pytest

BENCH = Path(__file__).parent.parent / "bench"


@pytest.fixture(scope="module")
def generate():
    spec = importlib.util.spec_from_file_location("bench_generate", BENCH / "generate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_small_set_is_a_healthy_pcrm_database(generate, cli, tmp_path):
    assert generate.main(["--scale", "0.002", "--out", str(tmp_path / "a")]) == 0
    db_path = tmp_path / "a" / "bench.db"
    conn = sqlite3.connect(db_path)
    counts = {
        table: conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        for table in ("companies", "contacts", "interactions", "deals", "tasks")
    }
    assert counts == {
        "companies": 20,
        "contacts": 200,
        "interactions": 2000,
        "deals": 40,
        "tasks": 100,
    }
    # Every deal has a history that starts with its creation and ends in its stage.
    rows = conn.execute(
        "SELECT d.id, d.stage_id, (SELECT to_stage_id FROM deal_history h WHERE h.deal_id = d.id"
        " ORDER BY h.at DESC, h.id DESC LIMIT 1),"
        " (SELECT count(*) FROM deal_history h WHERE h.deal_id = d.id AND from_status IS NULL)"
        " FROM deals d"
    ).fetchall()
    assert all(stage == last and created == 1 for _, stage, last, created in rows)
    pipelines = conn.execute("SELECT count(DISTINCT pipeline_id) FROM deals").fetchone()[0]
    assert pipelines == 3
    conn.close()

    result = cli("--db", str(db_path), "doctor")
    assert result.exit_code == 0, result.stdout + result.stderr
    # The search triggers were put back: a new record is found.
    assert cli("--db", str(db_path), "contact", "add", "Xavier Quokka").exit_code == 0
    assert "Xavier Quokka" in cli("--db", str(db_path), "search", "quokka").stdout


def test_the_same_seed_gives_the_same_data(generate, tmp_path):
    for name in ("a", "b"):
        args = ["--scale", "0.001", "--no-csv", "--out", str(tmp_path / name)]
        assert generate.main(args) == 0
    # Migrations stamp their own run time and uids (the default pipeline): compare the rest.
    generated = (
        "companies",
        "contacts",
        "contact_emails",
        "interactions",
        "deals",
        "deal_history",
        "tasks",
        "search_index",
    )

    def content(path: Path) -> list[tuple]:
        conn = sqlite3.connect(path)
        rows = [row for table in generated for row in conn.execute(f"SELECT * FROM {table}")]
        conn.close()
        return rows

    first, second = content(tmp_path / "a" / "bench.db"), content(tmp_path / "b" / "bench.db")
    assert len(first) > 1000
    assert first == second


def test_csv_files_in_the_google_and_outlook_layouts(generate, tmp_path):
    assert generate.main(["--scale", "0.0005", "--out", str(tmp_path)]) == 0
    google = (tmp_path / "google.csv").read_bytes()
    outlook = (tmp_path / "outlook.csv").read_bytes()
    assert google.startswith(b"First Name,Middle Name,Last Name,Phonetic First Name,")
    assert outlook.startswith(b"\xef\xbb\xbfFirst Name,Middle Name,Last Name,Title,Suffix,")
    assert b"\r\n" in google and b"\r\n" in outlook
    with (tmp_path / "google.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 50
    assert all(row["Labels"].endswith("* myContacts") for row in rows)
    assert all("@" in row["E-mail 1 - Value"] for row in rows)
    with (tmp_path / "outlook.csv").open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 50
    birthdays = [row["Birthday"] for row in rows if row["Birthday"]]
    assert birthdays and all(len(day.split("/")) == 3 for day in birthdays)


def test_csv_only_writes_the_exports_and_no_database(generate, tmp_path):
    assert generate.main(["--scale", "0.0002", "--csv-only", "--out", str(tmp_path)]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["google.csv", "outlook.csv"]
    with (tmp_path / "google.csv").open(encoding="utf-8", newline="") as handle:
        assert len(list(csv.DictReader(handle))) == 20
