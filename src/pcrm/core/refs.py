"""REF resolution: how a user names a record on the command line.

A REF is an id, an exact email (contacts) or domain (companies), or a piece of a name,
case- and accent-insensitive ("zoe" finds "Zoë Müller", "ada love" finds "Ada Lovelace";
every word of the REF must appear in the name). One match is used. A name that equals the
REF as a whole wins over names that merely contain it ("Ada" picks "Ada" over "Ada Byron").
Anything else that matches several records is an error listing them: never guess between
two people.
"""

from __future__ import annotations

import shlex

from pcrm.core.people.text import name_key
from pcrm.errors import Ambiguous, InvalidInput, NotFound
from pcrm.store.db import Database

MAX_CANDIDATES = 10


def kind_plural(kind: str) -> str:
    return "companies" if kind == "company" else f"{kind}s"


def _not_found(kind: str, ref: str, db: Database | None = None) -> NotFound:
    if ref.isdigit():
        merged = None
        if db is not None:
            merged = db.execute(
                "SELECT keep_id FROM merges WHERE kind = ? AND other_id = ?"
                " ORDER BY id DESC LIMIT 1",
                [kind, int(ref)],
            ).fetchone()
        if merged:
            return NotFound(
                f"no {kind} has id {ref}: it was merged into {kind} {merged[0]}",
                hint=f"see: pcrm {kind} show {merged[0]}; pcrm undo reverses the last merge",
            )
        return NotFound(f"no {kind} has id {ref}", hint=f"see: pcrm {kind} list")
    return NotFound(f'no {kind} matches "{ref}"', hint=f"try: pcrm search {shlex.quote(ref)}")


def _ambiguous(kind: str, ref: str, total: int, candidates: list[str]) -> Ambiguous:
    shown = candidates[:MAX_CANDIDATES]
    if total > len(shown):
        shown.append(f"... and {total - len(shown)} more")
    exact = "the domain" if kind == "company" else "an email"
    return Ambiguous(
        f'"{ref}" matches {total} {kind_plural(kind)}',
        candidates=shown,
        hint=f"use the id, {exact}, or more of the name",
    )


def _name_ids(db: Database, table: str, ref: str) -> tuple[list[int], int]:
    """Ids whose name matches the REF (at most MAX_CANDIDATES + 1), and how many match.

    An exact whole-name match wins; several exact matches are the candidates."""
    key = name_key(ref)
    if not key:
        raise InvalidInput("a REF cannot be empty", hint="give an id, an email or a name")
    exact = [
        row[0]
        for row in db.execute(f"SELECT id FROM {table} WHERE name_key = ? ORDER BY id", [key])
    ]
    if exact:
        return exact, len(exact)
    words = key.split()
    where = " AND ".join("instr(name_key, ?) > 0" for _ in words)
    total = db.execute(f"SELECT count(*) FROM {table} WHERE {where}", words).fetchone()[0]
    ids = [
        row[0]
        for row in db.execute(
            f"SELECT id FROM {table} WHERE {where} ORDER BY name_key, id LIMIT ?",
            [*words, MAX_CANDIDATES + 1],
        )
    ]
    return ids, total


def describe_contacts(db: Database, ids: list[int]) -> list[str]:
    """One line per contact for an ambiguity message: id, name, email, company."""
    lines = []
    for contact_id in ids:
        row = db.execute(
            "SELECT c.id, c.name,"
            " (SELECT email FROM contact_emails e WHERE e.contact_id = c.id"
            "  ORDER BY position, id LIMIT 1),"
            " (SELECT name FROM companies WHERE id = c.company_id)"
            " FROM contacts c WHERE c.id = ?",
            [contact_id],
        ).fetchone()
        _id, name, email, company = row
        parts = [f"{_id}", name, f"<{email}>" if email else "", f"({company})" if company else ""]
        lines.append("  ".join(part for part in parts if part))
    return lines


def describe_companies(db: Database, ids: list[int]) -> list[str]:
    """One line per company for an ambiguity message: id, name, domain, people."""
    lines = []
    for company_id in ids:
        _id, name, domain, people = db.execute(
            "SELECT id, name, domain, (SELECT count(*) FROM contacts WHERE company_id = co.id)"
            " FROM companies co WHERE id = ?",
            [company_id],
        ).fetchone()
        people_text = f"({people} {'person' if people == 1 else 'people'})"
        parts = [f"{_id}", name, domain or "", people_text]
        lines.append("  ".join(part for part in parts if part))
    return lines


def resolve_contact(db: Database, ref: str) -> int:
    ref = ref.strip()
    if ref.isdigit():
        row = db.execute("SELECT id FROM contacts WHERE id = ?", [int(ref)]).fetchone()
        if row is None:
            raise _not_found("contact", ref, db)
        return row[0]
    if "@" in ref:
        row = db.execute(
            "SELECT contact_id FROM contact_emails WHERE email = ?", [ref.lower()]
        ).fetchone()
        if row is None:
            raise NotFound(
                f"no contact has the email {ref}", hint=f"try: pcrm search {shlex.quote(ref)}"
            )
        return row[0]
    ids, total = _name_ids(db, "contacts", ref)
    if total == 1:
        return ids[0]
    if total == 0:
        raise _not_found("contact", ref)
    raise _ambiguous("contact", ref, total, describe_contacts(db, ids))


def resolve_company(db: Database, ref: str) -> int:
    ref = ref.strip()
    if ref.isdigit():
        row = db.execute("SELECT id FROM companies WHERE id = ?", [int(ref)]).fetchone()
        if row is None:
            raise _not_found("company", ref, db)
        return row[0]
    row = db.execute("SELECT id FROM companies WHERE domain = ?", [ref.lower()]).fetchone()
    if row is not None:
        return row[0]
    ids, total = _name_ids(db, "companies", ref)
    if total == 1:
        return ids[0]
    if total == 0:
        raise _not_found("company", ref)
    raise _ambiguous("company", ref, total, describe_companies(db, ids))


def resolve_any(db: Database, ref: str) -> tuple[str, int]:
    """A REF that may name a contact or a company (`pcrm show`, `pcrm timeline`).

    `contact:REF` and `company:REF` (any case) say which. A bare id is a contact's id.
    Otherwise both are looked up: when only one kind matches, its own rules apply; when both
    do, the one whose whole name (or email, or domain) is the REF wins over a piece of a
    name ("Zoë Müller" over "Zoë Müller Consulting"); else it is ambiguous, listing both.
    """
    kind, sep, rest = ref.partition(":")
    if sep and kind.strip().lower() in ("contact", "company"):
        kind = kind.strip().lower()
        resolver = resolve_company if kind == "company" else resolve_contact
        return kind, resolver(db, rest)
    ref = ref.strip()
    if ref.isdigit():
        try:
            return "contact", resolve_contact(db, ref)
        except NotFound:
            raise NotFound(
                f"no contact has id {ref}", hint=f"for a company use company:{ref}"
            ) from None
    found: dict[str, int | Ambiguous] = {}
    for kind, resolver in (("contact", resolve_contact), ("company", resolve_company)):
        try:
            found[kind] = resolver(db, ref)
        except NotFound:
            pass
        except Ambiguous as exc:
            found[kind] = exc
    if not found:
        raise NotFound(
            f'no contact or company matches "{ref}"', hint=f"try: pcrm search {shlex.quote(ref)}"
        )
    whole = [
        k for k, match in found.items() if isinstance(match, int) and _whole(db, k, match, ref)
    ]
    if len(found) == 1 or len(whole) == 1:
        kind = whole[0] if len(found) > 1 else next(iter(found))
        match = found[kind]
        if isinstance(match, Ambiguous):
            raise match
        return kind, match
    candidates, sides = [], []
    for kind, match in found.items():
        if isinstance(match, Ambiguous):
            lines = match.candidates
            sides.append(f"several {kind_plural(kind)}")
        else:
            describe = describe_contacts if kind == "contact" else describe_companies
            lines = describe(db, [match])
            sides.append(f"a {kind}")
        candidates += [line if line.startswith("...") else f"{kind}:{line}" for line in lines]
    raise Ambiguous(
        f'"{ref}" matches {" and ".join(sides)}',
        candidates=candidates,
        hint="prefix the REF with contact: or company:",
    )


def _whole(db: Database, kind: str, record_id: int, ref: str) -> bool:
    """Whether the REF is the record's whole name, or its email or domain."""
    if kind == "contact" and "@" in ref:
        return True
    table = "contacts" if kind == "contact" else "companies"
    extra = " OR domain = :lower" if kind == "company" else ""
    return (
        db.execute(
            f"SELECT 1 FROM {table} WHERE id = :id AND (name_key = :key{extra})",
            {"id": record_id, "key": name_key(ref), "lower": ref.lower()},
        ).fetchone()
        is not None
    )
