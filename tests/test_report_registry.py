"""`pcrm report` is built from its registry: every registered report is listed, takes the
shared --since/--until/--json, and prints plain text, Rich or JSON like every view."""

from __future__ import annotations

import json

from conftest import ok
from pcrm.cli.report import REPORTS


def test_the_group_lists_every_registered_report_in_order(cli):
    listed = ok(cli("report", "--help"))
    assert listed.splitlines()[2].strip() == (
        "Reports: pipeline, wins, activity, funnel and sources."
    )
    commands = listed.split("Commands:\n")[1].splitlines()
    assert [line.split()[0] for line in commands] == list(REPORTS)


def test_every_report_takes_the_shared_options_once(cli):
    for name in REPORTS:
        shown = ok(cli("report", name, "--help"))
        options = shown.split("Options:\n")[1]
        for option in ("--since WHEN", "--until WHEN", "--json"):
            assert options.count(option) == 1, (name, option)
        # A report's own options come first, the shared ones last.
        assert options.index("--since") > max(
            (options.index(own) for own in ("--pipeline", "--by") if own in options), default=-1
        )


def test_every_report_prints_plain_json_and_rich(cli):
    ok(cli("contact", "add", "Ada Lovelace", "--source", "referral"))
    for name in REPORTS:
        assert ok(cli("report", name)).strip(), name
        assert isinstance(json.loads(ok(cli("report", name, "--json"))), dict | list), name
        assert ok(cli("report", name, terminal=True, width=80)).strip(), name


def test_a_bad_period_is_one_error_line_for_every_report(cli):
    for name in REPORTS:
        result = cli("report", name, "--since", "2026-12-01", "--until", "2026-11-01")
        assert result.exit_code == 1, name
        assert result.stderr.startswith("pcrm: error: --since must come before --until"), name
