"""`pcrm interaction edit ID`: the changes given as options, or, with none, the
interaction's form (formats/forms.py) round-tripped through $EDITOR.

As for contacts (app/editing.py), the interaction is read first, the editor runs between two
transactions, and the save finds it again by uid. Its form is small, so the save does not
merge: when the interaction changed meanwhile (another pcrm), the save is refused and the
user's text kept. Only the fields the user changed in the form are written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from pcrm.app.base import DatabaseFile
from pcrm.app.editing import Editor

if TYPE_CHECKING:
    from pcrm.core.activity.interaction_records import InteractionChanges
    from pcrm.core.activity.models import Interaction
    from pcrm.store.db import Database


@dataclass
class InteractionEdit:
    """The options of `interaction edit`, as typed (REFs and WHEN not resolved yet)."""

    text: str | None = None
    kind: str | None = None
    at: str | None = None
    add_contacts: list[str] = field(default_factory=list)
    rm_contacts: list[str] = field(default_factory=list)
    deal: str | None = None
    no_deal: bool = False

    def is_empty(self) -> bool:
        return not (
            self.text is not None
            or self.kind is not None
            or self.at is not None
            or self.add_contacts
            or self.rm_contacts
            or self.deal is not None
            or self.no_deal
        )


def _moment(text: str, now: datetime) -> datetime:
    """--at as `pcrm log` reads it: a day without a time is its start, except today (now);
    a bare weekday is the last one."""
    from pcrm.dates import parse_when, to_local

    when = parse_when(text, now, direction="past")
    if not when.has_time and when.moment.date() == to_local(now).date():
        return now
    return when.moment


def _changes(db: Database, now: datetime, edit: InteractionEdit) -> InteractionChanges:
    from pcrm.core.activity.interaction_records import InteractionChanges
    from pcrm.core.refs import resolve_contact, resolve_deal

    return InteractionChanges(
        text=edit.text,
        kind=edit.kind,
        at=_moment(edit.at, now) if edit.at is not None else None,
        add_contact_ids=[resolve_contact(db, ref) for ref in edit.add_contacts],
        rm_contact_ids=[resolve_contact(db, ref) for ref in edit.rm_contacts],
        deal_id=resolve_deal(db, edit.deal) if edit.deal is not None else None,
        no_deal=edit.no_deal or None,
    )


def _form_ref(db: Database, value: str, resolve: Any, table: str) -> int:
    """A form's `with:` or `deal:` value: "ID name" as the form writes it (the id decides),
    else a REF."""
    head = value.split(maxsplit=1)[0]
    if head.isdigit() and len(head) < 19:
        row = db.execute(f"SELECT id FROM {table} WHERE id = ?", [int(head)]).fetchone()
        if row is not None:
            return int(row[0])
    found: int = resolve(db, value)
    return found


def _from_form(
    db: Database, now: datetime, item: Interaction, base: dict[str, Any], mine: dict[str, Any]
) -> InteractionEdit:
    """What the user changed in the form, as options would say it."""
    from pcrm.core.refs import resolve_contact, resolve_deal
    from pcrm.errors import InvalidInput

    edit = InteractionEdit()
    if mine["text"] != base["text"]:
        edit.text = mine["text"]
    if mine["kind"] != base["kind"]:
        edit.kind = mine["kind"]
    if mine["at"] != base["at"]:
        if not mine["at"]:
            raise InvalidInput("the at: line is empty", hint="give when it happened")
        edit.at = mine["at"]
    if mine["with"] != base["with"]:
        now_ids = {_form_ref(db, value, resolve_contact, "contacts") for value in mine["with"]}
        old_ids = {link.id for link in item.contacts}
        edit.add_contacts = [str(i) for i in sorted(now_ids - old_ids)]
        edit.rm_contacts = [str(i) for i in sorted(old_ids - now_ids)]
    if mine["deal"] != base["deal"]:
        if mine["deal"]:
            edit.deal = str(_form_ref(db, mine["deal"], resolve_deal, "deals"))
        else:
            edit.no_deal = True
    return edit


def edit_interaction(
    files: DatabaseFile,
    now: datetime,
    interaction_id: int,
    edit: InteractionEdit,
    *,
    editor: Editor,
) -> Interaction | None:
    """The interaction as saved; None when the editor's save changed nothing."""
    from pcrm.core.activity.interaction_records import (
        get_by_uid,
        get_interaction,
        update_interaction,
    )
    from pcrm.errors import Conflict
    from pcrm.formats.forms import interaction_form, parse_interaction_form

    with files.database(write=False) as db:
        opened = get_interaction(db, interaction_id)
    label = f"interaction {opened.id}"
    if not edit.is_empty():
        with files.database(write=True) as db:
            current = get_by_uid(db, opened.uid, label, "nothing changed")
            return update_interaction(db, now, current.id, _changes(db, now, edit))
    form = interaction_form(opened)
    mine = editor(form, parse_interaction_form)
    if mine is None:
        return None
    with files.database(write=True) as db:
        current = get_by_uid(db, opened.uid, label, "nothing saved")
        if interaction_form(current) != form:
            raise Conflict(
                f"{label} was changed meanwhile (by another pcrm); nothing saved",
                hint=f"see: pcrm interaction show {current.id}, then edit again",
            )
        from_form = _from_form(db, now, current, parse_interaction_form(form), mine)
        if from_form.is_empty():
            return None
        return update_interaction(db, now, current.id, _changes(db, now, from_form))
