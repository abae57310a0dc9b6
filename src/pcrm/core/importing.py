"""Importing contacts: validate each parsed row, find the contact it duplicates, write.

The caller streams rows (formats/contact_rows.py) into Importer.add() inside one
transaction and calls finish() at the end. Each row is checked and written at once, so a
later row of the same person finds the contact an earlier row created. What a row
duplicates, in order: the same uid, the same email (any case), the same phone number in
E.164, the same name (any case or accents) at the same company (or both without one).
docs/import-export.md describes the policy for users.

Speed (docs/performance.md): the duplicate keys of the existing contacts are read once
into dicts (_Keys) and kept up to date as rows are written, instead of four lookups per
row; a new contact's emails, phones and tags are written in batches (executemany), flushed
before anything reads them back.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import TYPE_CHECKING

from pcrm.core import fields, lifecycle, settings, tags
from pcrm.core.models import FieldDef, FieldValue
from pcrm.core.phones import phone_key
from pcrm.core.records import new_uid
from pcrm.core.reminders import parse_cadence
from pcrm.core.text import clean_line, clean_optional, name_key, normalise_email, split_label
from pcrm.dates import parse_birthday, parse_when, to_iso
from pcrm.errors import Ambiguous, InvalidInput
from pcrm.store.db import Database
from pcrm.store.schema import KIND_CODES

if TYPE_CHECKING:
    from pcrm.formats.contact_rows import ParsedContact

POLICIES = ("skip", "update", "merge", "create")
KEEP_PROBLEMS = 200  # rejected rows listed in the report; the rest are counted
_SCALARS = ("title", "source", "birthday", "note", "anniversary", "cadence_days")
_BATCH = 2000  # rows of emails, phones or tags held back before an executemany
# Company names repeat from row to row, and a name is keyed up to three times per row.
_key = lru_cache(maxsize=4096)(name_key)


@dataclass
class ImportOptions:
    on_duplicate: str = "merge"
    tags: list[str] = field(default_factory=list)  # --tag: added to every imported contact
    source: str | None = None  # --source: for rows that name none
    keep_unmapped: bool = False


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
    rejects: list[RowNote] = field(default_factory=list)  # the first KEEP_PROBLEMS
    warnings: list[RowNote] = field(default_factory=list)

    @property
    def duplicates(self) -> int:
        return self.updated + self.merged + self.unchanged + self.skipped


@dataclass
class _Row:
    """A parsed row after validation: values as they will be stored."""

    name: str
    emails: list[tuple[str, str | None]]  # (address, label)
    phones: list[tuple[str, str | None]]
    company: str | None
    scalars: dict[str, str | None]  # title, source, birthday, note
    tags: list[str]
    fields: dict[str, FieldValue]
    uid: str | None
    created_at: str | None
    updated_at: str | None
    stage: str | None  # a lifecycle stage's name as pcrm has it
    name_given: bool  # False when the name is the email address


class Rejected(InvalidInput):
    """A row that cannot be imported; the message is the reason."""


class Importer:
    def __init__(self, db: Database, now: datetime, options: ImportOptions) -> None:
        if options.on_duplicate not in POLICIES:
            raise InvalidInput(
                f'unknown duplicate policy "{options.on_duplicate}"',
                hint="use one of: " + ", ".join(POLICIES),
            )
        self.db = db
        self.now = now
        self.stamp = to_iso(now)
        self.options = options
        self.report = ImportReport()
        self.batch_tags = tags.clean_tags(options.tags)
        self.region = settings.phone_region(db)
        self.fields = _ContactFields(db, now)
        self._triggers: list[str] | None = None  # set aside on the first write
        self._tag_ids: dict[str, int] = {}
        self._stages: dict[str, str | None] = {}
        self._company_ids: dict[str, int] = {}
        self._keys: _Keys | None = None  # read on the first lookup
        self._touched: set[int] = set()
        self._new_emails: list[tuple[int, str, str | None, int]] = []
        self._new_phones: list[tuple[int, str, str | None, int]] = []
        self._new_tags: list[tuple[int, int]] = []
        self._held_from: int | None = None  # the first contact whose rows are held back

    def _suspend_search(self) -> None:
        """Before the first write: set the contact search triggers aside (a row would fire
        several, each re-reading the contact's whole search text); finish() indexes the
        touched contacts at once. Only on a write, so an import that changes nothing
        leaves the schema as it was."""
        if self._triggers is None:
            self._triggers = _suspend_search_triggers(self.db)

    def _touch(self, contact_id: int) -> None:
        """Call before (or right after creating) a write to the contact's search text."""
        self._suspend_search()
        self._touched.add(contact_id)

    def _flush(self) -> None:
        """Write the held-back emails, phones and tags of new contacts."""
        conn = self.db.conn
        if self._new_emails:
            conn.executemany(
                "INSERT INTO contact_emails(contact_id, email, label, position)"
                " VALUES (?, ?, ?, ?)",
                self._new_emails,
            )
            self._new_emails = []
        if self._new_phones:
            conn.executemany(
                "INSERT INTO contact_phones(contact_id, phone, label, position)"
                " VALUES (?, ?, ?, ?)",
                self._new_phones,
            )
            self._new_phones = []
        if self._new_tags:
            conn.executemany(
                "INSERT OR IGNORE INTO contact_tags(contact_id, tag_id) VALUES (?, ?)",
                self._new_tags,
            )
            self._new_tags = []
        self._held_from = None

    def _key_index(self) -> _Keys:
        if self._keys is None:
            self._keys = _Keys(self.db, self._phone_key)
        return self._keys

    def check_fields(self, names: list[str]) -> None:
        """Refuse, before any row is read, a mapping onto a custom field that does not exist."""
        for name in names:
            self.fields.require(name)

    def finish(self) -> None:
        """Called once after the last row, inside the same transaction: index what the
        import touched for search, and put the search triggers back as they were."""
        self._flush()
        if self._triggers is None:
            return
        self.db.execute("CREATE TEMP TABLE import_touched (id INTEGER PRIMARY KEY)")
        self.db.conn.executemany(
            "INSERT INTO temp.import_touched(id) VALUES (?)", [(i,) for i in self._touched]
        )
        code = KIND_CODES["contact"]
        touched = "SELECT id FROM temp.import_touched"
        self.db.execute(
            f"DELETE FROM search_index WHERE rowid IN (SELECT id * 8 + {code} FROM"
            " temp.import_touched)"
        )
        self.db.execute(
            "INSERT INTO search_index(rowid, kind, title, body) SELECT doc, 'contact', title,"
            f" body FROM contact_search_docs WHERE id IN ({touched})"
        )
        for sql in self._triggers:
            self.db.execute(sql)
        self.db.execute("DROP TABLE temp.import_touched")

    # -- one row ---------------------------------------------------------------------

    def add(self, parsed: ParsedContact) -> str:
        """Import one row; returns what happened: created, updated, merged, unchanged,
        skipped, empty or rejected (the reason is in report.rejects)."""
        report = self.report
        report.rows += 1
        if not parsed.has_data():
            report.empty += 1
            return "empty"
        try:
            row = self._validate(parsed)
            outcome = self._write(parsed.line, row)
        except Rejected as exc:
            report.rejected += 1
            if len(report.rejects) < KEEP_PROBLEMS:
                report.rejects.append(RowNote(parsed.line, exc.message))
            return "rejected"
        setattr(report, outcome, getattr(report, outcome) + 1)
        return outcome

    def _validate(self, parsed: ParsedContact) -> _Row:
        if parsed.problem:
            raise Rejected(parsed.problem)
        emails: dict[str, tuple[str, str | None]] = {}
        for label, value in parsed.emails:
            if label is None:
                label, value = split_label(value)
            try:
                address = normalise_email(value)
            except InvalidInput:
                raise Rejected(f'invalid email address "{value}"') from None
            emails.setdefault(address, (address, label))
        phones: dict[str, tuple[str, str | None]] = {}
        for label, value in parsed.phones:
            if label is None:
                label, value = split_label(value)
            number = " ".join(value.split())
            if not any(ch.isdigit() for ch in number):
                raise Rejected(f'invalid phone number "{value}"')
            key = self._phone_key(number) or "".join(ch for ch in number if ch.isdigit())
            phones.setdefault(key, (number, label))
        name = " ".join((parsed.name or "").split())
        name_given = bool(name)
        if not name:
            if not emails:
                raise Rejected("no name and no email")
            name = next(iter(emails))
        scalars = {
            "title": clean_line(parsed.title),
            "source": clean_line(parsed.source or self.options.source),
            "birthday": self._birthday(parsed.birthday),
            "note": self._note(parsed),
            "anniversary": self._birthday(parsed.anniversary, "anniversary"),
            "cadence_days": self._cadence(parsed.cadence),
        }
        try:
            tag_names = tags.clean_tags([*parsed.tags, *self.batch_tags])
        except InvalidInput as exc:
            raise Rejected(exc.message) from None
        values = {}
        for field_name, value in parsed.fields.items():
            try:
                checked = self.fields.check(field_name, value)
            except InvalidInput as exc:
                raise Rejected(exc.message) from None
            if checked is not None:
                values[field_name] = checked
        return _Row(
            name=name,
            emails=list(emails.values()),
            phones=list(phones.values()),
            company=clean_line(parsed.company),
            scalars=scalars,
            tags=tag_names,
            fields=values,
            uid=clean_line(parsed.uid),
            created_at=self._time(parsed.created_at),
            updated_at=self._time(parsed.updated_at),
            stage=self._stage(parsed.line, parsed.stage),
            name_given=name_given,
        )

    def _stage(self, line: int, value: str | None) -> str | None:
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
            self._warn(line, f'unknown lifecycle stage "{value}"; imported without a stage')
        return self._stages[value]

    def _birthday(self, value: str | None, what: str = "birthday") -> str | None:
        value = clean_optional(value)
        if value is None:
            return None
        try:
            return parse_birthday(value, what)
        except InvalidInput:
            raise Rejected(f'invalid {what} "{value}"') from None

    def _cadence(self, value: str | None) -> int | None:
        value = clean_optional(value)
        if value is None:
            return None
        try:
            return parse_cadence(value)
        except InvalidInput:
            raise Rejected(f'invalid stay-in-touch cadence "{value}"') from None

    def _time(self, value: str | None) -> str | None:
        value = clean_optional(value)
        if value is None:
            return None
        try:
            return to_iso(parse_when(value, self.now).moment)
        except InvalidInput:
            raise Rejected(f'invalid date "{value}"') from None

    def _note(self, parsed: ParsedContact) -> str | None:
        parts = [parsed.note]
        if self.options.keep_unmapped:
            parts.append(parsed.unmapped_note(frozenset({"PHOTO (binary)", "LOGO (binary)"})))
        return clean_optional("\n\n".join(part for part in parts if part))

    # -- duplicates ------------------------------------------------------------------

    def _phone_key(self, number: str) -> str | None:
        return phone_key(number, self.region)

    def _match(self, row: _Row) -> int | None:
        keys = self._key_index()
        if row.uid:
            found = self._uid_owner(row.uid)
            if found is not None:
                return found
        owners = [keys.emails[a] for a, _ in row.emails if a in keys.emails]
        if owners:
            return min(owners)
        for number, _label in row.phones:
            contact_id = self._phone_owner(number)
            if contact_id is not None:
                return contact_id
        if row.name_given:
            company_key = _key(row.company) if row.company else None
            same_name = keys.names.get((_key(row.name), company_key))
            if same_name:
                return min(same_name)
        return None

    def _phone_owner(self, number: str, contact_id: int | None = None) -> int | None:
        """The contact (or, given contact_id, whether that contact) has this number.
        A number too short to identify anyone matches nobody."""
        key = self._phone_key(number)
        if key is None:  # a short number: only the same digits on the same contact match
            digits = "".join(ch for ch in number if ch.isdigit())
            if contact_id is None:
                return None
            for (phone,) in self.db.execute(
                "SELECT phone FROM contact_phones WHERE contact_id = ?", [contact_id]
            ):
                if "".join(ch for ch in phone if ch.isdigit()) == digits:
                    return contact_id
            return None
        # As the SQL index on PHONE_TAIL_SQL would: a stored number with the same key and
        # the same last digits as the number or its key.
        tails = {_tail(number), _tail(key)}
        owners = [
            owner
            for owner, tail in self._key_index().phones.get(key, ())
            if tail in tails and (contact_id is None or owner == contact_id)
        ]
        return min(owners) if owners else None

    # -- writing ---------------------------------------------------------------------

    def _write(self, line: int, row: _Row) -> str:
        policy = self.options.on_duplicate
        existing = None if policy == "create" else self._match(row)
        if existing is None:
            self._create(row)
            return "created"
        if policy == "skip":
            return "skipped"
        changed = self._apply(line, existing, row, overwrite=policy == "update")
        if not changed:
            return "unchanged"
        return "updated" if policy == "update" else "merged"

    def _create(self, row: _Row) -> None:
        keys = self._key_index()
        for address, _label in row.emails:
            owner = keys.emails.get(address)
            if owner is not None:
                raise Rejected(f"{address} already belongs to contact {owner}")
        self._suspend_search()
        uid = row.uid
        if uid is None or self._uid_owner(uid) is not None:
            uid = new_uid()
        created = row.created_at or self.stamp
        key = _key(row.name)
        contact_id = self.db.execute(
            "INSERT INTO contacts(uid, name, name_key, company_id, title, source, birthday,"
            " note, anniversary, cadence_days, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                uid,
                row.name,
                key,
                self._company_id(row.company),
                *(row.scalars[column] for column in _SCALARS),
                created,
                row.updated_at or created,
            ],
        ).lastrowid
        assert contact_id is not None
        self._touched.add(contact_id)
        keys.add_name(contact_id, key, _key(row.company) if row.company else None)
        for position, (address, label) in enumerate(row.emails):
            self._new_emails.append((contact_id, address, label, position))
            keys.emails[address] = contact_id
        for position, (number, label) in enumerate(row.phones):
            self._new_phones.append((contact_id, number, label, position))
            keys.add_phone(contact_id, number)
        self._new_tags.extend((contact_id, tag_id) for tag_id in self._tag_list(row.tags))
        if self._held_from is None:
            self._held_from = contact_id
        if max(len(self._new_emails), len(self._new_phones), len(self._new_tags)) >= _BATCH:
            self._flush()
        for field_name, value in row.fields.items():
            self.fields.write(contact_id, field_name, value)
        if row.stage:
            self._set_stage(contact_id, row.stage)

    def _apply(self, line: int, contact_id: int, row: _Row, *, overwrite: bool) -> bool:
        """Merge (fill what is empty, add what is new) or update (the row's values win)
        a row into an existing contact; returns whether anything changed."""
        if self._held_from is not None and contact_id >= self._held_from:
            self._flush()  # what follows reads the contact's emails, phones and tags
        db = self.db
        current = db.execute(
            "SELECT name, company_id, title, source, birthday, note, anniversary, cadence_days,"
            " lifecycle_stage FROM contacts WHERE id = ?",
            [contact_id],
        ).fetchone()
        sets: dict[str, object] = {}
        if overwrite and row.name_given and row.name != current[0]:
            sets.update(name=row.name, name_key=_key(row.name))
        if row.company and (overwrite or current[1] is None):
            company_id = self._company_id(row.company)
            if company_id != current[1]:
                sets["company_id"] = company_id
        for column, old in zip(_SCALARS, current[2:8], strict=True):
            new = row.scalars[column]
            if new is not None and new != old and (overwrite or old is None):
                sets[column] = new
        changed = bool(sets)
        changed |= self._add_emails(line, contact_id, row.emails, overwrite)
        changed |= self._add_phones(contact_id, row.phones, overwrite)
        changed |= self._link_tags(contact_id, row.tags)
        for field_name, value in row.fields.items():
            old = self.fields.read(contact_id, field_name)
            if value != old and (overwrite or old is None):
                self.fields.write(contact_id, field_name, value)
                changed = True
        stage = current[8]
        if row.stage and row.stage != stage and (overwrite or stage is None):
            self._set_stage(contact_id, row.stage)
            changed = True
        if "name_key" in sets or "company_id" in sets:
            self._rekey_name(contact_id, current[0], current[1], sets)
        if changed:
            self._touch(contact_id)
            sets["updated_at"] = self.stamp
            assignments = ", ".join(f"{column} = ?" for column in sets)
            db.execute(
                f"UPDATE contacts SET {assignments} WHERE id = ?", [*sets.values(), contact_id]
            )
        return changed

    def _set_stage(self, contact_id: int, stage: str) -> None:
        """Through lifecycle, so the change is in the contact's history like any other."""
        lifecycle.set_stage(self.db, self.now, "contact", contact_id, stage, reason="imported")

    def _rekey_name(
        self, contact_id: int, old_name: str, old_company: int | None, sets: dict[str, object]
    ) -> None:
        """Keep the name+company key of a contact whose name or company the row changed."""
        keys = self._key_index()
        keys.remove_name(contact_id, _key(old_name), self._company_key(old_company))
        company = sets.get("company_id", old_company)
        assert company is None or isinstance(company, int)
        new_key = sets.get("name_key", _key(old_name))
        assert isinstance(new_key, str)
        keys.add_name(contact_id, new_key, self._company_key(company))

    def _company_key(self, company_id: int | None) -> str | None:
        if company_id is None:
            return None
        found = self.db.execute(
            "SELECT name_key FROM companies WHERE id = ?", [company_id]
        ).fetchone()
        return found[0]

    def _uid_owner(self, uid: str) -> int | None:
        """Only rows that carry a uid (pcrm's own exports) ask: no copy of every uid."""
        found = self.db.execute("SELECT id FROM contacts WHERE uid = ?", [uid]).fetchone()
        return found[0] if found else None

    def _email_owner(self, address: str) -> int | None:
        return self._key_index().emails.get(address)

    def _add_emails(
        self, line: int, contact_id: int, emails: list[tuple[str, str | None]], overwrite: bool
    ) -> bool:
        changed = False
        new = []
        for address, label in emails:
            owner = self._email_owner(address)
            if owner == contact_id:
                changed |= self._relabel(
                    "contact_emails", "email", contact_id, address, label, overwrite
                )
            elif owner is not None:
                self._warn(line, f"{address} belongs to contact {owner}; not added to {contact_id}")
            else:
                new.append((address, label))
        if new:
            self._touch(contact_id)
            self._insert_emails(contact_id, new, self._next_position("contact_emails", contact_id))
        for address, _label in new:
            self._key_index().emails[address] = contact_id
        return changed or bool(new)

    def _add_phones(
        self, contact_id: int, phones: list[tuple[str, str | None]], overwrite: bool
    ) -> bool:
        changed = False
        new = []
        for number, label in phones:
            if self._phone_owner(number, contact_id) is None:
                new.append((number, label))
        if new:
            self._touch(contact_id)
            self._insert_phones(contact_id, new, self._next_position("contact_phones", contact_id))
        for number, _label in new:
            self._key_index().add_phone(contact_id, number)
        return changed or bool(new)

    def _relabel(
        self,
        table: str,
        column: str,
        contact_id: int,
        value: str,
        label: str | None,
        overwrite: bool,
    ) -> bool:
        if label is None:
            return False
        condition = "label IS NOT ?" if overwrite else "label IS NULL"
        cursor = self.db.execute(
            f"UPDATE {table} SET label = ? WHERE contact_id = ? AND {column} = ? AND {condition}",
            [label, contact_id, value, *([label] if overwrite else [])],
        )
        return cursor.rowcount > 0

    def _insert_emails(
        self, contact_id: int, emails: list[tuple[str, str | None]], start: int
    ) -> None:
        if emails:
            self.db.conn.executemany(
                "INSERT INTO contact_emails(contact_id, email, label, position)"
                " VALUES (?, ?, ?, ?)",
                [(contact_id, a, label, start + i) for i, (a, label) in enumerate(emails)],
            )

    def _insert_phones(
        self, contact_id: int, phones: list[tuple[str, str | None]], start: int
    ) -> None:
        if phones:
            self.db.conn.executemany(
                "INSERT INTO contact_phones(contact_id, phone, label, position)"
                " VALUES (?, ?, ?, ?)",
                [(contact_id, n, label, start + i) for i, (n, label) in enumerate(phones)],
            )

    def _next_position(self, table: str, contact_id: int) -> int:
        return self.db.execute(
            f"SELECT coalesce(max(position) + 1, 0) FROM {table} WHERE contact_id = ?",
            [contact_id],
        ).fetchone()[0]

    def _tag_list(self, names: list[str]) -> list[int]:
        """The tags' ids, tags created as needed."""
        ids = []
        for tag in names:
            key = tag.casefold()
            if key not in self._tag_ids:
                self._tag_ids[key] = tags.tag_ids(self.db, [tag])[0]
            ids.append(self._tag_ids[key])
        return ids

    def _link_tags(self, contact_id: int, names: list[str]) -> bool:
        """Tag the contact (tags created as needed); returns whether a tag was new to it."""
        ids = self._tag_list(names)
        if not ids:
            return False
        cursor = self.db.conn.executemany(
            "INSERT OR IGNORE INTO contact_tags(contact_id, tag_id) VALUES (?, ?)",
            [(contact_id, tag_id) for tag_id in ids],
        )
        return cursor.rowcount > 0

    def _company_id(self, name: str | None) -> int | None:
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
            return found[0]
        company_id = self.db.execute(
            "INSERT INTO companies(uid, name, name_key, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?)",
            [new_uid(), name, key, self.stamp, self.stamp],
        ).lastrowid
        assert company_id is not None
        self.report.companies_created += 1
        self._company_ids[key] = company_id
        return company_id

    def _warn(self, line: int, message: str) -> None:
        if len(self.report.warnings) < KEEP_PROBLEMS:
            self.report.warnings.append(RowNote(line, message))


# Tables whose search triggers re-index a contact: one import row fires several of them,
# each re-reading the contact's whole search text. They are dropped for the import and
# re-created as they were (in the same transaction), and Importer.finish() indexes the
# touched contacts at once.
_CONTACT_TABLES = ("contacts", "contact_emails", "contact_phones", "contact_tags")


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


class _Keys:
    """The duplicate keys of the database's contacts, read once: email, phone (E.164 key
    -> (contact, last digits as PHONE_TAIL_SQL has them)), and name + company key.
    The importer adds to them as it writes, so a later row finds an earlier one."""

    def __init__(self, db: Database, phone_key: Callable[[str], str | None]) -> None:
        self.phone_key = phone_key
        self.emails: dict[str, int] = dict(
            db.execute("SELECT email, contact_id FROM contact_emails").fetchall()
        )
        self.phones: dict[str, list[tuple[int, str]]] = {}
        for contact_id, phone in db.execute("SELECT contact_id, phone FROM contact_phones"):
            self.add_phone(contact_id, phone)
        self.names: dict[tuple[str, str | None], list[int]] = {}
        for contact_id, key, company_key in db.execute(
            "SELECT c.id, c.name_key, co.name_key FROM contacts c"
            " LEFT JOIN companies co ON co.id = c.company_id"
        ):
            self.add_name(contact_id, key, company_key)

    def add_phone(self, contact_id: int, number: str) -> None:
        key = self.phone_key(number)
        if key is not None:
            self.phones.setdefault(key, []).append((contact_id, _tail(number)))

    def add_name(self, contact_id: int, key: str, company_key: str | None) -> None:
        self.names.setdefault((key, company_key), []).append(contact_id)

    def remove_name(self, contact_id: int, key: str, company_key: str | None) -> None:
        same = self.names.get((key, company_key), [])
        if contact_id in same:
            same.remove(contact_id)


_TAIL_PUNCTUATION = str.maketrans("", "", " -().+/")


def _tail(number: str) -> str:
    """Python's twin of PHONE_TAIL_SQL, so the index finds the candidates."""
    return number.translate(_TAIL_PUNCTUATION)[-8:]


class _ContactFields:
    """Custom fields of contacts (core/fields.py), as the import uses them: definitions
    looked up once per import, values checked with the field's own rules.

    Values are written here, not through fields.set_values(), which looks the field up
    (with its usage counts) on every call: once per row is too slow for 100 000 rows.
    They were checked by fields.parse_value(), so they are what set_values would store."""

    def __init__(self, db: Database, now: datetime) -> None:
        self.db = db
        self.now = now
        self._definitions: dict[str, FieldDef] = {}

    def require(self, name: str) -> FieldDef:
        """The field's definition; NotFound (a fatal error) when contacts have no such field."""
        key = name.strip().casefold()
        if key not in self._definitions:
            self._definitions[key] = fields.get_field(self.db, "contact", name)
        return self._definitions[key]

    def check(self, name: str, text: str) -> FieldValue | None:
        return fields.parse_value(self.require(name), text, self.now)

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
