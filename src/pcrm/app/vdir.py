"""`pcrm vdir export|import DIR`: contacts and open follow-ups as a vdir, one file an item.

DIR holds two collections, as vdirsyncer wants one collection a folder: DIR/contacts/
(`<uid>.vcf`, vCard 3.0) and DIR/tasks/ (`<uid>.ics`, one VTODO each). vdir_items (m022)
remembers each file as pcrm last wrote or read it, so that:

- export writes only what changed in pcrm since (an unchanged file keeps its bytes and its
  mtime), removes the file of a record removed in pcrm, and leaves alone a file changed in
  the folder since (the import's to read first);
- import reads only files changed in the folder since, takes new files (a card matching a
  contact by email or phone joins it, no duplicate) and deleted ones (contact archived,
  follow-up done), and reports an item changed on both sides as a conflict with both
  versions, changing nothing for it unless `prefer` says which side wins.

docs/sync.md is the user's account of these rules.
"""

from __future__ import annotations

import hashlib
import os
from abc import ABC, abstractmethod
from collections.abc import Callable, Collection, Iterator
from dataclasses import replace
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from pcrm.core import vdir
from pcrm.core.vdir import Counts, ItemConflict, Prefer, VdirResult
from pcrm.errors import InvalidInput, PcrmError

if TYPE_CHECKING:
    from pcrm.core.importing.models import ParsedContact
    from pcrm.store.db import Database


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _files(folder: Path, suffix: str) -> dict[str, Path]:
    """The collection's items by UID (file name without the suffix); hidden and temporary
    files (vdirsyncer's and ours, being written) are not items."""
    if not folder.is_dir():
        return {}
    with os.scandir(folder) as entries:  # the file type from the listing: no stat a file
        return {
            entry.name[: -len(suffix)]: folder / entry.name
            for entry in entries
            if entry.name.endswith(suffix) and not entry.name.startswith(".") and entry.is_file()
        }


def _write(path: Path, data: bytes) -> None:
    """Write-then-rename: a reader (vdirsyncer) sees the old file or the new, never half.
    The folder is synced once after the collection's files (_export_kind), not per file:
    a first export of 10k contacts made 20k fsyncs."""
    from pcrm.store.files import NewFile, write_failed

    try:
        with NewFile(path, force=True, sync_folder=False) as temporary:
            temporary.write_bytes(data)
    except OSError as exc:
        raise write_failed(path, exc) from None


class _Kind(ABC):
    """One collection: which records it holds, how one is written, read and removed."""

    folder = ""
    suffix = ""
    kind = ""
    table = ""

    @abstractmethod
    def live(self, db: Database) -> dict[int, str]: ...

    @abstractmethod
    def render(self, db: Database, now: datetime, uids: dict[int, str]) -> dict[int, str]: ...

    def name(self, db: Database, record_id: int) -> str:
        row = db.execute(
            f"SELECT {'name' if self.kind == 'contact' else 'title'} FROM {self.table}"
            " WHERE id = ?",
            [record_id],
        ).fetchone()
        return str(row[0]) if row else ""

    @abstractmethod
    def apply(
        self, db: Database, now: datetime, record_id: int, base: str | None, text: str
    ) -> None: ...

    @abstractmethod
    def add(self, db: Database, now: datetime, text: str, counts: Counts) -> int | None: ...

    @abstractmethod
    def gone(self, db: Database, now: datetime, record_id: int, counts: Counts) -> None: ...


def _card(text: str) -> ParsedContact:
    from pcrm.formats.contact_file import CardText
    from pcrm.formats.vcard_rows import VcardMapper

    if not text.lstrip("\ufeff \r\n\t").upper().startswith("BEGIN:VCARD"):
        raise InvalidInput("not a vCard (no BEGIN:VCARD)", hint="fix or remove the file")
    parsed = VcardMapper().contact(CardText(1, text, raw=text))
    if parsed.problem:
        raise InvalidInput(parsed.problem, hint="fix or remove the file")
    return parsed


def _card_uid(raw: str | None) -> str | None:
    """The UID a kept card was read with (a phone's card keeps its own)."""
    for line in (raw or "").splitlines():
        name, _, value = line.partition(":")
        if name.split(";", 1)[0].strip().upper() == "UID" and value.strip():
            return value.strip()
    return None


class _Contacts(_Kind):
    folder, suffix, kind, table = "contacts", ".vcf", "contact", "contacts"

    def live(self, db: Database) -> dict[int, str]:
        return vdir.live_contacts(db)

    def render(self, db: Database, now: datetime, uids: dict[int, str]) -> dict[int, str]:
        from pcrm.core.people.contacts import load_contacts, load_vcards
        from pcrm.core.people.tags import chunks
        from pcrm.formats.vcard import contact_card

        texts: dict[int, str] = {}
        for chunk in chunks(list(uids)):
            raws = load_vcards(db, chunk)
            for contact in load_contacts(db, chunk):
                raw = raws.get(contact.id)
                uid = contact.uid
                if uids[contact.id] != contact.uid:  # a card made elsewhere keeps its UID
                    uid = _card_uid(raw) or uids[contact.id]
                if uid != contact.uid or raw is not None:  # (a copy costs: most have neither)
                    contact = replace(contact, uid=uid, vcard=raw)
                texts[contact.id] = contact_card(contact, "3")
        return texts

    def apply(
        self, db: Database, now: datetime, record_id: int, base: str | None, text: str
    ) -> None:
        from pcrm.core.people.card_fields import apply_card, changed_fields

        new = _card(text)
        apply_card(db, now, record_id, new, changed_fields(_card(base) if base else None, new))

    def add(self, db: Database, now: datetime, text: str, counts: Counts) -> int | None:
        from pcrm.core.people.archive import archived_at, restore_contact
        from pcrm.core.people.card_fields import add_from_card, fill_in, matching_contact
        from pcrm.core.people.contacts import get_contact

        parsed = _card(text)
        match = matching_contact(db, parsed)
        if match is None:
            added = add_from_card(db, now, parsed)
            counts.new += 1
            return added
        if archived_at(db, match) is not None:  # its card is back on a device
            restore_contact(db, now, match)
        fill_in(db, now, get_contact(db, match), parsed)
        counts.matched += 1
        return match

    def gone(self, db: Database, now: datetime, record_id: int, counts: Counts) -> None:
        from pcrm.core.people.archive import archive_contact

        archive_contact(db, now, record_id)
        counts.archived += 1


class _Tasks(_Kind):
    folder, suffix, kind, table = "tasks", ".ics", "task", "tasks"

    def live(self, db: Database) -> dict[int, str]:
        return vdir.live_tasks(db)

    def render(self, db: Database, now: datetime, uids: dict[int, str]) -> dict[int, str]:
        from pcrm.core.activity.tasks import get_task
        from pcrm.formats.vtodo import todo_file

        return {task_id: todo_file(get_task(db, task_id, now)) for task_id in uids}

    def apply(
        self, db: Database, now: datetime, record_id: int, base: str | None, text: str
    ) -> None:
        from pcrm.core.activity.tasks import TaskChanges, complete_task, edit_task
        from pcrm.dates import format_local, from_iso
        from pcrm.formats.vtodo import read_todo

        new = read_todo(text)
        old = read_todo(base) if base else None
        changes = TaskChanges()
        if old is None or old.title != new.title:
            changes.title = new.title
        if old is None or (old.due_date, old.due_at) != (new.due_date, new.due_at):
            changes.due = format_local(from_iso(new.due_at)) if new.due_at else new.due_date
        if old is None or old.rrule != new.rrule:
            if new.rrule:
                changes.every = new.rrule
            else:
                changes.no_repeat = True
        if not changes.is_empty():
            edit_task(db, now, record_id, changes)
        if new.completed and not (old and old.completed):
            complete_task(db, now, record_id)

    def add(self, db: Database, now: datetime, text: str, counts: Counts) -> int | None:
        from pcrm.formats.vtodo import read_todo

        read_todo(text)  # a broken file is a problem to report, not a to-do to skip
        counts.skipped += 1
        return None

    def gone(self, db: Database, now: datetime, record_id: int, counts: Counts) -> None:
        vdir.close_task(db, now, record_id)
        counts.done += 1


KINDS: tuple[_Kind, ...] = (_Contacts(), _Tasks())


def _counts(result: VdirResult, kind: _Kind) -> Counts:
    return result.contacts if kind.kind == "contact" else result.tasks


def check_root(root: Path, *, create: bool) -> Path:
    """DIR as given: a folder (export makes it when its parent exists)."""
    if root.exists() and not root.is_dir():
        raise InvalidInput(f"{root} is not a folder", hint="give the vdir's folder")
    if not root.exists() and (not create or not root.parent.is_dir()):
        raise InvalidInput(
            f"no folder {root}",
            hint="give an existing folder (export makes DIR itself when its parent exists)",
        )
    return root


def _kinds(collections: Collection[str] | None) -> tuple[_Kind, ...]:
    """The collections to work on by folder name (contacts, tasks); None: both."""
    return tuple(kind for kind in KINDS if collections is None or kind.folder in collections)


def _would_empty(db: Database, root: Path, kinds: tuple[_Kind, ...]) -> None:
    """Refuse an export that would delete every file of a collection that has some."""
    for kind in kinds:
        folder = root / kind.folder
        files = _files(folder, kind.suffix)
        if not files:
            continue
        live = kind.live(db)
        leaving = [
            item
            for item in vdir.items(db, str(folder.resolve())).values()
            if item.record_id not in live and item.uid in files
        ]
        if len(leaving) >= len(files):
            raise InvalidInput(
                f"the export would delete every file in {folder} ({len(files)}); nothing was"
                " written",
                hint="if that is meant, delete the files yourself (vdirsyncer refuses to sync"
                " an emptied folder)",
            )


def export_vdir(
    db: Database,
    now: datetime,
    root: Path,
    *,
    dry_run: bool,
    collections: Collection[str] | None = None,
) -> VdirResult:
    """`collections`: only these folders (`pcrm sync` set up for contacts alone)."""
    check_root(root, create=True)
    result = VdirResult("export", str(root), dry_run)
    kinds = _kinds(collections)
    if root.is_dir():
        _would_empty(db, root, kinds)
    try:
        for kind in kinds:
            _export_kind(db, now, root, kind, _counts(result, kind), dry_run)
    except OSError as exc:
        raise _folder_failed(exc) from None
    return result


def _folder_failed(exc: OSError) -> PcrmError:
    """A file or folder of DIR the system refused: one line; the database is unchanged."""
    where = exc.filename if exc.filename is not None else "the vdir"
    return InvalidInput(f"cannot use {where}: {exc.strerror}", hint="check DIR and its permissions")


def _file_of_record(state: dict[str, vdir.Item], live: dict[int, str]) -> dict[int, str]:
    """The file each record is written to: a card made elsewhere that joined a contact
    (matched by email or phone) keeps its own file, and the contact's earlier file goes,
    so the devices do not hold the person twice."""
    chosen: dict[int, str] = {}
    for uid, item in sorted(state.items()):
        if chosen.get(item.record_id) in (None, live.get(item.record_id)):
            chosen[item.record_id] = uid
    return chosen


def _export_kind(
    db: Database, now: datetime, root: Path, kind: _Kind, counts: Counts, dry_run: bool
) -> None:
    folder = root / kind.folder
    if not dry_run:
        root.mkdir(mode=0o700, exist_ok=True)
        folder.mkdir(mode=0o700, exist_ok=True)
    collection = str(folder.resolve())
    state = vdir.items(db, collection)
    live = kind.live(db)
    files = _files(folder, kind.suffix)
    by_record = _file_of_record(state, live)
    for item in state.values():  # records removed in pcrm: their files go
        if item.record_id in live and by_record[item.record_id] == item.uid:
            continue
        path = files.get(item.uid)
        if path is not None and sha256(path.read_bytes()) != item.sha256:
            counts.waiting += 1  # changed in the folder meanwhile: the import's to read
            continue
        if not dry_run:
            if path is not None:
                path.unlink()
            vdir.forget_item(db, collection, item.uid)
        counts.removed += path is not None
    uids = {record_id: by_record.get(record_id, uid) for record_id, uid in live.items()}
    for record_id, uid, text in _rendered(db, now, kind, uids):
        data = text.encode("utf-8")
        ours = sha256(data)
        known = state.get(uid)
        path = folder / f"{uid}{kind.suffix}"
        if known is not None:
            if uid not in files or sha256(files[uid].read_bytes()) != known.sha256:
                counts.waiting += 1  # changed or deleted in the folder: import first
                continue
            if ours == known.pcrm_sha256:
                counts.unchanged += 1
                continue
            counts.changed += 1
        elif uid in files:
            if files[uid].read_bytes() != data:
                counts.waiting += 1  # a file pcrm does not know yet: the import decides
                continue
            counts.unchanged += 1
        else:
            counts.new += 1
        if not dry_run:
            if known is not None or uid not in files:
                _write(path, data)
            vdir.save_item(
                db, now, collection, kind.kind, vdir.Item(uid, record_id, ours, ours), text
            )
    if not dry_run:
        from pcrm.store.files import sync_folder

        sync_folder(folder)  # the renames and removals above, made durable at once


def _rendered(
    db: Database, now: datetime, kind: _Kind, uids: dict[int, str]
) -> Iterator[tuple[int, str, str]]:
    """(record id, uid, text) of each record, rendered 900 at a time, so that an export's
    memory does not grow with the number of records."""
    from pcrm.core.people.tags import chunks

    for batch in chunks(uids.items()):
        texts = kind.render(db, now, dict(batch))
        for record_id, uid in batch:
            yield record_id, uid, texts[record_id]


def import_vdir(
    db: Database,
    now: datetime,
    root: Path,
    prefer: Prefer | None,
    collections: Collection[str] | None = None,
) -> VdirResult:
    check_root(root, create=False)
    kinds = _kinds(collections)
    if not any((root / kind.folder).is_dir() for kind in kinds):
        raise InvalidInput(
            f"{root} holds no contacts/ or tasks/ folder",
            hint=f"give the folder pcrm vdir export wrote (pcrm vdir export {root})",
        )
    result = VdirResult("import", str(root), False)
    try:
        for kind in kinds:
            _Import(db, now, root, kind, prefer, result).run()
    except OSError as exc:
        raise _folder_failed(exc) from None
    return result


class _Import:
    """One collection's import, each item in a savepoint: a file pcrm cannot take is a
    problem reported with its name, and the others still come in."""

    def __init__(
        self,
        db: Database,
        now: datetime,
        root: Path,
        kind: _Kind,
        prefer: Prefer | None,
        result: VdirResult,
    ) -> None:
        self.db, self.now, self.kind, self.prefer, self.result = db, now, kind, prefer, result
        self.folder = root / kind.folder
        self.collection = str(self.folder.resolve())
        self.counts = _counts(result, kind)

    def run(self) -> None:
        if not self.folder.is_dir():
            return
        state = vdir.items(self.db, self.collection)
        self.live = self.kind.live(self.db)
        files = _files(self.folder, self.kind.suffix)
        for uid, path in sorted(files.items()):
            try:
                data = path.read_bytes()
            except OSError as exc:
                self.result.problems.append(f"{self.kind.folder}/{path.name}: {exc.strerror}")
                continue
            item = state.get(uid)
            if item is None or item.sha256 != sha256(data):
                self._guarded(path.name, partial(self._file, uid, data, item))
        if state and not files:
            # A folder emptied whole is a failed sync or a wrong DIR far more often than
            # every card deleted on purpose: nothing is taken for deleted.
            self.result.problems.append(
                f"{self.kind.folder}/: the folder is empty; nothing was taken for deleted"
                " (check DIR and the last vdirsyncer run)"
            )
            return
        for uid, item in sorted(state.items()):
            if uid not in files:
                self._guarded(f"{uid}{self.kind.suffix}", partial(self._deleted, item))

    def _guarded(self, name: str, step: Callable[[], None]) -> None:
        self.db.execute("SAVEPOINT vdir_item")
        try:
            step()
        except PcrmError as exc:
            self.db.execute("ROLLBACK TO vdir_item")
            self.result.problems.append(f"{self.kind.folder}/{name}: {exc.message}")
        except (ValueError, KeyError, IndexError) as exc:  # a file the parsers choke on
            self.db.execute("ROLLBACK TO vdir_item")
            self.result.problems.append(f"{self.kind.folder}/{name}: cannot be read ({exc})")
        self.db.execute("RELEASE vdir_item")

    def _save(self, uid: str, record_id: int, file_sha: str, pcrm_sha: str, text: str) -> None:
        item = vdir.Item(uid, record_id, file_sha, pcrm_sha)
        vdir.save_item(self.db, self.now, self.collection, self.kind.kind, item, text)

    def _current(self, record_id: int, uid: str) -> str:
        return self.kind.render(self.db, self.now, {record_id: uid})[record_id]

    def _file(self, uid: str, data: bytes, item: vdir.Item | None) -> None:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            raise InvalidInput("not UTF-8 text", hint="fix or remove the file") from None
        file_sha = sha256(data)
        record_id = item.record_id if item else vdir.record_of_uid(self.db, self.kind.table, uid)
        if record_id is not None and record_id not in self.live:
            # Removed in pcrm (contact rm or archive, follow-up done): pcrm's word holds,
            # and the next export removes the file.
            self._save(uid, record_id, file_sha, item.pcrm_sha256 if item else "", text)
            return
        if record_id is None:
            added = self.kind.add(self.db, self.now, text, self.counts)
            if added is not None:
                self._save(uid, added, file_sha, sha256(self._current(added, uid).encode()), text)
            return
        current = self._current(record_id, uid)
        if item is None and current == text:
            self._save(uid, record_id, file_sha, file_sha, text)
            return
        pcrm_changed = item is None or sha256(current.encode()) != item.pcrm_sha256
        if pcrm_changed and not self._settled(uid, record_id, current, text):
            if self.prefer == "pcrm":  # the next export writes pcrm's version over it
                self._save(uid, record_id, file_sha, item.pcrm_sha256 if item else "", text)
            return
        base = vdir.content(self.db, self.collection, uid) if item else None
        self.kind.apply(self.db, self.now, record_id, base, text)
        self.counts.changed += 1
        # After a conflict kept for the file, pcrm's other edits still have to go out.
        ours = "" if pcrm_changed else sha256(self._current(record_id, uid).encode())
        self._save(uid, record_id, file_sha, ours, text)

    def _settled(self, uid: str, record_id: int, current: str, text: str | None) -> bool:
        """A conflict: reported; True when --prefer file lets the file's side go on."""
        self.result.conflicts.append(
            ItemConflict(
                self.kind.folder,
                uid,
                record_id,
                self.kind.name(self.db, record_id),
                current,
                text,
                self.prefer,
            )
        )
        return self.prefer == "file"

    def _deleted(self, item: vdir.Item) -> None:
        if item.record_id not in self.live:
            vdir.forget_item(self.db, self.collection, item.uid)
            return
        current = self._current(item.record_id, item.uid)
        if sha256(current.encode()) != item.pcrm_sha256 and not self._settled(
            item.uid, item.record_id, current, None
        ):
            if self.prefer == "pcrm":  # the next export writes it again
                vdir.forget_item(self.db, self.collection, item.uid)
            return
        self.kind.gone(self.db, self.now, item.record_id, self.counts)
        vdir.forget_item(self.db, self.collection, item.uid)
