"""`pcrm contact edit` and `pcrm company edit`: the changes given as options, or, with
none, the record's readable form (formats/forms.py) round-tripped through an editor.

The REF is found before anything is written (a bad one must not create the database),
and the editor runs between two transactions, so no lock is held while the user types.
Another pcrm may write meanwhile, so the save is a three-way merge: the form as opened
(base), as the user saved it (mine) and as the record reads now (theirs). Only what the
user changed is written; a field (or an email, phone or tag) changed on both sides in
different ways is refused, naming it. The record is found again by its uid: its id may
belong to a new record by then.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from pcrm.app.base import DatabaseFile

if TYPE_CHECKING:
    from pcrm.core.people.companies import CompanyChanges
    from pcrm.core.people.contacts import ContactChanges, Saved
    from pcrm.core.people.models import Company
    from pcrm.store.db import Database

# editor(form text, parse) -> the parsed form, or None when the user changed nothing
# (cli/editing.py's FormEditor: $EDITOR, reopened on a parse error at a terminal)
Editor = Callable[[str, Callable[[str], dict[str, Any]]], dict[str, Any] | None]

# The form's own names of the fields whose parsed key differs ("cadence" is `every:`).
_SHOWN = {"emails": "email", "phones": "phone", "cadence": "every"}


@dataclass(frozen=True)
class _Kind:
    """What the edit needs of one kind of record: read it, show it as a form, read a form
    back, and write options or a merged form."""

    name: str
    resolve: Callable[[Database, str], int]
    get: Callable[[Database, int], Any]
    form: Callable[[Any], str]
    parse: Callable[..., dict[str, Any]]
    check: Callable[..., Any]
    update: Callable[[Database, datetime, int, Any], Any]
    replace: Callable[..., Any]
    from_form: Callable[..., Any]


def _edit(
    kind: _Kind, files: DatabaseFile, now: datetime, ref: str, changes: Any, editor: Editor
) -> Any:
    """The record as saved; None when the editor's save changed nothing."""
    from pcrm.core.records import id_of_uid

    with files.database(write=False) as db:
        opened = kind.get(db, kind.resolve(db, ref))
    label = f"{kind.name} {opened.id} {opened.name}"
    if not changes.is_empty():
        with files.database(write=True) as db:
            record_id = id_of_uid(db, kind.name, opened.uid, label, "nothing changed")
            return kind.update(db, now, record_id, changes)
    form = kind.form(opened)
    mine = editor(form, lambda text: kind.parse(text, kind.check))
    if mine is None:
        return None
    with files.database(write=True) as db:
        record_id = id_of_uid(db, kind.name, opened.uid, label, "nothing saved")
        theirs = kind.parse(kind.form(kind.get(db, record_id)))
        merged, changed = merge_forms(label, kind.parse(form), mine, theirs)
        if not changed:
            return None
        return kind.replace(db, now, record_id, kind.from_form(**merged), only=changed)


def edit_contact(
    files: DatabaseFile, now: datetime, ref: str, changes: ContactChanges, *, editor: Editor
) -> Saved | None:
    """The contact as saved; None when the editor's save changed nothing."""
    from pcrm.core.people import contacts
    from pcrm.core.refs import resolve_contact
    from pcrm.formats.forms import contact_form, parse_contact_form

    kind = _Kind(
        "contact", resolve_contact, contacts.get_contact, contact_form, parse_contact_form,
        contacts.check_field, contacts.update_contact, contacts.replace_contact,
        contacts.ContactForm,
    )  # fmt: skip
    saved: Saved | None = _edit(kind, files, now, ref, changes, editor)
    return saved


def edit_company(
    files: DatabaseFile, now: datetime, ref: str, changes: CompanyChanges, *, editor: Editor
) -> Company | None:
    """The company as saved; None when the editor's save changed nothing."""
    from pcrm.core.people import companies
    from pcrm.core.refs import resolve_company
    from pcrm.formats.forms import company_form, parse_company_form

    kind = _Kind(
        "company", resolve_company, companies.get_company, company_form, parse_company_form,
        companies.check_field, companies.update_company, companies.replace_company,
        companies.CompanyForm,
    )  # fmt: skip
    saved: Company | None = _edit(kind, files, now, ref, changes, editor)
    return saved


# -- the three-way merge of parsed forms ---------------------------------------------------

# A list item as compared: what identifies it (an address, a phone's digits, a tag in any
# case), and what it says (with its label); the text as written goes back into the form.
Item = tuple[object, str]


def _items(key: str, values: list[str]) -> dict[object, Item]:
    from pcrm.core.people.contacts import parse_emails, parse_phones, phone_digits
    from pcrm.core.people.tags import clean_tags
    from pcrm.errors import InvalidInput

    found: dict[object, Item] = {}
    if key == "tags":
        for tag in clean_tags(values):
            found.setdefault(tag.casefold(), (tag, tag))
        return found
    for value in values:
        identity: object
        said: object
        try:
            if key == "emails":
                email = parse_emails([value])[0]
                identity, said = email.email, (email.email, email.label)
            else:
                phone = parse_phones([value])[0]
                identity, said = phone_digits(phone.phone), (phone.phone, phone.label)
        except InvalidInput:  # a stored value today's rules refuse: compared as written
            identity, said = value, value
        found.setdefault(identity, (said, value))
    return found


def _merge_list(
    key: str, base: list[str], mine: list[str], theirs: list[str], conflicts: list[str]
) -> list[str]:
    """Items added, removed or relabelled on either side; the user's order first, then
    what the other side added. An item changed on both sides differently is a conflict."""
    b, m, t = _items(key, base), _items(key, mine), _items(key, theirs)
    if _said(m) == _said(b):  # order included: a reordering is a change
        return theirs
    if _said(t) == _said(b):
        return mine
    kept: list[str] = []
    for identity in dict.fromkeys([*m, *t, *b]):
        was, ours, other = b.get(identity), m.get(identity), t.get(identity)
        said = [entry[0] if entry else None for entry in (was, ours, other)]
        if said[1] == said[0]:
            pick = other
        elif said[2] in (said[0], said[1]):
            pick = ours
        else:
            conflicts.append(f"{_SHOWN.get(key, key)} {_shown_item(said[1] or said[2])}")
            continue
        if pick is not None:
            kept.append(pick[1])
    return kept


def _said(items: dict[object, Item]) -> list[tuple[object, object]]:
    return [(identity, said) for identity, (said, _) in items.items()]


def _shown_item(said: object) -> str:
    return str(said[0]) if isinstance(said, tuple) else str(said)


def merge_forms(
    label: str, base: dict[str, Any], mine: dict[str, Any], theirs: dict[str, Any]
) -> tuple[dict[str, Any], list[str]]:
    """The values to save and the fields among them that differ from the record now.

    Conflict (nothing saved) when a field the user changed was also changed meanwhile to
    something else; a field the user left alone takes the record's current value.
    """
    from pcrm.errors import Conflict

    merged: dict[str, Any] = {}
    conflicts: list[str] = []
    for key in dict.fromkeys([*base, *mine, *theirs]):
        if isinstance(theirs.get(key, base.get(key)), list):
            was, ours, other = (side.get(key, []) for side in (base, mine, theirs))
            merged[key] = _merge_list(key, was, ours, other, conflicts)
            continue
        was, ours, other = (side.get(key) or "" for side in (base, mine, theirs))
        if ours == was:
            merged[key] = other
        elif other in (was, ours):
            merged[key] = ours
        else:
            conflicts.append(_SHOWN.get(key, key))
    if conflicts:
        raise Conflict(
            f"{label}: {', '.join(conflicts)} changed meanwhile (by another pcrm) as well as"
            " in your form; nothing saved",
            hint="edit again to see the new values",
        )
    changed = [key for key in merged if _differs(key, merged[key], theirs)]
    return merged, changed


def _differs(key: str, value: Any, theirs: dict[str, Any]) -> bool:
    now = theirs.get(key, [] if isinstance(value, list) else "")
    if isinstance(value, list):
        return _said(_items(key, value)) != _said(_items(key, now))
    return bool(value != (now or ""))
