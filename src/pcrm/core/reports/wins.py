"""`pcrm report wins`: won and lost deals in a period, grouped by close month, source or tag.

A deal counts once, with the outcome it has now, at the time it last closed that way (the
latest deal_history row into its current status). So a deal won, reopened and won again is
one win, dated by the second; a deal reopened and still open counts nowhere; one won,
reopened and then lost is a loss. Sales cycle = whole days from the deal's creation to that
win. Money is never added across currencies. docs/reports.md defines every figure.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Literal, NamedTuple

from pcrm.core.reports.period import Period
from pcrm.dates import from_iso, resolve_imaginary, to_iso, to_local
from pcrm.store.db import Database

By = Literal["month", "source", "tag"]
BY = ("month", "source", "tag")


@dataclass(frozen=True)
class CurrencyOutcome:
    """One currency's won and lost values in a group (minor units)."""

    currency: str
    exponent: int
    won: int  # deals won in this currency
    won_value: int
    lost: int
    lost_value: int
    value_win_rate: float | None  # won_value / (won_value + lost_value); None: both zero
    average_won: int | None  # won_value / won, rounded half up; None: no win


@dataclass
class WinGroup:
    key: str | None  # the month (YYYY-MM), source or tag; None: no source / no tag; "all"
    won: int
    lost: int
    win_rate: float | None  # won / (won + lost); None: nothing closed
    median_cycle_days: float | None  # over the won deals; None: no win
    currencies: list[CurrencyOutcome]


@dataclass(frozen=True)
class LostReason:
    reason: str
    count: int


@dataclass
class WinsReport:
    now: str
    period: Period  # on the time each deal last closed
    by: str
    groups: list[WinGroup]
    total: WinGroup
    lost_reasons: list[LostReason]  # most frequent first


class _Closed(NamedTuple):  # a tuple: 24,000 of them at 300k are made in a few ms
    id: int
    status: str
    value: int
    currency: str
    exponent: int
    created_at: str
    closed_at: str
    source: str | None
    lost_reason: str | None
    cycle_days: int  # whole days from creation to closing (stored times are whole seconds)


def ratio(part: int, whole: int) -> float | None:
    """part / whole (JSON shows it to four decimals), None when there is nothing to divide by."""
    return None if whole == 0 else part / whole


def _closed_deals(db: Database, period: Period) -> list[_Closed]:
    # The last history row into the deal's current status dates its outcome; a file edited
    # by hand without history falls back on deals.closed_at. Computed once per closed deal
    # (a seek of deal_history_status each), in a materialized CTE, so that the period's
    # WHERE does not run the subquery again. A period with a start asks only about the
    # deals that can have closed in it: those with a history row into won or lost in it
    # (deal_history_at), and those whose closed_at is in it (the fallback). The cycle's
    # whole days come from julianday(), rounded to the second (stored times are whole
    # seconds): the same days as strftime('%s') gave, for less CPU.
    where, params = period.sql("c.closed")
    among, among_params = "", []
    if period.start is not None:
        rows_in, rows_params = period.sql("h.at")
        closed_in, closed_params = period.sql("x.closed_at")
        among = (
            " AND d.id IN (SELECT h.deal_id FROM deal_history h"
            f" WHERE {rows_in} AND h.to_status IN ('won', 'lost')"
            f" UNION SELECT x.id FROM deals x WHERE {closed_in})"
        )
        among_params = [*rows_params, *closed_params]
    rows = db.execute(
        f"""
        WITH c AS MATERIALIZED (
            SELECT d.id, d.status, d.value, d.currency, d.created_at, d.source,
                   d.lost_reason,
                   coalesce((SELECT max(h.at) FROM deal_history h
                             WHERE h.deal_id = d.id AND h.to_status = d.status),
                            d.closed_at) AS closed
            FROM deals d WHERE d.status IN ('won', 'lost'){among})
        SELECT c.id, c.status, c.value, c.currency, cur.exponent, c.created_at, c.closed,
               c.source, c.lost_reason,
               max(0, CAST(round((julianday(c.closed) - julianday(c.created_at)) * 86400)
                           AS INTEGER) / 86400)
        FROM c JOIN currencies cur ON cur.code = c.currency
        WHERE c.closed IS NOT NULL AND {where}
        ORDER BY c.closed, c.id
        """,
        [*among_params, *params],
    ).fetchall()
    return [_Closed(*row) for row in rows]


def _group(key: str | None, deals: list[_Closed]) -> WinGroup:
    """One pass over the deals: counts and values per currency, and the wins' cycles."""
    sums: dict[str, list[int]] = {}  # code -> [exponent, won, won value, lost, lost value]
    cycles = []
    for deal in deals:
        entry = sums.get(deal.currency)
        if entry is None:
            entry = sums[deal.currency] = [deal.exponent, 0, 0, 0, 0]
        if deal.status == "won":
            entry[1] += 1
            entry[2] += deal.value
            cycles.append(deal.cycle_days)
        elif deal.status == "lost":
            entry[3] += 1
            entry[4] += deal.value
    currencies = []
    for code in sorted(sums):
        exponent, won_count, won_value, lost_count, lost_value = sums[code]
        average = None
        if won_count:
            average = (2 * won_value + won_count) // (2 * won_count)  # half up
        currencies.append(
            CurrencyOutcome(
                code,
                exponent,
                won_count,
                won_value,
                lost_count,
                lost_value,
                ratio(won_value, won_value + lost_value),
                average,
            )
        )
    won = sum(entry[1] for entry in sums.values())
    lost = sum(entry[3] for entry in sums.values())
    return WinGroup(
        key,
        won,
        lost,
        ratio(won, won + lost),
        float(statistics.median(cycles)) if cycles else None,
        currencies,
    )


def _tags(db: Database, ids: list[int]) -> dict[int, list[str]]:
    found: dict[int, list[str]] = defaultdict(list)
    if ids:
        marks = ",".join("?" * len(ids))
        for deal_id, name in db.execute(
            f"SELECT dt.deal_id, t.name FROM deal_tags dt JOIN tags t ON t.id = dt.tag_id"
            f" WHERE dt.deal_id IN ({marks}) ORDER BY t.name COLLATE NOCASE",
            ids,
        ):
            found[deal_id].append(name)
    return found


def _keys(db: Database, deals: list[_Closed], by: str) -> dict[int, list[str | None]]:
    """Which groups each deal belongs to: one month or source; every tag it has."""
    if by == "month":
        return _months(deals)
    if by == "source":
        return {d.id: [d.source or None] for d in deals}
    tags = _tags(db, [d.id for d in deals])
    return {d.id: list(tags.get(d.id, [])) or [None] for d in deals}


def _months(deals: list[_Closed]) -> dict[int, list[str | None]]:
    """Each deal's local close month (YYYY-MM): one time zone conversion per month, not per
    deal; a deal is placed by comparing its UTC text with the month's UTC bounds."""
    out: dict[int, list[str | None]] = {}
    month, start, end = "", "", ""
    for deal in deals:
        if not start <= deal.closed_at < end:
            local = to_local(from_iso(deal.closed_at))
            month = local.strftime("%Y-%m")
            first = datetime(local.year, local.month, 1, tzinfo=local.tzinfo)
            after = datetime(
                local.year + local.month // 12, local.month % 12 + 1, 1, tzinfo=local.tzinfo
            )
            start = to_iso(resolve_imaginary(first))
            end = to_iso(resolve_imaginary(after))
        out[deal.id] = [month]
    return out


def _order(keys: set[str | None], by: str) -> list[str | None]:
    """Months in time order; sources and tags by name, case aside; None (none) last."""
    named = sorted((k for k in keys if k is not None), key=lambda k: (k.casefold(), k))
    return named + ([None] if None in keys else [])


def _lost_reasons(deals: list[_Closed]) -> list[LostReason]:
    """Reasons counted case-insensitively, spelled as the earliest loss spelled them."""
    counts: dict[str, int] = defaultdict(int)
    spelling: dict[str, str] = {}
    for deal in deals:
        if deal.status == "lost":
            reason = (deal.lost_reason or "").strip() or "(no reason)"
            counts[reason.casefold()] += 1
            spelling.setdefault(reason.casefold(), reason)
    ranked = sorted(counts, key=lambda key: (-counts[key], key))
    return [LostReason(spelling[key], counts[key]) for key in ranked]


def wins_report(db: Database, now: datetime, period: Period, by: str = "month") -> WinsReport:
    if by not in BY:
        raise ValueError(f"unknown grouping {by!r}")
    deals = _closed_deals(db, period)
    keys = _keys(db, deals, by)
    members: dict[str | None, list[_Closed]] = defaultdict(list)
    for deal in deals:
        for key in keys[deal.id]:
            members[key].append(deal)
    groups = [_group(key, members[key]) for key in _order(set(members), by)]
    return WinsReport(
        now=to_iso(now),
        period=period,
        by=by,
        groups=groups,
        total=_group("all", deals),
        lost_reasons=_lost_reasons(deals),
    )
