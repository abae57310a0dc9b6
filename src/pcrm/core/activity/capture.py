"""Captured interactions: messages read from mail (formats/mail.py) and meetings read from
calendars (formats/calendar.py) stored once each.

An interaction's `source` says where it came from (manual, mail, calendar) and its
`external_id` what it is known by there (a mail's Message-ID without <>); the UNIQUE
index interactions_external makes capturing the same message twice change nothing. A
captured mail keeps its `direction` (in, out) and its `thread_id` (the first Message-ID
of its References), so that a reply can join the deal its thread is about.

A captured meeting keeps its `origin` (the file or folder it was read from, so that one
gone from it can be cancelled) and `captured_as` (what the calendar said: a re-run changes
only what the calendar changed since).

The lookups work on a whole batch at once (a maildir of 10,000 messages is a few queries
per thousand messages, not per message).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from pcrm.core.people.tags import chunks
from pcrm.core.records import new_uid
from pcrm.dates import to_iso
from pcrm.store.db import Database

# Values per `IN (...)` list: thread_deals puts each twice, below SQLite's 999 variables.
_IN_LIST = 400


@dataclass(frozen=True)
class MailAddress:
    email: str  # lower case, as pcrm stores addresses
    name: str  # the display name ("" when none)


@dataclass
class MailMessage:
    """One message as read from a file, stdin, an mbox or a maildir."""

    where: str  # how to name it in a warning: the file, or "mbox message 3"
    external_id: str  # the Message-ID without <>, or "pcrm:" and a digest of its headers
    subject: str
    body: str  # the first lines of the reply, quotes and signature removed
    at: datetime | None  # the Date (UTC); None when no date could be read
    senders: list[MailAddress] = field(default_factory=list)  # From
    recipients: list[MailAddress] = field(default_factory=list)  # To and Cc
    thread_id: str | None = None  # the first of References (else In-Reply-To)
    parents: list[str] = field(default_factory=list)  # References and In-Reply-To
    bulk: str | None = None  # why it is not personal mail: list, bulk, auto, noreply
    problems: list[str] = field(default_factory=list)  # what could not be read


@dataclass
class CalendarEvent:
    """One meeting (or one occurrence of a recurring one) as read from a calendar."""

    where: str  # the file it was read from, or "stdin"
    uid: str  # the UID: the series of a recurring meeting
    external_id: str  # the UID, or UID/RECURRENCE-ID (UTC) for an occurrence
    at: datetime  # its start, UTC
    summary: str
    location: str
    people: list[MailAddress]  # ORGANIZER and ATTENDEEs (declined ones, rooms left out)
    cancelled: bool  # STATUS:CANCELLED, or an invitation with METHOD:CANCEL
    origin: str | None  # the resolved SOURCE it came from; None for stdin

    @property
    def text(self) -> str:
        """The summary, then "Location: ..." on a paragraph of its own."""
        return f"{self.summary}\n\nLocation: {self.location}" if self.location else self.summary


@dataclass
class Captured:
    """An interaction to store from a message or a meeting."""

    external_id: str
    kind: str
    at: datetime
    text: str
    contact_ids: list[int]
    direction: str | None
    thread_id: str | None
    deal_id: int | None
    origin: str | None = None
    captured_as: str | None = None  # JSON: what the calendar said (captured_state)


@dataclass
class CaptureSummary:
    read: int = 0  # messages read
    captured: int = 0  # new interactions (with --dry-run: that would be)
    already: int = 0  # captured before (or twice in this run)
    skipped: dict[str, int] = field(default_factory=dict)  # list, bulk, auto, noreply -> count
    older: int = 0  # before --since
    no_contact: int = 0  # nobody in pcrm among its addresses
    contacts: int = 0  # distinct contacts the captured messages are linked to
    unknown: list[str] = field(default_factory=list)  # addresses not in pcrm (not added)
    added: list[str] = field(default_factory=list)  # addresses added as contacts
    linked_deals: int = 0  # messages linked to a deal through their thread
    problems: list[str] = field(default_factory=list)  # "where: what could not be read"
    ids: list[int] = field(default_factory=list)  # the new interactions
    dry_run: bool = False
    noun: str = "email"  # what was captured: email, meeting
    updated: int = 0  # captured before, changed in place (moved, renamed, restored)
    cancelled: int = 0  # captured before, now cancelled (or gone from their source)
    cancelled_unseen: int = 0  # cancelled in the calendar and never captured


def captured_ids(db: Database, source: str, ids: Iterable[str]) -> set[str]:
    """Which of `ids` were captured from `source` already."""
    found: set[str] = set()
    for chunk in chunks(ids, _IN_LIST):
        marks = ",".join("?" * len(chunk))
        found.update(
            row[0]
            for row in db.execute(
                "SELECT external_id FROM interactions"
                f" WHERE source = ? AND external_id IN ({marks})",
                [source, *chunk],
            )
        )
    return found


def contacts_by_email(db: Database, emails: Iterable[str]) -> dict[str, int]:
    """Address (lower case) -> the contact who has it, for those pcrm knows."""
    found: dict[str, int] = {}
    for chunk in chunks(emails, _IN_LIST):
        marks = ",".join("?" * len(chunk))
        found.update(
            db.execute(
                f"SELECT email, contact_id FROM contact_emails WHERE email IN ({marks})", chunk
            ).fetchall()
        )
    return found


@dataclass
class People:
    """The contacts of a batch's addresses."""

    known: dict[str, int]  # address -> contact (those added included)
    unknown: list[str]  # not in pcrm and not added
    added: list[str]  # added as contacts (with dry_run: that would be)


def find_people(
    db: Database,
    now: datetime,
    addresses: dict[str, MailAddress],
    *,
    add_unknown: bool,
    dry_run: bool,
    source: str,
) -> People:
    """Who the addresses are; with add_unknown those not in pcrm are added (unless it is a
    dry run), named by their display name, with the contact source `source`."""
    known = contacts_by_email(db, addresses)
    unknown = [email for email in addresses if email not in known]
    if not add_unknown:
        return People(known, unknown, [])
    if not dry_run:
        known.update(add_contacts(db, now, [addresses[email] for email in unknown], source))
    return People(known, [], unknown)


def add_contacts(
    db: Database, now: datetime, addresses: list[MailAddress], source: str
) -> dict[str, int]:
    """New contacts for unknown correspondents: the display name (else the address's
    local part) as name, the contact source `source` ("email", "calendar")."""
    from pcrm.core.people.contacts import ContactForm, add_contact
    from pcrm.errors import InvalidInput

    added: dict[str, int] = {}
    for address in addresses:
        local = address.email.partition("@")[0]
        name = address.name.strip(" \"'") or local
        try:
            saved = add_contact(db, now, ContactForm(name, emails=[address.email], source=source))
        except InvalidInput:  # a display name pcrm refuses as a name: the local part then
            saved = add_contact(db, now, ContactForm(local, emails=[address.email], source=source))
        added[address.email] = saved.contact.id
    return added


def captured_state(at: str, text: str, contact_ids: Iterable[int]) -> str:
    """What a calendar said of a meeting, as interactions.captured_as keeps it (with
    "cancelled": 1 once the calendar cancelled it: mark_cancelled_by_source)."""
    return json.dumps({"at": at, "text": text, "contacts": sorted(set(contact_ids))})


def mark_cancelled_by_source(db: Database, interaction_id: int, cancelled: bool) -> None:
    """Remember in captured_as whether the source cancelled the interaction: only such a
    cancellation is undone when the meeting reappears (one made by hand stays)."""
    # Made in Python, not with SQLite's json_set: a value of a JSON function keeps its JSON
    # subtype in the journal's triggers, which then record an object, not the text stored.
    row = db.execute("SELECT captured_as FROM interactions WHERE id = ?", [interaction_id])
    found = row.fetchone()
    if found is None or found[0] is None:
        return
    state = json.loads(found[0])
    state["cancelled"] = int(cancelled)
    db.execute(
        "UPDATE interactions SET captured_as = ? WHERE id = ?", [json.dumps(state), interaction_id]
    )


@dataclass
class CapturedMeeting:
    """A meeting captured before: as it is now, and as the calendar said it then."""

    id: int
    external_id: str
    at: str
    text: str
    cancelled_at: str | None
    origin: str | None
    thread_id: str | None
    contact_ids: set[int]
    said_at: str | None  # from captured_as (None: unknown, e.g. captured by older code)
    said_text: str | None
    said_contacts: set[int] | None
    said_cancelled: bool  # the source cancelled it (not the user)


def captured_meetings(
    db: Database, source: str, ids: Iterable[str] = (), threads: Iterable[str] = ()
) -> dict[str, CapturedMeeting]:
    """external_id -> the meeting captured from `source` under one of `ids`, or in one of
    the series `threads`."""
    rows: dict[int, tuple[object, ...]] = {}
    for column, values in (("external_id", ids), ("thread_id", threads)):
        for chunk in chunks(values, _IN_LIST):
            marks = ",".join("?" * len(chunk))
            for row in db.execute(
                "SELECT id, external_id, at, text, cancelled_at, origin, thread_id, captured_as"
                f" FROM interactions WHERE source = ? AND {column} IN ({marks})",
                [source, *chunk],
            ):
                rows[row[0]] = tuple(row)
    links: dict[int, set[int]] = {}
    for numbers in chunks(list(rows), _IN_LIST):
        marks = ",".join("?" * len(numbers))
        for interaction_id, contact_id in db.execute(
            "SELECT interaction_id, contact_id FROM interaction_contacts"
            f" WHERE interaction_id IN ({marks})",
            numbers,
        ):
            links.setdefault(interaction_id, set()).add(contact_id)
    found: dict[str, CapturedMeeting] = {}
    for number, (_, external_id, at, text, cancelled_at, origin, thread, said) in rows.items():
        state = json.loads(str(said)) if said else {}
        found[str(external_id)] = CapturedMeeting(
            id=number,
            external_id=str(external_id),
            at=str(at),
            text=str(text),
            cancelled_at=str(cancelled_at) if cancelled_at else None,
            origin=str(origin) if origin else None,
            thread_id=str(thread) if thread else None,
            contact_ids=links.get(number, set()),
            said_at=state.get("at"),
            said_text=state.get("text"),
            said_contacts=set(state["contacts"]) if "contacts" in state else None,
            said_cancelled=bool(state.get("cancelled")),
        )
    return found


def thread_deals(db: Database, source: str, ids: Iterable[str]) -> dict[str, int]:
    """Message or thread id -> the deal an earlier captured message of it is linked to."""
    found: dict[str, int] = {}
    for chunk in chunks(ids, _IN_LIST):
        marks = ",".join("?" * len(chunk))
        for external_id, thread_id, deal_id in db.execute(
            "SELECT external_id, thread_id, deal_id FROM interactions WHERE source = ?"
            f" AND deal_id IS NOT NULL AND (external_id IN ({marks}) OR thread_id IN ({marks}))"
            " ORDER BY at",
            [source, *chunk, *chunk],
        ):
            found[external_id] = deal_id
            if thread_id is not None:
                found.setdefault(thread_id, deal_id)
    return found


def store_captured(db: Database, now: datetime, source: str, items: list[Captured]) -> list[int]:
    """Insert the interactions (one statement each, links in bulk) and update the contacts'
    last contact and the deals' last activity once each; the new ids, in order."""
    companies: dict[int, int | None] = {}
    everyone = sorted({cid for item in items for cid in item.contact_ids})
    for chunk in chunks(everyone):
        marks = ",".join("?" * len(chunk))
        companies.update(
            db.execute(f"SELECT id, company_id FROM contacts WHERE id IN ({marks})", chunk)
        )
    ids: list[int] = []
    links: list[tuple[int, int]] = []
    latest: dict[int, str] = {}
    deal_latest: dict[int, str] = {}
    stamp = to_iso(now)
    for item in items:
        at = to_iso(item.at)
        cursor = db.execute(
            "INSERT INTO interactions(uid, kind, at, text, company_id, created_at, deal_id,"
            " source, external_id, direction, thread_id, origin, captured_as)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                new_uid(),
                item.kind,
                at,
                item.text,
                companies.get(item.contact_ids[0]),
                stamp,
                item.deal_id,
                source,
                item.external_id,
                item.direction,
                item.thread_id,
                item.origin,
                item.captured_as,
            ],
        )
        assert cursor.lastrowid is not None
        ids.append(cursor.lastrowid)
        links.extend((cursor.lastrowid, cid) for cid in dict.fromkeys(item.contact_ids))
        if at <= stamp:
            for cid in item.contact_ids:
                latest[cid] = max(latest.get(cid, at), at)
            if item.deal_id is not None:
                deal_latest[item.deal_id] = max(deal_latest.get(item.deal_id, at), at)
    db.conn.executemany(
        "INSERT INTO interaction_contacts(interaction_id, contact_id) VALUES (?, ?)", links
    )
    db.conn.executemany(
        "UPDATE contacts SET last_contacted_at = ? WHERE id = ?"
        " AND (last_contacted_at IS NULL OR last_contacted_at < ?)",
        [(at, cid, at) for cid, at in latest.items()],
    )
    db.conn.executemany(
        "UPDATE deals SET last_activity_at = ? WHERE id = ? AND last_activity_at < ?",
        [(at, deal_id, at) for deal_id, at in deal_latest.items()],
    )
    return ids
