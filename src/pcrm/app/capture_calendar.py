"""`pcrm capture calendar`: meetings from .ics files, stdin or vdir folders become
`meeting` interactions with the contacts invited (docs/capture.md).

One transaction per run: the calendars are read first (formats/calendar.py, every
recurring meeting expanded within the window), then the lookups are made for all meetings
at once (captured before, contacts by address), then the changes are written:

- a meeting not captured before, with someone in pcrm: a new interaction;
- one captured before: what the calendar changed since the last capture (its start, its
  summary or location, its people) is changed in place; what was edited by hand and not
  changed in the calendar is kept;
- one cancelled in the calendar (STATUS:CANCELLED, METHOD:CANCEL): the captured
  interaction is marked cancelled; reappearing confirmed clears the mark;
- one gone from a SOURCE captured again (deleted, EXDATE, shortened RRULE) that is still
  to come and was in the window: cancelled. Past meetings that vanish are left alone.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO, TYPE_CHECKING

from pcrm.app.base import DatabaseFile
from pcrm.core.activity.capture import CaptureSummary

if TYPE_CHECKING:
    from pcrm.core.activity.capture import CalendarEvent, CapturedMeeting
    from pcrm.formats.calendar import CalendarRead
    from pcrm.store.db import Database

SOURCE = "calendar"
DAYS_AHEAD = 30  # --until's default: planned meetings a month ahead show in the agenda


def default_until(now: datetime) -> datetime:
    """The end of the 30th local day after today."""
    from pcrm.core.activity.tasks import today_of
    from pcrm.dates import local_midnight

    return local_midnight(today_of(now) + timedelta(days=DAYS_AHEAD + 1))


@dataclass
class CalendarOptions:
    deal: str | None = None  # a deal REF: every new meeting is linked to it
    kind: str = "meeting"
    since: datetime | None = None  # None: no limit (a first run backfills history)
    until: datetime | None = None  # None: default_until(now)
    add_unknown: bool = False
    dry_run: bool = False


def capture_calendar(
    files: DatabaseFile,
    now: datetime,
    paths: list[Path],
    stdin: IO[bytes] | None,
    options: CalendarOptions,
) -> CaptureSummary:
    from pcrm.formats.calendar import read_calendars, read_raw

    until = options.until or default_until(now)
    # Read everything before the database is opened: a SOURCE that is no calendar stops
    # the run with nothing written.
    read = read_calendars(read_raw(paths, stdin), options.since, until)
    origins = [str(path.resolve()) for path in paths]
    with files.database(write=not options.dry_run) as db:
        return _Run(db, now, options, until).capture(read, origins)


@dataclass
class _Run:
    db: Database
    now: datetime
    options: CalendarOptions
    until: datetime
    summary: CaptureSummary = field(default_factory=CaptureSummary)
    seen: dict[str | None, set[str]] = field(default_factory=dict)  # origin -> external ids

    def capture(self, read: CalendarRead, origins: list[str]) -> CaptureSummary:
        from pcrm.core.activity.capture import Captured, captured_meetings, store_captured
        from pcrm.core.activity.interactions import check_kind
        from pcrm.core.refs import resolve_deal

        options = self.options
        summary = self.summary
        summary.dry_run, summary.noun, summary.read = options.dry_run, "meeting", len(read.events)
        summary.problems = list(read.problems)
        kind = check_kind(self.db, options.kind)
        deal_id = resolve_deal(self.db, options.deal) if options.deal is not None else None
        events: dict[str, CalendarEvent] = {}
        for event in sorted(read.events, key=lambda e: (e.at, e.external_id)):
            if event.external_id in events:  # in two files, or in two SOURCEs
                summary.already += 1
            else:
                events[event.external_id] = event
        series = {e.uid for e in events.values() if e.cancelled and e.external_id == e.uid}
        before = captured_meetings(self.db, SOURCE, events, series)
        known, would_add = self._people(events.values())
        items: list[Captured] = []
        linked: set[int] = set()
        for event in events.values():
            old = before.get(event.external_id)
            self.seen.setdefault(event.origin, set())
            if event.cancelled:
                self.seen[event.origin].add(event.external_id)
                self._cancel_event(event, old, before)
                continue
            contact_ids = list(
                dict.fromkeys(known[a.email] for a in event.people if a.email in known)
            )
            if not contact_ids:
                if old is None and any(a.email in would_add for a in event.people):
                    summary.captured += 1  # a dry run: its contacts would be added
                elif old is None:
                    summary.no_contact += 1
                # Captured before, nobody in pcrm now (declined, uninvited): as if gone.
                continue
            self.seen[event.origin].add(event.external_id)
            linked.update(contact_ids)
            if old is not None:
                self._update(event, old, contact_ids)
                continue
            summary.captured += 1
            items.append(
                Captured(
                    external_id=event.external_id,
                    kind=kind,
                    at=event.at,
                    text=event.text,
                    contact_ids=contact_ids,
                    direction=None,
                    thread_id=event.uid,
                    deal_id=deal_id,
                    origin=event.origin,
                    captured_as=_state(event, contact_ids),
                )
            )
        for origin in origins:
            self._cancel_gone(origin, read)
        summary.contacts = len(linked) + len(would_add)
        if not options.dry_run and items:
            summary.ids = store_captured(self.db, self.now, SOURCE, items)
        return summary

    def _people(self, events: Iterable[CalendarEvent]) -> tuple[dict[str, int], set[str]]:
        """Address -> contact for the meetings' people (the user's own addresses left out,
        those not in pcrm added with --add-unknown), and the addresses a dry run would
        add."""
        from pcrm.core.activity.capture import MailAddress, find_people
        from pcrm.core.settings import my_emails

        mine = my_emails(self.db)
        people: dict[str, MailAddress] = {}
        for event in events:
            if not event.cancelled:
                for address in event.people:
                    if address.email not in mine:
                        people.setdefault(address.email, address)
        found = find_people(
            self.db,
            self.now,
            people,
            add_unknown=self.options.add_unknown,
            dry_run=self.options.dry_run,
            source="calendar",
        )
        self.summary.unknown, self.summary.added = found.unknown, found.added
        return found.known, set(found.added) if self.options.dry_run else set()

    def _cancel_event(
        self, event: CalendarEvent, old: CapturedMeeting | None, before: dict[str, CapturedMeeting]
    ) -> None:
        """A meeting the calendar says is cancelled: its captured interaction is marked
        so; a whole series cancelled (no RECURRENCE-ID) cancels its occurrences still to
        come. Cancelled already: unchanged; never captured: counted."""
        from pcrm.dates import to_iso

        targets = [old] if old is not None else []
        if event.external_id == event.uid:
            stamp = to_iso(self.now)
            targets += [
                meeting
                for meeting in before.values()
                if meeting.thread_id == event.uid
                and meeting.external_id != event.uid
                and stamp < meeting.at < to_iso(self.until)
            ]
        done = [meeting for meeting in targets if meeting.cancelled_at is None]
        for meeting in done:
            self._set_cancelled(meeting.id, True)
        self.summary.cancelled += len(done)
        if targets and not done:
            self.summary.already += 1
        elif not targets:
            self.summary.cancelled_unseen += 1

    def _update(self, event: CalendarEvent, old: CapturedMeeting, contact_ids: list[int]) -> None:
        """What the calendar changed since the last capture, changed in place."""
        from pcrm.core.activity.interaction_records import InteractionChanges, update_interaction
        from pcrm.dates import to_iso

        at, text, people = to_iso(event.at), event.text, set(contact_ids)
        said_people = old.said_contacts if old.said_contacts is not None else old.contact_ids
        changes = InteractionChanges(
            at=event.at if at != (old.said_at or old.at) else None,
            text=text if text != (old.said_text or old.text) else None,
            add_contact_ids=sorted(people - said_people - old.contact_ids),
            rm_contact_ids=sorted((said_people - people) & old.contact_ids),
        )
        # Planned again when the calendar had cancelled it; cancelled by hand, it stays so.
        restored = old.cancelled_at is not None and old.said_cancelled
        changed = bool(
            changes.at or changes.text or changes.add_contact_ids or changes.rm_contact_ids
        )
        state = _state(event, contact_ids)
        moved_origin = event.origin is not None and event.origin != old.origin
        if not changed and not restored:
            self.summary.already += 1
            if (moved_origin or not old.said_at) and not self.options.dry_run:
                self._remember(old.id, event.origin or old.origin, state)
            return
        self.summary.updated += 1
        if self.options.dry_run:
            return
        if changed:
            update_interaction(self.db, self.now, old.id, changes)
        if restored:
            self._set_cancelled(old.id, False)
        self._remember(old.id, event.origin or old.origin, state)

    def _remember(self, interaction_id: int, origin: str | None, state: str) -> None:
        self.db.execute(
            "UPDATE interactions SET origin = ?, captured_as = ? WHERE id = ?",
            [origin, state, interaction_id],
        )

    def _set_cancelled(self, interaction_id: int, cancelled: bool) -> None:
        from pcrm.core.activity.capture import mark_cancelled_by_source
        from pcrm.core.activity.interaction_records import set_cancelled

        if not self.options.dry_run:
            set_cancelled(self.db, self.now, interaction_id, cancelled)
            mark_cancelled_by_source(self.db, interaction_id, cancelled)

    def _cancel_gone(self, origin: str, read: CalendarRead) -> None:
        """Meetings captured from `origin`, still to come and within the window, that it
        no longer has (or no longer has with anyone in pcrm): cancelled."""
        from pcrm.dates import to_iso

        if origin in read.incomplete:
            self.summary.problems.append(
                f"{origin}: meetings gone from it are not cancelled this time,"
                " as a file of it could not be read"
            )
            return
        if not read.files.get(origin):
            # An empty folder (a mistyped path, a sync that failed half-way) says nothing
            # about what was cancelled.
            self.summary.problems.append(
                f"{origin}: no .ics file in it; meetings gone from it are not cancelled"
            )
            return
        start = max(self.now, self.options.since or self.now)
        rows = self.db.execute(
            "SELECT id, external_id, thread_id FROM interactions WHERE origin = ?"
            " AND source = ? AND at > ? AND at < ? AND cancelled_at IS NULL",
            [origin, SOURCE, to_iso(start), to_iso(self.until)],
        ).fetchall()
        seen = self.seen.get(origin, set())
        unreadable = read.unreadable_uids.get(origin, set())
        for interaction_id, external_id, thread_id in rows:
            if external_id not in seen and thread_id not in unreadable:
                self._set_cancelled(interaction_id, True)
                self.summary.cancelled += 1


def _state(event: CalendarEvent, contact_ids: list[int]) -> str:
    from pcrm.core.activity.capture import captured_state
    from pcrm.dates import to_iso

    return captured_state(to_iso(event.at), event.text, contact_ids)
