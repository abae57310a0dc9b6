"""Likely duplicates among contacts and companies, found without comparing every pair.

Each record gets a few blocking keys (its emails and phones normalised, its name's words
sorted, first name or initial + surname at its company...). Only records that share a key
are compared, and the comparison, not the key, decides the reasons and the score. Keys
shared by many records are weak evidence and would make the work quadratic: a phone
number or mailbox on more than MAX_SHARED records is a switchboard and is ignored, and a
name carried by more than COMMON_NAME records is only compared within each company
(elsewhere such a name alone scores below DEFAULT_MIN_SCORE, and any email or phone the
two share is found through its own key).

Pairs at or above the minimum score are grouped: records linked by any chain of pairs are
one group (A~B and B~C put A, B and C together), shown with the pairs that link them.
"""

from __future__ import annotations

import json
import marshal
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import combinations

from pcrm.core.dedupe.nicknames import full_names, same_person_names
from pcrm.core.people.phones import phone_key
from pcrm.core.people.text import name_key
from pcrm.core.settings import phone_region
from pcrm.store.db import Database

MAX_SHARED = 10
COMMON_NAME = 3
DEFAULT_MIN_SCORE = 50

# Words of a name that say nothing about who it is.
_HONORIFICS = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "miss",
        "mx",
        "dr",
        "prof",
        "sir",
        "dame",
        "jr",
        "sr",
        "ii",
        "iii",
        "iv",
        "phd",
        "md",
        "esq",
    ]
)
# Words of a company name that only give its legal form.
_LEGAL_FORMS = frozenset(
    [
        "inc",
        "incorporated",
        "ltd",
        "limited",
        "llc",
        "llp",
        "plc",
        "gmbh",
        "ag",
        "sa",
        "sas",
        "sarl",
        "bv",
        "nv",
        "srl",
        "spa",
        "co",
        "corp",
        "corporation",
        "company",
        "the",
        "oy",
        "ab",
        "as",
        "kg",
        "pty",
        "lp",
    ]
)
_APOSTROPHES = re.compile(r"['’`]")
_NON_WORD = re.compile(r"\W+")


@dataclass(frozen=True)
class Reason:
    code: str  # email, phone, name, first-last, nickname, initial, domain
    text: str
    score: int


@dataclass
class Pair:
    a: int
    b: int
    score: int
    reasons: list[Reason]


@dataclass
class Member:
    id: int
    name: str
    email: str | None = None  # a contact's first
    company: str | None = None  # a contact's
    domain: str | None = None  # a company's


@dataclass
class DupeGroup:
    """Records that look like one: members by id (the oldest first, the one to keep by
    default), the pairs that link them, strongest first, and the group's best score."""

    kind: str
    score: int
    members: list[Member]
    pairs: list[Pair]
    keep: int = 0


@dataclass
class _Record:
    id: int
    name: str
    tokens: list[str]
    company_id: int | None = None
    company: str | None = None
    emails: list[tuple[str, str]] = field(default_factory=list)  # (as stored, key)
    phones: list[tuple[str, str]] = field(default_factory=list)
    domains: set[str] = field(default_factory=set)


def name_tokens(name: str, ignored: frozenset[str] = _HONORIFICS) -> list[str]:
    """The words of a name in a comparable form: 'Lovelace, Ada' -> ['ada', 'lovelace'],
    "Dr. Seán O'Brien" -> ['sean', 'obrien']; titles and legal forms left out."""
    return key_tokens(name_key(name), ignored)


def key_tokens(key: str, ignored: frozenset[str] = _HONORIFICS) -> list[str]:
    """name_tokens() of a name already in name_key() form (as the name_key columns hold)."""
    last, comma, first = key.partition(",")
    if comma and first.strip() and last.strip() and "," not in first:
        key = f"{first} {last}"
    words = _NON_WORD.split(_APOSTROPHES.sub("", key))
    return [word for word in words if word and word not in ignored]


def email_key(email: str) -> str:
    """One key for the spellings of one mailbox: case, a +tag, and Gmail's dots."""
    local, _, domain = email.strip().lower().rpartition("@")
    local = local.split("+", 1)[0] or local
    if domain in ("gmail.com", "googlemail.com"):
        local, domain = local.replace(".", ""), "gmail.com"
    return f"{local}@{domain}"


def _host(value: str | None) -> str | None:
    if not value:
        return None
    host = re.sub(r"^[a-z]+://", "", value.strip().lower()).split("/")[0].split(":")[0]
    return host.removeprefix("www.") or None


# Loading: records are read in id order, one at a time (the emails and phones merged in
# from their own id-ordered queries), so no table is ever held whole in memory.


def _contacts(db: Database) -> Iterator[_Record]:
    region = phone_region(db)
    emails = _by_owner(
        db.execute("SELECT contact_id, email FROM contact_emails ORDER BY contact_id, position, id")
    )
    phones = _by_owner(
        db.execute("SELECT contact_id, phone FROM contact_phones ORDER BY contact_id, position, id")
    )
    email_owner, email_values = next(emails, (None, []))
    phone_owner, phone_values = next(phones, (None, []))
    for row in db.execute(
        "SELECT c.id, c.name, c.name_key, c.company_id, co.name FROM contacts c"
        " LEFT JOIN companies co ON co.id = c.company_id ORDER BY c.id"
    ):
        record = _Record(row[0], row[1], key_tokens(row[2]), row[3], row[4])
        if email_owner == record.id:
            record.emails = [(email, email_key(email)) for email in email_values]
            email_owner, email_values = next(emails, (None, []))
        if phone_owner == record.id:
            for phone in phone_values:
                key = phone_key(phone, region)
                if key:
                    record.phones.append((phone, key))
            phone_owner, phone_values = next(phones, (None, []))
        yield record


def _by_owner(rows: Iterable[tuple[int, str]]) -> Iterator[tuple[int, list[str]]]:
    """(owner id, its values) from rows ordered by owner id."""
    owner: int | None = None
    values: list[str] = []
    for row_owner, value in rows:
        if row_owner != owner:
            if owner is not None:
                yield owner, values
            owner, values = row_owner, []
        values.append(value)
    if owner is not None:
        yield owner, values


def _companies(db: Database) -> Iterator[_Record]:
    ignored = _LEGAL_FORMS | _HONORIFICS
    for record_id, name, key, domain, website in db.execute(
        "SELECT id, name, name_key, domain, website FROM companies ORDER BY id"
    ):
        record = _Record(record_id, name, key_tokens(key, ignored))
        record.domains = {host for host in (_host(domain), _host(website)) if host}
        yield record


# Blocking


# A blocking key: its kind, then names and company ids, e.g. ("nickname", 3, "bob", "smith").
_Key = tuple[str | int, ...]
# Kinds of key whose blocks are a shared mailbox, phone or domain (MAX_SHARED applies);
# the others are names (COMMON_NAME applies).
_SHARED_KINDS = ("email", "phone", "domain")
_SEP = "\x1f"  # between the parts of a key as the temporary table holds it


def _contact_keys(record: _Record) -> Iterator[_Key]:
    for _email, key in record.emails:
        yield ("email", key)
    for _phone, key in record.phones:
        yield ("phone", key)
    tokens = record.tokens
    if not tokens:
        return
    yield ("name", " ".join(sorted(tokens)))
    if len(tokens) < 2:
        return
    first, last = tokens[0], tokens[-1]
    yield ("first-last", first, last)
    if record.company_id is not None:
        for name in full_names(first):
            yield ("nickname", record.company_id, name, last)
        yield ("initial", record.company_id, first[0], last)


def _company_keys(record: _Record) -> Iterator[_Key]:
    for domain in record.domains:
        yield ("domain", domain)
    if record.tokens:
        yield ("name", " ".join(sorted(record.tokens)))


# The work tables of one run, in SQLite's temporary database (a file of its own, with its
# own small page cache: the blocks are sorted there, and spill to disk, not to memory).
_KEYS = "pcrm_dupe_keys"
_RECORDS = "pcrm_dupe_records"
_PAIRS = "pcrm_dupe_pairs"
_BATCH = 2000


def _store(
    db: Database, records: Iterable[_Record], keys: Callable[[_Record], Iterable[_Key]]
) -> None:
    """Write every record (marshalled) and its distinct blocking keys to the work tables."""
    for table in (_KEYS, _RECORDS, _PAIRS):
        db.execute(f"DROP TABLE IF EXISTS temp.{table}")
    db.execute(
        f"CREATE TEMP TABLE {_KEYS} (key TEXT NOT NULL, id INTEGER NOT NULL, company INTEGER)"
    )
    db.execute(f"CREATE TEMP TABLE {_RECORDS} (id INTEGER PRIMARY KEY, data BLOB NOT NULL)")
    db.execute(f"CREATE TEMP TABLE {_PAIRS} (a INTEGER NOT NULL, b INTEGER NOT NULL)")
    key_rows: list[tuple[str, int, int | None]] = []
    record_rows: list[tuple[int, bytes]] = []
    for record in records:
        record_rows.append((record.id, _pack(record)))
        for key in set(keys(record)):
            key_rows.append((_SEP.join(map(str, key)), record.id, record.company_id))
        if len(record_rows) >= _BATCH:
            _flush(db, key_rows, record_rows)
    _flush(db, key_rows, record_rows)


def _flush(
    db: Database, key_rows: list[tuple[str, int, int | None]], record_rows: list[tuple[int, bytes]]
) -> None:
    db.conn.executemany(f"INSERT INTO temp.{_KEYS}(key, id, company) VALUES (?, ?, ?)", key_rows)
    db.conn.executemany(f"INSERT INTO temp.{_RECORDS}(id, data) VALUES (?, ?)", record_rows)
    key_rows.clear()
    record_rows.clear()


def _pack(record: _Record) -> bytes:
    # marshal: the fastest round trip for plain tuples of str/int, read back by this same
    # process within the command (never kept, never read from anyone else).
    return marshal.dumps(
        (
            record.id,
            record.name,
            tuple(record.tokens),
            record.company_id,
            record.company,
            tuple(record.emails),
            tuple(record.phones),
            tuple(sorted(record.domains)),
        )
    )


def _unpack(data: bytes) -> _Record:
    record_id, name, tokens, company_id, company, emails, phones, domains = marshal.loads(data)
    return _Record(
        record_id, name, list(tokens), company_id, company, list(emails), list(phones), set(domains)
    )


def _blocks(db: Database) -> Iterator[tuple[str, list[tuple[int, int | None]]]]:
    """Each key two or more records share, with those records (id, company id): read in
    key order from the sorted work table, one block at a time."""
    key: str | None = None
    members: list[tuple[int, int | None]] = []
    for row_key, record_id, company in db.execute(
        f"SELECT key, id, company FROM temp.{_KEYS} ORDER BY key"
    ):
        if row_key != key:
            if len(members) > 1:
                assert key is not None
                yield key, members
            key, members = row_key, []
        members.append((record_id, company))
    if key is not None and len(members) > 1:
        yield key, members


def _candidates(db: Database) -> set[str]:
    """Write the pairs of ids that share a key to the pairs table; returns the names that
    more than COMMON_NAME records carry (the only name counts the scores need)."""
    common: set[str] = set()
    pairs: list[tuple[int, int]] = []
    for key, members in _blocks(db):
        kind, _, rest = key.partition(_SEP)
        ids = [record_id for record_id, _company in members]
        if kind == "name" and len(ids) > COMMON_NAME:
            common.add(rest)  # ("name", "ada lovelace")
        if kind in _SHARED_KINDS:
            if len(ids) <= MAX_SHARED:
                pairs.extend(combinations(sorted(ids), 2))
        elif len(ids) <= COMMON_NAME:
            pairs.extend(combinations(sorted(ids), 2))
        else:
            by_company: dict[int, list[int]] = defaultdict(list)
            for record_id, company_id in members:
                if company_id is not None:
                    by_company[company_id].append(record_id)
            for group in by_company.values():
                pairs.extend(combinations(sorted(group), 2))
        if len(pairs) >= _BATCH:
            db.conn.executemany(f"INSERT INTO temp.{_PAIRS}(a, b) VALUES (?, ?)", pairs)
            pairs.clear()
    db.conn.executemany(f"INSERT INTO temp.{_PAIRS}(a, b) VALUES (?, ?)", pairs)
    return common


# Comparing


def _contact_reasons(a: _Record, b: _Record, common: set[str]) -> list[Reason]:
    reasons = []
    b_emails = {key: email for email, key in b.emails}
    for email, key in a.emails:
        if key in b_emails:
            other = b_emails[key]
            if email == other:
                reasons.append(Reason("email", f"same email {email}", 95))
            else:
                reasons.append(Reason("email", f"same mailbox {email} / {other}", 90))
    names_agree = bool(set(a.tokens) & set(b.tokens))
    b_phones = {key: phone for phone, key in b.phones}
    for phone, key in a.phones:
        if key in b_phones:
            reasons.append(Reason("phone", f"same phone {phone}", 80 if names_agree else 50))
    reasons.extend(_name_reasons(a, b, common))
    return _unique(reasons)


def _name_reasons(a: _Record, b: _Record, common: set[str]) -> Iterator[Reason]:
    if not a.tokens or not b.tokens:
        return
    same_company = a.company_id is not None and a.company_id == b.company_id
    at = f" at {a.company}" if same_company else ""
    sorted_a = " ".join(sorted(a.tokens))
    if sorted_a == " ".join(sorted(b.tokens)):
        if len(a.tokens) == 1 and not same_company:
            return  # a lone first name says too little on its own
        yield Reason("name", f"same name{at}", _name_score(a, b, sorted_a in common))
        return
    if len(a.tokens) < 2 or len(b.tokens) < 2:
        return
    (first_a, last_a), (first_b, last_b) = (a.tokens[0], a.tokens[-1]), (b.tokens[0], b.tokens[-1])
    if last_a != last_b:
        return
    if first_a == first_b:
        yield Reason("first-last", f"same first and last name{at}", _name_score(a, b, False) - 10)
    elif same_company and same_person_names(first_a, first_b):
        yield Reason(
            "nickname", f"nickname {first_a.title()}/{first_b.title()} {last_a.title()}{at}", 80
        )
    elif same_company and (len(first_a) == 1 or len(first_b) == 1) and first_a[0] == first_b[0]:
        yield Reason("initial", f"initial {first_a[0].upper()}. {last_a.title()}{at}", 70)


def _name_score(a: _Record, b: _Record, common: bool) -> int:
    """A shared name means more at the same company, and less when more than COMMON_NAME
    people carry it (common)."""
    if a.company_id is not None and a.company_id == b.company_id:
        return 90
    if a.company_id is None or b.company_id is None:
        return 45 if common else 60
    return 30 if common else 40


def _company_reasons(a: _Record, b: _Record, _common: set[str]) -> list[Reason]:
    shared = a.domains & b.domains
    reasons = [Reason("domain", f"same domain {domain}", 90) for domain in sorted(shared)]
    if a.tokens and sorted(a.tokens) == sorted(b.tokens):
        # Two domains that differ say these are two organisations of one name.
        elsewhere = a.domains and b.domains and not shared
        reasons.append(Reason("name", "same name", 40 if elsewhere else 80))
    return _unique(reasons)


def _unique(reasons: list[Reason]) -> list[Reason]:
    """The strongest reason of each kind, strongest first: two numbers of one household
    are one piece of evidence, not two."""
    best: dict[str, Reason] = {}
    for reason in sorted(reasons, key=lambda reason: -reason.score):
        best.setdefault(reason.code, reason)
    return list(best.values())


def combined(reasons: Iterable[Reason]) -> int:
    """Independent pieces of evidence add up: 1 - product of (1 - score), in percent."""
    doubt = 1.0
    for reason in reasons:
        doubt *= 1 - reason.score / 100
    return min(100, round(100 * (1 - doubt)))


# Grouping


def find_dupes(db: Database, kind: str, min_score: int = DEFAULT_MIN_SCORE) -> list[DupeGroup]:
    """Groups of likely duplicate contacts or companies, strongest first.

    Memory does not grow with the file: records and their keys go to temporary tables,
    blocks are read back one at a time in key order, candidate pairs go to a table too and
    are compared in (a, b) order; only the pairs that score are kept."""
    compare: Callable[[_Record, _Record, set[str]], list[Reason]]
    if kind == "contact":
        _store(db, _contacts(db), _contact_keys)
        compare = _contact_reasons
    else:
        _store(db, _companies(db), _company_keys)
        compare = _company_reasons
    try:
        common = _candidates(db)
        pairs = []
        first: _Record | None = None  # pairs come in (a, b) order: a is read once
        for a, b, a_data, b_data in db.execute(
            f"SELECT p.a, p.b, ra.data, rb.data FROM (SELECT DISTINCT a, b FROM temp.{_PAIRS}) p"
            f" JOIN temp.{_RECORDS} ra ON ra.id = p.a JOIN temp.{_RECORDS} rb ON rb.id = p.b"
            " ORDER BY p.a, p.b"
        ):
            if first is None or first.id != a:
                first = _unpack(a_data)
            reasons = compare(first, _unpack(b_data), common)
            score = combined(reasons)
            if reasons and score >= min_score:
                pairs.append(Pair(a, b, score, reasons))
        return _groups(db, kind, pairs)
    finally:
        for table in (_KEYS, _RECORDS, _PAIRS):
            db.execute(f"DROP TABLE IF EXISTS temp.{table}")


def _groups(db: Database, kind: str, pairs: list[Pair]) -> list[DupeGroup]:
    parent: dict[int, int] = {}

    def root(record_id: int) -> int:
        parent.setdefault(record_id, record_id)
        while parent[record_id] != record_id:
            parent[record_id] = parent[parent[record_id]]
            record_id = parent[record_id]
        return record_id

    for pair in pairs:
        parent[root(pair.b)] = root(pair.a)
    grouped: dict[int, list[Pair]] = defaultdict(list)
    for pair in pairs:
        grouped[root(pair.a)].append(pair)
    members = {
        record_id: _member(_unpack(data))
        for record_id, data in db.execute(
            f"SELECT id, data FROM temp.{_RECORDS} WHERE id IN (SELECT value FROM json_each(?))",
            [json.dumps(sorted({i for pair in pairs for i in (pair.a, pair.b)}))],
        )
    }
    groups = []
    for group_pairs in grouped.values():
        ids = sorted({i for pair in group_pairs for i in (pair.a, pair.b)})
        group_pairs.sort(key=lambda pair: (-pair.score, pair.a, pair.b))
        group = [members[i] for i in ids]
        groups.append(DupeGroup(kind, group_pairs[0].score, group, group_pairs, ids[0]))
    groups.sort(key=lambda group: (-group.score, group.keep))
    return groups


def _member(record: _Record) -> Member:
    email = record.emails[0][0] if record.emails else None
    domain = min(record.domains) if record.domains else None
    return Member(record.id, record.name, email, record.company, domain)
