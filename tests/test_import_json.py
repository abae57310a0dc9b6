"""`pcrm import contacts` of pcrm's own JSON (`pcrm export contacts --format json`): detected
by content, rejects with their line numbers, a syntax error stops it before any write."""

from __future__ import annotations

import json

from conftest import dump

ADA = {
    "uid": "0b1d5b1e-0000-4000-8000-000000000001",
    "name": "Ada Lovelace",
    "company": {"kind": "company", "id": 7, "name": "Analytical Engines"},
    "emails": [{"email": "ada@example.org", "label": "work"}],
    "phones": [{"phone": "+44 20 7946 0000", "label": None}],
    "tags": ["vip"],
    "birthday": "--12-10",
    "cadence_days": 30,
    "shoe_size": 38,
}


def test_pcrm_json_imports_by_content_whatever_the_file_name(cli, db_path, tmp_path):
    source = tmp_path / "people.txt"
    source.write_text(json.dumps([ADA], indent=2), encoding="utf-8")
    result = cli("import", "contacts", str(source))
    assert result.exit_code == 0, result.stderr
    assert "pcrm JSON" in result.stdout
    assert "shoe_size" in result.stdout  # an unknown key is listed as unmapped, not dropped
    shown = json.loads(cli("contact", "show", "ada", "--json").stdout)["contact"]
    assert (shown["uid"], shown["company"]["name"], shown["birthday"]) == (
        ADA["uid"],
        "Analytical Engines",
        "--12-10",
    )
    assert shown["emails"] == [{"email": "ada@example.org", "label": "work"}]
    assert (shown["tags"], shown["cadence_days"]) == (["vip"], 30)


def test_a_bad_object_is_rejected_with_its_line_and_written_to_rejects(cli, tmp_path):
    source = tmp_path / "people.json"
    bad = {"name": "", "emails": [{"email": "not an address", "label": None}]}
    source.write_text(json.dumps([ADA, bad], indent=2), encoding="utf-8")
    rejects = tmp_path / "rejects.json"
    result = cli("import", "contacts", str(source), "--rejects", str(rejects))
    assert result.exit_code == 0, result.stderr
    line = source.read_text().splitlines().index("  {", 1) + 1  # where the second object starts
    assert f"line {line}" in result.stdout
    assert json.loads(rejects.read_text()) == [bad]


def test_broken_json_is_one_error_line_and_changes_nothing(cli, db_path, tmp_path):
    cli("contact", "add", "Grace")
    before = dump(db_path)
    source = tmp_path / "people.json"
    source.write_text('[\n  {"name": "Ada"},\n  {"name": "Bob",}\n]\n', encoding="utf-8")
    result = cli("import", "contacts", str(source))
    assert result.exit_code == 1
    assert result.stderr.startswith(f"pcrm: error: {source} is not valid JSON: ")
    assert "at line 3" in result.stderr and len(result.stderr.splitlines()) == 1
    assert dump(db_path) == before
    wrong = cli("import", "contacts", str(source), "--preset", "google")
    assert wrong.stderr == (
        f"pcrm: error: {source} is a pcrm JSON file; --preset and --map are for CSV files\n"
    )
