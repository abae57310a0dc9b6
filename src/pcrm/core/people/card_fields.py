"""A contact made or changed from a card read elsewhere (`pcrm vdir import`).

A card edited on another device changes only the fields that the edit touched: the caller
compares the card with the one last synced and names those fields in `only`. Lists
(emails, phones, faxes, URLs, addresses, tags) are taken whole, in the card's order. The
card's text becomes the contact's raw card, so what pcrm does not model (photos, labels,
X- properties) goes back out on the next export.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from pcrm.core.importing.models import ParsedContact
from pcrm.core.people.contacts import (
    ContactChanges,
    ContactForm,
    _add_emails,
    _add_phones,
    add_contact,
    add_details,
    phone_digits,
    update_contact,
)
from pcrm.core.people.models import Contact, Email, Phone, Url
from pcrm.core.people.text import normalise_email
from pcrm.core.vocabulary import PHONE_TAIL_SQL
from pcrm.errors import InvalidInput
from pcrm.store.db import Database

# The fields a card carries that pcrm models (the lifecycle stage is left out: a stage
# change has a history of its own, made with `pcrm contact stage`).
CARD_FIELDS = (
    "name", "nickname", "company", "title", "birthday", "anniversary", "note", "source",
    "cadence", "emails", "phones", "faxes", "urls", "addresses", "tags", "fields",
)  # fmt: skip
_SCALARS = ("nickname", "company", "title", "birthday", "anniversary", "note", "source", "cadence")


def _emails(pairs: list[tuple[str | None, str]]) -> list[Email]:
    """A card's emails as pcrm keeps them (lower case, each once), labels as the card has
    them: a phone's own label ("Work (main)") need not be one a user could type."""
    found: dict[str, Email] = {}
    for label, address in pairs:
        email = normalise_email(address)
        found.setdefault(email, Email(email, label))
    return list(found.values())


def _numbers(pairs: list[tuple[str | None, str]], what: str = "phone") -> list[Phone]:
    found: dict[str, Phone] = {}
    for label, number in pairs:
        digits = phone_digits(number)
        if not digits:
            raise InvalidInput(
                f'invalid {what} number "{number.strip()}"', hint="include its digits"
            )
        found.setdefault(digits, Phone(" ".join(number.split()), label))
    return list(found.values())


def _urls(pairs: list[tuple[str | None, str]]) -> list[Url]:
    return [Url(url.strip(), label) for label, url in pairs if url.strip()]


def card_values(parsed: ParsedContact) -> dict[str, object]:
    """What a card says for each of CARD_FIELDS, comparable between two cards."""
    return {
        **{name: getattr(parsed, name) for name in ("name", *_SCALARS)},
        "emails": [(label, value.lower()) for label, value in parsed.emails],
        "phones": list(parsed.phones),
        "faxes": list(parsed.faxes),
        "urls": list(parsed.urls),
        "addresses": list(parsed.addresses),
        "tags": list(parsed.tags),
        "fields": dict(parsed.fields),
    }


def changed_fields(base: ParsedContact | None, new: ParsedContact) -> list[str]:
    """The fields of `new` that differ from `base` (all of them without a base)."""
    if base is None:
        return list(CARD_FIELDS)
    before, after = card_values(base), card_values(new)
    return [name for name in CARD_FIELDS if before[name] != after[name]]


def keep_card(db: Database, contact_id: int, card: str) -> None:
    db.execute(
        "INSERT INTO contact_vcards(contact_id, card) VALUES (?, ?)"
        " ON CONFLICT(contact_id) DO UPDATE SET card = excluded.card",
        [contact_id, card],
    )


def apply_card(
    db: Database, now: datetime, contact_id: int, parsed: ParsedContact, only: Collection[str]
) -> None:
    """Make the contact say what the card says in the fields named in `only`."""
    if "name" in only and not parsed.name:
        raise InvalidInput("the card has no name (FN or N)", hint="give the card an FN line")
    changes = ContactChanges(name=parsed.name if "name" in only else None)
    for name in _SCALARS:
        if name in only:
            setattr(changes, name, getattr(parsed, name) or "")
    lists = {
        "emails": "contact_emails",
        "phones": "contact_phones",
        "faxes": "contact_faxes",
        "urls": "contact_urls",
        "addresses": "contact_addresses",
    }
    for name, table in lists.items():
        if name in only:
            db.execute(f"DELETE FROM {table} WHERE contact_id = ?", [contact_id])
    if "tags" in only:
        db.execute("DELETE FROM contact_tags WHERE contact_id = ?", [contact_id])
        changes.add_tags = list(parsed.tags)
    if "fields" in only:
        changes.set_fields = dict(parsed.fields)
    if only:
        update_contact(db, now, contact_id, changes)
    if "emails" in only:
        _add_emails(db, contact_id, _emails(parsed.emails))
    if "phones" in only:
        _add_phones(db, contact_id, _numbers(parsed.phones))
    add_details(
        db,
        contact_id,
        _numbers(parsed.faxes, "fax") if "faxes" in only else (),
        _urls(parsed.urls) if "urls" in only else (),
        parsed.addresses if "addresses" in only else (),
    )
    if parsed.vcard:
        keep_card(db, contact_id, parsed.vcard)


def matching_contact(db: Database, parsed: ParsedContact) -> int | None:
    """A contact already in pcrm that a new card stands for: one with one of its emails,
    else one with one of its phone numbers (the same digits, or the same national number
    written with and without the country code). Archived contacts match too."""
    for _label, address in parsed.emails:
        row = db.execute(
            "SELECT contact_id FROM contact_emails WHERE email = ?", [address.strip().lower()]
        ).fetchone()
        if row:
            return int(row[0])
    for _label, number in parsed.phones:
        digits = phone_digits(number)
        if len(digits) < 7:
            continue
        for contact_id, phone in db.execute(
            f"SELECT contact_id, phone FROM contact_phones WHERE {PHONE_TAIL_SQL} = ?",
            [digits[-8:]],
        ):
            other = phone_digits(phone)
            if other == digits or other.endswith(digits[-9:]) or digits.endswith(other[-9:]):
                return int(contact_id)
    return None


def fill_in(db: Database, now: datetime, contact: Contact, parsed: ParsedContact) -> None:
    """A card matched to a contact already in pcrm: what the contact lacks is taken from
    it (emails and numbers it does not have, empty fields), nothing it has is replaced."""
    given = [name for name in _SCALARS if getattr(parsed, name) is not None]
    present = {
        "nickname": contact.nickname, "company": contact.company, "title": contact.title,
        "birthday": contact.birthday, "anniversary": contact.anniversary,
        "note": contact.note, "source": contact.source, "cadence": contact.cadence_days,
    }  # fmt: skip
    changes = ContactChanges()
    for name in given:
        if present[name] is None:
            setattr(changes, name, getattr(parsed, name))
    changes.add_tags = [tag for tag in parsed.tags if tag not in contact.tags]
    update_contact(db, now, contact.id, changes)
    have = {email.email for email in contact.emails}
    _add_emails(
        db,
        contact.id,
        [e for e in _emails(parsed.emails) if e.email not in have],
    )
    numbers = {phone_digits(phone.phone) for phone in contact.phones}
    _add_phones(
        db,
        contact.id,
        [p for p in _numbers(parsed.phones) if phone_digits(p.phone) not in numbers],
    )
    add_details(db, contact.id, _numbers(parsed.faxes, "fax"), _urls(parsed.urls))
    if parsed.vcard:
        keep_card(db, contact.id, parsed.vcard)


def add_from_card(db: Database, now: datetime, parsed: ParsedContact) -> int:
    """A new contact from a card; returns its id."""
    if not parsed.name:
        raise InvalidInput("the card has no name (FN or N)", hint="give the card an FN line")
    form = ContactForm(
        name=parsed.name,
        company=parsed.company,
        title=parsed.title,
        source=parsed.source,
        tags=list(parsed.tags),
        birthday=parsed.birthday,
        anniversary=parsed.anniversary,
        cadence=parsed.cadence,
        note=parsed.note,
        fields=dict(parsed.fields),
        nickname=parsed.nickname,
    )
    saved = add_contact(db, now, form)
    contact_id = saved.contact.id
    _add_emails(db, contact_id, _emails(parsed.emails))
    _add_phones(db, contact_id, _numbers(parsed.phones))
    add_details(db, contact_id, _numbers(parsed.faxes, "fax"), _urls(parsed.urls), parsed.addresses)
    if parsed.vcard:
        keep_card(db, contact_id, parsed.vcard)
    return contact_id
