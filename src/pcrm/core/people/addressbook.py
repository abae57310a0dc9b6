"""Address completion for mail clients (`pcrm contact query`): contacts' addresses whose
name or address contains what was typed, case- and accent-insensitive (as REF matching
reads names: name_key)."""

from __future__ import annotations

from dataclasses import dataclass

from pcrm.core.people.text import folded_key, name_key
from pcrm.store.db import Database

QUERY_LIMIT = 200  # mail clients show a short menu; nobody scrolls through more


@dataclass(frozen=True)
class AddressMatch:
    email: str
    name: str
    company: str  # "" when none


def query_addresses(db: Database, text: str, *, limit: int = QUERY_LIMIT) -> list[AddressMatch]:
    """Every (email, name, company) whose contact's name or email contains `text`: names
    that start with it first, then by name; a contact's addresses in their order."""
    key = name_key(text)
    if not key:
        return []
    like = "%" + key.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    folded = (
        "%" + folded_key(key).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    )
    rows = db.execute(
        "SELECT e.email, c.name, coalesce(co.name, ''), c.name_key FROM contact_emails e"
        " JOIN contacts c ON c.id = e.contact_id"
        " LEFT JOIN companies co ON co.id = c.company_id"
        " WHERE c.name_key LIKE :like ESCAPE '\\' OR e.email LIKE :like ESCAPE '\\'"
        " OR replace(replace(replace(c.name_key, 'ue', 'u'), 'oe', 'o'), 'ae', 'a')"
        " LIKE :folded ESCAPE '\\'"
        " ORDER BY (c.name_key LIKE :prefix ESCAPE '\\' OR e.email LIKE :prefix ESCAPE '\\') DESC,"
        " c.name_key, c.id, e.position LIMIT :limit",
        {"like": like, "folded": folded, "prefix": like[1:], "limit": limit},
    )
    return [AddressMatch(email, name, company) for email, name, company, _key in rows]
