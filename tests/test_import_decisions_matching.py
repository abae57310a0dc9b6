"""Issue 15, item 2 and 10: what an imported row duplicates. Different people are never
merged on weak evidence (a shared phone, a same name): they are created apart with a
warning and left to `pcrm dupes`; a uid is authoritative; re-importing a file changes
nothing; pcrm's own export round-trips into an empty database whole."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import dump, ok

GOOGLE_HEADER = (
    "First Name,Middle Name,Last Name,Organization Name,Birthday,Notes,Labels,"
    "E-mail 1 - Label,E-mail 1 - Value,Phone 1 - Label,Phone 1 - Value,"
    "Phone 2 - Label,Phone 2 - Value\n"
)

# A family's address book as Google exports it: five people on the home landline, two of
# them with their own mobile, one listed twice (a second row adds her email).
FAMILY = GOOGLE_HEADER + (
    "Maria,,Rossi,,1961-04-02,,* myContacts,Home,maria.rossi@example.org,"
    "Home,+39 06 1234 5678,Mobile,+39 333 111 2222\n"
    "Paolo,,Rossi,,,,* myContacts,,,Home,+39 06 1234 5678,,\n"
    "Giulia,,Rossi,,,Paolo's sister,* myContacts,,,Home,06 1234 5678,Mobile,+39 333 333 4444\n"
    "Luca,,Rossi,Ristorante Da Luca,,,* myContacts,Work,luca@daluca.example,"
    "Home,+39 06 1234 5678,,\n"
    "Nonna,,Rossi,,,,* myContacts,,,Home,+390612345678,,\n"
    "Giulia,,Rossi,,,,* myContacts,Home,giulia@example.org,Home,+39 06 1234 5678,,\n"
)


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def imported(cli, *args: str) -> list[str]:
    return ok(cli("import", "contacts", *args)).splitlines()


def contacts(cli, *db: str) -> dict[str, dict]:
    found = json.loads(ok(cli(*db, "contact", "list", "--json", "--limit", "0")))
    return {f"{c['id']} {c['name']}": c for c in found}


def test_a_family_landline_keeps_five_people_apart(cli, tmp_path, db_path):
    ok(cli("config", "set", "phone_region", "it"))
    path = write(tmp_path / "contacts.csv", FAMILY)
    lines = imported(cli, str(path))
    assert lines[1] == "created 5, merged 1, updated 0, unchanged 0, skipped 0, rejected 0;" + (
        " new companies 1"
    )
    apart = (
        "same phone {} as contact 1 (Maria Rossi) but another name: created apart; see pcrm dupes"
    )
    assert lines[3:8] == [
        "Warnings:",
        "  line 3: " + apart.format("+39 06 1234 5678"),
        "  line 4: " + apart.format("06 1234 5678"),
        "  line 5: " + apart.format("+39 06 1234 5678"),
        "  line 6: " + apart.format("+390612345678"),
    ]
    found = contacts(cli)
    assert sorted(found) == [
        "1 Maria Rossi",
        "2 Paolo Rossi",
        "3 Giulia Rossi",
        "4 Luca Rossi",
        "5 Nonna Rossi",
    ]
    # Giulia's second row is Giulia (same phone, same name): her email joins her
    assert [e["email"] for e in found["3 Giulia Rossi"]["emails"]] == ["giulia@example.org"]
    assert found["3 Giulia Rossi"]["note"] == "Paolo's sister"
    # the shared phone is evidence for dupes, never a merge
    pairs = ok(cli("dupes")).splitlines()
    assert len(pairs) == 10
    assert all("same phone" in pair for pair in pairs)
    # a second import changes nothing, and warns about nothing
    before = dump(db_path)
    again = imported(cli, str(path))
    assert again[1] == "created 0, merged 0, updated 0, unchanged 6, skipped 0, rejected 0"
    assert "Warnings:" not in again
    assert dump(db_path) == before


def test_same_name_with_different_emails_is_two_people(cli, tmp_path, db_path):
    path = write(
        tmp_path / "p.csv",
        "Name,Email,Phone\n"
        "John Smith,john@acme.example,\n"
        "John Smith,jsmith@initech.example,\n"
        "john  smith,,+1 202 555 0199\n"
        "John Smith,,\n",
    )
    lines = imported(cli, str(path))
    assert lines[1] == "created 3, merged 0, updated 0, unchanged 1, skipped 0, rejected 0"
    same = "same name as contact 1 (John Smith) but no email or phone in common: created apart;"
    assert lines[3:6] == [
        "Warnings:",
        f"  line 3: {same} see pcrm dupes",
        f"  line 4: {same} see pcrm dupes",
    ]
    assert sorted(contacts(cli)) == ["1 John Smith", "2 John Smith", "3 john smith"]
    assert "same name" in ok(cli("dupes"))
    before = dump(db_path)
    again = imported(cli, str(path))
    assert again[1] == "created 0, merged 0, updated 0, unchanged 4, skipped 0, rejected 0"
    assert dump(db_path) == before


def test_same_name_merges_when_nothing_tells_them_apart(cli, tmp_path, db_path):
    ok(cli("contact", "add", "Ada Lovelace"))  # no email, no phone
    ok(cli("contact", "add", "Grace Hopper", "-e", "grace@navy.example"))
    path = write(
        tmp_path / "p.csv",
        "Name,Email,Title\n"
        "Ada Lovelace,ada@example.org,Countess\n"  # Ada has nothing that contradicts
        "Grace Hopper,,Rear Admiral\n"  # the row brings nothing that contradicts
        "Alan Turing,,\n"
        "Alan Turing,,Mathematician\n",  # name-only rows of one file: one contact
    )
    lines = imported(cli, str(path))
    assert lines[1] == "created 1, merged 3, updated 0, unchanged 0, skipped 0, rejected 0"
    found = contacts(cli)
    assert sorted(found) == ["1 Ada Lovelace", "2 Grace Hopper", "3 Alan Turing"]
    assert found["1 Ada Lovelace"]["title"] == "Countess"
    assert found["2 Grace Hopper"]["title"] == "Rear Admiral"
    assert found["3 Alan Turing"]["title"] == "Mathematician"
    before = dump(db_path)
    assert imported(cli, str(path))[1].startswith("created 0, merged 0, updated 0, unchanged 4")
    assert dump(db_path) == before


def test_same_name_at_another_company_is_another_person(cli, tmp_path):
    ok(cli("contact", "add", "Sam Lee", "-c", "Acme"))
    path = write(tmp_path / "p.csv", "Name,Company\nSam Lee,Initech\nsam lee,ACME\n")
    assert imported(cli, str(path))[1] == (
        "created 1, merged 0, updated 0, unchanged 1, skipped 0, rejected 0; new companies 1"
    )


def test_a_uid_is_authoritative(cli, tmp_path):
    ok(cli("contact", "add", "Ada Lovelace", "-e", "ada@example.org", "-p", "+44 20 7946 0958"))
    uid = json.loads(ok(cli("contact", "show", "ada", "--json")))["contact"]["uid"]
    path = write(
        tmp_path / "p.csv",
        "uid,name,emails,phones\n"
        f"{uid},Ada King,countess@example.org,\n"  # her uid: her, whatever else differs
        "4c0f9d1e-0000-4000-8000-000000000001,Ada Lovelace,,+44 20 7946 0958\n",
    )
    lines = imported(cli, str(path), "--preset", "pcrm")
    # another uid is another record: same name and phone are evidence, not identity
    assert lines[1] == "created 1, merged 1, updated 0, unchanged 0, skipped 0, rejected 0"
    found = contacts(cli)
    assert sorted(found) == ["1 Ada Lovelace", "2 Ada Lovelace"]
    assert [e["email"] for e in found["1 Ada Lovelace"]["emails"]] == [
        "ada@example.org",
        "countess@example.org",
    ]
    # an unknown uid still matches by email: an address belongs to one contact
    again = write(
        tmp_path / "again.csv",
        "uid,name,emails\n4c0f9d1e-0000-4000-8000-000000000002,Ada,ADA@example.org\n",
    )
    assert imported(cli, str(again), "--preset", "pcrm")[1].startswith("created 0, merged 0,")


@pytest.mark.parametrize("fmt", ["csv", "json", "vcard"])
def test_own_export_round_trips_whole_when_contacts_share_phones(cli, tmp_path, fmt):
    office = "+1 202 555 0100"
    people = [
        ("Sam Smith", ["-p", office]),
        ("Sam Smith", ["-p", office]),  # two people of one name on one switchboard
        ("Kim Smith", ["-p", office, "-e", "kim@example.org"]),
        ("Kim Smith", ["-p", "+1 202 555 0177"]),
        ("Jo", []),
        ("Jo", []),
        ("Ann Lee", ["-p", office, "-c", "Acme"]),
        ("Ann Lee", ["-p", office, "-c", "Acme"]),
    ]
    for name, args in people:
        ok(cli("contact", "add", name, *args))
    export = tmp_path / f"contacts.{fmt}"
    ok(cli("export", "contacts", "--format", fmt, "-o", str(export)))
    target = tmp_path / "empty.db"
    lines = ok(cli("--db", str(target), "import", "contacts", str(export))).splitlines()
    assert lines[1].startswith(f"created {len(people)}, merged 0, updated 0, unchanged 0,")
    original = {
        (c["uid"], c["name"], tuple(p["phone"] for p in c["phones"]))
        for c in contacts(cli).values()
    }
    copied = {
        (c["uid"], c["name"], tuple(p["phone"] for p in c["phones"]))
        for c in contacts(cli, "--db", str(target)).values()
    }
    assert copied == original
    # and again: nothing changes
    before = dump(target)
    again = ok(cli("--db", str(target), "import", "contacts", str(export))).splitlines()
    assert again[1].startswith(f"created 0, merged 0, updated 0, unchanged {len(people)},")
    assert dump(target) == before


def test_a_phone_only_row_finds_its_contact_by_phone(cli, tmp_path):
    ok(cli("contact", "add", "Ada Lovelace", "-p", "+44 20 7946 0958"))
    path = write(tmp_path / "p.csv", "Name,Phone,Title\n,+44 20 7946 0958,Countess\n")
    assert imported(cli, str(path))[1].startswith("created 0, merged 1,")
    assert contacts(cli)["1 Ada Lovelace"]["title"] == "Countess"


def test_skip_and_create_follow_the_same_rules(cli, tmp_path):
    ok(cli("contact", "add", "Maria Rossi", "-p", "+39 06 1234 5678"))
    path = write(tmp_path / "p.csv", "Name,Phone\nPaolo Rossi,+39 06 1234 5678\n")
    lines = imported(cli, str(path), "--on-duplicate", "skip")
    assert lines[1].startswith("created 1, merged 0, updated 0, unchanged 0, skipped 0,")
    lines = imported(cli, str(path), "--on-duplicate", "skip")
    assert lines[1].startswith("created 0, merged 0, updated 0, unchanged 0, skipped 1,")
