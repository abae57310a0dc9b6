"""`pcrm pipeline`: the board through the CLI (plain, terminal at 80 and 200 columns, JSON,
filters, errors), and `pcrm pipeline add|list|rm|default`."""

from __future__ import annotations

import json
import re
import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest

from conftest import NOW, dump
from deal_rows import add_deal, add_pipeline, open_file, plan
from pcrm.core.demo.deals import DEALS

STAGES = ("Qualified", "Contact made", "Demo", "Proposal", "Negotiation")
DOC = Path(__file__).resolve().parent.parent / "docs" / "pipeline.md"
CAPTURE = re.compile(r"<!-- capture: pcrm pipeline at (\d+) columns -->\n```text\n(.*?)```", re.S)


@pytest.fixture
def sales(db_path):
    """Four open deals in the default pipeline, one stale, one with a next step."""
    db = open_file(db_path)
    add_deal(
        db, "Website rebuild", company="Acme", value=1_200_000, close="2026-11-30", tags=["web"]
    )
    add_deal(
        db,
        "Support plan",
        stage="Demo",
        value=250_050,
        entered=NOW - timedelta(days=20),
        idle=timedelta(days=20),  # Demo rots after 14 days
    )
    pilot = add_deal(
        db, "US pilot", stage="Demo", value=300_000, currency="USD", close="2026-12-15"
    )
    plan(db, pilot, NOW + timedelta(days=1), "Call Ben about seats")
    add_deal(
        db,
        "Renewal",
        stage="Negotiation",
        company="Initech",
        value=800_000,
        close="2026-11-25",
        tags=["renewal"],
    )
    add_deal(db, "Won already", stage="Proposal", value=999_999, status="won")
    db.conn.commit()
    db.close()
    return db_path


def test_the_board_off_a_terminal_is_plain_text(cli, sales):
    result = cli("pipeline")
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    assert result.stdout.splitlines() == [
        "Sales: 4 deals open, 1 stale",
        "",
        "Qualified (10%, stale after 30d): 1 deal, €12,000.00, weighted €1,200.00",
        "1\tWebsite rebuild\tAcme\t12000.00\tEUR\t3 days in stage",
        "",
        "Contact made (20%, stale after 21d): 0 deals",
        "",
        "Demo (40%, stale after 14d): 2 deals, €2,500.50, $3,000.00, weighted €1,000.20, $1,200.00",
        "3\tUS pilot\t\t3000.00\tUSD\t3 days in stage"
        "\tnext 2026-11-24T10:00:00Z call: Call Ben about seats",
        "2\tSupport plan\t\t2500.50\tEUR\t20 days in stage\t\tSTALE idle 20 days",
        "",
        "Proposal (60%, stale after 14d): 0 deals",
        "",
        "Negotiation (80%, stale after 21d): 1 deal, €8,000.00, weighted €6,400.00",
        "4\tRenewal\tInitech\t8000.00\tEUR\t3 days in stage",
        "",
        "Total: €22,500.50, $3,000.00; weighted forecast: €8,600.20, $1,200.00",
        "Closing in November 2026: 2 deals, €20,000.00",
        "2026-11-25\t4\tRenewal\t€8,000.00",
        "2026-11-30\t1\tWebsite rebuild\t€12,000.00",
    ]


@pytest.mark.parametrize("width", [80, 200])
def test_the_board_on_a_terminal_keeps_every_deal_at_any_width(cli, sales, width):
    result = cli("pipeline", terminal=True, width=width)
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert max(len(line) for line in lines) <= width
    for title in ("Website rebuild", "Support plan", "US pilot", "Renewal"):
        assert title in result.stdout
    assert "Won already" not in result.stdout
    assert "STALE: idle 20d" in result.stdout
    side_by_side = [line for line in lines if all(stage in line for stage in STAGES)]
    assert len(side_by_side) == (1 if width == 200 else 0)
    assert "Closing in November 2026: 2 deals, €20,000.00" in result.stdout


def test_json_gives_the_same_data_with_money_in_minor_units(cli, sales):
    result = cli("pipeline", "--json")
    assert result.exit_code == 0, result.stderr
    board = json.loads(result.stdout)
    assert list(board) == [
        "pipeline",
        "now",
        "filters",
        "columns",
        "count",
        "stale_count",
        "totals",
        "closing",
        "cards_limit",
        "unfiltered_count",
        "pipeline_is_default",
    ]
    assert board["pipeline"] == {"kind": "pipeline", "id": 1, "name": "Sales"}
    assert [column["stage"]["name"] for column in board["columns"]] == list(STAGES)
    demo = board["columns"][2]
    assert demo["totals"] == [
        {"currency": "EUR", "exponent": 2, "count": 1, "value": 250_050, "weighted": 100_020},
        {"currency": "USD", "exponent": 2, "count": 1, "value": 300_000, "weighted": 120_000},
    ]
    pilot = demo["cards"][0]
    assert {key: pilot[key] for key in ("id", "title", "value", "currency", "stale")} == {
        "id": 3,
        "title": "US pilot",
        "value": 300_000,
        "currency": "USD",
        "stale": False,
    }
    assert pilot["next_step"]["at"] == "2026-11-24T10:00:00Z"
    assert board["closing"]["month"] == "2026-11"
    assert [deal["title"] for deal in board["closing"]["deals"]] == ["Renewal", "Website rebuild"]


def test_a_pipeline_is_named_in_full_by_a_prefix_or_through_show(cli, sales, db_path):
    db = open_file(db_path)
    add_pipeline(db, "Partners", [("Intro", 20, None), ("Signed", 90, None)])
    add_deal(db, "Reseller deal", stage="Intro", pipeline_name="Partners", value=100)
    db.conn.commit()
    db.close()
    for args in (["Partners"], ["part"], ["show", "PARTNERS"]):
        result = cli("pipeline", *args)
        assert result.exit_code == 0, result.stderr
        assert result.stdout.splitlines()[0] == "Partners: 1 deal open"
        assert "Reseller deal" in result.stdout
    assert cli("pipeline", "show").stdout.splitlines()[0] == "Sales: 4 deals open, 1 stale"


def test_an_unknown_pipeline_lists_the_valid_names(cli, sales, db_path):
    before = dump(db_path)
    result = cli("pipeline", "Nope")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == 'pcrm: error: no pipeline "Nope" (pipelines: Sales)\n'
    assert dump(db_path) == before


def test_filters_narrow_the_board_and_its_totals(cli, sales):
    stale = cli("pipeline", "--stale")
    assert stale.stdout.splitlines()[0] == "Sales: 1 deal open, 1 stale (only --stale)"
    assert "Support plan" in stale.stdout and "US pilot" not in stale.stdout
    assert "Total: €2,500.50; weighted forecast: €1,000.20" in stale.stdout.splitlines()

    tagged = cli("pipeline", "Sales", "--tag", "RENEWAL")
    assert tagged.stdout.splitlines()[0] == "Sales: 1 deal open (only --tag RENEWAL)"
    assert "Renewal" in tagged.stdout and "Website rebuild" not in tagged.stdout

    # --closing takes a WHEN; the board shows deals expected on or before that day.
    closing = cli("pipeline", "--closing", "in 3 days")
    assert closing.stdout.splitlines()[0] == "Sales: 1 deal open (only --closing-before 2026-11-26)"
    assert "Renewal" in closing.stdout

    nothing = cli("pipeline", "--tag", "nobody", "--stale")
    assert nothing.stdout.splitlines() == [
        "Sales: 0 deals open (only --tag nobody --stale)",
        "no open deal in Sales matches --tag nobody --stale",
    ]


def test_a_bad_closing_date_is_an_error(cli, sales):
    result = cli("pipeline", "--closing", "someday")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == (
        'pcrm: error: cannot understand date "someday"'
        ' (try 2024-03-12, tomorrow, fri, +3d, "in 2 weeks")\n'
    )


def test_limit_caps_the_cards_of_each_stage(cli, sales):
    result = cli("pipeline", "--limit", "1")
    lines = result.stdout.splitlines()
    assert "+1 more: pcrm deal list --stage Demo" in lines
    assert "Support plan" not in result.stdout  # the smaller of the two Demo deals
    assert "Support plan" in cli("pipeline", "--limit", "0").stdout


def test_an_empty_pipeline_says_so(cli, db_path):
    open_file(db_path).close()
    result = cli("pipeline")
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        "Sales: 0 deals open",
        "no open deals in Sales (add one: pcrm deal add TITLE --pipeline Sales)",
    ]
    terminal = cli("pipeline", terminal=True, width=80)
    assert "no open deals in Sales" in terminal.stdout


def test_the_board_needs_a_database_and_does_not_create_one(cli, db_path):
    result = cli("pipeline")
    assert result.exit_code == 1
    assert result.stderr.startswith("pcrm: error: no database at")
    assert not db_path.exists()


def test_help_lists_the_sub_commands(cli):
    result = cli("pipeline", "--help")
    assert result.exit_code == 0
    for command in ("show", "list", "add", "rm", "default"):
        assert command in result.stdout
    assert "--stale" in cli("pipeline", "Sales", "--help").stdout


# -- managing pipelines ------------------------------------------------------------------


def test_add_list_and_make_default(cli, db_path):
    assert cli("pipeline", "add", "Partners", "--stage", "Intro", "--stage", "Signed").stdout == (
        "added pipeline Partners: Intro 33%, Signed 67%\n"
    )
    copied = cli("pipeline", "add", "Hiring")
    assert copied.stdout == (
        "added pipeline Hiring: Qualified 10%, Contact made 20%, Demo 40%, Proposal 60%,"
        " Negotiation 80%\n"
    )
    listed = cli("pipeline", "list")
    assert listed.stdout.splitlines() == [
        "Sales\tdefault\t0\tQualified 10%, Contact made 20%, Demo 40%, Proposal 60%,"
        " Negotiation 80%",
        "Hiring\t\t0\tQualified 10%, Contact made 20%, Demo 40%, Proposal 60%, Negotiation 80%",
        "Partners\t\t0\tIntro 33%, Signed 67%",
    ]
    assert [p["name"] for p in json.loads(cli("pipeline", "list", "--json").stdout)] == [
        "Sales",
        "Hiring",
        "Partners",
    ]
    assert cli("pipeline", "default", "part").stdout == "default pipeline is now Partners\n"
    assert cli("pipeline").stdout.splitlines()[0] == "Partners: 0 deals open"
    terminal = cli("pipeline", "list", terminal=True, width=80)
    assert "Partners (default)" in terminal.stdout


def test_adding_a_pipeline_twice_changes_nothing(cli, db_path):
    cli("pipeline", "add", "Partners")
    before = dump(db_path)
    result = cli("pipeline", "add", "partners")
    assert result.exit_code == 1
    assert result.stderr.startswith('pcrm: error: there is already a pipeline "Partners"')
    assert dump(db_path) == before


def test_rm_asks_for_yes_and_moves_deals_with_to(cli, sales, db_path):
    db = open_file(db_path)
    add_pipeline(db, "Partners", [("Intro", 20, None), ("Signed", 90, None)])
    add_deal(db, "Reseller deal", stage="Signed", pipeline_name="Partners", value=100)
    db.conn.commit()
    db.close()
    before = dump(db_path)

    refused = cli("pipeline", "rm", "Partners")
    assert refused.exit_code == 1
    assert refused.stderr == (
        "pcrm: error: not removing pipeline Partners without confirmation (add --yes)\n"
    )
    holding = cli("pipeline", "rm", "Partners", "--yes")
    assert holding.exit_code == 1
    assert "pipeline Partners holds 1 deal" in holding.stderr
    assert cli("pipeline", "rm", "Sales", "--yes").exit_code == 1  # the default
    assert dump(db_path) == before

    moved = cli("pipeline", "rm", "Partners", "--to", "Sales", "--yes")
    assert moved.exit_code == 0, moved.stderr
    assert moved.stdout == "removed pipeline Partners; its deals moved to Sales\n"
    board = cli("pipeline").stdout
    assert "Reseller deal" in board  # Signed was stage 2: it lands in Contact made
    assert "Contact made (20%, stale after 21d): 1 deal" in board
    assert [line.split("\t")[0] for line in cli("pipeline", "list").stdout.splitlines()] == [
        "Sales"
    ]


# -- the demo ------------------------------------------------------------------------------


def test_the_demo_fills_every_stage_with_a_recorded_history(cli, tmp_path):
    path = tmp_path / "demo.db"
    assert cli("demo", str(path), "--quiet").exit_code == 0
    board = json.loads(cli("--db", str(path), "pipeline", "--json").stdout)
    assert [column["count"] for column in board["columns"]] == [2, 2, 2, 2, 2]
    assert board["stale_count"] == 2
    assert board["closing"]["count"] == 2
    # Next steps: 3 planned interactions and 5 follow-ups on deals (demo_tasks.py), one of
    # them on a deal that also has a planned interaction.
    assert sum(card["next_step"] is not None for c in board["columns"] for card in c["cards"]) == 7
    conn = sqlite3.connect(path)
    try:
        statuses = conn.execute("SELECT status, count(*) FROM deals GROUP BY status").fetchall()
        history = conn.execute("SELECT count(*) FROM deal_history").fetchone()[0]
    finally:
        conn.close()
    assert statuses == [("lost", 2), ("open", 10), ("won", 1)]
    # One history row per step of each deal's story: added, each move, won or lost.
    assert history == sum(len(deal.steps) for deal in DEALS)


def test_the_boards_captured_in_the_docs_are_current(cli, tmp_path):
    path = tmp_path / "demo.db"
    assert cli("demo", str(path), "--quiet").exit_code == 0
    captures = CAPTURE.findall(DOC.read_text(encoding="utf-8"))
    assert [width for width, _ in captures] == ["100", "80"]
    for width, text in captures:
        shown = cli("--db", str(path), "pipeline", terminal=True, width=int(width)).stdout
        expected = "".join(line.rstrip() + "\n" for line in shown.splitlines())
        assert text == expected, (
            f"docs/pipeline.md: the board at {width} columns is out of date; it is now:\n"
            + expected
        )


def test_deals_made_moved_and_logged_through_the_cli_show_on_the_board(cli, db_path):
    weeks_ago = NOW - timedelta(days=20)
    assert cli("contact", "add", "Ada Lovelace", "--company", "Acme", now=weeks_ago).exit_code == 0
    added = cli("deal", "add", "Big rollout", "--value", "12k", "--contact", "ada", now=weeks_ago)
    assert added.exit_code == 0, added.stderr
    assert cli("deal", "move", "big", "demo", now=weeks_ago).exit_code == 0

    def card() -> str:
        return next(line for line in cli("pipeline").stdout.splitlines() if "Big rollout" in line)

    assert card() == "1\tBig rollout\tAcme\t12000.00\tEUR\t20 days in stage\t\tSTALE idle 20 days"
    # A planned call is the next step, but not activity: the deal stays stale.
    planned = cli("log", "ada", "Call about the seats", "--deal", "big", "--at", "tomorrow 9:00")
    assert planned.exit_code == 0, planned.stderr
    assert card() == (
        "1\tBig rollout\tAcme\t12000.00\tEUR\t20 days in stage"
        "\tnext 2026-11-24T09:00:00Z note: Call about the seats\tSTALE idle 20 days"
    )
    # Something that happened is activity: no longer stale, still 20 days in the stage.
    assert cli("log", "ada", "Demo went well", "--deal", "big", "--kind", "demo").exit_code == 0
    assert card() == (
        "1\tBig rollout\tAcme\t12000.00\tEUR\t20 days in stage"
        "\tnext 2026-11-24T09:00:00Z note: Call about the seats"
    )
    assert cli("deal", "move", "big", "proposal").exit_code == 0
    assert "Proposal (60%, stale after 14d): 1 deal, €12,000.00, weighted €7,200.00" in (
        cli("pipeline").stdout.splitlines()
    )
    assert cli("deal", "won", "big").exit_code == 0
    assert cli("pipeline").stdout.splitlines()[0] == "Sales: 0 deals open"
