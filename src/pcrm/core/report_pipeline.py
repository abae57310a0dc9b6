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

from pcrm.core.board import CurrencyTotal, add_up, weighted
from pcrm.core.models import Pipeline, Stage
from pcrm.core.period import Period, local_days
from pcrm.core.pipelines import list_pipelines
from pcrm.dates import from_iso, to_iso
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
class _Deal:
    pipeline_id: int
    stage_id: int
    currency: str
    exponent: int
    value: int
    close: str | None
    age_days: int
    stale: bool


def _totals(deals: list[_Deal], probability: int) -> list[CurrencyTotal]:
    """Per currency: count, value, and the value weighted once on the sum."""
    groups: dict[str, list[_Deal]] = defaultdict(list)
    for deal in deals:
        groups[deal.currency].append(deal)
    out = []
    for code in sorted(groups):
        group = groups[code]
        value = sum(deal.value for deal in group)
        out.append(
            CurrencyTotal(code, group[0].exponent, len(group), value, weighted(value, probability))
        )
    return out


def _average_age(deals: list[_Deal]) -> float | None:
    if not deals:
        return None
    return round(sum(deal.age_days for deal in deals) / len(deals), 1)


def _load(db: Database, now: datetime, stages: dict[int, Stage]) -> list[_Deal]:
    deals = []
    for row in db.execute(
        "SELECT d.pipeline_id, d.stage_id, d.currency, cur.exponent, d.value,"
        " d.expected_close, d.created_at, d.last_activity_at"
        " FROM deals d JOIN currencies cur ON cur.code = d.currency"
        " WHERE d.status = 'open' ORDER BY d.id"
    ):
        pipeline_id, stage_id, currency, exponent, value, close, created, active = row
        rot = stages[stage_id].rot_days if stage_id in stages else None
        stale = rot is not None and active < to_iso(now - timedelta(days=rot))
        age = max(0, (now - from_iso(created)).days)
        deals.append(_Deal(pipeline_id, stage_id, currency, exponent, value, close, age, stale))
    return deals


def _in_period(deal: _Deal, days: tuple[str | None, str | None]) -> bool:
    first, after = days
    if deal.close is None:
        return False
    return (first is None or deal.close >= first) and (after is None or deal.close < after)


def pipeline_report(
    db: Database, now: datetime, period: Period, pipeline: Pipeline | None = None
) -> PipelineReport:
    """The open deals of every pipeline (or of `pipeline`) whose expected close falls in
    `period` (every open deal when the period is unbounded)."""
    pipelines = [pipeline] if pipeline is not None else list_pipelines(db)
    stages = {stage.id: stage for p in pipelines for stage in p.stages}
    deals = [deal for deal in _load(db, now, stages) if deal.stage_id in stages]
    undated = 0
    if period.start is not None or period.end is not None:
        days = local_days(period)
        undated = sum(1 for deal in deals if deal.close is None)
        deals = [deal for deal in deals if _in_period(deal, days)]

    by_stage: dict[int, list[_Deal]] = defaultdict(list)
    for deal in deals:
        by_stage[deal.stage_id].append(deal)
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
                    len(held),
                    _average_age(held),
                    sum(deal.stale for deal in held),
                    _totals(held, stage.probability),
                )
            )
        held = [deal for stage in p.stages for deal in by_stage[stage.id]]
        figures.append(
            PipelineFigures(
                p.name,
                rows,
                len(held),
                _average_age(held),
                sum(deal.stale for deal in held),
                add_up([total for row in rows for total in row.totals]),
            )
        )
    return PipelineReport(
        now=to_iso(now),
        period=period,
        pipelines=figures,
        forecast=_forecast(deals, stages),
        count=len(deals),
        stale=sum(deal.stale for deal in deals),
        totals=add_up([total for p in figures for total in p.totals]),
        undated_left_out=undated,
    )


def _forecast(deals: list[_Deal], stages: dict[int, Stage]) -> list[ForecastMonth]:
    """Per expected close month, the deals weighted by their stage; undated deals last."""
    groups: dict[tuple[str | None, int], list[_Deal]] = defaultdict(list)
    for deal in deals:
        groups[(deal.close[:7] if deal.close else None, deal.stage_id)].append(deal)
    months: dict[str | None, list[CurrencyTotal]] = defaultdict(list)
    for (month, stage_id), group in groups.items():
        months[month] += _totals(group, stages[stage_id].probability)
    order = sorted((m for m in months if m is not None), key=str) + (
        [None] if None in months else []
    )
    return [
        ForecastMonth(month, sum(t.count for t in months[month]), add_up(months[month]))
        for month in order
    ]
