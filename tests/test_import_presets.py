"""`pcrm import contacts` on files written the way each exporter writes them
(tests/fixtures/import/, see its README), checked field by field."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import ok

FIXTURES = Path(__file__).parent / "fixtures" / "import"


def imported(cli, name: str, *options: str) -> list[str]:
    return ok(cli("import", "contacts", str(FIXTURES / name), *options)).splitlines()


def contacts(cli) -> dict[str, dict]:
    """Every contact as `contact list --json` shows it, by name, with only what a file can
    set (ids and times left out), emails and phones as `label: value` strings."""
    found = {}
    for contact in json.loads(ok(cli("contact", "list", "--json", "--limit", "0"))):
        found[contact["name"]] = {
            "emails": [_labelled(e["label"], e["email"]) for e in contact["emails"]],
            "phones": [_labelled(p["label"], p["phone"]) for p in contact["phones"]],
            "company": contact["company"]["name"] if contact["company"] else None,
            "title": contact["title"],
            "source": contact["source"],
            "birthday": contact["birthday"],
            "note": contact["note"],
            "tags": contact["tags"],
        }
    return found


def _labelled(label: str | None, value: str) -> str:
    return f"{label}: {value}" if label else value


def test_google_csv(cli):
    lines = imported(cli, "google.csv")
    assert lines[:4] == [
        f"{FIXTURES / 'google.csv'}: Google CSV, UTF-8, comma-separated, 4 rows",
        "created 3, merged 0, updated 0, unchanged 0, skipped 0, rejected 0, empty 1;"
        " values dropped 1; new companies 2",
        lines[2],
        "Warnings:",
    ]
    # line 7: Zoë's row spans lines 2-4 (two quoted cells hold a line break each)
    assert lines[4] == '  line 7: email "bob@" is not a valid address; kept in the note'
    assert lines[5].startswith(
        "Not imported, no field for these columns: Organization Department (1 row), "
    )
    assert contacts(cli) == {
        "Zoë Müller": {
            "emails": ["work: zoe@example.org", "home: zoe.mueller@home.example"],
            "phones": ["mobile: +49 151 2345 6789", "work: +49 30 1234567", "work: +49 30 7654321"],
            "company": "Analytical Engines",
            "title": "CTO",
            "source": None,
            "birthday": "1985-03-12",
            "note": "Met at the conference, Berlin.\nLikes tea.",
            "tags": ["Clients"],  # "* myContacts" and "* starred" are Google's, not tags
        },
        "Grace Brewster Hopper": {
            "emails": ["grace@navy.example"],
            "phones": [],
            "company": "US Navy",
            "title": None,
            "source": None,
            "birthday": "--12-09",
            "note": None,
            "tags": [],
        },
        "Bob Broken": {  # his email has a typo: kept in the note, he is imported
            "emails": [],
            "phones": [],
            "company": None,
            "title": None,
            "source": None,
            "birthday": None,
            "note": "Email: bob@",
            "tags": [],
        },
    }


def test_google_legacy_csv_in_utf16(cli):
    lines = imported(cli, "google_legacy.csv")
    assert lines[0].endswith("google_legacy.csv: Google CSV, UTF-16, comma-separated, 2 rows")
    assert lines[1] == (
        "created 2, merged 0, updated 0, unchanged 0, skipped 0, rejected 0; new companies 1"
    )
    assert contacts(cli) == {
        "François Dupont": {
            "emails": ["home: francois@example.fr", "home: f.dupont@example.fr"],
            "phones": ["mobile: +33 6 12 34 56 78"],
            "company": "Société Générale",
            "title": "Analyste",
            "source": None,
            "birthday": "1979-11-02",
            "note": "Ligne 1, avec virgule\nLigne 2",
            "tags": ["Friends"],
        },
        # no Name: given and family names make it
        "Åsa Ström": {
            "emails": ["work: asa@example.se"],
            "phones": [],
            "company": None,
            "title": None,
            "source": None,
            "birthday": None,
            "note": None,
            "tags": [],
        },
    }


def test_outlook_com_csv(cli):
    lines = imported(cli, "outlook.csv", "--date-order", "mdy")  # 11/2/1979 reads both ways
    assert lines[0].endswith("outlook.csv: Outlook CSV, UTF-8 with BOM, comma-separated, 2 rows")
    assert lines[-2] == "Not imported, no field for these columns: Title (1 row)"
    assert contacts(cli) == {
        "Maria García": {
            "emails": ["maria.garcia@example.es", "maria@home.example"],
            "phones": ["work: +34 91 123 45 67", "mobile: +34 612 345 678"],
            "company": "Acme, S.L.",
            "title": "Head of Research",
            "source": None,
            "birthday": "1979-11-02",  # 11/2/1979 is month/day/year
            "note": "Prefers email.\nSpanish, English",
            "tags": [],
        },
        "Tom O'Brien": {
            "emails": ["tom@example.ie"],
            "phones": [],
            "company": "Acme, S.L.",
            "title": None,
            "source": None,
            "birthday": None,
            "note": None,
            "tags": [],
        },
    }


def test_outlook_desktop_csv_in_windows_1252(cli):
    lines = imported(cli, "outlook_desktop.csv")
    # Gender "Unspecified", Priority "Normal", 0/0/00 dates...: Outlook's empty values
    assert lines == [
        f"{FIXTURES / 'outlook_desktop.csv'}: Outlook CSV, Windows-1252, comma-separated, 2 rows",
        "created 2, merged 0, updated 0, unchanged 0, skipped 0, rejected 0; new companies 1",
        lines[2],
        "Warnings:",
        lines[4],
    ]
    assert "slash dates read as month/day/year" in lines[4]
    found = contacts(cli)
    assert found["René Lefèvre"] == {
        "emails": ["rene@cafe.example"],
        "phones": ["work: (555) 010-2030"],
        "company": "Café Crème",
        "title": "Gérant",
        "source": None,
        "birthday": "1970-03-14",
        "note": "Livraison le mardi — 9h",
        "tags": ["Suppliers", "VIP"],
    }
    assert found["Wang ?"]["emails"] == ["wang@example.cn"]  # Outlook wrote ? for 王


def test_linkedin_connections_with_preamble(cli):
    lines = imported(cli, "linkedin.csv", "--tag", "linkedin")
    assert lines[:2] == [
        f"{FIXTURES / 'linkedin.csv'}: LinkedIn CSV, UTF-8, comma-separated, 4 rows",
        "created 3, merged 0, updated 0, unchanged 0, skipped 0, rejected 0, empty 1;"
        " new companies 2",
    ]
    assert lines[3:] == [
        "Not imported, no field for these columns: Connected On (4 rows)",
        '  --keep-unmapped keeps them in the note; --map "COLUMN=FIELD" maps a column',
    ]
    found = contacts(cli)
    assert found["Ada Lovelace"] == {
        "emails": ["ada@example.org"],
        "phones": [],
        "company": "Analytical Engines",
        "title": "Founder, CEO",
        "source": "LinkedIn",
        "birthday": None,
        "note": None,
        "tags": ["linkedin"],
    }
    assert found["Charles Babbage"]["emails"] == []  # members choose whether to share it
    assert found["Søren Kierkegaard"]["company"] is None


def test_linkedin_keep_unmapped_puts_the_values_in_the_note(cli):
    imported(cli, "linkedin.csv", "--keep-unmapped")
    note = contacts(cli)["Ada Lovelace"]["note"]
    assert note == "Connected On: 12 Mar 2024"  # the profile URL is a url now


def test_hubspot_csv(cli):
    lines = imported(cli, "hubspot.csv")
    assert lines[:5] == [
        f"{FIXTURES / 'hubspot.csv'}: HubSpot CSV, UTF-8, comma-separated, 3 rows",
        "created 3, merged 0, updated 0, unchanged 0, skipped 0, rejected 0; values dropped 1;"
        " new companies 1",
        lines[2],
        "Warnings:",
        '  line 4: email "not-an-email" is not a valid address; kept in the note',
    ]
    found = contacts(cli)
    assert found["Linus Torvalds"] == {
        "emails": ["linus@example.org", "lt@home.example", "linus.t@example.net"],
        "phones": ["+1 503 555 0100", "mobile: +1 503 555 0199"],
        "company": "Transmeta",
        "title": "Engineer",
        "source": None,
        "birthday": None,
        "note": None,
        "tags": [],
    }
    # no name: the address stands in for it
    assert found["info@example.com"]["emails"] == ["info@example.com"]
    # HubSpot's lifecycle stages become pcrm's, recorded in the history
    stages = {
        c["name"]: c["lifecycle_stage"] for c in json.loads(ok(cli("contact", "list", "--json")))
    }
    assert stages == {
        "Linus Torvalds": "sql",
        "info@example.com": "lead",
        "Margaret Hamilton": "lead",
    }
    assert found["Margaret Hamilton"]["note"] == "Email: not-an-email"
    assert "stage set to sql\timported" in ok(cli("timeline", "linus"))


def test_vcard_file_detected_by_content(cli, tmp_path):
    # no .vcf suffix: the content says what it is
    target = tmp_path / "export.txt"
    target.write_bytes((FIXTURES / "contacts.vcf").read_bytes())
    lines = ok(cli("import", "contacts", str(target))).splitlines()
    assert lines[0] == f"{target}: vCard, UTF-8, 4 cards"
    assert lines[3:] == [
        "Warnings:",  # Initech's card has a company and a phone: a contact to name
        '  line 44: no name: created as "Initech (+1 555 0100)" from its company and phone,'
        " tagged needs-name",
        "No field for these properties, kept in the contact's vCard: PHOTO (1 card)",
        "  --keep-unmapped also copies them into the note (pictures and keys aside)",
    ]
    found = contacts(cli)
    assert found["Ada King Lovelace"] == {
        "emails": ["work: ada@example.org", "personal: ada@lovelace.example"],
        "phones": [
            "mobile: +44 20 7946 0958",
            "work: +44 20 7946 0000",
            "other: +44 1632 960001",
        ],
        "company": "Analytical Engines, Ltd",
        "title": "Countess",
        "source": None,
        "birthday": "--12-10",  # Apple's year 1604 means "no year"
        "note": "Wrote the first program\nfor the Analytical Engine, with Babbage. A long note"
        " that is folded at seventy-five octets by the exporter.",
        "tags": ["Clients", "VIP"],
    }
    assert found["Grace Hopper"] == {
        "emails": ["home: grace@navy.example", "grace@cobol.example"],
        "phones": ["mobile: (202) 555-0143"],
        "company": "US Navy",
        "title": None,
        "source": None,
        "birthday": "--12-09",
        "note": None,
        "tags": ["Pioneers"],  # Google's myContacts group is not a tag
    }
    assert found["Tim Berners-Lee"]["birthday"] == "1955-06-08"
    uids = json.loads(ok(cli("contact", "list", "--json")))
    assert {c["name"]: c["uid"] for c in uids}["Ada King Lovelace"] == (
        "8E1B5D3A-1111-2222-3333-444455556666"
    )
    assert {c["name"]: c["uid"] for c in uids}["Tim Berners-Lee"] == (
        "0b7e0c4e-5a2b-4f8e-9d3c-1a2b3c4d5e6f"
    )


def test_excel_semicolons_in_windows_1252_with_a_map_file(cli, tmp_path):
    mapping = tmp_path / "german.map"
    mapping.write_text(
        "# Excel, German headers\nTelefon=phone\nFirma=company\nGeburtstag=birthday\nNotiz=note\n",
        encoding="utf-8",
    )
    lines = imported(cli, "excel_semicolon.csv", "--map-file", str(mapping))
    assert lines[0].endswith(": generic CSV, Windows-1252, semicolon-separated, 2 rows")
    found = contacts(cli)
    assert found["Jürgen Weiß"] == {
        "emails": ["juergen@example.de"],
        "phones": ["+49 30 1234567"],
        "company": "Müller & Söhne GmbH",
        "title": None,
        "source": None,
        "birthday": "1985-03-14",  # 14.03.1985 is day.month.year
        "note": "Kunde seit 2019; zahlt pünktlich",
        "tags": [],
    }


def test_excel_unicode_text_is_utf16_with_tabs(cli):
    lines = imported(cli, "excel_unicode.txt")
    assert lines[0].endswith("excel_unicode.txt: generic CSV, UTF-16, tab-separated, 2 rows")
    found = contacts(cli)
    assert found["Ólafur Arnalds"]["tags"] == ["friends", "music"]
    assert found["Ólafur Arnalds"]["phones"] == ["+354 555 1234"]
    assert found["李小龍"]["emails"] == ["bruce@example.hk"]


def test_the_presets_come_from_their_registry_and_only_import_loads_it(cli):
    """Each module of formats/presets/ registers one preset: --help lists them, and
    `pcrm --help` (which builds every command) does not load them."""
    import subprocess
    import sys

    from pcrm.formats.presets import listed, registry

    assert listed() == ["auto", "google", "outlook", "thunderbird", "linkedin", "hubspot", "pcrm"]
    assert sorted(registry()) == [
        "generic", "google", "hubspot", "linkedin", "outlook", "outlook-de", "outlook-es",
        "outlook-fr", "pcrm", "roundcube", "thunderbird",
    ]  # fmt: skip
    shown = " ".join(ok(cli("import", "contacts", "--help")).split())
    assert (
        "Whose export FILE is: auto (from the header), google, outlook, thunderbird, linkedin,"
        " hubspot "
        "or pcrm." in shown
    )
    probe = "import sys; from pcrm.cli.main import run\ntry:\n    run()\nexcept SystemExit:\n"
    probe += "    print(' '.join(sorted(sys.modules)))\n"
    for args, loaded in ((["--help"], False), (["import", "contacts", "--help"], True)):
        result = subprocess.run(
            [sys.executable, "-c", probe, *args], capture_output=True, text=True, timeout=60
        )
        modules = result.stdout.splitlines()[-1].split()
        assert ("pcrm.formats.presets.google" in modules) is loaded, args


ACME = """
from pcrm.formats.contact_presets import preset
from pcrm.formats.presets import Register, Signature

ACME = preset("acme", {"Full Name": "name", "Mail": "email", "Employer": "company"}, title="Acme")


def register_presets(register: Register) -> None:
    register(ACME, order=60, signature=Signature(every=frozenset({"Acme ID"})))
"""


def test_a_new_preset_is_one_new_module(cli, tmp_path, monkeypatch):
    """A module dropped into formats/presets/ (here: a folder added to its path) is offered
    by --preset and its help, and recognised by auto."""
    import sys

    from pcrm.formats import presets

    (tmp_path / "extra").mkdir()
    (tmp_path / "extra" / "acme.py").write_text(ACME)
    monkeypatch.setattr(presets, "__path__", [*presets.__path__, str(tmp_path / "extra")])
    monkeypatch.setattr(presets, "_registry", None)
    monkeypatch.delitem(sys.modules, "pcrm.formats.presets.acme", raising=False)
    try:
        path = tmp_path / "acme.csv"
        path.write_text("Acme ID,Full Name,Mail,Employer\n7,Ada Lovelace,ada@example.org,Firm\n")
        lines = ok(cli("import", "contacts", str(path))).splitlines()
        assert lines[0] == f"{path}: Acme CSV, UTF-8, comma-separated, 1 row"
        assert contacts(cli)["Ada Lovelace"]["company"] == "Firm"
        assert "hubspot, pcrm or acme." in " ".join(ok(cli("import", "contacts", "-h")).split())
        again = ok(cli("import", "contacts", str(path), "--preset", "acme")).splitlines()
        assert again[0] == lines[0]
    finally:
        sys.modules.pop("pcrm.formats.presets.acme", None)
