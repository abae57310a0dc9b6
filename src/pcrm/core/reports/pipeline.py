"""`pcrm report pipeline`: what the open deals are worth, per stage, per pipeline and by
the month they are expected to close.

Amounts are never added across currencies: every money figure is a list with one
CurrencyTotal per currency. Weighted value = value × the stage's probability / 100,
rounded half up once per stage and currency (as the board does, so both show the same
numbers); a pipeline's weighted total is the sum of its stages' figures, and a forecast
month's is the sum, over stages, of that month's deals weighted by their stage.
docs/reports.md defines every figure.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from pcrm.core.deals.board import CurrencyTotal, add_up, weighted
from pcrm.core.deals.models import Pipeline, Stage
from pcrm.core.deals.pipelines import list_pipelines
from pcrm.core.reports.period import Period, local_days
from pcrm.dates import to_iso
from pcrm.store.db import Database


@dataclass
class StageFigures:
    stage: str
    probability: int
    rot_days: int | None
    count: int
    average_age_days: float | None  # None when the stage holds no deal
    stale: int
    totals: list[CurrencyTotal]


@dataclass
class PipelineFigures:
    pipeline: str
    stages: list[StageFigures]
    count: int
    average_age_days: float | None
    stale: int
    totals: list[CurrencyTotal]


@dataclass
class ForecastMonth:
    month: str | None  # YYYY-MM of the expected close; None: deals without a close date
    count: int
    totals: list[CurrencyTotal]


@dataclass
class PipelineReport:
    now: str
    period: Period  # on the expected close day; unbounded: every open deal
    pipelines: list[PipelineFigures]
    forecast: list[ForecastMonth]  # by month, oldest first; "no close date" last
    count: int
    stale: int
    totals: list[CurrencyTotal]
    undated_left_out: int  # open deals without a close date, left out because of a period


@dataclass(frozen=True)
class _Group:
    """The open deals of one stage, currency and expected close month, summed by SQL."""

    stage_id: int
    currency: str
    exponent: int
    month: str | None  # YYYY-MM of the expected close; None: no close date
    in_period: bool  # the expected close day falls in the report's period
    count: int
    value: int
    age_days: int  # the sum of the deals' ages, each in whole days
    stale: int


def _totals(groups: list[_Group], probability: int) -> list[CurrencyTotal]:
    """Per currency: count, value, and the value weighted once on the sum."""
    by_code: dict[str, list[_Group]] = defaultdict(list)
    for group in groups:
        by_code[group.currency].append(group)
    out = []
    for code in sorted(by_code):
        mine = by_code[code]
        value = sum(group.value for group in mine)
        count = sum(group.count for group in mine)
        out.append(
            CurrencyTotal(code, mine[0].exponent, count, value, weighted(value, probability))
        )
    return out


def _count(groups: list[_Group]) -> int:
    return sum(group.count for group in groups)


def _average_age(groups: list[_Group]) -> float | None:
    count = _count(groups)
    if not count:
        return None
    return round(sum(group.age_days for group in groups) / count, 1)


def _load(db: Database, now: datetime, stages: dict[int, Stage], period: Period) -> list[_Group]:
    """The open deals in these stages, grouped and summed in SQL: a deal's age is whole
    days since it was created (as timedelta.days counts them: stored times are whole
    seconds), stale when its last activity is older than its stage's rotting limit."""
    if not stages:
        return []
    limits = [
        (stage.id, None if stage.rot_days is None else to_iso(now - timedelta(days=stage.rot_days)))
        for stage in stages.values()
    ]
    first, after = local_days(period)
    bounds, bound_params = ["d.expected_close IS NOT NULL"], []
    if first is not None:
        bounds.append("d.expected_close >= ?")
        bound_params.append(first)
    if after is not None:
        bounds.append("d.expected_close < ?")
        bound_params.append(after)
    rows = db.execute(
        "WITH s(id, stale_before) AS (VALUES " + ", ".join(["(?, ?)"] * len(limits)) + ")"
        " SELECT d.stage_id, d.currency, cur.exponent, substr(d.expected_close, 1, 7),"
        f" {' AND '.join(bounds)}, count(*), sum(d.value),"
        " sum(max(0, (? - strftime('%s', d.created_at)) / 86400)),"
        " sum(CASE WHEN d.last_activity_at < s.stale_before THEN 1 ELSE 0 END)"
        " FROM deals d JOIN s ON s.id = d.stage_id JOIN currencies cur ON cur.code = d.currency"
        " WHERE d.status = 'open' GROUP BY 1, 2, 4, 5",
        [*(value for limit in limits for value in limit), *bound_params, int(now.timestamp())],
    )
    return [
        _Group(stage, code, exponent, month, bool(inside), count, value, age, stale)
        for stage, code, exponent, month, inside, count, value, age, stale in rows
    ]


def pipeline_report(
    db: Database, now: datetime, period: Period, pipeline: Pipeline | None = None
) -> PipelineReport:
    """The open deals of every pipeline (or of `pipeline`) whose expected close falls in
    `period` (every open deal when the period is unbounded)."""
    pipelines = [pipeline] if pipeline is not None else list_pipelines(db)
    stages = {stage.id: stage for p in pipelines for stage in p.stages}
    groups = _load(db, now, stages, period)
    undated = 0
    if period.start is not None or period.end is not None:
        undated = _count([group for group in groups if group.month is None])
        groups = [group for group in groups if group.in_period]

    by_stage: dict[int, list[_Group]] = defaultdict(list)
    for group in groups:
        by_stage[group.stage_id].append(group)
    figures = []
    for p in pipelines:
        rows = []
        for stage in p.stages:
            held = by_stage[stage.id]
            rows.append(
                StageFigures(
                    stage.name,
                    stage.probability,
                    stage.rot_days,
                    _count(held),
                    _average_age(held),
                    sum(group.stale for group in held),
                    _totals(held, stage.probability),
                )
            )
        held = [group for stage in p.stages for group in by_stage[stage.id]]
        figures.append(
            PipelineFigures(
                p.name,
                rows,
                _count(held),
                _average_age(held),
                sum(group.stale for group in held),
                add_up([total for row in rows for total in row.totals]),
            )
        )
    return PipelineReport(
        now=to_iso(now),
        period=period,
        pipelines=figures,
        forecast=_forecast(groups, stages),
        count=_count(groups),
        stale=sum(group.stale for group in groups),
        totals=add_up([total for p in figures for total in p.totals]),
        undated_left_out=undated,
    )


def open_totals(db: Database) -> list[CurrencyTotal]:
    """`pipeline_report(db, now, EVER).totals` alone (the digest's pipeline now): the open
    deals of every pipeline per currency, their value weighted once per stage's sum, as
    _totals does. One pass over the covering index deals_open, in its (stage, currency)
    order, without the ages, stale counts and months the report also works out."""
    rows = db.execute(
        "SELECT s.probability, d.currency, cur.exponent, count(*), sum(d.value)"
        " FROM deals d JOIN stages s ON s.id = d.stage_id"
        " JOIN pipelines p ON p.id = s.pipeline_id"
        " JOIN currencies cur ON cur.code = d.currency"
        " WHERE d.status = 'open' GROUP BY d.stage_id, d.currency"
    ).fetchall()
    return add_up(
        [
            CurrencyTotal(code, exponent, count, value, weighted(value, probability))
            for probability, code, exponent, count, value in rows
        ]
    )


def _forecast(groups: list[_Group], stages: dict[int, Stage]) -> list[ForecastMonth]:
    """Per expected close month, the deals weighted by their stage; undated deals last."""
    by_month_stage: dict[tuple[str | None, int], list[_Group]] = defaultdict(list)
    for group in groups:
        by_month_stage[(group.month, group.stage_id)].append(group)
    months: dict[str | None, list[CurrencyTotal]] = defaultdict(list)
    for (month, stage_id), held in by_month_stage.items():
        months[month] += _totals(held, stages[stage_id].probability)
    order = sorted((m for m in months if m is not None), key=str) + (
        [None] if None in months else []
    )
    return [
        ForecastMonth(month, sum(t.count for t in months[month]), add_up(months[month]))
        for month in order
    ]
