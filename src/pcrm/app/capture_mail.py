"""`pcrm capture mail`: messages from a file, stdin, an mbox or a maildir become `email`
interactions with the contacts they were exchanged with (docs/capture.md).

One transaction per run: the messages are read first (formats/mail.py), then the
lookups are made for all of them at once (already captured, contacts by address, deals
of threads), then the new interactions are written. A message already captured (same
Message-ID) is counted, not written again; so re-running over a maildir is a no-op.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING

from pcrm.app.base import DatabaseFile
from pcrm.core.activity.capture import Captured, CaptureSummary, MailMessage

if TYPE_CHECKING:
    from pcrm.store.db import Database

SOURCE = "mail"


@dataclass
class CaptureOptions:
    deal: str | None = None  # a deal REF: every captured message is linked to it
    kind: str = "email"
    since: datetime | None = None  # messages dated before it are left alone
    add_unknown: bool = False
    include_lists: bool = False
    dry_run: bool = False


def capture_mail(
    files: DatabaseFile,
    now: datetime,
    paths: list[Path],
    stdin: IO[bytes] | None,
    options: CaptureOptions,
) -> CaptureSummary:
    from pcrm.core.activity.capture import captured_ids
    from pcrm.formats.mail import peek, read_message, read_raw

    raws = [raw for path in paths for raw in read_raw(path, None)] if paths else []
    if not paths:
        raws = list(read_raw(None, stdin))
    peeked = [peek(raw) for raw in raws]
    with files.database(write=not options.dry_run) as db:
        # Only the messages not captured before, not skipped and not older than --since
        # are read whole: a re-run over a maildir reads headers only.
        done = captured_ids(db, SOURCE, {seen.external_id for seen in peeked})
        messages: list[MailMessage] = []
        for raw, seen in zip(raws, peeked, strict=True):
            old = options.since is not None and seen.at is not None and seen.at < options.since
            if seen.external_id in done or (seen.bulk and not options.include_lists) or old:
                stub = MailMessage(raw.where, seen.external_id, "", "", seen.at, bulk=seen.bulk)
                messages.append(stub)
                continue
            message = read_message(raw.data, raw.where, mtime=raw.mtime)
            message.external_id = seen.external_id
            messages.append(message)
        return _capture(db, now, messages, options)


def _capture(
    db: Database, now: datetime, messages: list[MailMessage], options: CaptureOptions
) -> CaptureSummary:
    from pcrm.core.activity.capture import (
        captured_ids,
        find_people,
        store_captured,
        thread_deals,
    )
    from pcrm.core.activity.interactions import check_kind
    from pcrm.core.refs import resolve_deal
    from pcrm.core.settings import my_emails

    summary = CaptureSummary(read=len(messages), dry_run=options.dry_run)
    kind = check_kind(db, options.kind)
    deal_id = resolve_deal(db, options.deal) if options.deal is not None else None
    mine = my_emails(db)
    skipped: Counter[str] = Counter()
    for message in messages:
        summary.problems.extend(f"{message.where}: {problem}" for problem in message.problems)
    readable = [m for m in messages if m.external_id]
    done = captured_ids(db, SOURCE, {m.external_id for m in readable})
    wanted: list[MailMessage] = []
    seen: set[str] = set()
    for message in readable:
        if message.external_id in done or message.external_id in seen:
            summary.already += 1
            continue
        seen.add(message.external_id)
        if message.bulk and not options.include_lists:
            skipped[message.bulk] += 1
        elif options.since and message.at and message.at < options.since:
            summary.older += 1
        else:
            wanted.append(message)
    summary.skipped = dict(sorted(skipped.items()))
    people = {
        address.email: address
        for message in wanted
        for address in (*message.senders, *message.recipients)
        if address.email not in mine
    }
    found = find_people(
        db, now, people, add_unknown=options.add_unknown, dry_run=options.dry_run, source="email"
    )
    known = found.known
    summary.unknown, summary.added = found.unknown, found.added
    parents = {parent for message in wanted for parent in message.parents}
    deals = thread_deals(db, SOURCE, parents) if deal_id is None and parents else {}
    items: list[Captured] = []
    linked: set[int] = set()
    would_add = set(found.added) if options.dry_run else set()
    for message in sorted(wanted, key=lambda m: (m.at or now, m.external_id)):
        addresses = [a.email for a in (*message.senders, *message.recipients)]
        contact_ids = list(dict.fromkeys(known[e] for e in addresses if e in known))
        if not contact_ids and not any(e in would_add for e in addresses):
            summary.no_contact += 1
            continue
        linked.update(contact_ids)
        summary.captured += 1
        thread_deal = next((deals[i] for i in message.parents if i in deals), None)
        if thread_deal is not None:
            summary.linked_deals += 1
        if not contact_ids:
            continue  # a dry run: its contacts would be added
        outgoing = any(sender.email in mine for sender in message.senders)
        items.append(
            Captured(
                external_id=message.external_id,
                kind=kind,
                at=message.at or now,
                text=_text(message),
                contact_ids=contact_ids,
                direction="out" if outgoing else "in",
                thread_id=message.thread_id,
                deal_id=deal_id if deal_id is not None else thread_deal,
            )
        )
    summary.contacts = len(linked) + (len(would_add) if options.dry_run else 0)
    if not options.dry_run and items:
        summary.ids = store_captured(db, now, SOURCE, items)
    return summary


def _text(message: MailMessage) -> str:
    """ "Subject", a blank line, the first lines of the reply (docs/capture.md)."""
    subject = message.subject or "(no subject)"
    return f"{subject}\n\n{message.body}" if message.body else subject
