"""`pcrm report funnel` and `pcrm report sources`: how contacts move through the lifecycle,
computed from lifecycle_history (docs/reports.md defines every figure).

The rules, in short:
- A contact's *entry* is its first recorded change, whatever the stage; the cohort is the
  contacts whose entry lies in the period [since, until).
- A contact *reached* a stage when its history shows it at that stage or at a later one of
  the funnel: skipped stages count as passed, and moving backwards never un-reaches a
  stage. Entering the lifecycle at all counts as reaching the first stage (a contact first
  recorded as disqualified was a lead that dropped out at once).
- The time of a step (stage i -> i+1) runs from the first time the contact reached stage i
  to the first time it reached i+1 or beyond; only contacts that entered stage i itself
  (did not skip it) and went on count in its median.
- Every move to an exit is a drop-out, counted at the furthest stage reached by then.
- History rows naming a stage no longer in the list are left out.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from pcrm.core.people.lifecycle import CUSTOMER, load_stages
from pcrm.core.people.text import name_key
from pcrm.core.reports.period import EVER, Period
from pcrm.dates import from_iso, to_iso
from pcrm.store.db import Database

DAY = 86400


@dataclass(frozen=True)
class Dropout:
    """Moves to an exit with the same reason, made at the same step of the funnel."""

    exit: str
    reason: str | None
    count: int


@dataclass
class FunnelStep:
    """One stage of the funnel for the cohort. The step figures compare it with the stage
    before (None on the first stage, or when nobody reached the stage before)."""

    stage: str
    reached: int  # cohort contacts that reached this stage or a later one
    step_conversion: float | None  # reached / reached at the stage before, 0..1
    overall_conversion: float | None  # reached / cohort, 0..1; None for an empty cohort
    median_days: float | None  # median days from reaching the stage before to reaching this
    timed: int  # how many contacts that median is over
    dropouts: list[Dropout] = field(default_factory=list)  # left while this was the furthest


@dataclass
class Funnel:
    period: Period  # the cohort: contacts whose entry lies in it
    cohort: int
    steps: list[FunnelStep] = field(default_factory=list)


@dataclass(frozen=True)
class MoneySum:
    currency: str
    exponent: int
    count: int  # deals
    value: int  # minor units


@dataclass
class SourceRow:
    source: str | None  # None: contacts without a source
    leads: int  # cohort contacts from this source
    customers: int  # of them, how many reached the customer stage
    conversion: float | None  # customers / leads, 0..1
    won: list[MoneySum] = field(default_factory=list)  # won deals of those leads, by currency


@dataclass
class SourcesReport:
    period: Period
    rows: list[SourceRow] = field(default_factory=list)


@dataclass
class Path:
    """One contact's way through the funnel, read from its history."""

    entry: str  # UTC ISO time of the first change
    furthest: int = -1  # index of the furthest funnel stage reached
    first_reached: list[datetime | None] = field(default_factory=list)  # per stage index
    entered_itself: list[bool] = field(default_factory=list)  # reached by entering it
    dropouts: list[tuple[int, str, str | None]] = field(default_factory=list)  # step, exit, why


def trace(
    rows: Iterable[tuple[datetime, str, str | None]], stages: list[str], exits: list[str]
) -> Path | None:
    """A contact's path from its history rows (at, to_stage, reason), oldest first;
    None when no row names a known stage."""
    index = {name_key(name): i for i, name in enumerate(stages)}
    exit_names = {name_key(name): name for name in exits}
    path: Path | None = None
    for at, to_stage, reason in rows:
        key = name_key(to_stage)
        if key not in index and key not in exit_names:
            continue
        if path is None:
            path = Path(
                to_iso(at), first_reached=[None] * len(stages), entered_itself=[False] * len(stages)
            )
        target = index.get(key, 0)  # an exit as the first step: a lead that dropped out
        for i in range(path.furthest + 1, target + 1):
            path.first_reached[i] = at
            path.entered_itself[i] = i == target and key in index
        path.furthest = max(path.furthest, target)
        if key in exit_names:
            path.dropouts.append((path.furthest, exit_names[key], reason))
    return path


def _ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def build_funnel(paths: list[Path], stages: list[str], period: Period = EVER) -> Funnel:
    """The funnel of these (cohort) paths over the funnel's stages, in order."""
    cohort = len(paths)
    steps: list[FunnelStep] = []
    for i, stage in enumerate(stages):
        reached = sum(path.furthest >= i for path in paths)
        before = steps[-1].reached if steps else None
        durations = [
            (after - start).total_seconds() / DAY
            for path in paths
            if i > 0
            and path.entered_itself[i - 1]
            and (start := path.first_reached[i - 1]) is not None
            and (after := path.first_reached[i]) is not None
        ]
        counts: dict[tuple[str, str | None], int] = {}
        for path in paths:
            for step, exit_name, reason in path.dropouts:
                if step == i:
                    counts[(exit_name, reason)] = counts.get((exit_name, reason), 0) + 1
        dropouts = [
            Dropout(exit_name, reason, count)
            for (exit_name, reason), count in sorted(
                counts.items(), key=lambda item: (-item[1], item[0][0], item[0][1] or "")
            )
        ]
        steps.append(
            FunnelStep(
                stage=stage,
                reached=reached,
                step_conversion=_ratio(reached, before) if before is not None else None,
                overall_conversion=_ratio(reached, cohort),
                median_days=round(statistics.median(durations), 1) if durations else None,
                timed=len(durations),
                dropouts=dropouts,
            )
        )
    return Funnel(period, cohort, steps)


def cohort_paths(db: Database, period: Period) -> tuple[dict[int, Path], list[str]]:
    """The paths of the contacts whose entry lies in the period, by contact id, and the
    funnel's stage names in order."""
    all_stages = load_stages(db)
    stages = [stage.name for stage in all_stages if not stage.is_exit]
    exits = [stage.name for stage in all_stages if stage.is_exit]
    rows: dict[int, list[tuple[datetime, str, str | None]]] = {}
    for contact_id, at, to_stage, reason in db.execute(
        "SELECT contact_id, at, to_stage, reason FROM lifecycle_history"
        " WHERE contact_id IS NOT NULL ORDER BY contact_id, at, id"
    ):
        rows.setdefault(contact_id, []).append((from_iso(at), to_stage, reason))
    paths = {}
    for contact_id, history in rows.items():
        path = trace(history, stages, exits)
        if path is not None and period.contains(path.entry):
            paths[contact_id] = path
    return paths, stages


def funnel_report(db: Database, period: Period) -> Funnel:
    paths, stages = cohort_paths(db, period)
    return build_funnel(list(paths.values()), stages, period)


def sources_report(db: Database, period: Period) -> SourcesReport:
    """Per contact source: the cohort's leads, how many reached the customer stage, and the
    won deals those leads are on (each deal once per source, summed per currency)."""
    paths, stages = cohort_paths(db, period)
    customer = next((i for i, name in enumerate(stages) if name_key(name) == CUSTOMER), len(stages))
    groups: dict[str, tuple[str | None, list[int]]] = {}
    ids = sorted(paths)
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        marks = ",".join("?" * len(chunk))
        for contact_id, source in db.execute(
            f"SELECT id, source FROM contacts WHERE id IN ({marks}) ORDER BY id", chunk
        ):
            shown = " ".join((source or "").split()) or None
            key = name_key(shown) if shown else ""
            groups.setdefault(key, (shown, []))[1].append(contact_id)
    rows = []
    for shown, members in groups.values():
        customers = sum(paths[member].furthest >= customer for member in members)
        rows.append(
            SourceRow(
                shown, len(members), customers, _ratio(customers, len(members)), _won(db, members)
            )
        )
    rows.sort(key=lambda row: (-row.leads, row.source is None, name_key(row.source or "")))
    return SourcesReport(period, rows)


def _won(db: Database, members: list[int]) -> list[MoneySum]:
    deals: dict[int, tuple[str, int, int]] = {}  # each deal once, however many members it has
    for start in range(0, len(members), 500):
        chunk = members[start : start + 500]
        marks = ",".join("?" * len(chunk))
        for deal_id, currency, exponent, value in db.execute(
            "SELECT d.id, d.currency, coalesce(cur.exponent, 2), d.value FROM deals d"
            " LEFT JOIN currencies cur ON cur.code = d.currency WHERE d.status = 'won'"
            f" AND d.id IN (SELECT deal_id FROM deal_contacts WHERE contact_id IN ({marks}))",
            chunk,
        ):
            deals[deal_id] = (currency, exponent, value)
    totals: dict[str, MoneySum] = {}
    for currency, exponent, value in deals.values():
        seen = totals.get(currency, MoneySum(currency, exponent, 0, 0))
        totals[currency] = MoneySum(currency, exponent, seen.count + 1, seen.value + value)
    return [totals[code] for code in sorted(totals)]
