"""How fast `pcrm dupes` is on 100 000 contacts, and whether it finds planted duplicates.

    python bench/dupes.py [--contacts N] [--planted N] [--db PATH]

Builds (or, with --db, reads) a database of N contacts at 10 000 companies, with a few
hundred pairs of the same person entered twice in each of the ways the matcher knows:
another spelling of one mailbox, the same phone written differently, a nickname at the
same company, accents/case/word order, an initial at the same company. Prints the time
find_dupes takes for contacts and for companies (wall and CPU: on a busy machine the CPU
figure is the steadier one), how many groups it reports, and how many planted pairs it
found. Names are drawn from 400 first names and 3 000 surnames, so many different people
share a name, as in a real address book.
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import sys
import tempfile
import time
import uuid
from pathlib import Path

from pcrm.core.dedupe.dupes import find_dupes
from pcrm.core.dedupe.nicknames import _SHORT_FORMS
from pcrm.core.people.text import name_key
from pcrm.store.db import open_db

NOW = "2026-11-23T10:00:00Z"
SYLLABLES = [
    "ka",
    "lo",
    "mi",
    "ne",
    "ru",
    "sa",
    "ti",
    "vo",
    "be",
    "da",
    "fe",
    "gi",
    "ho",
    "ju",
    "ky",
    "la",
    "mo",
    "nu",
    "pe",
    "ro",
    "si",
    "to",
    "ve",
    "wa",
    "ze",
]
FIRSTS = sorted(_SHORT_FORMS) + [f"{a}{b}".title() for a in SYLLABLES[:12] for b in SYLLABLES]
KINDS = ("mailbox", "phone", "nickname", "order", "initial")


def surname(rng: random.Random) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.choice((2, 3)))).title()


def build(path: Path, contacts: int, planted: int, seed: int) -> dict[tuple[int, int], str]:
    """Write the database; returns the planted pairs (older id, newer id) -> how."""
    rng = random.Random(seed)
    open_db(path, create=True).close()
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("BEGIN")
    # Only dupes reads this file: the search index is not kept.
    for (name,) in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'trigger' AND sql LIKE '%search_index%'"
    ).fetchall():
        conn.execute(f'DROP TRIGGER "{name}"')
    companies = 10_000
    conn.executemany(
        "INSERT INTO companies(id, uid, name, name_key, domain, created_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            (i, str(uuid.uuid4()), f"Firm {i}", f"firm {i}", f"firm{i}.example", NOW, NOW)
            for i in range(1, companies + 1)
        ],
    )
    surnames = [surname(rng) for _ in range(3000)]
    firsts = [name.title() for name in FIRSTS[:400]]
    people, emails, phones = [], [], []
    for i in range(1, contacts - planted + 1):
        first, last = rng.choice(firsts), rng.choice(surnames)
        company = rng.randint(1, companies) if rng.random() < 0.8 else None
        people.append((i, f"{first} {last}", company))
        emails.append((i, f"p{i}@mail.example.org"))
        if rng.random() < 0.6:
            phones.append((i, f"+44 20 {i // 10000:04d} {i % 10000:04d}"))
    pairs = {}
    nicknames = [(full.title(), short.split()[0].title()) for full, short in _SHORT_FORMS.items()]
    for n in range(planted):
        original = rng.randrange(1, len(people) + 1)
        _, name, company = people[original - 1]
        first, last = name.split(" ", 1)
        j = len(people) + 1
        how = KINDS[n % len(KINDS)]
        company = company or rng.randint(1, companies)
        people[original - 1] = (original, name, company)
        if how == "mailbox":
            emails.append((j, f"P{original}+news@Mail.Example.org".lower()))
            copy = name
        elif how == "phone":
            phones.append((original, f"+44 20 7946 {original:06d}"))
            phones.append((j, f"+44 (0)20 7946 {original:06d}"))
            copy = f"{last}, {first}"
        elif how == "nickname":
            full, short = rng.choice(nicknames)
            people[original - 1] = (original, f"{full} {last}", company)
            copy = f"{short} {last}"
        elif how == "order":
            copy = f"{last.upper()} {first.lower()}"
        else:
            copy = f"{first[0]}. {last}"
        people.append((j, copy, company))
        pairs[(original, j)] = how
    conn.executemany(
        "INSERT INTO contacts(id, uid, name, name_key, company_id, created_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        [(i, str(uuid.uuid4()), name, name_key(name), co, NOW, NOW) for i, name, co in people],
    )
    conn.executemany("INSERT INTO contact_emails(contact_id, email) VALUES (?, ?)", emails)
    conn.executemany("INSERT INTO contact_phones(contact_id, phone) VALUES (?, ?)", phones)
    conn.execute("COMMIT")
    conn.close()
    return pairs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=100_000)
    parser.add_argument("--planted", type=int, default=500, help="duplicate pairs to plant")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--db", type=Path, help="measure this database instead of building one")
    args = parser.parse_args(argv)

    planted: dict[tuple[int, int], str] = {}
    with tempfile.TemporaryDirectory() as folder:
        path = args.db
        if path is None:
            path = Path(folder) / "dupes.db"
            started = time.perf_counter()
            planted = build(path, args.contacts, args.planted, args.seed)
            print(f"built {args.contacts} contacts in {time.perf_counter() - started:.1f} s")
        db = open_db(path, create=False)
        count = db.execute("SELECT count(*) FROM contacts").fetchone()[0]
        for kind in ("contact", "company"):
            started, cpu = time.perf_counter(), time.process_time()
            groups = find_dupes(db, kind)
            took, cpu = time.perf_counter() - started, time.process_time() - cpu
            pairs = sum(len(group.pairs) for group in groups)
            print(
                f"dupes --kind {kind}: {len(groups)} groups, {pairs} pairs"
                f" in {took:.2f} s ({cpu:.2f} s of CPU)"
            )
            if kind == "contact" and planted:
                found = {(p.a, p.b) for group in groups for p in group.pairs}
                missed = {key: how for key, how in planted.items() if key not in found}
                for how in KINDS:
                    total = sum(1 for h in planted.values() if h == how)
                    lost = sum(1 for h in missed.values() if h == how)
                    print(f"  planted {how}: {total - lost}/{total} found")
        db.close()
    print(f"({count} contacts; Python {sys.version.split()[0]}, SQLite {sqlite3.sqlite_version})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
