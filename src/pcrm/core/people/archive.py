"""Archived contacts: put away, not destroyed (a card deleted on a phone, `contact archive`).

An archived contact keeps everything it had (emails, interactions, deals, follow-ups); it
is left out of `contact list` and of vdir exports until `pcrm contact restore` brings it
back. `contact show` and REFs still reach it, so it can be found and restored.
"""

from __future__ import annotations

from datetime import datetime

from pcrm.dates import to_iso
from pcrm.errors import InvalidInput
from pcrm.store.db import Database


def archived_at(db: Database, contact_id: int) -> str | None:
    row = db.execute("SELECT archived_at FROM contacts WHERE id = ?", [contact_id]).fetchone()
    return row[0] if row else None


def archive_contact(db: Database, now: datetime, contact_id: int) -> str:
    """Archive one contact; returns its name. Archiving an archived one is an error."""
    name, when = db.execute(
        "SELECT name, archived_at FROM contacts WHERE id = ?", [contact_id]
    ).fetchone()
    if when is not None:
        raise InvalidInput(
            f"contact {contact_id} is already archived (since {when})",
            hint=f"bring it back: pcrm contact restore {contact_id}",
        )
    db.execute(
        "UPDATE contacts SET archived_at = ?, updated_at = ? WHERE id = ?",
        [to_iso(now), to_iso(now), contact_id],
    )
    return str(name)


def restore_contact(db: Database, now: datetime, contact_id: int) -> str:
    """Bring an archived contact back; returns its name."""
    name, when = db.execute(
        "SELECT name, archived_at FROM contacts WHERE id = ?", [contact_id]
    ).fetchone()
    if when is None:
        raise InvalidInput(
            f"contact {contact_id} is not archived", hint=f"see: pcrm contact show {contact_id}"
        )
    db.execute(
        "UPDATE contacts SET archived_at = NULL, updated_at = ? WHERE id = ?",
        [to_iso(now), contact_id],
    )
    return str(name)
