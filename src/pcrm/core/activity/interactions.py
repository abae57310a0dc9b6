"""Interactions: calls, emails, meetings... logged against contacts (the timeline)."""

from __future__ import annotations

from datetime import datetime

from pcrm.core.activity.models import Interaction
from pcrm.core.base import Link
from pcrm.core.people.tags import chunks
from pcrm.core.records import new_uid
from pcrm.dates import to_iso
from pcrm.errors import InvalidInput
from pcrm.store.db import Database


def check_kind(db: Database, kind: str) -> str:
    """The kind a name or alias stands for (the kinds are a table: core/activity/kinds.py)."""
    from pcrm.core.activity.kind_names import resolve_kind

    return resolve_kind(db, kind)


def check_text(text: str) -> str:
    """An interaction's text, stripped; empty or not UTF-8 is refused."""
    text = text.strip()
    if not text:
        raise InvalidInput("the interaction's text is empty", hint="write what happened")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # undecodable bytes from stdin or argv, kept as surrogates
        raise InvalidInput(
            "the interaction's text is not UTF-8", hint="convert it first, e.g. iconv -t UTF-8"
        ) from None
    return text


def log_interaction(
    db: Database,
    now: datetime,
    contact_ids: list[int],
    text: str,
    *,
    kind: str = "note",
    at: datetime | None = None,
    deal_id: int | None = None,
    company_id: int | None = None,
) -> Interaction:
    """Record an interaction with one or more contacts, optionally about a deal.

    The interaction keeps the first contact's company at the time, so a company's history
    stays true when a person later moves on. A past or present interaction updates the
    contacts' "last contacted" and the deal's last activity; one planned in the future
    does not.

    Without contacts it is about a deal (`pcrm log deal:ID`: linked to the deal and the
    deal's company) or a company alone (`pcrm log company:REF`); a `company_id` given is
    the company it is linked to, whoever was there.
    """
    kind = check_kind(db, kind)
    text = check_text(text)
    when = at or now
    if company_id is None and contact_ids:
        company_id = db.execute(
            "SELECT company_id FROM contacts WHERE id = ?", [contact_ids[0]]
        ).fetchone()[0]
    elif company_id is None and deal_id is not None:
        company_id = db.execute("SELECT company_id FROM deals WHERE id = ?", [deal_id]).fetchone()[
            0
        ]
    elif company_id is None:
        raise InvalidInput("an interaction needs a contact, a company or a deal")
    cursor = db.execute(
        "INSERT INTO interactions(uid, kind, at, text, company_id, created_at, deal_id)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        [new_uid(), kind, to_iso(when), text, company_id, to_iso(now), deal_id],
    )
    interaction_id = cursor.lastrowid
    assert interaction_id is not None
    unique_ids = list(dict.fromkeys(contact_ids))
    db.conn.executemany(
        "INSERT INTO interaction_contacts(interaction_id, contact_id) VALUES (?, ?)",
        [(interaction_id, contact_id) for contact_id in unique_ids],
    )
    if when <= now:
        marks = ",".join("?" * len(unique_ids))
        if unique_ids:
            db.execute(
                "UPDATE contacts SET last_contacted_at = ? WHERE id IN"
                f" ({marks}) AND (last_contacted_at IS NULL OR last_contacted_at < ?)",
                [to_iso(when), *unique_ids, to_iso(when)],
            )
        if deal_id is not None:
            db.execute(
                "UPDATE deals SET last_activity_at = ? WHERE id = ? AND last_activity_at < ?",
                [to_iso(when), deal_id, to_iso(when)],
            )
    return load_interactions(db, [interaction_id])[0]


def load_interactions(db: Database, ids: list[int]) -> list[Interaction]:
    """Interactions with their contacts and company, in the order of `ids`."""
    found: dict[int, Interaction] = {}
    for chunk in chunks(ids):
        marks = ",".join("?" * len(chunk))
        for row in db.execute(
            "SELECT i.id, i.uid, i.kind, i.at, i.text, i.company_id, co.name, i.deal_id,"
            " d.title, i.created_at, i.cancelled_at, i.source, i.external_id, i.direction,"
            " i.origin"
            " FROM interactions i"
            " LEFT JOIN companies co ON co.id = i.company_id"
            f" LEFT JOIN deals d ON d.id = i.deal_id WHERE i.id IN ({marks})",
            chunk,
        ):
            company = Link("company", row[5], row[6]) if row[5] is not None else None
            deal = Link("deal", row[7], row[8]) if row[7] is not None else None
            # mypy cannot know the length of row[:5] (id..text), so it thinks it may fill
            # `company` too (python/mypy#20441).
            found[row[0]] = Interaction(  # type: ignore[misc]
                *row[:5],
                company=company,
                deal=deal,
                created_at=row[9],
                cancelled_at=row[10],
                source=row[11],
                external_id=row[12],
                direction=row[13],
                origin=row[14],
            )
        for interaction_id, contact_id, name in db.execute(
            "SELECT ic.interaction_id, c.id, c.name FROM interaction_contacts ic"
            f" JOIN contacts c ON c.id = ic.contact_id WHERE ic.interaction_id IN ({marks})"
            " ORDER BY c.name_key",
            chunk,
        ):
            found[interaction_id].contacts.append(Link("contact", contact_id, name))
    return [found[i] for i in ids if i in found]
