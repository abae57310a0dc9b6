"""A contact's and a company's 360° view and timeline include their deals (issue 4)."""

from __future__ import annotations

import json
from datetime import timedelta

from conftest import NOW


def setup_deal(cli) -> None:
    assert cli("contact", "add", "Ada Lovelace", "-c", "Analytical Engines").exit_code == 0
    assert cli("contact", "add", "Grace Hopper").exit_code == 0
    added = cli(
        "deal",
        "add",
        "20 seats",
        "--value",
        "24k",
        "--currency",
        "EUR",
        "--contact",
        "ada:decision maker",
        now=NOW - timedelta(days=10),
    )
    assert added.exit_code == 0, added.stderr
    assert cli("deal", "move", "20 seats", "Demo", now=NOW - timedelta(days=5)).exit_code == 0
    assert cli("deal", "won", "20 seats", now=NOW - timedelta(days=1)).exit_code == 0


def test_contact_timeline_lists_the_deals_changes_newest_first(cli):
    setup_deal(cli)
    result = cli("timeline", "ada", "--json")
    deal_events = [e for e in json.loads(result.stdout) if e["kind"] == "deal"]
    assert [(e["at"], e["summary"]) for e in deal_events] == [
        ("2026-11-22T10:00:00Z", '"20 seats" won'),
        ("2026-11-18T10:00:00Z", '"20 seats" moved Qualified → Demo'),
        ("2026-11-13T10:00:00Z", '"20 seats" opened in Qualified'),
    ]
    assert deal_events[0]["subject"] == {"kind": "deal", "id": 1, "name": "20 seats"}


def test_company_timeline_has_its_deals_and_others_do_not(cli):
    setup_deal(cli)
    company = cli("timeline", "company:analytical").stdout
    assert 'deal\t"20 seats" opened in Qualified' in company
    grace = cli("timeline", "grace").stdout
    assert "20 seats" not in grace


def test_reopen_and_lost_read_as_words(cli):
    setup_deal(cli)
    assert cli("deal", "reopen", "20 seats").exit_code == 0
    assert cli("deal", "lost", "20 seats", "--reason", "budget cut").exit_code == 0
    lines = cli("timeline", "ada").stdout.splitlines()
    deal_lines = [line.split("\t")[2:] for line in lines if line.split("\t")[1] == "deal"]
    assert deal_lines[:2] == [
        ['"20 seats" lost', "budget cut"],
        ['"20 seats" reopened in Demo', ""],
    ]


def test_show_lists_the_contacts_deals_plain_and_on_a_terminal(cli):
    setup_deal(cli)
    plain = cli("show", "ada").stdout
    assert "deal: 1\t20 seats\twon\t24000.00\tEUR\t2026-11-22\n" in plain
    pretty = cli("show", "ada", terminal=True, width=80).stdout
    assert "Deals (0 open)" in pretty
    assert "20 seats" in pretty and "€24,000.00" in pretty
    company = cli("show", "company:analytical", "--json").stdout
    assert '"title": "20 seats"' in company
