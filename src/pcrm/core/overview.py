"""The 360° views and the timeline: everything that happened with a contact or a company."""

from __future__ import annotations

from datetime import datetime

from sqlite_utils import Database

from pcrm.core.companies import get_company
from pcrm.core.contacts import get_contact, list_contacts
from pcrm.core.interactions import load_interactions
from pcrm.core.models import CompanyOverview, ContactOverview, Interaction, Link, TimelineEvent
from pcrm.dates import to_iso

RECENT = 5

# Interactions of a contact, or of a company: logged against it, or with any of its people.
_INTERACTIONS = {
    "contact": "SELECT i.id, i.at FROM interactions i JOIN interaction_contacts ic"
    " ON ic.interaction_id = i.id WHERE ic.contact_id = :id",
    "company": "SELECT i.id, i.at FROM interactions i WHERE i.company_id = :id UNION"
    " SELECT i.id, i.at FROM interactions i JOIN interaction_contacts ic"
    " ON ic.interaction_id = i.id JOIN contacts c ON c.id = ic.contact_id"
    " WHERE c.company_id = :id",
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
    """How many interactions, the last one up to now, the next one planned after now."""
    row = db.execute(
        "SELECT count(*), max(CASE WHEN at <= :now THEN at END),"
        f" min(CASE WHEN at > :now THEN at END) FROM ({_INTERACTIONS[kind]})",
        {"id": record_id, "now": now},
    ).fetchone()
    return row[0], row[1], row[2]


def contact_overview(db: Database, contact_id: int, now: datetime) -> ContactOverview:
    contact = get_contact(db, contact_id)
    stamp = to_iso(now)
    count, last, upcoming = _touches(db, "contact", contact_id, stamp)
    recent = _interactions(db, "contact", contact_id, before=stamp, limit=RECENT)
    return ContactOverview(contact, recent, count, last, upcoming)


def company_overview(db: Database, company_id: int, now: datetime) -> CompanyOverview:
    company = get_company(db, company_id)
    people = list_contacts(db, company_id=company_id, sort="recent").contacts
    stamp = to_iso(now)
    count, last, upcoming = _touches(db, "company", company_id, stamp)
    recent = _interactions(db, "company", company_id, before=stamp, limit=RECENT)
    return CompanyOverview(company, people, recent, count, last, upcoming)


def timeline(
    db: Database, kind: str, record_id: int, *, limit: int | None = None
) -> tuple[list[TimelineEvent], int]:
    """Everything that happened, newest first, and how many events there are in all:
    interactions (planned ones included) and the records' own events ("added"). Later
    features (deals, tasks, lifecycle) add theirs here."""
    events = [
        TimelineEvent(
            at=item.at,
            kind=item.kind,
            summary=_with_whom(item, kind, record_id),
            text=item.text,
            interaction_id=item.id,
        )
        for item in _interactions(db, kind, record_id, before=None, limit=limit)
    ]
    record_events = _record_events(db, kind, record_id)
    events.extend(record_events)
    # Newest first; at the same second, the later-written event (higher id) first and a
    # record's "added" after what was logged with it.
    events.sort(key=lambda event: (event.at, event.interaction_id or 0), reverse=True)
    count_sql = f"SELECT count(*) FROM ({_INTERACTIONS[kind]})"
    total = db.execute(count_sql, {"id": record_id}).fetchone()[0] + len(record_events)
    return (events[:limit] if limit else events), total


def _with_whom(item: Interaction, kind: str, record_id: int) -> str:
    others = [
        link.name for link in item.contacts if not (kind == "contact" and link.id == record_id)
    ]
    return "with " + ", ".join(others) if others else ""


def _record_events(db: Database, kind: str, record_id: int) -> list[TimelineEvent]:
    """The "added" events, newest first: a contact's own; a company's people and itself."""
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
