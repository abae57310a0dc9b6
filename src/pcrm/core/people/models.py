"""Contacts and companies as listings and `show` return them (with their emails and
phones), and custom field definitions."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pcrm.core.base import FieldValue, Link


@dataclass(frozen=True)
class Email:
    email: str
    label: str | None = None


@dataclass(frozen=True)
class Phone:
    phone: str
    label: str | None = None


# An address's parts after its label, in vCard ADR order (the PO box and extended parts
# folded into street).
ADDRESS_PARTS = ("street", "locality", "region", "postcode", "country")


@dataclass(frozen=True)
class Address:
    """A postal address in vCard's ADR parts (the PO box and extended parts folded into
    street); every part may be missing."""

    label: str | None = None
    street: str | None = None
    locality: str | None = None  # city
    region: str | None = None  # state, province, county
    postcode: str | None = None
    country: str | None = None


@dataclass(frozen=True)
class Url:
    url: str  # a web page or a social profile (LinkedIn...)
    label: str | None = None


@dataclass(frozen=True)
class FieldDef:
    """A custom field declared for one kind of record (`pcrm field add`)."""

    id: int
    kind: str  # contact | company | deal
    name: str
    type: str  # text | number | date | choice
    choices: tuple[str, ...] = ()  # a choice field's choices, as declared
    used: int = 0  # how many records have a value (filled by listings)


@dataclass
class Contact:
    id: int
    uid: str
    name: str
    company: Link | None
    title: str | None
    source: str | None
    birthday: str | None
    note: str | None
    last_contacted_at: str | None
    created_at: str
    updated_at: str
    emails: list[Email] = field(default_factory=list)
    phones: list[Phone] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    anniversary: str | None = None  # YYYY-MM-DD or --MM-DD, like birthday
    cadence_days: int | None = None  # stay in touch at least this often
    fields: dict[str, FieldValue] = field(default_factory=dict)  # custom field name -> value
    lifecycle_stage: str | None = None  # None: not in the lifecycle yet
    nickname: str | None = None
    faxes: list[Phone] = field(default_factory=list)  # apart from phones: never called
    addresses: list[Address] = field(default_factory=list)
    urls: list[Url] = field(default_factory=list)
    # The raw vCard the contact was imported from, if any: read only by the vCard export
    # (load_vcards), never by listings, and left out of JSON (metadata "json": False).
    vcard: str | None = field(default=None, metadata={"json": False})

    @property
    def primary_email(self) -> str | None:
        return self.emails[0].email if self.emails else None


@dataclass
class Company:
    id: int
    uid: str
    name: str
    domain: str | None
    website: str | None
    industry: str | None
    size: str | None
    note: str | None
    created_at: str
    updated_at: str
    tags: list[str] = field(default_factory=list)
    people_count: int = 0
    last_contacted_at: str | None = None
    fields: dict[str, FieldValue] = field(default_factory=dict)
    lifecycle_stage: str | None = None  # None: not in the lifecycle yet
