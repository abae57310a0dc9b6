"""A deterministic synthetic CRM for benchmarks: `python bench/generate.py [--scale S]`.

At scale 1: 10 000 companies, 100 000 contacts, 1 000 000 interactions, 20 000 deals in
three pipelines with their stage history, 50 000 follow-ups; plus 100 000-row contact
exports in the Google and Outlook.com CSV layouts (docs: ../shared/EXPORT_FORMATS.md).
The same seed gives the same data, byte for byte, whatever the machine.

The database is created and migrated by pcrm's own store code (open_db), so it has exactly
the schema pcrm has. Rows go in with executemany in one transaction with the search
triggers set aside, then the search index is filled the way the migrations fill it (one
INSERT ... SELECT per kind: ~10x faster than a trigger per row, see PERF_NOTES.md) and the
triggers are put back as they were.

Activity is skewed as in life: a few contacts (the "busiest", contact 1 first) have a
few thousand interactions each, most have a handful.
"""

from __future__ import annotations

import argparse
import csv
import random
import sqlite3
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from pcrm.core.people.text import name_key
from pcrm.core.vocabulary import INTERACTION_KINDS
from pcrm.store.db import open_db
from pcrm.store.health import rebuild_search_index

HERE = Path(__file__).parent
DEFAULT_OUT = HERE / "data"
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)  # the tests' and docs' "now"
YEARS_OF_HISTORY = 3

FULL = {
    "companies": 10_000,
    "contacts": 100_000,
    "interactions": 1_000_000,
    "deals": 20_000,
    "tasks": 50_000,
    "csv_rows": 100_000,
}

FIRST = [
    "Ada",
    "Grace",
    "Alan",
    "Katherine",
    "Linus",
    "Margaret",
    "Dennis",
    "Barbara",
    "Ken",
    "Frances",
    "Edsger",
    "Radia",
    "John",
    "Hedy",
    "Tim",
    "Sophie",
    "Donald",
    "Annie",
    "Niklaus",
    "Joan",
    "Guido",
    "Shafi",
    "Leslie",
    "Mary",
    "Claude",
    "Evelyn",
    "Zoë",
    "Björn",
    "Chloé",
    "Søren",
    "Ana",
    "María",
    "José",
    "Łukasz",
    "Aoife",
    "Dmitri",
    "Priya",
    "Wei",
    "Yuki",
    "Kwame",
    "Amara",
    "Omar",
    "Fatima",
    "Lars",
    "Ingrid",
    "Mateo",
    "Lucía",
    "Élodie",
    "François",
    "Hannah",
    "Jonas",
    "Noor",
    "Ravi",
    "Siobhan",
    "Tomás",
]
LAST = [
    "Lovelace",
    "Hopper",
    "Turing",
    "Johnson",
    "Torvalds",
    "Hamilton",
    "Ritchie",
    "Liskov",
    "Thompson",
    "Allen",
    "Dijkstra",
    "Perlman",
    "McCarthy",
    "Lamarr",
    "Berners-Lee",
    "Wilson",
    "Knuth",
    "Easley",
    "Wirth",
    "Clarke",
    "Rossum",
    "Goldwasser",
    "Lamport",
    "Jackson",
    "Shannon",
    "Boyd",
    "Müller",
    "Ødegaard",
    "García",
    "Núñez",
    "Kowalski",
    "O'Brien",
    "Ivanov",
    "Sharma",
    "Zhang",
    "Tanaka",
    "Mensah",
    "Okafor",
    "Haddad",
    "Khan",
    "Nilsson",
    "Berg",
    "Romero",
    "Fernández",
    "Dubois",
    "Lefèvre",
    "Schmidt",
    "Weber",
    "Rahman",
    "Patel",
    "Murphy",
    "Silva",
]
WORDS = [
    "Kestrel",
    "Analytical",
    "Harbor",
    "Northwind",
    "Blue",
    "Granite",
    "Copper",
    "Meridian",
    "Summit",
    "Pioneer",
    "Atlas",
    "Vertex",
    "Lumen",
    "Cobalt",
    "Orchid",
    "Falcon",
    "Willow",
    "Cedar",
    "Aurora",
    "Quartz",
    "Beacon",
    "Tidal",
    "Ember",
    "Polar",
]
SUFFIXES = ("Ltd", "GmbH", "Inc", "SA", "BV", "Labs", "Systems", "& Co", "Group", "AB")
INDUSTRIES = ("software", "manufacturing", "retail", "finance", "health", "education", "media")
SIZES = ("1-10", "11-50", "51-200", "201-1000", "1000+")
SOURCES = ("referral", "website", "event", "linkedin", "cold email", "partner", None)
TITLES = ("CEO", "CTO", "Head of Sales", "Engineer", "Buyer", "Office Manager", "Founder", None)
TAGS = ("vip", "prospect", "customer", "partner", "press", "investor", "newsletter", "berlin")
SENTENCES = (
    "Call: wants a quote for {n} seats",
    "Sent the proposal, follow up next week",
    "Demo went well; asked about SSO and the API",
    "Met at the conference, interested in the {w} plan",
    "Email: budget approved for Q{q}",
    "Left a voicemail about the renewal",
    "Lunch meeting, introduced to their {w} team",
    "Negotiating the discount: {n}% on two years",
    "Message: can we move the call to Thursday?",
    "Note: prefers email, travels a lot in {w}",
)
PIPELINES = (
    ("Sales", True),  # the default pipeline and its stages come from the migrations
    ("Partnerships", False),
    ("Renewals", False),
)
EXTRA_STAGES = {
    "Partnerships": (("Intro", 10, 30), ("Pilot", 40, 45), ("Contract", 80, 30)),
    "Renewals": (("Due", 50, 30), ("Quoted", 70, 21), ("Signed off", 90, 14)),
}
CURRENCIES = (("EUR", 2, "Euro"), ("USD", 2, "US Dollar"), ("GBP", 2, "Pound Sterling"))
RULES = ("FREQ=WEEKLY", "FREQ=MONTHLY;BYMONTHDAY=1", "FREQ=DAILY;INTERVAL=14")


def iso(moment: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(moment))


class Maker:
    """Every random choice comes from one seeded generator, in a fixed order."""

    def __init__(self, seed: int, scale: float) -> None:
        self.rng = random.Random(seed)
        self.n = {key: max(1, round(value * scale)) for key, value in FULL.items()}
        self.now = NOW.timestamp()
        self.start = self.now - YEARS_OF_HISTORY * 365 * 86400

    def uid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def moment(self, after: float | None = None) -> float:
        low = self.start if after is None else after
        return self.rng.uniform(low, self.now)

    def person(self, index: int) -> tuple[str, str]:
        first, last = self.rng.choice(FIRST), self.rng.choice(LAST)
        return first, last

    def sentence(self) -> str:
        template = self.rng.choice(SENTENCES)
        return template.format(
            n=self.rng.randint(2, 200), w=self.rng.choice(WORDS), q=self.rng.randint(1, 4)
        )


def slug(text: str) -> str:
    return "".join(ch for ch in name_key(text) if ch.isalnum())


# The database


def companies(m: Maker) -> Iterator[tuple]:
    for i in range(1, m.n["companies"] + 1):
        name = f"{m.rng.choice(WORDS)} {m.rng.choice(WORDS)} {m.rng.choice(SUFFIXES)}"
        domain = f"{slug(name)}{i}.example.com"
        at = iso(m.moment())
        yield (
            i,
            m.uid(),
            name,
            name_key(name),
            domain,
            f"https://{domain}",
            m.rng.choice(INDUSTRIES),
            m.rng.choice(SIZES),
            None,
            at,
            at,
        )


def contacts(m: Maker) -> Iterator[tuple]:
    companies_n = m.n["companies"]
    for i in range(1, m.n["contacts"] + 1):
        first, last = m.person(i)
        name = f"{first} {last}"
        company = m.rng.randint(1, companies_n) if m.rng.random() < 0.8 else None
        birthday = (
            date(m.rng.randint(1950, 2000), m.rng.randint(1, 12), m.rng.randint(1, 28)).isoformat()
            if m.rng.random() < 0.3
            else None
        )
        cadence = m.rng.choice((14, 30, 90)) if m.rng.random() < 0.05 else None
        note = f"Met via {m.rng.choice(WORDS)}; likes {m.rng.choice(WORDS)}" if i % 7 == 0 else None
        at = iso(m.moment())
        yield (
            i,
            m.uid(),
            name,
            name_key(name),
            company,
            m.rng.choice(TITLES),
            m.rng.choice(SOURCES),
            birthday,
            note,
            at,
            at,
            cadence,
        )


def emails_and_phones(m: Maker) -> tuple[list[tuple], list[tuple], list[tuple]]:
    emails, phones, tags = [], [], []
    for i in range(1, m.n["contacts"] + 1):
        emails.append((i, f"person{i}@mail{i % 97}.example.org", "work", 0))
        if m.rng.random() < 0.25:
            emails.append((i, f"p{i}.home@example.net", "home", 1))
        if m.rng.random() < 0.6:
            phones.append((i, f"+44 20 {m.rng.randint(1000, 9999)} {i:06d}", "mobile", 0))
        for tag_id in m.rng.sample(range(1, len(TAGS) + 1), m.rng.choice((0, 0, 1, 1, 2, 3))):
            tags.append((i, tag_id))
    return emails, phones, tags


def activity_weights(m: Maker) -> list[float]:
    """Zipf-like, 1/(k + 50): the busiest few have a few thousand interactions, the median
    contact a handful. Shuffled, except that contact 1 stays the busiest."""
    count = m.n["contacts"]
    weights = [1 / (k + 50) for k in range(1, count + 1)]
    tail = weights[1:]
    m.rng.shuffle(tail)
    return [weights[0], *tail]


def interactions(
    m: Maker, company_of: list[int | None], deal_ids: list[int]
) -> tuple[list[tuple], list[tuple], dict[int, str]]:
    count = m.n["interactions"]
    people = range(1, m.n["contacts"] + 1)
    who = m.rng.choices(people, weights=activity_weights(m), k=count)
    moments = []
    for _ in range(count):
        moment = m.moment()
        if m.rng.random() < 0.01:  # a few planned ones, in the next month
            moment = m.now + m.rng.uniform(3600, 30 * 86400)
        moments.append(moment)
    moments.sort()  # ids grow with time, as when logged day by day (and indexes fill in order)
    rows, links = [], []
    last_contacted: dict[int, str] = {}
    for i, moment in enumerate(moments, start=1):
        contact = who[i - 1]
        at = iso(moment)
        deal = m.rng.choice(deal_ids) if deal_ids and m.rng.random() < 0.05 else None
        rows.append(
            (
                i,
                m.uid(),
                m.rng.choice(INTERACTION_KINDS),
                at,
                m.sentence(),
                company_of[contact],
                at,
                deal,
            )
        )
        links.append((i, contact))
        if m.rng.random() < 0.1:
            other = m.rng.randint(1, m.n["contacts"])
            if other != contact:
                links.append((i, other))
        if moment <= m.now:
            last_contacted[contact] = at  # in time order: the last one wins
    return rows, links, last_contacted


def pipelines(conn: sqlite3.Connection, m: Maker) -> list[tuple[int, list[tuple[int, str]]]]:
    """The three pipelines: (pipeline id, [(stage id, name) in order])."""
    result = []
    for name, is_default in PIPELINES:
        if is_default:
            pipeline_id = conn.execute("SELECT id FROM pipelines WHERE is_default = 1").fetchone()[
                0
            ]
        else:
            pipeline_id = conn.execute(
                "INSERT INTO pipelines(uid, name, is_default, created_at) VALUES (?, ?, 0, ?)",
                [m.uid(), name, iso(m.start)],
            ).lastrowid
            for position, (stage, probability, rot) in enumerate(EXTRA_STAGES[name], start=1):
                conn.execute(
                    "INSERT INTO stages(uid, pipeline_id, name, position, probability, rot_days)"
                    " VALUES (?, ?, ?, ?, ?, ?)",
                    [m.uid(), pipeline_id, stage, position, probability, rot],
                )
        stages = conn.execute(
            "SELECT id, name FROM stages WHERE pipeline_id = ? ORDER BY position", [pipeline_id]
        ).fetchall()
        result.append((pipeline_id, stages))
    return result


def deals(
    m: Maker, boards: list[tuple[int, list[tuple[int, str]]]], company_of: list[int | None]
) -> tuple[list[tuple], list[tuple], list[tuple]]:
    rows, history, members = [], [], []
    for i in range(1, m.n["deals"] + 1):
        pipeline_id, stages = boards[0] if m.rng.random() < 0.7 else m.rng.choice(boards[1:])
        contact = m.rng.randint(1, m.n["contacts"])
        created = m.moment()
        reached = m.rng.randint(1, len(stages))
        status = m.rng.choices(("open", "won", "lost"), weights=(60, 25, 15))[0]
        moment = created
        previous: tuple[int, str] | None = None
        for stage in stages[:reached]:
            history.append(
                (
                    i,
                    iso(moment),
                    *(previous or (None, None)),
                    *stage,
                    "open" if previous else None,
                    "open",
                )
            )
            previous = stage
            entered = moment
            moment = moment + m.rng.uniform(0.5, 1.5) * (m.now - moment) / (len(stages) + 1)
        assert previous is not None
        closed_at = None
        if status != "open":
            closed_at = iso(moment)
            history.append((i, closed_at, *previous, *previous, "open", status))
        value = m.rng.randint(5, 500) * 10_000
        title = (
            f"{m.rng.choice(WORDS)} {m.rng.choice(('licence', 'pilot', 'renewal', 'services'))} {i}"
        )
        rows.append(
            (
                i,
                m.uid(),
                title,
                name_key(title),
                value,
                m.rng.choice(CURRENCIES)[0],
                company_of[contact],
                pipeline_id,
                previous[0],
                status,
                (NOW.date() + timedelta(days=m.rng.randint(-60, 120))).isoformat(),
                m.rng.choice(SOURCES),
                "price" if status == "lost" else None,
                closed_at,
                iso(entered),
                closed_at or iso(entered),  # last activity
                iso(created),
                closed_at or iso(entered),  # updated
            )
        )
        members.append((i, contact, "champion"))
    return rows, history, members


def tasks(m: Maker, deals_n: int) -> Iterator[tuple]:
    today = NOW.date()
    for i in range(1, m.n["tasks"] + 1):
        due = today + timedelta(days=m.rng.randint(-60, 90))
        done = m.rng.random() < 0.3
        rule = m.rng.choice(RULES) if m.rng.random() < 0.05 else None
        created = iso(m.moment())
        yield (
            i,
            m.uid(),
            f"Follow up: {m.sentence()}",
            m.rng.randint(1, m.n["contacts"]),
            m.rng.randint(1, deals_n) if m.rng.random() < 0.2 else None,
            due.isoformat(),
            rule,
            (due - timedelta(days=7)).isoformat() if rule else None,
            "done" if done else "open",
            created if done else None,
            created,
            created,
        )


def placeholders(row: tuple) -> str:
    return ",".join("?" * len(row))


def insert(conn: sqlite3.Connection, sql: str, rows: list[tuple]) -> None:
    if rows:
        conn.executemany(sql.format(marks=placeholders(rows[0])), rows)


def build_database(path: Path, m: Maker, log: Callable[[str], None]) -> None:
    db = open_db(path, create=True)  # pcrm's own file creation, pragmas and migrations
    db.close()
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA foreign_keys = ON")
    # A bulk load into random-order indexes (uids) thrashes SQLite's default 2 MB cache.
    conn.execute("PRAGMA cache_size = -400000")
    conn.execute("BEGIN IMMEDIATE")
    # Set the search triggers aside for the bulk load; the index is filled once at the end.
    triggers = conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND sql LIKE '%search_index%'"
    ).fetchall()
    for name, _ in triggers:
        conn.execute(f'DROP TRIGGER "{name}"')

    conn.executemany(
        "INSERT OR IGNORE INTO currencies(code, exponent, name) VALUES (?, ?, ?)", CURRENCIES
    )
    conn.executemany("INSERT INTO tags(id, name) VALUES (?, ?)", list(enumerate(TAGS, start=1)))
    insert(
        conn,
        "INSERT INTO companies(id, uid, name, name_key, domain, website, industry, size, note,"
        " created_at, updated_at) VALUES ({marks})",
        list(companies(m)),
    )
    contact_rows = list(contacts(m))
    insert(
        conn,
        "INSERT INTO contacts(id, uid, name, name_key, company_id, title, source, birthday, note,"
        " created_at, updated_at, cadence_days) VALUES ({marks})",
        contact_rows,
    )
    company_of: list[int | None] = [None] + [row[4] for row in contact_rows]
    del contact_rows
    emails, phones, tag_links = emails_and_phones(m)
    insert(
        conn,
        "INSERT INTO contact_emails(contact_id, email, label, position) VALUES ({marks})",
        emails,
    )
    insert(
        conn,
        "INSERT INTO contact_phones(contact_id, phone, label, position) VALUES ({marks})",
        phones,
    )
    insert(conn, "INSERT INTO contact_tags(contact_id, tag_id) VALUES ({marks})", tag_links)
    log(f"companies and contacts ({len(emails)} emails, {len(phones)} phones)")

    boards = pipelines(conn, m)
    deal_rows, history, members = deals(m, boards, company_of)
    insert(
        conn,
        "INSERT INTO deals(id, uid, title, title_key, value, currency, company_id, pipeline_id,"
        " stage_id, status, expected_close, source, lost_reason, closed_at, stage_entered_at,"
        " last_activity_at, created_at, updated_at) VALUES ({marks})",
        deal_rows,
    )
    insert(
        conn,
        "INSERT INTO deal_history(deal_id, at, from_stage_id, from_stage, to_stage_id, to_stage,"
        " from_status, to_status) VALUES ({marks})",
        history,
    )
    insert(conn, "INSERT INTO deal_contacts(deal_id, contact_id, role) VALUES ({marks})", members)
    log(f"deals ({len(history)} history rows)")

    rows, links, last_contacted = interactions(m, company_of, [row[0] for row in deal_rows])
    insert(
        conn,
        "INSERT INTO interactions(id, uid, kind, at, text, company_id, created_at, deal_id)"
        " VALUES ({marks})",
        rows,
    )
    del rows
    insert(
        conn, "INSERT INTO interaction_contacts(interaction_id, contact_id) VALUES ({marks})", links
    )
    conn.executemany(
        "UPDATE contacts SET last_contacted_at = ? WHERE id = ?",
        [(at, contact) for contact, at in last_contacted.items()],
    )
    log(f"interactions ({len(links)} links)")

    insert(
        conn,
        "INSERT INTO tasks(id, uid, title, contact_id, deal_id, due_date, rrule, series_start,"
        " status, done_at, created_at, updated_at) VALUES ({marks})",
        list(tasks(m, len(deal_rows))),
    )
    log("follow-ups")

    rebuild_search_index(conn)
    for _, sql in triggers:
        conn.execute(sql)
    conn.execute("COMMIT")
    log("search index")
    conn.execute("ANALYZE")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()


# The CSV exports

GOOGLE_HEADER = [
    "First Name",
    "Middle Name",
    "Last Name",
    "Phonetic First Name",
    "Phonetic Middle Name",
    "Phonetic Last Name",
    "Name Prefix",
    "Name Suffix",
    "Nickname",
    "File As",
    "Organization Name",
    "Organization Title",
    "Organization Department",
    "Birthday",
    "Notes",
    "Photo",
    "Labels",
    "E-mail 1 - Label",
    "E-mail 1 - Value",
    "E-mail 2 - Label",
    "E-mail 2 - Value",
    "Phone 1 - Label",
    "Phone 1 - Value",
    "Phone 2 - Label",
    "Phone 2 - Value",
    "Address 1 - Label",
    "Address 1 - Formatted",
    "Address 1 - Street",
    "Address 1 - City",
    "Address 1 - PO Box",
    "Address 1 - Region",
    "Address 1 - Postal Code",
    "Address 1 - Country",
    "Address 1 - Extended Address",
    "Website 1 - Label",
    "Website 1 - Value",
]
OUTLOOK_HEADER = [
    "First Name",
    "Middle Name",
    "Last Name",
    "Title",
    "Suffix",
    "Nickname",
    "Given Yomi",
    "Surname Yomi",
    "E-mail Address",
    "E-mail 2 Address",
    "E-mail 3 Address",
    "Home Phone",
    "Home Phone 2",
    "Business Phone",
    "Business Phone 2",
    "Mobile Phone",
    "Car Phone",
    "Other Phone",
    "Primary Phone",
    "Pager",
    "Business Fax",
    "Home Fax",
    "Other Fax",
    "Company Main Phone",
    "Callback",
    "Radio Phone",
    "Telex",
    "TTY/TDD Phone",
    "IMAddress",
    "Job Title",
    "Department",
    "Company",
    "Office Location",
    "Manager's Name",
    "Assistant's Name",
    "Assistant's Phone",
    "Company Yomi",
    "Business Street",
    "Business City",
    "Business State",
    "Business Postal Code",
    "Business Country/Region",
    "Home Street",
    "Home City",
    "Home State",
    "Home Postal Code",
    "Home Country/Region",
    "Other Street",
    "Other City",
    "Other State",
    "Other Postal Code",
    "Other Country/Region",
    "Personal Web Page",
    "Spouse",
    "Schools",
    "Hobby",
    "Location",
    "Web Page",
    "Birthday",
    "Anniversary",
    "Notes",
]
CITIES = ("London", "Berlin", "Paris", "Lisbon", "Oslo", "Dublin", "Zürich", "Kraków")


def export_people(m: Maker) -> Iterator[dict[str, str]]:
    """People as an address book holds them (not the database's people)."""
    for i in range(1, m.n["csv_rows"] + 1):
        first, last = m.person(i)
        company = f"{m.rng.choice(WORDS)} {m.rng.choice(SUFFIXES)}" if m.rng.random() < 0.7 else ""
        birthday = None
        if m.rng.random() < 0.3:
            birthday = date(m.rng.randint(1950, 2000), m.rng.randint(1, 12), m.rng.randint(1, 28))
        note = ""
        if m.rng.random() < 0.1:
            note = f"Met at {m.rng.choice(CITIES)}, {m.rng.choice(WORDS)}\nAsked for a call back"
        yield {
            "first": first,
            "last": last,
            "company": company,
            "title": m.rng.choice(TITLES) or "",
            "email": f"contact{i}@{slug(company) or 'mail'}.example.com",
            "email2": f"c{i}.home@example.net" if m.rng.random() < 0.2 else "",
            "mobile": f"+33 6 {m.rng.randint(10, 99)} {i:06d}" if m.rng.random() < 0.6 else "",
            "work": f"+49 30 {i:07d}" if m.rng.random() < 0.3 else "",
            "birthday": birthday,
            "city": m.rng.choice(CITIES),
            "labels": m.rng.sample(
                ("Clients", "Friends", "Suppliers", "Leads"), m.rng.randint(0, 2)
            ),
            "note": note,
        }


def write_google(path: Path, m: Maker) -> None:
    """UTF-8 without BOM, CRLF; ` ::: ` joins labels; `* myContacts` is a system label."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(GOOGLE_HEADER)
        for p in export_people(m):
            row = dict.fromkeys(GOOGLE_HEADER, "")
            row.update(
                {
                    "First Name": p["first"],
                    "Last Name": p["last"],
                    "File As": f"{p['last']}, {p['first']}",
                    "Organization Name": p["company"],
                    "Organization Title": p["title"],
                    "Birthday": p["birthday"].isoformat() if p["birthday"] else "",
                    "Notes": p["note"],
                    "Labels": " ::: ".join([*p["labels"], "* myContacts"]),
                    "E-mail 1 - Label": "* Work",
                    "E-mail 1 - Value": p["email"],
                    "E-mail 2 - Label": "Home" if p["email2"] else "",
                    "E-mail 2 - Value": p["email2"],
                    "Phone 1 - Label": "Mobile" if p["mobile"] else "",
                    "Phone 1 - Value": p["mobile"],
                    "Phone 2 - Label": "Work" if p["work"] else "",
                    "Phone 2 - Value": p["work"],
                    "Address 1 - Label": "Work",
                    "Address 1 - City": p["city"],
                }
            )
            writer.writerow(row.values())


def write_outlook(path: Path, m: Maker) -> None:
    """Outlook.com: UTF-8 with a BOM, CRLF, quotes only where needed, birthdays M/D/YYYY."""
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(OUTLOOK_HEADER)
        for p in export_people(m):
            row = dict.fromkeys(OUTLOOK_HEADER, "")
            birthday = p["birthday"]
            row.update(
                {
                    "First Name": p["first"],
                    "Last Name": p["last"],
                    "E-mail Address": p["email"],
                    "E-mail 2 Address": p["email2"],
                    "Mobile Phone": p["mobile"],
                    "Business Phone": p["work"],
                    "Job Title": p["title"],
                    "Company": p["company"],
                    "Business City": p["city"],
                    "Birthday": f"{birthday.month}/{birthday.day}/{birthday.year}"
                    if birthday
                    else "",
                    "Notes": p["note"],
                }
            )
            writer.writerow(row.values())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of the full size")
    parser.add_argument("--seed", type=int, default=8, help="the random seed (default 8)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder")
    parser.add_argument("--force", action="store_true", help="replace existing files")
    parser.add_argument("--no-csv", action="store_true", help="only the database")
    parser.add_argument(
        "--csv-only",
        action="store_true",
        help="only the CSV files (--scale 10: 1 000 000 rows, for the import's memory)",
    )
    args = parser.parse_args(argv)

    args.out.mkdir(mode=0o700, parents=True, exist_ok=True)  # as pcrm makes its own folder
    db_path = args.out / "bench.db"
    outputs = ([] if args.csv_only else [db_path]) + (
        [] if args.no_csv else [args.out / "google.csv", args.out / "outlook.csv"]
    )
    existing = [path for path in outputs if path.exists()]
    if existing and not args.force:
        print(f"{existing[0]} exists (use --force to replace it)", file=sys.stderr)
        return 1
    for path in existing:
        path.unlink()
    for suffix in ("-wal", "-shm"):
        db_path.with_name(db_path.name + suffix).unlink(missing_ok=True)

    started = time.perf_counter()

    def log(what: str) -> None:
        print(f"{time.perf_counter() - started:7.1f} s  {what}", file=sys.stderr)

    maker = Maker(args.seed, args.scale)
    if not args.csv_only:
        build_database(db_path, maker, log)
    if not args.no_csv:
        write_google(args.out / "google.csv", Maker(args.seed + 1, args.scale))
        write_outlook(args.out / "outlook.csv", Maker(args.seed + 1, args.scale))
        log(f"CSV files ({maker.n['csv_rows']} rows each)")
    sizes = ", ".join(f"{path.name} {path.stat().st_size / 1e6:.0f} MB" for path in outputs)
    print(f"wrote {sizes} in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
