"""pcrm's own CSV layout: what `pcrm export` writes and `pcrm import contacts --preset pcrm`
reads back. docs/import-export.md describes it for users; keep the two in step.

Readers find columns by their header, never by position: columns may be added later.
Cells that hold several values (emails, phones, tags, a deal's contacts) join them with
"; "; a `;` or `\\` inside a value is escaped with a backslash. A labelled email or phone
is written the way the CLI takes it: `work: ada@example.org`.

Cells a spreadsheet would run as a formula are neutralised with a leading apostrophe
(`neutralise`); `restore` undoes it exactly, so the pcrm preset gets the values back.
"""

from __future__ import annotations

from collections.abc import Iterable

CONTACT_COLUMNS = (
    "uid",
    "name",
    "emails",
    "phones",
    "company",
    "title",
    "source",
    "birthday",
    "tags",
    "note",
    "created_at",
    "updated_at",
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
