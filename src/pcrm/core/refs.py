"""REF resolution: how a user names a record on the command line. The one resolver every
command uses (docs/guide.md, "Naming a record: REF").

A REF is an id, an exact email (contacts) or domain (companies), or a piece of a name or
title, case- and accent-insensitive ("zoe" finds "Zoë Müller", "ada love" finds "Ada
Lovelace"; every word of the REF must appear in the name). One match is used. A name that
equals the REF as a whole wins over names that merely contain it ("Ada" picks "Ada" over
"Ada Byron"). Anything else that matches several records is an error listing them: never
guess between two people. The concept packages match their own records
(core/people/refs.py, core/deals/refs.py) by the shared rules of core/matching.py.

A REF may start with the kind it names: `contact:`, `company:` or `deal:` (the exact word,
any case, then a colon; only the first such prefix counts and the rest is taken as it is).
Where a command takes one kind, its own prefix is accepted and another kind's is an error;
where it takes several (`show`, `timeline`), the prefix picks one.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from pcrm.core.deals.refs import DEALS
from pcrm.core.matching import Matcher, did_you_mean, is_id, kind_plural, search_hint
from pcrm.core.people.refs import COMPANIES, CONTACTS
from pcrm.core.people.text import clean_line
from pcrm.dates import LazyPattern
from pcrm.errors import Ambiguous, InvalidInput, NotFound
from pcrm.store.db import Database

MATCHERS: dict[str, Matcher] = {m.kind: m for m in (CONTACTS, COMPANIES, DEALS)}
_PREFIX = LazyPattern(r"\s*(contact|company|deal)\s*:", re.IGNORECASE)


def split_kind(ref: str) -> tuple[str | None, str]:
    """'Contact:zoe' -> ('contact', 'zoe'); 'zoe' or 'work:zoe' -> (None, the REF as given)."""
    prefix = _PREFIX.match(ref)
    if prefix is None:
        return None, ref
    return prefix[1].lower(), ref[prefix.end() :]


def _a(kinds: Sequence[str]) -> str:
    return " or ".join(f"a {kind}" for kind in kinds)


def _checked(ref: str, kinds: Sequence[str]) -> tuple[str | None, str]:
    """The REF's prefix (None without one) and the rest; an error if it names a kind the
    command does not take."""
    kind, rest = split_kind(ref)
    if kind is not None and kind not in kinds:
        raise InvalidInput(f'"{ref.strip()}" names a {kind}, not {_a(kinds)}')
    return kind, rest.strip()


def resolve(db: Database, ref: str, kinds: Sequence[str]) -> tuple[str, int]:
    """The kind and id of the record a REF names, among the kinds a command takes.

    A prefix picks the kind. Without one, a command of one kind matches that kind; one of
    several reads a bare id as the first kind's, and otherwise looks among all of them:
    when only one kind matches, its own rules apply; when several do, the one whose whole
    name (or email, domain, title) is the REF wins over a piece of a name ("Zoë Müller"
    the person over "Zoë Müller Consulting"); else it is ambiguous, listing them all.
    """
    kind, rest = _checked(ref, kinds)
    if kind is not None:
        return kind, MATCHERS[kind].match(db, rest)
    if len(kinds) == 1:
        return kinds[0], MATCHERS[kinds[0]].match(db, rest)
    if is_id(rest):
        try:
            return kinds[0], MATCHERS[kinds[0]].match(db, rest)
        except NotFound as exc:
            others = "; ".join(f"for a {other} use {other}:{rest}" for other in kinds[1:])
            raise NotFound(exc.message, hint=others) from None
    found: dict[str, int | Ambiguous] = {}
    for kind in kinds:
        try:
            found[kind] = MATCHERS[kind].match(db, rest)
        except NotFound:
            pass
        except Ambiguous as exc:
            found[kind] = exc
    if not found:
        names = " or ".join(kinds)
        close = [name for kind in kinds for name in MATCHERS[kind].closest(db, rest)][:3]
        raise NotFound(
            f'no {names} matches "{rest}"',
            hint=did_you_mean(close, search_hint(rest)),
        )
    whole = [
        kind
        for kind, match in found.items()
        if isinstance(match, int) and MATCHERS[kind].whole(db, match, rest)
    ]
    if len(found) == 1 or len(whole) == 1:
        kind = whole[0] if len(found) > 1 else next(iter(found))
        match = found[kind]
        if isinstance(match, Ambiguous):
            raise match
        return kind, match
    candidates: list[str] = []
    sides: list[str] = []
    for kind, match in found.items():
        if isinstance(match, Ambiguous):
            lines = match.candidates
            sides.append(f"several {kind_plural(kind)}")
        else:
            lines = MATCHERS[kind].describe(db, [match])
            sides.append(f"a {kind}")
        candidates += [line if line.startswith("...") else f"{kind}:{line}" for line in lines]
    raise Ambiguous(
        f'"{rest}" matches {" and ".join(sides)}',
        candidates=candidates,
        hint=f"prefix the REF with {' or '.join(f'{kind}:' for kind in found)}",
    )


def resolve_contact(db: Database, ref: str) -> int:
    return resolve(db, ref, ("contact",))[1]


def resolve_company(db: Database, ref: str) -> int:
    return resolve(db, ref, ("company",))[1]


def resolve_deal(db: Database, ref: str) -> int:
    return resolve(db, ref, ("deal",))[1]


def resolve_any(db: Database, ref: str) -> tuple[str, int]:
    """A contact or a company (`pcrm show`, `pcrm timeline`); a bare id is a contact's."""
    return resolve(db, ref, ("contact", "company"))


def resolve_contact_role(db: Database, value: str) -> tuple[int, str | None]:
    """`--contact REF[:ROLE]`: the contact, and its role ('' clears it; None: none given).

    After the optional `contact:` prefix, the last colon splits the REF from the role:
    `contact:zoe`, `zoe:buyer`, `contact:zoe:buyer`, `ada@example.org:buyer`; `zoe:` is
    no role."""
    _kind, rest = _checked(value, ("contact",))
    ref, colon, role = rest.rpartition(":")
    if not colon:
        return MATCHERS["contact"].match(db, rest), None
    if not ref.strip():
        raise InvalidInput(f'"{value.strip()}" names no contact', hint="write REF or REF:role")
    return MATCHERS["contact"].match(db, ref.strip()), clean_line(role) or ""
