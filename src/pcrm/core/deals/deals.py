"""Deals: what someone is trying to close. Add, find, list, change, move through the stages
of a pipeline, win, lose, reopen, remove.

A deal is always in a pipeline and a stage, also once closed: won and lost are statuses,
and a reopened deal goes back, open, to the stage it was closed in. Every stage move and
status change is written in its history (core/deals/history.py). A closed deal cannot be
moved, and cannot be closed again: reopen it first.

`last_activity_at` (what makes a deal stale on the board) moves on with every stage move,
status change and interaction logged against the deal; editing its details does not.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from pcrm.core.activity.interactions import load_interactions
from pcrm.core.base import Link
from pcrm.core.deals import history as deal_history
from pcrm.core.deals.models import Deal, DealContact, DealView, Stage
from pcrm.core.deals.money import cached_currency, check_currency, parse_money, rescale
from pcrm.core.deals.pipelines import get_pipeline, get_stage, resolve_pipeline, resolve_stage
from pcrm.core.people import companies, tags
from pcrm.core.people import fields as custom_fields
from pcrm.core.people.text import clean_line, clean_optional, name_key, require_name
from pcrm.core.records import PartialEdit, new_uid, record_deletion
from pcrm.core.refs import resolve_contact, resolve_contact_role
from pcrm.core.settings import default_currency, number_style
from pcrm.dates import format_local, from_iso, parse_day, to_iso
from pcrm.errors import Conflict, InvalidInput, NotFound
from pcrm.store.db import Database

STATUSES = ("open", "won", "lost", "all")
# Value sorts compare amounts in major units (a yen is not a cent); still per currency.
_MAJOR = (
    "d.value * 1.0 / (CASE cu.exponent WHEN 0 THEN 1 WHEN 1 THEN 10 WHEN 2 THEN 100"
    " WHEN 3 THEN 1000 ELSE 10000 END)"
)
# ORDER BY terms per --sort; each ends with the id, so ties page in a stable order.
SORTS: dict[str, tuple[str, ...]] = {
    "stage": (
        "CASE d.status WHEN 'open' THEN 0 WHEN 'won' THEN 1 ELSE 2 END",
        "p.is_default DESC",
        "p.name",
        "p.id",
        "s.position",
        f"{_MAJOR} DESC",
        "d.id",
    ),
    "value": (f"{_MAJOR} DESC", "d.id"),
    "close": ("d.expected_close IS NULL", "d.expected_close", "d.id"),
    "age": ("d.created_at", "d.id"),
    "title": ("d.title_key", "d.id"),
}
INTERACTIONS_SHOWN = 20
FOLLOW_UPS_SHOWN = 10


@dataclass
class DealForm:
    """A new deal as the user gives it (`pcrm deal add`)."""

    title: str
    value: str | None = None  # as typed: "12k", "€12,500.50"
    currency: str | None = None
    company: str | None = None  # REF or a new name; default: the first contact's company
    contacts: list[str] = field(default_factory=list)  # "REF" or "REF:role"
    stage: str | None = None  # default: the pipeline's first stage
    pipeline: str | None = None  # default: the default pipeline
    close: str | None = None  # WHEN
    source: str | None = None
    tags: list[str] = field(default_factory=list)
    note: str | None = None
    fields: dict[str, str] = field(default_factory=dict)  # custom field name -> text
    new_company: bool = False  # add `company` as new, even if some company looks like it


@dataclass
class DealChanges(PartialEdit):
    """A partial edit: None leaves a field alone, an empty string clears it."""

    title: str | None = None
    value: str | None = None
    currency: str | None = None
    company: str | None = None
    close: str | None = None
    source: str | None = None
    note: str | None = None
    add_contacts: list[str] = field(default_factory=list)
    remove_contacts: list[str] = field(default_factory=list)
    add_tags: list[str] = field(default_factory=list)
    remove_tags: list[str] = field(default_factory=list)
    set_fields: dict[str, str] = field(default_factory=dict)  # name -> text; "" unsets
    new_company: bool | None = None  # True: add `company` as new (None, not False: unset)


@dataclass
class Saved:
    deal: Deal
    created_company: Link | None = None


@dataclass
class DealPage:
    deals: list[Deal]
    total: int  # how many match, before --limit


# -- reading -----------------------------------------------------------------------------

_SELECT = """SELECT d.id, d.uid, d.title, d.value, d.currency, cu.exponent,
    d.company_id, co.name, d.pipeline_id, p.name, d.stage_id, s.name, s.probability,
    d.status, d.expected_close, d.source, d.lost_reason, d.closed_at, d.note,
    d.stage_entered_at, d.last_activity_at, d.created_at, d.updated_at
    FROM deals d
    JOIN currencies cu ON cu.code = d.currency
    JOIN pipelines p ON p.id = d.pipeline_id
    JOIN stages s ON s.id = d.stage_id
    LEFT JOIN companies co ON co.id = d.company_id"""


def _deal(row: tuple[Any, ...]) -> Deal:
    company = Link("company", row[6], row[7]) if row[6] is not None else None
    # mypy cannot know the length of the row's slices (python/mypy#16677): row[:6] is
    # id..exponent, row[12:] probability..updated_at, as _SELECT lists them.
    return Deal(  # type: ignore[call-arg]
        *row[:6],
        company,
        Link("pipeline", row[8], row[9]),
        Link("stage", row[10], row[11]),
        *row[12:],
    )


def load_deals(db: Database, ids: list[int]) -> list[Deal]:
    """Full deals for these ids, in the order given."""
    found: dict[int, Deal] = {}
    for chunk in tags.chunks(ids):
        marks = ",".join("?" * len(chunk))
        for row in db.execute(f"{_SELECT} WHERE d.id IN ({marks})", chunk):
            found[row[0]] = _deal(row)
        for deal_id, contact_id, name, role in db.execute(
            "SELECT dc.deal_id, c.id, c.name, dc.role FROM deal_contacts dc"
            f" JOIN contacts c ON c.id = dc.contact_id WHERE dc.deal_id IN ({marks})"
            " ORDER BY c.name_key, c.id",
            chunk,
        ):
            found[deal_id].contacts.append(DealContact(contact_id, name, role))
    for deal_id, names in tags.tags_by_record(db, "deal", list(found)).items():
        found[deal_id].tags = names
    for deal_id, values in custom_fields.values_by_record(db, "deal", list(found)).items():
        found[deal_id].fields = values
    return [found[deal_id] for deal_id in ids if deal_id in found]


def get_deal(db: Database, deal_id: int) -> Deal:
    deals = load_deals(db, [deal_id])
    if not deals:
        raise NotFound(f"no deal has id {deal_id}", hint="see: pcrm deal list --status all")
    return deals[0]


def list_deals(
    db: Database,
    *,
    pipeline_id: int | None = None,
    stage_id: int | None = None,
    status: str = "open",
    company_id: int | None = None,
    contact_id: int | None = None,
    tag: str | None = None,
    closing_before: date | None = None,
    closing_after: date | None = None,
    sort: str = "stage",
    limit: int | None = 100,
    conditions: Sequence[str] = (),
    now: datetime | None = None,
    statuses: Sequence[str] = (),
    pipeline_ids: Sequence[int] = (),
    stage_ids: Sequence[int] = (),
    company_ids: Sequence[int] = (),
    contact_ids: Sequence[int] = (),
    tags_all: Sequence[str] = (),
    tags_any: Sequence[str] = (),
    tags_none: Sequence[str] = (),
    reverse: bool = False,
    offset: int = 0,
) -> DealPage:
    """Deals matching every filter given; closing dates are inclusive, and a deal without
    an expected close date never matches them. `conditions` are custom-field `--where`
    terms (`now` reads relative dates in them).

    A deal has one status, pipeline, stage and company, so several of those mean any of
    them (`statuses` replace `status`; "all" among them lifts the filter); it has several
    contacts and tags, so every one of `contact_ids` and `tags_all` must be on it, any of
    `tags_any` and none of `tags_none`."""
    from pcrm.core.listing import marks, order_by, page_sql

    wanted_statuses = [name.strip().lower() for name in statuses] or [status]
    for name in wanted_statuses:
        if name not in STATUSES:
            raise InvalidInput(
                f'unknown status "{name}"', hint="use one of: " + ", ".join(STATUSES)
            )
    if sort not in SORTS:
        raise InvalidInput(f'unknown sort "{sort}"', hint="use one of: " + ", ".join(SORTS))
    where: list[str] = ["1"]
    params: list[object] = []
    for column, one, several in (
        ("d.pipeline_id", pipeline_id, pipeline_ids),
        ("d.stage_id", stage_id, stage_ids),
        ("d.company_id", company_id, company_ids),
    ):
        values = [*([one] if one is not None else []), *several]
        if values:
            where.append(f"{column} IN ({marks(values)})")
            params += values
    if "all" not in wanted_statuses:
        where.append(f"d.status IN ({marks(wanted_statuses)})")
        params += wanted_statuses
    for person in [*([contact_id] if contact_id is not None else []), *contact_ids]:
        where.append(
            "EXISTS (SELECT 1 FROM deal_contacts dc WHERE dc.deal_id = d.id AND dc.contact_id = ?)"
        )
        params.append(person)
    tag_terms, tag_params = tags.filter_sql(
        "deal", "d.id", [*([tag] if tag is not None else []), *tags_all], tags_any, tags_none
    )
    where += tag_terms
    params += tag_params
    if closing_before is not None:
        where.append("d.expected_close <= ?")
        params.append(closing_before.isoformat())
    if closing_after is not None:
        where.append("d.expected_close >= ?")
        params.append(closing_after.isoformat())
    field_terms, field_params = custom_fields.where_sql(db, now, "deal", "d.id", conditions)
    where.extend(field_terms)
    params.extend(field_params)
    condition = " AND ".join(where)
    tables = (
        "FROM deals d JOIN currencies cu ON cu.code = d.currency"
        " JOIN pipelines p ON p.id = d.pipeline_id JOIN stages s ON s.id = d.stage_id"
    )
    total = db.execute(f"SELECT count(*) {tables} WHERE {condition}", params).fetchone()[0]
    paging, page_params = page_sql(limit, offset)
    order = order_by(SORTS[sort], reverse)
    ids = [
        row[0]
        for row in db.execute(
            f"SELECT d.id {tables} WHERE {condition} ORDER BY {order}{paging}",
            [*params, *page_params],
        )
    ]
    return DealPage(load_deals(db, ids), total)


def deal_view(db: Database, deal_id: int, now: datetime) -> DealView:
    from pcrm.core.activity.tasks import open_tasks_about

    deal = get_deal(db, deal_id)
    interaction_ids = [
        row[0]
        for row in db.execute(
            "SELECT id FROM interactions WHERE deal_id = ? ORDER BY at DESC, id DESC LIMIT ?",
            [deal_id, INTERACTIONS_SHOWN],
        )
    ]
    count = db.execute("SELECT count(*) FROM interactions WHERE deal_id = ?", [deal_id]).fetchone()[
        0
    ]
    return DealView(
        deal,
        deal_history.load_history(db, deal_id),
        deal_history.load_spells(db, deal_id, now),
        load_interactions(db, interaction_ids),
        count,
        *open_tasks_about(db, now, "deal", deal_id, FOLLOW_UPS_SHOWN),
    )


# -- adding and editing ------------------------------------------------------------------


def _contacts(db: Database, values: list[str]) -> dict[int, str | None]:
    """Contact id -> role ('' clears it, None keeps what is there), in the order given."""
    found: dict[int, str | None] = {}
    for value in values:
        contact_id, role = resolve_contact_role(db, value)
        found[contact_id] = role
    return found


def _close_date(value: str | None, now: datetime) -> str | None:
    value = clean_optional(value)
    return parse_day(value, now).isoformat() if value else None


def add_deal(db: Database, now: datetime, form: DealForm) -> Saved:
    title = require_name(form.title, "title")
    pipeline = resolve_pipeline(db, form.pipeline)
    stage = resolve_stage(db, pipeline, form.stage) if form.stage else pipeline.stages[0]
    if form.value is None:
        value, currency = 0, check_currency(db, form.currency or default_currency(db))
    else:
        money = parse_money(
            db,
            form.value,
            currency=form.currency,
            default=default_currency(db),
            style=number_style(db),
        )
        value, currency = money.value, money.currency
    close = _close_date(form.close, now)
    people = _contacts(db, form.contacts)
    tag_names = tags.clean_tags(form.tags)
    created = None
    company_id = None
    if clean_optional(form.company):
        company_id, created = companies.find_or_create(
            db, now, form.company or "", new=form.new_company
        )
    elif people:
        first = next(iter(people))
        company_id = db.execute("SELECT company_id FROM contacts WHERE id = ?", [first]).fetchone()[
            0
        ]
    stamp = to_iso(now)
    deal_id = db.execute(
        "INSERT INTO deals(uid, title, title_key, value, currency, company_id, pipeline_id,"
        " stage_id, status, expected_close, source, note, stage_entered_at, last_activity_at,"
        " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'open', ?, ?, ?, ?, ?, ?, ?)",
        [
            new_uid(),
            title,
            name_key(title),
            value,
            currency.code,
            company_id,
            pipeline.id,
            stage.id,
            close,
            clean_line(form.source),
            clean_optional(form.note),
            stamp,
            stamp,
            stamp,
            stamp,
        ],
    ).lastrowid
    assert deal_id is not None
    _link_contacts(db, deal_id, people)
    tags.add_tags(db, "deal", deal_id, tag_names)
    custom_fields.set_values(db, now, "deal", deal_id, form.fields)
    deal_history.record(
        db, now, deal_id, before=None, after=stage, from_status=None, to_status="open"
    )
    return Saved(get_deal(db, deal_id), created)


def _link_contacts(db: Database, deal_id: int, people: dict[int, str | None]) -> None:
    for contact_id, role in people.items():
        db.execute(
            "INSERT INTO deal_contacts(deal_id, contact_id, role) VALUES (?, ?, ?)"
            " ON CONFLICT(deal_id, contact_id) DO UPDATE SET role = CASE"
            " WHEN excluded.role IS NULL AND ? THEN role ELSE excluded.role END",
            [deal_id, contact_id, role or None, role is None],
        )


def _keep_replaced_note(db: Database, now: datetime, deal: Deal, old: str) -> None:
    """A deal's notes keep their history (issue 17): the standing note that `deal edit
    --note` replaces or clears becomes a dated note on the deal, shown with the deal's
    other notes, instead of being lost. Keeping it is no activity on the deal: its last
    activity (what the board's staleness counts from) stays as it was."""
    from pcrm.core.activity.interactions import log_interaction

    text = f"Standing note, replaced: {old}"
    log_interaction(db, now, [], text, kind="note", deal_id=deal.id)
    db.execute(
        "UPDATE deals SET last_activity_at = ? WHERE id = ?", [deal.last_activity_at, deal.id]
    )


def edit_deal(db: Database, now: datetime, deal_id: int, changes: DealChanges) -> Saved:
    if changes.is_empty():
        raise InvalidInput(
            "nothing to change", hint="give what to change, e.g. --value 15k (see --help)"
        )
    deal = get_deal(db, deal_id)
    sets: dict[str, object] = {}
    if changes.title is not None:
        sets["title"] = require_name(changes.title, "title")
        sets["title_key"] = name_key(sets["title"])  # type: ignore[arg-type]
    current = cached_currency(db, deal.currency)
    assert current is not None  # deals.currency references the table
    if changes.value is not None:
        money = parse_money(
            db,
            changes.value,
            currency=changes.currency,
            default=deal.currency,
            style=number_style(db),
        )
        sets["value"], sets["currency"] = money.value, money.currency.code
    elif changes.currency is not None:
        new = check_currency(db, changes.currency)
        sets["value"], sets["currency"] = rescale(deal.value, current, new), new.code
    if changes.close is not None:
        sets["expected_close"] = _close_date(changes.close, now)
    if changes.source is not None:
        sets["source"] = clean_line(changes.source)
    if changes.note is not None:
        sets["note"] = clean_optional(changes.note)
        if deal.note and sets["note"] != deal.note:
            _keep_replaced_note(db, now, deal, deal.note)
    created = None
    if changes.company is not None:
        if clean_optional(changes.company):
            sets["company_id"], created = companies.find_or_create(
                db, now, changes.company, new=bool(changes.new_company)
            )
        else:
            sets["company_id"] = None
    _unlink_contacts(db, deal, changes.remove_contacts)
    _link_contacts(db, deal_id, _contacts(db, changes.add_contacts))
    missing = tags.remove_tags(db, "deal", deal_id, tags.clean_tags(changes.remove_tags))
    if missing:
        raise InvalidInput(
            f'deal {deal_id} has no tag "{missing[0]}"', hint=f"see: pcrm deal show {deal_id}"
        )
    tags.add_tags(db, "deal", deal_id, tags.clean_tags(changes.add_tags))
    custom_fields.set_values(db, now, "deal", deal_id, changes.set_fields)
    sets["updated_at"] = to_iso(now)
    assignments = ", ".join(f"{column} = ?" for column in sets)
    db.execute(f"UPDATE deals SET {assignments} WHERE id = ?", [*sets.values(), deal_id])
    return Saved(get_deal(db, deal_id), created)


def _unlink_contacts(db: Database, deal: Deal, refs: list[str]) -> None:
    on_deal = {person.id for person in deal.contacts}
    for ref in refs:
        contact_id = resolve_contact(db, ref)
        if contact_id not in on_deal:
            raise InvalidInput(
                f"contact {contact_id} is not on deal {deal.id}",
                hint=f"see: pcrm deal show {deal.id}",
            )
        db.execute(
            "DELETE FROM deal_contacts WHERE deal_id = ? AND contact_id = ?", [deal.id, contact_id]
        )


# -- moving and closing ------------------------------------------------------------------


def _label(deal: Deal) -> str:
    return f'deal {deal.id} "{deal.title}"'


def _closed_on(deal: Deal) -> str:
    """'won on 2026-11-25' (the local day it closed)."""
    if not deal.closed_at:
        return deal.status
    return f"{deal.status} on {format_local(from_iso(deal.closed_at), with_time=False)}"


def _require_open(deal: Deal, doing: str) -> None:
    if deal.status != "open":
        raise Conflict(
            f"{_label(deal)} is closed ({_closed_on(deal)}); only an open deal {doing}",
            hint=f"reopen it first: pcrm deal reopen {deal.id}",
        )


def move_deal(
    db: Database, now: datetime, deal_id: int, stage_text: str, pipeline: str | None = None
) -> tuple[Deal, Stage | None]:
    """Move an open deal to a stage of its pipeline (or of `pipeline`). Returns the deal and
    the stage it left, or None when it already was in that stage (nothing changed)."""
    deal = get_deal(db, deal_id)
    _require_open(deal, "moves")
    if pipeline is None:
        target_pipeline = get_pipeline(db, deal.pipeline.id)
    else:
        target_pipeline = resolve_pipeline(db, pipeline)
    target = resolve_stage(db, target_pipeline, stage_text)
    if target.id == deal.stage.id:
        return deal, None
    before = get_stage(db, deal.stage.id)
    note = None
    if target.pipeline_id != deal.pipeline.id:
        note = f"from pipeline {deal.pipeline.name} to {target_pipeline.name}"
    deal_history.record(
        db,
        now,
        deal_id,
        before=before,
        after=target,
        from_status="open",
        to_status="open",
        note=note,
    )
    stamp = to_iso(now)
    db.execute(
        "UPDATE deals SET stage_id = ?, pipeline_id = ?, stage_entered_at = ?,"
        " last_activity_at = max(last_activity_at, ?), updated_at = ? WHERE id = ?",
        [target.id, target.pipeline_id, stamp, stamp, stamp, deal_id],
    )
    return get_deal(db, deal_id), before


def _close(db: Database, now: datetime, deal: Deal, status: str, reason: str | None) -> Deal:
    if deal.status == status:
        raise Conflict(
            f"{_label(deal)} is already {_closed_on(deal)}",
            hint=f"to change that, reopen it first: pcrm deal reopen {deal.id}",
        )
    _require_open(deal, f"can be {status}")
    stage = get_stage(db, deal.stage.id)
    deal_history.record(
        db,
        now,
        deal.id,
        before=stage,
        after=stage,
        from_status="open",
        to_status=status,
        note=reason,
    )
    stamp = to_iso(now)
    db.execute(
        "UPDATE deals SET status = ?, closed_at = ?, lost_reason = ?,"
        " last_activity_at = max(last_activity_at, ?), updated_at = ? WHERE id = ?",
        [status, stamp, reason, stamp, stamp, deal.id],
    )
    return get_deal(db, deal.id)


def win_deal(db: Database, now: datetime, deal_id: int) -> Deal:
    return _close(db, now, get_deal(db, deal_id), "won", None)


def lose_deal(db: Database, now: datetime, deal_id: int, reason: str) -> Deal:
    cleaned = clean_line(reason)
    if not cleaned:
        raise InvalidInput("the reason cannot be empty", hint='e.g. --reason "went with a rival"')
    return _close(db, now, get_deal(db, deal_id), "lost", cleaned)


def reopen_deal(db: Database, now: datetime, deal_id: int) -> Deal:
    """A won or lost deal open again, in the stage it was closed in; a new time in that
    stage starts now. The lost reason stays in the history, not on the deal."""
    deal = get_deal(db, deal_id)
    if deal.status == "open":
        raise Conflict(f"{_label(deal)} is already open", hint="nothing to reopen")
    stage = get_stage(db, deal.stage.id)
    deal_history.record(
        db, now, deal_id, before=stage, after=stage, from_status=deal.status, to_status="open"
    )
    stamp = to_iso(now)
    db.execute(
        "UPDATE deals SET status = 'open', closed_at = NULL, lost_reason = NULL,"
        " stage_entered_at = ?, last_activity_at = max(last_activity_at, ?), updated_at = ?"
        " WHERE id = ?",
        [stamp, stamp, stamp, deal_id],
    )
    return get_deal(db, deal_id)


def remove_deal(db: Database, now: datetime, deal_id: int) -> Deal:
    """Remove a deal with its history, contacts and tags; interactions logged against it
    stay, unlinked."""
    deal = get_deal(db, deal_id)
    db.execute("DELETE FROM deals WHERE id = ?", [deal_id])
    record_deletion(db, now, "deal", deal.uid)
    return deal
