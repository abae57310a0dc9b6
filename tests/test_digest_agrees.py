"""Every figure the digest shares with a report agrees with that report for the same period:
`pcrm digest --since X --until Y --json` against `pcrm report activity|wins|funnel --since X
--until Y --json`, `pcrm report pipeline --json` (open now) and `pcrm agenda --json` (the
coming week and who is slipping), on the known week of test_digest and on the demo data."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from test_digest import NOW, build

DEMO_NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)  # the day `pcrm demo` is made on


@pytest.fixture(scope="module")
def known(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("agree") / "known.db"
    build(path)
    return path


def read(cli: Any, path: Path, now: datetime, *args: str) -> Any:
    result = cli("--db", str(path), *args, "--json", now=now)
    assert result.exit_code == 0, (args, result.stderr)
    return json.loads(result.stdout)


def check(cli: Any, path: Path, now: datetime, since: str, until: str) -> dict[str, Any]:
    period = ("--since", since, "--until", until)
    digest = read(cli, path, now, "digest", *period)
    activity = read(cli, path, now, "report", "activity", *period)["total"]
    wins = read(cli, path, now, "report", "wins", *period)["total"]
    funnel = read(cli, path, now, "report", "funnel", *period)
    pipeline = read(cli, path, now, "report", "pipeline")
    agenda = read(cli, path, now, "agenda", "--days", "6", "--all")

    it = digest["interactions"]
    assert it["kinds"] == activity["kinds"]
    assert it["total"] == activity["total"] == sum(it["per_day"])
    assert it["contacts"] == activity["contacts"]
    follow_ups = digest["follow_ups"]
    assert (follow_ups["done"], follow_ups["overdue"]) == (
        activity["followups_done"],
        activity["followups_overdue"],
    )

    deals = digest["deals"]
    assert (deals["won"], deals["lost"]) == (wins["won"], wins["lost"])
    assert deals["currencies"] == wins["currencies"]
    out = {
        c["currency"]: (c["won"] + c["lost"], c["won_value"] + c["lost_value"])
        for c in wins["currencies"]
    }
    assert {m["currency"]: (m["count"], m["value"]) for m in deals["pipeline"]["value_out"]} == out
    assert deals["pipeline"]["now"] == pipeline["totals"]
    assert digest["lifecycle"]["entered"] == funnel["cohort"]

    ahead = digest["ahead"]
    assert ahead["first_day"] == agenda["today"]
    assert ahead["planned"] == agenda["planned"]
    assert ahead["follow_ups"] == agenda["due_today"] + agenda["upcoming"]
    assert [s["contact"] for s in digest["slipping"]["contacts"]] == [
        s["contact"] for s in agenda["stay_in_touch"][:10]
    ]
    assert digest["slipping"]["total"] == len(agenda["stay_in_touch"])
    return dict(digest)


@pytest.mark.parametrize(
    ("since", "until"),
    [
        ("2026-11-30", "2026-12-06"),  # the week of test_digest
        ("2026-11-01", "2026-11-30"),
        ("2026-11-20", "2026-12-06"),
        ("2026-12-03 12:00", "2026-12-05 10:00"),  # times: half-open, as the reports read them
    ],
)
def test_the_known_history_agrees_with_the_reports(cli, known, since, until):
    digest = check(cli, known, NOW, since, until)
    assert digest["period"]["span"] == "custom"


def test_the_default_week_is_the_same_as_since_until(cli, known):
    week = read(cli, known, NOW, "digest")
    explicit = read(cli, known, NOW, "digest", "--since", "2026-11-30", "--until", "2026-12-06")
    for key in ("interactions", "lifecycle", "deals", "follow_ups", "slipping", "ahead"):
        assert week[key] == explicit[key], key


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from typer.testing import CliRunner

    from pcrm.cli.env import Env
    from pcrm.cli.main import app

    path = tmp_path_factory.mktemp("agree") / "demo.db"
    result = CliRunner().invoke(
        app,
        ["demo", str(path), "--quiet"],
        obj=Env(clock=lambda: DEMO_NOW, stdout_isatty=False),
        env={"TZ": "UTC"},
    )
    assert result.exit_code == 0, result.output
    return path


@pytest.mark.parametrize("weeks", [1, 2, 8])
def test_the_demo_data_agrees_with_the_reports(cli, demo, weeks):
    last = DEMO_NOW.date() - timedelta(days=DEMO_NOW.weekday() + 1)  # last Sunday
    first = last - timedelta(weeks=weeks) + timedelta(days=1)
    digest = check(cli, demo, DEMO_NOW, first.isoformat(), last.isoformat())
    assert digest["interactions"]["total"] > 0  # the demo is busy enough to compare


@pytest.mark.parametrize(("path", "now"), [("known", NOW), ("demo", DEMO_NOW)])
def test_the_forecast_then_is_the_forecast_now_when_nothing_changed_since(cli, request, path, now):
    # Nothing happened in the last minute: the pipeline rebuilt from the deals' history at
    # the period's start is `report pipeline`'s, deal for deal.
    since = (now - timedelta(minutes=1)).strftime("%Y-%m-%d %H:%M")
    digest = read(cli, request.getfixturevalue(path), now, "digest", "--since", since)
    assert digest["deals"]["pipeline"]["then"] == digest["deals"]["pipeline"]["now"]
