"""`pcrm import contacts`: duplicates, dry run, rejected rows and their line numbers, the
rejects file, one transaction, and the errors that refuse a file."""

from __future__ import annotations

import csv
import json
import sqlite3
from pathlib import Path

import pytest

from conftest import dump, one_line_error
from test_import_presets import FIXTURES, contacts, ok


def error(result) -> str:
    assert result.exit_code == 1, (result.stdout, result.stderr, result.exception)
    assert result.exception is None
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("pcrm: error: "), result.stderr
    return lines[0]


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def counts(result) -> str:
    return ok(result).splitlines()[1]


def count_rows(db_path: Path, table: str) -> int:
    conn = sqlite3.connect(db_path)
    try:
        return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    finally:
        conn.close()


# -- duplicates ----------------------------------------------------------------------------


def test_importing_the_same_file_twice_creates_nothing_and_writes_nothing(cli, db_path):
    ok(cli("import", "contacts", str(FIXTURES / "google.csv")))
    before = dump(db_path)
    second = cli("import", "contacts", str(FIXTURES / "google.csv"))
    assert counts(second) == (
        "created 0, merged 0, updated 0, unchanged 3, skipped 0, rejected 0, empty 1;"
        " values dropped 1"
    )
    assert dump(db_path) == before


@pytest.mark.parametrize("fixture", sorted(p.name for p in FIXTURES.iterdir() if p.suffix != ".md"))
def test_every_fixture_re_imports_without_creating_anything(cli, fixture):
    order = ["--date-order", "mdy"] if fixture == "outlook.csv" else []  # 11/2/1979
    ok(cli("import", "contacts", str(FIXTURES / fixture), *order))
    first = contacts(cli)
    again = cli("import", "contacts", str(FIXTURES / fixture), *order)
    assert counts(again).startswith("created 0,")
    assert contacts(cli) == first


def test_two_rows_of_one_person_in_a_file_make_one_contact(cli, tmp_path):
    path = write(
        tmp_path / "people.csv",
        "Name,Email,Phone,Tags\n"
        "Ada Lovelace,ada@example.org,,vip\n"
        "Ada L.,ADA@Example.org,+44 20 7946 0958,customer\n",
    )
    assert counts(cli("import", "contacts", str(path))) == (
        "created 1, merged 1, updated 0, unchanged 0, skipped 0, rejected 0"
    )
    assert contacts(cli) == {
        "Ada Lovelace": {
            "emails": ["ada@example.org"],
            "phones": ["+44 20 7946 0958"],
            "company": None,
            "title": None,
            "source": None,
            "birthday": None,
            "note": None,
            "tags": ["customer", "vip"],
        }
    }


def test_same_phone_in_e164_is_a_duplicate(cli, tmp_path):
    ok(cli("config", "set", "phone_region", "gb"))
    ok(cli("contact", "add", "Ada Lovelace", "-p", "020 7946 0958"))
    path = write(
        tmp_path / "p.csv", "Name,Phone,Title\nada lovelace,+44 (0)20 7946-0958,Countess\n"
    )
    assert counts(cli("import", "contacts", str(path))).startswith("created 0, merged 1,")
    found = contacts(cli)
    assert list(found) == ["Ada Lovelace"]
    assert found["Ada Lovelace"]["phones"] == ["020 7946 0958"]
    assert found["Ada Lovelace"]["title"] == "Countess"


def test_without_a_phone_region_national_numbers_match_by_digits(cli, tmp_path):
    ok(cli("contact", "add", "Ada Lovelace", "-p", "020 7946 0958", "-p", "1234"))
    path = write(
        tmp_path / "p.csv",
        "Name,Phone\nAda King,+442079460958\nAda Lovelace,020-7946-0958\nAda Lovelace,12-34\n",
    )
    assert counts(cli("import", "contacts", str(path))) == (
        "created 1, merged 0, updated 0, unchanged 2, skipped 0, rejected 0"
    )


def test_same_name_at_the_same_company_is_a_duplicate(cli, tmp_path):
    ok(cli("contact", "add", "Zoë Müller", "-c", "Analytical Engines"))
    ok(cli("contact", "add", "Zoe Muller"))  # no company: another person
    path = write(
        tmp_path / "p.csv",
        "Name,Company,Email\n"
        "ZOE MULLER,analytical engines,zoe@example.org\n"
        "Zoe  Muller,,zoe@home.example\n"
        "Zoe Muller,Initech,zoe@initech.example\n",
    )
    assert counts(cli("import", "contacts", str(path))) == (
        "created 1, merged 2, updated 0, unchanged 0, skipped 0, rejected 0; new companies 1"
    )
    found = json.loads(ok(cli("contact", "list", "--json", "--sort", "created")))
    assert [(c["id"], c["emails"][0]["email"]) for c in found] == [
        (3, "zoe@initech.example"),
        (2, "zoe@home.example"),
        (1, "zoe@example.org"),
    ]


def test_later_rows_find_what_earlier_rows_wrote(cli, tmp_path):
    # Row 2 finds row 1's phone, row 3 (nothing new) the email that row 2 added: the
    # duplicate keys of the rows written so far are kept as the import goes.
    path = write(
        tmp_path / "p.csv",
        "Name,Email,Phone\n"
        "Ada Lovelace,ada@example.org,+44 20 7946 0958\n"
        "Ada Lovelace,king@example.org,+442079460958\n"
        "Countess,KING@example.org,\n",
    )
    assert counts(cli("import", "contacts", str(path))) == (
        "created 1, merged 1, updated 0, unchanged 1, skipped 0, rejected 0"
    )
    found = contacts(cli)
    assert list(found) == ["Ada Lovelace"]
    assert found["Ada Lovelace"]["emails"] == ["ada@example.org", "king@example.org"]
    assert found["Ada Lovelace"]["phones"] == ["+44 20 7946 0958"]


def test_a_renamed_contact_is_found_by_its_new_name_only(cli, tmp_path):
    ok(cli("contact", "add", "Ada Lovelace", "-e", "ada@example.org"))
    path = write(
        tmp_path / "p.csv",
        "Name,Email,Title\nAda King,ada@example.org,\nAda Lovelace,,\nada king,,Countess\n",
    )
    result = cli("import", "contacts", str(path), "--on-duplicate", "update")
    assert counts(result) == "created 1, merged 0, updated 2, unchanged 0, skipped 0, rejected 0"
    found = contacts(cli)
    assert (found["ada king"]["emails"], found["ada king"]["title"]) == (
        ["ada@example.org"],
        "Countess",
    )
    assert found["Ada Lovelace"]["emails"] == []


@pytest.fixture
def ada(cli, tmp_path):
    ok(cli("contact", "add", "Ada Lovelace", "-e", "ada@example.org", "--title", "Countess"))
    return write(
        tmp_path / "ada.csv",
        "Name,Email,Title,Company,Tags\nAda King,ada@example.org,Mathematician,Analytical,vip\n",
    )


def test_on_duplicate_merge_fills_only_what_is_empty(cli, ada):
    assert counts(cli("import", "contacts", str(ada))).startswith("created 0, merged 1,")
    found = contacts(cli)["Ada Lovelace"]
    assert (found["title"], found["company"], found["tags"]) == ("Countess", "Analytical", ["vip"])


def test_on_duplicate_update_lets_the_file_win(cli, ada):
    result = cli("import", "contacts", str(ada), "--on-duplicate", "update")
    assert counts(result).startswith("created 0, merged 0, updated 1,")
    found = contacts(cli)["Ada King"]
    assert (found["title"], found["company"], found["tags"]) == (
        "Mathematician",
        "Analytical",
        ["vip"],
    )


def test_on_duplicate_skip_leaves_the_contact_alone(cli, ada, db_path):
    before = dump(db_path)
    result = cli("import", "contacts", str(ada), "--on-duplicate", "skip")
    assert counts(result) == "created 0, merged 0, updated 0, unchanged 0, skipped 1, rejected 0"
    assert dump(db_path) == before


def test_on_duplicate_create_cannot_take_an_address_another_contact_has(
    cli, ada, tmp_path, db_path
):
    result = cli("import", "contacts", str(ada), "--on-duplicate", "create")
    assert ok(result).splitlines()[3:5] == [
        "Rejected rows:",
        "  line 2: ada@example.org already belongs to contact 1",
    ]
    other = write(tmp_path / "o.csv", "Name,Title\nAda Lovelace,Engineer\n")
    result = cli("import", "contacts", str(other), "--on-duplicate", "create")
    assert counts(result).startswith("created 1,")
    assert count_rows(db_path, "contacts") == 2


def test_tag_and_source_for_the_batch(cli, tmp_path):
    path = write(
        tmp_path / "p.csv",
        "Name,Email,Source\nAda,ada@example.org,\nBob,bob@example.org,Referral\n",
    )
    ok(cli("import", "contacts", str(path), "--tag", "fair-2026", "--source", "Web Summit"))
    found = contacts(cli)
    assert (found["Ada"]["source"], found["Ada"]["tags"]) == ("Web Summit", ["fair-2026"])
    assert found["Bob"]["source"] == "Referral"  # the row's own source wins


# -- dry run -------------------------------------------------------------------------------


def test_dry_run_reports_what_would_happen_and_changes_nothing(cli, db_path):
    ok(cli("contact", "add", "Zoë Müller", "-e", "zoe@example.org"))
    before = dump(db_path)
    result = cli("import", "contacts", str(FIXTURES / "google.csv"), "--dry-run")
    lines = ok(result).splitlines()
    assert lines[1] == (
        "created 2, merged 1, updated 0, unchanged 0, skipped 0, rejected 0, empty 1;"
        " values dropped 1; new companies 2"
    )
    assert lines[2].startswith("Dry run: nothing was changed (")
    assert lines[4] == '  line 7: email "bob@" is not a valid address; kept in the note'
    assert dump(db_path) == before


def test_dry_run_without_a_database_creates_no_file(cli, db_path):
    result = cli("import", "contacts", str(FIXTURES / "linkedin.csv"), "--dry-run")
    assert counts(result).startswith("created 3,")
    assert not db_path.exists()


# -- rejected rows -------------------------------------------------------------------------


def test_line_numbers_count_physical_lines(cli, tmp_path):
    path = write(
        tmp_path / "p.csv",
        "Notes:\r\n"
        '"A preamble sentence, with a comma."\r\n'
        "\r\n"
        "First Name,Last Name,Email,Notes\r\n"  # line 4
        'Ada,Lovelace,ada@example.org,"one\r\ntwo\r\nthree"\r\n'  # lines 5-7
        ",,,\r\n"  # line 8: empty
        "\r\n"  # line 9: blank
        ",,bob@,\r\n"  # line 10
        ',,,"a note\r\nbut nobody"\r\n'  # lines 11-12
        "Carl,Gauss,carl@example.org\r\n"  # line 13: one cell short
        "Dora,,dora@example.org,,extra\r\n",  # line 14: one cell too many
    )
    lines = ok(cli("import", "contacts", str(path))).splitlines()
    assert lines[1] == "created 2, merged 0, updated 0, unchanged 0, skipped 0, rejected 3, empty 1"
    assert lines[3:7] == [  # line 13, one cell short, is read as if its last were empty
        "Rejected rows:",
        '  line 10: no name, email or phone number (email "bob@" is not a valid address)',
        "  line 11: no name, email or phone number",
        "  line 14: has 5 cells, the header has 4",
    ]


def test_rejects_file_can_be_fixed_and_imported(cli, tmp_path):
    source = write(
        tmp_path / "p.csv",
        "Name;Email;Company\r\nAda;ada@example.org;Analytical\r\n;bob@;Initech\r\n;;Nobody Inc\r\n",
        encoding="cp1252",
    )
    rejects = tmp_path / "rejects.csv"
    lines = ok(cli("import", "contacts", str(source), "--rejects", str(rejects))).splitlines()
    assert lines[3:7] == [
        "Rejected rows:",
        '  line 3: no name, email or phone number (email "bob@" is not a valid address)',
        "  line 4: no name, email or phone number",
        f"  written to {rejects}: fix them there and import that file",
    ]
    assert rejects.read_bytes() == (
        b"\xef\xbb\xbfName;Email;Company\r\n;bob@;Initech\r\n;;Nobody Inc\r\n"
    )
    with rejects.open(encoding="utf-8-sig", newline="") as handle:
        table = list(csv.reader(handle, delimiter=";"))
    table[1][:2] = ["Bob", "bob@initech.example"]
    table[2][0] = "Nobody"
    with rejects.open("w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle, delimiter=";").writerows(table)
    assert counts(cli("import", "contacts", str(rejects))) == (
        "created 2, merged 0, updated 0, unchanged 0, skipped 0, rejected 0; new companies 2"
    )
    assert sorted(contacts(cli)) == ["Ada", "Bob", "Nobody"]


def test_rejects_file_is_private_and_replaces_the_old_one_whole(cli, tmp_path):
    rejects = tmp_path / "rejects.csv"
    rejects.write_text("the rejects of an earlier import\n")
    source = str(write(tmp_path / "p.csv", "Name,Email\nAda,ada@example.org\n,bob@\n"))
    ok(cli("import", "contacts", source, "--rejects", str(rejects), "--force"))
    assert "earlier" not in rejects.read_text(encoding="utf-8-sig")
    assert rejects.stat().st_mode & 0o777 == 0o600  # rejected rows are personal data
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temporary


def test_no_rejects_file_when_nothing_is_rejected(cli, tmp_path):
    rejects = tmp_path / "rejects.csv"
    ok(cli("import", "contacts", str(FIXTURES / "outlook.csv"), "--rejects", str(rejects),
           "--date-order", "mdy"))  # fmt: skip
    assert not rejects.exists()


def test_rejected_cards_go_to_a_vcard_file(cli, tmp_path):
    rejects = tmp_path / "rejects.vcf"
    card = (
        "BEGIN:VCARD\r\nVERSION:3.0\r\nN:;;;;\r\nFN:\r\nORG:Initech;\r\n"
        "X-ABShowAs:COMPANY\r\nTEL;type=WORK:n/a\r\nEND:VCARD\r\n"
    )
    path = tmp_path / "cards.vcf"
    path.write_bytes((FIXTURES / "contacts.vcf").read_bytes() + card.encode())
    ok(cli("import", "contacts", str(path), "--rejects", str(rejects)))
    assert rejects.read_bytes() == card.encode()


def test_a_fatal_problem_lands_nothing(cli, db_path, tmp_path):
    ok(cli("contact", "add", "Someone"))
    before = dump(db_path)
    target = tmp_path / "no-such-folder" / "rejects.csv"
    # Ada imports, then writing the rejected row fails: all is rolled back
    google = str(write(tmp_path / "p.csv", "Name,Email\nAda,ada@example.org\n,bob@\n"))
    message = error(cli("import", "contacts", google, "--rejects", str(target)))
    assert message == f"pcrm: error: cannot write {target}: No such file or directory"
    assert dump(db_path) == before
    folder = tmp_path / "a-folder"
    folder.mkdir()
    message = error(cli("import", "contacts", google, "--rejects", str(folder)))
    assert message == f"pcrm: error: cannot write {folder}: it is a folder (give a file name)"
    assert dump(db_path) == before


def test_rejects_file_is_never_the_imported_file(cli, tmp_path):
    # issue 14: it was replaced by its own rejected rows; tests/test_outputs.py has the rule
    text = "Name,Email\nAda,ada@example.org\nBob,bob@\nCarl,carl@\n"
    path = write(tmp_path / "p.csv", text)
    result = cli("import", "contacts", str(path), "--rejects", str(path), "--force")
    assert one_line_error(result) == (
        f"pcrm: error: {path} is the file being imported; pcrm never writes over it"
        " (give another file name)\n"
    )
    assert path.read_text() == text
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.csv"]  # no database either


# -- what files are refused ----------------------------------------------------------------


def test_refused_files_say_why_and_change_nothing(cli, db_path, tmp_path):
    ok(cli("contact", "add", "Someone"))
    before = dump(db_path)
    empty = write(tmp_path / "empty.csv", "")
    blank = write(tmp_path / "blank.csv", "\ufeff\r\n  \r\n")
    binary = tmp_path / "photo.png"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    prose = write(tmp_path / "notes.txt", "Call Ada tomorrow about the quote.\nThen lunch.\n")
    cases = {
        empty: f"pcrm: error: {empty} is empty (export your contacts again)",
        blank: f"pcrm: error: {blank} is empty (export your contacts again)",
        binary: f"pcrm: error: {binary} is a binary file, not CSV or vCard"
        " (in a spreadsheet, save it as CSV first)",
        prose: f"pcrm: error: cannot tell which column of {prose} holds names or emails"
        " (read as comma-separated columns: Call Ada tomorrow about the quote.)"
        ' (choose --preset, or --map "COLUMN=name")',
        tmp_path / "missing.csv": f"pcrm: error: cannot read {tmp_path / 'missing.csv'}:"
        " no such file (check the path)",
        tmp_path: f"pcrm: error: {tmp_path} is a folder, not a file (give a CSV or vCard file)",
    }
    for path, expected in cases.items():
        assert error(cli("import", "contacts", str(path))) == expected
    assert dump(db_path) == before


def test_unknown_preset_field_or_column_is_one_error_line(cli, db_path):
    google = str(FIXTURES / "google.csv")
    assert error(cli("import", "contacts", google, "--preset", "gmail")) == (
        'pcrm: error: unknown preset "gmail"'
        " (presets: auto, google, outlook, thunderbird, linkedin, hubspot, pcrm)"
    )
    assert error(cli("import", "contacts", google, "--map", "Nickname=nick")).startswith(
        'pcrm: error: unknown field "nick" in --map (fields: name, first_name,'
    )
    assert error(cli("import", "contacts", google, "--map", "Nick=title")).startswith(
        f'pcrm: error: {google} has no column "nick" (from --map)'
    )
    assert error(cli("import", "contacts", google, "--map", "Nickname=field:budget")) == (
        'pcrm: error: no contact field named "budget"'
        " (declare it first: pcrm field add budget --type text --on contact)"
    )
    assert not db_path.exists()


def test_map_adds_columns_and_overrides_the_preset(cli):
    result = cli(
        "import",
        "contacts",
        str(FIXTURES / "google.csv"),
        "--map",
        "Nickname=title",
        "--map",
        "Organization Title=ignore",
    )
    ok(result)
    assert contacts(cli)["Grace Brewster Hopper"]["title"] == "Amazing Grace"
    assert contacts(cli)["Zoë Müller"]["title"] is None


def test_stdin(cli):
    data = (FIXTURES / "linkedin.csv").read_text(encoding="utf-8")
    lines = ok(cli("import", "contacts", "-", input=data)).splitlines()
    assert lines[0] == "stdin: LinkedIn CSV, UTF-8, comma-separated, 4 rows"


def test_json_summary(cli):
    result = cli("import", "contacts", str(FIXTURES / "hubspot.csv"), "--json")
    summary = json.loads(ok(result))
    assert summary["format"] == "HubSpot CSV"
    assert summary["report"]["created"] == 3
    assert (summary["report"]["dropped"], summary["report"]["warned"]) == (1, 1)
    assert summary["report"]["rejects"] == []
    assert summary["report"]["warnings"] == [
        {"line": 4, "message": 'email "not-an-email" is not a valid address; kept in the note'}
    ]
    assert summary["unmapped"]["Record ID"] == 3


def test_no_progress_bar_when_stderr_is_not_a_terminal(cli):
    result = cli("import", "contacts", str(FIXTURES / "google.csv"))
    assert result.stderr == ""


def test_cp1252_fallback_is_named(cli, tmp_path):
    path = write(tmp_path / "p.csv", "Name,Email\nRené,rene@example.fr\n", encoding="cp1252")
    lines = ok(cli("import", "contacts", str(path))).splitlines()
    assert lines[0] == f"{path}: generic CSV, Windows-1252, comma-separated, 1 row"
    assert list(contacts(cli)) == ["René"]


def test_policy_names_match_core():
    from typing import get_args

    from pcrm.cli.importer import Policy
    from pcrm.core.importing.importer import POLICIES

    assert get_args(Policy) == POLICIES


def test_imported_contacts_are_searchable_and_search_stays_live(cli):
    ok(cli("contact", "add", "Zoë Müller", "-e", "zoe@example.org"))
    ok(cli("import", "contacts", str(FIXTURES / "google.csv")))
    # found by what the import added: a phone, a tag, the company
    for query in ("Analytical", "Clients", "Brewster"):
        assert ok(cli("search", query)).count("\n") >= 1, query
    assert "Zoë Müller" in ok(cli("search", "7654321"))
    # the search triggers are back: a later edit is indexed
    ok(cli("contact", "edit", "grace", "--title", "Admiral"))
    assert "Grace Brewster Hopper" in ok(cli("search", "Admiral"))


def test_custom_fields_as_targets(cli, tmp_path):
    ok(cli("field", "add", "budget", "--type", "number"))
    ok(cli("field", "add", "plan", "--type", "choice", "--choices", "free,pro"))
    path = write(
        tmp_path / "leads.csv",
        "Name,Email,Budget,Plan\n"
        "Ada,ada@example.org,5000,PRO\n"
        "Bob,bob@example.org,lots,free\n"
        "Carl,carl@example.org,,enterprise\n"
        "Dora,dora@example.org,12.5,\n",
    )
    lines = ok(
        cli(
            "import", "contacts", str(path),
            "--map", "Budget=field:budget", "--map", "plan=field:Plan",
        )
    ).splitlines()  # fmt: skip
    assert lines[1] == (
        "created 4, merged 0, updated 0, unchanged 0, skipped 0, rejected 0; values dropped 2"
    )
    assert lines[3:6] == [
        "Warnings:",
        '  line 3: budget is a number field: "lots" is not a number; kept in the note',
        lines[5],
    ]
    assert lines[5].startswith('  line 4: plan is a choice field: "enterprise" is not one of')
    assert lines[5].endswith("; kept in the note")
    found = json.loads(ok(cli("contact", "list", "--json")))
    assert {c["name"]: (c["fields"], c["note"]) for c in found} == {
        "Ada": ({"budget": 5000, "plan": "pro"}, None),
        "Bob": ({"plan": "free"}, "budget: lots"),
        "Carl": ({}, "plan: enterprise"),
        "Dora": ({"budget": 12.5}, None),
    }
    # merge fills an empty field, update replaces one
    again = write(tmp_path / "again.csv", "Email,Budget,Plan\nada@example.org,7000,free\n"
                  "dora@example.org,1,pro\n")  # fmt: skip
    ok(cli("import", "contacts", str(again), "--map", "Budget=field:budget", "--map",
           "Plan=field:plan"))  # fmt: skip
    found = json.loads(ok(cli("contact", "list", "--json")))
    assert {c["name"]: c["fields"] for c in found} == {
        "Ada": {"budget": 5000, "plan": "pro"},
        "Bob": {"plan": "free"},
        "Carl": {},
        "Dora": {"budget": 12.5, "plan": "pro"},
    }
    ok(cli("import", "contacts", str(again), "--map", "Budget=field:budget", "--map",
           "Plan=field:plan", "--on-duplicate", "update"))  # fmt: skip
    found = json.loads(ok(cli("contact", "list", "--json")))
    assert {c["name"]: c["fields"] for c in found} == {
        "Ada": {"budget": 7000, "plan": "free"},
        "Bob": {"plan": "free"},
        "Carl": {},
        "Dora": {"budget": 1, "plan": "pro"},
    }


def test_progress_bar_on_a_terminal_goes_to_stderr(db_path, tmp_path):
    """stderr a real pseudo-terminal: the bar is drawn there, stdout keeps the summary."""
    import os
    import pty
    import subprocess
    import sys

    rows = "".join(f"Person {i},p{i}@example.org\n" for i in range(1200))
    path = write(tmp_path / "many.csv", "Name,Email\n" + rows)
    master, slave = pty.openpty()
    try:
        env = {**os.environ, "PCRM_DB": str(db_path), "COLUMNS": "100"}
        proc = subprocess.Popen(
            [sys.executable, "-m", "pcrm", "import", "contacts", str(path)],
            stdout=subprocess.PIPE,
            stderr=slave,
            env=env,
            text=True,
        )
        out, _ = proc.communicate(timeout=120)
        os.close(slave)
        slave = -1
        drawn = b""
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # the terminal's other end is closed: all is read
                break
            if not chunk:
                break
            drawn += chunk
    finally:
        if slave != -1:
            os.close(slave)
        os.close(master)
    assert proc.returncode == 0
    assert out.splitlines()[1].startswith("created 1200,")
    assert f"importing {path}".encode() in drawn
    assert b"rows" in drawn


def test_an_unknown_lifecycle_stage_is_a_warning_not_a_rejection(cli, tmp_path):
    path = write(tmp_path / "p.csv", "Name,Stage\nAda,Prospect\nBob,Evangelist\nCarl,sq\n")
    lines = ok(cli("import", "contacts", str(path), "--map", "Stage=stage")).splitlines()
    assert lines[1] == (
        "created 3, merged 0, updated 0, unchanged 0, skipped 0, rejected 0; values dropped 1"
    )
    assert lines[3:] == [
        "Warnings:",
        '  line 3: unknown lifecycle stage "Evangelist"; kept in the note',
    ]
    stages = {
        c["name"]: c["lifecycle_stage"] for c in json.loads(ok(cli("contact", "list", "--json")))
    }
    assert stages == {"Ada": "prospect", "Bob": None, "Carl": "sql"}


@pytest.mark.parametrize(
    ("name", "head", "bad"),
    [
        # a bad byte in the first 64 KiB (the sample the layout is read from) and past it,
        # where the rows are streamed; a vCard and a JSON file read as one pass
        ("early.csv", b"Name,E-mail 1 - Value\n", b"B\xe9a,bea@x.org\n"),
        ("late.csv", b"Name,E-mail 1 - Value\n" + b"Ada,ada@x.org\n" * 6000, b"B\xe9a,b@x\n"),
        ("bad.vcf", b"BEGIN:VCARD\nVERSION:3.0\nFN:Ada\nEND:VCARD\n", b"FN:B\xe9a\n"),
        ("bad.json", b'[{"name": "Ada"}, ', b'{"name": "B\xe9a"}]'),
    ],
)
def test_a_file_not_in_the_given_encoding_is_refused_whole(cli, db_path, tmp_path, name, head, bad):
    assert cli("contact", "add", "Grace Hopper").exit_code == 0
    before = dump(db_path)
    source = tmp_path / name
    source.write_bytes(head + bad)
    result = cli("import", "contacts", str(source), "--encoding", "utf-8")
    assert result.exit_code == 1
    assert result.stderr == (
        f"pcrm: error: {source} is not valid utf-8 (give its encoding with --encoding)\n"
    )
    assert dump(db_path) == before
