"""What a CSV row of a real export reads as: postal addresses grouped by slot, faxes,
web pages, nicknames and Thunderbird's birthday columns (issue 15, item 8).

Read through the same path `pcrm import contacts` takes (open_source, read_csv, the
preset auto picks, CsvMapper), on the files of tests/fixtures/real/csvread/: what the
importer is handed. Storing these parts is the storage step's (m015) business; the
summary's "Not imported" line, which these columns no longer appear in, is checked
through the CLI in test_import_csvread_files.py and below.
"""

from __future__ import annotations

from pathlib import Path

from conftest import ok
from pcrm.core.importing.models import ParsedContact
from pcrm.core.people.models import Address
from pcrm.formats.contact_file import open_source, read_csv
from pcrm.formats.contact_rows import CsvMapper
from pcrm.formats.presets import detect

REAL = Path(__file__).parent / "fixtures" / "real" / "csvread"
LEGACY = Path(__file__).parent / "fixtures" / "import"


def rows(path: Path) -> tuple[str, list[ParsedContact]]:
    source = open_source(str(path))
    try:
        layout, found = read_csv(source)
        mapper = CsvMapper(layout, detect(layout.header))
        return mapper.preset.name, [mapper.contact(row) for row in found]
    finally:
        source.close()


def test_google_legacy_export_addresses_websites_faxes_and_nickname():
    preset, (row,) = rows(REAL / "../roundcube/csv2vcard-gmail.csv")
    assert preset == "google"
    assert row.nickname == "nick"
    assert row.addresses == [
        Address("home", "home_street, home_pobox", "home_city", "home_state", "home_zip",
                "home_country"),
        Address("work", "work_street", "work_city", None, "work_zip", "work_country"),
    ]  # fmt: skip
    assert row.urls == [("profile", "test.com"), ("home page", "home.page.com")]
    assert row.faxes == [("home", "homefax"), ("work", "workfax")]  # "Home Fax", "Work Fax"
    assert row.phones == [
        ("pager", "pager"),
        ("main", "mainphone"),
        ("home", "homephone"),
        ("mobile", "mobile"),
        ("work", "workphone"),
    ]
    assert row.emails == [
        ("home", "home@aaa.pl"),
        ("work", "work@email.pl"),
        (None, "unknown@email.com"),
        ("other", "other@email.com"),  # E-mail 4
    ]
    assert [column for column, _ in row.unmapped] == [
        "Name Prefix",
        "Relation 1 - Type",
        "Relation 1 - Value",
    ]


def test_thunderbird_export_addresses_pages_fax_and_birthday():
    preset, (row,) = rows(REAL / "../roundcube/csv2vcard-tb_plain.csv")
    assert preset == "thunderbird"
    assert (row.name, row.nickname, row.birthday) == ("Displayname", "Nick", "1970-11-15")
    assert row.addresses == [
        Address("home", "Priv address", "City", "region", "xx-xxx", "USA"),
        Address("work", "Addr work", "Wcity", "Wstate", "33-333", "Poland"),
    ]
    assert row.urls == [(None, "http://page.com"), (None, "http://webpage.tld")]
    assert row.faxes == [(None, "fax")]
    assert row.phones == [
        ("work", "phone work"),
        ("home", "phone home"),
        ("pager", "pager"),
        ("mobile", "mobile"),
    ]


def test_german_outlook_addresses_fax_and_web_page():
    preset, (juergen, anna) = rows(REAL / "outlook-german.csv")
    assert preset == "outlook-de"
    assert juergen.addresses == [
        Address("work", "Hauptstraße 5", "München", "Bayern", "80331", "Deutschland"),
        Address("home", "Gartenweg 12", "Starnberg", "Bayern", "82319", "Deutschland"),
    ]
    assert juergen.faxes == [("work", "+49 89 1234599")]
    assert juergen.urls == [(None, "https://mueller-soehne.example")]
    assert anna.addresses == []


def test_french_outlook_address():
    _, (rene,) = rows(REAL / "outlook-french.csv")
    assert rene.addresses == [
        Address("work", "12 rue de la Paix", "Paris", "Île-de-France", "75002", "France")
    ]
    assert rene.faxes == [("work", "+33 1 23 45 67 90")]


def test_linkedin_profile_urls_are_urls_labelled_linkedin(cli):
    _, found = rows(LEGACY / "linkedin.csv")
    urls = [row.urls for row in found if row.urls]
    assert urls and all(label == "linkedin" for row in urls for label, _ in row)
    assert all(column != "URL" for row in found for column, _ in row.unmapped)
    summary = ok(cli("import", "contacts", str(LEGACY / "linkedin.csv")))
    assert "URL (" not in summary  # no longer listed as "Not imported"


def test_google_addresses_are_no_longer_listed_as_not_imported(cli):
    summary = ok(cli("import", "contacts", str(REAL / "../roundcube/csv2vcard-gmail.csv")))
    assert summary.splitlines()[-2] == (
        "Not imported, no field for these columns: Name Prefix (1 row),"
        " Relation 1 - Type (1 row), Relation 1 - Value (1 row)"
    )
