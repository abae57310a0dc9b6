"""Properties of the pipeline and wins reports over random deals: partitions add up to the
totals per currency (never across), weighted values never exceed values, and a grouping by
tag never counts fewer deals than All says exist in any one tag."""

from __future__ import annotations

import tempfile
from datetime import timedelta
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import NOW
from deal_rows import add_deal, open_file
from pcrm.core.reports.period import EVER
from pcrm.core.reports.pipeline import pipeline_report
from pcrm.core.reports.wins import wins_report

STAGES = ("Qualified", "Contact made", "Demo", "Proposal", "Negotiation")

deal = st.fixed_dictionaries(
    {
        "stage": st.sampled_from(STAGES),
        "value": st.integers(0, 10**9),
        "currency": st.sampled_from(("EUR", "USD", "JPY")),
        "status": st.sampled_from(("open", "won", "lost")),
        "close": st.one_of(st.none(), st.integers(-60, 400)),
        "age": st.integers(0, 900),
        "closed_ago": st.integers(0, 400),
        "tags": st.lists(st.sampled_from(("vip", "big", "eu")), max_size=2, unique=True),
    }
)


def build(deals: list[dict], folder: str):
    db = open_file(Path(folder) / "p.db")
    for index, d in enumerate(deals):
        close = (
            (NOW.date() + timedelta(days=d["close"])).isoformat()
            if d["close"] is not None
            else None
        )
        deal_id = add_deal(
            db,
            f"deal {index}",
            stage=d["stage"],
            value=d["value"],
            currency=d["currency"],
            entered=NOW - timedelta(days=d["age"]),
            close=close,
            tags=d["tags"],
            status=d["status"],
        )
        if d["status"] != "open":
            closed = NOW - timedelta(days=min(d["closed_ago"], d["age"]))
            db.execute(
                "INSERT INTO deal_history(deal_id, at, to_stage, to_status) VALUES (?, ?, ?, ?)",
                [deal_id, closed.strftime("%Y-%m-%dT%H:%M:%SZ"), d["stage"], d["status"]],
            )
    return db


def per_currency(totals, field: str) -> dict[str, int]:
    out: dict[str, int] = {}
    for total in totals:
        out[total.currency] = out.get(total.currency, 0) + getattr(total, field)
    return out


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(deal, max_size=12))
def test_pipeline_parts_add_up_per_currency(deals):
    with tempfile.TemporaryDirectory() as folder:
        check_pipeline(build(deals, folder), deals)


def check_pipeline(db, deals: list[dict]) -> None:
    report = pipeline_report(db, NOW, EVER)
    open_deals = [d for d in deals if d["status"] == "open"]
    assert report.count == len(open_deals)
    expected: dict[str, int] = {}
    for d in open_deals:
        expected[d["currency"]] = expected.get(d["currency"], 0) + d["value"]
    assert per_currency(report.totals, "value") == expected
    stages = [row for p in report.pipelines for row in p.stages]
    assert sum(row.count for row in stages) == report.count
    assert per_currency([t for row in stages for t in row.totals], "weighted") == per_currency(
        report.totals, "weighted"
    )
    assert sum(month.count for month in report.forecast) == report.count
    months = [t for month in report.forecast for t in month.totals]
    assert per_currency(months, "value") == expected
    assert all(t.weighted <= t.value for t in report.totals + months)
    db.close()


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(deal, max_size=12))
def test_wins_groupings_partition_or_cover_the_total(deals):
    with tempfile.TemporaryDirectory() as folder:
        check_wins(build(deals, folder), deals)


def check_wins(db, deals: list[dict]) -> None:
    total = None
    for by in ("month", "source", "tag"):
        report = wins_report(db, NOW, EVER, by)
        total = report.total
        assert total.won == sum(d["status"] == "won" for d in deals)
        assert total.lost == sum(d["status"] == "lost" for d in deals)
        if by == "tag":
            # A deal counts in each of its tags: no group exceeds All, none is missed.
            assert all(g.won <= total.won and g.lost <= total.lost for g in report.groups)
            assert sum(g.won + g.lost for g in report.groups) >= total.won + total.lost
            continue
        assert sum(g.won for g in report.groups) == total.won
        assert sum(g.lost for g in report.groups) == total.lost
        for field in ("won_value", "lost_value"):
            parts: dict[str, int] = {}
            for group in report.groups:
                for c in group.currencies:
                    parts[c.currency] = parts.get(c.currency, 0) + getattr(c, field)
            assert parts == {c.currency: getattr(c, field) for c in total.currencies}
    assert total is not None
    for c in total.currencies:
        if c.value_win_rate is not None:
            assert 0 <= c.value_win_rate <= 1
    db.close()
