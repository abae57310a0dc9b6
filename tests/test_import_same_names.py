"""A name carried by many contacts without a company (issue 18, import at 300k rows).

The import keeps, per name without a company, only the contacts a row can match there
(core/importing/batch.py SameNames): the lowest id, and those with no email and no phone;
each name is read from SQL once per import and kept current by every batch. These tests
pin the matching rules on such names, wherever the batch boundaries fall: which contact
each row merges into, the warnings, the file's content, and undo."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from conftest import NOW
from pcrm.core.importing.importer import BATCH_ROWS, Importer, ImportOptions
from pcrm.formats.contact_rows import ParsedContact
from pcrm.store.db import session
from test_import_batches import content
from test_import_presets import ok

SIZES = (1, 2, 3, 5, BATCH_ROWS)


@pytest.fixture
def book(cli, db_path: Path) -> Path:
    """Five Sam Lees without a company: 1 has an email, 2 and 3 nothing (bare), 4 a short
    number, 5 nothing; and a Sam Lee at Acme (6)."""
    ok(cli("contact", "add", "Sam Lee", "-e", "sam1@x.org"))
    ok(cli("contact", "add", "Sam Lee"))
    ok(cli("contact", "add", "sam LEE"))
    ok(cli("contact", "add", "Sam Lee", "-p", "12345"))
    ok(cli("contact", "add", "Sam Lée"))
    ok(cli("contact", "add", "Sam Lee", "-c", "Acme", "-e", "sam.acme@x.org"))
    return db_path


def rows(spec: list[dict]) -> list[ParsedContact]:
    return [ParsedContact(line, [str(line)], **row) for line, row in enumerate(spec, start=2)]


def run(db_path: Path, spec: list[dict], policy: str, batch_size: int):
    with session(db_path, write=True) as db:
        importer = Importer(db, NOW, ImportOptions(policy), batch_size=batch_size)
        outcomes = [outcome for _row, outcome in importer.import_rows(rows(spec))]
    report = importer.report
    return outcomes, [(note.line, note.message) for note in report.warnings]


def copy_of(path: Path, target: Path) -> Path:
    with sqlite3.connect(path) as source, sqlite3.connect(target) as copy:
        source.backup(copy)
    return target


def same_everywhere(book: Path, tmp_path: Path, spec: list[dict], policy: str = "merge"):
    """The outcomes, warnings and file of one batch, checked equal for every batch size."""
    pristine = copy_of(book, tmp_path / "pristine.db")
    whole = run(book, spec, policy, BATCH_ROWS)
    expected = content(book)
    for size in SIZES[:-1]:
        path = copy_of(pristine, tmp_path / f"batch-{size}.db")
        assert run(path, spec, policy, size) == whole, size
        assert content(path) == expected, size
    return whole, expected


def warned(contact: str) -> str:
    return (
        f"same name as contact {contact} but no email or phone in common: created apart;"
        " see pcrm dupes"
    )


SAM = [
    dict(name="Sam Lee", emails=[(None, "new1@x.org")]),  # the lowest bare: 2
    dict(name="SAM LEE", emails=[(None, "new2@x.org")]),  # 2 has an email now: 3
    dict(name="Sam Lee", phones=[(None, "+44 20 7946 0000")]),  # 5, the last bare
    dict(name="Sam Lee", emails=[(None, "new3@x.org")]),  # none bare left: created (7)
    dict(name="Sam Lee", title="CTO"),  # nothing to tell: the lowest id, 1
    dict(name="Sam Lee", phones=[(None, "12-345")]),  # a short number: 4 has the digits
    dict(name="Sam Lee", phones=[(None, "999")]),  # a short number nobody has: created (8)
    dict(name="Sam Lee", emails=[(None, "sam1@x.org")], note="by email"),  # 1 by email
    dict(name="Sam Lee", company="ACME", title="Founder"),  # at Acme: 6
    dict(name="Sam Lee", company="Initech", emails=[(None, "new4@x.org")]),  # created (9)
]


def test_rows_merge_into_the_contacts_with_nothing_to_tell_them_apart(book: Path, tmp_path):
    (outcomes, warnings), data = same_everywhere(book, tmp_path, SAM)
    assert outcomes == [
        "merged", "merged", "merged", "created", "merged",
        "unchanged", "created", "merged", "merged", "created",
    ]  # fmt: skip
    assert warnings == [(5, warned("1 (Sam Lee)")), (8, warned("1 (Sam Lee)"))]
    assert [row[:5] for row in data["contacts"]] == [
        (1, "Sam Lee", "sam lee", None, "CTO"),
        (2, "Sam Lee", "sam lee", None, None),
        (3, "sam LEE", "sam lee", None, None),
        (4, "Sam Lee", "sam lee", None, None),
        (5, "Sam Lée", "sam lee", None, None),
        (6, "Sam Lee", "sam lee", "Acme", "Founder"),
        (7, "Sam Lee", "sam lee", None, None),
        (8, "Sam Lee", "sam lee", None, None),
        (9, "Sam Lee", "sam lee", "Initech", None),
    ]
    assert data["emails"] == [
        (1, "sam1@x.org", None, 0),
        (2, "new1@x.org", None, 0),
        (3, "new2@x.org", None, 0),
        (6, "sam.acme@x.org", None, 0),
        (7, "new3@x.org", None, 0),
        (9, "new4@x.org", None, 0),
    ]
    assert [(cid, phone) for cid, phone, _label, _pos in data["phones"]] == [
        (4, "12345"),
        (5, "+44 20 7946 0000"),
        (8, "999"),
    ]
    assert data["contacts"][0][5] == "by email"


def test_contacts_the_import_creates_bare_are_matched_in_later_batches(book, tmp_path):
    """A name first met in the import: a row with only the name creates a bare contact,
    which a later row with an email fills (once), and which a phone makes not bare."""
    spec = [
        dict(name="Zoe Quinn"),  # created bare (10... 7)
        dict(name="Zoe Quinn", emails=[(None, "zoe@x.org")]),  # fills 7
        dict(name="Zoe Quinn", emails=[(None, "zoe2@x.org")]),  # 7 has one: created (8)
        dict(name="Zoe Quinn", note="second"),  # nothing to tell: the lowest, 7
        dict(name="Max Ray"),  # created bare (9)
        dict(name="Max Ray", phones=[(None, "+1 202 555 0199")]),  # fills 9
        dict(name="Max Ray", emails=[(None, "max@x.org")]),  # 9 has a phone: created (10)
        dict(name="Sam Lee", emails=[(None, "new1@x.org")]),  # the book's lowest bare: 2
    ]
    (outcomes, warnings), data = same_everywhere(book, tmp_path, spec)
    assert outcomes == [
        "created", "merged", "created", "merged", "created", "merged", "created", "merged",
    ]  # fmt: skip
    assert warnings == [(4, warned("7 (Zoe Quinn)")), (8, warned("9 (Max Ray)"))]
    assert [(row[0], row[1], row[5]) for row in data["contacts"][6:]] == [
        (7, "Zoe Quinn", "second"),
        (8, "Zoe Quinn", None),
        (9, "Max Ray", None),
        (10, "Max Ray", None),
    ]
    assert [(cid, email) for cid, email, _label, _pos in data["emails"]] == [
        (1, "sam1@x.org"),
        (2, "new1@x.org"),
        (6, "sam.acme@x.org"),
        (7, "zoe@x.org"),
        (8, "zoe2@x.org"),
        (10, "max@x.org"),
    ]


def test_a_rename_in_update_mode_moves_the_contact_between_names(book, tmp_path):
    """--on-duplicate update renames the contact an email finds: it leaves its old name
    (the lowest Sam Lee is then 2) and joins the new one, in the same batch or a later."""
    spec = [
        dict(name="Sam Lee", title="first"),  # the lowest Sam Lee: 1
        dict(name="Samuel Lee", emails=[(None, "sam1@x.org")]),  # 1 is Samuel now
        dict(name="Sam Lee", title="second"),  # the lowest Sam Lee is 2
        dict(name="Samuel Lee", title="third"),  # Samuel: 1
        dict(name="Sam Lee", company="Acme", emails=[(None, "acme2@x.org")]),  # 6
        dict(name="Sam Lee", emails=[(None, "new@x.org")]),  # 2 and 3 bare: 2
    ]
    (outcomes, warnings), data = same_everywhere(book, tmp_path, spec, "update")
    assert outcomes == ["updated"] * 6
    assert warnings == []
    assert [(*row[:3], row[4]) for row in data["contacts"][:3]] == [
        (1, "Samuel Lee", "samuel lee", "third"),
        (2, "Sam Lee", "sam lee", "second"),
        (3, "sam LEE", "sam lee", None),
    ]
    assert [(cid, email) for cid, email, _label, _pos in data["emails"]] == [
        (1, "sam1@x.org"),
        (2, "new@x.org"),
        (6, "sam.acme@x.org"),
        (6, "acme2@x.org"),
    ]


def test_a_bare_contact_given_a_company_is_no_longer_matched_alone(book, tmp_path):
    """A merge that gives the bare contact 2 a company (its first row) takes it out of
    the name without a company: the next row with an email fills 3."""
    spec = [
        dict(name="Sam Lee", emails=[(None, "s2@x.org")], company="Initech"),  # created
        dict(name="Sam Lee", title="boss"),  # nothing to tell: 1
        dict(name="Sam Lee", emails=[(None, "s3@x.org")]),  # 2
        dict(name="Sam Lee", emails=[(None, "s4@x.org")]),  # 3
    ]
    (outcomes, _warnings), data = same_everywhere(book, tmp_path, spec)
    assert outcomes == ["created", "merged", "merged", "merged"]
    assert [(cid, email) for cid, email, _label, _pos in data["emails"]] == [
        (1, "sam1@x.org"),
        (2, "s3@x.org"),
        (3, "s4@x.org"),
        (6, "sam.acme@x.org"),
        (7, "s2@x.org"),
    ]


def test_undo_of_the_import_gives_the_file_back(cli, book: Path, tmp_path: Path):
    path = tmp_path / "sams.csv"
    lines = ["Name,Email,Phone,Company,Title"]
    for i in range(2500):  # three batches of the command's size
        email = f"sam{i}@y.org" if i % 3 else ""
        lines.append(f"Sam Lee,{email},,{'Acme' if i % 7 == 0 else ''},t{i}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    before = content(book)
    summary = ok(cli("import", "contacts", str(path), "--on-duplicate", "merge"))
    assert summary.splitlines()[1].startswith("created 1425, merged 243, updated 0, unchanged 832,")
    ok(cli("undo"))
    assert content(book) == before
