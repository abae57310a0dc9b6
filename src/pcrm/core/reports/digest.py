"""`pcrm digest`: the weekly (or monthly) summary a CRM mails its user.

A digest looks back on one period and ahead at the coming week. Every figure of the
period comes from the report that defines it, called here so both agree by construction:
interactions by kind and follow-ups from `activity_report`, won and lost deals from
`wins_report`, the weighted forecast now from `open_totals` (`report pipeline`'s totals,
without the rest of that report), lifecycle entries from `funnel_report`. What no report
computes (the people most and least in touch, new contacts, lifecycle and stage moves,
the pipeline's value in and out, the forecast at the period's start) is in
core/reports/digest_figures.py. docs/reports.md ("Digest") defines every figure.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Literal

from pcrm.core.activity.agenda import planned_interactions
from pcrm.core.activity.models import Interaction
from pcrm.core.activity.reminders import Occasion, TouchDue, occasions, stay_in_touch
from pcrm.core.activity.tasks import Task, open_tasks_due, today_of
from pcrm.core.deals.board import CurrencyTotal
from pcrm.core.reports.activity import activity_report
from pcrm.core.reports.digest_figures import (
    Closing,
    DealMoves,
    InTouch,
    LifecycleMove,
    MoneyCount,
    NewContacts,
    Silent,
    closing_deals,
    daily_interactions,
    deal_moves,
    forecast_at,
    least_in_touch,
    lifecycle_moves,
    most_in_touch,
    new_contacts,
    new_deals,
    open_value_in,
)
from pcrm.core.reports.funnel import funnel_report
from pcrm.core.reports.period import Period
from pcrm.core.reports.pipeline import open_totals
from pcrm.core.reports.wins import CurrencyOutcome, wins_report
from pcrm.dates import from_iso, local_midnight, to_iso, to_local
from pcrm.errors import InvalidInput
from pcrm.store.db import Database

Span = Literal["week", "month", "custom"]
TOP = 5  # most and least in touch
SLIPPING = 10  # who is slipping, listed (the rest counted)
AHEAD_DAYS = 7  # the coming week: today and the next six days
AHEAD_LIMIT = 10  # items listed per section of the coming week (the rest counted)


@dataclass
class DigestPeriod:
    span: Span
    start: str  # UTC ISO, included
    end: str  # UTC ISO, excluded (never after now)
    first_day: str  # local YYYY-MM-DD of the start
    last_day: str  # local YYYY-MM-DD of the last day touched
    label: str  # "Week 49, 30 Nov – 6 Dec 2026", "November 2026", "2026-10-01 to 2026-10-31"


@dataclass
class Interactions:
    total: int
    kinds: dict[str, int]  # every kind, schema order, zeros included (report activity's "All")
    contacts: int  # distinct contacts touched
    per_day: list[int]  # interactions per local day of the period, first day first
    most: list[InTouch]
    least: list[Silent]
    least_total: int


@dataclass
class Lifecycle:
    new_contacts: NewContacts
    entered: int  # contacts whose first lifecycle change is in the period (the funnel's cohort)
    moves: int  # lifecycle changes of contacts recorded in the period
    by_step: list[LifecycleMove]


@dataclass
class Pipeline:
    value_in: list[MoneyCount]  # deals created or reopened in the period
    value_out: list[MoneyCount]  # deals won or lost in the period (as `report wins`)
    then: list[CurrencyTotal]  # open at the period's start, weighted by their stage then
    now: list[CurrencyTotal]  # open now: `report pipeline`'s totals


@dataclass
class Deals:
    created: list[MoneyCount]
    created_count: int
    moves: DealMoves
    won: int
    lost: int
    currencies: list[CurrencyOutcome]  # `report wins`' total, per currency
    pipeline: Pipeline


@dataclass
class FollowUps:
    done: int
    overdue: int  # due in the period, not done by their due day
    overdue_now: int  # open follow-ups due before today, whatever the period


@dataclass
class Slipping:
    contacts: list[TouchDue]
    total: int


@dataclass
class Ahead:
    first_day: str
    last_day: str
    planned: list[Interaction]
    planned_total: int
    follow_ups: list[Task]
    follow_ups_total: int
    occasions: list[Occasion]
    occasions_total: int
    closing: list[Closing]
    closing_total: int


@dataclass
class Digest:
    now: str
    period: DigestPeriod
    interactions: Interactions
    lifecycle: Lifecycle
    deals: Deals
    follow_ups: FollowUps
    slipping: Slipping
    ahead: Ahead
    notes: list[str] = field(default_factory=list)

    @property
    def period_had_something(self) -> bool:
        d = self.deals
        return bool(
            self.interactions.total
            or self.lifecycle.new_contacts.count
            or self.lifecycle.moves
            or d.created_count
            or d.moves.moves
            or d.won
            or d.lost
            or self.follow_ups.done
            or self.follow_ups.overdue
        )

    @property
    def anything_coming(self) -> bool:
        a = self.ahead
        return bool(a.planned_total or a.follow_ups_total or a.occasions_total or a.closing_total)


# -- the period ----------------------------------------------------------------------------


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _day_label(day: date, *, year: bool) -> str:
    return f"{day.day} {day:%b}" + (f" {day.year}" if year else "")


def last_full(span: Literal["week", "month"], now: datetime) -> tuple[date, date]:
    """The first and last local day of the last full week (Monday to Sunday) or calendar
    month before the one `now` is in."""
    today = today_of(now)
    if span == "week":
        first = _monday(today) - timedelta(weeks=1)
        return first, first + timedelta(days=6)
    last = today.replace(day=1) - timedelta(days=1)
    return last.replace(day=1), last


def _label(span: Span, first: date, last: date, custom: str) -> str:
    if span == "week":
        week = first.isocalendar().week
        if (first.year, first.month) == (last.year, last.month):
            return f"Week {week}, {first.day}–{last.day} {last:%b %Y}"
        same_year = first.year == last.year
        return (
            f"Week {week}, {_day_label(first, year=not same_year)} – {_day_label(last, year=True)}"
        )
    if span == "month":
        return f"{first:%B %Y}"
    return custom


def digest_period(
    now: datetime, span: Span, period: Period | None = None, label: str = ""
) -> DigestPeriod:
    """The digest's period: the last full week or month, or `period` (from --since/--until)
    with its end cut to now (a digest looks back; the coming week looks ahead)."""
    stamp = to_iso(now)
    if span != "custom":
        first, last = last_full(span, now)
        start = to_iso(local_midnight(first))
        end = to_iso(local_midnight(last + timedelta(days=1)))
    else:
        assert period is not None
        if period.start is None:
            raise InvalidInput("--until needs --since", hint="e.g. --since 2026-11-01")
        if period.start >= stamp:
            raise InvalidInput(
                "the digest looks back: --since must be before now",
                hint="the coming week is in every digest; see also pcrm agenda",
            )
        start, end = period.start, min(period.end or stamp, stamp)
        first = to_local(from_iso(start)).date()
        last = to_local(from_iso(end) - timedelta(seconds=1)).date()
    return DigestPeriod(
        span, start, end, first.isoformat(), last.isoformat(), _label(span, first, last, label)
    )


# -- the digest ----------------------------------------------------------------------------


def build_digest(db: Database, now: datetime, which: DigestPeriod) -> Digest:
    period = Period(which.start, which.end)
    report = activity_report(db, now, period)
    activity = report.total
    wins = wins_report(db, now, period).total
    least, least_total = least_in_touch(db, period, TOP)
    moves, by_step = lifecycle_moves(db, period)
    created, created_count = new_deals(db, period)
    out = [
        MoneyCount(c.currency, c.exponent, c.won + c.lost, c.won_value + c.lost_value)
        for c in wins.currencies
    ]
    today = today_of(now)
    last = today + timedelta(days=AHEAD_DAYS - 1)
    planned, planned_total = planned_interactions(db, today, last, AHEAD_LIMIT)
    tasks, tasks_total = open_tasks_due(db, now, today, last, AHEAD_LIMIT)
    dates, dates_total = occasions(db, today, AHEAD_DAYS - 1, AHEAD_LIMIT)
    closing, closing_total = closing_deals(db, today, last, AHEAD_LIMIT)
    slipping, slipping_total = stay_in_touch(db, now, today, SLIPPING)
    first = date.fromisoformat(which.first_day)
    days = (date.fromisoformat(which.last_day) - first).days + 1
    return Digest(
        now=to_iso(now),
        period=which,
        interactions=Interactions(
            activity.total,
            activity.kinds,
            activity.contacts,
            daily_interactions(db, period, first, days),
            most_in_touch(db, period, TOP),
            least,
            least_total,
        ),
        lifecycle=Lifecycle(
            new_contacts(db, period, TOP),
            funnel_report(db, period).cohort,
            moves,
            by_step,
        ),
        deals=Deals(
            created,
            created_count,
            deal_moves(db, period),
            wins.won,
            wins.lost,
            wins.currencies,
            Pipeline(
                open_value_in(db, period),
                out,
                forecast_at(db, which.start),
                open_totals(db),
            ),
        ),
        follow_ups=FollowUps(
            activity.followups_done,
            activity.followups_overdue,
            report.overdue_now,
        ),
        slipping=Slipping(slipping, slipping_total),
        ahead=Ahead(
            today.isoformat(),
            last.isoformat(),
            planned,
            planned_total,
            tasks,
            tasks_total,
            dates,
            dates_total,
            closing,
            closing_total,
        ),
    )
