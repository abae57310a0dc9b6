"""`pcrm report pipeline` on deals written with exact times and values: per-stage and
per-pipeline figures per currency, weighting, age, staleness, the forecast by close month,
the period on close days, and errors."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlite_utils import Database

from conftest import NOW, dump
from deal_rows import add_deal, add_pipeline, open_file

HEADER = "pipeline\tstage\twin %\tdeals\tavg age days\tstale\tvalue\tweighted"
FORECAST = "expected close\tdeals\tvalue\tweighted"


@pytest.fixture
def db(db_path) -> Iterator[Database]:
    database = open_file(db_path)
    yield database
    database.close()


def seed(db: Database) -> None:
    """Five open deals in three currencies, one stale, one without a close date, one won."""
    day = timedelta(days=1)
    add_deal(db, "A", value=1004, entered=NOW - 3 * day, close="2026-12-01")
    add_deal(db, "B", value=1004, entered=NOW - 5 * day, close="2026-12-31")
    # Idle 40 days in Qualified (rots after 30): stale.
    add_deal(db, "C", value=1005, currency="USD", entered=NOW - 10 * day, idle=40 * day)
    add_deal(db, "D", stage="Proposal", value=99_999, entered=NOW - 2 * day, close="2026-11-30")
    add_deal(db, "E", stage="Proposal", value=50_000, status="won", close="2026-11-01")
    add_deal(
        db, "F", stage="Negotiation", value=5, currency="JPY", entered=NOW - day, close="2027-01-01"
    )
    db.conn.commit()


def test_empty_database_shows_every_stage_with_dashes(cli, db):
    db.conn.commit()
    result = cli("report", "pipeline")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == [
        "Open pipeline: 0 deals, 0 stale",
        HEADER,
        "Sales\tQualified\t10\t0\t–\t0\t\t",
        "Sales\tContact made\t20\t0\t–\t0\t\t",
        "Sales\tDemo\t40\t0\t–\t0\t\t",
        "Sales\tProposal\t60\t0\t–\t0\t\t",
        "Sales\tNegotiation\t80\t0\t–\t0\t\t",
        "Sales\tTotal\t\t0\t–\t0\t\t",
        "",
        FORECAST,
    ]


def test_missing_database_is_an_error_and_not_created(cli, db_path):
    result = cli("report", "pipeline")
    assert result.exit_code == 1
    assert result.stderr.startswith("pcrm: error: no database at ")
    assert not db_path.exists()


def test_single_deal(cli, db):
    add_deal(
        db, "Solo", stage="Demo", value=12_345, entered=NOW - timedelta(days=4), close="2026-12-24"
    )
    db.conn.commit()
    lines = cli("report", "pipeline").stdout.splitlines()
    assert lines[0] == "Open pipeline: 1 deal, 0 stale"
    assert lines[4] == "Sales\tDemo\t40\t1\t4.0\t0\t123.45 EUR\t49.38 EUR"
    assert lines[7] == "Sales\tTotal\t\t1\t4.0\t0\t123.45 EUR\t49.38 EUR"
    assert lines[9:] == [FORECAST, "2026-12\t1\t123.45 EUR\t49.38 EUR"]


def test_age_counts_whole_days_a_second_either_side(cli, db):
    # Ages are whole days, as timedelta.days counts them: a second short of three days is
    # two. SQL computes them from epoch seconds; this pins the boundary.
    second = timedelta(seconds=1)
    add_deal(db, "Short", stage="Demo", entered=NOW - timedelta(days=3) + second)
    add_deal(db, "Exact", stage="Demo", entered=NOW - timedelta(days=3))
    add_deal(db, "Over", stage="Demo", entered=NOW - timedelta(days=3) - second)
    add_deal(db, "Future", stage="Demo", entered=NOW + second)  # a clock set back: age 0
    db.conn.commit()
    lines = cli("report", "pipeline").stdout.splitlines()
    assert lines[4] == "Sales\tDemo\t40\t4\t2.0\t0\t0.00 EUR\t0.00 EUR"  # (2+3+3+0)/4


def test_figures_per_stage_and_currency_never_added_across(cli, db):
    seed(db)
    result = cli("report", "pipeline")
    assert result.stdout.splitlines() == [
        "Open pipeline: 5 deals, 1 stale",
        HEADER,
        # EUR 20.08 × 10 % = 2.008 -> 2.01 (weighted once on the sum); USD 1.005 -> 1.01.
        "Sales\tQualified\t10\t3\t6.0\t1\t20.08 EUR, 10.05 USD\t2.01 EUR, 1.01 USD",
        "Sales\tContact made\t20\t0\t–\t0\t\t",
        "Sales\tDemo\t40\t0\t–\t0\t\t",
        "Sales\tProposal\t60\t1\t2.0\t0\t999.99 EUR\t599.99 EUR",
        "Sales\tNegotiation\t80\t1\t1.0\t0\t5 JPY\t4 JPY",
        "Sales\tTotal\t\t5\t4.2\t1\t1020.07 EUR, 5 JPY, 10.05 USD\t602.00 EUR, 4 JPY, 1.01 USD",
        "",
        FORECAST,
        "2026-11\t1\t999.99 EUR\t599.99 EUR",
        "2026-12\t2\t20.08 EUR\t2.01 EUR",
        "2027-01\t1\t5 JPY\t4 JPY",
        "no close date\t1\t10.05 USD\t1.01 USD",
    ]


def test_json_keeps_minor_units_and_currencies_apart(cli, db):
    seed(db)
    data = json.loads(cli("report", "pipeline", "--json").stdout)
    assert data["count"] == 5 and data["stale"] == 1 and data["undated_left_out"] == 0
    assert data["period"] == {"start": None, "end": None}
    assert data["totals"] == [
        {"currency": "EUR", "exponent": 2, "count": 3, "value": 102_007, "weighted": 60_200},
        {"currency": "JPY", "exponent": 0, "count": 1, "value": 5, "weighted": 4},
        {"currency": "USD", "exponent": 2, "count": 1, "value": 1005, "weighted": 101},
    ]
    qualified = data["pipelines"][0]["stages"][0]
    assert qualified["stage"] == "Qualified" and qualified["average_age_days"] == 6.0
    assert data["pipelines"][0]["stages"][1]["average_age_days"] is None
    assert [m["month"] for m in data["forecast"]] == ["2026-11", "2026-12", "2027-01", None]


def test_period_keeps_deals_closing_in_it_both_days_included(cli, db):
    seed(db)
    result = cli("report", "pipeline", "--since", "2026-12-01", "--until", "2026-12-31")
    lines = result.stdout.splitlines()
    assert lines[:3] == [
        "Open pipeline: 2 deals, 0 stale, closing 2026-12-01 to 2026-12-31",
        "1 open deal without a close date left out",
        HEADER,
    ]
    assert lines[-2:] == [FORECAST, "2026-12\t2\t20.08 EUR\t2.01 EUR"]


def test_until_alone_and_since_alone(cli, db):
    seed(db)
    until = cli("report", "pipeline", "--until", "2026-11-30").stdout.splitlines()
    assert until[0] == "Open pipeline: 1 deal, 0 stale, closing until 2026-11-30"
    assert until[-1] == "2026-11\t1\t999.99 EUR\t599.99 EUR"
    since = cli("report", "pipeline", "--since", "2027-01-01").stdout.splitlines()
    assert since[0] == "Open pipeline: 1 deal, 0 stale, closing since 2027-01-01"
    assert since[-1] == "2027-01\t1\t5 JPY\t4 JPY"


def test_pipeline_option_and_other_pipelines(cli, db):
    add_pipeline(db, "Partners", [("Intro", 50, None)])
    add_deal(
        db,
        "P",
        stage="Intro",
        value=1000,
        pipeline_name="Partners",
        entered=NOW - timedelta(days=100),
        idle=timedelta(days=100),
    )
    add_deal(db, "S", value=2000)
    db.conn.commit()
    lines = cli("report", "pipeline", "--pipeline", "partners").stdout.splitlines()
    # A stage without a rotting limit never makes a deal stale.
    assert lines[2:4] == [
        "Partners\tIntro\t50\t1\t100.0\t0\t10.00 EUR\t5.00 EUR",
        "Partners\tTotal\t\t1\t100.0\t0\t10.00 EUR\t5.00 EUR",
    ]
    both = cli("report", "pipeline").stdout.splitlines()
    assert both[0] == "Open pipeline: 2 deals, 0 stale"
    assert "Partners\tTotal\t\t1\t100.0\t0\t10.00 EUR\t5.00 EUR" in both
    assert "Sales\tTotal\t\t1\t3.0\t0\t20.00 EUR\t2.00 EUR" in both


def test_terminal_table(cli, db):
    seed(db)
    result = cli("report", "pipeline", terminal=True, width=80)
    assert [line.rstrip() for line in result.stdout.splitlines()] == [
        "Open pipeline: 5 deals, 1 stale",
        "",
        "Sales         Win %  Deals  Avg age  Stale  Value      Weighted",
        "Qualified       10%      3      6.0      1     €20.08    €2.01",
        "                                               $10.05    $1.01",
        "Contact made    20%      0        –      0          –        –",
        "Demo            40%      0        –      0          –        –",
        "Proposal        60%      1      2.0      0    €999.99  €599.99",
        "Negotiation     80%      1      1.0      0         ¥5       ¥4",
        "Total                    5      4.2      1  €1,020.07  €602.00",
        "                                                   ¥5       ¥4",
        "                                               $10.05    $1.01",
        "",
        "Expected close  Deals  Value    Weighted",
        "2026-11             1  €999.99  €599.99",
        "2026-12             2   €20.08    €2.01",
        "2027-01             1       ¥5       ¥4",
        "no close date       1   $10.05    $1.01",
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--since", "blorp"), 'pcrm: error: cannot understand date "blorp"'),
        (("--until", "2026-02-30"), 'pcrm: error: cannot understand date "2026-02-30"'),
        (
            ("--since", "2026-12-01", "--until", "2026-11-01"),
            "pcrm: error: --since must come before --until",
        ),
        (("--pipeline", "Nope"), "pcrm: error: no pipeline"),
    ],
)
def test_bad_input_is_one_error_line_and_changes_nothing(cli, db, db_path, args, message):
    seed(db)
    before = dump(db_path)
    result = cli("report", "pipeline", *args)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.startswith(message)
    assert len(result.stderr.splitlines()) == 1
    assert dump(db_path) == before


def test_reopened_deal_is_open_again_with_its_age_from_creation(cli):
    created = NOW - timedelta(days=10)
    assert (
        cli("deal", "add", "Back", "--value", "100", "--close", "2026-12-05", now=created).exit_code
        == 0
    )
    assert cli("deal", "won", "Back", now=NOW - timedelta(days=5)).exit_code == 0
    assert cli("report", "pipeline").stdout.splitlines()[0] == "Open pipeline: 0 deals, 0 stale"
    assert cli("deal", "reopen", "Back", now=NOW - timedelta(days=2)).exit_code == 0
    lines = cli("report", "pipeline").stdout.splitlines()
    assert lines[0] == "Open pipeline: 1 deal, 0 stale"
    assert lines[2] == "Sales\tQualified\t10\t1\t10.0\t0\t100.00 EUR\t10.00 EUR"
    assert lines[-1] == "2026-12\t1\t100.00 EUR\t10.00 EUR"
