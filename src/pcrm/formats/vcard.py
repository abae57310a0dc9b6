"""Contacts as vCards (3.0 or 4.0) through vobject, which folds lines and escapes values.

docs/import-export.md lists how each pcrm field maps onto a vCard property; the import of
pcrm's own cards reads the same mapping back.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, TextIO

import vobject

from pcrm.dates import APPLE_NO_YEAR

# vCard properties an import reads into the contact, or that carry nothing to keep: the
# others are unmapped, kept in the contact's raw card and written back out on export.
READ_PROPERTIES = frozenset(
    {"VERSION", "PRODID", "REV", "N", "FN", "EMAIL", "TEL", "ORG", "TITLE", "BDAY", "NOTE"}
    | {"CATEGORIES", "UID", "X-ABLABEL", "X-ABSHOWAS", "X-ABUID", "KIND", "PROFILE"}
    | {"NICKNAME", "ADR", "URL", "X-SOCIALPROFILE", "ANNIVERSARY", "X-ANNIVERSARY"}
    | {"X-EVOLUTION-ANNIVERSARY", "X-MS-ANNIVERSARY", "X-KADDRESSBOOK-X-ANNIVERSARY"}
    | {"X-PCRM-SOURCE", "X-PCRM-FIELD", "X-PCRM-CADENCE", "X-PCRM-STAGE"}
)

if TYPE_CHECKING:
    from pcrm.core.base import FieldValue
    from pcrm.core.people.models import Contact


def _name(full: str) -> vobject.vcard.Name:
    """N: family name last ("Ada King Lovelace" -> given "Ada King", family "Lovelace")."""
    given, _, family = full.rpartition(" ")
    if not given:
        return vobject.vcard.Name(given=full)
    return vobject.vcard.Name(family=family, given=given)


def _birthday(card: vobject.base.Component, birthday: str, version: str) -> None:
    """A birthday without a year is `--MM-DD` in pcrm: vCard 4 writes `--MMDD`; vCard 3
    has no way to say it, so Apple's convention (year 1604, X-APPLE-OMIT-YEAR) is used."""
    prop = card.add("bday")
    if not birthday.startswith("--"):
        prop.value = birthday
    elif version == "4":
        prop.value = "--" + birthday[2:].replace("-", "")
    else:
        prop.value = f"{APPLE_NO_YEAR}-{birthday[2:]}"
        prop.x_apple_omit_year_param = str(APPLE_NO_YEAR)


def _field_value(value: FieldValue) -> str:
    return repr(value) if isinstance(value, float) else str(value)


def contact_card(contact: Contact, version: str = "3") -> str:
    """One contact as a vCard, CRLF line ends, folded at 75 octets."""
    card = vobject.vCard()
    card.add("version").value = f"{version}.0"
    card.add("uid").value = contact.uid
    card.add("fn").value = contact.name
    card.add("n").value = _name(contact.name)
    for email in contact.emails:
        prop = card.add("email")
        prop.value = email.email
        types = ["INTERNET"] if version == "3" else []
        if email.label:
            types.append(email.label)
        if types:
            prop.type_param = types
    for phone in contact.phones:
        prop = card.add("tel")
        prop.value = phone.phone
        if phone.label:
            prop.type_param = phone.label
    if contact.company:
        card.add("org").value = [contact.company.name]
    if contact.title:
        card.add("title").value = contact.title
    if contact.birthday:
        _birthday(card, contact.birthday, version)
    if contact.note:
        card.add("note").value = contact.note
    if contact.tags:
        card.add("categories").value = list(contact.tags)
    if contact.source:
        card.add("x-pcrm-source").value = contact.source
    for name, value in contact.fields.items():
        prop = card.add("x-pcrm-field")
        prop.value = _field_value(value)
        prop.x_name_param = name
    return card.serialize()


def write_cards(stream: TextIO, contacts: Iterable[Contact], version: str = "3") -> int:
    """Write one card per contact as they come; returns how many."""
    count = 0
    for count, contact in enumerate(contacts, start=1):  # noqa: B007 (the last is the total)
        stream.write(contact_card(contact, version))
    return count
