"""Issue 15, items 3, 7 and 9: one bad value never rejects a contact (it is dropped with
a warning naming the line and the value, and kept in the note when it is information);
birthdays in real formats; phone-only rows are contacts to name."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import NOW, dump, ok
from pcrm.core.importing.importer import Importer, ImportOptions
from pcrm.core.importing.models import ParsedContact
from pcrm.store.db import session


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def imported(cli, *args: str) -> list[str]:
    return ok(cli("import", "contacts", *args)).splitlines()


def contacts(cli) -> dict[str, dict]:
    found = json.loads(ok(cli("contact", "list", "--json", "--limit", "0")))
    return {c["name"]: c for c in found}


# HubSpot exports write "null" where a property is empty, and free text where a number was
# expected: the contact imports, the value does not.
HUBSPOT = (
    '"Record ID","First Name","Last Name","Email","Phone Number","Mobile Phone Number",'
    '"Company Name","Lifecycle Stage","Create Date"\n'
    '"501","Ines","Ortega","ines@example.es","null","+34 600 123 456","Acme","Lead",'
    '"2023-01-05 09:15"\n'
    '"502","Tom","Baker","tom@example.org","no contact number","","","Lead","2023-01-06"\n'
    '"503","Rui","Costa","rui@example,pt","n/a","§","Acme","Zombie","someday"\n'
)


def test_a_hubspot_row_with_a_null_phone_imports_without_it(cli, tmp_path, db_path):
    path = write(tmp_path / "hubspot.csv", HUBSPOT)
    lines = imported(cli, str(path))
    assert lines[0].endswith("HubSpot CSV, UTF-8, comma-separated, 3 rows")
    assert lines[1] == (
        "created 3, merged 0, updated 0, unchanged 0, skipped 0, rejected 0;"
        " values dropped 6; new companies 1"
    )
    assert lines[3:10] == [
        "Warnings:",
        '  line 2: phone "null" is not a phone number; not imported',
        '  line 3: phone "no contact number" is not a phone number; not imported',
        '  line 4: email "rui@example,pt" is not a valid address; kept in the note',
        '  line 4: phone "n/a" is not a phone number; not imported',
        '  line 4: phone "§" is not a phone number; not imported',
        '  line 4: unknown lifecycle stage "Zombie"; kept in the note',
    ]
    found = contacts(cli)
    assert [p["phone"] for p in found["Ines Ortega"]["phones"]] == ["+34 600 123 456"]
    assert found["Ines Ortega"]["note"] is None  # a placeholder is not information
    assert found["Tom Baker"]["phones"] == []
    assert found["Rui Costa"]["emails"] == []
    assert found["Rui Costa"]["note"] == ("Email: rui@example,pt\nLifecycle stage: Zombie")
    before = dump(db_path)
    again = imported(cli, str(path))
    assert again[1].startswith("created 0, merged 0, updated 0, unchanged 3,")
    assert dump(db_path) == before


def test_an_unreadable_birthday_is_kept_in_the_note(cli, tmp_path):
    path = write(
        tmp_path / "p.csv",
        'Name,Birthday,Notes\nAda Lovelace,circa 1800,"Poet\'s daughter"\nBob,n/a,\n',
    )
    lines = imported(cli, str(path))
    assert lines[1].endswith("rejected 0; values dropped 2")
    assert lines[3:6] == [
        "Warnings:",
        '  line 2: birthday "circa 1800" is not a date pcrm can read; kept in the note',
        '  line 3: birthday "n/a" is not a date pcrm can read; not imported',
    ]
    found = contacts(cli)
    assert found["Ada Lovelace"]["birthday"] is None
    assert found["Ada Lovelace"]["note"] == "Poet's daughter\n\nBirthday: circa 1800"
    assert found["Bob"]["note"] is None


def test_birthdays_from_date_times_dots_and_two_digit_years(cli, tmp_path):
    path = write(
        tmp_path / "p.csv",
        "Name,Birthday,Anniversary\n"
        "KDE,1955-07-19T00:00:00Z,\n"
        "Basic,19550719T000000,\n"
        "Spaced,1955-07-19 00:00:00,2001-06-30T00:00:00\n"
        "Dotted,20.01.1991,\n"
        "Short,01.01.99,01.06.05\n"
        "Apple,1604-03-14,\n",
    )
    lines = imported(cli, str(path), "--map", "Anniversary=anniversary")
    assert lines[1] == "created 6, merged 0, updated 0, unchanged 0, skipped 0, rejected 0"
    assert lines[3:6] == [
        "Warnings:",
        '  line 6: birthday "01.01.99" has a two-digit year: read as 1999-01-01',
        '  line 6: anniversary "01.06.05" has a two-digit year: read as 2005-06-01',
    ]
    found = contacts(cli)
    assert {name: (c["birthday"], c["anniversary"]) for name, c in found.items()} == {
        "KDE": ("1955-07-19", None),
        "Basic": ("1955-07-19", None),
        "Spaced": ("1955-07-19", "2001-06-30"),
        "Dotted": ("1991-01-20", None),
        "Short": ("1999-01-01", "2005-06-01"),
        "Apple": ("--03-14", None),
    }


def test_slash_dates_follow_the_files_date_order(db_path):
    # ImportOptions.date_order is the file's order (its own dates, or --date-order)
    def birthday(order: str | None) -> str | None:
        with session(db_path, write=True) as db:
            importer = Importer(db, NOW, ImportOptions(date_order=order))
            row = ParsedContact(2, ["x"], name=f"P {order}", birthday="05/01/1991")
            list(importer.import_rows([row]))
            found = db.execute("SELECT birthday FROM contacts WHERE name = ?", [f"P {order}"])
            return found.fetchone()[0]

    assert birthday("dmy") == "1991-01-05"
    assert birthday("mdy") == "1991-05-01"
    assert birthday(None) == "1991-05-01"  # no setting: month/day/year, as before


def test_phone_only_rows_are_contacts_to_name(cli, tmp_path, db_path):
    path = write(
        tmp_path / "p.csv",
        "Name,Email,Phone,Company\n"
        ",,+1 202 555 0143,Acme Plumbing\n"
        ",,(202) 555-0188,\n"
        ",info@example.com,,\n"  # an email only: named by the address, as before
        ",,,Nobody Inc\n"
        ",,123,\n",
    )
    lines = imported(cli, str(path))
    assert lines[1] == (
        "created 3, merged 0, updated 0, unchanged 0, skipped 0, rejected 2; new companies 1"
    )
    assert lines[3:9] == [
        "Rejected rows:",
        "  line 5: no name, email or phone number",
        '  line 6: no name or email, and phone "123" is too short to identify anyone',
        "Warnings:",
        '  line 2: no name: created as "Acme Plumbing (+1 202 555 0143)" from its company'
        " and phone, tagged needs-name",
        '  line 3: no name: created as "(202) 555-0188" from its phone, tagged needs-name',
    ]
    found = contacts(cli)
    assert sorted(found) == [
        "(202) 555-0188",
        "Acme Plumbing (+1 202 555 0143)",
        "info@example.com",
    ]
    assert found["Acme Plumbing (+1 202 555 0143)"]["tags"] == ["needs-name"]
    assert found["Acme Plumbing (+1 202 555 0143)"]["company"]["name"] == "Acme Plumbing"
    assert found["info@example.com"]["tags"] == []
    listed = ok(cli("contact", "list", "--tag", "needs-name")).splitlines()
    assert len(listed) == 2
    # named since, the contact is found again by its phone, not created twice
    ok(cli("contact", "edit", "1", "--name", "Mario the plumber"))
    before = dump(db_path)
    again = imported(cli, str(path))
    assert again[1].startswith("created 0, merged 0, updated 0, unchanged 3,")
    assert dump(db_path) == before


def test_a_row_is_rejected_only_when_nothing_identifying_is_left(cli, tmp_path):
    path = write(
        tmp_path / "p.csv",
        "Name,Email,Phone,Birthday\n,bob@,n/a,circa 1800\nBob,bob@,n/a,circa 1800\n",
    )
    lines = imported(cli, str(path))
    assert lines[1].endswith("rejected 1; values dropped 3")
    assert lines[3:5] == [
        "Rejected rows:",
        '  line 2: no name, email or phone number (email "bob@" is not a valid address;'
        ' phone "n/a" is not a phone number)',
    ]
    assert contacts(cli)["Bob"]["note"] == "Email: bob@\nBirthday: circa 1800"


def test_bad_cadence_and_tags_are_dropped_not_the_contact(cli, tmp_path):
    path = write(
        tmp_path / "p.csv",
        "Name,Cadence,Tags\nAda,every so often,friends\nBob,30d,#\n",
    )
    lines = imported(cli, str(path), "--map", "Cadence=cadence", "--map", "Tags=tags")
    assert lines[1].startswith("created 2,")
    assert lines[4] == (
        '  line 2: stay-in-touch cadence "every so often" cannot be read; kept in the note'
    )
    found = contacts(cli)
    assert (found["Ada"]["tags"], found["Ada"]["note"]) == (
        ["friends"],
        "Stay in touch: every so often",
    )
    assert found["Bob"]["cadence_days"] == 30


def test_reader_warnings_become_warnings_with_the_rows_line(db_path):
    with session(db_path, write=True) as db:
        importer = Importer(db, NOW, ImportOptions())
        rows = [
            ParsedContact(7, ["x"], name="Ada", warnings=["PHOTO not decoded; left out"]),
            ParsedContact(9, ["y"], company="Initech", warnings=["ORG cut at a comma"]),
        ]
        outcomes = [outcome for _row, outcome in importer.import_rows(rows)]
    assert outcomes == ["created", "rejected"]
    report = importer.report
    assert [(n.line, n.message) for n in report.warnings] == [
        (7, "PHOTO not decoded; left out"),
        (9, "ORG cut at a comma"),
    ]
    assert [(n.line, n.message) for n in report.rejects] == [(9, "no name, email or phone number")]
    assert (report.warned, report.dropped) == (2, 0)


def test_an_unreadable_creation_date_is_dropped(cli, tmp_path):
    path = write(
        tmp_path / "p.csv",
        "uid,name,emails,created_at,updated_at\n"
        ",Ada,ada@example.org,someday,2024-03-12T10:00:00Z\n",
    )
    lines = imported(cli, str(path), "--preset", "pcrm")
    assert lines[1].startswith("created 1,")
    assert (
        lines[4]
        == '  line 2: creation date "someday" is not a date pcrm can read; kept in the note'
    )
    found = contacts(cli)["Ada"]
    assert (found["note"], found["updated_at"]) == ("Created: someday", "2024-03-12T10:00:00Z")


def test_rows_without_a_name_take_one_from_nickname_file_as_or_company(cli, tmp_path):
    path = write(
        tmp_path / "c.vcf",
        "BEGIN:VCARD\r\nVERSION:3.0\r\nNICKNAME:Bunny\r\nEMAIL:bunny@example.org\r\n"
        "END:VCARD\r\n"
        "BEGIN:VCARD\r\nVERSION:3.0\r\nX-EVOLUTION-FILE-AS:Ximian\\, Inc.\r\nFN\r\nN:\r\n"
        "EMAIL:hello@ximian.example\r\nORG:Ximian\\, Inc.\r\nEND:VCARD\r\n"
        "BEGIN:VCARD\r\nVERSION:2.1\r\nORG:Bike Shop\r\n"
        "ADR;WORK:;;1 Main St;Springfield;;12345;USA\r\nEND:VCARD\r\n"
        "BEGIN:VCARD\r\nVERSION:2.1\r\nORG:Only A Name Inc\r\nEND:VCARD\r\n",
    )
    lines = imported(cli, str(path))
    assert lines[1].startswith("created 3, merged 0, updated 0, unchanged 0, skipped 0, rejected 1")
    assert "  line 19: no name, email or phone number" in lines
    assert '  line 14: no name: created as "Bike Shop" from its company, tagged needs-name' in (
        lines
    )
    found = contacts(cli)
    assert sorted(found) == ["Bike Shop", "Bunny", "Ximian, Inc."]
    assert found["Bunny"]["nickname"] == "Bunny"
    assert found["Bike Shop"]["tags"] == ["needs-name"]
    assert found["Bike Shop"]["addresses"][0]["locality"] == "Springfield"
    assert found["Ximian, Inc."]["tags"] == []
