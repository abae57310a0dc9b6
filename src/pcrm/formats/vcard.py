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

# What contact_card writes itself: a raw card's lines of these names are never copied.
WRITTEN_PROPERTIES = frozenset(
    {"BEGIN", "END", "VERSION", "UID", "FN", "N", "EMAIL", "TEL", "ORG", "TITLE", "BDAY"}
    | {"NOTE", "CATEGORIES", "X-PCRM-SOURCE", "X-PCRM-FIELD", "NICKNAME", "ADR", "URL"}
    | {"ANNIVERSARY", "X-ANNIVERSARY", "X-PCRM-CADENCE", "X-PCRM-STAGE"}
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


def _anniversary(card: vobject.base.Component, anniversary: str, version: str) -> None:
    """vCard 4's ANNIVERSARY (`--MMDD` without a year); vCard 3 has none: X-ANNIVERSARY,
    as Evolution and KAddressBook write it (`--MM-DD` without a year)."""
    if version == "4":
        prop = card.add("anniversary")
        prop.value = (
            "--" + anniversary[2:].replace("-", "") if anniversary[:2] == "--" else anniversary
        )
    else:
        card.add("x-anniversary").value = anniversary


def _logical_lines(text: str) -> list[list[str]]:
    """A raw card's properties, each as its physical lines: folded lines (a leading space
    or tab) and quoted-printable soft line breaks (a trailing `=`) stay with theirs."""
    found: list[list[str]] = []
    soft = False
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if found and (soft or line[:1] in (" ", "\t")):
            found[-1].append(line)
        elif line.strip():
            found.append([line])
        else:
            soft = False
            continue
        head = found[-1][0].split(":", 1)[0].upper()
        soft = "QUOTED-PRINTABLE" in head and line.endswith("=")
    return found


def _property_name(first_line: str) -> tuple[str | None, str]:
    """(group, NAME) of a property line: `item1.X-ABLabel;x=y:...` -> ("item1", "X-ABLABEL")."""
    name = first_line.split(":", 1)[0].split(";", 1)[0].strip()
    group, _, bare = name.rpartition(".")
    return (group.lower() or None), bare.upper()


def kept_lines(raw: str) -> list[str]:
    """The property lines of a raw card (or of several, after a merge) that pcrm neither
    reads nor writes (PHOTO, IMPP, X-...), unchanged and each once, for the export to
    write back out. An X-ABLabel is kept only with a kept property of its group."""
    properties = [(_property_name(lines[0]), lines) for lines in _logical_lines(raw)]
    skipped = READ_PROPERTIES | WRITTEN_PROPERTIES
    kept_groups = {group for (group, name), _ in properties if group and name not in skipped}
    out: list[str] = []
    seen: set[str] = set()
    for (group, name), lines in properties:
        if name in skipped and not (name == "X-ABLABEL" and group in kept_groups):
            continue
        text = "\r\n".join(lines)
        if text not in seen:
            seen.add(text)
            out.append(text)
    return out


def contact_card(contact: Contact, version: str = "3") -> str:
    """One contact as a vCard, CRLF line ends, folded at 75 octets; the properties of its
    raw card (when it was imported from one) that pcrm does not model follow unchanged."""
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
    for fax in contact.faxes:
        prop = card.add("tel")
        prop.value = fax.phone
        prop.type_param = ["FAX", fax.label] if fax.label else "FAX"
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
    if contact.nickname:
        card.add("nickname").value = contact.nickname
    for address in contact.addresses:
        prop = card.add("adr")
        prop.value = vobject.vcard.Address(
            street=address.street or "",
            city=address.locality or "",
            region=address.region or "",
            code=address.postcode or "",
            country=address.country or "",
        )
        if address.label:
            prop.type_param = address.label
    for url in contact.urls:
        prop = card.add("url")
        prop.value = url.url
        if url.label:
            prop.type_param = url.label
    if contact.anniversary:
        _anniversary(card, contact.anniversary, version)
    if contact.cadence_days:
        card.add("x-pcrm-cadence").value = str(contact.cadence_days)
    if contact.lifecycle_stage:
        card.add("x-pcrm-stage").value = contact.lifecycle_stage
    if contact.source:
        card.add("x-pcrm-source").value = contact.source
    for name, value in contact.fields.items():
        prop = card.add("x-pcrm-field")
        prop.value = _field_value(value)
        prop.x_name_param = name
    text: str = card.serialize()
    if contact.vcard:
        extra = kept_lines(contact.vcard)
        if extra:
            end = text.rindex("END:VCARD")
            text = text[:end] + "".join(line + "\r\n" for line in extra) + text[end:]
    return text


def write_cards(stream: TextIO, contacts: Iterable[Contact], version: str = "3") -> int:
    """Write one card per contact as they come; returns how many."""
    count = 0
    for count, contact in enumerate(contacts, start=1):  # noqa: B007 (the last is the total)
        stream.write(contact_card(contact, version))
    return count
