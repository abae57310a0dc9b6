"""Contacts as vCards (3.0 or 4.0), written by formats/contentline.py (escaping, folding).

docs/import-export.md lists how each pcrm field maps onto a vCard property; the import of
pcrm's own cards reads the same mapping back.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, TextIO

from pcrm.dates import APPLE_NO_YEAR
from pcrm.formats.contentline import fold, param, text, texts

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
    raw card (when it was imported from one) that pcrm does not model follow unchanged.

    Written by formats/contentline.py, in vobject's order (VERSION, UID, then by property
    name): parsed by vobject it gives what vobject's own card of the contact gives."""
    lines = [f"VERSION:{version}.0", "UID:" + text(contact.uid)]
    for address in contact.addresses:
        fields = (address.street, address.locality, address.region, address.postcode)
        value = ";;" + texts((*(each or "" for each in fields), address.country or ""), ";")
        lines.append(_with_type("ADR", address.label, value))
    if contact.anniversary and version == "4":
        lines.append("ANNIVERSARY:" + text(_compact(contact.anniversary)))
    if contact.birthday:
        lines.append(_birthday(contact.birthday, version))
    if contact.tags:
        lines.append("CATEGORIES:" + texts(contact.tags))
    for email in contact.emails:
        types = ["INTERNET"] if version == "3" else []
        if email.label:
            types.append(email.label)
        value = text(email.email)
        lines.append(f"EMAIL;TYPE={param(types)}:{value}" if types else "EMAIL:" + value)
    lines.append("FN:" + text(contact.name))
    kept = _kept_structured(contact)
    given, _, family = contact.name.rpartition(" ")
    guessed = f"N:{text(family)};{text(given)};;;" if given else f"N:;{text(contact.name)};;;"
    lines.append(kept.get("N", guessed))
    if contact.nickname:
        lines.append("NICKNAME:" + text(contact.nickname))
    if contact.note:
        lines.append("NOTE:" + text(contact.note))
    if contact.company:
        lines.append(kept.get("ORG", "ORG:" + text(contact.company.name)))
    for phone in contact.phones:
        lines.append(_with_type("TEL", phone.label, text(phone.phone)))
    for fax in contact.faxes:
        types = ["FAX", fax.label] if fax.label else ["FAX"]
        lines.append(f"TEL;TYPE={param(types)}:{text(fax.phone)}")
    if contact.title:
        lines.append("TITLE:" + text(contact.title))
    for url in contact.urls:
        lines.append(_with_type("URL", url.label, text(url.url)))
    if contact.anniversary and version != "4":
        lines.append("X-ANNIVERSARY:" + text(contact.anniversary))
    if contact.cadence_days:
        lines.append(f"X-PCRM-CADENCE:{contact.cadence_days}")
    for name, field_value in contact.fields.items():
        lines.append(f"X-PCRM-FIELD;X-NAME={param(name)}:{text(_field_value(field_value))}")
    if contact.source:
        lines.append("X-PCRM-SOURCE:" + text(contact.source))
    if contact.lifecycle_stage:
        lines.append("X-PCRM-STAGE:" + text(contact.lifecycle_stage))
    out = ["BEGIN:VCARD\r\n", *map(fold, lines)]
    if contact.vcard:
        out.extend(line + "\r\n" for line in kept_lines(contact.vcard))
    out.append("END:VCARD\r\n")
    return "".join(out)


def _kept_structured(contact: Contact) -> dict[str, str]:
    """The raw card's N and ORG lines, unfolded, where pcrm still holds what they say: N
    while the name is the card's FN (pcrm keeps one name; the card's family, given and
    middle names, prefix and suffix are more than pcrm's guess from it), ORG while its
    first part is the contact's company (a department follows it). Lines with an
    ENCODING or CHARSET (vCard 2.1) are not copied into a 3.0 or 4.0 card."""
    if not contact.vcard:
        return {}
    found: dict[str, str] = {}
    for lines in _logical_lines(contact.vcard):
        group, name = _property_name(lines[0])
        line = lines[0] + "".join(more[1:] for more in lines[1:])
        head, _, value = line.partition(":")
        if group or name in found or any(p in head.upper() for p in ("ENCODING", "CHARSET")):
            continue
        if name in ("FN", "N", "ORG"):
            found[name] = line if name != "FN" else value
    kept: dict[str, str] = {}
    if "N" in found and found.get("FN") == text(contact.name):
        kept["N"] = found["N"]
    org = found.get("ORG", "")
    company = contact.company.name if contact.company else None
    if company and re.split(r"(?<!\\);", org.partition(":")[2])[0] == text(company):
        kept["ORG"] = org
    return kept


def _with_type(name: str, label: str | None, value: str) -> str:
    return f"{name};TYPE={param(label)}:{value}" if label else f"{name}:{value}"


def _compact(day: str) -> str:
    """vCard 4's day without a year: `--MM-DD` -> `--MMDD`."""
    return "--" + day[2:].replace("-", "") if day.startswith("--") else day


def _birthday(birthday: str, version: str) -> str:
    """A birthday without a year is `--MM-DD` in pcrm: vCard 4 writes `--MMDD`; vCard 3
    has no way to say it, so Apple's convention (year 1604, X-APPLE-OMIT-YEAR) is used."""
    if not birthday.startswith("--"):
        return "BDAY:" + text(birthday)
    if version == "4":
        return "BDAY:" + text(_compact(birthday))
    return f"BDAY;X-APPLE-OMIT-YEAR={APPLE_NO_YEAR}:{APPLE_NO_YEAR}-{text(birthday[2:])}"


def _field_value(value: FieldValue) -> str:
    return repr(value) if isinstance(value, float) else str(value)


def write_cards(stream: TextIO, contacts: Iterable[Contact], version: str = "3") -> int:
    """Write one card per contact as they come; returns how many."""
    count = 0
    for count, contact in enumerate(contacts, start=1):  # noqa: B007 (the last is the total)
        stream.write(contact_card(contact, version))
    return count
