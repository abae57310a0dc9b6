"""Interactions as records of their own: listed across contacts, shown, corrected, removed,
and a planned one marked done or cancelled (`pcrm interaction ...`).

A cancelled interaction stays in the history, marked, and is never a touch: its links in
interaction_contacts carry no time (m017's triggers), so every "last touch" seek passes
over it, and the queries that count interactions say `cancelled_at IS NULL`.

What a log stores beside the interaction is kept true by every change here: a contact's
`last_contacted_at` and a deal's `last_activity_at` move on when a change makes a later
touch, and are worked out again from what is left when the interaction they came from is
moved, cancelled, unlinked or removed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from pcrm.core.activity.interactions import check_kind, check_text, load_interactions
from pcrm.core.activity.models import Interaction
from pcrm.core.records import PartialEdit, record_deletion
from pcrm.core.reports.period import Period
from pcrm.dates import format_local, from_iso, to_iso
from pcrm.errors import Conflict, InvalidInput, NotFound
from pcrm.store.db import Database

# What `search`, the agenda and these commands print for one: "12", "#12",
# "interaction 12", "interaction:12".
_ID = re.compile(r"^\s*(?:interaction\s*[:\s]\s*|#)?(\d+)\s*$", re.IGNORECASE)


def parse_id(text: str) -> int:
    match = _ID.match(text)
    if match is None or len(match.group(1)) > 18:
        raise InvalidInput(
            f'"{text.strip()[:40]}" is not an interaction id',
            hint="give its number, as pcrm interaction list or pcrm search prints it",
        )
    return int(match.group(1))


def get_interaction(db: Database, interaction_id: int) -> Interaction:
    found = load_interactions(db, [interaction_id])
    if not found:
        raise NotFound(f"no interaction {interaction_id}", hint="see: pcrm interaction list")
    return found[0]


def get_by_uid(db: Database, uid: str, label: str, outcome: str) -> Interaction:
    """The interaction picked before a question or an editor session, found again by uid."""
    row = db.execute("SELECT id FROM interactions WHERE uid = ?", [uid]).fetchone()
    if row is None:
        raise NotFound(
            f"{label} was removed meanwhile (by another pcrm); {outcome}",
            hint="see: pcrm interaction list",
        )
    return get_interaction(db, int(row[0]))


# -- listing -------------------------------------------------------------------------------


@dataclass
class InteractionFilters:
    contact_ids: list[int] = field(default_factory=list)  # any of them
    company_ids: list[int] = field(default_factory=list)  # logged at it, or with its people
    deal_ids: list[int] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)
    period: Period = field(default_factory=lambda: Period(None, None))
    planned: bool = False  # only those still to come, not cancelled
    cancelled: bool = False  # only cancelled ones


def _where(filters: InteractionFilters, now: datetime) -> tuple[str, list[object]]:
    parts: list[str] = []
    params: list[object] = []

    def marks(values: list[int] | list[str]) -> str:
        params.extend(values)
        return ",".join("?" * len(values))

    if filters.contact_ids:
        parts.append(
            "i.id IN (SELECT interaction_id FROM interaction_contacts"
            f" WHERE contact_id IN ({marks(filters.contact_ids)}))"
        )
    if filters.company_ids:
        inner = marks(filters.company_ids)
        people = marks(filters.company_ids)
        parts.append(
            f"(i.company_id IN ({inner}) OR i.id IN (SELECT ic.interaction_id"
            " FROM interaction_contacts ic JOIN contacts c ON c.id = ic.contact_id"
            f" WHERE c.company_id IN ({people})))"
        )
    if filters.deal_ids:
        parts.append(f"i.deal_id IN ({marks(filters.deal_ids)})")
    if filters.kinds:
        parts.append(f"i.kind IN ({marks(filters.kinds)})")
    where, period_params = filters.period.sql("i.at")
    parts.append(where)
    params.extend(period_params)
    if filters.planned:
        parts.append("i.at > ? AND i.cancelled_at IS NULL")
        params.append(to_iso(now))
    if filters.cancelled:
        parts.append("i.cancelled_at IS NOT NULL")
    return " AND ".join(parts), params


def list_interactions(
    db: Database,
    now: datetime,
    filters: InteractionFilters,
    *,
    limit: int | None = None,
    offset: int = 0,
) -> tuple[list[Interaction], int]:
    """Newest first (planned ones with --planned: soonest first); the page and how many
    match in all."""
    where, params = _where(filters, now)
    order = "i.at, i.id" if filters.planned else "i.at DESC, i.id DESC"
    rows = db.execute(
        f"SELECT i.id FROM interactions i WHERE {where} ORDER BY {order} LIMIT ? OFFSET ?",
        [*params, limit if limit else -1, offset],
    ).fetchall()
    items = load_interactions(db, [row[0] for row in rows])
    total = offset + len(items)
    if (limit and len(items) == limit) or (offset and not items):
        total = db.execute(f"SELECT count(*) FROM interactions i WHERE {where}", params).fetchone()[
            0
        ]
    return items, total


# -- what a log keeps beside the interaction -----------------------------------------------


def _counts(item: Interaction, now: datetime) -> str | None:
    """The interaction's time when it is a touch (happened, not cancelled), else None."""
    if item.cancelled_at is None and item.at <= to_iso(now):
        return item.at
    return None


def _retouch_contacts(
    db: Database, now: datetime, contact_ids: set[int], before: str | None
) -> None:
    """Each contact's last_contacted_at after a change: later when the change made a later
    touch; worked out again when it held `before` (the changed interaction's time as a
    touch) and that touch is no longer there."""
    stamp = to_iso(now)
    for contact_id in sorted(contact_ids):
        row = db.execute(
            "SELECT c.last_contacted_at, (SELECT max(ic.at) FROM interaction_contacts ic"
            " WHERE ic.contact_id = c.id AND ic.at <= ?) FROM contacts c WHERE c.id = ?",
            [stamp, contact_id],
        ).fetchone()
        if row is None:
            continue
        stored, latest = row
        later = latest is not None and (stored is None or latest > stored)
        if later or (before is not None and stored == before):
            db.execute(
                "UPDATE contacts SET last_contacted_at = ? WHERE id = ?", [latest, contact_id]
            )


def _retouch_deal(db: Database, now: datetime, deal_id: int | None, before: str | None) -> None:
    """A deal's last_activity_at, as _retouch_contacts does for contacts; when worked out
    again it is its latest touch, stage move or creation."""
    if deal_id is None:
        return
    row = db.execute(
        "SELECT d.last_activity_at, max(d.created_at, coalesce((SELECT max(h.at)"
        " FROM deal_history h WHERE h.deal_id = d.id AND h.at <= :now), ''),"
        " coalesce((SELECT max(i.at) FROM interactions i WHERE i.deal_id = d.id"
        " AND i.at <= :now AND i.cancelled_at IS NULL), ''))"
        " FROM deals d WHERE d.id = :id",
        {"now": to_iso(now), "id": deal_id},
    ).fetchone()
    if row is None:
        return
    stored, latest = row
    if latest > stored or (before is not None and stored == before and latest != stored):
        db.execute("UPDATE deals SET last_activity_at = ? WHERE id = ?", [latest, deal_id])


def _retouch(db: Database, now: datetime, old: Interaction, new: Interaction | None) -> None:
    contacts = {link.id for link in old.contacts}
    deals = {old.deal.id if old.deal else None}
    if new is not None:
        contacts |= {link.id for link in new.contacts}
        deals.add(new.deal.id if new.deal else None)
    before = _counts(old, now)
    _retouch_contacts(db, now, contacts, before)
    for deal_id in deals:
        _retouch_deal(db, now, deal_id, before if old.deal and old.deal.id == deal_id else None)


# -- changes -------------------------------------------------------------------------------


@dataclass
class InteractionChanges(PartialEdit):
    """`interaction edit`'s options (None, or an empty list: leave it alone)."""

    text: str | None = None
    kind: str | None = None
    at: datetime | None = None
    add_contact_ids: list[int] = field(default_factory=list)
    rm_contact_ids: list[int] = field(default_factory=list)
    deal_id: int | None = None
    no_deal: bool | None = None


def update_interaction(
    db: Database, now: datetime, interaction_id: int, changes: InteractionChanges
) -> Interaction:
    """Apply the changes in one go. At least one contact stays, unless the interaction is
    about a deal or a company."""
    old = get_interaction(db, interaction_id)
    sets: dict[str, object] = {}
    if changes.text is not None:
        sets["text"] = check_text(changes.text)
    if changes.kind is not None:
        sets["kind"] = check_kind(db, changes.kind)
    if changes.at is not None:
        sets["at"] = to_iso(changes.at)
    if changes.no_deal and changes.deal_id is not None:
        raise InvalidInput("give --deal or --no-deal, not both")
    if changes.no_deal:
        sets["deal_id"] = None
    elif changes.deal_id is not None:
        sets["deal_id"] = changes.deal_id
    linked = {link.id for link in old.contacts}
    for contact_id in changes.rm_contact_ids:
        if contact_id not in linked:
            name = _contact_name(db, contact_id)
            raise InvalidInput(
                f"contact {contact_id} {name} is not in interaction {interaction_id}",
                hint="see: pcrm interaction show " + str(interaction_id),
            )
    remaining = (linked | set(changes.add_contact_ids)) - set(changes.rm_contact_ids)
    deal_after = sets.get("deal_id", old.deal.id if old.deal else None)
    if not remaining and deal_after is None and old.company is None:
        raise InvalidInput(
            f"interaction {interaction_id} would be with nobody",
            hint="keep one contact, or remove the interaction (pcrm interaction rm)",
        )
    if sets:
        assignments = ", ".join(f"{column} = ?" for column in sets)
        db.execute(
            f"UPDATE interactions SET {assignments} WHERE id = ?", [*sets.values(), interaction_id]
        )
    if changes.rm_contact_ids:
        marks = ",".join("?" * len(changes.rm_contact_ids))
        db.execute(
            "DELETE FROM interaction_contacts WHERE interaction_id = ?"
            f" AND contact_id IN ({marks})",
            [interaction_id, *changes.rm_contact_ids],
        )
    db.conn.executemany(
        "INSERT OR IGNORE INTO interaction_contacts(interaction_id, contact_id) VALUES (?, ?)",
        [(interaction_id, contact_id) for contact_id in dict.fromkeys(changes.add_contact_ids)],
    )
    new = get_interaction(db, interaction_id)
    _retouch(db, now, old, new)
    return new


def _contact_name(db: Database, contact_id: int) -> str:
    row = db.execute("SELECT name FROM contacts WHERE id = ?", [contact_id]).fetchone()
    return str(row[0]) if row else ""


def remove_interactions(db: Database, now: datetime, ids: list[int]) -> list[Interaction]:
    """Remove them (their links go too); every id must exist, or nothing is removed."""
    found = load_interactions(db, list(dict.fromkeys(ids)))
    missing = sorted(set(ids) - {item.id for item in found})
    if missing:
        raise NotFound(
            f"no interaction {', '.join(map(str, missing))}; nothing removed",
            hint="see: pcrm interaction list",
        )
    for item in found:
        db.execute("DELETE FROM interactions WHERE id = ?", [item.id])
        record_deletion(db, now, "interaction", item.uid)
        _retouch(db, now, item, None)
    return found


def _when(stamp: str) -> str:
    return format_local(from_iso(stamp))


def cancel_interaction(db: Database, now: datetime, interaction_id: int) -> Interaction | None:
    """Mark a planned interaction (still to come) cancelled; None: it was already."""
    item = get_interaction(db, interaction_id)
    if item.cancelled_at is not None:
        return None
    if item.at <= to_iso(now):
        raise Conflict(
            f"interaction {interaction_id} is not planned: it was on {_when(item.at)}",
            hint=f"if it did not happen, remove it: pcrm interaction rm {interaction_id}",
        )
    db.execute(
        "UPDATE interactions SET cancelled_at = ? WHERE id = ?", [to_iso(now), interaction_id]
    )
    return get_interaction(db, interaction_id)


def set_cancelled(db: Database, now: datetime, interaction_id: int, cancelled: bool) -> None:
    """Mark an interaction cancelled, or no longer cancelled, whatever its time: for a
    source that says so (a calendar's STATUS:CANCELLED, `pcrm capture calendar`); the
    touches it made or makes are worked out again."""
    item = get_interaction(db, interaction_id)
    db.execute(
        "UPDATE interactions SET cancelled_at = ? WHERE id = ?",
        [to_iso(now) if cancelled else None, interaction_id],
    )
    _retouch(db, now, item, get_interaction(db, interaction_id))


def done_interaction(db: Database, now: datetime, interaction_id: int) -> Interaction | None:
    """A planned interaction that happened: now when it was still to come (its time stays
    when it has passed), and no longer cancelled. None: it had happened already."""
    item = get_interaction(db, interaction_id)
    stamp = to_iso(now)
    if item.cancelled_at is None and item.at <= stamp:
        return None
    db.execute(
        "UPDATE interactions SET at = min(at, ?), cancelled_at = NULL WHERE id = ?",
        [stamp, interaction_id],
    )
    new = get_interaction(db, interaction_id)
    _retouch(db, now, item, new)
    return new
