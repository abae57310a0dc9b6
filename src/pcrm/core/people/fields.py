"""Custom fields: declared per kind of record, typed, validated on every write.

The API other parts build on (import maps columns onto fields, scoring reads them):
- `definitions(db, kind)`: the fields of contacts, companies or deals;
- `parse_value(definition, text, now)`: a typed value, or InvalidInput naming the field;
- `set_values(db, now, kind, record_id, {name: text or None})`: validate all, then write;
- `values_by_record(db, kind, ids)`: typed values by name, per record;
- `where_sql(...)`: `--where "budget>1000"` conditions as SQL on the record's id.

docs/fields.md is the user's side of these rules; keep the two in step.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from pcrm.core.base import FieldValue
from pcrm.core.people.models import FieldDef
from pcrm.core.people.tags import chunks
from pcrm.core.people.text import clean_optional, name_key
from pcrm.core.settings import number_style
from pcrm.core.vocabulary import FIELD_KINDS, FIELD_TYPES
from pcrm.dates import LazyPattern, parse_day, to_iso
from pcrm.errors import Conflict, InvalidInput, NotFound
from pcrm.store.db import Database

KINDS = FIELD_KINDS
TYPES = FIELD_TYPES
NAME_HINT = "start with a letter; letters, digits, _ and - (up to 40)"
_NAME = LazyPattern(r"[A-Za-z][A-Za-z0-9_-]{0,39}", re.ASCII)  # compiled when first used
_NUMBER = LazyPattern(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?", re.ASCII)
_MAX_INT = 2**63 - 1  # SQLite's INTEGER
_EXACT_FLOAT = 2**53  # integral floats below this are stored as exact integers
# A record's built-in fields (and words other parts use for them): a custom field of the
# same name would make `--where NAME...` and CSV columns mean two things.
_COMMON = {"id", "uid", "name", "tag", "tags", "note", "notes", "created_at", "updated_at"}
RESERVED = {
    "contact": _COMMON
    | {"email", "emails", "phone", "phones", "company", "title", "source", "birthday"}
    | {"last_contacted_at", "stage", "lifecycle", "score", "cadence", "anniversary"},
    "company": _COMMON | {"domain", "website", "industry", "size", "people"},
    "deal": _COMMON
    | {"title", "value", "currency", "company", "contacts", "pipeline", "stage", "status"}
    | {"expected_close", "close", "source", "lost_reason", "closed_at"},
}
# Operators of --where, longest first so ">=" is not read as ">" then "=".
OPERATORS = ("!=", ">=", "<=", "=", ">", "<", "~")
_CONDITION = LazyPattern(
    r"\s*(?P<name>[A-Za-z][A-Za-z0-9_-]*)\s*(?P<op>!=|>=|<=|=|>|<|~)(?P<value>.*)", re.S
)


def _table(kind: str) -> tuple[str, str]:
    """The value table of a kind and its column naming the record."""
    return f"{kind}_field_values", f"{kind}_id"


def check_kind(kind: str) -> str:
    kind = kind.strip().lower()
    if kind not in KINDS:
        raise InvalidInput(f'unknown record kind "{kind}"', hint="use one of: " + ", ".join(KINDS))
    return kind


# -- definitions -------------------------------------------------------------------------


def _definition(row: tuple[Any, ...]) -> FieldDef:
    field_id, kind, name, type_, choices, used = row
    if not choices:  # json (~1 ms to import) only for a field that has choices
        return FieldDef(field_id, kind, name, type_, (), used)
    import json

    return FieldDef(field_id, kind, name, type_, tuple(json.loads(choices)), used)


def _select(kind_filter: str) -> str:
    counts = " ".join(
        f"WHEN '{kind}' THEN (SELECT count(*) FROM {_table(kind)[0]} v WHERE v.field_id = f.id)"
        for kind in KINDS
    )
    return (
        f"SELECT f.id, f.kind, f.name, f.type, f.choices, CASE f.kind {counts} END"
        f" FROM fields f {kind_filter} ORDER BY f.kind, f.name COLLATE NOCASE"
    )


def definitions(db: Database, kind: str | None = None) -> list[FieldDef]:
    """The fields of one kind (or of every kind), by name, with how many records use each."""
    if kind is None:
        return [_definition(row) for row in db.execute(_select(""))]
    return [_definition(row) for row in db.execute(_select("WHERE f.kind = ?"), [kind])]


def get_field(db: Database, kind: str, name: str) -> FieldDef:
    """A field by name (any case); NotFound lists the fields the kind has.

    One indexed lookup (names are ASCII, the column NOCASE), cheap enough to call per
    value; `used` is left 0 here, only definitions() counts the values."""
    row = db.execute(
        "SELECT id, kind, name, type, choices, 0 FROM fields WHERE kind = ? AND name = ?",
        [kind, name.strip()],
    ).fetchone()
    if row is not None:
        return _definition(row)
    known = [definition.name for definition in definitions(db, kind)]
    hint = (
        f"{kind} fields: {', '.join(known)}"
        if known
        else f"declare it first: pcrm field add {name.strip()} --type text --on {kind}"
    )
    raise NotFound(f'no {kind} field named "{name.strip()}"', hint=hint)


def _check_name(kind: str, name: str) -> str:
    name = name.strip()
    if not _NAME.fullmatch(name):
        raise InvalidInput(f'invalid field name "{name}"', hint=NAME_HINT)
    if name.lower() in RESERVED[kind]:
        raise InvalidInput(f'"{name}" is a built-in field of a {kind}', hint="choose another name")
    return name


def parse_choices(values: Iterable[str]) -> list[str]:
    """`a,b,c` (possibly over several --choices) -> ['a', 'b', 'c'], each once in any case."""
    seen: dict[str, str] = {}
    for raw in values:
        for piece in raw.split(","):
            choice = " ".join(piece.split())
            if not choice:
                continue
            if choice.casefold() in seen:
                raise InvalidInput(f'the choice "{choice}" is given twice')
            seen[choice.casefold()] = choice
    return list(seen.values())


def add_field(
    db: Database,
    now: datetime,
    kind: str,
    name: str,
    type_: str,
    choices: Sequence[str] = (),
) -> FieldDef:
    kind = check_kind(kind)
    name = _check_name(kind, name)
    if type_ not in TYPES:
        raise InvalidInput(f'unknown field type "{type_}"', hint="use one of: " + ", ".join(TYPES))
    parsed = parse_choices(choices)
    if type_ == "choice" and not parsed:
        raise InvalidInput(
            "a choice field needs its choices", hint="add e.g. --choices free,pro,enterprise"
        )
    if type_ != "choice" and parsed:
        raise InvalidInput(
            f"only a choice field takes --choices, not a {type_} field",
            hint="leave out --choices, or use --type choice",
        )
    existing = db.execute(
        "SELECT name, type FROM fields WHERE kind = ? AND name = ?", [kind, name]
    ).fetchone()
    if existing:
        raise Conflict(
            f'{kind}s already have a field "{existing[0]}" ({existing[1]})',
            hint="see: pcrm field list",
        )
    import json

    db.execute(
        "INSERT INTO fields(kind, name, type, choices, created_at) VALUES (?, ?, ?, ?, ?)",
        [kind, name, type_, json.dumps(parsed) if parsed else None, to_iso(now)],
    )
    return get_field(db, kind, name)


def remove_field(db: Database, kind: str, name: str, *, force: bool = False) -> FieldDef:
    """Remove a field; while records have a value, only with force (values go with it)."""
    kind = check_kind(kind)
    definition = get_field(db, kind, name)
    table, _ = _table(kind)
    used = db.execute(
        f"SELECT count(*) FROM {table} WHERE field_id = ?", [definition.id]
    ).fetchone()[0]
    if used and not force:
        plural = "companies" if kind == "company" else f"{kind}s"
        records = f"{used} {kind if used == 1 else plural}"
        raise Conflict(
            f'field "{definition.name}" has values on {records}',
            hint="add --force to remove the field and its values",
        )
    db.execute("DELETE FROM fields WHERE id = ?", [definition.id])
    return replace(definition, used=used)


# -- values ------------------------------------------------------------------------------


def _invalid(definition: FieldDef, problem: str, hint: str | None = None) -> InvalidInput:
    return InvalidInput(f"{definition.name} is a {definition.type} field: {problem}", hint=hint)


def _styled(definition: FieldDef, text: str, style: str | None) -> str:
    """`text` with the number style's marks made plain ("1.234,5" -> "1234.5"); without a
    style, "1.234" (1234 or 1.234?) is refused as amounts are (core/deals/money.py)."""
    digits = text.lstrip("+-")
    if style is None:
        # Decimal and the amounts' module: ~3 ms of start-up, only when a number is written.
        from pcrm.core.deals.money import STYLE_HINT, TWO_WAYS, two_readings

        if "," not in digits and TWO_WAYS.fullmatch(digits):
            as_decimal, grouped, written = two_readings(digits)
            raise _invalid(
                definition,
                f'"{text}" is ambiguous: {as_decimal} or {grouped}?',
                hint=f"write {grouped} or {written}, or {STYLE_HINT}",
            )
        return text
    group, point = (".", ",") if style.startswith("1.") else (",", ".")
    if not any(mark in digits for mark in ".,"):
        return text
    grouped = rf"(?:\d{{1,3}}(?:{re.escape(group)}\d{{3}})+|\d+)(?:{re.escape(point)}\d+)?"
    if not re.fullmatch(grouped, digits, re.ASCII):
        raise _invalid(
            definition,
            f'"{text}" is not a number in the number style {style}',
            hint=f"write e.g. {'5.000,5' if point == ',' else '5,000.5'}",
        )
    return text.replace(group, "").replace(point, ".")


def parse_number(definition: FieldDef, text: str, style: str | None = None) -> int | float:
    s = _styled(definition, text.strip(), style)
    if not _NUMBER.fullmatch(s):
        raise _invalid(
            definition,
            f'"{s}" is not a number',
            hint="write e.g. 5000 or 12.5: a dot for decimals, no thousands separators",
        )
    if not any(mark in s for mark in ".eE"):
        number: int | float = int(s)
    else:
        number = float(s)
        if not math.isfinite(number):
            raise _invalid(definition, f'"{s}" is too large')
        if number.is_integer() and abs(number) < _EXACT_FLOAT:
            number = int(number)
    if isinstance(number, int) and abs(number) > _MAX_INT:
        raise _invalid(definition, f'"{s}" is too large', hint="keep it under 9.2e18")
    return number


def parse_value(
    definition: FieldDef, text: str, now: datetime, style: str | None = None
) -> FieldValue | None:
    """The typed value `text` gives the field; None for an empty text (no value); a number
    is read in `style` (the number_style setting).

    Raises InvalidInput naming the field and what it takes."""
    value = clean_optional(text)
    if value is None:
        return None
    if definition.type == "number":
        return parse_number(definition, value, style)
    if definition.type == "date":
        try:
            return parse_day(value, now).isoformat()
        except InvalidInput as exc:
            raise _invalid(definition, exc.message, exc.hint) from None
    if definition.type == "choice":
        for choice in definition.choices:
            if name_key(choice) == name_key(value):
                return choice
        raise _invalid(
            definition,
            f'"{" ".join(value.split())}" is not one of its choices',
            hint="use one of: " + ", ".join(definition.choices),
        )
    return value


def parse_assignments(assignments: Sequence[str], unset: Sequence[str] = ()) -> dict[str, str]:
    """`--set NAME=VALUE` and `--unset NAME` options as {name: text}; '' means no value."""
    values: dict[str, str] = {}
    for assignment in assignments:
        name, equals, text = assignment.partition("=")
        if not equals or not name.strip():
            raise InvalidInput(
                f'--set takes NAME=VALUE, not "{assignment}"', hint="e.g. --set budget=5000"
            )
        values[name.strip()] = text
    for name in unset:
        values[name.strip()] = ""
    return values


def set_values(
    db: Database, now: datetime, kind: str, record_id: int, values: Mapping[str, str | None]
) -> None:
    """Validate every value, then write them; an empty text or None removes the value.

    Nothing is written when any value is invalid."""
    style = number_style(db)
    parsed = [
        (definition, parse_value(definition, text or "", now, style))
        for definition, text in ((get_field(db, kind, name), text) for name, text in values.items())
    ]
    table, column = _table(kind)
    for definition, value in parsed:
        if value is None:
            db.execute(
                f"DELETE FROM {table} WHERE {column} = ? AND field_id = ?",
                [record_id, definition.id],
            )
        else:
            db.execute(
                f"INSERT INTO {table}({column}, field_id, value) VALUES (?, ?, ?)"
                f" ON CONFLICT ({column}, field_id) DO UPDATE SET value = excluded.value",
                [record_id, definition.id, value],
            )


def values_by_record(db: Database, kind: str, ids: list[int]) -> dict[int, dict[str, FieldValue]]:
    """Every record's values by field name (in the order of the names); {} when none."""
    table, column = _table(kind)
    result: dict[int, dict[str, FieldValue]] = {}
    for chunk in chunks(ids):
        marks = ",".join("?" * len(chunk))
        for record_id, name, value in db.execute(
            f"SELECT v.{column}, f.name, v.value FROM {table} v JOIN fields f ON f.id = v.field_id"
            f" WHERE v.{column} IN ({marks}) ORDER BY f.name COLLATE NOCASE",
            chunk,
        ):
            result.setdefault(record_id, {})[name] = value
    return result


# -- --where -----------------------------------------------------------------------------


def _fold(value: str | bytes | int | float | None) -> str | bytes | int | float | None:
    """SQL function pcrm_fold(): text compared in any case and accents, as REFs are."""
    return name_key(value) if isinstance(value, str) else value


def where_sql(
    db: Database, now: datetime | None, kind: str, id_column: str, conditions: Sequence[str]
) -> tuple[list[str], list[object]]:
    """`--where` conditions as SQL terms on `id_column` (e.g. "c.id"), and their parameters.

    Every condition is checked against its field first, so a typo or a value the field
    would not take is an error rather than an empty result."""
    terms: list[str] = []
    params: list[object] = []
    if not conditions:
        return terms, params
    db.conn.create_function("pcrm_fold", 1, _fold, deterministic=True)
    table, column = _table(kind)
    for condition in conditions:
        match = _CONDITION.fullmatch(condition)
        if match is None:
            raise InvalidInput(
                f'cannot read the condition "{condition.strip()}"',
                hint='write NAME OP VALUE, e.g. "budget>1000"; OP is one of ' + " ".join(OPERATORS),
            )
        definition = get_field(db, kind, match["name"])
        op, text = match["op"], match["value"].strip()
        values = f"SELECT {column} FROM {table} WHERE field_id = {definition.id}"
        if not text:
            if op not in ("=", "!="):
                raise InvalidInput(
                    f'the condition "{condition.strip()}" has no value after {op}',
                    hint=f'e.g. "{definition.name}{op}10"',
                )
            terms.append(f"{id_column} {'NOT IN' if op == '=' else 'IN'} ({values})")
            continue
        if op == "~":
            if definition.type not in ("text", "choice"):
                raise InvalidInput(
                    f"~ (contains) works on text and choice fields; {definition.name} is a"
                    f" {definition.type} field",
                    hint="use = != > >= < <=",
                )
            terms.append(f"{id_column} IN ({values} AND instr(pcrm_fold(value), ?) > 0)")
            params.append(name_key(text))
            continue
        if now is None:
            raise ValueError("where_sql needs `now` to read the values of conditions")
        value = parse_value(definition, text, now, number_style(db))
        if definition.type == "text" and op in ("=", "!="):
            test, value = "pcrm_fold(value) = ?", name_key(str(value))
        else:
            test = f"value {'=' if op == '!=' else op} ?"
        inside = "NOT IN" if op == "!=" else "IN"
        terms.append(f"{id_column} {inside} ({values} AND {test})")
        params.append(value)
    return terms, params
