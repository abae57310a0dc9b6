"""`pcrm contact edit` and `pcrm company edit`: the changes given as options, or, with
none, the record's readable form (formats/forms.py) round-tripped through an editor.

The REF is found before anything is written (a bad one must not create the database),
and the editor runs between two transactions, so no lock is held while the user types.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from pcrm.app.base import DatabaseFile

if TYPE_CHECKING:
    from pcrm.core.people.companies import CompanyChanges
    from pcrm.core.people.contacts import ContactChanges, Saved
    from pcrm.core.people.models import Company

# editor(form text, parse) -> the parsed form, or None when the user changed nothing
# (cli/editing.py's edit_in_editor: $EDITOR, reopened on a parse error at a terminal)
Editor = Callable[[str, Callable[[str], dict[str, Any]]], dict[str, Any] | None]


def edit_contact(
    files: DatabaseFile, now: datetime, ref: str, changes: ContactChanges, *, editor: Editor
) -> Saved | None:
    """The contact as saved; None when it went through the editor unchanged."""
    from pcrm.core.people.contacts import (
        ContactForm,
        check_field,
        get_contact,
        replace_contact,
        update_contact,
    )
    from pcrm.core.refs import resolve_contact
    from pcrm.formats.forms import contact_form, parse_contact_form

    with files.database(write=False) as db:
        contact_id = resolve_contact(db, ref)
        current = get_contact(db, contact_id) if changes.is_empty() else None
    if current is None:
        with files.database(write=True) as db:
            return update_contact(db, now, contact_id, changes)
    values = editor(contact_form(current), lambda text: parse_contact_form(text, check_field))
    if values is None:
        return None
    with files.database(write=True) as db:
        return replace_contact(db, now, contact_id, ContactForm(**values))


def edit_company(
    files: DatabaseFile, now: datetime, ref: str, changes: CompanyChanges, *, editor: Editor
) -> Company | None:
    """The company as saved; None when it went through the editor unchanged."""
    from pcrm.core.people.companies import (
        CompanyForm,
        check_field,
        get_company,
        replace_company,
        update_company,
    )
    from pcrm.core.refs import resolve_company
    from pcrm.formats.forms import company_form, parse_company_form

    with files.database(write=False) as db:
        company_id = resolve_company(db, ref)
        current = get_company(db, company_id) if changes.is_empty() else None
    if current is None:
        with files.database(write=True) as db:
            return update_company(db, now, company_id, changes)
    values = editor(company_form(current), lambda text: parse_company_form(text, check_field))
    if values is None:
        return None
    with files.database(write=True) as db:
        return replace_company(db, now, company_id, CompanyForm(**values))
