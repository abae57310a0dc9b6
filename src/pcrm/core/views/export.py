"""Reading records for `pcrm export`: in batches, in id order, so an export of 100 000
contacts never holds them all in memory. The caller keeps one read transaction open
(store.db.read_snapshot) so every batch sees the same database."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from typing import TypeVar

from pcrm.core.base import Link
from pcrm.core.deals.deals import load_deals
from pcrm.core.deals.models import Deal
from pcrm.core.people import fields as custom_fields
from pcrm.core.people import tags
from pcrm.core.people.companies import load_companies
from pcrm.core.people.contacts import load_contacts, load_vcards
from pcrm.core.people.models import Company, Contact
from pcrm.core.people.tags import chunks
from pcrm.core.views.models import ExportedInteraction
from pcrm.store.db import Database

BATCH = 500
T = TypeVar("T")
Tags = str | Sequence[str] | None  # --tag: one, or several that must all be on a record

# kind -> (table, alias, tag link table, its record column)
_KINDS = {
    "contact": ("contacts", "c", "contact_tags", "contact_id"),
    "company": ("companies", "co", "company_tags", "company_id"),
    "deal": ("deals", "d", "deal_tags", "deal_id"),
}


def _filter(
    db: Database, kind: str, tag: Tags, conditions: Sequence[str], now: datetime | None
) -> tuple[str, list[object]]:
    """`FROM ... WHERE ...` selecting the records of `kind` with the tag and conditions."""
    table, alias = _KINDS[kind][:2]
    where, params = custom_fields.where_sql(db, now, kind, f"{alias}.id", conditions)
    # Every tag given, split on commas as `list --tag` does (docs/guide.md, "Filters").
    tag_terms, tag_params = tags.filter_sql(
        kind, f"{alias}.id", [tag] if isinstance(tag, str) else tag or []
    )
    where += tag_terms
    params += tag_params
    return f"FROM {table} {alias} WHERE {' AND '.join(where) or '1'}", params


def count(
    db: Database,
    kind: str,
    *,
    tag: Tags = None,
    conditions: Sequence[str] = (),
    now: datetime | None = None,
) -> int:
    """How many records an export of `kind` ("contact", "company", "deal", "interaction")
    with these filters writes: the total of its progress bar."""
    if kind == "interaction":
        return int(db.execute("SELECT count(*) FROM interactions").fetchone()[0])
    sql, params = _filter(db, kind, tag, conditions, now)
    return int(db.execute(f"SELECT count(*) {sql}", params).fetchone()[0])


def _batches(
    db: Database,
    kind: str,
    load: Callable[[Database, list[int]], list[T]],
    tag: Tags,
    conditions: Sequence[str],
    now: datetime | None,
) -> Iterator[T]:
    alias = _KINDS[kind][1]
    selection, params = _filter(db, kind, tag, conditions, now)
    sql = f"SELECT {alias}.id {selection} AND {alias}.id > ? ORDER BY {alias}.id LIMIT {BATCH}"
    last = 0
    while True:
        ids = [row[0] for row in db.execute(sql, [*params, last])]
        if not ids:
            return
        yield from load(db, ids)
        last = ids[-1]


def contacts(
    db: Database,
    *,
    tag: Tags = None,
    conditions: Sequence[str] = (),
    now: datetime | None = None,
    vcards: bool = False,
) -> Iterator[Contact]:
    """Contacts with the tag and matching every `--where` condition, by id; with their
    raw vCards when `vcards` (the vCard export writes their unmodelled properties)."""

    def load(db: Database, ids: list[int]) -> list[Contact]:
        found = load_contacts(db, ids)
        cards = load_vcards(db, ids)
        for contact in found:
            contact.vcard = cards.get(contact.id)
        return found

    return _batches(db, "contact", load if vcards else load_contacts, tag, conditions, now)


def companies(
    db: Database,
    *,
    tag: Tags = None,
    conditions: Sequence[str] = (),
    now: datetime | None = None,
) -> Iterator[Company]:
    return _batches(db, "company", load_companies, tag, conditions, now)


def deals(
    db: Database,
    *,
    tag: Tags = None,
    conditions: Sequence[str] = (),
    now: datetime | None = None,
) -> Iterator[Deal]:
    """Every deal, open or closed, with the tag and matching the conditions, by id."""
    return _batches(db, "deal", load_deals, tag, conditions, now)


def interactions(db: Database) -> Iterator[ExportedInteraction]:
    """Every interaction, oldest first (by time, then id)."""
    last_at, last_id = "", 0
    while True:
        rows = db.execute(
            "SELECT i.id, i.uid, i.kind, i.at, i.text, i.company_id, co.name, i.deal_id, d.title,"
            " i.cancelled_at, i.source, i.external_id, i.direction"
            " FROM interactions i LEFT JOIN companies co ON co.id = i.company_id"
            " LEFT JOIN deals d ON d.id = i.deal_id"
            " WHERE (i.at, i.id) > (?, ?) ORDER BY i.at, i.id LIMIT ?",
            [last_at, last_id, BATCH],
        ).fetchall()
        if not rows:
            return
        # mypy cannot know the length of row[:5] (id..text), so it thinks it may fill the
        # keywords too (python/mypy#20441).
        found = {
            row[0]: ExportedInteraction(  # type: ignore[misc]
                *row[:5],
                company=Link("company", row[5], row[6]) if row[5] is not None else None,
                deal=Link("deal", row[7], row[8]) if row[7] is not None else None,
                cancelled_at=row[9],
                source=row[10],
                external_id=row[11],
                direction=row[12],
            )
            for row in rows
        }
        for chunk in chunks(list(found)):
            marks = ",".join("?" * len(chunk))
            for interaction_id, contact_id, name, uid in db.execute(
                "SELECT ic.interaction_id, c.id, c.name, c.uid FROM interaction_contacts ic"
                f" JOIN contacts c ON c.id = ic.contact_id WHERE ic.interaction_id IN ({marks})"
                " ORDER BY c.name_key, c.id",
                chunk,
            ):
                item = found[interaction_id]
                item.contacts.append(Link("contact", contact_id, name))
                item.contact_uids.append(uid)
        yield from found.values()
        last_at, last_id = rows[-1][3], rows[-1][0]


def field_names(db: Database, kind: str) -> list[str]:
    """The custom fields of a kind, by name: the `field:NAME` columns of a CSV export."""
    return [definition.name for definition in custom_fields.definitions(db, kind)]
