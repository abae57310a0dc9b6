"""Companies: the organisations contacts and deals hang under."""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from pcrm.core.base import Link
from pcrm.core.matching import id_param, is_id
from pcrm.core.people import fields as custom_fields
from pcrm.core.people import tags
from pcrm.core.people.models import Company
from pcrm.core.people.text import clean_line, clean_optional, name_key, require_name
from pcrm.core.records import PartialEdit, new_uid, record_deletion
from pcrm.core.refs import resolve_company, split_kind
from pcrm.dates import to_iso
from pcrm.errors import Conflict, InvalidInput, NotFound, PcrmError
from pcrm.store.db import Database

FIELDS = ("domain", "website", "industry", "size", "note")
# ORDER BY terms per --sort; each ends with the id, so ties page in a stable order.
SORTS: dict[str, tuple[str, ...]] = {
    "name": ("co.name_key", "co.id"),
    "people": ("people DESC", "co.name_key", "co.id"),
    "recent": ("last_contacted_at IS NULL", "last_contacted_at DESC", "co.name_key", "co.id"),
    "created": ("co.created_at DESC", "co.id DESC"),
}


@dataclass
class CompanyForm:
    name: str
    domain: str | None = None
    website: str | None = None
    industry: str | None = None
    size: str | None = None
    note: str | None = None
    tags: list[str] = field(default_factory=list)
    fields: dict[str, str] = field(default_factory=dict)  # custom field name -> text


@dataclass
class CompanyChanges(PartialEdit):
    """A partial edit: None leaves a field alone, an empty string clears it."""

    name: str | None = None
    domain: str | None = None
    website: str | None = None
    industry: str | None = None
    size: str | None = None
    note: str | None = None
    add_tags: list[str] = field(default_factory=list)
    remove_tags: list[str] = field(default_factory=list)
    set_fields: dict[str, str] = field(default_factory=dict)  # name -> text; "" unsets


# Labels of letters, digits and hyphens (any script), at least one dot: "acme.com", "bücher.de".
_DOMAIN = re.compile(r"^(?:[^\W_](?:[\w-]*[^\W_])?\.)+[^\W\d_]{2,}$")


def _domain(value: str | None) -> str | None:
    """'https://www.Acme.com/about' -> 'acme.com'; "" -> None (no domain)."""
    value = clean_optional(value)
    if value is None:
        return None
    domain = re.sub(r"^[a-z]+://", "", value.lower()).split("/")[0].removeprefix("www.")
    if not _DOMAIN.match(domain):
        raise InvalidInput(f'invalid domain "{value}"', hint="expected something like example.com")
    return domain


def check_field(key: str, value: str) -> None:
    """Validate one field of the editor form, so an error can name its line."""
    checks: dict[str, Callable[[str], object]] = {
        "name": require_name,
        "domain": _domain,
        "tags": lambda v: tags.clean_tags([v]),
    }
    if key in checks:
        checks[key](value)


def _check_name_free(db: Database, name: str, company_id: int | None) -> None:
    """Company names are unique (any case or accents), so `--company NAME` is never a guess."""
    owner = db.execute(
        "SELECT id, name FROM companies WHERE name_key = ? AND id IS NOT ?",
        [name_key(name), company_id],
    ).fetchone()
    if owner:
        raise Conflict(
            f'a company named "{owner[1]}" already exists (id {owner[0]})',
            hint="choose another name, e.g. with the city",
        )


def _check_domain_free(db: Database, domain: str | None, company_id: int | None) -> None:
    if domain is None:
        return
    owner = db.execute("SELECT id, name FROM companies WHERE domain = ?", [domain]).fetchone()
    if owner and owner[0] != company_id:
        raise Conflict(
            f"{domain} already belongs to company {owner[0]} ({owner[1]})",
            hint=f"see: pcrm company show {owner[0]}",
        )


def add_company(db: Database, now: datetime, form: CompanyForm) -> Company:
    name = require_name(form.name)
    domain = _domain(form.domain)
    tag_names = tags.clean_tags(form.tags)
    _check_name_free(db, name, None)
    _check_domain_free(db, domain, None)
    stamp = to_iso(now)
    cursor = db.execute(
        "INSERT INTO companies(uid, name, name_key, domain, website, industry, size, note,"
        " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            new_uid(),
            name,
            name_key(name),
            domain,
            clean_line(form.website),
            clean_line(form.industry),
            clean_line(form.size),
            clean_optional(form.note),
            stamp,
            stamp,
        ],
    )
    company_id = cursor.lastrowid
    assert company_id is not None
    tags.add_tags(db, "company", company_id, tag_names)
    custom_fields.set_values(db, now, "company", company_id, form.fields)
    return get_company(db, company_id)


class CompanyGuess(InvalidInput):
    """`--company NAME` names no company exactly, but some look like it: the user must say
    which (`company:ID`) or that it is new (`--new-company`). `candidates` are (id, line),
    a line "Name (company 3, domain)"."""

    def __init__(self, value: str, candidates: list[tuple[int, str]], more: int) -> None:
        self.value = value
        self.candidates = candidates
        self.more = more
        listed = "; ".join(line for _id, line in candidates)
        if more:
            listed += f"; and {more} more"
        which = f"company:{candidates[0][0]}" if len(candidates) == 1 else "company:ID"
        super().__init__(
            f'no company is named "{value}", but it may be {listed}',
            hint=f'use --company {which}, or --new-company to add "{value}"',
        )


# Legal forms at the end of a name that do not make another company: "Müller & Söhne
# GmbH" is "Müller & Söhne". Compared without dots: "S.A." is "sa", "A/S" is "as".
_LEGAL = frozenset(
    [
        "gmbh",
        "mbh",
        "ag",
        "kg",
        "ohg",
        "ug",
        "ev",
        "eg",
        "gbr",
        "kgaa",
        "se",
        "ltd",
        "limited",
        "plc",
        "llp",
        "llc",
        "lp",
        "inc",
        "incorporated",
        "corp",
        "corporation",
        "co",
        "company",
        "sa",
        "sas",
        "sarl",
        "srl",
        "spa",
        "sl",
        "bv",
        "nv",
        "ab",
        "as",
        "aps",
        "oy",
        "oyj",
        "kk",
        "pty",
        "pte",
        "sro",
        "zoo",
    ]
)
_JOINERS = frozenset({"&", "+", "and", "und", "et", "-"})
_PUNCT = ".,;:()'\"/"


def _words(name: str) -> list[str]:
    """A name's words, case and accents folded, punctuation around them left out."""
    return [word for word in (w.strip(_PUNCT) for w in name_key(name).split()) if word]


def name_words(name: str) -> list[str]:
    """The words that make a company's name, without its legal form or joiners:
    "Müller & Söhne GmbH" -> ["muller", "sohne"]; "Acme, Inc." -> ["acme"]."""
    words = _words(name)
    while words and (
        words[-1].replace(".", "").replace("/", "") in _LEGAL or words[-1] in _JOINERS
    ):
        words.pop()
    # A name that is all legal form ("GmbH") is its own words.
    return [word for word in words if word not in _JOINERS] or _words(name)


_MAX_GUESSES = 5


def company_guesses(
    db: Database, value: str, emails: Sequence[str] = ()
) -> tuple[list[tuple[int, str]], int]:
    """Companies a new company named `value` may really be (docs/guide.md, "Companies"):
    every word of its name, legal form left out, is a word of theirs ("Müller & Söhne" and
    "Müller & Söhne GmbH"), or their domain is the domain of one of the contact's emails.
    At most _MAX_GUESSES as describe lines (with their ids), and how many more there are."""
    ids: list[int] = []
    domains = sorted({email.rpartition("@")[2].lower() for email in emails if "@" in email})
    if domains:
        marks = ",".join("?" * len(domains))
        ids += [
            row[0]
            for row in db.execute(
                f"SELECT id FROM companies WHERE domain IN ({marks}) ORDER BY id", domains
            )
        ]
    words = name_words(value)
    if words:
        # instr() narrows with the index-free scan SQLite does fast; whole words in Python.
        where = " AND ".join("instr(name_key, ?) > 0" for _ in words)
        for company_id, name in db.execute(
            f"SELECT id, name FROM companies WHERE {where} ORDER BY name_key, id LIMIT 1000",
            words,
        ):
            theirs = set(_words(name))
            if company_id not in ids and all(word in theirs for word in words):
                ids.append(company_id)
    shown = ids[:_MAX_GUESSES]
    lines = []
    for company_id in shown:
        name, domain = db.execute(
            "SELECT name, domain FROM companies WHERE id = ?", [company_id]
        ).fetchone()
        lines.append(
            f"{name} (company {company_id}, {domain})"
            if domain
            else f"{name} (company {company_id})"
        )
    return list(zip(shown, lines, strict=True)), len(ids) - len(shown)


def find_or_create(
    db: Database,
    now: datetime,
    value: str,
    *,
    emails: Sequence[str] = (),
    new: bool = False,
) -> tuple[int, Link | None]:
    """The company a --company option names: an id, an exact domain, or an exact name
    (any case or accents); else a new company. Returns its id, and a Link when created.
    Never a partial match: "Acme" must not quietly become "Acme Holdings", nor quietly a
    second company beside it: when company_guesses() finds companies it may mean (by name
    words or the contact's email domain), CompanyGuess asks the user to say which, unless
    `new` says to add it anyway.

    `company:REF` names an existing company by the REF rules (a piece of the name will
    do) and never creates one; another kind's prefix is an error. An existing company
    whose whole name looks like a prefix ("Deal: Partners") is still found first, so the
    $EDITOR form saves unchanged."""
    value = " ".join(value.split())
    found = _named(db, value)
    if found is not None:
        return found, None
    if not new:
        guess = guess_company(db, value, emails)
        if guess is not None:
            raise guess
    company = add_company(db, now, CompanyForm(name=value))
    return company.id, Link("company", company.id, company.name)


def _named(db: Database, value: str) -> int | None:
    """The company `value` names exactly (id, domain, whole name, `company:REF`), if any."""
    if is_id(value):
        row = db.execute("SELECT id FROM companies WHERE id = ?", [id_param(value)]).fetchone()
        if row is None:
            raise NotFound(f"no company has id {value}", hint="see: pcrm company list")
        return int(row[0])
    row = db.execute(
        "SELECT id FROM companies WHERE domain = ? OR name_key = ? ORDER BY domain IS NULL, id",
        [value.lower(), name_key(value)],
    ).fetchone()
    if row is not None:
        return int(row[0])
    kind, ref = split_kind(value)
    if kind is not None:
        try:
            return resolve_company(db, value)
        except NotFound as exc:
            if ref.strip().isdigit():
                raise
            raise NotFound(exc.message, hint='drop "company:" to add a new company') from None
    return None


def guess_company(db: Database, value: str, emails: Sequence[str] = ()) -> CompanyGuess | None:
    """What find_or_create() would refuse `value` with for looking like existing companies;
    None when it names one exactly or nothing looks like it. (A command asks with this on
    a terminal before it writes.)"""
    value = " ".join(value.split())
    try:
        if _named(db, value) is not None:
            return None
    except PcrmError:
        return None  # the write says what is wrong with it
    guesses, more = company_guesses(db, value, emails)
    return CompanyGuess(value, guesses, more) if guesses else None


_SELECT = """SELECT co.id, co.uid, co.name, co.domain, co.website, co.industry, co.size, co.note,
    co.created_at, co.updated_at,
    (SELECT count(*) FROM contacts c WHERE c.company_id = co.id) AS people,
    (SELECT max(c.last_contacted_at) FROM contacts c WHERE c.company_id = co.id)
        AS last_contacted_at,
    co.lifecycle_stage
    FROM companies co"""


def _load(
    db: Database,
    where: str,
    params: Sequence[object],
    order: str = "co.id",
    limit: int | None = None,
    offset: int = 0,
) -> list[Company]:
    from pcrm.core.listing import page_sql

    paging, page_params = page_sql(limit, offset)
    sql = f"{_SELECT} {where} ORDER BY {order}{paging}"
    params = [*params, *page_params]
    # mypy cannot know the row slices' length, so it thinks they may fill the keywords too
    # (python/mypy#20441); row[:10] is the ten columns up to updated_at.
    found = [
        Company(*row[:10], people_count=row[10], last_contacted_at=row[11], lifecycle_stage=row[12])  # type: ignore[misc]
        for row in db.execute(sql, params)
    ]
    ids = [company.id for company in found]
    by_id = tags.tags_by_record(db, "company", ids)
    values = custom_fields.values_by_record(db, "company", ids)
    for company in found:
        company.tags = by_id[company.id]
        company.fields = values.get(company.id, {})
    return found


def load_companies(db: Database, ids: list[int]) -> list[Company]:
    """Full companies for these ids, in the order given."""
    found: dict[int, Company] = {}
    for chunk in tags.chunks(ids):
        marks = ",".join("?" * len(chunk))
        found.update((c.id, c) for c in _load(db, f"WHERE co.id IN ({marks})", chunk))
    return [found[company_id] for company_id in ids if company_id in found]


def get_company(db: Database, company_id: int) -> Company:
    return _load(db, "WHERE co.id = ?", [company_id])[0]


@dataclass
class CompanyPage:
    companies: list[Company]
    total: int


def list_companies(
    db: Database,
    *,
    tag: str | None = None,
    industry: str | None = None,
    search: str | None = None,
    sort: str = "name",
    limit: int | None = None,
    conditions: Sequence[str] = (),
    now: datetime | None = None,
    tags_all: Sequence[str] = (),
    tags_any: Sequence[str] = (),
    tags_none: Sequence[str] = (),
    industries: Sequence[str] = (),
    searches: Sequence[str] = (),
    reverse: bool = False,
    offset: int = 0,
) -> CompanyPage:
    """Companies matching every filter; `conditions` are custom-field `--where` terms.
    Tags: every one of `tags_all`, any of `tags_any`, none of `tags_none`; several
    industries mean any of them (a company has one); several searches must all match."""
    from pcrm.core.listing import marks, order_by, split_values

    where, params = custom_fields.where_sql(db, now, "company", "co.id", conditions)
    tag_terms, tag_params = tags.filter_sql(
        "company", "co.id", [*([tag] if tag else []), *tags_all], tags_any, tags_none
    )
    where += tag_terms
    params += tag_params
    names = split_values([*([industry] if industry else []), *industries])
    if names:
        where.append(f"co.industry COLLATE NOCASE IN ({marks(names)})")
        params += names
    for query in [*([search] if search else []), *searches]:
        from pcrm.core.views.search import match_expression

        where.append(
            "co.id * 8 + 2 IN (SELECT rowid FROM search_index WHERE search_index MATCH ?"
            " AND kind = 'company')"
        )
        params.append(match_expression(query))
    if sort not in SORTS:
        raise InvalidInput(f'unknown sort "{sort}"', hint="use one of: " + ", ".join(SORTS))
    sql_where = "WHERE " + " AND ".join(where) if where else ""
    total = db.execute(f"SELECT count(*) FROM companies co {sql_where}", params).fetchone()[0]
    order = order_by(SORTS[sort], reverse)
    return CompanyPage(_load(db, sql_where, params, order, limit, offset), total)


def update_company(
    db: Database, now: datetime, company_id: int, changes: CompanyChanges
) -> Company:
    _require(db, company_id)
    sets: dict[str, object] = {}
    if changes.name is not None:
        name = require_name(changes.name)
        _check_name_free(db, name, company_id)
        sets.update(name=name, name_key=name_key(name))
    if changes.domain is not None:
        domain = _domain(changes.domain)
        _check_domain_free(db, domain, company_id)
        sets["domain"] = domain
    for column in ("website", "industry", "size"):
        value = getattr(changes, column)
        if value is not None:
            sets[column] = clean_line(value)
    if changes.note is not None:
        sets["note"] = clean_optional(changes.note)
    missing = tags.remove_tags(db, "company", company_id, tags.clean_tags(changes.remove_tags))
    if missing:
        raise InvalidInput(
            f'company {company_id} has no tag "{missing[0]}"',
            hint=f"see: pcrm company show {company_id}",
        )
    tags.add_tags(db, "company", company_id, tags.clean_tags(changes.add_tags))
    custom_fields.set_values(db, now, "company", company_id, changes.set_fields)
    sets["updated_at"] = to_iso(now)
    assignments = ", ".join(f"{column} = ?" for column in sets)
    db.execute(f"UPDATE companies SET {assignments} WHERE id = ?", [*sets.values(), company_id])
    return get_company(db, company_id)


def _require(db: Database, company_id: int) -> None:
    """A company picked before the write may be gone by now (removed from another shell)."""
    if db.execute("SELECT 1 FROM companies WHERE id = ?", [company_id]).fetchone() is None:
        raise NotFound(f"company {company_id} no longer exists", hint="see: pcrm company list")


# What the $EDITOR form holds: CompanyForm's fields but the custom ones.
FORM_FIELDS = ("name", *FIELDS, "tags")


def replace_company(
    db: Database,
    now: datetime,
    company_id: int,
    form: CompanyForm,
    only: Collection[str] = FORM_FIELDS,
) -> Company:
    """Make the company what the form says (the $EDITOR path), in the fields named in
    `only`: the ones the user changed; the others may have changed meanwhile."""
    _require(db, company_id)
    if "tags" in only:
        db.execute("DELETE FROM company_tags WHERE company_id = ?", [company_id])
    # The FIELDS are the five text columns; mypy would match **{...} to add_tags and
    # set_fields too.
    changes = CompanyChanges(
        name=form.name if "name" in only else None,
        **{column: getattr(form, column) or "" for column in FIELDS if column in only},  # type: ignore[arg-type]
        add_tags=form.tags if "tags" in only else [],
    )
    return update_company(db, now, company_id, changes)


def remove_company(db: Database, now: datetime, company_id: int) -> Company:
    """Delete a company. Its people and interactions stay, no longer linked to it."""
    _require(db, company_id)
    company = get_company(db, company_id)
    db.execute("DELETE FROM companies WHERE id = ?", [company_id])
    record_deletion(db, now, "company", company.uid)
    return company
