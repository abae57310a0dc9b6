"""The small pieces records are made of: a link to another record, an email, a phone."""

from __future__ import annotations

from dataclasses import dataclass

# A custom field's value: int or float for number fields, "YYYY-MM-DD" for dates, else text.
FieldValue = int | float | str


@dataclass(frozen=True)
class Email:
    email: str
    label: str | None = None


@dataclass(frozen=True)
class Phone:
    phone: str
    label: str | None = None


@dataclass(frozen=True)
class Link:
    """A short reference to another record: enough to name it in a listing."""

    kind: str
    id: int
    name: str
