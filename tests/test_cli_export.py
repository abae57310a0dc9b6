"""`pcrm export`: CSV, JSON and vCard checked field by field, filters, files and safety."""

from __future__ import annotations

import csv
import io
import json
import os
import stat

import pytest
import vobject

from conftest import dump, error, ok
from pcrm.formats.pcrm_csv import restore, split_values

NOTE = '=HYPERLINK("http://evil")\nsecond line; with \\ and ,'


@pytest.fixture
def crm(cli):
    ok(cli("field", "add", "budget", "--type", "number"))
    ok(cli("field", "add", "plan", "--type", "choice", "--choices", "free,pro"))
    ok(cli("field", "add", "tier", "--type", "text", "--on", "company"))
    ok(cli("field", "add", "seats", "--type", "number", "--on", "deal"))
    ok(
        cli(
            "contact", "add", "Ada King Lovelace", "-e", "work: ada@example.org",
            "-e", "ada@home.example", "-p", "mobile: +44 20 7946 0958", "-p", "020 1234",
            "-c", "Analytical Engines", "--title", "CTO", "--source", "referral",
            "--birthday", "10 Dec", "-t", "vip,client", "--note", NOTE,
            "--set", "budget=-250.5", "--set", "plan=pro",
        )
    )  # fmt: skip
    ok(cli("contact", "add", "Grace", "-e", "grace@navy.example", "--birthday", "1906-12-09"))
    ok(cli("contact", "add", "@Mallory", "--title", "+1+1", "-t", "x;y"))
    ok(cli("company", "edit", "analytical", "--set", "tier=-gold", "--domain", "ae.example"))
    ok(
        cli(
            "deal", "add", "20 seats", "--value", "12500.5", "--contact", "ada:buyer",
            "--contact", "grace", "--close", "2026-12-31", "-t", "big", "--set", "seats=20",
        )
    )  # fmt: skip
    ok(cli("deal", "add", "Yen deal", "--value", "1500000", "--currency", "JPY"))
    ok(cli("log", "ada", "Call: =1+1", "--kind", "call", "--with", "grace", "--deal", "20 seats"))
    ok(cli("log", "grace", "Met", "--kind", "meeting", "--at", "2026-11-01 09:00"))


def csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


# -- contacts as CSV -------------------------------------------------------------------


def test_contacts_csv_field_by_field(cli, crm):
    out = ok(cli("export", "contacts"))
    assert out.startswith(
        "uid,name,emails,phones,company,title,source,lifecycle_stage,birthday,anniversary,"
        "cadence_days,tags,note,created_at,updated_at,nickname,faxes,addresses,urls,"
        "field:budget,field:plan\n"
    )
    ada, grace, mallory = csv_rows(out)
    uids = {c["name"]: c["uid"] for c in json.loads(ok(cli("contact", "list", "--json")))}
    assert ada == {
        "uid": uids["Ada King Lovelace"],
        "name": "Ada King Lovelace",
        "emails": "work: ada@example.org; ada@home.example",
        "phones": "mobile: +44 20 7946 0958; 020 1234",
        "company": "Analytical Engines",
        "title": "CTO",
        "source": "referral",
        "lifecycle_stage": "",
        "birthday": "'--12-10",
        "anniversary": "",
        "cadence_days": "",
        "tags": "client; vip",
        "note": "'" + NOTE,
        "created_at": "2026-11-23T10:00:00Z",
        "updated_at": "2026-11-23T10:00:00Z",
        "nickname": "",
        "faxes": "",
        "addresses": "",
        "urls": "",
        "field:budget": "'-250.5",
        "field:plan": "pro",
    }
    assert grace["birthday"] == "1906-12-09"
    assert grace["emails"] == "grace@navy.example"
    assert (grace["phones"], grace["field:budget"], grace["field:plan"]) == ("", "", "")
    assert (mallory["name"], mallory["title"], mallory["tags"]) == ("'@Mallory", "'+1+1", "x\\;y")


def test_multi_value_cells_split_back(cli, crm):
    ada = csv_rows(ok(cli("export", "contacts", "--raw")))[0]
    assert split_values(ada["emails"]) == ["work: ada@example.org", "ada@home.example"]
    assert split_values(ada["phones"]) == ["mobile: +44 20 7946 0958", "020 1234"]
    assert split_values(ada["tags"]) == ["client", "vip"]
    # The note is one value, not a list: its escapes are only for multi-value cells.
    assert ada["note"] == NOTE


def test_raw_leaves_formulas_and_restore_undoes_neutralising(cli, crm):
    raw = csv_rows(ok(cli("export", "contacts", "--raw")))
    safe = csv_rows(ok(cli("export", "contacts")))
    assert raw[0]["note"] == NOTE
    assert raw[2]["name"] == "@Mallory"
    for raw_row, safe_row in zip(raw, safe, strict=True):
        assert {key: restore(cell) for key, cell in safe_row.items()} == raw_row


def test_every_neutralised_cell_starts_safely(cli, crm):
    for command in ("contacts", "companies", "deals", "interactions"):
        for row in csv.reader(io.StringIO(ok(cli("export", command)), newline="")):
            for cell in row:
                assert cell[:1] not in ("=", "+", "-", "@", "\t", "\r"), (command, cell)


def test_bom_only_when_asked(cli, crm, tmp_path):
    ok(cli("export", "contacts", "-o", str(tmp_path / "plain.csv")))
    ok(cli("export", "contacts", "--bom", "-o", str(tmp_path / "excel.csv")))
    plain = (tmp_path / "plain.csv").read_bytes()
    assert plain.startswith(b"uid,name,")
    assert plain.count(b"\r\n") == 4  # the header and three rows end in CRLF (RFC 4180)
    assert (tmp_path / "excel.csv").read_bytes() == b"\xef\xbb\xbf" + plain


# -- filters ---------------------------------------------------------------------------


def test_tag_and_where_select_what_is_exported(cli, crm):
    assert [r["name"] for r in csv_rows(ok(cli("export", "contacts", "--tag", "VIP")))] == [
        "Ada King Lovelace"
    ]
    by_plan = csv_rows(ok(cli("export", "contacts", "--where", "plan=PRO", "-w", "budget<0")))
    assert [r["name"] for r in by_plan] == ["Ada King Lovelace"]
    assert ok(cli("export", "contacts", "--where", "budget>0")) == (
        "uid,name,emails,phones,company,title,source,lifecycle_stage,birthday,anniversary,"
        "cadence_days,tags,note,created_at,updated_at,nickname,faxes,addresses,urls,"
        "field:budget,field:plan\n"
    )
    assert json.loads(ok(cli("export", "contacts", "--format", "json", "-w", "budget>0"))) == []
    deals = csv_rows(ok(cli("export", "deals", "--where", "seats>=20")))
    assert [d["title"] for d in deals] == ["20 seats"]


def test_bad_where_is_an_error_and_writes_no_file(cli, crm, tmp_path):
    target = tmp_path / "out.csv"
    assert 'no contact field named "nope"' in error(
        cli("export", "contacts", "--where", "nope=1", "-o", str(target))
    )
    assert not target.exists()
    assert not [name for name in os.listdir(tmp_path) if name not in ("data", "home")]


# -- JSON ------------------------------------------------------------------------------


def test_json_export_is_what_list_json_prints(cli, crm):
    listed = json.loads(ok(cli("contact", "list", "--json")))
    exported = ok(cli("export", "contacts", "--format", "json"))
    assert json.loads(exported) == sorted(listed, key=lambda contact: contact["id"])
    # Streamed item by item, yet printed exactly as --json prints a whole list.
    assert exported == json.dumps(json.loads(exported), indent=2, ensure_ascii=False) + "\n"
    assert json.loads(exported)[0]["fields"] == {"budget": -250.5, "plan": "pro"}
    deals = json.loads(ok(cli("export", "deals", "--format", "json")))
    assert [(d["title"], d["value"], d["currency"]) for d in deals] == [
        ("20 seats", 1250050, "EUR"),
        ("Yen deal", 1500000, "JPY"),
    ]
    assert ok(cli("export", "companies", "--format", "json")) == ok(
        cli("company", "list", "--json")
    )


def test_json_export_of_nothing_is_an_empty_array(cli, db_path):
    ok(cli("field", "add", "x"))
    assert ok(cli("export", "contacts", "--format", "json")) == "[]\n"
    assert ok(cli("export", "interactions", "--format", "json")) == "[]\n"


# -- companies, deals, interactions ----------------------------------------------------


def test_companies_csv(cli, crm):
    (company,) = csv_rows(ok(cli("export", "companies")))
    assert company | {"uid": "", "created_at": "", "updated_at": ""} == {
        "uid": "",
        "name": "Analytical Engines",
        "domain": "ae.example",
        "website": "",
        "industry": "",
        "size": "",
        "tags": "",
        "note": "",
        "created_at": "",
        "updated_at": "",
        "field:tier": "'-gold",
    }


def test_deals_csv_in_major_units(cli, crm):
    seats, yen = csv_rows(ok(cli("export", "deals")))
    assert seats | {"uid": ""} == {
        "uid": "",
        "title": "20 seats",
        "value": "12500.50",
        "currency": "EUR",
        "company": "Analytical Engines",
        "contacts": "Ada King Lovelace: buyer; Grace",
        "pipeline": "Sales",
        "stage": "Qualified",
        "status": "open",
        "expected_close": "2026-12-31",
        "source": "",
        "lost_reason": "",
        "closed_at": "",
        "tags": "big",
        "note": "",
        "created_at": "2026-11-23T10:00:00Z",
        "updated_at": "2026-11-23T10:00:00Z",
        "field:seats": "20",
    }
    assert (yen["value"], yen["currency"], yen["company"], yen["field:seats"]) == (
        "1500000",
        "JPY",
        "",
        "",
    )


def test_interactions_csv_oldest_first(cli, crm):
    met, call = csv_rows(ok(cli("export", "interactions")))
    people = {c["name"]: c["uid"] for c in json.loads(ok(cli("contact", "list", "--json")))}
    assert (met["at"], met["kind"], met["contacts"], met["text"]) == (
        "2026-11-01T09:00:00Z",
        "meeting",
        "Grace",
        "Met",
    )
    assert call | {"uid": ""} == {
        "uid": "",
        "at": "2026-11-23T10:00:00Z",
        "kind": "call",
        "contacts": "Ada King Lovelace; Grace",
        "contact_uids": f"{people['Ada King Lovelace']}; {people['Grace']}",
        "company": "Analytical Engines",
        "deal": "20 seats",
        "text": "Call: =1+1",
        "cancelled_at": "",
        "source": "manual",
        "external_id": "",
        "direction": "",
    }


def test_interactions_json(cli, crm):
    items = json.loads(ok(cli("export", "interactions", "--format", "json")))
    assert [(i["kind"], [c["name"] for c in i["contacts"]]) for i in items] == [
        ("meeting", ["Grace"]),
        ("call", ["Ada King Lovelace", "Grace"]),
    ]
    assert items[1]["deal"]["name"] == "20 seats"


def test_vcard_is_only_for_contacts(cli, crm):
    assert cli("export", "deals", "--format", "vcard").exit_code == 2


# -- vCard -----------------------------------------------------------------------------


def cards(text: str) -> list:
    return list(vobject.readComponents(text))


def test_vcard3_parsed_back_field_by_field(cli, crm):
    out = ok(cli("export", "contacts", "--format", "vcard"))
    assert out.startswith("BEGIN:VCARD\nVERSION:3.0\n")  # CliRunner shows CRLF as \n
    ada, grace, mallory = cards(out)
    uids = {c["name"]: c["uid"] for c in json.loads(ok(cli("contact", "list", "--json")))}
    assert ada.uid.value == uids["Ada King Lovelace"]
    assert ada.fn.value == "Ada King Lovelace"
    assert (ada.n.value.given, ada.n.value.family) == ("Ada King", "Lovelace")
    assert [(e.value, e.params.get("TYPE")) for e in ada.contents["email"]] == [
        ("ada@example.org", ["INTERNET", "work"]),
        ("ada@home.example", ["INTERNET"]),
    ]
    assert [(t.value, t.params.get("TYPE")) for t in ada.contents["tel"]] == [
        ("+44 20 7946 0958", ["mobile"]),
        ("020 1234", None),
    ]
    assert ada.org.value == ["Analytical Engines"]
    assert ada.title.value == "CTO"
    assert (ada.bday.value, ada.bday.params) == ("1604-12-10", {"X-APPLE-OMIT-YEAR": ["1604"]})
    assert ada.note.value == NOTE  # never neutralised: no spreadsheet runs a vCard
    assert ada.categories.value == ["client", "vip"]
    assert ada.x_pcrm_source.value == "referral"
    assert [(f.params["X-NAME"][0], f.value) for f in ada.contents["x-pcrm-field"]] == [
        ("budget", "-250.5"),
        ("plan", "pro"),
    ]
    assert grace.bday.value == "1906-12-09"
    assert "org" not in grace.contents and "tel" not in grace.contents
    assert (grace.n.value.given, grace.n.value.family) == ("Grace", "")
    assert mallory.fn.value == "@Mallory"
    assert mallory.categories.value == ["x;y"]


def test_vcard4_writes_a_birthday_without_year_as_the_rfc_says(cli, crm):
    ada = cards(ok(cli("export", "contacts", "--format", "vcard", "--vcard-version", "4")))[0]
    assert ada.version.value == "4.0"
    assert (ada.bday.value, ada.bday.params) == ("--1210", {})
    assert [e.params.get("TYPE") for e in ada.contents["email"]] == [["work"], None]


def test_vcard_lines_are_folded(cli):
    ok(cli("contact", "add", "Ada", "--note", "word " * 60))
    out = ok(cli("export", "contacts", "--format", "vcard"))
    assert max(len(line.encode()) for line in out.splitlines()) <= 75
    assert cards(out)[0].note.value == ("word " * 60).strip()


# -- files -----------------------------------------------------------------------------


def test_file_is_private_refuses_to_overwrite_and_force_replaces(cli, crm, tmp_path):
    target = tmp_path / "contacts.csv"
    result = cli("export", "contacts", "-o", str(target))
    assert ok(result) == ""
    assert result.stderr == f"exported 3 contacts to {target}\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert target.read_bytes().decode().replace("\r\n", "\n") == ok(cli("export", "contacts"))
    target.write_text("mine")
    assert error(cli("export", "contacts", "-o", str(target))) == (
        f"pcrm: error: {target} already exists (add --force to replace it)\n"
    )
    assert target.read_text() == "mine"
    ok(cli("export", "contacts", "-o", str(target), "--force", "--tag", "vip"))
    assert len(csv_rows(target.read_text())) == 1
    left = [name for name in os.listdir(tmp_path) if name not in ("data", "home")]
    assert left == ["contacts.csv"]  # no temporary file left behind


@pytest.fixture
def interrupted_at_row(monkeypatch):
    """Make the contact export stop at row `n` (as Ctrl-C or a crash would), or run
    `meanwhile` there instead."""
    from pcrm.formats.exports import csv

    def install(n, meanwhile=None):
        columns, real = csv.LAYOUTS["contact"]
        rows = []

        def row(item, names):
            rows.append(item)
            if len(rows) == n:
                if meanwhile is None:
                    raise KeyboardInterrupt
                meanwhile()
            return real(item, names)

        monkeypatch.setitem(csv.LAYOUTS, "contact", (columns, row))

    return install


def test_an_export_that_stops_midway_leaves_the_old_file_and_nothing_else(
    cli, crm, tmp_path, interrupted_at_row
):
    target, new = tmp_path / "contacts.csv", tmp_path / "new.csv"
    target.write_text("the last good export")
    interrupted_at_row(2)
    result = cli("export", "contacts", "-o", str(target), "--force")
    assert (result.exit_code, result.stdout) == (130, "")
    assert target.read_text() == "the last good export"
    interrupted_at_row(2)
    assert cli("export", "contacts", "-o", str(new)).exit_code == 130
    assert not new.exists()
    left = [name for name in os.listdir(tmp_path) if name not in ("data", "home")]
    assert left == ["contacts.csv"]  # no temporary file left behind


def test_a_file_that_appears_during_the_export_is_not_replaced(
    cli, crm, tmp_path, interrupted_at_row
):
    target = tmp_path / "contacts.csv"
    interrupted_at_row(2, meanwhile=lambda: target.write_text("written by someone else"))
    assert error(cli("export", "contacts", "-o", str(target))) == (
        f"pcrm: error: {target} already exists (add --force to replace it)\n"
    )
    assert target.read_text() == "written by someone else"
    left = [name for name in os.listdir(tmp_path) if name not in ("data", "home")]
    assert left == ["contacts.csv"]


def test_dash_is_stdout(cli, crm):
    assert ok(cli("export", "companies", "-o", "-")) == ok(cli("export", "companies"))


def test_export_reads_and_never_writes(cli, crm, db_path):
    before = dump(db_path)
    ok(cli("export", "contacts"))
    ok(cli("export", "deals", "--format", "json"))
    assert dump(db_path) == before


def test_missing_database_is_an_error_not_a_new_file(cli, db_path):
    assert "no database at" in error(cli("export", "contacts"))
    assert not db_path.exists()


def test_export_on_a_terminal_shows_control_characters_escaped(cli, db_path, tmp_path):
    ok(cli("contact", "add", "Eve \x1b[31mred\x07"))
    shown = ok(cli("export", "contacts", terminal=True))
    assert "\x1b" not in shown and "\x07" not in shown
    assert "Eve \\x1b[31mred\\x07" in shown
    target = tmp_path / "eve.csv"
    ok(cli("export", "contacts", "-o", str(target), terminal=True))
    assert "Eve \x1b[31mred\x07" in target.read_text()  # the file keeps the data exactly


def test_export_streams_in_batches(cli, db_path, monkeypatch):
    """More contacts than one batch: every one is written once, in id order."""
    from pcrm.core.views import export

    monkeypatch.setattr(export, "BATCH", 2)
    for name in ("A", "B", "C", "D", "E"):
        ok(cli("contact", "add", name))
    assert [r["name"] for r in csv_rows(ok(cli("export", "contacts")))] == list("ABCDE")
    assert [c["name"] for c in json.loads(ok(cli("export", "contacts", "-f", "json")))] == list(
        "ABCDE"
    )
    ok(cli("contact", "rm", "C", "--yes"))
    assert [r["name"] for r in csv_rows(ok(cli("export", "contacts")))] == list("ABDE")
    # Interactions page on (time, id): three at the same time are neither lost nor repeated.
    for text in ("one", "two", "three"):
        ok(cli("log", "A", text, "--at", "2026-11-01 09:00"))
    ok(cli("log", "B", "earlier", "--at", "2026-10-01 09:00"))
    texts = [r["text"] for r in csv_rows(ok(cli("export", "interactions")))]
    assert texts == ["earlier", "one", "two", "three"]


# -- round trip through `pcrm import contacts --preset pcrm` ---------------------------


def declare_fields(cli, *db: str) -> None:
    ok(cli(*db, "field", "add", "budget", "--type", "number"))
    ok(cli(*db, "field", "add", "plan", "--type", "choice", "--choices", "free,Pro"))
    ok(cli(*db, "field", "add", "renewal", "--type", "date"))
    ok(cli(*db, "field", "add", "team"))


def test_csv_export_imports_back_byte_for_byte(cli, tmp_path):
    declare_fields(cli)
    ok(
        cli(
            "contact", "add", "Zoë Müller", "-e", "work: zoe@example.org", "-e", "z@home.example",
            "-p", "mobile: +44 20 7946 0958", "-p", "020 1234", "-c", "Ünïcode GmbH",
            "--title", "=CTO", "--source", "@event", "--birthday", "--02-29", "-t", "a;b,vip",
            "--note", "'=quoted\nline two; with \\ and \"quotes\"",
            "--set", "budget=-250.5", "--set", "plan=pro", "--set", "renewal=2027-01-31",
            "--set", "team=@ops; 'sales'",
        )
    )  # fmt: skip
    ok(cli("contact", "add", "--birthday", "1815-12-10", "--set", "budget=1e20", "--", "-Dash"))
    ok(cli("contact", "add", "Plain", "--set", "budget=7"))
    first, second = tmp_path / "first.csv", tmp_path / "second.csv"
    ok(cli("export", "contacts", "-o", str(first)))
    assert b",'-250.5,Pro,2027-01-31,'@ops; 'sales'\r\n" in first.read_bytes()
    other = str(tmp_path / "other.db")
    declare_fields(cli, "--db", other)
    ok(cli("--db", other, "import", "contacts", str(first), "--preset", "pcrm"))
    ok(cli("--db", other, "export", "contacts", "-o", str(second)))
    assert second.read_bytes() == first.read_bytes()
    # Importing the same file again changes nothing.
    ok(cli("--db", other, "import", "contacts", str(first), "--preset", "pcrm"))
    ok(cli("--db", other, "export", "contacts", "-o", str(second), "--force"))
    assert second.read_bytes() == first.read_bytes()


def test_formats_come_from_their_registry_and_only_export_loads_it(cli):
    """Each module of formats/exports/ registers a format for some kinds of record: --format
    takes those and --help lists them; `pcrm --help` (which builds every command) loads none."""
    import subprocess
    import sys

    from pcrm.formats.exports import names_for

    assert names_for("contact") == ["csv", "json", "vcard"]
    assert names_for("deal") == ["csv", "json"]
    assert names_for("agenda") == ["ics"]
    assert "-f, --format FORMAT      csv, json or vcard." in ok(cli("export", "contacts", "-h"))
    assert "csv or json." in ok(cli("export", "deals", "-h"))
    assert "ics (iCalendar)." in ok(cli("export", "agenda", "-h"))
    result = cli("export", "companies", "--format", "vcard")
    assert result.exit_code == 2
    assert "'vcard' is not one of 'csv', 'json'." in result.stderr
    probe = "import sys; from pcrm.cli.main import run\ntry:\n    run()\nexcept SystemExit:\n"
    probe += "    print(' '.join(sorted(sys.modules)))\n"
    for args, loaded in ((["--help"], False), (["export", "contacts", "--help"], True)):
        result = subprocess.run(
            [sys.executable, "-c", probe, *args], capture_output=True, text=True, timeout=60
        )
        modules = result.stdout.splitlines()[-1].split()
        assert ("pcrm.formats.exports.csv" in modules) is loaded, args


NAMES_FORMAT = """
from pcrm.formats.exports import ExportFormat


def write(stream, records, options):
    count = 0
    for count, contact in enumerate(records, start=1):
        stream.write(contact.name + "\\n")
    return count


def register_export_formats(register):
    register(ExportFormat("names", frozenset({"contact"}), write, order=90))
"""


def test_a_new_export_format_is_one_new_module(cli, tmp_path, monkeypatch):
    """A module dropped into formats/exports/ (here: a folder added to its path) is a new
    --format choice for the kinds it names, listed in their help."""
    import sys

    from pcrm.formats import exports

    (tmp_path / "extra").mkdir()
    (tmp_path / "extra" / "names.py").write_text(NAMES_FORMAT)
    monkeypatch.setattr(exports, "__path__", [*exports.__path__, str(tmp_path / "extra")])
    monkeypatch.setattr(exports, "_registry", None)
    try:
        ok(cli("contact", "add", "Ada Lovelace"))
        ok(cli("contact", "add", "Grace Hopper"))
        assert ok(cli("export", "contacts", "--format", "names")) == "Ada Lovelace\nGrace Hopper\n"
        assert "csv, json, vcard or names." in ok(cli("export", "contacts", "-h"))
        assert cli("export", "deals", "--format", "names").exit_code == 2
    finally:
        sys.modules.pop("pcrm.formats.exports.names", None)
