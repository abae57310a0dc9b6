"""One row of a CSV file as the contact it describes (not yet validated; vCards:
formats/vcard_rows.py).

Values stay as written, in core's ParsedContact; core/importing/importer.py validates them
(emails, birthdays, custom fields) and decides what to write. A row keeps its physical
line number and its original cells (or card text), so a rejected row can be named and
written back for fixing.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from collections.abc import Callable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import TextIO

from pcrm.core.importing.models import ParsedContact
from pcrm.core.people.models import Address
from pcrm.formats import pcrm_csv
from pcrm.formats.contact_file import CsvLayout, CsvRow
from pcrm.formats.contact_presets import Preset, Target
from pcrm.formats.import_output import OutputFile

# Several values in one cell: Google's " ::: ", HubSpot's and Outlook's ";", and newlines.
_MULTI = re.compile(r"\s*:::\s*|\s*;\s*|\s*\n\s*")
_TAGS = re.compile(r"\s*:::\s*|\s*[;,\n]\s*")


def _split(text: str, pattern: re.Pattern[str] = _MULTI) -> list[str]:
    if pattern is _MULTI and ";" not in text and "\n" not in text and ":::" not in text:
        return [text] if text.strip() else []  # one value: most cells, skip the regex
    return [piece for piece in pattern.split(text) if piece.strip()]


@lru_cache(maxsize=1024)  # a file has a handful of labels, on every row
def _label(text: str | None) -> str | None:
    """Google's "* Work" (the star marks the primary) -> "work"."""
    if not text:
        return None
    return " ".join(text.strip().lstrip("*").split()).lower() or None


class CsvMapper:
    """Turns rows of one file into contacts, with the columns' targets resolved once."""

    def __init__(self, layout: CsvLayout, preset: Preset) -> None:
        self.header = layout.header
        self.preset = preset
        self.targets: list[Target | None] = [preset.target(column) for column in self.header]
        self.blanks = [preset.blanks.get(" ".join(c.split()).casefold()) for c in self.header]
        self.unmapped_counts: Counter[str] = Counter()  # unmapped column -> rows with a value
        self.pcrm = preset.pcrm_layout
        # (column, target, blanks, the target's field): the field looked up once per file
        self.columns = [
            (column, target, blanks, target.field if target else "")
            for column, target, blanks in zip(self.header, self.targets, self.blanks, strict=True)
        ]
        # one cell's values: pcrm's layout escapes `;` inside values, others' are plain
        self.values: Callable[[str], list[str]] = pcrm_csv.split_values if self.pcrm else _split

    @property
    def mapped(self) -> list[tuple[str, Target]]:
        return [(c, t) for c, t in zip(self.header, self.targets, strict=True) if t is not None]

    def contact(self, row: CsvRow) -> ParsedContact:
        cells = row.cells
        parsed = ParsedContact(row.line, cells)
        if row.problem:  # too long to hold: no cells
            parsed.problem = row.problem
            return parsed
        width = len(self.header)
        if len(cells) > width and not any(cell.strip() for cell in cells[width:]):
            cells = cells[:width]  # a trailing delimiter: Excel's "a;b;c;"
        elif len(cells) < width:  # Outlook ends a row at its last non-empty cell
            cells = cells + [""] * (width - len(cells))
        if len(cells) != width:
            parsed.problem = f"has {len(cells)} cells, the header has {width}"
            return parsed
        names: dict[str, list[str]] = {}
        labels: dict[tuple[str, str | None], str] = {}
        emails: list[tuple[Target, str]] = []
        phones: list[tuple[Target, str]] = []
        notes: list[str] = []
        others: dict[str, list[tuple[Target, str]]] | None = None  # faxes, urls, addresses
        birth: dict[str, str] | None = None  # Thunderbird's Birth Year, Month and Day
        pcrm = self.pcrm
        for (column, target, blanks, kind), cell in zip(self.columns, cells, strict=True):
            if not cell:  # most cells of a wide export are empty
                continue
            if pcrm:
                value = pcrm_csv.restore(cell).strip()
            elif "\r" in cell:  # Windows line ends inside quoted cells become plain ones
                value = cell.replace("\r\n", "\n").replace("\r", "\n").strip()
            else:
                value = cell.strip()
            if not value or (blanks and value in blanks):
                continue
            if target is None:
                parsed.unmapped.append((column, value))
                self.unmapped_counts[column] += 1
                continue
            if pcrm and kind in pcrm_csv.LABELLED_TARGETS:  # labels of any text
                pcrm_csv.read_labelled(parsed, kind, value)
                continue
            if kind in _NAMES:
                if kind in names:
                    names[kind].append(value)
                else:
                    names[kind] = [value]
            elif kind in _LABELS:  # email_label, phone_label, url_label...
                labels[kind, target.slot] = value
            elif kind == "email":
                emails.append((target, value))
            elif kind == "phone":
                phones.append((target, value))
            elif kind in _GROUPED:  # faxes, urls, address parts
                if others is None:
                    others = {kind: [(target, value)]}
                elif kind in others:
                    others[kind].append((target, value))
                else:
                    others[kind] = [(target, value)]
            elif kind == "tags":
                pieces = self._split(value, _TAGS)
                parsed.tags.extend(tag for tag in pieces if not tag.startswith("* "))
            elif kind == "note":
                notes.append(value)
            elif kind == "custom":
                parsed.fields.setdefault(target.arg or "", value)
            elif kind == "stage" and self.preset.stage_names:
                key = " ".join(value.split()).casefold()
                parsed.stage = self.preset.stage_names.get(key, value)
            elif kind == "birthday" and target.arg in _BIRTH_PARTS:
                birth = birth or {}
                birth.setdefault(target.arg, value)
            elif getattr(parsed, kind, "") is None:  # company, title...: the first value wins
                setattr(parsed, kind, value)
        if names:
            parsed.name = _full_name(names)
        if notes:
            parsed.note = notes[0] if len(notes) == 1 else "\n\n".join(notes)
        if birth and parsed.birthday is None:
            parsed.birthday = _birth_date(birth)
        if emails:
            parsed.emails = _labelled(emails, labels, "email_label", self.values)
        if phones:
            parsed.phones = _labelled(phones, labels, "phone_label", self.values)
            if any(label and "fax" in label for label, _ in parsed.phones):
                _faxes_apart(parsed)  # Google's "Work Fax", "Home Fax" phones
        if others:
            self._others(parsed, others, labels)
        return parsed

    def _others(
        self,
        parsed: ParsedContact,
        others: dict[str, list[tuple[Target, str]]],
        labels: dict[tuple[str, str | None], str],
    ) -> None:
        """Faxes, web pages and postal addresses (in parts, grouped by slot)."""
        if "fax" in others:
            parsed.faxes += _labelled(others.pop("fax"), labels, "fax_label", self.values)
        if "url" in others:
            parsed.urls += _labelled(others.pop("url"), labels, "url_label", self.values)
        if others:
            parsed.addresses += _addresses(others, labels)

    def _split(self, cell: str, pattern: re.Pattern[str] = _MULTI) -> list[str]:
        """pcrm's layout escapes `;` inside values; other exporters' separators are plain."""
        return pcrm_csv.split_values(cell) if self.pcrm else _split(cell, pattern)


_NAMES = frozenset({"name", "first_name", "middle_name", "last_name", "name_suffix"})
_LABELS = frozenset({"email_label", "phone_label", "url_label", "address_label", "fax_label"})
_BIRTH_PARTS = frozenset({"year", "month", "day"})
# An address part's place in core's Address; the PO box and extended address (Google's
# columns) are folded into the street, as the model says.
_ADDRESS_PARTS = {
    "address_street": "street",
    "address_locality": "locality",
    "address_region": "region",
    "address_postcode": "postcode",
    "address_country": "country",
}
_GROUPED = frozenset({"fax", "url", "address", *_ADDRESS_PARTS})


def _birth_date(parts: dict[str, str]) -> str:
    """Thunderbird's three birthday columns as one date: 1970-11-15, or --11-15 without a
    year; a part that is not a number leaves them as written, for the importer to name."""
    year, month, day = parts.get("year", ""), parts.get("month", ""), parts.get("day", "")
    if month.isdigit() and day.isdigit() and (year.isdigit() or not year):
        prefix = f"{int(year):04d}" if year else "-"
        return f"{prefix}-{int(month):02d}-{int(day):02d}"
    return " ".join(p for p in (year, month, day) if p)


def _faxes_apart(parsed: ParsedContact) -> None:
    """Phones labelled as faxes ("work fax", "fax") become faxes labelled "work" (or none)."""
    phones = []
    for label, number in parsed.phones:
        if label and "fax" in label.split():
            rest = " ".join(word for word in label.split() if word != "fax")
            parsed.faxes.append((rest or None, number))
        else:
            phones.append((label, number))
    parsed.phones = phones


def _addresses(
    parts: dict[str, list[tuple[Target, str]]], labels: dict[tuple[str, str | None], str]
) -> list[Address]:
    """Address columns grouped into addresses: by the slot of Google's numbered columns
    ("Address 1 - City"), or by the fixed label of Outlook's ("Business City" is work).
    A slot's whole address in one cell (Google's "Formatted") is used only when the slot
    has no parts, as its street."""
    if len(parts) == 1:  # most rows: one part of one address (Google's "Address 1 - City")
        ((kind, values),) = parts.items()
        part = _ADDRESS_PARTS.get(kind)
        if part is not None and len(values) == 1:
            target, value = values[0]
            key = target.slot or target.arg or ""
            label = labels.get(("address_label", key)) if labels else None
            return [Address(_label(label or target.arg), **{part: value})]
    slots: dict[str, dict[str, str]] = {}  # slot -> Address part -> text
    fixed: dict[str, str | None] = {}  # slot -> its columns' fixed label
    wholes: dict[str, str] = {}
    for kind, values in parts.items():
        part = _ADDRESS_PARTS.get(kind)
        for target, value in values:
            key = target.slot or target.arg or ""
            slot = slots.get(key)
            if slot is None:
                slot = slots[key] = {}
                fixed[key] = target.arg
            if part is None:  # "address": the whole address in one cell
                wholes.setdefault(key, value)
            elif part in slot:  # Street 2, PO Box...
                slot[part] += (", " if part == "street" else " ") + value
            else:
                slot[part] = value
    found = []
    for key, slot in slots.items():
        if not slot:
            if key not in wholes:
                continue
            slot = {"street": wholes[key]}
        label = labels.get(("address_label", key)) if labels else None
        found.append(Address(_label(label or fixed[key]), **slot))
    return found


_NAME_PARTS = ("first_name", "middle_name", "last_name", "name_suffix")


def _full_name(names: dict[str, list[str]]) -> str | None:
    if "name" in names:
        return names["name"][0]
    return " ".join([names[key][0] for key in _NAME_PARTS if key in names]) or None


def _labelled(
    values: list[tuple[Target, str]],
    labels: dict[tuple[str, str | None], str],
    label_kind: str,
    split: Callable[[str], list[str]],
) -> list[tuple[str | None, str]]:
    """Split multi-value cells; label each value from its column's fixed label or from the
    label column of the same slot (Google: "E-mail 1 - Label" for "E-mail 1 - Value")."""
    result = []
    for target, cell in values:
        pieces = split(cell)
        label = target.arg
        label_cell = labels.get((label_kind, target.slot)) if label is None and labels else None
        if not label_cell:
            shown = _label(label)
            if len(pieces) == 1:  # most cells hold one value
                result.append((shown, pieces[0]))
            else:
                result += [(shown, piece) for piece in pieces]
            continue
        column_labels = split(label_cell) or [label_cell]
        for index, piece in enumerate(pieces):
            label = column_labels[index] if index < len(column_labels) else column_labels[0]
            result.append((_label(label), piece))
    return result


# -- writing rejected rows back --------------------------------------------------------


class RejectsWriter(OutputFile):
    """Rejected rows, as they were, in a file the user can fix and import again: a CSV with
    the same header and delimiter, a .vcf with the rejected cards, or a JSON array. The
    file (formats/import_output.py) is opened with the first rejected row."""

    def __init__(
        self,
        path: str,
        layout: CsvLayout | None,
        *,
        json: bool = False,
        force: bool = False,
        protect: Mapping[Path, str] | None = None,
    ) -> None:
        super().__init__(path, force=force, protect=protect)
        self.json = json  # a JSON array of the rejected objects
        self.layout = layout
        self.count = 0

    def write(self, raw: list[str] | str) -> None:
        handle = self._handle or self._start()
        try:
            if self.json:
                handle.write(("[\n" if self.count == 0 else ",\n") + str(raw))
            elif isinstance(raw, str):
                handle.write(raw if raw.endswith("\n") else raw + "\r\n")
            else:
                self._writer.writerow(raw)
        except OSError as exc:  # a full disk: the import is rolled back, FILE untouched
            raise self.failed(exc) from None
        self.count += 1

    def _start(self) -> TextIO:
        # a BOM tells Excel the CSV is UTF-8; vCard readers do not expect one
        handle = self.open("utf-8-sig" if self.layout is not None else "utf-8")
        if self.layout is not None:
            self._writer = csv.writer(handle, delimiter=self.layout.delimiter)
            self._writer.writerow(self.layout.header)
        return handle

    def finish(self, tail: str = "") -> None:
        """Put the file in place (when a row was rejected)."""
        super().finish("\n]\n" if self.json else tail)
