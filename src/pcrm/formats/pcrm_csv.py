"""pcrm's own CSV layout: what `pcrm export` writes and `pcrm import contacts --preset pcrm`
reads back. docs/import-export.md describes it for users; keep the two in step.

Readers find columns by their header, never by position: columns may be added later.
Cells that hold several values (emails, phones, tags, a deal's contacts) join them with
"; "; a `;` or `\\` inside a value is escaped with a backslash. A labelled email, phone,
fax, URL or address is written the way the CLI takes it: `work: ada@example.org`; in the
label a `:` is escaped too, so any label text reads back (`Work (old)`, `R&D`, Apple's
`_$!<Mobile>!$_`), and a value without a label that holds ": " has its colon escaped. An
address's parts (street, locality, region, postcode, country) are joined with ", ", a
`,` inside a part escaped: `home: 1 Main St\\, Apt 2, Springfield, IL, 62701, US`.

Cells a spreadsheet would run as a formula are neutralised with a leading apostrophe
(`neutralise`); `restore` undoes it exactly, so the pcrm preset gets the values back.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, TextIO

from pcrm.core.people.models import ADDRESS_PARTS

if TYPE_CHECKING:
    from pcrm.core.base import FieldValue
    from pcrm.core.deals.models import Deal
    from pcrm.core.importing.models import ParsedContact
    from pcrm.core.people.models import Address, Company, Contact, Email, Phone, Url
    from pcrm.core.views.models import ExportedInteraction

CONTACT_COLUMNS = (
    "uid",
    "name",
    "emails",
    "phones",
    "company",
    "title",
    "source",
    "lifecycle_stage",
    "birthday",
    "anniversary",
    "cadence_days",
    "tags",
    "note",
    "created_at",
    "updated_at",
    "nickname",
    "faxes",
    "addresses",
    "urls",
)
COMPANY_COLUMNS = (
    "uid",
    "name",
    "domain",
    "website",
    "industry",
    "size",
    "tags",
    "note",
    "created_at",
    "updated_at",
)
DEAL_COLUMNS = (
    "uid",
    "title",
    "value",
    "currency",
    "company",
    "contacts",
    "pipeline",
    "stage",
    "status",
    "expected_close",
    "source",
    "lost_reason",
    "closed_at",
    "tags",
    "note",
    "created_at",
    "updated_at",
)
INTERACTION_COLUMNS = (
    "uid",
    "at",
    "kind",
    "contacts",
    "contact_uids",
    "company",
    "deal",
    "text",
    "cancelled_at",
    "source",
    "external_id",
    "direction",
)
# A custom field's column is its name after this prefix: `field:budget`.
FIELD_PREFIX = "field:"

SEPARATOR = "; "

# What makes a spreadsheet treat a cell as a formula (OWASP's "CSV injection" list).
FORMULA_STARTS = frozenset({"=", "+", "-", "@", "\t", "\r"})
QUOTE = "'"


def join_values(values: Iterable[str]) -> str:
    """Several values in one cell: `a; b`, each `\\` and `;` in a value escaped."""
    return SEPARATOR.join(value.replace("\\", "\\\\").replace(";", "\\;") for value in values)


def split_values(cell: str) -> list[str]:
    """The values of a multi-value cell (the inverse of join_values); blanks dropped."""
    values, current, escaped = [], [], False
    for char in cell:
        if escaped:
            current.append(char)
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == ";":
            values.append("".join(current))
            current = []
        else:
            current.append(char)
    if escaped:  # a lone backslash at the end is kept as it is
        current.append("\\")
    values.append("".join(current))
    return [value.strip() for value in values if value.strip()]


def neutralise(cell: str) -> str:
    """Prefix `'` to a cell a spreadsheet would run as a formula.

    A cell that already starts with `'` followed by a formula character or another `'`
    gets one too, so that `restore` can always strip exactly one and lose nothing.
    """
    if cell[:1] in FORMULA_STARTS or _quoted(cell):
        return QUOTE + cell
    return cell


def _quoted(cell: str) -> bool:
    """Starts with the apostrophe neutralise() adds: `'` then a formula character or `'`."""
    second = cell[1:2]
    return cell[:1] == QUOTE and (second in FORMULA_STARTS or second == QUOTE)


def restore(cell: str) -> str:
    """Undo neutralise(): `'=1+1` -> `=1+1`, `''=x` -> `'=x`; any other cell is unchanged."""
    return cell[1:] if _quoted(cell) else cell


# -- rows of each kind -----------------------------------------------------------------


def field_cell(value: FieldValue | None) -> str:
    """A custom field's value: 5000, 12.5, 2027-01-31, pro; empty for no value."""
    if value is None:
        return ""
    return repr(value) if isinstance(value, float) else str(value)


def field_columns(names: Sequence[str]) -> list[str]:
    return [FIELD_PREFIX + name for name in names]


def _escape(text: str, special: str) -> str:
    for char in "\\" + special:
        text = text.replace(char, "\\" + char)
    return text


def labelled_item(label: str | None, parts: Sequence[str]) -> str:
    """One value of a labelled cell: `label: value`, or `label: a, b, c` for an address;
    escaped so that read_items() gives back exactly the label and the parts."""
    structured = len(parts) > 1
    body = ", ".join(_escape(part, ";,:" if structured else ";") for part in parts)
    if label:
        return f"{_escape(label, ';:,')}: {body}"
    return body if structured else body.replace(": ", "\\: ")


def read_items(cell: str, *, structured: bool = False) -> list[tuple[str | None, list[str]]]:
    """The (label, parts) of a labelled cell, the inverse of labelled_item() joined with
    "; ": the label ends at the first unescaped ": "; an address's parts are split at
    unescaped commas. Cells written before labels were escaped read as they did."""
    items: list[tuple[str | None, list[str]]] = []
    label: str | None = None
    parts: list[str] = []
    current: list[str] = []
    index, size = 0, len(cell)

    def finish() -> None:
        values = [*parts, "".join(current)]
        if any(value.strip() for value in values):
            items.append(((label or "").strip() or None, [value.strip() for value in values]))

    while index < size:
        char = cell[index]
        if char == "\\" and index + 1 < size:
            current.append(cell[index + 1])
            index += 2
            continue
        if char == ";":
            finish()
            label, parts, current = None, [], []
        elif char == ":" and label is None and not parts and cell[index + 1 : index + 2] == " ":
            label, current = "".join(current), []
            index += 1  # the space
        elif char == "," and structured:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
        index += 1
    finish()
    return items


# The pcrm preset's targets whose cells hold labelled values, read with read_items().
LABELLED_TARGETS = frozenset({"email", "phone", "fax", "url", "address"})


def read_labelled(parsed: ParsedContact, target: str, cell: str) -> None:
    """A labelled cell of pcrm's layout into the parsed row, labels as written."""
    from pcrm.core.people.models import Address

    items = read_items(cell, structured=target == "address")
    if target == "address":
        for label, parts in items:
            values = [part or None for part in parts[: len(ADDRESS_PARTS)]]
            values += [None] * (len(ADDRESS_PARTS) - len(values))
            parsed.addresses.append(Address(label, *values))
        return
    values = getattr(
        parsed, {"email": "emails", "phone": "phones", "fax": "faxes"}.get(target, "urls")
    )
    values.extend((label, ", ".join(parts)) for label, parts in items)


def _labelled(items: Iterable[Email | Phone | Url]) -> str:
    values: list[str] = []
    for item in items:
        value = getattr(item, "email", "") or getattr(item, "phone", "") or getattr(item, "url", "")
        values.append(labelled_item(item.label, [value]))
    return SEPARATOR.join(values)


def _addresses(addresses: Iterable[Address]) -> str:
    return SEPARATOR.join(
        labelled_item(a.label, [getattr(a, part) or "" for part in ADDRESS_PARTS])
        for a in addresses
    )


def _fields(values: dict[str, FieldValue], names: Sequence[str]) -> list[str]:
    return [field_cell(values.get(name)) for name in names]


def contact_row(contact: Contact, field_names: Sequence[str]) -> list[str]:
    return [
        contact.uid,
        contact.name,
        _labelled(contact.emails),
        _labelled(contact.phones),
        contact.company.name if contact.company else "",
        contact.title or "",
        contact.source or "",
        contact.lifecycle_stage or "",
        contact.birthday or "",
        contact.anniversary or "",
        str(contact.cadence_days) if contact.cadence_days else "",
        join_values(contact.tags),
        contact.note or "",
        contact.created_at,
        contact.updated_at,
        contact.nickname or "",
        _labelled(contact.faxes),
        _addresses(contact.addresses),
        _labelled(contact.urls),
        *_fields(contact.fields, field_names),
    ]


def company_row(company: Company, field_names: Sequence[str]) -> list[str]:
    return [
        company.uid,
        company.name,
        company.domain or "",
        company.website or "",
        company.industry or "",
        company.size or "",
        join_values(company.tags),
        company.note or "",
        company.created_at,
        company.updated_at,
        *_fields(company.fields, field_names),
    ]


def major_units(value: int, exponent: int) -> str:
    """1250050 cents -> '12500.50'; the currency's own decimals (none for JPY)."""
    return str(Decimal(value).scaleb(-exponent))


def deal_row(deal: Deal, field_names: Sequence[str]) -> list[str]:
    people = [f"{p.name}: {p.role}" if p.role else p.name for p in deal.contacts]
    return [
        deal.uid,
        deal.title,
        major_units(deal.value, deal.exponent),
        deal.currency,
        deal.company.name if deal.company else "",
        join_values(people),
        deal.pipeline.name,
        deal.stage.name,
        deal.status,
        deal.expected_close or "",
        deal.source or "",
        deal.lost_reason or "",
        deal.closed_at or "",
        join_values(deal.tags),
        deal.note or "",
        deal.created_at,
        deal.updated_at,
        *_fields(deal.fields, field_names),
    ]


def interaction_row(item: ExportedInteraction) -> list[str]:
    return [
        item.uid,
        item.at,
        item.kind,
        join_values(link.name for link in item.contacts),
        join_values(item.contact_uids),
        item.company.name if item.company else "",
        item.deal.name if item.deal else "",
        item.text,
        item.cancelled_at or "",
        item.source,
        item.external_id or "",
        item.direction or "",
    ]


def write_rows(
    stream: TextIO, header: Sequence[str], rows: Iterable[list[str]], *, raw: bool = False
) -> int:
    """Write the header and rows as CSV (RFC 4180: CRLF, quoted where needed), each cell
    neutralised unless `raw`; returns the number of rows written. Open the stream with
    newline="" so the line ends stay CRLF."""
    writer = csv.writer(stream)
    writer.writerow(header)
    count = 0
    for row in rows:
        writer.writerow(row if raw else [neutralise(cell) for cell in row])
        count += 1
    return count
