"""The import decides rows a batch at a time (core/importing/batch.py): wherever the batch
boundaries fall, inside a run of duplicates or not, the outcome and the file are the same
as with one batch for the whole file."""

from __future__ import annotations

import csv
import json
import sqlite3
from pathlib import Path

import pytest

from conftest import NOW
from pcrm.core.importing.importer import BATCH_ROWS, Importer, ImportOptions
from pcrm.formats.contact_rows import ParsedContact
from pcrm.store.db import session
from test_import_presets import ok


def rows() -> list[ParsedContact]:
    """A run of duplicates of every kind: by name + company, email, E.164 phone, short
    phone, an email another contact owns, stages and custom fields, rejects and a blank."""
    spec = [
        dict(name="Ada Lovelace", emails=[("home", "ada.home@y.org")], company="Acme"),
        dict(name="Grace Hopper", emails=[(None, "grace@navy.mil")],
             phones=[("work", "+1 202 555 0101")], tags=["navy"]),
        dict(name="G. Hopper", emails=[(None, "GRACE@navy.mil")], title="Rear Admiral"),
        dict(name="grace hopper", phones=[(None, "(+1) 202-555-0101")], note="COBOL"),
        dict(name="Alan Turing", emails=[(None, "grace@navy.mil"), (None, "ada@x.org")]),
        dict(name="Alan Turing", emails=[("work", "alan@bletchley.uk")]),
        dict(name="alan  TURING", phones=[(None, "12345")], tags=["Navy", "maths"]),
        dict(name="Alan Turing", phones=[(None, "12-345")]),
        dict(company="Initech", phones=[(None, "n/a")]),
        dict(),
        dict(name="Hedy Lamarr", stage="customer", fields={"size": "5"}),
        dict(name="Hedy Lamarr", stage="lead", fields={"size": "7"}, company="MGM"),
        dict(name="Hedy Lamarr", emails=[("work", "hedy@mgm.com")], company="MGM"),
        dict(name="Ada Lovelace", emails=[("work", "ada.home@y.org")], company="acme"),
        dict(emails=[(None, "not-an-address")]),
        dict(name="Grace Hopper", emails=[(None, "ada@x.org")], company="Navy"),
    ]  # fmt: skip
    return [ParsedContact(line, [str(line)], **row) for line, row in enumerate(spec, start=2)]


def run(db_path: Path, policy: str, batch_size: int) -> tuple[list[str], object]:
    with session(db_path, write=True) as db:
        importer = Importer(db, NOW, ImportOptions(policy, ["imported"]), batch_size=batch_size)
        outcomes = [outcome for _row, outcome in importer.import_rows(rows())]
    return outcomes, importer.report


def content(db_path: Path) -> dict[str, list]:
    """What the file holds about contacts, without the random uids."""
    conn = sqlite3.connect(db_path)
    queries = {
        "contacts": "SELECT c.id, c.name, c.name_key, co.name, c.title, c.note, c.created_at,"
        " c.updated_at, c.lifecycle_stage FROM contacts c"
        " LEFT JOIN companies co ON co.id = c.company_id ORDER BY c.id",
        "emails": "SELECT contact_id, email, label, position FROM contact_emails ORDER BY 1, 4",
        "phones": "SELECT contact_id, phone, label, position FROM contact_phones ORDER BY 1, 4",
        "tags": "SELECT contact_id, name FROM contact_tags JOIN tags ON tags.id = tag_id"
        " ORDER BY 1, 2",
        "fields": "SELECT * FROM contact_field_values ORDER BY 1, 2",
        "history": "SELECT contact_id, from_stage, to_stage, reason FROM lifecycle_history"
        " ORDER BY id",
        "search": "SELECT rowid, title, body FROM search_index WHERE kind = 'contact'"
        " ORDER BY rowid",
        "triggers": "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name",
    }
    try:
        return {name: conn.execute(sql).fetchall() for name, sql in queries.items()}
    finally:
        conn.close()


@pytest.fixture
def book(cli, db_path: Path) -> Path:
    ok(cli("contact", "add", "Ada Lovelace", "-e", "ada@x.org", "-c", "Acme"))
    ok(cli("field", "add", "size", "--type", "number", "--on", "contact"))
    return db_path


@pytest.mark.parametrize("policy", ["merge", "update", "skip", "create"])
def test_batch_boundaries_anywhere_give_the_same_import(book: Path, tmp_path: Path, policy):
    copy = tmp_path / "before.db"
    with sqlite3.connect(book) as source, sqlite3.connect(copy) as target:
        source.backup(target)
    whole = run(book, policy, BATCH_ROWS)
    expected = content(book)
    for batch_size in (1, 2, 3, 5):
        path = tmp_path / f"batch-{batch_size}.db"
        with sqlite3.connect(copy) as source, sqlite3.connect(path) as target:
            source.backup(target)
        assert run(path, policy, batch_size) == whole, batch_size
        assert content(path) == expected, batch_size


def test_a_run_of_duplicates_merges_into_the_contacts_it_names(book: Path):
    outcomes, report = run(book, "merge", 3)
    assert outcomes == [
        "merged",  # Ada by name at the same company: adds her home email
        "created",  # Grace
        "merged",  # her email in another case: adds the title
        "merged",  # her phone written another way, her name: adds the note
        "unchanged",  # Alan's emails are Grace's and Ada's: the lower id (Ada) wins, a warning
        "created",  # Alan Turing
        "created",  # Alan by name, but an email there and a phone here: another, a warning
        "unchanged",  # the same phone, written another way, and the same name
        "rejected",  # no name, email or phone: a company and "n/a"
        "empty",
        "created",  # Hedy, a customer with a size
        "created",  # Hedy at MGM is another Hedy
        "merged",  # ... who gets an email
        "unchanged",  # Ada at acme: her home email keeps its label (merge fills blanks)
        "rejected",  # a bad email and nothing else
        "unchanged",  # Grace at Navy has Ada's email: Ada, who has a company already
    ]
    assert [(note.line, note.message) for note in report.rejects] == [
        (10, 'no name, email or phone number (phone "n/a" is not a phone number)'),
        (16, 'no name, email or phone number (email "not-an-address" is not a valid address)'),
    ]
    assert [(note.line, note.message) for note in report.warnings] == [
        (6, "grace@navy.mil belongs to contact 2; not added to 1"),
        (
            8,
            "same name as contact 3 (Alan Turing) but no email or phone in common:"
            " created apart; see pcrm dupes",
        ),
    ]
    data = content(book)
    assert [row[1:5] for row in data["contacts"]] == [
        ("Ada Lovelace", "ada lovelace", "Acme", None),
        ("Grace Hopper", "grace hopper", None, "Rear Admiral"),
        ("Alan Turing", "alan turing", None, None),
        ("alan TURING", "alan turing", None, None),
        ("Hedy Lamarr", "hedy lamarr", None, None),
        ("Hedy Lamarr", "hedy lamarr", "MGM", None),
    ]
    assert data["emails"] == [
        (1, "ada@x.org", None, 0),
        (1, "ada.home@y.org", "home", 1),
        (2, "grace@navy.mil", None, 0),
        (3, "alan@bletchley.uk", "work", 0),
        (6, "hedy@mgm.com", "work", 0),
    ]
    assert data["phones"] == [
        (2, "+1 202 555 0101", "work", 0),
        (4, "12345", None, 0),
    ]
    assert data["fields"] == [(5, 1, 5), (6, 1, 7)]
    assert data["history"] == [(5, None, "customer", "imported"), (6, None, "lead", "imported")]
    # every contact's search text is current, the triggers are back
    bodies = {rowid // 8: body for rowid, _title, body in data["search"]}
    assert "ada.home@y.org" in bodies[1] and "COBOL" in bodies[2] and "maths" in bodies[4]
    fresh = book.parent / "fresh.db"
    with session(fresh, write=True):
        pass
    conn = sqlite3.connect(fresh)
    schema_triggers = "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name"
    assert data["triggers"] == conn.execute(schema_triggers).fetchall()
    conn.close()


def test_a_duplicate_across_the_cli_batch_boundary(cli, db_path: Path, tmp_path: Path):
    """A file longer than one batch: the row after the boundary finds the contacts that
    rows of the first batch created, by email, phone and name."""
    path = tmp_path / "people.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Name", "Email", "Phone", "Notes"])
        for i in range(BATCH_ROWS):
            writer.writerow([f"Person {i}", f"p{i}@example.org", f"+33 6 12 {i:06d}", ""])
        writer.writerow(["Person 0", "", "", "by name"])
        writer.writerow(["Someone", f"P{BATCH_ROWS - 1}@example.org", "", "by email"])
        writer.writerow(["person 500", "", "+33612000500", "by phone"])
    result = ok(cli("import", "contacts", str(path)))
    assert result.splitlines()[1].startswith(f"created {BATCH_ROWS}, merged 3,")
    notes = {
        c["name"]: c["note"]
        for c in json.loads(ok(cli("contact", "list", "--json", "--limit", "0")))
        if c["note"]
    }
    assert notes == {"Person 0": "by name", f"Person {BATCH_ROWS - 1}": "by email",
                     "Person 500": "by phone"}  # fmt: skip
    found = ok(cli("search", "by phone")).splitlines()
    assert any("Person 500" in line for line in found)
