"""Issue 15, Rules: the summary counts what happened and shows the first warnings;
`--report FILE` holds every warning and reject; `--json` carries the counts."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from conftest import dump, ok
from conftest import one_line_error as error


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def many_problems(tmp_path: Path) -> Path:
    """30 rows with a bad phone each, 2 rows with nothing identifying, 1 good row."""
    rows = [f"Person {i},p{i}@example.org,n/a\n" for i in range(30)]
    rows += [",,null\n", ",bad@,\n", "Ada,ada@example.org,+44 20 7946 0958\n"]
    return write(tmp_path / "p.csv", "Name,Email,Phone\n" + "".join(rows))


def read_report(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


def test_the_summary_shows_the_first_warnings_and_counts_the_rest(cli, tmp_path):
    lines = ok(cli("import", "contacts", str(many_problems(tmp_path)))).splitlines()
    assert lines[1] == (
        "created 31, merged 0, updated 0, unchanged 0, skipped 0, rejected 2; values dropped 30"
    )
    warnings = lines.index("Warnings:")
    assert lines[warnings + 1] == '  line 2: phone "n/a" is not a phone number; not imported'
    assert lines[warnings + 21] == "  ... and 10 more (--report FILE lists them all)"


def test_report_file_holds_every_warning_and_reject(cli, tmp_path):
    report = tmp_path / "report.csv"
    source = many_problems(tmp_path)
    lines = ok(cli("import", "contacts", str(source), "--report", str(report))).splitlines()
    assert "  ... and 10 more" in lines
    assert lines[-1] == f"Report written to {report}: 30 warnings, 2 rejected"
    table = read_report(report)
    assert table[0] == ["line", "kind", "message"]
    assert len(table) == 1 + 32
    assert table[1] == ["2", "warning", 'phone "n/a" is not a phone number; not imported']
    assert table[31] == ["32", "rejected", 'no name, email or phone number (phone "null" is'
                         " not a phone number)"]  # fmt: skip
    assert table[32] == ["33", "rejected", 'no name, email or phone number (email "bad@" is'
                         " not a valid address)"]  # fmt: skip
    assert report.stat().st_mode & 0o777 == 0o600  # personal data


def test_report_file_is_written_even_when_all_is_well_and_on_a_dry_run(cli, tmp_path, db_path):
    source = write(tmp_path / "p.csv", "Name,Email\nAda,ada@example.org\n")
    report = tmp_path / "report.csv"
    lines = ok(cli("import", "contacts", str(source), "--report", str(report), "--dry-run"))
    assert lines.splitlines()[-1] == f"Report written to {report}: 0 warnings, 0 rejected"
    assert read_report(report) == [["line", "kind", "message"]]
    assert not db_path.exists()


def test_report_file_is_protected(cli, tmp_path, db_path):
    ok(cli("contact", "add", "Someone"))
    source = many_problems(tmp_path)
    report = write(tmp_path / "report.csv", "an earlier report\n")
    before = dump(db_path)
    message = error(cli("import", "contacts", str(source), "--report", str(report)))
    assert message == f"pcrm: error: {report} already exists (add --force to replace it)\n"
    assert report.read_text() == "an earlier report\n"
    for target, what in [
        (source, "the file being imported"),
        (db_path, "the pcrm database"),
    ]:
        args = ["import", "contacts", str(source), "--report", str(target), "--force"]
        message = error(cli(*args))
        assert message.startswith(f"pcrm: error: {target} is {what}; pcrm never writes over it")
    rejects = tmp_path / "rejects.csv"
    args = ["--rejects", str(rejects), "--report", str(rejects), "--force"]
    message = error(cli("import", "contacts", str(source), *args))
    assert message.startswith(f"pcrm: error: {rejects} is the --rejects file;")
    assert dump(db_path) == before
    ok(cli("import", "contacts", str(source), "--report", str(report), "--force"))
    assert len(read_report(report)) == 33
    folder = tmp_path / "no-such-folder" / "report.csv"
    message = error(cli("import", "contacts", str(source), "--report", str(folder)))
    assert message == f"pcrm: error: cannot write {folder}: No such file or directory\n"


def test_json_carries_the_counts_and_the_warnings(cli, tmp_path):
    report = tmp_path / "report.csv"
    source = many_problems(tmp_path)
    summary = json.loads(ok(cli("import", "contacts", str(source), "--json", "--report",
                                str(report))))  # fmt: skip
    counts = {key: summary["report"][key] for key in (
        "rows", "created", "updated", "merged", "unchanged", "skipped", "empty", "rejected",
        "companies_created", "dropped", "warned")}  # fmt: skip
    assert counts == {
        "rows": 33, "created": 31, "updated": 0, "merged": 0, "unchanged": 0, "skipped": 0,
        "empty": 0, "rejected": 2, "companies_created": 0, "dropped": 30, "warned": 30,
    }  # fmt: skip
    assert len(summary["report"]["warnings"]) == 30
    assert summary["report"]["warnings"][0] == {
        "line": 2,
        "message": 'phone "n/a" is not a phone number; not imported',
    }
    assert [note["line"] for note in summary["report"]["rejects"]] == [32, 33]
    assert summary["report_file"] == str(report)
    assert summary["rejects_file"] is None
