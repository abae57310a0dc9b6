"""What an import reads and what it tells: a row as a file describes it (formats read
it, core validates it), and the summary of a whole import (render draws it)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pcrm.core.importing.importer import ImportReport
    from pcrm.core.people.models import Address


@dataclass
class ParsedContact:
    line: int  # where the row or card starts in the file
    raw: list[str] | str  # the row's cells, or the card's text, for --rejects
    name: str | None = None
    emails: list[tuple[str | None, str]] = field(default_factory=list)  # (label, address)
    phones: list[tuple[str | None, str]] = field(default_factory=list)
    faxes: list[tuple[str | None, str]] = field(default_factory=list)  # (label, number)
    urls: list[tuple[str | None, str]] = field(default_factory=list)  # (label, url)
    addresses: list[Address] = field(default_factory=list)
    nickname: str | None = None
    company: str | None = None
    title: str | None = None
    birthday: str | None = None
    anniversary: str | None = None
    cadence: str | None = None  # stay-in-touch interval: days, or "30d", "2w"...
    note: str | None = None
    source: str | None = None
    uid: str | None = None
    created_at: str | None = None
    updated_at: str | None = None
    stage: str | None = None  # lifecycle stage
    tags: list[str] = field(default_factory=list)
    fields: dict[str, str] = field(default_factory=dict)  # custom field name -> value
    unmapped: list[tuple[str, str]] = field(default_factory=list)  # (column, value)
    problem: str | None = None  # why the row cannot be read at all (wrong column count)
    vcard: str | None = None  # the card's text as imported (vCard files only)
    # What the reader dropped or changed in this row (a value it could not decode...):
    # each becomes a warning with the row's line in the summary.
    warnings: list[str] = field(default_factory=list)

    def has_data(self) -> bool:
        """False for a row with nothing to import (LinkedIn's hidden members: only a date)."""
        return (
            any((self.name, self.emails, self.phones, self.company, self.title, self.birthday))
            or any((self.note, self.tags, self.fields, self.stage, self.problem, self.nickname))
            or any((self.faxes, self.urls, self.addresses))
        )

    def unmapped_note(self, binary: frozenset[str] = frozenset()) -> str | None:
        """The unmapped values as note lines ("URL: https://..."), for --keep-unmapped."""
        lines = [f"{column}: {value}" for column, value in self.unmapped if column not in binary]
        return "\n".join(lines) or None


@dataclass
class ImportSummary:
    """What the command read and did, for the summary and --json."""

    file: str
    format: str  # "Google CSV", "vCard"...
    encoding: str
    delimiter: str | None  # "comma"...; None for vCard
    dry_run: bool
    seconds: float
    report: ImportReport
    unmapped: dict[str, int]  # column -> rows with a value in it
    rejects_file: str | None = None
    report_file: str | None = None  # --report FILE: every warning and reject
