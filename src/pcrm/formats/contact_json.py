"""pcrm's own JSON (`pcrm export contacts --format json`, `contact list --json`) read back
for `pcrm import contacts`: one array of contact objects.

The array is read object by object with the json module's raw_decode, so each contact
knows the line it starts on (for rejects and messages); the text itself is read whole, as
any JSON parser must hold a value to know it is complete.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from pcrm.core.importing.models import ParsedContact
from pcrm.core.people.models import ADDRESS_PARTS, Address
from pcrm.errors import InvalidInput
from pcrm.formats.contact_file import Source

_SPACE = " \t\r\n"


@dataclass
class JsonRecord:
    line: int  # where the object starts
    value: Any
    text: str  # the object as written, for --rejects


def json_records(source: Source) -> Iterator[JsonRecord]:
    with source.reading() as stream:
        text = stream.read()
    decoder = json.JSONDecoder()
    position = _skip(text, text.index("[") + 1)
    line, counted = 1, 0
    try:
        while position < len(text) and text[position] != "]":
            value, end = decoder.raw_decode(text, position)
            line += text.count("\n", counted, position)
            counted = position
            yield JsonRecord(line, value, text[position:end])
            position = _skip(text, end)
            if position < len(text) and text[position] == ",":
                position = _skip(text, position + 1)
            elif position < len(text) and text[position] != "]":
                raise json.JSONDecodeError("expected , or ]", text, position)
        if position >= len(text):
            raise json.JSONDecodeError("the array is not closed with ]", text, position)
    except json.JSONDecodeError as exc:
        raise InvalidInput(
            f"{source.label} is not valid JSON: {exc.msg} at line {exc.lineno}",
            hint="export it again with: pcrm export contacts --format json",
        ) from None


def _skip(text: str, position: int) -> int:
    while position < len(text) and text[position] in _SPACE:
        position += 1
    return position


def _text(value: Any) -> str | None:
    if value is None or isinstance(value, dict | list):
        return None
    return str(value)


def _labelled(items: Any, key: str) -> list[tuple[str | None, str]]:
    pairs = []
    for item in items if isinstance(items, list) else []:
        if isinstance(item, dict) and _text(item.get(key)):
            pairs.append((_text(item.get("label")), str(item[key])))
        elif isinstance(item, str):
            pairs.append((None, item))
    return pairs


def _addresses(items: Any) -> list[Address]:
    parts = ("label", *ADDRESS_PARTS)
    return [
        Address(*(_text(item.get(part)) for part in parts))
        for item in (items if isinstance(items, list) else [])
        if isinstance(item, dict)
    ]


class JsonMapper:
    """Contact objects as pcrm writes them into ParsedContact; unknown keys are counted as
    unmapped, as the CSV and vCard readers do."""

    KNOWN = frozenset(
        (
            "id", "uid", "name", "company", "title", "source", "birthday", "anniversary",
            "cadence_days", "note", "last_contacted_at", "created_at", "updated_at", "emails",
            "phones", "tags", "fields", "lifecycle_stage", "nickname", "faxes", "addresses",
            "urls",
        )
    )  # fmt: skip

    def __init__(self) -> None:
        self.unmapped_counts: Counter[str] = Counter()

    def contact(self, record: JsonRecord) -> ParsedContact:
        parsed = ParsedContact(record.line, record.text)
        value = record.value
        if not isinstance(value, dict):
            parsed.problem = "not a contact object"
            return parsed
        company = value.get("company")
        parsed.name = _text(value.get("name"))
        parsed.company = _text(company.get("name")) if isinstance(company, dict) else _text(company)
        for key in ("title", "source", "birthday", "anniversary", "note", "uid", "nickname"):
            setattr(parsed, key, _text(value.get(key)))
        parsed.cadence = _text(value.get("cadence_days"))
        parsed.created_at = _text(value.get("created_at"))
        parsed.updated_at = _text(value.get("updated_at"))
        parsed.stage = _text(value.get("lifecycle_stage"))
        parsed.emails = _labelled(value.get("emails"), "email")
        parsed.phones = _labelled(value.get("phones"), "phone")
        parsed.faxes = _labelled(value.get("faxes"), "phone")
        parsed.urls = _labelled(value.get("urls"), "url")
        parsed.addresses = _addresses(value.get("addresses"))
        tags = value.get("tags")
        parsed.tags = [str(tag) for tag in tags] if isinstance(tags, list) else []
        fields = value.get("fields")
        if isinstance(fields, dict):
            parsed.fields = {str(k): str(v) for k, v in fields.items() if v is not None}
        for key in value:
            if key not in self.KNOWN:
                self.unmapped_counts[key] += 1
                if _text(value[key]):
                    parsed.unmapped.append((key, str(value[key])))
        return parsed
