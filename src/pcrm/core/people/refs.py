"""Matching contacts and companies to a bare REF (the prefix is core/refs.py's business).

A contact: an id, an exact email (any case; a REF with an @ is read as an email only),
a phone number however it is written ("+49 171 1234567", "0171 1234567"), or a piece of
the name. A company: an id, an exact domain, or a piece of the name.
"""

from __future__ import annotations

from pcrm.core.matching import (
    MAX_CANDIDATES,
    Matcher,
    close_names,
    id_param,
    is_id,
    name_ids,
    one,
    row_id,
    search_hint,
)
from pcrm.core.people.phones import number_digits, same_number, typed_number
from pcrm.core.people.text import name_key
from pcrm.core.vocabulary import PHONE_TAIL_SQL
from pcrm.errors import NotFound
from pcrm.store.db import Database


def _id_not_found(db: Database, kind: str, ref: str) -> NotFound:
    """No such id; when a merge took it away, say where it went."""
    merged = db.execute(
        "SELECT keep_id FROM merges WHERE kind = ? AND other_id = ? ORDER BY id DESC LIMIT 1",
        [kind, id_param(ref)],
    ).fetchone()
    if merged:
        return NotFound(
            f"no {kind} has id {ref}: it was merged into {kind} {merged[0]}",
            hint=f"see: pcrm {kind} show {merged[0]}; pcrm undo reverses the last merge",
        )
    return NotFound(f"no {kind} has id {ref}", hint=f"see: pcrm {kind} list")


def contacts_by_phone(db: Database, text: str) -> dict[int, str]:
    """The contacts with a phone number that `text` is (each with that number as stored),
    by the last 8 digits (the contact_phones_tail index) and then all the digits typed;
    empty when `text` is not a phone number."""
    digits = typed_number(text)
    if digits is None:
        return {}
    rows = db.execute(
        f"SELECT contact_id, phone FROM contact_phones WHERE {PHONE_TAIL_SQL} = ?"
        " ORDER BY contact_id, position, id",
        [digits[-8:]],
    )
    found: dict[int, str] = {}
    for contact_id, phone in rows:
        if same_number(digits, number_digits(phone)):
            found.setdefault(contact_id, phone)
    return found


def _by_phone(db: Database, ref: str, found: dict[int, str]) -> int:
    """The one contact of a phone-number REF; else not found, or the candidates."""
    if not found:
        raise NotFound(f"no contact has the phone number {ref.strip()}", hint=search_hint(ref))
    ids = list(found)
    return one(
        db,
        "contact",
        ref,
        (ids[: MAX_CANDIDATES + 1], len(ids)),
        describe_contacts,
        none_hint=search_hint(ref),
        narrow_hint="use the id, an email or the name",
    )


def match_contact(db: Database, ref: str) -> int:
    if is_id(ref):
        found = row_id(db, "contacts", ref)
        if found is None:
            # "01711234567": no contact has that id, and someone has that number.
            by_phone = contacts_by_phone(db, ref)
            if by_phone:
                return _by_phone(db, ref, by_phone)
            raise _id_not_found(db, "contact", ref)
        return found
    if typed_number(ref) is not None:
        return _by_phone(db, ref, contacts_by_phone(db, ref))
    if "@" in ref:
        row = db.execute(
            "SELECT contact_id FROM contact_emails WHERE email = ?", [ref.lower()]
        ).fetchone()
        if row is None:
            raise NotFound(f"no contact has the email {ref}", hint=search_hint(ref))
        return int(row[0])
    return one(
        db,
        "contact",
        ref,
        name_ids(db, "contacts", "name_key", ref, "give an id, an email or a name"),
        describe_contacts,
        none_hint=search_hint(ref),
        narrow_hint="use the id, an email, or more of the name",
        closest=lambda: _close_contacts(db, ref),
    )


def match_company(db: Database, ref: str) -> int:
    if is_id(ref):
        found = row_id(db, "companies", ref)
        if found is None:
            raise _id_not_found(db, "company", ref)
        return found
    row = db.execute("SELECT id FROM companies WHERE domain = ?", [ref.lower()]).fetchone()
    if row is not None:
        return int(row[0])
    return one(
        db,
        "company",
        ref,
        name_ids(db, "companies", "name_key", ref, "give an id, a domain or a name"),
        describe_companies,
        none_hint=search_hint(ref),
        narrow_hint="use the id, the domain, or more of the name",
        closest=lambda: _close_companies(db, ref),
    )


def describe_contacts(db: Database, ids: list[int]) -> list[str]:
    """One line per contact for an ambiguity message: id, name, email, company."""
    lines = []
    for contact_id in ids:
        row = db.execute(
            "SELECT c.id, c.name,"
            " (SELECT email FROM contact_emails e WHERE e.contact_id = c.id"
            "  ORDER BY position, id LIMIT 1),"
            " (SELECT name FROM companies WHERE id = c.company_id)"
            " FROM contacts c WHERE c.id = ?",
            [contact_id],
        ).fetchone()
        _id, name, email, company = row
        parts = [f"{_id}", name, f"<{email}>" if email else "", f"({company})" if company else ""]
        lines.append("  ".join(part for part in parts if part))
    return lines


def describe_companies(db: Database, ids: list[int]) -> list[str]:
    """One line per company for an ambiguity message: id, name, domain, people."""
    lines = []
    for company_id in ids:
        _id, name, domain, people = db.execute(
            "SELECT id, name, domain, (SELECT count(*) FROM contacts WHERE company_id = co.id)"
            " FROM companies co WHERE id = ?",
            [company_id],
        ).fetchone()
        people_text = f"({people} {'person' if people == 1 else 'people'})"
        parts = [f"{_id}", name, domain or "", people_text]
        lines.append("  ".join(part for part in parts if part))
    return lines


def _whole_contact(db: Database, contact_id: int, ref: str) -> bool:
    """An email, a phone number, or the whole name."""
    if "@" in ref or typed_number(ref) is not None:
        return True
    row = db.execute(
        "SELECT 1 FROM contacts WHERE id = ? AND name_key = ?", [contact_id, name_key(ref)]
    ).fetchone()
    return row is not None


def _whole_company(db: Database, company_id: int, ref: str) -> bool:
    """The domain, or the whole name."""
    row = db.execute(
        "SELECT 1 FROM companies WHERE id = ? AND (name_key = ? OR domain = ?)",
        [company_id, name_key(ref), ref.lower()],
    ).fetchone()
    return row is not None


def _close_contacts(db: Database, ref: str) -> list[str]:
    return close_names(db, "contacts", "name_key", "name", ref)


def _close_companies(db: Database, ref: str) -> list[str]:
    return close_names(db, "companies", "name_key", "name", ref)


CONTACTS = Matcher("contact", match_contact, _whole_contact, describe_contacts, _close_contacts)
COMPANIES = Matcher("company", match_company, _whole_company, describe_companies, _close_companies)
