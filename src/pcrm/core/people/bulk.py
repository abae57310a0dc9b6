"""Changes to many contacts at once: tag, untag, move to a lifecycle stage, remove.

A bulk change is planned, then applied. The plan is read only: the contacts picked (by
REF or by the list filters), and for each whether the change would do anything (a tag it
has already, a stage it is at). `--dry-run` prints the plan; the confirmation shows it.
Applying takes the plan's contacts again by uid, so what is changed is exactly what was
shown even if ids were reused meanwhile, and a contact removed since is an error that
changes nothing. Each apply_* call runs inside the command's one transaction: that call
is the seam where the undo journal (issue 17) records one entry for the whole change.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from pcrm.core.people import tags
from pcrm.core.people.lifecycle_models import LifecycleChange
from pcrm.core.people.models import Contact
from pcrm.dates import format_local, from_iso, to_iso
from pcrm.errors import InvalidInput, NotFound
from pcrm.store.db import Database


@dataclass(frozen=True)
class Picked:
    """A contact picked for a bulk change, as it was when picked."""

    id: int
    uid: str
    name: str
    stage: str | None  # its lifecycle stage then


@dataclass
class Plan:
    """What a bulk change would do: `change` the contacts it changes, `skip` those it
    leaves as they are (a tag already there or not there, the stage they are at)."""

    what: str  # the tag, or the stage
    change: list[Picked] = field(default_factory=list)
    skip: list[Picked] = field(default_factory=list)


def pick(db: Database, ids: Sequence[int]) -> list[Picked]:
    """The contacts with these ids, once each, in the order given."""
    found: dict[int, Picked] = {}
    unique = list(dict.fromkeys(ids))
    for chunk in tags.chunks(unique):
        marks = ",".join("?" * len(chunk))
        for row in db.execute(
            f"SELECT id, uid, name, lifecycle_stage FROM contacts WHERE id IN ({marks})", chunk
        ):
            found[row[0]] = Picked(*row)
    return [found[contact_id] for contact_id in unique if contact_id in found]


def _having(db: Database, ids: list[int], tag: str) -> set[int]:
    having: set[int] = set()
    for chunk in tags.chunks(ids):
        marks = ",".join("?" * len(chunk))
        having.update(
            row[0]
            for row in db.execute(
                "SELECT ct.contact_id FROM contact_tags ct JOIN tags t ON t.id = ct.tag_id"
                f" WHERE t.name = ? AND ct.contact_id IN ({marks})",
                [tag, *chunk],
            )
        )
    return having


def plan_tags(db: Database, picked: list[Picked], names: Sequence[str], *, add: bool) -> list[Plan]:
    """One plan per tag (`vip,press` is two): who gains it (add) or loses it (not add)."""
    wanted = tags.clean_tags(names)
    if not wanted:
        raise InvalidInput("no tag given", hint="e.g. pcrm contact tag add vip ada")
    plans = []
    for tag in wanted:
        having = _having(db, [person.id for person in picked], tag)
        plan = Plan(tag)
        for person in picked:
            (plan.change if (person.id in having) != add else plan.skip).append(person)
        plans.append(plan)
    return plans


def plan_stage(
    db: Database, now: datetime, picked: list[Picked], stage_text: str, at: datetime | None
) -> Plan:
    """Who moves to the stage, and who is at it already. The same rules as one contact's
    move (core/people/lifecycle.py): --at not in the future, nor before a contact's last
    change; checked here, so a dry run fails as the real change would."""
    from pcrm.core.people.lifecycle import last_change_at, resolve_stage
    from pcrm.core.people.text import name_key

    stage = resolve_stage(db, stage_text)
    moment = at or now
    if moment > now:
        raise InvalidInput(
            "a stage change cannot be in the future", hint="give a past --at, or none for now"
        )
    plan = Plan(stage.name)
    for person in picked:
        if person.stage is not None and name_key(person.stage) == name_key(stage.name):
            plan.skip.append(person)
            continue
        last = last_change_at(db, "contact", person.id)
        if last is not None and moment < from_iso(last):
            raise InvalidInput(
                f"contact {person.id} {person.name} last changed stage on"
                f" {format_local(from_iso(last))}",
                hint="--at must not be earlier than that; nothing changed",
            )
        plan.change.append(person)
    return plan


def again(db: Database, picked: list[Picked]) -> list[int]:
    """The ids of the picked contacts now, found by uid; one gone since is an error."""
    ids = []
    for person in picked:
        row = db.execute("SELECT id FROM contacts WHERE uid = ?", [person.uid]).fetchone()
        if row is None:
            raise NotFound(
                f"contact {person.id} {person.name} was removed meanwhile",
                hint="nothing changed; run the command again",
            )
        ids.append(int(row[0]))
    return ids


def apply_tags(db: Database, now: datetime, plans: list[Plan], *, add: bool) -> None:
    """Add (or remove) each plan's tag on the contacts it changes."""
    stamp = to_iso(now)
    for plan in plans:
        ids = again(db, plan.change)
        for contact_id in ids:
            if add:
                tags.add_tags(db, "contact", contact_id, [plan.what])
            else:
                tags.remove_tags(db, "contact", contact_id, [plan.what])
        for chunk in tags.chunks(ids):
            marks = ",".join("?" * len(chunk))
            db.execute(f"UPDATE contacts SET updated_at = ? WHERE id IN ({marks})", [stamp, *chunk])


def apply_stage(
    db: Database,
    now: datetime,
    plan: Plan,
    *,
    reason: str | None = None,
    at: datetime | None = None,
) -> list[LifecycleChange]:
    """Move the plan's contacts to its stage, each change in the lifecycle history with the
    same time and reason, as `pcrm contact stage REF STAGE` records one."""
    from pcrm.core.people.lifecycle import set_stage

    changes = []
    for contact_id in again(db, plan.change):
        done = set_stage(db, now, "contact", contact_id, plan.what, reason=reason, at=at)
        if done.change is not None:
            changes.append(done.change)
    return changes


def apply_remove(db: Database, now: datetime, picked: list[Picked]) -> list[Contact]:
    """Remove the contacts, each as `pcrm contact rm REF` does."""
    from pcrm.core.people.contacts import remove_contact

    return [remove_contact(db, now, contact_id) for contact_id in again(db, picked)]
