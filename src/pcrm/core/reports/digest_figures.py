"""The digest's own figures, the ones no `pcrm report` computes: who was most and least in
touch, new contacts, lifecycle and deal stage moves, the pipeline's value in, the weighted
forecast at the period's start, interactions per day, and the deals closing soon.
docs/reports.md ("Digest") defines each one.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from pcrm.core.base import Link
from pcrm.core.deals.board import CurrencyTotal, add_up, weighted
from pcrm.core.reports.period import Period
from pcrm.dates import local_midnight, to_iso
from pcrm.store.db import Database

SPARK_DAYS = 62  # longest period with interactions counted per day
_AFTER_ALL = "\U0010ffff"  # sorts after every stored time (UTF-8 text, compared bytewise)


@dataclass(frozen=True)
class MoneyCount:
    """Deals of one currency: how many and their value, in minor units."""

    currency: str
    exponent: int
    count: int
    value: int


@dataclass(frozen=True)
class InTouch:
    contact: Link
    interactions: int  # in the period
    last: str  # UTC ISO time of the last of them


@dataclass(frozen=True)
class Silent:
    contact: Link
    last_contact: str | None  # UTC ISO time of the last interaction before the period's end
    open_deals: int  # open deals the contact is on
    cadence_days: int | None


@dataclass(frozen=True)
class NewContacts:
    count: int
    first: list[Link]  # the first few added, in the order they were added


@dataclass(frozen=True)
class LifecycleMove:
    from_stage: str | None  # None: the contact's first stage
    to_stage: str
    count: int


@dataclass(frozen=True)
class DealMoves:
    moves: int  # stage moves recorded in the period
    deals: int  # distinct deals moved


@dataclass(frozen=True)
class Closing:
    deal: Link
    stage: str
    expected_close: str  # YYYY-MM-DD
    currency: str
    exponent: int
    value: int


def _money(rows: list[tuple[str, int, int, int]]) -> list[MoneyCount]:
    return [MoneyCount(code, exponent, count, value or 0) for code, exponent, count, value in rows]


def most_in_touch(db: Database, period: Period, limit: int) -> list[InTouch]:
    """The contacts with the most interactions in the period, then the latest, then by id."""
    where, params = period.sql("ic.at")
    # The period's links are counted per contact from interaction_contacts_at alone; names
    # are read for the first `limit` only (a link's contact always exists: ON DELETE CASCADE).
    rows = db.execute(
        "SELECT t.contact_id, c.name, t.n, t.last FROM (SELECT ic.contact_id, count(*) AS n,"
        f" max(ic.at) AS last FROM interaction_contacts ic WHERE {where}"
        " GROUP BY ic.contact_id ORDER BY n DESC, last DESC, ic.contact_id LIMIT ?) t"
        " JOIN contacts c ON c.id = t.contact_id ORDER BY t.n DESC, t.last DESC, t.contact_id",
        [*params, limit],
    ).fetchall()
    return [InTouch(Link("contact", cid, name), count, last) for cid, name, count, last in rows]


def least_in_touch(db: Database, period: Period, limit: int) -> tuple[list[Silent], int]:
    """Contacts on an open deal or with a stay-in-touch cadence who had no interaction in the
    period, the longest silent first (never contacted first, then by their last interaction
    before the period's end, then by name): the first `limit`, and how many in all."""
    # The watched contacts come from two indexes (contacts_cadence, deals_close and
    # deal_contacts), not a pass over every contact. Each one's latest link time is one
    # seek of contact_touch (m025, a small table); only when that is at or after the
    # period's start (touched in the period, or only after it, or planned) is the last
    # touch before the period's end sought in interaction_contacts_contact_at. A contact
    # not touched in the period has the same last touch before its start as before its
    # end. SQLite counts them and finds the silence of the `limit`-th (never contacted
    # first, then the oldest last touch) with a sort that keeps `limit` rows; only those
    # up to it (the first `limit` and whoever ties with the last of them) come back to
    # Python, in order, whose names, cadences and deals are read then (names break ties).
    cursor = db.execute(
        """
        WITH watched(id) AS (
            SELECT id FROM contacts WHERE cadence_days IS NOT NULL
            UNION
            SELECT dc.contact_id FROM deals d JOIN deal_contacts dc ON dc.deal_id = d.id
            WHERE d.status = 'open'),
        silent AS MATERIALIZED (
            SELECT w.id,
                   CASE WHEN t.at IS NULL OR t.at < :start THEN t.at
                        ELSE (SELECT max(ic.at) FROM interaction_contacts ic
                              WHERE ic.contact_id = w.id AND ic.at < :end) END AS last
            FROM watched w LEFT JOIN contact_touch t ON t.contact_id = w.id),
        ranked AS MATERIALIZED (
            SELECT id, last, CASE WHEN last IS NULL THEN '0' ELSE '1' || last END AS rank
            FROM silent WHERE last IS NULL OR last < :start),
        -- the silence of the last shown: a sort that keeps `limit` rows, not all of them
        cut(rank) AS (SELECT rank FROM ranked ORDER BY rank LIMIT 1 OFFSET :skip)
        SELECT id, last, (SELECT count(*) FROM ranked) FROM ranked
        WHERE rank <= coalesce((SELECT rank FROM cut), '2') ORDER BY rank
        """,
        # No start: "" is before every stored time (every latest link is sought, and a
        # contact is silent when it has no touch before the end). No end: a bound after
        # every stored time.
        {
            "start": period.start or "",
            "end": period.end or _AFTER_ALL,
            "skip": max(limit, 1) - 1,
        },
    )

    def silence(row: tuple[int, str | None]) -> tuple[bool, str]:
        return row[1] is not None, row[1] or ""

    first: list[tuple[int, str | None]] = []
    total = 0
    for contact_id, last, count in cursor:
        total = count  # every row carries the count of all
        row = (contact_id, last)
        if len(first) >= limit and (not first or silence(row) > silence(first[-1])):
            break  # past the last shown and whoever ties with it
        first.append(row)
    cursor.close()
    last_touch = dict(first)
    # Names for all of them (the never contacted all tie: there may be thousands), then
    # cadences and open deals for the ones shown.
    named = db.execute(
        "SELECT id, name FROM contacts WHERE id IN (SELECT value FROM json_each(?))",
        [json.dumps(list(last_touch))],
    ).fetchall()
    named.sort(key=lambda r: (*silence((r[0], last_touch[r[0]])), r[1].casefold(), r[0]))
    shown = named[:limit]
    details = {
        cid: (cadence, deals)
        for cid, cadence, deals in db.execute(
            """
            SELECT c.id, c.cadence_days,
                   (SELECT count(*) FROM deal_contacts dc JOIN deals d ON d.id = dc.deal_id
                    WHERE dc.contact_id = c.id AND d.status = 'open')
            FROM contacts c WHERE c.id IN (SELECT value FROM json_each(?))
            """,
            [json.dumps([cid for cid, _ in shown])],
        )
    }
    found = [
        Silent(Link("contact", cid, name), last_touch[cid], details[cid][1], details[cid][0])
        for cid, name in shown
    ]
    return found, total


def new_contacts(db: Database, period: Period, limit: int) -> NewContacts:
    where, params = period.sql("created_at")
    count = db.execute(f"SELECT count(*) FROM contacts WHERE {where}", params).fetchone()[0]
    rows = db.execute(
        f"SELECT id, name FROM contacts WHERE {where} ORDER BY created_at, id LIMIT ?",
        [*params, limit],
    ).fetchall()
    return NewContacts(count, [Link("contact", cid, name) for cid, name in rows])


def lifecycle_moves(db: Database, period: Period) -> tuple[int, list[LifecycleMove]]:
    """Contacts' lifecycle changes recorded in the period, and their count per step (from ->
    to), the most frequent first."""
    where, params = period.sql("at")
    rows = db.execute(
        "SELECT from_stage, to_stage, count(*) FROM lifecycle_history"
        f" WHERE contact_id IS NOT NULL AND {where} GROUP BY from_stage, to_stage",
        params,
    ).fetchall()
    steps = [LifecycleMove(before, after, count) for before, after, count in rows]
    steps.sort(key=lambda s: (-s.count, (s.from_stage or "").casefold(), s.to_stage.casefold()))
    return sum(step.count for step in steps), steps


def new_deals(db: Database, period: Period) -> tuple[list[MoneyCount], int]:
    """Deals created in the period (whatever their status now), per currency."""
    where, params = period.sql("d.created_at")
    rows = db.execute(
        "SELECT d.currency, cur.exponent, count(*), sum(d.value) FROM deals d"
        f" JOIN currencies cur ON cur.code = d.currency WHERE {where}"
        " GROUP BY d.currency ORDER BY d.currency",
        params,
    ).fetchall()
    found = _money(rows)
    return found, sum(money.count for money in found)


# A stage move: a history row whose stage changed (status changes keep the stage).
_MOVE = (
    "from_status IS NOT NULL AND from_stage IS NOT NULL"
    " AND (coalesce(from_stage_id, -1) <> coalesce(to_stage_id, -1) OR from_stage <> to_stage)"
)


def deal_moves(db: Database, period: Period) -> DealMoves:
    where, params = period.sql("at")
    moves, deals = db.execute(
        f"SELECT count(*), count(DISTINCT deal_id) FROM deal_history WHERE {_MOVE} AND {where}",
        params,
    ).fetchone()
    return DealMoves(moves, deals)


def open_value_in(db: Database, period: Period) -> list[MoneyCount]:
    """Deals that joined the open pipeline in the period: created in it, or reopened in it
    (a history row from won or lost back to open); each deal once, at its value now."""
    created, created_params = period.sql("x.created_at")
    reopened, reopened_params = period.sql("h.at")
    # The reopenings come from the period's history rows (deal_history_at), not a seek of
    # deal_history for every deal.
    rows = db.execute(
        "SELECT d.currency, cur.exponent, count(*), sum(d.value) FROM deals d"
        " JOIN currencies cur ON cur.code = d.currency"
        f" WHERE d.id IN (SELECT x.id FROM deals x WHERE {created}"
        " UNION SELECT h.deal_id FROM deal_history h"
        f" WHERE h.from_status IN ('won', 'lost') AND h.to_status = 'open' AND {reopened})"
        " GROUP BY d.currency ORDER BY d.currency",
        [*created_params, *reopened_params],
    ).fetchall()
    return _money(rows)


def forecast_at(db: Database, moment: str) -> list[CurrencyTotal]:
    """The open pipeline as it stood at `moment`: each deal's last history row before it
    gives its status and stage then; deals open then count at their value now, weighted by
    that stage's probability now, summed and rounded per stage and currency as `report
    pipeline` does. A deal without any history row is taken as open in its current stage
    from its creation until it closed (deals.closed_at). A stage since removed is read as
    the deal's current stage."""
    rows = db.execute(
        """
        WITH last AS MATERIALIZED (
            -- each deal's latest history row before the moment: one seek of deal_history_deal,
            -- once per deal (materialized: it was evaluated again where it was named), in
            -- one pass over deals that also reads what the sums need
            SELECT d.id, d.stage_id, d.currency, d.value, d.status, d.created_at, d.closed_at,
                   (SELECT h.id FROM deal_history h WHERE h.deal_id = d.id AND h.at < :moment
                    ORDER BY h.at DESC, h.id DESC LIMIT 1) AS row_id
            FROM deals d)
        SELECT coalesce(h.to_stage_id, l.stage_id), l.currency, cur.exponent, count(*),
               sum(l.value)
        FROM last l JOIN currencies cur ON cur.code = l.currency
        LEFT JOIN deal_history h ON h.id = l.row_id
        WHERE CASE
            WHEN l.row_id IS NOT NULL THEN h.to_status = 'open'
            WHEN EXISTS (SELECT 1 FROM deal_history x WHERE x.deal_id = l.id) THEN 0
            ELSE l.created_at < :moment AND (l.status = 'open' OR l.closed_at >= :moment)
        END
        GROUP BY 1, 2
        """,
        {"moment": moment},
    ).fetchall()
    probability = dict(db.execute("SELECT id, probability FROM stages").fetchall())
    totals = []
    for stage_id, code, exponent, count, value in rows:
        chance = probability.get(stage_id, 0)
        totals.append(CurrencyTotal(code, exponent, count, value, weighted(value, chance)))
    return add_up(totals)


def daily_interactions(db: Database, period: Period, first: date, days: int) -> list[int]:
    """Interactions per local day of the period (each day cut to the period), for a
    sparkline; [] for a period longer than SPARK_DAYS days."""
    if days > SPARK_DAYS:
        return []
    assert period.start is not None and period.end is not None
    bounds = []
    for n in range(days):
        start = to_iso(local_midnight(first + timedelta(days=n)))
        end = to_iso(local_midnight(first + timedelta(days=n + 1)))
        bounds.append((n, max(start, period.start), min(end, period.end)))
    values = ", ".join(["(?, ?, ?)"] * len(bounds))
    counts: dict[int, int] = defaultdict(int)
    for n, count in db.execute(
        f"WITH d(n, s, e) AS (VALUES {values}) SELECT d.n, count(*)"
        " FROM d CROSS JOIN interactions i ON i.at >= d.s AND i.at < d.e"
        " WHERE i.cancelled_at IS NULL GROUP BY d.n",
        [value for bound in bounds for value in bound],
    ):
        counts[n] = count
    return [counts[n] for n in range(days)]


def closing_deals(db: Database, first: date, last: date, limit: int) -> tuple[list[Closing], int]:
    """Open deals expected to close from `first` through `last` (local days), soonest first:
    the first `limit`, and how many in all."""
    where = "d.status = 'open' AND d.expected_close >= ? AND d.expected_close <= ?"
    args = [first.isoformat(), last.isoformat()]
    total = db.execute(f"SELECT count(*) FROM deals d WHERE {where}", args).fetchone()[0]
    rows = db.execute(
        "SELECT d.id, d.title, s.name, d.expected_close, d.currency, cur.exponent, d.value"
        " FROM deals d JOIN stages s ON s.id = d.stage_id"
        f" JOIN currencies cur ON cur.code = d.currency WHERE {where}"
        " ORDER BY d.expected_close, d.id LIMIT ?",
        [*args, limit],
    ).fetchall()
    return [
        Closing(Link("deal", did, title), stage, close, code, exponent, value)
        for did, title, stage, close, code, exponent, value in rows
    ], total
