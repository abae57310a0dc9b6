"""REF resolution: how a user names a record on the command line.

A REF is an id, an exact email (contacts) or domain (companies), or a piece of a name,
case- and accent-insensitive. One match is used; an exact whole-name match wins over
partial ones; anything else that matches several records is an error listing them.
Never guess between two people.
"""

from __future__ import annotations

from sqlite_utils import Database

from pcrm.core.text import name_key
from pcrm.errors import Ambiguous, InvalidInput, NotFound

MAX_CANDIDATES = 10


def _pick(db: Database, kind: str, ref: str, rows: list[tuple], describe) -> int:
    if len(rows) == 1:
        return rows[0][0]
    if not rows:
        raise NotFound(f'no {kind} matches "{ref}"', hint=f"try: pcrm search {ref}")
    shown = [describe(row) for row in rows[:MAX_CANDIDATES]]
    more = len(rows) - len(shown)
    if more > 0:
        shown.append(f"... and {more} more")
    raise Ambiguous(
        f'"{ref}" matches {len(rows)} {kind_plural(kind)}',
        candidates=shown,
        hint="use the id or a longer piece of the name",
    )


def kind_plural(kind: str) -> str:
    return "companies" if kind == "company" else f"{kind}s"


def _by_name(db: Database, table: str, ref: str, extra_sql: str) -> list[tuple]:
    key = name_key(ref)
    if not key:
        raise InvalidInput("a REF cannot be empty", hint="give an id, an email or a name")
    exact = db.execute(
        f"SELECT id {extra_sql} WHERE t.name_key = ? ORDER BY t.id", [key]
    ).fetchall()
    if len(exact) == 1:
        return exact
    return db.execute(
        f"SELECT id {extra_sql} WHERE instr(t.name_key, ?) > 0 ORDER BY t.name_key, t.id LIMIT 51",
        [key],
    ).fetchall()


_CONTACT_COLUMNS = """, t.name,
    (SELECT email FROM contact_emails e WHERE e.contact_id = t.id ORDER BY position LIMIT 1),
    (SELECT name FROM companies WHERE id = t.company_id)
    FROM contacts t"""


def _describe_contact(row: tuple) -> str:
    _id, name, email, company = row
    return "  ".join(str(part) for part in (f"{_id:>5}", name, email or "", company or "") if part)


def resolve_contact(db: Database, ref: str) -> int:
    ref = ref.strip()
    if ref.isdigit():
        rows = db.execute(f"SELECT t.id {_CONTACT_COLUMNS} WHERE t.id = ?", [int(ref)]).fetchall()
    elif "@" in ref:
        rows = db.execute(
            f"SELECT t.id {_CONTACT_COLUMNS} WHERE t.id = "
            "(SELECT contact_id FROM contact_emails WHERE email = ?)",
            [ref.lower()],
        ).fetchall()
    else:
        rows = _by_name(db, "contacts", ref, _CONTACT_COLUMNS)
    return _pick(db, "contact", ref, rows, _describe_contact)


_COMPANY_COLUMNS = """, t.name, t.domain,
    (SELECT count(*) FROM contacts c WHERE c.company_id = t.id)
    FROM companies t"""


def _describe_company(row: tuple) -> str:
    _id, name, domain, people = row
    return f"{_id:>5}  {name}  {domain or ''}  ({people} people)".replace("    ", "  ")


def resolve_company(db: Database, ref: str) -> int:
    ref = ref.strip()
    if ref.isdigit():
        rows = db.execute(f"SELECT t.id {_COMPANY_COLUMNS} WHERE t.id = ?", [int(ref)]).fetchall()
    else:
        rows = db.execute(
            f"SELECT t.id {_COMPANY_COLUMNS} WHERE t.domain = ?", [ref.lower()]
        ).fetchall()
        if not rows:
            rows = _by_name(db, "companies", ref, _COMPANY_COLUMNS)
    return _pick(db, "company", ref, rows, _describe_company)


def resolve_any(db: Database, ref: str) -> tuple[str, int]:
    """A REF that may name a contact or a company (`pcrm show`, `pcrm timeline`).

    `contact:REF` and `company:REF` say which. A bare id is a contact's id. A name or an
    address is looked up in both; matching one contact and one company is ambiguous.
    """
    kind, sep, rest = ref.partition(":")
    if sep and kind in ("contact", "company"):
        resolver = resolve_company if kind == "company" else resolve_contact
        return kind, resolver(db, rest)
    if ref.strip().isdigit():
        try:
            return "contact", resolve_contact(db, ref)
        except NotFound:
            raise NotFound(
                f"no contact has id {ref.strip()}", hint=f"for a company use company:{ref.strip()}"
            ) from None
    try:
        contact_id = resolve_contact(db, ref)
    except NotFound:
        return "company", resolve_company(db, ref)
    try:
        company_id = resolve_company(db, ref)
    except (NotFound, Ambiguous):
        return "contact", contact_id
    raise Ambiguous(
        f'"{ref}" matches a contact and a company',
        candidates=[f"contact:{contact_id}", f"company:{company_id}"],
        hint="prefix the REF with contact: or company:",
    )
