"""Contacts as vCards (3.0 or 4.0), written by formats/contentline.py (escaping, folding).

docs/import-export.md lists how each pcrm field maps onto a vCard property; the import of
pcrm's own cards reads the same mapping back.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
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
    from pcrm.core.importing.models import ParsedContact
    from pcrm.core.people.models import Address, Contact, Email, Phone, Url


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


@lru_cache(maxsize=4)
def _properties(raw: str) -> tuple[tuple[tuple[str | None, str], list[str]], ...]:
    """((group, NAME), physical lines) of each property of a raw card: read once for the
    three readers of a card being written (kept_lines, _kept_structured, _KeptEntries)."""
    return tuple((_property_name(lines[0]), lines) for lines in _logical_lines(raw))


def kept_lines(raw: str) -> list[str]:
    """The property lines of a raw card (or of several, after a merge) that pcrm neither
    reads nor writes (PHOTO, IMPP, X-...), unchanged and each once, for the export to
    write back out. An X-ABLabel is kept only with a kept property of its group."""
    properties = _properties(raw)
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
    own = _KeptEntries(contact.vcard, version)
    lines += [own.line(_adr_line(address)) for address in contact.addresses]
    if contact.anniversary and version == "4":
        lines.append("ANNIVERSARY:" + text(_compact(contact.anniversary)))
    if contact.birthday:
        lines.append(_birthday(contact.birthday, version))
    if contact.tags:
        lines.append("CATEGORIES:" + texts(contact.tags))
    lines += [own.line(_email_line(email, version)) for email in contact.emails]
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
    lines += [own.line(_tel_line(phone)) for phone in contact.phones]
    lines += [own.line(_fax_line(fax)) for fax in contact.faxes]
    if contact.title:
        lines.append("TITLE:" + text(contact.title))
    lines += [own.line(_url_line(url)) for url in contact.urls]
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
        kept_out = kept_lines(contact.vcard)
        out.extend(line + "\r\n" for line in kept_out)
        out.extend(line + "\r\n" for line in own.labels() if line not in kept_out)
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
    for (group, name), lines in _properties(contact.vcard):
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


def _adr_line(address: Address) -> str:
    fields = (address.street, address.locality, address.region, address.postcode)
    value = ";;" + texts((*(each or "" for each in fields), address.country or ""), ";")
    return _with_type("ADR", address.label, value)


def _email_line(email: Email, version: str) -> str:
    types = ["INTERNET"] if version == "3" else []
    if email.label:
        types.append(email.label)
    value = text(email.email)
    return f"EMAIL;TYPE={param(types)}:{value}" if types else "EMAIL:" + value


def _tel_line(phone: Phone) -> str:
    return _with_type("TEL", phone.label, text(phone.phone))


def _url_line(url: Url) -> str:
    return _with_type("URL", url.label, text(url.url))


def _fax_line(fax: Phone) -> str:
    types = ["FAX", fax.label] if fax.label else ["FAX"]
    return f"TEL;TYPE={param(types)}:{text(fax.phone)}"


class _KeptEntries:
    r"""The group and parameters of the raw card's own EMAIL, TEL, ADR and URL lines, for
    the entries pcrm still holds as the card said them: `pref`, VOICE and the like, and
    Apple's `itemN.` groups that tie a custom label (`itemN.X-ABLabel`) or a formatted
    address (`itemN.X-ABADR`) to the line, are more than pcrm's one label. A raw line's
    head stands in for pcrm's when reading that line alone (with its group's label) gives
    the entry pcrm holds; the value is always pcrm's, escaped as RFC 6350 says (a phone's
    `http\://` or a bare comma in ADR would be read otherwise by a server that writes the
    card again). An entry changed in pcrm is written by pcrm. Only from a card of the
    version being written, without ENCODING or CHARSET (vCard 2.1)."""

    NAMES = ("EMAIL", "TEL", "ADR", "URL")

    def __init__(self, raw: str | None, version: str) -> None:
        self._lines: dict[str, list[tuple[str | None, str]]] = {}
        self._used: set[str] = set()
        self._group_labels: dict[str, str] = {}
        if raw and re.search(rf"^VERSION:{version}\.0\s*$", raw, re.I | re.M):
            self._read(raw, version)

    def _read(self, raw: str, version: str) -> None:
        from pcrm.formats.contact_file import CardText
        from pcrm.formats.vcard_rows import VcardMapper

        properties = _properties(raw)
        for (group, name), lines in properties:
            if group and name == "X-ABLABEL":
                self._group_labels[group] = "\r\n".join(lines)
        mapper = VcardMapper()
        for (group, name), lines in properties:
            line = lines[0] + "".join(more[1:] for more in lines[1:])
            head = line.partition(":")[0].upper()
            if name not in self.NAMES or "ENCODING" in head or "CHARSET" in head:
                continue
            label = self._group_labels.get(group or "", "")
            card = f"BEGIN:VCARD\r\nVERSION:{version}.0\r\nFN:x\r\n{line}\r\n"
            if label:
                card += label + "\r\n"
            parsed = mapper.contact(CardText(1, card + "END:VCARD\r\n"))
            for ours in self._rendered(parsed, version):
                self._lines.setdefault(ours, []).append((group, line))

    @staticmethod
    def _rendered(parsed: ParsedContact, version: str) -> list[str]:
        from pcrm.core.people.models import Email, Phone, Url

        return [
            *(_email_line(Email(value, label), version) for label, value in parsed.emails),
            *(_tel_line(Phone(value, label)) for label, value in parsed.phones),
            *(_fax_line(Phone(value, label)) for label, value in parsed.faxes),
            *(_adr_line(address) for address in parsed.addresses),
            *(_url_line(Url(value, label)) for label, value in parsed.urls),
        ]

    def line(self, ours: str) -> str:
        """`ours` with the raw card's group and parameters for that entry, if it had it."""
        found = self._lines.get(ours)
        if not found:
            return ours
        group, line = found.pop(0)
        if group:
            self._used.add(group)
        return _head_value(line)[0] + ":" + _head_value(ours)[1]

    def labels(self) -> list[str]:
        """The X-ABLabel lines of the groups whose line was written from the raw card (and
        that kept_lines() did not keep with another property of the group)."""
        return [
            self._group_labels[group] for group in sorted(self._used) if group in self._group_labels
        ]


def _head_value(line: str) -> tuple[str, str]:
    """A content line's name and parameters, and its value: split at the first colon
    outside a quoted parameter value (`TYPE="a:b"`)."""
    quoted = False
    for index, char in enumerate(line):
        if char == '"':
            quoted = not quoted
        elif char == ":" and not quoted:
            return line[:index], line[index + 1 :]
    return line, ""


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
