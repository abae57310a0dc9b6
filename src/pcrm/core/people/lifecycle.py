"""Lifecycle stages of contacts and companies: the configurable list, stage changes and
their history (`pcrm lifecycle`, `pcrm contact stage`, `pcrm company stage`).

The list is ordered: the funnel's stages (lead -> ... -> customer by default), then the
exits (disqualified, churned). A record may move to any stage, backwards included; every
change is a row of lifecycle_history with its time and reason, and the record's
`lifecycle_stage` column holds the latest. History is kept in time order: a change given
an earlier `--at` than the record's last change is refused, so each row's from_stage is
the stage before it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from pcrm.core.base import Link
from pcrm.core.deals.models import Deal
from pcrm.core.people.lifecycle_models import LifecycleChange, LifecycleStage
from pcrm.core.people.text import clean_line, name_key, require_name
from pcrm.core.settings import is_on
from pcrm.dates import format_local, from_iso, to_iso
from pcrm.errors import Ambiguous, Conflict, InvalidInput, NotFound
from pcrm.store.db import Database

CUSTOMER = "customer"  # where a won deal moves its contacts; cannot be removed
KINDS = {"contact": ("contacts", "contact_id"), "company": ("companies", "company_id")}
SHOWN = 10  # changes listed by `show`; the timeline has them all


def load_stages(db: Database, *, counts: bool = False) -> list[LifecycleStage]:
    """Every stage in order: the funnel's first, then the exits."""
    rows = db.execute(
        "SELECT name, position, is_exit FROM lifecycle_stages ORDER BY is_exit, position"
    ).fetchall()
    held: dict[str, tuple[int, int]] = {}
    if counts:
        for table, index in (("contacts", 0), ("companies", 1)):
            for stage, count in db.execute(
                f"SELECT lifecycle_stage, count(*) FROM {table}"
                " WHERE lifecycle_stage IS NOT NULL GROUP BY lifecycle_stage"
            ):
                pair = list(held.get(name_key(stage), (0, 0)))
                pair[index] += count
                held[name_key(stage)] = (pair[0], pair[1])
    return [
        LifecycleStage(name, position, bool(is_exit), *held.get(name_key(name), (0, 0)))
        for name, position, is_exit in rows
    ]


def _choices(stages: list[LifecycleStage]) -> str:
    funnel = ", ".join(stage.name for stage in stages if not stage.is_exit)
    exits = ", ".join(stage.name for stage in stages if stage.is_exit)
    return f"stages: {funnel}" + (f"; exits: {exits}" if exits else "")


def resolve_stage(db: Database, text: str) -> LifecycleStage:
    """A stage by name or unique prefix, any case; unknown: an error listing the stages."""
    stages = load_stages(db)
    key = name_key(text)
    if not key:
        raise InvalidInput("no lifecycle stage given", hint=_choices(stages))
    exact = [stage for stage in stages if name_key(stage.name) == key]
    if exact:
        return exact[0]
    found = [stage for stage in stages if name_key(stage.name).startswith(key)]
    if len(found) == 1:
        return found[0]
    if found:
        raise Ambiguous(
            f'"{text.strip()}" matches {len(found)} lifecycle stages',
            candidates=[stage.name for stage in found],
            hint="type more of the name",
        )
    raise InvalidInput(f'unknown lifecycle stage "{text.strip()}"', hint=_choices(stages))


def add_stage(
    db: Database, name: str, *, after: str | None = None, is_exit: bool = False
) -> LifecycleStage:
    """A new stage: a funnel stage after `after` (default: last of the funnel), or an exit."""
    name = require_name(name, "stage name")
    stages = load_stages(db)
    if any(name_key(stage.name) == name_key(name) for stage in stages):
        raise Conflict(f'there already is a lifecycle stage "{name}"', hint="choose another name")
    group = [stage.name for stage in stages if stage.is_exit == is_exit]
    if after is not None:
        if is_exit:
            raise InvalidInput("an exit has no place in the funnel's order", hint="drop --after")
        anchor = resolve_stage(db, after)
        if anchor.is_exit:
            raise InvalidInput(f'"{anchor.name}" is an exit', hint="give a stage of the funnel")
        group.insert(group.index(anchor.name) + 1, name)
    else:
        group.append(name)
    db.execute(
        "INSERT INTO lifecycle_stages(name, position, is_exit) VALUES (?, 0, ?)",
        [name, int(is_exit)],
    )
    _renumber(db, group)
    return resolve_stage(db, name)


def _renumber(db: Database, names: list[str]) -> None:
    for position, stage in enumerate(names, start=1):
        db.execute("UPDATE lifecycle_stages SET position = ? WHERE name = ?", [position, stage])


def remove_stage(db: Database, text: str) -> LifecycleStage:
    """Remove a stage nobody is at now. History keeps its name; reports skip it."""
    name = resolve_stage(db, text).name
    stage = next(s for s in load_stages(db, counts=True) if s.name == name)
    # The funnel never runs empty: customer, which stays, is one of its stages.
    if name_key(stage.name) == CUSTOMER:
        raise Conflict(
            "the customer stage cannot be removed",
            hint="won deals and the sources report use it",
        )
    if stage.contacts or stage.companies:
        held = _count(stage.contacts, "contact") if stage.contacts else ""
        if stage.companies:
            held += (" and " if held else "") + _count(stage.companies, "company")
        raise Conflict(
            f'{held} {"is" if stage.contacts + stage.companies == 1 else "are"} at "{stage.name}"',
            hint="move them to another stage first (pcrm contact stage REF STAGE)",
        )
    db.execute("DELETE FROM lifecycle_stages WHERE name = ?", [stage.name])
    _renumber(db, [s.name for s in load_stages(db) if s.is_exit == stage.is_exit])
    return stage


def _count(n: int, kind: str) -> str:
    plural = "companies" if kind == "company" else "contacts"
    return f"{n} {kind if n == 1 else plural}"


def _subject(db: Database, kind: str, record_id: int) -> tuple[Link, str | None]:
    table, _ = KINDS[kind]
    row = db.execute(
        f"SELECT name, lifecycle_stage FROM {table} WHERE id = ?", [record_id]
    ).fetchone()
    if row is None:
        raise NotFound(f"{kind} {record_id} no longer exists", hint=f"see: pcrm {kind} list")
    return Link(kind, record_id, row[0]), row[1]


def last_change_at(db: Database, kind: str, record_id: int) -> str | None:
    _, column = KINDS[kind]
    at: str | None = db.execute(
        f"SELECT max(at) FROM lifecycle_history WHERE {column} = ?", [record_id]
    ).fetchone()[0]
    return at


@dataclass(frozen=True)
class StageSet:
    """What `set_stage` did: the record, its stage now, and the change (None: it was at that
    stage already, nothing recorded)."""

    subject: Link
    stage: str
    change: LifecycleChange | None


def set_stage(
    db: Database,
    now: datetime,
    kind: str,
    record_id: int,
    stage_text: str,
    *,
    reason: str | None = None,
    at: datetime | None = None,
) -> StageSet:
    """Move a contact or company to a stage (any direction), recorded in its history.

    `at` (default now) may lie in the past, but not in the future nor before the record's
    last change. A record at that stage already is left as it is.
    """
    stage = resolve_stage(db, stage_text)
    subject, current = _subject(db, kind, record_id)
    moment = at or now
    if moment > now:
        raise InvalidInput(
            "a stage change cannot be in the future", hint="give a past --at, or none for now"
        )
    last = last_change_at(db, kind, record_id)
    if last is not None and moment < from_iso(last):
        raise InvalidInput(
            f"{kind} {record_id} last changed stage on {format_local(from_iso(last))}",
            hint="--at must not be earlier than that",
        )
    if current is not None and name_key(current) == name_key(stage.name):
        return StageSet(subject, current, None)
    change = _record(db, now, subject, current, stage.name, clean_line(reason), moment)
    return StageSet(subject, stage.name, change)


def _record(
    db: Database,
    now: datetime,
    subject: Link,
    current: str | None,
    stage: str,
    reason: str | None,
    moment: datetime,
) -> LifecycleChange:
    table, column = KINDS[subject.kind]
    stamp = to_iso(moment)
    db.execute(
        f"INSERT INTO lifecycle_history({column}, at, from_stage, to_stage, reason)"
        " VALUES (?, ?, ?, ?, ?)",
        [subject.id, stamp, current, stage, reason],
    )
    db.execute(
        f"UPDATE {table} SET lifecycle_stage = ?, updated_at = ? WHERE id = ?",
        [stage, to_iso(now), subject.id],
    )
    return LifecycleChange(stamp, current, stage, reason, subject)


def advance_on_win(db: Database, now: datetime, deal: Deal) -> list[LifecycleChange]:
    """A won deal makes its contacts and its company customers, when the setting
    lifecycle.customer_on_win is on. Records already at the customer stage stay as they are."""
    if not is_on(db, "lifecycle.customer_on_win"):
        return []
    customer = resolve_stage(db, CUSTOMER).name
    subjects = [("contact", person.id) for person in deal.contacts]
    if deal.company is not None:
        subjects.append(("company", deal.company.id))
    changes = []
    for kind, record_id in subjects:
        subject, current = _subject(db, kind, record_id)
        if current is not None and name_key(current) == CUSTOMER:
            continue
        last = last_change_at(db, kind, record_id)
        # A change already recorded later than the clock (another machine's time) stays first.
        moment = max(now, from_iso(last)) if last else now
        reason = f"deal won: {deal.title}"
        changes.append(_record(db, now, subject, current, customer, reason, moment))
    return changes


def load_history(
    db: Database, kind: str, record_id: int, *, limit: int | None = None
) -> list[LifecycleChange]:
    """The record's changes, newest first."""
    subject, _ = _subject(db, kind, record_id)
    _, column = KINDS[kind]
    rows: Iterable[tuple[str, str | None, str, str | None]] = db.execute(
        f"SELECT at, from_stage, to_stage, reason FROM lifecycle_history WHERE {column} = ?"
        " ORDER BY at DESC, id DESC LIMIT ?",
        [record_id, limit or -1],
    )
    return [LifecycleChange(*row, subject=subject) for row in rows]
