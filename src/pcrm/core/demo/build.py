"""`pcrm demo`: a database full of realistic, deterministic sample data.

The data (core/demo/data.py) goes in through core's own functions (add_company, add_contact,
log_interaction), so the demo holds exactly what a user could have typed, and every rule of
those functions applies to it. Seeding is split into seeders that run in order; each draws
from its own random stream, named after it, so a later feature (deals, follow-ups) appends
its seeder to SEEDERS without changing a single record the others make.

The file is built under a temporary name beside the target and moved into place at the end:
a failure leaves no half-made demo, and `--force` swaps the old file out in one step.
"""

from __future__ import annotations

import contextlib
import random
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path

from pcrm.core.activity.interactions import load_interactions, log_interaction
from pcrm.core.activity.models import Interaction
from pcrm.core.deals.board import Board, load_board
from pcrm.core.deals.pipelines import resolve_pipeline
from pcrm.core.demo.data import (
    COMPANIES,
    FEATURED,
    NOTES,
    PEOPLE,
    PHONES,
    SCRIPTED,
    SLOTS,
    SamplePerson,
)
from pcrm.core.demo.deals import seed_deals
from pcrm.core.demo.lifecycle import seed_lifecycle
from pcrm.core.demo.scoring import seed_scoring
from pcrm.core.demo.tasks import seed_follow_ups
from pcrm.core.people.companies import CompanyForm, add_company
from pcrm.core.people.contacts import ContactForm, add_contact
from pcrm.core.views.models import ContactOverview
from pcrm.core.views.overview import contact_overview
from pcrm.dates import local_tz, parse_when, to_iso
from pcrm.errors import Conflict, DatabaseError, InvalidInput
from pcrm.store.db import Database, session
from pcrm.store.files import NewFile, check_output, is_sqlite_file, make_folder

SEED = 2026
# The demo's mark in its file header (SQLite's application_id, "pcrm demo"): `demo --force`
# replaces only a file that carries it, never a real database given by mistake.
DEMO_APPLICATION_ID = 0x70636D64
# How many interactions a person gets, and how many days back the oldest and newest may lie.
ACTIVITY = {
    "high": ((8, 11), 175, 1),
    "medium": ((3, 5), 160, 3),
    "low": ((1, 2), 170, 45),
    "none": ((0, 0), 0, 0),
}
TOGETHER = 0.25  # chance that a colleague joins a call, meeting or demo


@dataclass
class Demo:
    """What the seeders share: the clock, and the records made so far, by their data key."""

    db: Database
    now: datetime
    seed: int
    companies: dict[str, int] = field(default_factory=dict)
    contacts: dict[str, int] = field(default_factory=dict)  # by email local part
    counts: dict[str, int] = field(default_factory=dict)  # "contacts": 40, in display order

    def rng(self, part: str) -> random.Random:
        return random.Random(f"pcrm-demo:{self.seed}:{part}")

    def day(self, days_ago: int, clock: time) -> datetime:
        """A working day `days_ago` before the clock (a weekend moves to the Friday before),
        at a local time of day, returned in UTC as everything is stored."""
        zone = local_tz()
        day = self.now.astimezone(zone).date() - timedelta(days=days_ago)
        day -= timedelta(days=max(0, day.weekday() - 4))
        return datetime.combine(day, clock, zone).astimezone(self.now.tzinfo)


def seed_companies(demo: Demo) -> None:
    rng = demo.rng("companies")
    for company in COMPANIES:
        created = demo.day(rng.randint(201, 240), time(rng.randint(9, 17), rng.randint(0, 59)))
        form = CompanyForm(
            name=company.name,
            domain=company.domain,
            website=f"https://www.{company.domain}",
            industry=company.industry,
            size=company.size,
            note=company.note,
            tags=list(company.tags),
        )
        demo.companies[company.key] = add_company(demo.db, created, form).id
    demo.counts["companies"] = len(COMPANIES)


def seed_contacts(demo: Demo) -> None:
    rng = demo.rng("contacts")
    countries = {company.key: company.country for company in COMPANIES}
    domains = {company.key: company.domain for company in COMPANIES}
    for person in PEOPLE:
        country = countries.get(person.company or "", "uk")
        if person.company:
            emails = [f"work:{person.email}@{domains[person.company]}"]
        else:
            emails = [f"{person.email}@mail.example"]
        if person.home_email:
            emails.append(f"home:{person.email.replace('.', '')}@mail.example")
        labels = ("mobile", "work")
        phones = [f"{labels[i]}:{_digits(rng, PHONES[country][i])}" for i in range(person.phones)]
        created = demo.day(rng.randint(176, 200), time(rng.randint(9, 17), rng.randint(0, 59)))
        form = ContactForm(
            name=person.name,
            emails=emails,
            phones=phones,
            company=str(demo.companies[person.company]) if person.company else None,
            title=person.title,
            source=person.source,
            tags=list(person.tags),
            birthday=_birthday(person.birthday, demo.now),
            note=person.note,
        )
        demo.contacts[person.email] = add_contact(demo.db, created, form).contact.id
    demo.counts["contacts"] = len(PEOPLE)


def seed_interactions(demo: Demo) -> None:
    """Each person's story, oldest first: notes that fit the relationship and how far along
    it is, on working days over the last six months, plus the scripted moments."""
    rng = demo.rng("interactions")
    relations = {company.key: company.relation for company in COMPANIES}
    colleagues: dict[str | None, list[SamplePerson]] = {}
    for person in PEOPLE:
        colleagues.setdefault(person.company, []).append(person)
    planned: list[tuple[datetime, str, list[int], str]] = []
    used: dict[str, set[tuple[str, str]]] = {}  # notes already told, per company or person
    for person in PEOPLE:
        (low, high), oldest, newest = ACTIVITY[person.activity]
        count = rng.randint(low, high)
        days = sorted(rng.sample(range(newest, oldest + 1), count), reverse=True)
        relation = relations.get(person.company or "", "relation")
        story = NOTES["relation" if relation in ("partner", "investor") else relation]
        others = [p for p in colleagues[person.company] if p is not person]
        others = others if person.company else []
        for index, days_ago in enumerate(days):
            phase = "any" if "any" in story else _phase(index, count)
            told = used.setdefault(person.company or person.email, set())
            fresh = [note for note in story[phase] if note not in told] or list(story[phase])
            kind, template = rng.choice(fresh)
            told.add((kind, template))
            with_ids = [demo.contacts[person.email]]
            if others and kind in ("call", "meeting", "demo") and rng.random() < TOGETHER:
                with_ids.append(demo.contacts[rng.choice(others).email])
            text = _fill(rng, template, person, others)
            clock = time(rng.randint(8, 17), rng.choice((0, 15, 30, 45)))
            planned.append((demo.day(days_ago, clock), kind, with_ids, text))
    for email, kind, when, text, also in SCRIPTED:
        moment = parse_when(when, demo.now).moment
        if moment > demo.now and moment.weekday() >= 5:
            moment += timedelta(days=7 - moment.weekday())
        ids = [demo.contacts[key] for key in (email, *also)]
        planned.append((moment.astimezone(demo.now.tzinfo), kind, ids, text))
    # Logged in the order they happened, each as if written down at the time.
    planned.sort(key=lambda item: item[0])
    for moment, kind, ids, text in planned:
        log_interaction(demo.db, min(moment, demo.now), ids, text, kind=kind, at=moment)
    demo.counts["interactions"] = len(planned)


# Later features add theirs here (follow-ups after deals...).
SEEDERS: tuple[tuple[str, Callable[[Demo], None]], ...] = (
    ("companies", seed_companies),
    ("contacts", seed_contacts),
    ("interactions", seed_interactions),
    ("deals", seed_deals),
    ("follow-ups", seed_follow_ups),
    ("lifecycle", seed_lifecycle),
    ("scoring", seed_scoring),
)


def _phase(index: int, count: int) -> str:
    share = (index + 1) / count
    return "early" if share <= 0.34 else "middle" if share <= 0.75 else "late"


def _fill(
    rng: random.Random, template: str, person: SamplePerson, others: list[SamplePerson]
) -> str:
    def value(match: re.Match[str]) -> str:
        slot = match[1]
        if slot == "colleague":
            return rng.choice(others).name if others else "the CFO"
        if slot == "other":
            return rng.choice([p.name for p in PEOPLE if p is not person])
        if slot == "version":
            return str(rng.randint(1, 3))
        if slot == "month":
            return rng.choice(("January", "February", "March"))
        return rng.choice(SLOTS[slot])

    return re.sub(r"\{(\w+)\}", value, template)


def _digits(rng: random.Random, pattern: str) -> str:
    return "".join(str(rng.randint(0, 9)) if ch == "#" else ch for ch in pattern)


def _birthday(value: str | None, now: datetime) -> str | None:
    """'soon' is five days after the clock (in a leap year, so 29 February works)."""
    if value != "soon":
        return value
    soon = now.astimezone(local_tz()).date() + timedelta(days=5)
    return date(1988, soon.month, soon.day).isoformat()


def seed_demo(db: Database, now: datetime, seed: int = SEED) -> Demo:
    """Fill an empty database with the demo; its counts say how many records of each kind."""
    demo = Demo(db, now, seed)
    for _name, seeder in SEEDERS:
        seeder(demo)
    return demo


@dataclass
class DemoFile:
    path: Path
    counts: dict[str, int]
    replaced: bool  # an older file was there and --force swapped it out
    featured: int  # the contact whose full view the command shows


def create_demo_file(path: Path, now: datetime, *, force: bool, seed: int = SEED) -> DemoFile:
    """Write a new demo database at `path`; an existing file is replaced only with `force`,
    and only if it is an SQLite database (never a stray document given by mistake)."""
    existed = _check_target(path, force)
    new_file = _new_file(path, force)
    try:
        with new_file as temp:
            try:
                with session(temp, write=True) as db:
                    demo = seed_demo(db, now, seed)
                    db.execute(f"PRAGMA application_id = {DEMO_APPLICATION_ID}")
            finally:
                for sidecar in _with_sidecars(temp)[1:]:
                    with contextlib.suppress(OSError):  # never hide the error that got us here
                        sidecar.unlink()
    except FileExistsError:
        raise _exists(path) from None  # it appeared while we were writing
    if existed:
        # The old file's write-ahead log must not be replayed into the new one.
        for sidecar in _with_sidecars(path)[1:]:
            sidecar.unlink(missing_ok=True)
    return DemoFile(path, demo.counts, existed, demo.contacts[FEATURED])


def _check_target(path: Path, force: bool) -> bool:
    """Whether a file is there to replace; raises when it may not be. Only an empty file or
    a demo (marked by its application id) is replaced: never someone's real database."""
    if path.is_dir():
        raise InvalidInput(f"{path} is a folder", hint="give a file name, e.g. pcrm-demo.db")
    check_output(path, force=True)  # a device or a pipe: refused before it is read
    if not path.exists():
        return False
    if not force:
        raise _exists(path)
    try:
        is_sqlite = is_sqlite_file(path, empty_ok=True)
    except OSError as exc:
        raise DatabaseError(f"cannot read {path}: {exc.strerror}") from exc
    if not is_sqlite:
        raise Conflict(
            f"{path} is not an SQLite database; not replacing it",
            hint="give another file name",
        )
    if path.stat().st_size and not is_demo_file(path):
        raise Conflict(
            f"{path} is a database that pcrm demo did not write; not replacing it",
            hint="give another file name, or back it up and remove it first",
        )
    return True


def is_demo_file(path: Path) -> bool:
    """Whether `path` is a database `pcrm demo` wrote (read as it is: no lock, no -wal)."""
    import sqlite3

    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro&immutable=1", uri=True)
        try:
            found = conn.execute("PRAGMA application_id").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.Error:
        return False
    return bool(found == DEMO_APPLICATION_ID)


def _new_file(path: Path, force: bool) -> NewFile:
    """The demo's file, written under a temporary name in the target's folder (created
    0700 if missing), so the final rename stays on one file system and is atomic."""
    folder = path.parent
    if folder.exists() and not folder.is_dir():
        raise InvalidInput(f"{folder} is not a folder", hint="give another path for the demo")
    try:
        make_folder(folder)
        return NewFile(path, force=force)
    except FileExistsError:
        raise _exists(path) from None
    except OSError as exc:
        raise DatabaseError(
            f"cannot write the demo into {folder}: {exc.strerror}",
            hint="give a path in another folder",
        ) from exc


def _exists(path: Path) -> Conflict:
    return Conflict(
        f"{path} already exists",
        hint="add --force to replace it, or give another file name",
    )


def _with_sidecars(path: Path) -> list[Path]:
    return [path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")]


@dataclass
class DemoTour:
    """What `pcrm demo` shows after writing the file."""

    file: DemoFile
    latest: list[Interaction]  # across everyone, newest first
    upcoming: list[Interaction]  # planned, soonest first
    featured: ContactOverview
    board: Board  # the default pipeline's deals


def demo_tour(db: Database, demo_file: DemoFile, now: datetime, *, latest: int = 5) -> DemoTour:
    stamp = to_iso(now)
    past = db.execute(
        "SELECT id FROM interactions WHERE at <= ? ORDER BY at DESC, id DESC LIMIT ?",
        [stamp, latest],
    )
    future = db.execute("SELECT id FROM interactions WHERE at > ? ORDER BY at, id", [stamp])
    return DemoTour(
        demo_file,
        load_interactions(db, [row[0] for row in past]),
        load_interactions(db, [row[0] for row in future]),
        contact_overview(db, demo_file.featured, now),
        load_board(db, resolve_pipeline(db, None), now),
    )
