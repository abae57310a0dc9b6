"""The pipeline board: for each stage of one pipeline, its open deals counted and summed per
currency, the first cards, and a footer with the forecast and what closes this month.

Amounts are never added across currencies: every total is a list with one entry per
currency. The weighted value of a column is its total × the stage's probability / 100,
rounded half up to a whole minor unit once per column and currency; the forecast is the
sum of the columns' weighted values, so the footer adds up to what the columns show.

It stays fast on a big file (see PERF_NOTES): per stage, one grouped sum and one
`LIMIT`ed card query, both on the deals_board index; no query reads every card.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from pcrm.core.activity.tasks import Task, next_task_for_deals
from pcrm.core.base import Link
from pcrm.core.deals.models import Pipeline, Stage
from pcrm.dates import from_iso, local_midnight, local_tz, to_iso
from pcrm.store.db import Database

CARDS = 10  # cards per column unless the caller asks otherwise
CLOSING = 5  # deals named in the "closing this month" footer


@dataclass(frozen=True)
class CurrencyTotal:
    """Deals of one currency: how many, their value and weighted value, in minor units."""

    currency: str
    exponent: int  # minor-unit digits (2 for EUR, 0 for JPY)
    count: int
    value: int
    weighted: int


def add_up(totals: list[CurrencyTotal]) -> list[CurrencyTotal]:
    """Totals of the same currency added together (never across currencies), by code."""
    merged: dict[str, CurrencyTotal] = {}
    for total in totals:
        seen = merged.get(total.currency)
        if seen is not None:
            total = CurrencyTotal(
                total.currency,
                total.exponent,
                seen.count + total.count,
                seen.value + total.value,
                seen.weighted + total.weighted,
            )
        merged[total.currency] = total
    return [merged[code] for code in sorted(merged)]


@dataclass(frozen=True)
class NextStep:
    """The deal's earliest open follow-up (kind "follow-up"), else the earliest interaction
    planned after now and logged against it."""

    id: int
    at: str  # UTC; for a follow-up due on a day without a time, the start of that local day
    kind: str
    text: str
    due_date: str | None = None  # a follow-up's local due day
    has_time: bool = True  # False: a follow-up due on a day, at no particular time


@dataclass
class BoardCard:
    id: int
    title: str
    company: str | None
    value: int  # minor units
    currency: str
    exponent: int
    expected_close: str | None  # YYYY-MM-DD
    stage_entered_at: str
    last_activity_at: str
    days_in_stage: int
    idle_days: int  # whole days since the last activity
    stale: bool  # idle longer than the stage's rotting limit
    next_step: NextStep | None = None


@dataclass
class BoardColumn:
    stage: Stage
    count: int  # open deals in the stage (after the filters)
    stale_count: int
    totals: list[CurrencyTotal]  # one per currency, by code
    cards: list[BoardCard]  # largest value first, at most the limit
    more: int  # cards left out: count - len(cards)


@dataclass(frozen=True)
class BoardFilters:
    tag: str | None = None
    closing: str | None = None  # YYYY-MM-DD: expected close on or before this day
    stale: bool = False

    def describe(self) -> list[str]:
        """The filters as the options that set them, for "no deal matches ..."."""
        parts = []
        if self.tag:
            parts.append(f"--tag {self.tag}")
        if self.closing:
            parts.append(f"--closing-before {self.closing}")
        if self.stale:
            parts.append("--stale")
        return parts


@dataclass
class Closing:
    """Open deals whose expected close falls in the current (local) month."""

    month: str  # YYYY-MM
    count: int
    totals: list[CurrencyTotal]
    deals: list[BoardCard]  # soonest first, at most CLOSING


@dataclass
class Board:
    pipeline: Link
    now: str
    filters: BoardFilters
    columns: list[BoardColumn]
    count: int
    stale_count: int
    totals: list[CurrencyTotal]  # the pipeline total and weighted forecast, per currency
    closing: Closing
    cards_limit: int | None  # cards per column asked for; None: all
    unfiltered_count: int  # open deals in the pipeline before the filters
    pipeline_is_default: bool = True  # whether `deal list` needs --pipeline to name it


def weighted(value: int, probability: int) -> int:
    """value × probability %, rounded half up to a whole minor unit (values are >= 0)."""
    return (value * probability + 50) // 100


def load_board(
    db: Database,
    pipeline: Pipeline,
    now: datetime,
    filters: BoardFilters | None = None,
    *,
    cards: int | None = CARDS,
) -> Board:
    """The board of `pipeline` (its stages loaded) as of `now`; `cards` caps each column."""
    query = _Query(db, pipeline, now, filters or BoardFilters())
    month = _this_month(now)
    columns, closing_totals = [], []
    for stage in pipeline.stages:
        column, in_month = query.column(stage, cards, month)
        columns.append(column)
        closing_totals += in_month
    closing_totals = add_up(closing_totals)
    unfiltered = db.execute(
        "SELECT count(*) FROM deals WHERE pipeline_id = ? AND status = 'open'", [pipeline.id]
    ).fetchone()[0]
    return Board(
        pipeline=Link("pipeline", pipeline.id, pipeline.name),
        now=to_iso(now),
        filters=query.filters,
        columns=columns,
        count=sum(column.count for column in columns),
        stale_count=sum(column.stale_count for column in columns),
        totals=add_up([total for column in columns for total in column.totals]),
        closing=Closing(
            month[0][:7],
            sum(total.count for total in closing_totals),
            closing_totals,
            query.closing_soonest(month) if closing_totals else [],
        ),
        cards_limit=cards,
        unfiltered_count=unfiltered,
        pipeline_is_default=pipeline.is_default,
    )


def _this_month(now: datetime) -> tuple[str, str]:
    """The first and last day of the local month of `now`, as YYYY-MM-DD."""
    today = now.astimezone(local_tz()).date()
    last_day = calendar.monthrange(today.year, today.month)[1]
    return today.replace(day=1).isoformat(), today.replace(day=last_day).isoformat()


def _cutoff(stage: Stage, now: datetime) -> str | None:
    """Deals last active before this time are stale in the stage; None: the stage never rots."""
    if stage.rot_days is None:
        return None
    return to_iso(now - timedelta(days=stage.rot_days))


_CARD_SELECT = """
    SELECT d.id, d.title, co.name, d.value, d.currency, cur.exponent, d.expected_close,
           d.stage_entered_at, d.last_activity_at, d.stage_id,
           (SELECT i.id FROM interactions i WHERE i.deal_id = d.id AND i.at > :now
            AND i.cancelled_at IS NULL ORDER BY i.at, i.id LIMIT 1)
    FROM deals d
    JOIN currencies cur ON cur.code = d.currency
    LEFT JOIN companies co ON co.id = d.company_id
"""


class _Query:
    """The SQL of one board: open deals of the pipeline that pass the filters."""

    def __init__(self, db: Database, pipeline: Pipeline, now: datetime, filters: BoardFilters):
        self.db = db
        self.pipeline = pipeline
        self.now = now
        self.filters = filters
        self.cutoffs = {stage.id: _cutoff(stage, now) for stage in pipeline.stages}
        # Conditions on `d` (a deals row) shared by every query; the pipeline and status
        # come first so SQLite walks the deals_board index.
        self.where = "d.pipeline_id = :pipeline AND d.status = 'open'"
        self.params: dict[str, object] = {"pipeline": pipeline.id, "now": to_iso(now)}
        if filters.tag:
            # tags.name is COLLATE NOCASE: the tag matches in any case.
            self.where += (
                " AND d.id IN (SELECT dt.deal_id FROM deal_tags dt JOIN tags t"
                " ON t.id = dt.tag_id WHERE t.name = :tag)"
            )
            self.params["tag"] = filters.tag
        if filters.closing:
            self.where += " AND d.expected_close <= :closing"
            self.params["closing"] = filters.closing

    def column(
        self, stage: Stage, limit: int | None, month: tuple[str, str]
    ) -> tuple[BoardColumn, list[CurrencyTotal]]:
        """One stage's column, and its part of the "closing this month" totals."""
        cutoff = self.cutoffs[stage.id]
        if self.filters.stale and cutoff is None:
            return BoardColumn(stage, 0, 0, [], [], 0), []
        where = f"{self.where} AND d.stage_id = :stage"
        if self.filters.stale:
            where += " AND d.last_activity_at < :cutoff"
        params = self.params | {
            "stage": stage.id,
            "cutoff": cutoff or "",
            "first": month[0],
            "last": month[1],
        }
        in_month = "d.expected_close BETWEEN :first AND :last"
        sums = self.db.execute(
            "SELECT d.currency, cur.exponent, count(*), sum(d.value),"
            f" sum(d.last_activity_at < :cutoff), sum({in_month}),"
            f" sum(CASE WHEN {in_month} THEN d.value ELSE 0 END)"
            f" FROM deals d JOIN currencies cur ON cur.code = d.currency WHERE {where}"
            " GROUP BY d.currency ORDER BY d.currency",
            params,
        ).fetchall()
        totals, closing, stale_count = [], [], 0
        p = stage.probability
        for code, exponent, count, value, stale, month_count, month_value in sums:
            totals.append(CurrencyTotal(code, exponent, count, value, weighted(value, p)))
            stale_count += stale
            if month_count:
                month_weighted = weighted(month_value, p)
                closing.append(
                    CurrencyTotal(code, exponent, month_count, month_value, month_weighted)
                )
        count = sum(total.count for total in totals)
        # value DESC, id DESC: the order of the deals_board index read backwards, so the
        # LIMIT stops early and the next-step subquery runs only for the cards shown.
        limit_sql = f" LIMIT {int(limit)}" if limit is not None else ""
        rows = self.db.execute(
            f"{_CARD_SELECT} WHERE {where} ORDER BY d.value DESC, d.id DESC{limit_sql}", params
        ).fetchall()
        cards = self.cards(rows)
        return BoardColumn(stage, count, stale_count, totals, cards, count - len(cards)), closing

    def closing_soonest(self, month: tuple[str, str]) -> list[BoardCard]:
        """The deals that close soonest this month, across stages (on the deals_close index)."""
        where = f"{self.where} AND d.expected_close BETWEEN :first AND :last"
        params = self.params | {"first": month[0], "last": month[1]}
        if self.filters.stale:
            # Each stage has its own cutoff; a stage that never rots has none (NULL).
            cases = []
            for stage_id, cutoff in self.cutoffs.items():
                if cutoff is not None:
                    cases.append(f"WHEN {int(stage_id)} THEN :cutoff_{int(stage_id)}")
                    params[f"cutoff_{int(stage_id)}"] = cutoff
            where += f" AND d.last_activity_at < (CASE d.stage_id {' '.join(cases)} END)"
        rows = self.db.execute(
            f"{_CARD_SELECT} WHERE {where} ORDER BY d.expected_close, d.id LIMIT {CLOSING}",
            params,
        ).fetchall()
        return self.cards(rows)

    def cards(self, rows: list[tuple[Any, ...]]) -> list[BoardCard]:
        next_ids = [row[10] for row in rows if row[10] is not None]
        steps: dict[int, NextStep] = {}
        if next_ids:
            marks = ",".join("?" * len(next_ids))
            for step_id, at, kind, text in self.db.execute(
                f"SELECT id, at, kind, text FROM interactions WHERE id IN ({marks})", next_ids
            ):
                steps[step_id] = NextStep(step_id, at, kind, text)
        # An open follow-up on the deal is its next step, before any planned interaction.
        tasks = next_task_for_deals(self.db, [row[0] for row in rows], self.now)
        cards = []
        for row in rows:
            deal_id, title, company, value, currency, exponent, close, entered, active = row[:9]
            stage_id, next_id = row[9:]
            cutoff = self.cutoffs.get(stage_id)
            planned = steps.get(next_id) if next_id is not None else None
            cards.append(
                BoardCard(
                    id=deal_id,
                    title=title,
                    company=company,
                    value=value,
                    currency=currency,
                    exponent=exponent,
                    expected_close=close,
                    stage_entered_at=entered,
                    last_activity_at=active,
                    days_in_stage=_days(entered, self.now),
                    idle_days=_days(active, self.now),
                    # The same comparison as the SQL filter, so the flag and --stale agree.
                    stale=cutoff is not None and active < cutoff,
                    next_step=_task_step(tasks[deal_id]) if deal_id in tasks else planned,
                )
            )
        return cards


def _task_step(task: Task) -> NextStep:
    at = task.due_at
    if at is None:
        at = to_iso(local_midnight(date.fromisoformat(task.due_date)))
    return NextStep(task.id, at, "follow-up", task.title, task.due_date, task.due_at is not None)


def _days(stamp: str, now: datetime) -> int:
    return max(0, (now - from_iso(stamp)).days)
