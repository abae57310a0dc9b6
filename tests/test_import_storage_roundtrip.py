"""Issue 15, storage: nickname, faxes, URLs and addresses go out in pcrm's CSV and JSON and
come back in whole, labels of any text included (`Work (old)`, `R&D`, Apple's
`_$!<Mobile>!$_`); importing the export again changes nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import dump, ok

PEOPLE = [
    {
        "uid": "11111111-1111-4111-8111-111111111111",
        "name": "Ada Lovelace",
        "nickname": "Countess",
        "emails": [
            {"email": "ada@example.org", "label": "Work (old)"},
            {"email": "ada@home.example", "label": "_$!<Home>!$_"},
        ],
        "phones": [
            {"phone": "+44 20 7946 0001", "label": "R&D"},
            {"phone": "+44 20 7946 0002", "label": "a: b; c\\d, e"},
        ],
        "faxes": [{"phone": "+44 20 7946 0009", "label": "work"}],
        "addresses": [
            {
                "label": "Home, sweet; home",
                "street": "12 St James's Square, Flat 3",
                "locality": "London",
                "region": None,
                "postcode": "SW1Y 4JH",
                "country": "United Kingdom",
            },
            {
                "label": None,
                "street": None,
                "locality": "Marylebone: North",
                "region": "Greater London",
                "postcode": None,
                "country": "UK",
            },
        ],
        "urls": [
            {"url": "https://www.linkedin.com/in/ada", "label": "LinkedIn"},
            {"url": "example.org/ada;notes", "label": None},
        ],
        "created_at": "2026-01-02T03:04:05Z",
        "updated_at": "2026-01-02T03:04:05Z",
    },
    {
        "uid": "22222222-2222-4222-8222-222222222222",
        "name": "Grace Hopper",
        "emails": [{"email": "grace@example.org", "label": None}],
        "phones": [{"phone": "555 0100", "label": None}],
        "created_at": "2026-01-02T03:04:05Z",
        "updated_at": "2026-01-02T03:04:05Z",
    },
]


def listed(cli, database: Path) -> list[dict]:
    found = json.loads(ok(cli("--db", str(database), "contact", "list", "--json", "--limit", "0")))
    for contact in found:
        del contact["id"]
    return sorted(found, key=lambda contact: contact["uid"])


@pytest.fixture
def source(cli, tmp_path) -> Path:
    path = tmp_path / "source.json"
    path.write_text(json.dumps(PEOPLE), encoding="utf-8")
    database = tmp_path / "a.db"
    ok(cli("--db", str(database), "import", "contacts", str(path)))
    return database


def test_the_import_keeps_every_new_part_as_written(cli, source):
    ada, grace = listed(cli, source)
    assert ada["nickname"] == "Countess"
    assert [e["label"] for e in ada["emails"]] == ["Work (old)", "_$!<Home>!$_"]
    assert ada["faxes"] == [{"phone": "+44 20 7946 0009", "label": "work"}]
    assert ada["phones"] == [
        {"phone": "+44 20 7946 0001", "label": "R&D"},
        {"phone": "+44 20 7946 0002", "label": "a: b; c\\d, e"},
    ]
    assert ada["addresses"] == PEOPLE[0]["addresses"]
    assert ada["urls"] == PEOPLE[0]["urls"]
    assert grace["nickname"] is None and grace["addresses"] == [] and grace["urls"] == []


@pytest.mark.parametrize("form", ["csv", "json"])
def test_export_then_import_into_an_empty_file_gives_the_same_data(cli, tmp_path, source, form):
    exported, target = tmp_path / f"out.{form}", tmp_path / "b.db"
    ok(cli("--db", str(source), "export", "contacts", "--format", form, "-o", str(exported)))
    ok(cli("--db", str(target), "import", "contacts", str(exported)))
    assert listed(cli, target) == listed(cli, source)
    again = tmp_path / f"again.{form}"
    ok(cli("--db", str(target), "export", "contacts", "--format", form, "-o", str(again)))
    assert again.read_bytes() == exported.read_bytes()
    before = dump(target)
    ok(cli("--db", str(target), "import", "contacts", str(exported)))
    assert dump(target) == before  # a re-import changes nothing


def test_the_csv_columns_and_cells(cli, tmp_path, source):
    import csv

    exported = tmp_path / "out.csv"
    ok(cli("--db", str(source), "export", "contacts", "--format", "csv", "-o", str(exported)))
    with exported.open(encoding="utf-8-sig", newline="") as stream:
        rows = list(csv.DictReader(stream))
    assert list(rows[0])[-4:] == ["nickname", "faxes", "addresses", "urls"]
    ada = rows[0]
    assert ada["emails"] == "Work (old): ada@example.org; _$!<Home>!$_: ada@home.example"
    assert ada["phones"] == "R&D: +44 20 7946 0001; a\\: b\\; c\\\\d\\, e: +44 20 7946 0002"
    assert ada["faxes"] == "work: +44 20 7946 0009"
    assert ada["addresses"] == (
        "Home\\, sweet\\; home: 12 St James's Square\\, Flat 3, London, , SW1Y 4JH,"
        " United Kingdom; , Marylebone\\: North, Greater London, , UK"
    )
    assert ada["urls"] == "LinkedIn: https://www.linkedin.com/in/ada; example.org/ada\\;notes"


def test_search_finds_nickname_city_country_and_url(cli, source):
    for query in ("Countess", "London", "Kingdom", "linkedin"):
        assert "Ada Lovelace" in ok(cli("--db", str(source), "search", query)), query
    assert "Ada" not in ok(cli("--db", str(source), "search", "SW1Y"))  # postcode: not indexed
