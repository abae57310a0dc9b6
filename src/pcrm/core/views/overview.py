"""The 360° views and the timeline: everything that happened with a contact or a company."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from pcrm.core.activity.interactions import load_interactions
from pcrm.core.activity.models import Interaction
from pcrm.core.base import Link
from pcrm.core.views.models import CompanyOverview, ContactOverview, TimelineEvent
from pcrm.dates import to_iso
from pcrm.store.db import Database

if TYPE_CHECKING:
    from pcrm.core.activity.tasks import Task
    from pcrm.core.deals.models import Deal
    from pcrm.core.people.lifecycle_models import LifecycleChange

RECENT = 5
DEALS_SHOWN = 10
FOLLOW_UPS_SHOWN = 10

# Deals of a contact (one of its people) or of a company (its account).
_DEALS = {
    "contact": "SELECT deal_id FROM deal_contacts WHERE contact_id = :id",
    "company": "SELECT id FROM deals WHERE company_id = :id",
    "deal": "SELECT :id",
}

# Interactions of a contact, or of a company: logged against it, or with any of its people.
_INTERACTIONS = {
    "contact": "SELECT i.id, i.at, i.cancelled_at FROM interactions i JOIN interaction_contacts ic"
    " ON ic.interaction_id = i.id WHERE ic.contact_id = :id",
    "company": "SELECT i.id, i.at, i.cancelled_at FROM interactions i WHERE i.company_id = :id"
    " UNION SELECT i.id, i.at, i.cancelled_at FROM interactions i JOIN interaction_contacts ic"
    " ON ic.interaction_id = i.id JOIN contacts c ON c.id = ic.contact_id"
    " WHERE c.company_id = :id",
    # A deal's: logged against it, with or without contacts (`pcrm log deal:ID`).
    "deal": "SELECT i.id, i.at FROM interactions i WHERE i.deal_id = :id",
}


def _interactions(
    db: Database, kind: str, record_id: int, *, before: str | None, limit: int | None
) -> list[Interaction]:
    query = f"SELECT id FROM ({_INTERACTIONS[kind]})"
    if before is not None:
        query += " WHERE at <= :before"
    query += " ORDER BY at DESC, id DESC"
    if limit:
        query += f" LIMIT {int(limit)}"
    rows = db.execute(query, {"id": record_id, "before": before})
    return load_interactions(db, [row[0] for row in rows])


def _touches(
    db: Database, kind: str, record_id: int, now: str
) -> tuple[int, str | None, str | None]:
    """How many interactions, the last one up to now, the next one planned after now; a
    cancelled one is none of them."""
    row = db.execute(
        "SELECT count(*), max(CASE WHEN at <= :now THEN at END),"
        f" min(CASE WHEN at > :now THEN at END) FROM ({_INTERACTIONS[kind]})"
        " WHERE cancelled_at IS NULL",
        {"id": record_id, "now": now},
    ).fetchone()
    return row[0], row[1], row[2]


# The 360° views import the record modules they read from; the timeline needs none of them
# (a piped `pcrm timeline` over a big file is mostly start-up: docs/performance.md).


def _has(db: Database, table: str, contact_id: int, where: str = "") -> bool:
    """Whether `table` has a row about the contact: the part's module (deals' ~16 ms with
    companies and money) is imported only for a contact that has one."""
    sql = f"SELECT 1 FROM {table} WHERE contact_id = ?{where} LIMIT 1"
    return db.execute(sql, [contact_id]).fetchone() is not None


def contact_overview(db: Database, contact_id: int, now: datetime) -> ContactOverview:
    from pcrm.core.people.contacts import get_contact

    contact = get_contact(db, contact_id)
    stamp = to_iso(now)
    count, last, upcoming = _touches(db, "contact", contact_id, stamp)
    recent = _interactions(db, "contact", contact_id, before=stamp, limit=RECENT)
    deals: list[Deal] = []
    if _has(db, "deal_contacts", contact_id):
        from pcrm.core.deals.deals import list_deals

        deals = list_deals(db, contact_id=contact_id, status="all", limit=DEALS_SHOWN).deals
    lifecycle: list[LifecycleChange] = []
    if _has(db, "lifecycle_history", contact_id):
        from pcrm.core.people.lifecycle import SHOWN as LIFECYCLE_SHOWN
        from pcrm.core.people.lifecycle import load_history

        lifecycle = load_history(db, "contact", contact_id, limit=LIFECYCLE_SHOWN)
    tasks: list[Task] = []
    tasks_count = 0
    if _has(db, "tasks", contact_id, " AND status = 'open'"):
        from pcrm.core.activity.tasks import open_tasks_about

        tasks, tasks_count = open_tasks_about(db, now, "contact", contact_id, FOLLOW_UPS_SHOWN)
    archived = db.execute("SELECT archived_at FROM contacts WHERE id = ?", [contact_id]).fetchone()
    return ContactOverview(
        contact, recent, count, last, upcoming, deals, lifecycle, tasks, tasks_count, archived[0]
    )


def company_overview(db: Database, company_id: int, now: datetime) -> CompanyOverview:
    from pcrm.core.activity.tasks import open_tasks_about
    from pcrm.core.deals.deals import list_deals
    from pcrm.core.people.companies import get_company
    from pcrm.core.people.contacts import list_contacts
    from pcrm.core.people.lifecycle import SHOWN as LIFECYCLE_SHOWN
    from pcrm.core.people.lifecycle import load_history

    company = get_company(db, company_id)
    people = list_contacts(db, company_id=company_id, sort="recent").contacts
    stamp = to_iso(now)
    count, last, upcoming = _touches(db, "company", company_id, stamp)
    recent = _interactions(db, "company", company_id, before=stamp, limit=RECENT)
    deals = list_deals(db, company_id=company_id, status="all", limit=DEALS_SHOWN).deals
    lifecycle = load_history(db, "company", company_id, limit=LIFECYCLE_SHOWN)
    tasks, tasks_count = open_tasks_about(db, now, "company", company_id, FOLLOW_UPS_SHOWN)
    return CompanyOverview(
        company, people, recent, count, last, upcoming, deals, lifecycle, tasks, tasks_count
    )


def timeline(
    db: Database, kind: str, record_id: int, *, limit: int | None = None
) -> tuple[list[TimelineEvent], int]:
    """Everything that happened, newest first, and how many events there are in all:
    interactions (planned ones included), the records' own events ("added") and the
    stage and status changes of their deals, and lifecycle stage changes (a company's own
    and its people's). A deal's: its interactions and its stage and status changes (its
    "opened in" is when it was added)."""
    events = [
        TimelineEvent(
            at=item.at,
            kind=item.kind,
            summary=_with_whom(item, kind, record_id),
            text=item.text,
            interaction_id=item.id,
            cancelled_at=item.cancelled_at,
            source=item.source,
            direction=item.direction,
            origin=item.origin,
        )
        for item in _interactions(db, kind, record_id, before=None, limit=limit)
    ]
    # The sort keeps ties in the order built here: at the same second, a lifecycle change
    # is listed above (newer than) the "added" or won deal that caused it.
    stage_events, stage_total = _lifecycle_events(db, kind, record_id, limit)
    events.extend(stage_events)
    record_events = _record_events(db, kind, record_id)
    events.extend(record_events)
    deal_events, deal_total = _deal_events(db, kind, record_id, limit)
    events.extend(deal_events)
    # Newest first; at the same second, the later-written event (higher id) first and a
    # record's "added" after what was logged with it.
    events.sort(key=lambda event: (event.at, event.interaction_id or 0), reverse=True)
    count_sql = f"SELECT count(*) FROM ({_INTERACTIONS[kind]})"
    total = db.execute(count_sql, {"id": record_id}).fetchone()[0]
    total += len(record_events) + deal_total + stage_total
    return (events[:limit] if limit else events), total


def _with_whom(item: Interaction, kind: str, record_id: int) -> str:
    others = [
        link.name for link in item.contacts if not (kind == "contact" and link.id == record_id)
    ]
    return "with " + ", ".join(others) if others else ""


def _record_events(db: Database, kind: str, record_id: int) -> list[TimelineEvent]:
    """The "added" events, newest first: a contact's own; a company's people and itself;
    none for a deal (its history's "opened in" says it)."""
    if kind == "deal":
        return []
    if kind == "contact":
        row = db.execute(
            "SELECT created_at, name FROM contacts WHERE id = ?", [record_id]
        ).fetchone()
        return [TimelineEvent(at=row[0], kind="added", summary=f"contact {row[1]} added")]
    events = [
        TimelineEvent(
            at=created,
            kind="added",
            summary=f"contact {name} added",
            subject=Link("contact", person_id, name),
        )
        for person_id, name, created in db.execute(
            "SELECT id, name, created_at FROM contacts WHERE company_id = ?"
            " ORDER BY created_at DESC, id DESC",
            [record_id],
        )
    ]
    row = db.execute("SELECT created_at, name FROM companies WHERE id = ?", [record_id]).fetchone()
    events.append(TimelineEvent(at=row[0], kind="added", summary=f"company {row[1]} added"))
    return events


def _deal_events(
    db: Database, kind: str, record_id: int, limit: int | None
) -> tuple[list[TimelineEvent], int]:
    """The newest stage and status changes of the record's deals, and how many there are."""
    source = (
        f"FROM deal_history h JOIN deals d ON d.id = h.deal_id WHERE h.deal_id IN ({_DEALS[kind]})"
    )
    total = db.execute(f"SELECT count(*) {source}", {"id": record_id}).fetchone()[0]
    rows = db.execute(
        f"SELECT h.at, d.id, d.title, h.from_stage, h.to_stage, h.from_status, h.to_status,"
        f" h.note {source} ORDER BY h.at DESC, h.id DESC LIMIT :limit",
        {"id": record_id, "limit": limit or -1},
    )
    events = [
        TimelineEvent(
            at=at,
            kind="deal",
            summary=f'"{title}" {_change(from_stage, to_stage, from_status, to_status)}',
            text=note,
            subject=Link("deal", deal_id, title),
        )
        for at, deal_id, title, from_stage, to_stage, from_status, to_status, note in rows
    ]
    return events, total


# Lifecycle changes of a contact, or of a company: its own and its people's.
_LIFECYCLE = {
    "contact": "h.contact_id = :id",
    "company": "h.company_id = :id OR h.contact_id IN"
    " (SELECT id FROM contacts WHERE company_id = :id)",
}


def _lifecycle_events(
    db: Database, kind: str, record_id: int, limit: int | None
) -> tuple[list[TimelineEvent], int]:
    """The newest lifecycle stage changes, and how many there are (deals have none)."""
    if kind not in _LIFECYCLE:
        return [], 0
    source = f"FROM lifecycle_history h WHERE {_LIFECYCLE[kind]}"
    total = db.execute(f"SELECT count(*) {source}", {"id": record_id}).fetchone()[0]
    rows = db.execute(
        "SELECT h.at, h.contact_id, (SELECT name FROM contacts WHERE id = h.contact_id),"
        f" h.from_stage, h.to_stage, h.reason {source} ORDER BY h.at DESC, h.id DESC"
        " LIMIT :limit",
        {"id": record_id, "limit": limit or -1},
    )
    events = []
    for at, person_id, person, from_stage, to_stage, reason in rows:
        change = f"stage {from_stage} → {to_stage}" if from_stage else f"stage set to {to_stage}"
        subject = None
        if kind == "company" and person_id is not None:
            subject = Link("contact", person_id, person)
            change = f"{person}: {change}"
        events.append(
            TimelineEvent(at=at, kind="lifecycle", summary=change, text=reason, subject=subject)
        )
    return events, total


def _change(from_stage: str | None, to_stage: str, from_status: str | None, to_status: str) -> str:
    """One history row in words: opened, moved, won, lost, reopened."""
    if from_status is None:
        return f"opened in {to_stage}"
    if to_status in ("won", "lost") and from_status == "open":
        return to_status
    if to_status == "open" and from_status in ("won", "lost"):
        return f"reopened in {to_stage}"
    return f"moved {from_stage} → {to_stage}"
