"""`pcrm import contacts` on CSV files as real exporters write them (issue 15, items 6-8):
code pages told by charset-normalizer, the day/month order of a file's slash dates,
Thunderbird, localised Outlook and HubSpot exports, Outlook's short rows.

The files are in tests/fixtures/real/csvread/ (SOURCES-csvread.md says where each comes
from: Roundcube's and Thunderbird's test suites, or written here in the exporters' layout).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import error, ok

REAL = Path(__file__).parent / "fixtures" / "real" / "csvread"


def imported(cli, name: str, *options: str) -> list[str]:
    return ok(cli("import", "contacts", str(REAL / name), *options)).splitlines()


def contacts(cli) -> dict[str, dict]:
    """Every contact, by name, with what a CSV row sets (emails and phones as `label: value`)."""
    found = {}
    for contact in json.loads(ok(cli("contact", "list", "--json", "--limit", "0"))):
        found[contact["name"]] = {
            "emails": [_labelled(e["label"], e["email"]) for e in contact["emails"]],
            "phones": [_labelled(p["label"], p["phone"]) for p in contact["phones"]],
            "company": contact["company"]["name"] if contact["company"] else None,
            "title": contact["title"],
            "birthday": contact["birthday"],
            "anniversary": contact["anniversary"],
            "note": contact["note"],
            "stage": contact["lifecycle_stage"],
        }
    return found


def _labelled(label: str | None, value: str) -> str:
    return f"{label}: {value}" if label else value


# -- encodings (item 6) ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "encoding", "person", "company"),
    [
        ("outlook-shift_jis.csv", "shift_jis", "太郎 山田", "株式会社サンプル"),
        ("outlook-windows-1251.csv", "Windows-1251", "Иван Петров", "Рога и копыта"),
        ("outlook-windows-1250.csv", "Windows-1250", "Jiří Dvořák", "Strojírny Třebíč"),
        ("outlook-windows-1253.csv", "Windows-1253", "Γιώργος Παπαδόπουλος", "Ελληνικά Τρόφιμα"),
        ("outlook-windows-1252.csv", "Windows-1252", "Jürgen Müller", "Müller & Söhne"),
    ],
)
def test_a_code_page_is_detected_and_shown(cli, name, encoding, person, company):
    lines = imported(cli, name)
    assert lines[0].startswith(f"{REAL / name}: Outlook CSV, {encoding}, comma-separated, ")
    found = contacts(cli)
    assert found[person]["company"] == company
    assert all(name.isprintable() and "\ufffd" not in name for name in found)


def test_a_file_whose_code_page_cannot_be_told_is_refused_with_the_candidates(cli):
    # One short Cyrillic word: it reads as well in several code pages.
    message = error(cli("import", "contacts", str(REAL / "outlook-unsure.csv")))
    assert message.count("\n") == 1
    assert message.startswith(
        f"pcrm: error: {REAL / 'outlook-unsure.csv'}: cannot tell its encoding: "
    )
    assert " or " in message
    assert message.rstrip().endswith(")") and "(give it with --encoding " in message
    assert "no database" in error(cli("contact", "list"))  # nothing was written
    # told, it imports
    lines = imported(cli, "outlook-unsure.csv", "--encoding", "windows-1251")
    assert "windows-1251" in lines[0]
    assert "Иван Smith" in contacts(cli)


def test_utf16_without_a_bom_is_text(cli):
    lines = imported(cli, "outlook-utf16le-nobom.csv")
    assert "UTF-16 LE (no BOM)" in lines[0]
    assert "Zoë Müller" in contacts(cli)


# -- the day/month order of slash dates (item 7) ------------------------------------------


def test_a_first_number_above_12_settles_day_month_for_the_whole_file(cli):
    lines = imported(cli, "dates-day-first.csv")
    assert lines[-2:] == [
        "Warnings:",
        '  line 3: slash dates read as day/month/year, as "20/01/1991" is',
    ]
    found = contacts(cli)
    assert found["Ann Smith"]["birthday"] == "1991-01-05"  # not 1 May
    assert found["Bob Jones"]["birthday"] == "1991-01-20"
    assert found["Bob Jones"]["anniversary"] == "2015-04-03"


def test_a_second_number_above_12_settles_month_day(cli):
    lines = imported(cli, "dates-month-first.csv")
    assert lines[-1] == '  line 3: slash dates read as month/day/year, as "01/20/1991" is'
    assert contacts(cli)["Ann Smith"]["birthday"] == "1991-05-01"


def test_ambiguous_slash_dates_are_refused_unless_the_order_is_given(cli):
    # The note's 20/12/2019 is not a date column: it settles nothing.
    message = error(cli("import", "contacts", str(REAL / "dates-ambiguous.csv")))
    assert message == (
        f'pcrm: error: {REAL / "dates-ambiguous.csv"}: slash dates like "05/01/1991" (line 2)'
        " can be day/month or month/day (give --date-order dmy or --date-order mdy)\n"
    )
    assert "no database" in error(cli("contact", "list"))  # nothing was written
    imported(cli, "dates-ambiguous.csv", "--date-order", "dmy")
    assert contacts(cli)["Ann Smith"]["birthday"] == "1991-01-05"


def test_the_date_order_setting_reads_ambiguous_dates_with_a_warning(cli):
    ok(cli("config", "set", "date-order", "mdy"))
    lines = imported(cli, "dates-ambiguous.csv")
    assert lines[-1] == (
        '  line 2: slash dates like "05/01/1991" read as month/day/year (date-order setting)'
    )
    assert contacts(cli)["Ann Smith"]["birthday"] == "1991-05-01"


def test_a_file_with_both_orders_is_refused_naming_both_lines(cli):
    message = error(cli("import", "contacts", str(REAL / "dates-mixed.csv")))
    assert message == (
        f"pcrm: error: {REAL / 'dates-mixed.csv'}: slash dates are day/month on line 3"
        ' ("20/01/1991") and month/day on line 4 ("01/20/1991")'
        " (fix one of them, or give --date-order dmy or --date-order mdy)\n"
    )
    imported(cli, "dates-mixed.csv", "--date-order", "mdy")  # told: the file is read
    assert contacts(cli)["Ann Smith"]["birthday"] == "1991-05-01"


def test_date_order_takes_dmy_or_mdy_only(cli):
    result = cli("import", "contacts", str(REAL / "dates-mixed.csv"), "--date-order", "ymd")
    assert result.exit_code == 2
    assert "'ymd' is not one of 'dmy', 'mdy'" in result.stderr


# -- presets (item 8) -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("../roundcube/csv2vcard-tb_plain.csv", "Thunderbird CSV, UTF-8, comma-separated"),
        ("../roundcube/csv2vcard-email.csv", "Thunderbird CSV, UTF-8, comma-separated"),
        ("thunderbird-basic_csv_addressbook.csv", "Thunderbird CSV, UTF-8, comma-separated"),
        ("../thunderbird/csv_semicolon.csv", "Thunderbird CSV, UTF-8, semicolon-separated"),
        ("../roundcube/csv2vcard-outlook.csv", "Outlook CSV, UTF-8, comma-separated"),
        ("../roundcube/csv2vcard-gmail.csv", "Google CSV, UTF-8, comma-separated"),
        ("outlook-german.csv", "Outlook (German) CSV, Windows-1252, comma-separated"),
        ("outlook-french.csv", "Outlook (French) CSV, UTF-8 with BOM, comma-separated"),
        ("outlook-spanish.csv", "Outlook (Spanish) CSV, UTF-8 with BOM, comma-separated"),
        ("hubspot-associated-companies.csv", "HubSpot CSV, UTF-8, comma-separated"),
    ],
)
def test_the_exporter_is_recognised(cli, name, shown):
    result = cli("import", "contacts", str(REAL / name), "--dry-run")
    assert result.stdout.startswith(f"{REAL / name}: {shown}, ")


def test_thunderbird_exports(cli):
    imported(cli, "thunderbird-basic_csv_addressbook.csv")
    imported(cli, "../thunderbird/csv_semicolon.csv")  # the same two people: merged
    imported(cli, "../roundcube/csv2vcard-email.csv")  # one column, "Primary Email"
    found = contacts(cli)
    assert found["John Doe"]["emails"] == ["john@doe.invalid"]
    assert found["Jane Doe"]["emails"] == ["jane@doe.invalid"]
    assert sorted(found) == sorted(
        ["John Doe", "Jane Doe", *(f"test{n}@domain.tld" for n in range(1, 5))]
    )


def test_thunderbird_birthday_columns_make_one_date(cli):
    # Roundcube's row holds words where phones go ("phone work"): left out here.
    phones = ["Work Phone", "Home Phone", "Fax Number", "Pager Number", "Mobile Number"]
    maps = [option for column in phones for option in ("--map", f"{column}=ignore")]
    lines = imported(cli, "../roundcube/csv2vcard-tb_plain.csv", *maps)
    assert lines[1].startswith("created 1,")
    found = contacts(cli)["Displayname"]  # Display Name is the name
    assert found["emails"] == ["test@domain.tld", "next@domain.tld"]
    assert found["company"] == "Organization"
    assert found["title"] == "title"
    assert found["birthday"] == "1970-11-15"
    assert lines[-2] == "Not imported, no field for these columns: Department (1 row)"


def test_outlook_e_mail_2_and_3(cli):
    imported(cli, "../roundcube/csv2vcard-outlook.csv")
    assert contacts(cli)["test1@domain.tld"]["emails"] == [
        "test1@domain.tld",
        "test2@domain.tld",
        "test3@domain.tld",
    ]


def test_german_outlook(cli):
    lines = imported(cli, "outlook-german.csv")
    assert lines[1] == (
        "created 2, merged 0, updated 0, unchanged 0, skipped 0, rejected 0; new companies 2"
    )
    # Outlook's own columns (E-Mail-Typ...) are ignored; Priorität "Normal" is empty
    assert lines[-2] == (
        "Not imported, no field for these columns: Anrede (2 rows), Abteilung (1 row)"
    )
    found = contacts(cli)
    assert found["Jürgen Müller"] == {
        "emails": ["juergen.mueller@example.de", "jm@privat.example"],
        "phones": ["work: +49 89 123456", "mobile: +49 171 5551234"],
        "company": "Müller & Söhne GmbH",
        "title": "Geschäftsführer",
        "birthday": "1970-11-15",  # 15.11.1970: dots are day.month.year
        "anniversary": None,  # 0.0.00
        "note": "Bevorzugt Anrufe am Vormittag",
        "stage": None,
    }
    assert found["Anna Maria Schröder"]["phones"] == ["work: +49 30 555666"]


def test_french_and_spanish_outlook(cli):
    imported(cli, "outlook-french.csv")
    imported(cli, "outlook-spanish.csv")
    found = contacts(cli)
    assert found["René Lefèvre"] == {
        "emails": ["rene@cafe.example"],
        "phones": ["work: +33 1 23 45 67 89", "mobile: +33 6 12 34 56 78"],
        "company": "Café Crème",
        "title": "Gérant",
        "birthday": "1970-03-14",
        "anniversary": None,
        "note": "Livraison le mardi",
        "stage": None,
    }
    assert found["José García López"]["emails"] == [
        "jose.garcia@example.es",
        "jose@casa.example",
    ]
    assert found["José García López"]["birthday"] == "1985-01-20"


def test_hubspot_with_associated_companies(cli):
    lines = imported(cli, "hubspot-associated-companies.csv")
    assert lines[1].startswith("created 3,")
    found = contacts(cli)
    assert found["Ada Lovelace"]["phones"] == ["+44 20 7946 0000", "mobile: +44 7700 900123"]
    assert found["Ada Lovelace"]["company"] == "Analytical Engines Ltd"
    # HubSpot's stages as pcrm's (docs/import-export.md): Opportunity is opportunity
    assert found["Ada Lovelace"]["stage"] == "opportunity"
    assert found["Charles Babbage"]["stage"] == "mql"
    assert found["Grace Hopper"]["stage"] == "customer"


def test_outlook_short_rows_are_padded_and_long_ones_refused(cli):
    lines = imported(cli, "outlook-short-rows.csv")
    assert lines[1].startswith("created 2,")
    assert lines[-1] == "  line 4: has 8 cells, the header has 7"
    found = contacts(cli)
    assert found["Ada Lovelace"]["company"] == "Analytical Engines"
    assert found["Tom O'Brien"]["emails"] == ["tom@example.ie"]
