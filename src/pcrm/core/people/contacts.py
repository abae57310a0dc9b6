"""Contacts: add, read, list, change and remove people."""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from pcrm.core.base import Link
from pcrm.core.people import fields as custom_fields
from pcrm.core.people import tags
from pcrm.core.people.models import ADDRESS_PARTS, Address, Contact, Email, Phone, Url
from pcrm.core.people.text import (
    clean_line,
    clean_optional,
    name_key,
    normalise_email,
    require_name,
    split_label,
)
from pcrm.core.records import PartialEdit, new_uid, record_deletion
from pcrm.dates import LazyPattern, parse_birthday, to_iso
from pcrm.errors import Conflict, InvalidInput, NotFound, PcrmError
from pcrm.store.db import Database

# ORDER BY terms per --sort; each ends with the id, so ties page in a stable order.
SORTS: dict[str, tuple[str, ...]] = {
    "name": ("c.name_key", "c.id"),
    "recent": ("c.last_contacted_at IS NULL", "c.last_contacted_at DESC", "c.name_key", "c.id"),
    "stale": ("c.last_contacted_at IS NOT NULL", "c.last_contacted_at", "c.name_key", "c.id"),
    "created": ("c.created_at DESC", "c.id DESC"),
    "company": ("co.name_key IS NULL", "co.name_key", "c.name_key", "c.id"),
    "score": ("coalesce(s.score, 0) DESC", "c.name_key", "c.id"),
}


@dataclass
class ContactForm:
    """Every field of a contact as the user gives it: options of `add`, or the editor form."""

    name: str
    emails: list[str] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)
    company: str | None = None
    title: str | None = None
    source: str | None = None
    tags: list[str] = field(default_factory=list)
    birthday: str | None = None
    anniversary: str | None = None
    cadence: str | None = None  # stay in touch this often: "30d", "2w", "monthly"
    note: str | None = None
    fields: dict[str, str] = field(default_factory=dict)  # custom field name -> text
    new_company: bool = False  # add `company` as new, even if some company looks like it
    nickname: str | None = None
    faxes: list[str] = field(default_factory=list)  # [LABEL:]NUMBER
    urls: list[str] = field(default_factory=list)  # [LABEL:]URL
    addresses: list[str] = field(default_factory=list)  # [LABEL:]STREET; CITY; ... (parse_address)


@dataclass
class ContactChanges(PartialEdit):
    """A partial edit: None leaves a field alone, an empty string clears it."""

    name: str | None = None
    company: str | None = None
    title: str | None = None
    source: str | None = None
    birthday: str | None = None
    anniversary: str | None = None
    cadence: str | None = None  # "30d", "2w", "monthly"; "" stops the reminders
    note: str | None = None
    add_emails: list[str] = field(default_factory=list)
    remove_emails: list[str] = field(default_factory=list)
    add_phones: list[str] = field(default_factory=list)
    remove_phones: list[str] = field(default_factory=list)
    add_tags: list[str] = field(default_factory=list)
    remove_tags: list[str] = field(default_factory=list)
    set_fields: dict[str, str] = field(default_factory=dict)  # name -> text; "" unsets
    new_company: bool | None = None  # True: add `company` as new (None, not False: unset)
    nickname: str | None = None
    add_faxes: list[str] = field(default_factory=list)
    remove_faxes: list[str] = field(default_factory=list)
    add_urls: list[str] = field(default_factory=list)
    remove_urls: list[str] = field(default_factory=list)
    add_addresses: list[str] = field(default_factory=list)
    remove_addresses: list[str] = field(default_factory=list)  # by position, 1 = the first


@dataclass
class Saved:
    contact: Contact
    created_company: Link | None = None
    namesakes: list[str] = field(default_factory=list)  # others of the same name, described


def parse_emails(values: Sequence[str]) -> list[Email]:
    """`[LABEL:]EMAIL` values, normalised to lower case, each address once."""
    emails: dict[str, Email] = {}
    for value in values:
        label, address = split_label(value)
        email = normalise_email(address)
        emails.setdefault(email, Email(email, label))
    return list(emails.values())


def phone_digits(number: str) -> str:
    """What identifies a phone number: its digits ("+44 20-1234" and "4420 1234" are one)."""
    return "".join(ch for ch in number if ch.isdigit())


def parse_phones(values: Sequence[str]) -> list[Phone]:
    """`[LABEL:]PHONE` values, kept as written (spaces tidied), each number once."""
    phones: dict[str, Phone] = {}
    for value in values:
        label, number = split_label(value)
        if not phone_digits(number):
            raise InvalidInput(f'invalid phone number "{value.strip()}"', hint="include its digits")
        phones.setdefault(phone_digits(number), Phone(" ".join(number.split()), label))
    return list(phones.values())


def parse_faxes(values: Sequence[str]) -> list[Phone]:
    """`[LABEL:]NUMBER` fax numbers, as phones are read."""
    try:
        return parse_phones(values)
    except InvalidInput as exc:
        raise InvalidInput(exc.message.replace("phone", "fax"), hint=exc.hint) from None


_SCHEME = LazyPattern(r"^[A-Za-z][A-Za-z0-9+.-]*://")


def split_url(value: str) -> tuple[str | None, str]:
    """`[LABEL:]URL`: "https://x" has no label ("https" is its scheme), "blog: x.org" has one."""
    text = value.strip()
    if _SCHEME.match(text):
        return None, text
    label, url = split_label(text)
    if url.startswith("//"):
        return None, text
    return label, url


def parse_urls(values: Sequence[str]) -> list[Url]:
    """`[LABEL:]URL` values, kept as written (no scheme is added), each URL once."""
    urls: dict[str, Url] = {}
    for value in values:
        label, url = split_url(value)
        url = " ".join(url.split())
        if not url:
            raise InvalidInput(f'invalid URL "{value.strip()}"', hint="give the address")
        urls.setdefault(url, Url(url, label))
    return list(urls.values())


def parse_address(value: str) -> Address:
    """`[LABEL:] STREET; CITY; REGION; POSTCODE; COUNTRY`: the parts in that order,
    separated by semicolons (a street may hold commas), empty parts left empty."""
    label, text = split_label(value)
    parts = [clean_line(part) for part in text.split(";")]
    if len(parts) > len(ADDRESS_PARTS) or not any(parts):
        raise InvalidInput(
            f'invalid address "{value.strip()}"',
            hint="write it as STREET; CITY; REGION; POSTCODE; COUNTRY (parts may be empty)",
        )
    parts += [None] * (len(ADDRESS_PARTS) - len(parts))
    return Address(label, *parts)


def address_text(address: Address) -> str:
    """An address as `parse_address` reads it: parts joined with "; " (no label)."""
    parts = [getattr(address, part) or "" for part in ADDRESS_PARTS]
    while parts and not parts[-1]:
        parts.pop()
    return "; ".join(parts)


def _cadence(text: str) -> int | None:
    """reminders.parse_cadence, imported (~1 ms) only when a cadence is written."""
    from pcrm.core.activity.reminders import parse_cadence

    return parse_cadence(text)


def check_field(key: str, value: str) -> None:
    """Validate one field of the editor form, so an error can name its line."""
    checks: dict[str, Callable[[str], object]] = {
        "name": require_name,
        "email": lambda v: parse_emails([v]),
        "phone": lambda v: parse_phones([v]),
        "birthday": _birthday,
        "anniversary": _anniversary,
        "every": _cadence,
        "tags": lambda v: tags.clean_tags([v]),
        "fax": lambda v: parse_faxes([v]),
        "url": lambda v: parse_urls([v]),
        "address": parse_address,
    }
    if key in checks:
        checks[key](value)


def _anniversary(value: str | None) -> str | None:
    value = clean_optional(value)
    return parse_birthday(value, "anniversary") if value else None


def _birthday(value: str | None) -> str | None:
    value = clean_optional(value)
    return parse_birthday(value) if value else None


def add_contact(db: Database, now: datetime, form: ContactForm) -> Saved:
    name = require_name(form.name)
    emails = parse_emails(form.emails)
    phones = parse_phones(form.phones)
    faxes = parse_faxes(form.faxes)
    urls = parse_urls(form.urls)
    addresses = [parse_address(value) for value in form.addresses]
    tag_names = tags.clean_tags(form.tags)
    birthday = _birthday(form.birthday)
    for email in emails:
        _check_email_free(db, email.email, None)
    company_id, created = _company_for(
        db, now, form.company, [e.email for e in emails], new=form.new_company
    )
    stamp = to_iso(now)
    cursor = db.execute(
        "INSERT INTO contacts(uid, name, name_key, company_id, title, source, birthday, note,"
        " anniversary, cadence_days, nickname, created_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            new_uid(),
            name,
            name_key(name),
            company_id,
            clean_line(form.title),
            clean_line(form.source),
            birthday,
            clean_optional(form.note),
            _anniversary(form.anniversary),
            _cadence(form.cadence) if form.cadence else None,
            clean_line(form.nickname),
            stamp,
            stamp,
        ],
    )
    contact_id = cursor.lastrowid
    assert contact_id is not None
    _add_emails(db, contact_id, emails)
    _add_phones(db, contact_id, phones)
    add_details(db, contact_id, faxes, urls, addresses)
    tags.add_tags(db, "contact", contact_id, tag_names)
    custom_fields.set_values(db, now, "contact", contact_id, form.fields)
    return Saved(get_contact(db, contact_id), created, namesakes(db, contact_id))


def namesakes(db: Database, contact_id: int) -> list[str]:
    """The other contacts with this one's name (any case or accents), one line each: a
    second "Ada Lovelace" is allowed, but the user should hear of the first."""
    from pcrm.core.people.refs import describe_contacts

    ids = [
        row[0]
        for row in db.execute(
            "SELECT id FROM contacts WHERE name_key = (SELECT name_key FROM contacts"
            " WHERE id = ?) AND id != ? ORDER BY id LIMIT 5",
            [contact_id, contact_id],
        )
    ]
    return describe_contacts(db, ids)


def contact_emails(db: Database, ref: str) -> list[str]:
    """The emails of the contact a REF names (none when it names none: the command says)."""
    from pcrm.core.refs import resolve_contact

    try:
        contact_id = resolve_contact(db, ref)
    except PcrmError:
        return []
    return [
        row[0]
        for row in db.execute("SELECT email FROM contact_emails WHERE contact_id = ?", [contact_id])
    ]


def _company_for(
    db: Database, now: datetime, value: str | None, emails: Sequence[str], *, new: bool
) -> tuple[int | None, Link | None]:
    """The contact's company; its emails' domain helps tell an existing one it may mean."""
    value = clean_line(value)
    if value is None:
        return None, None
    from pcrm.core.people import companies  # not on the read path (`contact show`)

    return companies.find_or_create(db, now, value, emails=emails, new=new)


def _check_email_free(db: Database, email: str, contact_id: int | None) -> None:
    """Emails are unique across contacts (stored lower-case, so any case clashes)."""
    owner = db.execute(
        "SELECT c.id, c.name FROM contact_emails e JOIN contacts c ON c.id = e.contact_id "
        "WHERE e.email = ?",
        [email],
    ).fetchone()
    if owner and owner[0] != contact_id:
        raise Conflict(
            f"{email} already belongs to contact {owner[0]} ({owner[1]})",
            hint=f"see: pcrm contact show {owner[0]}",
        )


def _add_emails(db: Database, contact_id: int, emails: list[Email]) -> None:
    """Append addresses; one the contact already has only takes the new label, if given."""
    for email in emails:
        _check_email_free(db, email.email, contact_id)
    _append_labelled(
        db, "contact_emails", contact_id, [({"email": e.email}, e.label) for e in emails]
    )


def _append_labelled(
    db: Database,
    table: str,
    contact_id: int,
    rows: Sequence[tuple[dict[str, str | None], str | None]],
) -> None:
    """Append rows (the columns that identify each, and its label) to one of a contact's
    lists (`table`: contact_emails, contact_urls or contact_addresses), after the last
    position; a row the contact already has only takes the new label, if given."""
    position = _next_position(db, table, contact_id)
    for values, label in rows:
        same = " AND ".join(f"{column} IS ?" for column in values)
        cursor = db.execute(
            f"UPDATE {table} SET label = coalesce(?, label) WHERE contact_id = ? AND {same}",
            [label, contact_id, *values.values()],
        )
        if cursor.rowcount:
            continue
        marks = ", ".join("?" * len(values))
        db.execute(
            f"INSERT INTO {table}(contact_id, {', '.join(values)}, label, position)"
            f" VALUES (?, {marks}, ?, ?)",
            [contact_id, *values.values(), label, position],
        )
        position += 1


def _add_phones(db: Database, contact_id: int, phones: Sequence[Phone]) -> None:
    _add_numbers(db, "contact_phones", contact_id, phones)


def _add_numbers(db: Database, table: str, contact_id: int, numbers: Sequence[Phone]) -> None:
    """Append phone or fax numbers (`table`: contact_phones or contact_faxes); one the
    contact already has (same digits) only takes the new label."""
    position = _next_position(db, table, contact_id)
    existing = {
        phone_digits(number): row_id
        for row_id, number in db.execute(
            f"SELECT id, phone FROM {table} WHERE contact_id = ?", [contact_id]
        )
    }
    for phone in numbers:
        row_id = existing.get(phone_digits(phone.phone))
        if row_id is not None:
            db.execute(
                f"UPDATE {table} SET label = coalesce(?, label) WHERE id = ?",
                [phone.label, row_id],
            )
            continue
        row_id = db.execute(
            f"INSERT INTO {table}(contact_id, phone, label, position) VALUES (?, ?, ?, ?)",
            [contact_id, phone.phone, phone.label, position],
        ).lastrowid
        existing[phone_digits(phone.phone)] = row_id
        position += 1


def add_details(
    db: Database,
    contact_id: int,
    faxes: Sequence[Phone] = (),
    urls: Sequence[Url] = (),
    addresses: Sequence[Address] = (),
) -> None:
    """Append faxes, URLs and addresses the contact does not have yet (a fax by its digits,
    a URL as written, an address by its parts); one it has only takes a new label."""
    _add_numbers(db, "contact_faxes", contact_id, faxes)
    _append_labelled(db, "contact_urls", contact_id, [({"url": u.url}, u.label) for u in urls])
    _append_labelled(
        db,
        "contact_addresses",
        contact_id,
        [({part: getattr(a, part) for part in ADDRESS_PARTS}, a.label) for a in addresses],
    )


def load_vcards(db: Database, ids: Sequence[int]) -> dict[int, str]:
    """The raw vCards of these contacts (those imported from one), by contact id: read
    only where the card is used (vCard export), never by listings."""
    cards: dict[int, str] = {}
    for chunk in tags.chunks(list(ids)):
        marks = ",".join("?" * len(chunk))
        cards.update(
            db.execute(
                f"SELECT contact_id, card FROM contact_vcards WHERE contact_id IN ({marks})",
                chunk,
            ).fetchall()
        )
    return cards


def _next_position(db: Database, table: str, contact_id: int) -> int:
    return int(
        db.execute(
            f"SELECT coalesce(max(position) + 1, 0) FROM {table} WHERE contact_id = ?", [contact_id]
        ).fetchone()[0]
    )


def get_contact(db: Database, contact_id: int) -> Contact:
    return load_contacts(db, [contact_id])[0]


def load_contacts(db: Database, ids: list[int]) -> list[Contact]:
    """Full records for these ids, in the order given."""
    rows: dict[int, Contact] = {}
    for chunk in tags.chunks(ids):
        marks = ",".join("?" * len(chunk))
        for row in db.execute(
            "SELECT c.id, c.uid, c.name, c.company_id, co.name, c.title, c.source, c.birthday,"
            " c.note, c.last_contacted_at, c.created_at, c.updated_at, c.anniversary,"
            " c.cadence_days, c.lifecycle_stage, c.nickname"
            " FROM contacts c LEFT JOIN companies co ON co.id = c.company_id"
            f" WHERE c.id IN ({marks})",
            chunk,
        ):
            company = Link("company", row[3], row[4]) if row[3] is not None else None
            # mypy cannot know the length of row[5:12] (title..updated_at), so it thinks it
            # may fill the keywords too (python/mypy#20441).
            rows[row[0]] = Contact(  # type: ignore[misc]
                row[0],
                row[1],
                row[2],
                company,
                *row[5:12],
                anniversary=row[12],
                cadence_days=row[13],
                lifecycle_stage=row[14],
                nickname=row[15],
            )
        for contact_id, email, label in db.execute(
            f"SELECT contact_id, email, label FROM contact_emails WHERE contact_id IN ({marks})"
            " ORDER BY contact_id, position, id",
            chunk,
        ):
            rows[contact_id].emails.append(Email(email, label))
        for contact_id, phone, label in db.execute(
            f"SELECT contact_id, phone, label FROM contact_phones WHERE contact_id IN ({marks})"
            " ORDER BY contact_id, position, id",
            chunk,
        ):
            rows[contact_id].phones.append(Phone(phone, label))
        for contact_id, phone, label in db.execute(
            f"SELECT contact_id, phone, label FROM contact_faxes WHERE contact_id IN ({marks})"
            " ORDER BY contact_id, position, id",
            chunk,
        ):
            rows[contact_id].faxes.append(Phone(phone, label))
        for contact_id, *parts in db.execute(
            "SELECT contact_id, label, street, locality, region, postcode, country"
            f" FROM contact_addresses WHERE contact_id IN ({marks})"
            " ORDER BY contact_id, position, id",
            chunk,
        ):
            rows[contact_id].addresses.append(Address(*parts))
        for contact_id, url, label in db.execute(
            f"SELECT contact_id, url, label FROM contact_urls WHERE contact_id IN ({marks})"
            " ORDER BY contact_id, position, id",
            chunk,
        ):
            rows[contact_id].urls.append(Url(url, label))
    for contact_id, names in tags.tags_by_record(db, "contact", list(rows)).items():
        rows[contact_id].tags = names
    for contact_id, values in custom_fields.values_by_record(db, "contact", list(rows)).items():
        rows[contact_id].fields = values
    return [rows[contact_id] for contact_id in ids if contact_id in rows]


@dataclass
class ContactPage:
    contacts: list[Contact]
    total: int


def list_contacts(
    db: Database,
    *,
    tag: str | None = None,
    company_id: int | None = None,
    source: str | None = None,
    search: str | None = None,
    stage: str | None = None,
    sort: str = "name",
    limit: int | None = None,
    conditions: Sequence[str] = (),
    now: datetime | None = None,
    tags_all: Sequence[str] = (),
    tags_any: Sequence[str] = (),
    tags_none: Sequence[str] = (),
    company_ids: Sequence[int] = (),
    sources: Sequence[str] = (),
    searches: Sequence[str] = (),
    stages: Sequence[str] = (),
    last_contact_before: datetime | None = None,
    reverse: bool = False,
    offset: int = 0,
) -> ContactPage:
    """Contacts matching every filter given, sorted; `conditions` are custom-field `--where`
    terms. Sorting by score and relative dates in conditions need `now`.

    Tags: every one of `tags_all`, any of `tags_any`, none of `tags_none`. A contact has
    one company, source and stage, so several of those mean any of them; several
    searches must all match. `last_contact_before`: no interaction that has happened
    (up to `now`) since then, so never-contacted people are included."""
    from pcrm.core.listing import marks, order_by, page_sql, split_values

    where, params = custom_fields.where_sql(db, now, "contact", "c.id", conditions)
    tag_terms, tag_params = tags.filter_sql(
        "contact", "c.id", [*([tag] if tag else []), *tags_all], tags_any, tags_none
    )
    where += tag_terms
    params += tag_params
    where.append("c.archived_at IS NULL")  # archived contacts: pcrm contact restore
    companies_wanted = [*([company_id] if company_id is not None else []), *company_ids]
    if companies_wanted:
        where.append(f"c.company_id IN ({marks(companies_wanted)})")
        params += companies_wanted
    source_names = split_values([*([source] if source else []), *sources])
    if source_names:
        where.append(f"c.source COLLATE NOCASE IN ({marks(source_names)})")
        params += source_names
    stage_names = split_values([*([stage] if stage is not None else []), *stages])
    if stage_names:
        from pcrm.core.people.lifecycle import resolve_stage

        names = [resolve_stage(db, name).name for name in stage_names]
        where.append(f"c.lifecycle_stage COLLATE NOCASE IN ({marks(names)})")
        params += names
    for query in [*([search] if search else []), *searches]:
        from pcrm.core.views.search import match_expression

        where.append(
            "c.id * 8 + 1 IN (SELECT rowid FROM search_index WHERE search_index MATCH ?"
            " AND kind = 'contact')"
        )
        params.append(match_expression(query))
    if last_contact_before is not None:
        if now is None:
            raise ValueError("--last-contact-before needs now")
        # A planned interaction (in the future) has not happened: it does not count.
        where.append(
            "NOT EXISTS (SELECT 1 FROM interaction_contacts ic WHERE ic.contact_id = c.id"
            " AND ic.at >= ? AND ic.at <= ?)"
        )
        params += [to_iso(last_contact_before), to_iso(now)]
    if sort not in SORTS:
        raise InvalidInput(f'unknown sort "{sort}"', hint="use one of: " + ", ".join(SORTS))
    sql_where = " WHERE " + " AND ".join(where) if where else ""
    base = "FROM contacts c LEFT JOIN companies co ON co.id = c.company_id"
    total = db.execute(f"SELECT count(*) {base}{sql_where}", params).fetchone()[0]
    scores = ""
    score_params: list[object] = []
    if sort == "score":
        # Scores are computed, never stored (core/people/scoring.py): joined for this order only.
        from pcrm.core.people.scoring import score_totals_sql

        if now is None:
            raise ValueError("sorting contacts by score needs now")
        totals, score_params = score_totals_sql(db, now)
        scores = f" LEFT JOIN ({totals}) s ON s.contact_id = c.id"
    paging, page_params = page_sql(limit, offset)
    sql = f"SELECT c.id {base}{scores}{sql_where} ORDER BY {order_by(SORTS[sort], reverse)}"
    ids = [row[0] for row in db.execute(sql + paging, [*score_params, *params, *page_params])]
    return ContactPage(load_contacts(db, ids), total)


def update_contact(db: Database, now: datetime, contact_id: int, changes: ContactChanges) -> Saved:
    """Apply a partial edit. Removals run before additions, so `--rm-email a --email A`
    re-adds it; a removal of something the contact does not have is an error."""
    _require(db, contact_id)
    sets: dict[str, object] = {}
    if changes.name is not None:
        name = require_name(changes.name)
        sets.update(name=name, name_key=name_key(name))
    for column in ("title", "source", "nickname"):
        value = getattr(changes, column)
        if value is not None:
            sets[column] = clean_line(value)
    if changes.note is not None:
        sets["note"] = clean_optional(changes.note)
    if changes.birthday is not None:
        sets["birthday"] = _birthday(changes.birthday)
    if changes.anniversary is not None:
        sets["anniversary"] = _anniversary(changes.anniversary)
    if changes.cadence is not None:
        sets["cadence_days"] = _cadence(changes.cadence)
    created = None
    if changes.company is not None:
        emails = [
            row[0]
            for row in db.execute(
                "SELECT email FROM contact_emails WHERE contact_id = ?", [contact_id]
            )
        ] + changes.add_emails
        sets["company_id"], created = _company_for(
            db, now, changes.company, emails, new=bool(changes.new_company)
        )
    _remove_emails(db, contact_id, changes.remove_emails)
    _add_emails(db, contact_id, parse_emails(changes.add_emails))
    _remove_phones(db, contact_id, changes.remove_phones)
    _add_phones(db, contact_id, parse_phones(changes.add_phones))
    _remove_details(db, contact_id, changes)
    add_details(
        db,
        contact_id,
        parse_faxes(changes.add_faxes),
        parse_urls(changes.add_urls),
        [parse_address(value) for value in changes.add_addresses],
    )
    missing = tags.remove_tags(db, "contact", contact_id, tags.clean_tags(changes.remove_tags))
    if missing:
        raise InvalidInput(
            f'contact {contact_id} has no tag "{missing[0]}"',
            hint=f"see: pcrm contact show {contact_id}",
        )
    tags.add_tags(db, "contact", contact_id, tags.clean_tags(changes.add_tags))
    custom_fields.set_values(db, now, "contact", contact_id, changes.set_fields)
    sets["updated_at"] = to_iso(now)
    assignments = ", ".join(f"{column} = ?" for column in sets)
    db.execute(f"UPDATE contacts SET {assignments} WHERE id = ?", [*sets.values(), contact_id])
    return Saved(get_contact(db, contact_id), created)


# What the $EDITOR form holds: ContactForm's fields but the custom ones.
FORM_FIELDS = (
    "name", "nickname", "emails", "phones", "company", "title", "source", "birthday",
    "anniversary", "cadence", "tags", "note",
)  # fmt: skip
_FORM_LISTS = {"emails": "contact_emails", "phones": "contact_phones", "tags": "contact_tags"}


def replace_contact(
    db: Database,
    now: datetime,
    contact_id: int,
    form: ContactForm,
    only: Collection[str] = FORM_FIELDS,
) -> Saved:
    """Make the contact what the form says (the $EDITOR path), in the fields named in
    `only`: the ones the user changed, so that others, changed meanwhile by another pcrm,
    stay as they are now.

    Emails, phones and tags given are re-written in the form's order; the command's
    transaction undoes it all if any value is invalid.
    """
    _require(db, contact_id)
    for key, table in _FORM_LISTS.items():
        if key in only:
            db.execute(f"DELETE FROM {table} WHERE contact_id = ?", [contact_id])

    def text(key: str) -> str | None:  # None leaves the field alone, "" clears it
        return (getattr(form, key) or "") if key in only else None

    changes = ContactChanges(
        name=form.name if "name" in only else None,
        nickname=text("nickname"),
        company=text("company"),
        title=text("title"),
        source=text("source"),
        birthday=text("birthday"),
        anniversary=text("anniversary"),
        cadence=text("cadence"),
        note=text("note"),
        add_emails=form.emails if "emails" in only else [],
        add_phones=form.phones if "phones" in only else [],
        add_tags=form.tags if "tags" in only else [],
    )
    return update_contact(db, now, contact_id, changes)


def _remove_details(db: Database, contact_id: int, changes: ContactChanges) -> None:
    """--rm-fax (by digits), --rm-url (as written), --rm-address (by position, from 1)."""
    hint = f"see: pcrm contact show {contact_id}"
    for value in changes.remove_faxes:
        digits = phone_digits(value)
        matches = [
            row[0]
            for row in db.execute(
                "SELECT id, phone FROM contact_faxes WHERE contact_id = ?", [contact_id]
            )
            if phone_digits(row[1]) == digits
        ]
        if not matches or not digits:
            raise InvalidInput(f'contact {contact_id} has no fax "{value.strip()}"', hint=hint)
        db.execute(
            f"DELETE FROM contact_faxes WHERE id IN ({','.join('?' * len(matches))})", matches
        )
    for value in changes.remove_urls:
        cursor = db.execute(
            "DELETE FROM contact_urls WHERE contact_id = ? AND url = ?",
            [contact_id, split_url(value)[1]],
        )
        if cursor.rowcount == 0:
            raise InvalidInput(f'contact {contact_id} has no URL "{value.strip()}"', hint=hint)
    address_ids = [
        row[0]
        for row in db.execute(
            "SELECT id FROM contact_addresses WHERE contact_id = ? ORDER BY position, id",
            [contact_id],
        )
    ]
    gone = []
    for value in changes.remove_addresses:
        number = value.strip()
        if not number.isdigit() or not 1 <= int(number) <= len(address_ids):
            raise InvalidInput(
                f'contact {contact_id} has no address "{number}"',
                hint=f"give its number in: pcrm contact show {contact_id}",
            )
        gone.append(address_ids[int(number) - 1])
    for row_id in gone:
        db.execute("DELETE FROM contact_addresses WHERE id = ?", [row_id])


def _remove_emails(db: Database, contact_id: int, values: list[str]) -> None:
    for value in values:
        email = value.strip().lower()
        cursor = db.execute(
            "DELETE FROM contact_emails WHERE contact_id = ? AND email = ?", [contact_id, email]
        )
        if cursor.rowcount == 0:
            raise InvalidInput(
                f'contact {contact_id} has no email "{value.strip()}"',
                hint=f"see: pcrm contact show {contact_id}",
            )


def _remove_phones(db: Database, contact_id: int, values: list[str]) -> None:
    for value in values:
        digits = phone_digits(value)
        matches = [
            row[0]
            for row in db.execute(
                "SELECT id, phone FROM contact_phones WHERE contact_id = ?", [contact_id]
            )
            if phone_digits(row[1]) == digits
        ]
        if not matches or not digits:
            raise InvalidInput(
                f'contact {contact_id} has no phone "{value.strip()}"',
                hint=f"see: pcrm contact show {contact_id}",
            )
        db.execute(
            f"DELETE FROM contact_phones WHERE id IN ({','.join('?' * len(matches))})", matches
        )


def remove_contact(db: Database, now: datetime, contact_id: int) -> Contact:
    """Delete a contact and its links (emails, phones, tags, interaction links).

    Interactions, companies and other people stay; the deletion is recorded for sync.
    """
    _require(db, contact_id)
    contact = get_contact(db, contact_id)
    db.execute("DELETE FROM contacts WHERE id = ?", [contact_id])
    record_deletion(db, now, "contact", contact.uid)
    return contact


def _require(db: Database, contact_id: int) -> None:
    """A contact picked before the write may be gone by now (removed from another shell)."""
    if db.execute("SELECT 1 FROM contacts WHERE id = ?", [contact_id]).fetchone() is None:
        raise NotFound(f"contact {contact_id} no longer exists", hint="see: pcrm contact list")
