"""One batch of an import: the duplicates of a thousand rows found at once, merged in
memory, and written with a few executemany.

core/importing/importer.py validates the rows of a file and hands them here a batch at a time.
For the batch, `_Lookup` asks SQL once per kind of key (uids, emails, phone numbers by
their last digits, name + company) about the batch's own keys only, so memory does not
grow with the size of the database. The rows are then decided in file order against
those keys, which the batch keeps up to date as it goes: a row that repeats an earlier
row of the same batch finds the contact that row created or changed. Contacts are held
as `_Contact` states (new ones get their id here: the import holds the write lock), and
`Batch.flush()` writes them, their emails, phones, tags, custom fields and stage
changes; the next batch reads what this one wrote. The search index is filled once at
the end of the import (Importer), not per batch: a contact merged into by many rows is
indexed once.
"""

from __future__ import annotations

import bisect
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from operator import itemgetter
from typing import TYPE_CHECKING, NamedTuple

from pcrm.core.people.models import ADDRESS_PARTS
from pcrm.core.records import new_uid
from pcrm.core.vocabulary import PHONE_TAIL_SQL
from pcrm.errors import InvalidInput

if TYPE_CHECKING:
    from pcrm.core.base import FieldValue
    from pcrm.core.importing.importer import Importer
    from pcrm.core.people.models import Address
    from pcrm.store.db import Database

SCALARS = ("title", "source", "birthday", "note", "anniversary", "cadence_days", "nickname")
_COLUMNS = ("name", "name_key", "company_id", *SCALARS)  # what a merge may change
_IN = "IN (SELECT value FROM json_each(?))"  # one parameter whatever the batch's size
# The tag of a contact created from a row with a phone and no name or email: named from
# its company and number, for the user to name (`pcrm contact list --tag needs-name`).
NEEDS_NAME = "needs-name"


class Phone(NamedTuple):
    number: str  # as written, spaces collapsed
    label: str | None
    key: str | None  # E.164 (core/people/phones.py); None for a number too short to say
    tails: tuple[str, ...]  # phone_tail() of the number and of its key


@dataclass
class Row:
    """A parsed row after validation: values as they will be stored."""

    line: int
    name: str
    name_key: str
    emails: list[tuple[str, str | None]]  # (address, label)
    phones: list[Phone]
    company: str | None
    company_key: str | None
    scalars: dict[str, str | int | None]  # title, source, birthday, note...
    tags: list[str]
    fields: dict[str, FieldValue]
    uid: str | None
    created_at: str | None
    updated_at: str | None
    stage: str | None  # a lifecycle stage's name as pcrm has it
    name_given: bool  # False when the name is the email address (or the phone's)
    warnings: list[str] = field(default_factory=list)
    faxes: list[tuple[str, str | None]] = field(default_factory=list)  # (number, label)
    urls: list[tuple[str, str | None]] = field(default_factory=list)  # (url, label)
    addresses: list[Address] = field(default_factory=list)
    vcard: str | None = None  # the raw card the row was read from
    dropped: int = 0  # values validation dropped (each one of the warnings)
    needs_name: bool = False  # a phone-only row: tagged NEEDS_NAME when created


class Rejected(InvalidInput):
    """A row that cannot be imported; the message is the reason."""


def _json(values: Iterable[object]) -> str:
    return json.dumps(list(values))


_TAIL_PUNCTUATION = str.maketrans("", "", " -().+/")


def phone_tail(number: str) -> str:
    """Python's twin of PHONE_TAIL_SQL, so the index finds the candidates."""
    return number.translate(_TAIL_PUNCTUATION)[-8:]


def _digits(number: str) -> str:
    return "".join(filter(str.isdigit, number))


# The contact's faxes, URLs and addresses: table -> (columns written, the key that makes
# two values the same: a fax's digits, a URL as written, an address's five parts).
_DETAILS: dict[str, tuple[str, ...]] = {
    "contact_faxes": ("phone", "label"),
    "contact_urls": ("url", "label"),
    "contact_addresses": ("label", *ADDRESS_PARTS),
}


def _detail_key(table: str, values: tuple[object, ...]) -> object:
    if table == "contact_faxes":
        return _digits(str(values[0]))
    if table == "contact_urls":
        return values[0]
    return values[1:]  # an address: its parts, whatever its label


def _detail_rows(row: Row) -> list[tuple[str, object, tuple[object, ...]]]:
    """The row's faxes, URLs and addresses as (table, key, values), in _DETAILS's order."""
    found: list[tuple[str, object, tuple[object, ...]]] = []
    for fax in row.faxes:
        found.append(("contact_faxes", _digits(fax[0]), fax))
    for url in row.urls:
        found.append(("contact_urls", url[0], url))
    for a in row.addresses:
        parts = (a.street, a.locality, a.region, a.postcode, a.country)
        found.append(("contact_addresses", parts, (a.label, *parts)))
    return found


def _named_from(row: Row) -> str:
    """What a row without a name was named from (Importer._validate)."""
    if not row.phones:
        return "company"
    return "company and phone" if row.company else "phone"


class SameNames:
    """Of each name without a company that an import's rows carry: its contact with the
    lowest id (and that contact's name), and its contacts with no email and no phone, in
    id order. The only ones of the name that a row with an email or a keyed number can
    match, or that a row with neither merges into (Batch._match).

    Read from SQL the first time a batch meets the name, then kept current by each batch
    as it writes (`written`): the import holds the write lock, and only it changes the
    file meanwhile. A bounded cache (MAX_NAMES), so memory does not grow with the file."""

    MAX_NAMES = 4096

    def __init__(self) -> None:
        # name key -> (lowest id, its name, ids with no email and no phone) or None: none
        self._names: dict[str, tuple[int, str, list[int]] | None] = {}

    def unknown(self, keys: set[str]) -> set[str]:
        """The names of `keys` not known yet (to read from SQL)."""
        if len(self._names) + len(keys) > self.MAX_NAMES:
            self._names.clear()
        return {key for key in keys if key not in self._names}

    def learn(self, keys: set[str], read: dict[str, tuple[int, str, list[int]]]) -> None:
        for key in keys:
            self._names[key] = read.get(key)

    def first(self, key: str) -> tuple[int, str, list[int]] | None:
        return self._names.get(key)

    def written(self, contacts: Iterable[_Contact], rekeyed: set[str]) -> None:
        """After a batch's flush: its new contacts without a company join their name
        (as its first when it had none; as bare when they have no email and no phone), the
        contacts that gained an email or a phone are bare no more, and the names of
        contacts renamed or moved to or from a company are read again when next met."""
        names = self._names
        for key in rekeyed:
            names.pop(key, None)
        for contact in contacts:
            values = contact.values
            name_key = str(values["name_key"])
            if values["company_id"] is not None or name_key not in names:
                continue
            known = names[name_key]
            bare = not (contact.emails or contact.email_next or contact.phones)
            if contact.new:
                if known is None:
                    names[name_key] = known = (contact.id, str(values["name"]), [])
                if bare:
                    known[2].append(contact.id)  # ids grow: still in order
            elif known is not None and not bare and contact.id in known[2]:
                known[2].remove(contact.id)


class _Lookup:
    """The duplicate keys that the batch's rows can meet: the database's owners of the
    batch's uids, emails, phone numbers and name + company keys, read with one query each,
    then kept current as the batch creates and changes contacts."""

    def __init__(
        self,
        db: Database,
        rows: list[Row],
        phone_key: Callable[[str], str | None],
        same_names: SameNames,
    ) -> None:
        self.phone_key = phone_key
        self.same_names = same_names
        uids = {row.uid for row in rows if row.uid}
        self.uids: dict[str, int] = {}
        if uids:
            self.uids = dict(
                db.execute(f"SELECT uid, id FROM contacts WHERE uid {_IN}", [_json(uids)])
            )
        emails = {address for row in rows for address, _ in row.emails}
        self.email_json = _json(emails)  # the only stored addresses a batch looks at
        self.emails: dict[str, int] = dict(
            db.execute(
                f"SELECT email, contact_id FROM contact_emails WHERE email {_IN}", [self.email_json]
            )
        )
        tails = {tail for row in rows for phone in row.phones for tail in phone.tails}
        self.phones: dict[str, list[tuple[int, str]]] = {}
        for contact_id, phone in db.execute(
            f"SELECT contact_id, phone FROM contact_phones WHERE {PHONE_TAIL_SQL} {_IN}",
            [_json(tails)],
        ):
            self.add_phone(contact_id, phone)
        self.names: dict[tuple[str, str | None], list[int]] = {}
        # Of the same-name contacts without a company: those with no email and no phone
        # (what the database says; the batch's own contacts are asked in memory).
        self.bare: set[int] = set()
        self._likely: set[int] = set()  # of the same-name contacts, those a row may match
        self.stored_names: dict[int, str] = {}  # the same-name contacts' names, for warnings
        self._bare_seen: set[str] = set()  # names whose first bare contact is known
        self._read_names(db, rows)

    def _read_names(self, db: Database, rows: list[Row]) -> None:
        """Contacts of the same name at the same company (by the company's name key: two
        companies may share one), through the (name_key, company_id) index. A name may
        have many contacts (the same name without a company, kept apart): only the lowest
        id of each pair, and the lowest of those with no email or phone, are the ones a
        row can match, and only they are read whole before the batch is decided.

        The same name without a company: what a row can match there is the lowest id, or a
        contact with no email and no phone (_contradicts), so only those are listed, from
        the import's SameNames (each name read from SQL once per import, not once per
        batch: at 300k rows a generated name is carried by ~100 contacts). A row whose
        only numbers are too short to key compares digits with every contact of its name:
        those names are read whole, as before."""
        company_keys = {row.company_key for row in rows if row.name_given and row.company_key}
        company_ids: dict[str, list[int]] = {}
        key_of: dict[int, str] = {}
        for key, company_id in db.execute(
            f"SELECT name_key, id FROM companies WHERE name_key {_IN}", [_json(company_keys)]
        ):
            company_ids.setdefault(key, []).append(company_id)
            key_of[company_id] = key
        pairs: set[tuple[str, int | None]] = set()
        alone: set[str] = set()  # names without a company, from SameNames
        whole: set[str] = set()  # ... every contact of the name (short numbers)
        for row in rows:
            if row.name_given:
                if row.company_key is None:
                    if row.phones and not row.emails and not any(p.key for p in row.phones):
                        whole.add(row.name_key)
                    else:
                        alone.add(row.name_key)
                for company_id in company_ids.get(row.company_key or "", ()):
                    pairs.add((row.name_key, company_id))
        alone -= whole
        unknown = self.same_names.unknown(alone)
        pairs.update((key, None) for key in whole | unknown)
        # rows that a same name without a company merges whatever the contact holds
        name_only = {
            row.name_key
            for row in rows
            if row.name_given and row.company_key is None and not (row.emails or row.phones)
        }
        read: dict[str, tuple[int, str, list[int]]] = {}  # a name alone, as SameNames keeps it
        for contact_id, name, key, company_id, bare in db.execute(
            "SELECT c.id, c.name, c.name_key, c.company_id, c.company_id IS NULL"
            " AND NOT EXISTS (SELECT 1 FROM contact_emails e WHERE e.contact_id = c.id)"
            " AND NOT EXISTS (SELECT 1 FROM contact_phones p WHERE p.contact_id = c.id)"
            " FROM json_each(?) w JOIN contacts c"
            " ON c.name_key = json_extract(w.value, '$[0]')"
            " AND c.company_id IS json_extract(w.value, '$[1]') ORDER BY c.id",
            [_json(list(pair) for pair in pairs)],
        ):
            if company_id is None:
                if key not in read:
                    read[key] = (contact_id, name, [])
                if bare:
                    read[key][2].append(contact_id)
            if company_id is None and key not in whole:
                continue  # listed below, as SameNames keeps it
            self._add_stored(contact_id, name, key, key_of.get(company_id), bare, name_only)
        self.same_names.learn(unknown, read)
        for key in sorted(alone):
            first = self.same_names.first(key)
            if first is None:
                continue
            first_id, name, bare_ids = first
            for contact_id in sorted({first_id, *bare_ids}):
                stored = name if contact_id == first_id else ""
                self._add_stored(contact_id, stored, key, None, contact_id in bare_ids, name_only)

    def _add_stored(
        self,
        contact_id: int,
        name: str,
        key: str,
        company_key: str | None,
        bare: bool,
        name_only: set[str],
    ) -> None:
        """A stored contact of a name the batch's rows carry, given in id order."""
        if (key, company_key) not in self.names:
            self.stored_names[contact_id] = name
            if company_key is not None or key in name_only:
                self._likely.add(contact_id)
        if bare:
            if key not in self._bare_seen:
                self._bare_seen.add(key)
                self._likely.add(contact_id)
            self.bare.add(contact_id)
        self.add_name(contact_id, key, company_key)

    def found(self) -> list[int]:
        """The contacts of the database that own one of the batch's keys, or may be the
        one a row's name and company match."""
        ids = {*self.uids.values(), *self.emails.values(), *self._likely}
        ids.update(owner for owners in self.phones.values() for owner, _tail in owners)
        return list(ids)

    def add_phone(self, contact_id: int, number: str, key: str | None = None) -> None:
        """Given its key (an imported number's is known), or computed (a stored number's)."""
        key = key or self.phone_key(number)
        if key is not None:
            self.phones.setdefault(key, []).append((contact_id, phone_tail(number)))

    def add_imported(self, contact_id: int, phone: Phone) -> None:
        """An imported number: its key and tail are known (a number without a key is
        found by nobody)."""
        if phone.key is not None:
            self.phones.setdefault(phone.key, []).append((contact_id, phone.tails[0]))

    def add_name(self, contact_id: int, key: str, company_key: str | None) -> None:
        """Kept in id order (the lowest id is the one a row merges into)."""
        same = self.names.setdefault((key, company_key), [])
        if same and same[-1] > contact_id:  # a renamed contact (update), older than the rest
            bisect.insort(same, contact_id)
        else:
            same.append(contact_id)

    def remove_name(self, contact_id: int, key: str, company_key: str | None) -> None:
        same = self.names.get((key, company_key), [])
        if contact_id in same:
            same.remove(contact_id)


class _Contact:
    """A contact the batch creates or changes: its columns, emails, phones and tags as they
    will be, and what flush() must write for it."""

    __slots__ = (
        "added_details", "added_emails", "added_phones", "added_tags", "card", "card_new",
        "changed", "detail_next", "details", "dirty", "email_next", "emails", "fields",
        "has_card", "id", "new", "phone_next", "phones", "relabeled", "stage", "tags", "values",
    )  # fmt: skip

    def __init__(self, contact_id: int, new: bool, values: dict[str, object]) -> None:
        self.id = contact_id
        self.new = new
        self.values = values
        self.stage: str | None = None
        # address -> label: the stored ones the batch's rows bring (_read), then the added
        # ones in position order; email_next > 0 says the contact has emails.
        self.emails: dict[str, str | None] = {}
        self.email_next = 0
        self.phones: list[tuple[str, str | None]] = []
        self.phone_next = 0
        self.tags: set[int] = set()
        self.fields: dict[int, FieldValue] | None = {} if new else None  # read when needed
        self.dirty = new
        self.changed: set[str] = set()  # columns a merge changed (existing contacts)
        self.added_emails: list[tuple[str, int]] = []  # (address, position)
        self.relabeled: set[str] = set()
        self.added_phones: list[tuple[str, str | None, int]] = []
        self.added_tags: list[int] = []
        # Faxes, URLs and addresses by table: the keys the contact has (a fax's digits, a
        # URL, an address's parts), what to insert (row values, position) and the next
        # position. Made (and a stored contact's read) only when a row brings such values:
        # most rows have none, and each costs a few dicts.
        self.details: dict[str, set[object]] | None = None
        self.added_details: dict[str, list[tuple[object, ...]]] | None = None
        self.detail_next: dict[str, int] = {}  # (made with `details`)
        self.has_card = False  # a raw vCard is stored (or will be)
        self.card: str | None = None  # the stored card, once read, or the row's
        self.card_new = False  # flush() writes `card`

    def add_detail(self, table: str, key: object, values: tuple[object, ...]) -> bool:
        """Add a fax, URL or address the contact does not have yet; whether it was new."""
        assert self.details is not None
        keys = self.details[table]
        if key in keys:
            return False
        keys.add(key)
        position = self.detail_next.get(table, 0)
        if self.added_details is None:
            self.added_details = {}
        self.added_details.setdefault(table, []).append((*values, position))
        self.detail_next[table] = position + 1
        return True

    def first_details(self, found: list[tuple[str, object, tuple[object, ...]]]) -> None:
        """A new contact's first faxes, URLs and addresses: all new (a row's values are
        each there once, Importer's _details), numbered from 0; the keys they make are
        worked out only if a later row of the batch brings more (known_details)."""
        added: dict[str, list[tuple[object, ...]]] = {}
        for table, _key, values in found:
            same = added.get(table)
            if same is None:
                added[table] = [(*values, 0)]
            else:
                same.append((*values, len(same)))
        self.added_details = added

    def known_details(self) -> None:
        """The keys of a new contact's faxes, URLs and addresses (see first_details)."""
        self.details = {table: set() for table in _DETAILS}
        for table, added in (self.added_details or {}).items():
            self.details[table] = {_detail_key(table, values[:-1]) for values in added}
            self.detail_next[table] = len(added)

    def add_email(self, address: str, label: str | None) -> None:
        self.emails[address] = label
        self.added_emails.append((address, self.email_next))
        self.email_next += 1

    def add_phone(self, number: str, label: str | None) -> None:
        self.phones.append((number, label))
        self.added_phones.append((number, label, self.phone_next))
        self.phone_next += 1

    def add_tags(self, tag_ids: list[int]) -> bool:
        new = [tag_id for tag_id in tag_ids if tag_id not in self.tags]
        self.tags.update(new)
        self.added_tags.extend(new)
        return bool(new)


class Batch:
    """Decide and write one batch of rows (see the module's docstring)."""

    def __init__(self, importer: Importer, rows: list[Row]) -> None:
        self.importer = importer
        self.db = importer.db
        self.keys = _Lookup(self.db, rows, importer.phone_key, importer.same_names)
        self.rekeyed: set[str] = set()  # names a contact left or joined (SameNames.written)
        self.contacts: dict[int, _Contact] = {}
        self.stages: list[tuple[int, str]] = []
        self.field_values: list[tuple[int, int, FieldValue]] = []
        if importer.options.on_duplicate in ("merge", "update"):
            # Every contact the lookups found, read at once: the ones the rows match are
            # among them; a row that matches through an earlier row of the batch (a rename
            # in update mode) reads its contact when it comes.
            self._read(self.keys.found())

    # -- deciding ------------------------------------------------------------------------

    def write(self, row: Row) -> str:
        """Decide the row: created, updated, merged, unchanged or skipped (or Rejected)."""
        policy = self.importer.options.on_duplicate
        existing = None if policy == "create" else self._match(row)
        if existing is None:
            self._create(row)
            return "created"
        if policy == "skip":
            return "skipped"
        if not self._apply(existing, row, overwrite=policy == "update"):
            return "unchanged"
        return "updated" if policy == "update" else "merged"

    def _match(self, row: Row) -> int | None:
        """The contact the row is, on strong evidence only (docs/import-export.md): the
        same uid; the same email; the same phone with the same name (or a row with no
        name of its own); the same name at the same company; the same name, both without
        a company, when the row or the contact has no email or phone (nothing to tell
        them apart). A row whose uid pcrm does not have is another record: it matches by
        email only, so an export round-trips whole. A phone or a name alone is evidence
        for `pcrm dupes`: the row is created apart, with a warning."""
        keys = self.keys
        if row.uid and row.uid in keys.uids:
            return keys.uids[row.uid]
        owners = [keys.emails[a] for a, _ in row.emails if a in keys.emails]
        if owners:
            return min(owners)
        if row.uid:
            return None
        shared: tuple[str, int] | None = None  # a number on a contact of another name
        for phone in row.phones:
            for contact_id in self._phone_owners(phone):
                if not row.name_given or self._name_key(contact_id) == row.name_key:
                    return contact_id
                shared = shared or (phone.number, contact_id)
        same_name: list[int] = []
        if row.name_given:
            same_name = keys.names.get((row.name_key, row.company_key)) or []  # in id order
            if same_name and row.company_key is not None:
                return same_name[0]
            for contact_id in same_name:  # both without a company
                if not self._contradicts(row, contact_id):
                    return contact_id
        if shared is not None:
            number, contact_id = shared
            self.importer.warn(
                row.line,
                f"same phone {number} as contact {self._described(contact_id)} but another"
                " name: created apart; see pcrm dupes",
            )
        if same_name:
            self.importer.warn(
                row.line,
                f"same name as contact {self._described(same_name[0])} but no email or phone"
                " in common: created apart; see pcrm dupes",
            )
        return None

    def _contradicts(self, row: Row, contact_id: int) -> bool:
        """Whether the row brings an email or phone number that the contact of the same
        name, which has some, does not have: then the name is not enough to say they are
        one person."""
        if not (row.emails or row.phones):
            return False
        contact = self.contacts.get(contact_id)
        if contact is None:  # as stored: the batch has not changed it
            if contact_id in self.keys.bare:
                return False
        elif not (contact.emails or contact.email_next or contact.phones):
            return False
        if row.emails or any(phone.key for phone in row.phones):
            # one in common would have matched by email, or by phone and name, before
            return True
        contact = self._contact(contact_id)  # short numbers: compared digit by digit
        return any(self._phone_owner(phone, contact) is None for phone in row.phones)

    def _name_key(self, contact_id: int) -> object:
        return self._contact(contact_id).values["name_key"]

    def _described(self, contact_id: int) -> str:
        contact = self.contacts.get(contact_id)
        name = self.keys.stored_names.get(contact_id) if contact is None else None
        if name is None:
            name = str(self._contact(contact_id).values["name"])
        return f"{contact_id} ({name})"

    def _phone_owners(self, phone: Phone) -> list[int]:
        """The contacts that have this number, in id order (see _phone_owner)."""
        if phone.key is None:
            return []
        stored = self.keys.phones.get(phone.key)
        if not stored:  # most numbers: nobody has them yet
            return []
        return sorted({owner for owner, tail in stored if tail in phone.tails})

    def _phone_owner(self, phone: Phone, contact: _Contact | None = None) -> int | None:
        """The contact (or, given one, whether that contact) has this number. A number
        too short to identify anyone matches nobody but the same digits on the contact."""
        if phone.key is None:
            if contact is None:
                return None
            digits = _digits(phone.number)
            same = any(_digits(number) == digits for number, _label in contact.phones)
            return contact.id if same else None
        # As the SQL index on PHONE_TAIL_SQL does: a stored number with the same key and
        # the same last digits as the number or its key.
        owners = [
            owner
            for owner, tail in self.keys.phones.get(phone.key, ())
            if tail in phone.tails and (contact is None or owner == contact.id)
        ]
        return min(owners) if owners else None

    def _create(self, row: Row) -> None:
        importer, keys = self.importer, self.keys
        for address, _label in row.emails:
            owner = keys.emails.get(address)
            if owner is not None:
                raise Rejected(f"{address} already belongs to contact {owner}")
        importer.suspend_search()
        uid = row.uid
        if uid is None or uid in keys.uids:
            uid = new_uid()
        created = row.created_at or importer.stamp
        contact = _Contact(
            importer.next_contact_id(),
            True,
            {
                "uid": uid,
                "name": row.name,
                "name_key": row.name_key,
                "company_id": importer.company_id(row.company),
                **row.scalars,  # SCALARS, as Importer._validate makes them
                "created_at": created,
                "updated_at": row.updated_at or created,
            },
        )
        self.contacts[contact.id] = contact
        if row.uid:
            keys.uids[uid] = contact.id
        keys.add_name(contact.id, row.name_key, row.company_key)
        for address, label in row.emails:
            contact.add_email(address, label)
            keys.emails[address] = contact.id
        for phone in row.phones:
            contact.add_phone(phone.number, phone.label)
            keys.add_imported(contact.id, phone)
        tag_names = row.tags
        if row.needs_name:
            tag_names = [*tag_names, NEEDS_NAME]
            importer.warn(
                row.line,
                f'no name: created as "{row.name}" from its {_named_from(row)},'
                f" tagged {NEEDS_NAME}",
            )
        contact.add_tags(importer.tag_ids(tag_names))
        self._add_details(row, contact)
        if row.vcard is not None:
            contact.has_card, contact.card, contact.card_new = True, row.vcard, True
        for name, value in row.fields.items():
            self._set_field(contact, name, value)
        if row.stage:
            self._set_stage(contact, row.stage)

    def _add_details(self, row: Row, contact: _Contact) -> bool:
        """The row's faxes, URLs and addresses the contact does not have yet."""
        if not (row.faxes or row.urls or row.addresses):
            return False  # most rows: nothing to look at
        found = _detail_rows(row)
        if contact.details is None:
            if contact.new and contact.added_details is None:
                contact.first_details(found)  # most rows: the contact is new
                return True
            if contact.new:
                contact.known_details()
            else:
                self._read_details([contact])
        added = False
        for table, key, values in found:
            added |= contact.add_detail(table, key, values)
        return added

    def _set_card(self, row: Row, contact: _Contact, overwrite: bool) -> bool:
        """The row's raw vCard: kept when the contact has none, replacing the stored one
        on update (read then, only to tell whether it is the same)."""
        if row.vcard is None or (contact.has_card and not overwrite):
            return False
        if contact.has_card and contact.card is None:
            found = self.db.execute(
                "SELECT card FROM contact_vcards WHERE contact_id = ?", [contact.id]
            ).fetchone()
            contact.card = found[0] if found else None
        if row.vcard == contact.card:
            return False
        contact.has_card, contact.card, contact.card_new = True, row.vcard, True
        return True

    def _apply(self, contact_id: int, row: Row, *, overwrite: bool) -> bool:
        """Merge (fill what is empty, add what is new) or update (the row's values win)
        a row into a contact; returns whether anything changed."""
        contact = self._contact(contact_id)
        values = contact.values
        sets: dict[str, object] = {}
        if overwrite and row.name_given and row.name != values["name"]:
            sets.update(name=row.name, name_key=row.name_key)
        if row.company and (overwrite or values["company_id"] is None):
            company_id = self.importer.company_id(row.company)
            if company_id != values["company_id"]:
                sets["company_id"] = company_id
        for column in SCALARS:
            new, old = row.scalars[column], values[column]
            if new is not None and new != old and (overwrite or old is None):
                sets[column] = new
        changed = bool(sets)
        changed |= self._add_emails(row, contact, overwrite)
        changed |= self._add_phones(row, contact)
        changed |= contact.add_tags(self.importer.tag_ids(row.tags))
        changed |= self._add_details(row, contact)
        changed |= self._set_card(row, contact, overwrite)
        for name, value in row.fields.items():
            old = self._field(contact, name)
            if value != old and (overwrite or old is None):
                self._set_field(contact, name, value)
                changed = True
        if row.stage and row.stage != contact.stage and (overwrite or contact.stage is None):
            self._set_stage(contact, row.stage)
            changed = True
        if "name_key" in sets or "company_id" in sets:
            self._rekey_name(contact, sets)
        if changed:
            self.importer.suspend_search()
            sets["updated_at"] = self.importer.stamp
            values.update(sets)
            contact.changed.update(sets)
            contact.dirty = True
        return changed

    def _add_emails(self, row: Row, contact: _Contact, overwrite: bool) -> bool:
        changed = False
        new = []
        for address, label in row.emails:
            owner = self.keys.emails.get(address)
            if owner == contact.id:
                current = contact.emails.get(address)
                if label is not None and (current != label if overwrite else current is None):
                    contact.emails[address] = label
                    contact.relabeled.add(address)
                    changed = True
            elif owner is not None:
                self.importer.warn(
                    row.line, f"{address} belongs to contact {owner}; not added to {contact.id}"
                )
            else:
                new.append((address, label))
        for address, label in new:
            contact.add_email(address, label)
            self.keys.emails[address] = contact.id
        return changed or bool(new)

    def _add_phones(self, row: Row, contact: _Contact) -> bool:
        new = [phone for phone in row.phones if self._phone_owner(phone, contact) is None]
        for phone in new:
            contact.add_phone(phone.number, phone.label)
            self.keys.add_imported(contact.id, phone)
        return bool(new)

    def _rekey_name(self, contact: _Contact, sets: dict[str, object]) -> None:
        """Keep the name + company key of a contact whose name or company the row changed."""
        values = contact.values
        old_key = values["name_key"]
        assert isinstance(old_key, str)
        old_company = values["company_id"]
        assert old_company is None or isinstance(old_company, int)
        self.keys.remove_name(contact.id, old_key, self.importer.company_key(old_company))
        company = sets.get("company_id", old_company)
        assert company is None or isinstance(company, int)
        new_key = sets.get("name_key", old_key)
        assert isinstance(new_key, str)
        self.rekeyed.update((old_key, new_key))
        self.keys.add_name(contact.id, new_key, self.importer.company_key(company))

    def _field(self, contact: _Contact, name: str) -> FieldValue | None:
        if contact.fields is None:
            contact.fields = dict(
                self.db.execute(
                    "SELECT field_id, value FROM contact_field_values WHERE contact_id = ?",
                    [contact.id],
                ).fetchall()
            )
        return contact.fields.get(self.importer.fields.require(name).id)

    def _set_field(self, contact: _Contact, name: str, value: FieldValue) -> None:
        field_id = self.importer.fields.require(name).id
        self._field(contact, name)  # read the stored values first, for a later row
        assert contact.fields is not None
        contact.fields[field_id] = value
        self.field_values.append((contact.id, field_id, value))

    def _set_stage(self, contact: _Contact, stage: str) -> None:
        """Recorded through lifecycle by flush(), so the change is in the contact's history."""
        contact.stage = stage
        self.stages.append((contact.id, stage))

    # -- reading contacts ----------------------------------------------------------------

    def _contact(self, contact_id: int) -> _Contact:
        if contact_id not in self.contacts:
            self._read([contact_id])
        return self.contacts[contact_id]

    def _read(self, ids: list[int]) -> None:
        """Stored contacts as states, with their emails, phones and tags: four queries, in
        no particular order (a state needs the next free position, not the order)."""
        wanted = _json({i for i in ids if i not in self.contacts})
        if wanted == "[]":
            return
        db, read = self.db, {}
        for row in db.execute(
            f"SELECT id, lifecycle_stage, {', '.join(_COLUMNS)} FROM contacts WHERE id {_IN}",
            [wanted],
        ):
            contact = _Contact(row[0], False, dict(zip(_COLUMNS, row[2:], strict=True)))
            contact.stage = row[1]
            read[row[0]] = contact
        # Of a contact's emails, only the ones the batch's rows bring are ever looked at (a
        # label to compare); the others count for the next position only. A contact merged
        # into by many rows holds many (170 in the 1M-row file): reading each into Python
        # made a batch cost grow with them.
        for contact_id, last in db.execute(
            "SELECT contact_id, max(position) FROM contact_emails"
            f" WHERE contact_id {_IN} GROUP BY contact_id",
            [wanted],
        ):
            read[contact_id].email_next = last + 1
        for contact_id, address, label in db.execute(
            f"SELECT contact_id, email, label FROM contact_emails WHERE email {_IN}"
            f" AND contact_id {_IN}",
            [self.keys.email_json, wanted],
        ):
            read[contact_id].emails[address] = label
        for contact_id, number, label, position in db.execute(
            f"SELECT contact_id, phone, label, position FROM contact_phones WHERE contact_id {_IN}",
            [wanted],
        ):
            contact = read[contact_id]
            contact.phones.append((number, label))
            contact.phone_next = max(contact.phone_next, position + 1)
        for contact_id, tag_id in db.execute(
            f"SELECT contact_id, tag_id FROM contact_tags WHERE contact_id {_IN}", [wanted]
        ):
            read[contact_id].tags.add(tag_id)
        for (contact_id,) in db.execute(
            f"SELECT contact_id FROM contact_vcards WHERE contact_id {_IN}", [wanted]
        ):
            read[contact_id].has_card = True
        self.contacts.update(read)

    def _read_details(self, contacts: list[_Contact]) -> None:
        """The stored faxes, URLs and addresses of contacts a row adds such values to:
        read on demand, so an import without them costs nothing more."""
        by_id = {c.id: c for c in contacts if c.details is None}
        for contact in by_id.values():
            contact.details = {table: set() for table in _DETAILS}
        wanted = _json(by_id)
        for table, columns in _DETAILS.items():
            for contact_id, position, *values in self.db.execute(
                f"SELECT contact_id, position, {', '.join(columns)} FROM {table}"
                f" WHERE contact_id {_IN}",
                [wanted],
            ):
                contact = by_id[contact_id]
                assert contact.details is not None
                contact.details[table].add(_detail_key(table, tuple(values)))
                next_position = max(contact.detail_next.get(table, 0), position + 1)
                contact.detail_next[table] = next_position

    # -- writing -------------------------------------------------------------------------

    def flush(self) -> None:
        """Write the batch: new contacts, changed ones, their emails, phones, tags, custom
        fields and stage changes, and their search text."""
        conn = self.db.conn
        new = sorted((c for c in self.contacts.values() if c.new), key=lambda c: c.id)
        changed = [c for c in self.contacts.values() if c.dirty and not c.new]
        inserted = itemgetter("uid", "created_at", "updated_at", *_COLUMNS)
        conn.executemany(
            "INSERT INTO contacts(id, uid, created_at, updated_at, "
            f"{', '.join(_COLUMNS)}) VALUES ({', '.join('?' * (len(_COLUMNS) + 4))})",
            [(c.id, *inserted(c.values)) for c in new],
        )
        # Only the columns that changed: SQLite rewrites the index entries of every column
        # an UPDATE sets, whether its value changed or not.
        by_columns: dict[tuple[str, ...], list[tuple[object, ...]]] = {}
        for c in changed:
            columns = tuple(sorted(c.changed))
            by_columns.setdefault(columns, []).append(
                (*(c.values[column] for column in columns), c.id)
            )
        for columns, rows in by_columns.items():
            assignments = ", ".join(f"{column} = ?" for column in columns)
            conn.executemany(f"UPDATE contacts SET {assignments} WHERE id = ?", rows)
        touched = new + changed
        conn.executemany(
            "INSERT INTO contact_emails(contact_id, email, label, position) VALUES (?, ?, ?, ?)",
            [
                (c.id, address, c.emails[address], position)
                for c in touched
                for address, position in c.added_emails
            ],
        )
        conn.executemany(
            "UPDATE contact_emails SET label = ? WHERE contact_id = ? AND email = ?",
            [(c.emails[a], c.id, a) for c in changed for a in c.relabeled],
        )
        conn.executemany(
            "INSERT INTO contact_phones(contact_id, phone, label, position) VALUES (?, ?, ?, ?)",
            [(c.id, *added) for c in touched for added in c.added_phones],
        )
        for table, columns in _DETAILS.items():
            conn.executemany(
                f"INSERT INTO {table}(contact_id, {', '.join(columns)}, position)"
                f" VALUES ({', '.join('?' * (len(columns) + 2))})",
                [
                    (c.id, *added)
                    for c in touched
                    if c.added_details
                    for added in c.added_details.get(table, ())
                ],
            )
        conn.executemany(
            "INSERT INTO contact_vcards(contact_id, card) VALUES (?, ?)"
            " ON CONFLICT (contact_id) DO UPDATE SET card = excluded.card",
            [(c.id, c.card) for c in touched if c.card_new],
        )
        conn.executemany(
            "INSERT OR IGNORE INTO contact_tags(contact_id, tag_id) VALUES (?, ?)",
            [(c.id, tag_id) for c in touched for tag_id in c.added_tags],
        )
        conn.executemany(
            "INSERT INTO contact_field_values(contact_id, field_id, value) VALUES (?, ?, ?)"
            " ON CONFLICT (contact_id, field_id) DO UPDATE SET value = excluded.value",
            self.field_values,
        )
        for contact_id, stage in self.stages:
            self.importer.record_stage(contact_id, stage)
        if changed:
            self.importer.touched([c.id for c in changed])
        self.importer.same_names.written(touched, self.rekeyed)
