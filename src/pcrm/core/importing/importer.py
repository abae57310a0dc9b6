"""Importing contacts: validate each parsed row, find the contact it duplicates, write.

The caller streams rows (formats/contact_rows.py) through Importer.import_rows() inside
one transaction. Rows are validated one by one and decided a batch at a time
(core/importing/batch.py), in file order, so a later row of the same person finds the
contact an earlier row created, in the same batch or an earlier one. What a row
duplicates, on strong evidence only (Batch._match): the same uid; the same email (any
case); the same phone number in E.164 with the same name (any case or accents); the same
name at the same company, or both without one when nothing tells them apart. A bad value
is dropped with a warning (kept in the note when it is information), and a row is
rejected only when nothing identifying is left. docs/import-export.md describes the
policy for users.

Speed and memory (docs/performance.md): each batch asks SQL about its own keys only (no
copy of the database's keys in memory) and writes with executemany; the per-row search
triggers are set aside, and what the import wrote is indexed at the end with INSERT ...
SELECT.
"""

from __future__ import annotations

import functools
import gc
import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from pcrm.core import settings
from pcrm.core.activity.reminders import parse_cadence
from pcrm.core.base import FieldValue
from pcrm.core.importing.batch import Batch, Phone, Rejected, Row, SameNames, phone_tail
from pcrm.core.people import fields, lifecycle, tags
from pcrm.core.people.models import Address, FieldDef
from pcrm.core.people.phones import phone_key
from pcrm.core.people.text import clean_line, clean_optional, name_key, normalise_email, split_label
from pcrm.core.records import new_uid
from pcrm.core.vocabulary import KIND_CODES
from pcrm.dates import current_date_order, parse_birthday, parse_when, to_iso
from pcrm.errors import Ambiguous, InvalidInput
from pcrm.store.db import Database

if TYPE_CHECKING:
    from pcrm.core.importing.models import ParsedContact

POLICIES = ("skip", "update", "merge", "create")
KEEP_PROBLEMS = 200  # rejected rows listed in the report; the rest are counted
# Rows decided and written together: big enough that a batch's few queries cost little
# per row, small enough that its memory does not matter (docs/performance.md).
BATCH_ROWS = 1000
CACHE_KIB = 32 * 1024  # SQLite's page cache while importing
# Company names repeat from row to row, and a name is keyed up to three times per row.
_key = lru_cache(maxsize=4096)(name_key)


@dataclass
class ImportOptions:
    on_duplicate: str = "merge"
    tags: list[str] = field(default_factory=list)  # --tag: added to every imported contact
    source: str | None = None  # --source: for rows that name none
    keep_unmapped: bool = False
    date_order: str | None = None  # "dmy" or "mdy" for the file's slash dates (--date-order)


@dataclass(frozen=True)
class RowNote:
    line: int
    message: str


@dataclass
class ImportReport:
    rows: int = 0
    created: int = 0
    updated: int = 0  # --on-duplicate update changed a contact
    merged: int = 0  # --on-duplicate merge filled or added something
    unchanged: int = 0  # a duplicate that had nothing new
    skipped: int = 0  # duplicates left alone (--on-duplicate skip)
    empty: int = 0  # rows with nothing to import
    rejected: int = 0
    companies_created: int = 0
    dropped: int = 0  # values of imported rows left out (each one a warning)
    warned: int = 0  # warnings in all
    rejects: list[RowNote] = field(default_factory=list)  # the first KEEP_PROBLEMS
    warnings: list[RowNote] = field(default_factory=list)  # the first KEEP_PROBLEMS


# Values that say "nothing here": dropped with a warning, but not kept in the note as a
# lost value would be (docs/import-export.md). Any value without a letter or digit too.
PLACEHOLDERS = frozenset(
    {
        "null", "nil", "none", "n/a", "na", "n.a.", "n.a", "not available", "not applicable",
        "unknown", "tbd", "tba", "no contact number", "no number", "no phone", "no phone number",
        "no email", "no e-mail", "no email address", "undefined", "empty", "x", "xx", "xxx",
    }
)  # fmt: skip
# No phone or fax number has fewer digits than this (the shortest, emergency numbers such as
# 112 and 911, have three): "Telefon (privat 2)", a cell holding its column's name, is
# dropped with a warning as "n/a" is, not taken as the number "2".
FEWEST_DIGITS = 3
_TWO_DIGIT_YEAR = re.compile(r"^\d{1,2}[./]\d{1,2}[./]\d{2}$")


def is_placeholder(value: str) -> bool:
    text = " ".join(value.split()).casefold()
    return text in PLACEHOLDERS or not any(char.isalnum() for char in text)


def _quoted(value: str) -> str:
    text = " ".join(value.split())
    return f'"{text[:80]}…"' if len(text) > 80 else f'"{text}"'


class _Drops:
    """What validation drops from one row: the warnings, the lost values kept for the note
    ("Birthday: circa 1800"), and how many values were dropped."""

    __slots__ = ("count", "kept", "lost", "warnings")

    def __init__(self) -> None:
        self.count = 0
        self.kept: list[str] = []
        self.warnings: list[str] = []
        self.lost: list[str] = []

    def drop(self, message: str, label: str, value: str) -> None:
        self.count += 1
        self.lost.append(message)
        if is_placeholder(value):
            self.warnings.append(f"{message}; not imported")
        else:
            self.kept.append(f"{label}: {' '.join(value.split())}")
            self.warnings.append(f"{message}; kept in the note")

    def warn(self, message: str) -> None:
        self.warnings.append(message)


def _nothing_left(phones: dict[str, Phone], drops: _Drops) -> str:
    """Why a row with no name is rejected: nothing that identifies a contact is left."""
    reason = "no name, email or phone number"
    if phones:
        shown = ", ".join(_quoted(phone.number) for phone in phones.values())
        reason = f"no name or email, and phone {shown} is too short to identify anyone"
    if drops.lost:
        reason += f" ({'; '.join(drops.lost)})"
    return reason


# Python's cyclic garbage collector runs after every 700 new container objects (the
# default): a row makes dozens (its cells, values, the contact's state), most of them kept
# until the batch is written, and each collection walks them all again, so an import
# spent a sixth of its CPU in collections that found nothing. An import makes no cycles
# to speak of: while it runs, a collection waits for more new objects than a whole batch
# holds (1 000 rows, ~100 objects each). 10 000 still left 12 % (docs/performance.md).
_IMPORT_GC_THRESHOLD = 200_000


@contextmanager
def _fewer_collections() -> Iterator[None]:
    old = gc.get_threshold()
    gc.set_threshold(max(old[0], _IMPORT_GC_THRESHOLD), *old[1:])
    try:
        yield
    finally:
        gc.set_threshold(*old)


def _tails(number: str, key: str) -> tuple[str, ...]:
    tail = phone_tail(number)
    # phone_tail(key): a key is digits, E.164's after a "+" (phone_key)
    key_tail = key[1:] if len(key) <= 8 and key[0] == "+" else key[-8:]
    return (tail,) if tail == key_tail else (tail, key_tail)


class Importer:
    """Imports a stream of parsed rows in batches: validate each row, then let a Batch
    (core/importing/batch.py) find the batch's duplicates, merge and write. The caller runs
    it inside one transaction."""

    def __init__(
        self,
        db: Database,
        now: datetime,
        options: ImportOptions,
        *,
        batch_size: int = BATCH_ROWS,
        notes: Callable[[str, RowNote], None] | None = None,
    ) -> None:
        if options.on_duplicate not in POLICIES:
            raise InvalidInput(
                f'unknown duplicate policy "{options.on_duplicate}"',
                hint="use one of: " + ", ".join(POLICIES),
            )
        self.db = db
        # The batches read back contacts and index pages the import wrote: a cache bigger
        # than SQLite's 2 MB default keeps them in memory instead of re-reading the WAL.
        # A bound, so memory stays flat whatever the size of the file.
        db.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
        self.now = now
        self.stamp = to_iso(now)
        self.options = options
        self.batch_size = batch_size
        self.report = ImportReport()
        # Every warning and reject as it comes ("warning" or "rejected", the note), for
        # --report FILE: the report keeps only the first ones.
        self.notes = notes
        self.batch_tags = tags.clean_tags(options.tags)
        self.fields = _ContactFields(db, now)
        region = settings.phone_region(db)
        # phone_key is cached itself; this keeps the region out of every call
        self.phone_key: Callable[[str], str | None] = lambda number: phone_key(number, region)
        self._triggers: list[str] | None = None  # set aside on the first write
        self._tag_ids: dict[str, int] = {}
        self._stages: dict[str, str | None] = {}
        self._company_ids: dict[str, int] = {}
        self.same_names = SameNames()  # the names without a company the batches met
        self._last_old_id = self._next_id = 0  # set with the first write
        self._touched_table = False

    def check_fields(self, names: list[str]) -> None:
        """Refuse, before any row is read, a mapping onto a custom field that does not exist."""
        for name in names:
            self.fields.require(name)

    def import_rows(self, rows: Iterable[ParsedContact]) -> Iterator[tuple[ParsedContact, str]]:
        """Import the rows, a batch at a time; yield each row with what happened to it
        (created, updated, merged, unchanged, skipped, empty or rejected), in file order,
        once its batch is written. Indexes the last batch and puts the search triggers
        back at the end, so run it to the end inside the transaction."""
        pending: list[tuple[ParsedContact, Row | RowNote | None]] = []
        with _fewer_collections():
            for parsed in rows:
                pending.append((parsed, self._check(parsed)))
                if len(pending) >= self.batch_size:
                    yield from self._run(pending)
                    pending = []
            if pending:
                yield from self._run(pending)
            self._finish()

    def _check(self, parsed: ParsedContact) -> Row | RowNote | None:
        """The validated row; None for a row with nothing in it; the reason for a reject."""
        if not parsed.has_data():
            return None
        try:
            return self._validate(parsed)
        except Rejected as exc:
            return RowNote(parsed.line, exc.message)

    def _run(
        self, pending: list[tuple[ParsedContact, Row | RowNote | None]]
    ) -> Iterator[tuple[ParsedContact, str]]:
        report = self.report
        batch = Batch(self, [row for _, row in pending if isinstance(row, Row)])
        outcomes = []
        for parsed, row in pending:
            report.rows += 1
            if isinstance(row, Row):
                for message in row.warnings:
                    self.warn(parsed.line, message)
                try:
                    outcome = batch.write(row)
                except Rejected as exc:
                    row = RowNote(parsed.line, exc.message)
                    outcome = "rejected"
                else:
                    report.dropped += row.dropped
            else:
                for message in parsed.warnings:  # what the reader dropped, all the same
                    self.warn(parsed.line, message)
                outcome = "empty" if row is None else "rejected"
            if isinstance(row, RowNote):
                self.reject(row)
            elif outcome != "rejected":
                setattr(report, outcome, getattr(report, outcome) + 1)
            outcomes.append((parsed, outcome))
        batch.flush()
        yield from outcomes

    def _finish(self) -> None:
        """Index what the import wrote for search, set-based: the new contacts (a range of
        ids) and the changed ones (their ids in a temporary table, not in memory); then put
        the search triggers back as they were."""
        if self._triggers is None:
            return
        db, code = self.db, KIND_CODES["contact"]
        insert = (
            "INSERT INTO search_index(rowid, kind, title, body)"
            " SELECT doc, 'contact', title, body FROM contact_search_docs"
        )
        if self._touched_table:
            db.execute(
                f"DELETE FROM search_index WHERE rowid IN"
                f" (SELECT id * 8 + {code} FROM temp.import_touched)"
            )
            db.execute(f"{insert} WHERE id IN (SELECT id FROM temp.import_touched)")
            db.execute("DROP TABLE temp.import_touched")
        db.execute(f"{insert} WHERE id > ?", [self._last_old_id])
        for sql in self._triggers:
            db.execute(sql)
        self._triggers = None

    # -- one row ---------------------------------------------------------------------

    def _validate(self, parsed: ParsedContact) -> Row:
        """The row's values as they will be stored. A value pcrm cannot take (an email with
        a typo, a phone of "n/a", a birthday of "circa 1800"...) is dropped with a warning,
        and kept in the note when it is real information (not a placeholder); the row is
        rejected only when nothing identifying is left."""
        if parsed.problem:
            raise Rejected(parsed.problem)
        drops = _Drops()
        emails: dict[str, tuple[str, str | None]] = {}
        for label, value in parsed.emails:
            if label is None:
                label, value = split_label(value)
            try:
                address = normalise_email(value)
            except InvalidInput:
                drops.drop(f"email {_quoted(value)} is not a valid address", "Email", value)
                continue
            emails.setdefault(address, (address, label))
        phones: dict[str, Phone] = {}
        for label, value in parsed.phones:
            if label is None:
                label, value = split_label(value)
            number = " ".join(value.split())
            if sum(map(str.isdigit, number)) < FEWEST_DIGITS:
                drops.drop(f"phone {_quoted(value)} is not a phone number", "Phone", value)
                continue
            key = self.phone_key(number)
            if key is None:
                phone = Phone(number, label, None, ())
                phones.setdefault("".join(filter(str.isdigit, number)), phone)
            else:
                phones.setdefault(key, Phone(number, label, key, _tails(number, key)))
        company = clean_line(parsed.company)
        name = " ".join((parsed.name or "").split())
        name_given = bool(name)
        needs_name = False
        if not name:
            nickname = clean_line(parsed.nickname)
            if nickname:
                name = nickname
            elif emails:
                name = next(iter(emails))
            elif any(phone.key for phone in phones.values()):
                # A phone-only row is a contact: named from its company and number, and
                # tagged for review when it is created (Batch).
                number = next(phone.number for phone in phones.values() if phone.key)
                name = f"{company} ({number})" if company else number
                needs_name = True
            elif company and (parsed.addresses or parsed.urls or parsed.faxes):
                # A business card (a vCard with ORG and an address, no FN): named from
                # its company, tagged for review like a phone-only row.
                name, needs_name = company, True
            else:
                raise Rejected(_nothing_left(phones, drops))
        # (each value only when there is one: a call per empty cell adds up over 100 000 rows)
        scalars = {
            "title": clean_line(parsed.title),
            "source": clean_line(parsed.source or self.options.source),
            "birthday": self._birthday(parsed.birthday, drops) if parsed.birthday else None,
            "note": None,
            "anniversary": self._birthday(parsed.anniversary, drops, "anniversary")
            if parsed.anniversary
            else None,
            "cadence_days": self._cadence(parsed.cadence, drops) if parsed.cadence else None,
            "nickname": clean_line(parsed.nickname),
        }
        tag_names = self._tags(parsed.tags, drops)
        values = {}
        for field_name, value in parsed.fields.items():
            try:
                checked = self.fields.check(field_name, value)
            except InvalidInput as exc:
                drops.drop(exc.message, self.fields.require(field_name).name, value)
                continue
            if checked is not None:
                values[field_name] = checked
        created_at = updated_at = stage = None
        if parsed.created_at:
            created_at = self._time(parsed.created_at, drops, "creation date", "Created")
        if parsed.updated_at:
            updated_at = self._time(parsed.updated_at, drops, "change date", "Changed")
        if parsed.stage:
            stage = self._stage(parsed.stage, drops)
        details = _details(parsed, drops)
        scalars["note"] = self._note(parsed, drops.kept)
        return Row(
            line=parsed.line,
            name=name,
            name_key=_key(name),
            emails=list(emails.values()),
            phones=list(phones.values()),
            company=company,
            company_key=_key(company) if company else None,
            scalars=scalars,
            tags=tag_names,
            fields=values,
            uid=clean_line(parsed.uid),
            created_at=created_at,
            updated_at=updated_at,
            stage=stage,
            name_given=name_given,
            warnings=[*parsed.warnings, *drops.warnings],
            dropped=drops.count,
            needs_name=needs_name,
            **details,
        )

    def _stage(self, value: str | None, drops: _Drops) -> str | None:
        """The lifecycle stage by name (any case or unique prefix). One pcrm does not have
        is warned about, and the row imports without it: the stage list is the user's."""
        value = clean_line(value)
        if value is None:
            return None
        if value not in self._stages:
            try:
                self._stages[value] = lifecycle.resolve_stage(self.db, value).name
            except (InvalidInput, Ambiguous):
                self._stages[value] = None
        if self._stages[value] is None:
            drops.drop(f"unknown lifecycle stage {_quoted(value)}", "Lifecycle stage", value)
        return self._stages[value]

    def _tags(self, names: list[str], drops: _Drops) -> list[str]:
        try:
            return tags.clean_tags([*names, *self.batch_tags])
        except InvalidInput:
            pass
        kept = []
        for name in names:  # one by one, to drop only the bad ones
            try:
                kept.extend(tags.clean_tags([name]))
            except InvalidInput as exc:
                drops.drop(exc.message, "Tags", name)
        return tags.clean_tags([*kept, *self.batch_tags])

    @functools.cached_property
    def _date_order(self) -> str:
        """Slash dates in a file: in the file's order (ImportOptions.date_order: the file's
        own dates or --date-order), else the date-order setting's, else month/day/year as
        Outlook writes them (what import always did)."""
        return self.options.date_order or current_date_order() or "mdy"

    def _birthday(self, value: str | None, drops: _Drops, what: str = "birthday") -> str | None:
        value = clean_optional(value)
        if value is None:
            return None
        try:
            day = parse_birthday(value, what, order=self._date_order, today=self.now.date())
        except InvalidInput:
            drops.drop(
                f"{what} {_quoted(value)} is not a date pcrm can read", what.capitalize(), value
            )
            return None
        if _TWO_DIGIT_YEAR.search(value) and not day.startswith("--"):
            drops.warn(f"{what} {_quoted(value)} has a two-digit year: read as {day}")
        return day

    def _cadence(self, value: str | None, drops: _Drops) -> int | None:
        value = clean_optional(value)
        if value is None:
            return None
        try:
            return parse_cadence(value)
        except InvalidInput:
            drops.drop(
                f"stay-in-touch cadence {_quoted(value)} cannot be read", "Stay in touch", value
            )
            return None

    def _time(self, value: str | None, drops: _Drops, what: str, label: str) -> str | None:
        value = clean_optional(value)
        if value is None:
            return None
        try:
            return to_iso(parse_when(value, self.now, order=self._date_order).moment)
        except InvalidInput:
            drops.drop(f"{what} {_quoted(value)} is not a date pcrm can read", label, value)
            return None

    def _note(self, parsed: ParsedContact, kept: list[str]) -> str | None:
        parts = [parsed.note]
        if self.options.keep_unmapped:
            parts.append(parsed.unmapped_note(frozenset({"PHOTO (binary)", "LOGO (binary)"})))
        parts.append("\n".join(kept))
        return clean_optional("\n\n".join(part for part in parts if part))

    # -- what the batches share ------------------------------------------------------

    def suspend_search(self) -> None:
        """Before the first write: set the contact search triggers aside (a row would fire
        several, each re-reading the contact's whole search text); the end indexes what
        was written at once. Only on a write, so an import that changes nothing leaves the
        schema as it was."""
        if self._triggers is None:
            self._triggers = _suspend_search_triggers(self.db)
            last = self.db.execute("SELECT coalesce(max(id), 0) FROM contacts").fetchone()[0]
            self._last_old_id = self._next_id = last

    def next_contact_id(self) -> int:
        """The id of the next new contact, as SQLite would choose it (the import holds the
        write lock, and a batch writes its contacts before the next batch starts)."""
        self.suspend_search()
        self._next_id += 1
        return self._next_id

    def touched(self, ids: list[int]) -> None:
        """Contacts that were there before the import and that a batch changed: indexed
        for search at the end."""
        old = [(contact_id,) for contact_id in ids if contact_id <= self._last_old_id]
        if not old:
            return
        if not self._touched_table:
            self.db.execute("CREATE TEMP TABLE import_touched (id INTEGER PRIMARY KEY)")
            self._touched_table = True
        self.db.conn.executemany("INSERT OR IGNORE INTO temp.import_touched(id) VALUES (?)", old)

    def record_stage(self, contact_id: int, stage: str) -> None:
        """Through lifecycle, so the change is in the contact's history like any other."""
        lifecycle.set_stage(self.db, self.now, "contact", contact_id, stage, reason="imported")

    def tag_ids(self, names: list[str]) -> list[int]:
        """The tags' ids, tags created as needed."""
        ids = []
        for tag in names:
            key = tag.casefold()
            if key not in self._tag_ids:
                self._tag_ids[key] = tags.tag_ids(self.db, [tag])[0]
            ids.append(self._tag_ids[key])
        return ids

    def company_id(self, name: str | None) -> int | None:
        """The company of this exact name (any case or accents), created if new. Never by
        id or domain: a CSV cell is a name."""
        if name is None:
            return None
        key = _key(name)
        if key in self._company_ids:
            return self._company_ids[key]
        if len(self._company_ids) > 10_000:  # a cache, not a copy of the table
            self._company_ids.clear()
        found = self.db.execute(
            "SELECT id FROM companies WHERE name_key = ? ORDER BY id LIMIT 1", [key]
        ).fetchone()
        if found:
            self._company_ids[key] = found[0]
            return int(found[0])
        company_id = self.db.execute(
            "INSERT INTO companies(uid, name, name_key, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?)",
            [new_uid(), name, key, self.stamp, self.stamp],
        ).lastrowid
        assert company_id is not None
        self.report.companies_created += 1
        self._company_ids[key] = company_id
        return company_id

    def company_key(self, company_id: int | None) -> str | None:
        if company_id is None:
            return None
        found = self.db.execute(
            "SELECT name_key FROM companies WHERE id = ?", [company_id]
        ).fetchone()
        key: str = found[0]
        return key

    def warn(self, line: int, message: str) -> None:
        """A value dropped, changed or guessed, or a decision to know about: the first
        KEEP_PROBLEMS are kept for the summary, every one goes to the notes callback
        (--report FILE)."""
        report = self.report
        report.warned += 1
        note = RowNote(line, message)
        if len(report.warnings) < KEEP_PROBLEMS:
            report.warnings.append(note)
        if self.notes is not None:
            self.notes("warning", note)

    def reject(self, note: RowNote) -> None:
        report = self.report
        report.rejected += 1
        if len(report.rejects) < KEEP_PROBLEMS:
            report.rejects.append(note)
        if self.notes is not None:
            self.notes("rejected", note)


# Tables whose search triggers re-index a contact: one import row fires several of them,
# each re-reading the contact's whole search text. They are dropped for the import and
# re-created as they were (in the same transaction); each Batch indexes its contacts.
_CONTACT_TABLES = (
    "contacts", "contact_emails", "contact_phones", "contact_tags", "contact_addresses",
    "contact_urls",
)  # fmt: skip


def _details(parsed: ParsedContact, drops: _Drops) -> dict[str, Any]:
    """The row's faxes, URLs, addresses and raw vCard as Row takes them: text cleaned, each
    value once; a fax with fewer than FEWEST_DIGITS digits is dropped with a warning, an
    address with no part left is dropped, a URL is kept as written (no scheme added)."""
    if not (parsed.faxes or parsed.urls or parsed.addresses or parsed.vcard):
        return {}  # most rows: Row's defaults
    faxes: dict[str, tuple[str, str | None]] = {}
    for label, value in parsed.faxes:
        number = " ".join(value.split())
        digits = "".join(filter(str.isdigit, number))
        if len(digits) < FEWEST_DIGITS:
            if number:
                drops.drop(f"fax {_quoted(number)} is not a fax number", "Fax", number)
            continue
        faxes.setdefault(digits, (number, clean_line(label)))
    urls: dict[str, tuple[str, str | None]] = {}
    for label, value in parsed.urls:
        url = " ".join(value.split())  # as written; runs of spaces are one
        if url:
            urls.setdefault(url, (url, clean_line(label)))
    addresses: dict[tuple[str | None, ...], Address] = {}
    for address in parsed.addresses:
        # clean_line() of each part, inline: an address per row adds up over 100 000 rows
        written = (address.street, address.locality, address.region, address.postcode)
        street, locality, region, postcode = (
            " ".join(part.split()) or None if part else None for part in written
        )
        country = address.country
        parts = (street, locality, region, postcode, country and clean_line(country))
        if any(parts) and parts not in addresses:
            label = address.label and clean_line(address.label)
            if label == address.label and parts == (*written, address.country):
                addresses[parts] = address  # already clean: the reader's own (frozen)
            else:
                addresses[parts] = Address(label, *parts)
    card = parsed.vcard if parsed.vcard and parsed.vcard.strip() else None
    return {
        "faxes": list(faxes.values()),
        "urls": list(urls.values()),
        "addresses": list(addresses.values()),
        "vcard": card,
    }


def _suspend_search_triggers(db: Database) -> list[str]:
    marks = ",".join("?" * len(_CONTACT_TABLES))
    triggers = db.execute(
        f"SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN ({marks})"
        " AND sql LIKE '%search_index%' ORDER BY name",
        _CONTACT_TABLES,
    ).fetchall()
    for name, _sql in triggers:
        db.execute(f'DROP TRIGGER "{name}"')
    return [sql for _name, sql in triggers]


class _ContactFields:
    """Custom fields of contacts (core/people/fields.py), as the import uses them: definitions
    looked up once per import, values checked with the field's own rules.

    Values are written here, not through fields.set_values(), which looks the field up
    (with its usage counts) on every call: once per row is too slow for 100 000 rows.
    They were checked by fields.parse_value(), so they are what set_values would store."""

    def __init__(self, db: Database, now: datetime) -> None:
        self.db = db
        self.now = now
        self.style = settings.number_style(db)
        self._definitions: dict[str, FieldDef] = {}

    def require(self, name: str) -> FieldDef:
        """The field's definition; NotFound (a fatal error) when contacts have no such field."""
        key = name.strip().casefold()
        if key not in self._definitions:
            self._definitions[key] = fields.get_field(self.db, "contact", name)
        return self._definitions[key]

    def check(self, name: str, text: str) -> FieldValue | None:
        return fields.parse_value(self.require(name), text, self.now, self.style)

    def read(self, contact_id: int, name: str) -> FieldValue | None:
        found = self.db.execute(
            "SELECT value FROM contact_field_values WHERE contact_id = ? AND field_id = ?",
            [contact_id, self.require(name).id],
        ).fetchone()
        return found[0] if found else None

    def write(self, contact_id: int, name: str, value: FieldValue) -> None:
        self.db.execute(
            "INSERT INTO contact_field_values(contact_id, field_id, value) VALUES (?, ?, ?)"
            " ON CONFLICT (contact_id, field_id) DO UPDATE SET value = excluded.value",
            [contact_id, self.require(name).id, value],
        )
