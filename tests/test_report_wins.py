"""`pcrm report wins` on a history made through the deal commands at known times: counts,
rates by count and by value per currency, average won deal, median cycle, lost reasons,
re-opened deals, the three groupings and the period's bounds."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from conftest import NOW, dump, runner_for
from pcrm.cli.report import By
from pcrm.core.reports.wins import BY
from pcrm.dates import to_iso

HEADER = (
    "{by}\twon\tlost\twin rate\twon value\tlost value\tvalue win rate\tavg won\tmedian cycle days"
)


def at(day: str) -> datetime:
    """10:00 UTC on a day of 2026 ("10-11")."""
    return datetime.fromisoformat(f"2026-{day}T10:00:00").replace(tzinfo=UTC)


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """Seven deals, made once for the module; six closed for good, one won then reopened.

    Alpha  EUR 1000 referral vip      created 09-01, won 10-11 (40 days)
    Beta   EUR  500 web      vip      created 10-01, lost 10-20 "Price"
    Gamma  USD  300 referral          created 10-05, won 10-15, reopened 10-16, won 11-02
    Delta  EUR  200 web      vip,big  created 10-10, lost 11-05 "price"
    Echo   EUR  100                   created 10-12, won 10-30, reopened 11-10 (open)
    Kilo   JPY 5000                   created 11-01, lost 11-20 "Timing"
    Hotel  EUR  700 referral          created 11-03, won 11-13 (10 days)
    """
    path = tmp_path_factory.mktemp("wins") / "history.db"

    run_at = runner_for(path)

    def run(*args: str, day: str) -> None:
        run_at(*args, now=at(day))

    run("deal", "add", "Alpha", "--value", "1000", "--source", "referral", "-t", "vip", day="09-01")
    run("deal", "add", "Beta", "--value", "500", "--source", "web", "-t", "vip", day="10-01")
    run(
        "deal",
        "add",
        "Gamma",
        "--value",
        "300",
        "--currency",
        "USD",
        "--source",
        "referral",
        day="10-05",
    )
    run("deal", "add", "Delta", "--value", "200", "--source", "web", "-t", "vip,big", day="10-10")
    run("deal", "add", "Echo", "--value", "100", day="10-12")
    run("deal", "add", "Kilo", "--value", "5000", "--currency", "JPY", day="11-01")
    run("deal", "add", "Hotel", "--value", "700", "--source", "referral", day="11-03")
    run("deal", "won", "Alpha", day="10-11")
    run("deal", "won", "Gamma", day="10-15")
    run("deal", "reopen", "Gamma", day="10-16")
    run("deal", "lost", "Beta", "--reason", "Price", day="10-20")
    run("deal", "won", "Echo", day="10-30")
    run("deal", "won", "Gamma", day="11-02")
    run("deal", "lost", "Delta", "--reason", "price", day="11-05")
    run("deal", "reopen", "Echo", day="11-10")
    run("deal", "won", "Hotel", day="11-13")
    run("deal", "lost", "Kilo", "--reason", "Timing", day="11-20")

    return path


@pytest.fixture
def history(built: Path, db_path: Path) -> None:
    db_path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(built, db_path)


ALL = (
    "All\t3\t3\t50.0%\t1700.00 EUR, 0 JPY, 300.00 USD\t700.00 EUR, 5000 JPY, 0.00 USD"
    "\t70.8% EUR, 0.0% JPY, 100.0% USD\t850.00 EUR, 300.00 USD\t28.0"
)
REASONS = ["", "lost reason\tdeals", "Price\t2", "Timing\t1"]


def lines(cli, *args: str) -> list[str]:
    result = cli("report", "wins", *args)
    assert result.exit_code == 0, result.stderr
    return result.stdout.splitlines()


def test_by_month_counts_each_deal_once_with_its_last_outcome(cli, history):
    # Gamma counts as one win in November (its last win), not also in October; Echo was
    # won then reopened, so it counts nowhere. Cycle: Alpha 40, Gamma 28 (10-05 to its
    # last win), Hotel 10 days.
    assert lines(cli) == [
        "Wins and losses: 3 won, 3 lost",
        HEADER.format(by="month"),
        "2026-10\t1\t1\t50.0%\t1000.00 EUR\t500.00 EUR\t66.7% EUR\t1000.00 EUR\t40.0",
        "2026-11\t2\t2\t50.0%\t700.00 EUR, 0 JPY, 300.00 USD\t200.00 EUR, 5000 JPY, 0.00 USD"
        "\t77.8% EUR, 0.0% JPY, 100.0% USD\t700.00 EUR, 300.00 USD\t19.0",
        ALL,
        *REASONS,
    ]


def test_by_source_with_deals_without_one_last(cli, history):
    assert lines(cli, "--by", "source") == [
        "Wins and losses: 3 won, 3 lost",
        HEADER.format(by="source"),
        "referral\t3\t0\t100.0%\t1700.00 EUR, 300.00 USD\t0.00 EUR, 0.00 USD"
        "\t100.0% EUR, 100.0% USD\t850.00 EUR, 300.00 USD\t28.0",
        "web\t0\t2\t0.0%\t0.00 EUR\t700.00 EUR\t0.0% EUR\t\t–",
        "(no source)\t0\t1\t0.0%\t0 JPY\t5000 JPY\t0.0% JPY\t\t–",
        ALL,
        *REASONS,
    ]


def test_by_tag_counts_a_deal_under_each_of_its_tags(cli, history):
    # Delta is in both "big" and "vip"; the All line counts it once.
    assert lines(cli, "--by", "tag") == [
        "Wins and losses: 3 won, 3 lost",
        HEADER.format(by="tag"),
        "big\t0\t1\t0.0%\t0.00 EUR\t200.00 EUR\t0.0% EUR\t\t–",
        "vip\t1\t2\t33.3%\t1000.00 EUR\t700.00 EUR\t58.8% EUR\t1000.00 EUR\t40.0",
        "(no tag)\t2\t1\t66.7%\t700.00 EUR, 0 JPY, 300.00 USD\t0.00 EUR, 5000 JPY, 0.00 USD"
        "\t100.0% EUR, 0.0% JPY, 100.0% USD\t700.00 EUR, 300.00 USD\t19.0",
        ALL,
        *REASONS,
    ]


def test_period_is_on_the_last_close_and_includes_the_until_day(cli, history):
    # Gamma's first win (10-15) is not in October: it was reopened and won again later.
    assert lines(cli, "--until", "2026-10-31")[:3] == [
        "Wins and losses: 1 won, 1 lost, closed until 2026-10-31",
        HEADER.format(by="month"),
        "2026-10\t1\t1\t50.0%\t1000.00 EUR\t500.00 EUR\t66.7% EUR\t1000.00 EUR\t40.0",
    ]
    # A day for --until takes the whole day: Hotel, won 11-13 10:00, is in.
    november = lines(cli, "--since", "2026-11-01", "--until", "2026-11-13")
    assert november[0] == "Wins and losses: 2 won, 1 lost, closed 2026-11-01 to 2026-11-13"
    # With a time the end is excluded: Hotel at exactly 10:00 is out.
    before = lines(cli, "--since", "2026-11-01", "--until", "2026-11-13 10:00")
    assert before[0] == ("Wins and losses: 1 won, 1 lost, closed 2026-11-01 up to 2026-11-13 10:00")
    # And a start with a time is included: Hotel is in from exactly 10:00.
    since = lines(cli, "--since", "2026-11-13 10:00")
    assert since[0] == "Wins and losses: 1 won, 1 lost, closed since 2026-11-13 10:00"


def test_json(cli, history):
    result = cli("report", "wins", "--json", "--by", "source")
    data = json.loads(result.stdout)
    assert data["by"] == "source"
    assert [group["key"] for group in data["groups"]] == ["referral", "web", None]
    total = data["total"]
    assert total["key"] == "all" and total["won"] == 3 and total["lost"] == 3
    assert total["win_rate"] == 0.5 and total["median_cycle_days"] == 28.0
    assert total["currencies"][0] == {
        "currency": "EUR",
        "exponent": 2,
        "won": 2,
        "won_value": 170_000,
        "lost": 2,
        "lost_value": 70_000,
        "value_win_rate": 0.7083,
        "average_won": 85_000,
    }
    assert total["currencies"][1]["average_won"] is None  # JPY: nothing won
    assert data["groups"][1]["median_cycle_days"] is None
    assert data["lost_reasons"] == [
        {"reason": "Price", "count": 2},
        {"reason": "Timing", "count": 1},
    ]


def test_empty_database(cli):
    assert cli("config", "set", "currency", "EUR").exit_code == 0  # creates the file
    assert lines(cli) == [
        "Wins and losses: 0 won, 0 lost",
        HEADER.format(by="month"),
        "All\t0\t0\t–\t\t\t\t\t–",
        "",
        "lost reason\tdeals",
    ]
    result = cli("report", "wins", terminal=True, width=80)
    assert [line.rstrip() for line in result.stdout.splitlines()] == [
        "Wins and losses: 0 won, 0 lost",
        "",
        "No deal was won or lost in this period.",
    ]


def test_single_won_deal_and_average_rounds_half_up(cli):
    assert cli("deal", "add", "Solo", "--value", "0.05", now=at("11-01")).exit_code == 0
    assert cli("deal", "add", "Duo", "--value", "0.10", now=at("11-01")).exit_code == 0
    assert cli("deal", "won", "Solo", now=at("11-04")).exit_code == 0
    assert lines(cli)[2:] == [
        "2026-11\t1\t0\t100.0%\t0.05 EUR\t0.00 EUR\t100.0% EUR\t0.05 EUR\t3.0",
        "All\t1\t0\t100.0%\t0.05 EUR\t0.00 EUR\t100.0% EUR\t0.05 EUR\t3.0",
        "",
        "lost reason\tdeals",
    ]
    assert cli("deal", "won", "Duo", now=at("11-05")).exit_code == 0
    # (5 + 10) / 2 = 7.5 cents -> 8; the median of 3 and 4 days is 3.5.
    assert lines(cli)[2] == ("2026-11\t2\t0\t100.0%\t0.15 EUR\t0.00 EUR\t100.0% EUR\t0.08 EUR\t3.5")


def test_zero_value_deals_give_a_dash_for_the_value_rate(cli):
    assert cli("deal", "add", "Free", now=at("11-01")).exit_code == 0
    assert cli("deal", "lost", "Free", "--reason", "No budget", now=at("11-02")).exit_code == 0
    assert lines(cli)[2] == "2026-11\t0\t1\t0.0%\t0.00 EUR\t0.00 EUR\t– EUR\t\t–"


def test_terminal(cli, history):
    result = cli("report", "wins", terminal=True, width=80)
    assert [line.rstrip() for line in result.stdout.splitlines()] == [
        "Wins and losses: 3 won, 3 lost",
        "",
        "Month    Won  Lost  Win %  Median cycle days",
        "2026-10    1     1  50.0%               40.0",
        "2026-11    2     2  50.0%               19.0",
        "All        3     3  50.0%               28.0",
        "",
        "Month    Won value  Lost value  Value win %  Avg won deal",
        "2026-10  €1,000.00  €500.00           66.7%  €1,000.00",
        "2026-11    €700.00  €200.00           77.8%    €700.00",
        "                ¥0   ¥5,000            0.0%          –",
        "           $300.00    $0.00          100.0%    $300.00",
        "All      €1,700.00  €700.00           70.8%    €850.00",
        "                ¥0   ¥5,000            0.0%          –",
        "           $300.00    $0.00          100.0%    $300.00",
        "",
        "Lost reason  Deals",
        "Price            2",
        "Timing           1",
    ]


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (("--since", "someday"), 1, 'pcrm: error: cannot understand date "someday"'),
        (
            ("--since", "2026-11-02", "--until", "2026-11-01"),
            1,
            "pcrm: error: --since must come before --until",
        ),
    ],
)
def test_bad_input(cli, history, db_path, args, code, message):
    before = dump(db_path)
    result = cli("report", "wins", *args)
    assert result.exit_code == code
    assert result.stderr.startswith(message) and len(result.stderr.splitlines()) == 1
    assert result.stdout == ""
    assert dump(db_path) == before


def test_unknown_grouping_is_a_usage_error(cli, history):
    result = cli("report", "wins", "--by", "colour")
    assert result.exit_code == 2
    assert "'colour' is not one of 'month', 'source', 'tag'" in result.stderr


def test_cli_groupings_match_core():
    assert By.__args__ == BY


def test_untrusted_text_is_shown_not_run(cli, db_path):
    from deal_rows import add_deal, open_file

    db = open_file(db_path)
    deal = add_deal(db, "Odd", value=100, status="lost", tags=["[red]vip\x1b[2J"])
    db.execute(
        "UPDATE deals SET closed_at = '2026-11-20T10:00:00Z', lost_reason = ? WHERE id = ?",
        ["[bold]cheaper\x1b]8;;http://x\x07", deal],
    )
    db.conn.commit()
    db.close()
    for terminal in (False, True):
        out = cli("report", "wins", "--by", "tag", terminal=terminal, width=120).stdout
        assert "\x1b" not in out and "\x07" not in out
        assert "[red]vip\\x1b[2J" in out
        assert "[bold]cheaper\\x1b]8;;http://x\\x07" in out


def test_close_months_are_local_months_either_side_of_midnight(cli, db_path, monkeypatch):
    # Berlin is UTC+2 on 31 March 2026 (summer time began on the 29th) and UTC+1 on 31
    # October (it ended on the 25th): each deal lands in its local month, and the second
    # November deal shares the month that the first one's conversion found.
    from deal_rows import add_deal, open_file

    db = open_file(db_path)
    for title, closed in [
        ("March", "2026-03-31T21:59:59Z"),
        ("April", "2026-03-31T22:00:00Z"),
        ("October", "2026-10-31T22:59:59Z"),
        ("November", "2026-10-31T23:00:00Z"),
        ("November too", "2026-11-01T00:00:00Z"),
    ]:
        deal = add_deal(db, title, value=100, status="won")
        db.execute("UPDATE deals SET closed_at = ? WHERE id = ?", [closed, deal])
    db.conn.commit()
    db.close()
    monkeypatch.setenv("TZ", "Europe/Berlin")
    rows = [line.split("\t")[:3] for line in lines(cli)[2:6]]
    assert rows == [
        ["2026-03", "1", "0"],
        ["2026-04", "1", "0"],
        ["2026-10", "1", "0"],
        ["2026-11", "2", "0"],
    ]


def test_cycle_counts_whole_days_a_second_either_side(cli, db_path):
    # Days from creation to the win, whole days as timedelta.days counts them: a second
    # short of ten days is nine. SQL computes them from epoch seconds.
    from deal_rows import add_deal, open_file

    db = open_file(db_path)
    for title, age in [("Short", timedelta(days=10, seconds=-1)), ("Exact", timedelta(days=10))]:
        deal = add_deal(db, title, value=100, status="won", entered=NOW - age)
        db.execute("UPDATE deals SET closed_at = ? WHERE id = ?", [to_iso(NOW), deal])
    db.conn.commit()
    db.close()
    total = next(line for line in lines(cli) if line.startswith("All\t"))
    assert total.split("\t")[-1] == "9.5"  # the median of 9 and 10
