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


# Loading


def _contacts(db: Database) -> dict[int, _Record]:
    records = {
        row[0]: _Record(row[0], row[1], key_tokens(row[2]), row[3], row[4])
        for row in db.execute(
            "SELECT c.id, c.name, c.name_key, c.company_id, co.name FROM contacts c"
            " LEFT JOIN companies co ON co.id = c.company_id"
        )
    }
    for contact_id, email in db.execute(
        "SELECT contact_id, email FROM contact_emails ORDER BY contact_id, position, id"
    ):
        records[contact_id].emails.append((email, email_key(email)))
    region = phone_region(db)
    for contact_id, phone in db.execute(
        "SELECT contact_id, phone FROM contact_phones ORDER BY contact_id, position, id"
    ):
        key = phone_key(phone, region)
        if key:
            records[contact_id].phones.append((phone, key))
    return records


def _companies(db: Database) -> dict[int, _Record]:
    records = {}
    ignored = _LEGAL_FORMS | _HONORIFICS
    for record_id, name, key, domain, website in db.execute(
        "SELECT id, name, name_key, domain, website FROM companies"
    ):
        record = _Record(record_id, name, key_tokens(key, ignored))
        record.domains = {host for host in (_host(domain), _host(website)) if host}
        records[record_id] = record
    return records


# Blocking


# A blocking key: its kind, then names and company ids, e.g. ("nickname", 3, "bob", "smith").
_Key = tuple[str | int, ...]


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


def _candidates(
    records: dict[int, _Record], keys: Callable[[_Record], Iterable[_Key]]
) -> tuple[set[tuple[int, int]], dict[str, int]]:
    """Pairs of ids that share a key, and how many records carry each name."""
    blocks: dict[_Key, list[int]] = defaultdict(list)
    for record in records.values():
        for key in set(keys(record)):
            blocks[key].append(record.id)
    pairs: set[tuple[int, int]] = set()
    name_counts: dict[str, int] = {}
    for key, ids in blocks.items():
        if key[0] == "name":
            name_counts[str(key[1])] = len(ids)  # ("name", "ada lovelace")
        if len(ids) < 2:
            continue
        if key[0] in ("email", "phone", "domain"):
            if len(ids) <= MAX_SHARED:
                pairs.update(combinations(sorted(ids), 2))
        elif len(ids) <= COMMON_NAME:
            pairs.update(combinations(sorted(ids), 2))
        else:
            by_company: dict[int, list[int]] = defaultdict(list)
            for record_id in ids:
                company_id = records[record_id].company_id
                if company_id is not None:
                    by_company[company_id].append(record_id)
            for group in by_company.values():
                pairs.update(combinations(sorted(group), 2))
    return pairs, name_counts


# Comparing


def _contact_reasons(a: _Record, b: _Record, name_counts: dict[str, int]) -> list[Reason]:
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
    reasons.extend(_name_reasons(a, b, name_counts))
    return _unique(reasons)


def _name_reasons(a: _Record, b: _Record, name_counts: dict[str, int]) -> Iterator[Reason]:
    if not a.tokens or not b.tokens:
        return
    same_company = a.company_id is not None and a.company_id == b.company_id
    at = f" at {a.company}" if same_company else ""
    sorted_a = " ".join(sorted(a.tokens))
    if sorted_a == " ".join(sorted(b.tokens)):
        if len(a.tokens) == 1 and not same_company:
            return  # a lone first name says too little on its own
        yield Reason("name", f"same name{at}", _name_score(a, b, name_counts.get(sorted_a, 0)))
        return
    if len(a.tokens) < 2 or len(b.tokens) < 2:
        return
    (first_a, last_a), (first_b, last_b) = (a.tokens[0], a.tokens[-1]), (b.tokens[0], b.tokens[-1])
    if last_a != last_b:
        return
    if first_a == first_b:
        yield Reason("first-last", f"same first and last name{at}", _name_score(a, b, 0) - 10)
    elif same_company and same_person_names(first_a, first_b):
        yield Reason(
            "nickname", f"nickname {first_a.title()}/{first_b.title()} {last_a.title()}{at}", 80
        )
    elif same_company and (len(first_a) == 1 or len(first_b) == 1) and first_a[0] == first_b[0]:
        yield Reason("initial", f"initial {first_a[0].upper()}. {last_a.title()}{at}", 70)


def _name_score(a: _Record, b: _Record, carriers: int) -> int:
    """A shared name means more at the same company, and less the more people carry it."""
    if a.company_id is not None and a.company_id == b.company_id:
        return 90
    common = carriers > COMMON_NAME
    if a.company_id is None or b.company_id is None:
        return 45 if common else 60
    return 30 if common else 40


def _company_reasons(a: _Record, b: _Record, _counts: dict[str, int]) -> list[Reason]:
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
    """Groups of likely duplicate contacts or companies, strongest first."""
    compare: Callable[[_Record, _Record, dict[str, int]], list[Reason]]
    if kind == "contact":
        records, keys, compare = _contacts(db), _contact_keys, _contact_reasons
    else:
        records, keys, compare = _companies(db), _company_keys, _company_reasons
    candidates, name_counts = _candidates(records, keys)
    pairs = []
    for a, b in sorted(candidates):
        reasons = compare(records[a], records[b], name_counts)
        score = combined(reasons)
        if reasons and score >= min_score:
            pairs.append(Pair(a, b, score, reasons))
    return _groups(kind, records, pairs)


def _groups(kind: str, records: dict[int, _Record], pairs: list[Pair]) -> list[DupeGroup]:
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
    groups = []
    for group_pairs in grouped.values():
        ids = sorted({i for pair in group_pairs for i in (pair.a, pair.b)})
        group_pairs.sort(key=lambda pair: (-pair.score, pair.a, pair.b))
        members = [_member(records[i]) for i in ids]
        groups.append(DupeGroup(kind, group_pairs[0].score, members, group_pairs, ids[0]))
    groups.sort(key=lambda group: (-group.score, group.keep))
    return groups


def _member(record: _Record) -> Member:
    email = record.emails[0][0] if record.emails else None
    domain = min(record.domains) if record.domains else None
    return Member(record.id, record.name, email, record.company, domain)
