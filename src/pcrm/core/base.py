"""A link to another record, the one model every listing uses, and custom field values."""

from __future__ import annotations

from dataclasses import dataclass

# A custom field's value: int or float for number fields, "YYYY-MM-DD" for dates, else text.
FieldValue = int | float | str


@dataclass(frozen=True)
class Link:
    """A short reference to another record: enough to name it in a listing."""

    kind: str
    id: int
    name: str
