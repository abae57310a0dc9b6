"""docs/reports.md shows each report on the demo database as a terminal draws it at 80
columns; this test keeps those captures true (run it and paste what it prints to update)."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

DOC = Path(__file__).resolve().parent.parent / "docs" / "reports.md"
CAPTURE = re.compile(r"<!-- capture: pcrm (report [^>]*?) -->\n```text\n(.*?)```", re.S)


def test_the_reports_captured_in_the_docs_are_current(cli, tmp_path):
    path = tmp_path / "demo.db"
    assert cli("demo", str(path), "--quiet").exit_code == 0
    captures = CAPTURE.findall(DOC.read_text(encoding="utf-8"))
    # Any report may add a capture; these three must have theirs.
    assert {command.split()[1] for command, _ in captures} >= {"pipeline", "wins", "activity"}
    for command, text in captures:
        shown = cli("--db", str(path), *shlex.split(command), terminal=True, width=80)
        assert shown.exit_code == 0, shown.stderr
        expected = "".join(line.rstrip() + "\n" for line in shown.stdout.splitlines())
        assert text == expected, (
            f"docs/reports.md: `pcrm {command}` is out of date; it is now:\n{expected}"
        )
