"""Issue 15, storage: a merge keeps the nickname, faxes, URLs, addresses and raw vCards of
both contacts, `pcrm undo` puts them back; removing a contact removes them; an import
that merges adds only the values the contact lacks."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from conftest import dump, ok
from test_cli_merge import content


def person(number: int, **extra: object) -> dict:
    return {
        "uid": f"{number}{number}{number}{number}0000-0000-4000-8000-000000000000",
        "name": f"Person {number}",
        "emails": [{"email": f"p{number}@example.org"}],
        **extra,
    }


ONE = person(
    1,
    faxes=[{"phone": "+1 212 555 0101", "label": "work"}],
    urls=[{"url": "https://one.example", "label": "home"}],
    addresses=[{"label": "work", "street": "1 Main St", "locality": "Springfield"}],
)
TWO = person(
    2,
    nickname="Two",
    faxes=[{"phone": "+1 (212) 555-0101", "label": None}, {"phone": "+1 212 555 0202"}],
    urls=[{"url": "https://one.example"}, {"url": "https://two.example", "label": "blog"}],
    addresses=[{"label": "home", "locality": "Shelbyville", "country": "US"}],
)


def load(cli, db_path: Path, people: list[dict], tmp_path: Path, *args: str) -> str:
    path = tmp_path / "people.json"
    path.write_text(json.dumps(people), encoding="utf-8")
    return ok(cli("import", "contacts", str(path), *args))


def shown(cli, ref: str) -> dict:
    return json.loads(ok(cli("contact", "show", ref, "--json")))["contact"]


def set_card(db_path: Path, contact_id: int, card: str) -> None:
    conn = sqlite3.connect(db_path)
    with conn:
        conn.execute(
            "INSERT OR REPLACE INTO contact_vcards(contact_id, card) VALUES (?, ?)",
            [contact_id, card],
        )
    conn.close()


def cards(db_path: Path) -> list[tuple[int, str]]:
    conn = sqlite3.connect(db_path)
    found = conn.execute("SELECT contact_id, card FROM contact_vcards ORDER BY 1").fetchall()
    conn.close()
    return found


CARD_1 = "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Person 1\r\nX-ONE:1\r\nEND:VCARD\r\n"
CARD_2 = "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Person 2\r\nX-TWO:2\r\nEND:VCARD\r\n"


def test_merge_keeps_every_detail_and_undo_puts_them_back(cli, db_path, tmp_path):
    load(cli, db_path, [ONE, TWO], tmp_path)
    set_card(db_path, 1, CARD_1)
    set_card(db_path, 2, CARD_2)
    before = content(db_path)
    ok(cli("contact", "merge", "1", "2"))
    kept = shown(cli, "1")
    assert kept["nickname"] == "Two"
    assert kept["faxes"] == [
        {"phone": "+1 212 555 0101", "label": "work"},
        {"phone": "+1 212 555 0202", "label": None},
    ]  # the same number written another way is not repeated
    assert kept["urls"] == [
        {"url": "https://one.example", "label": "home"},
        {"url": "https://two.example", "label": "blog"},
    ]
    assert [a["locality"] for a in kept["addresses"]] == ["Springfield", "Shelbyville"]
    assert cards(db_path) == [(1, CARD_1 + CARD_2)]  # neither card's properties lost
    ok(cli("undo"))
    assert content(db_path) == before


def test_removing_a_contact_removes_its_details(cli, db_path, tmp_path):
    load(cli, db_path, [ONE], tmp_path)
    set_card(db_path, 1, CARD_1)
    ok(cli("contact", "rm", "1", "--yes"))
    conn = sqlite3.connect(db_path)
    for table in ("contact_faxes", "contact_urls", "contact_addresses", "contact_vcards"):
        assert conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == 0, table
    conn.close()


def test_an_import_that_merges_adds_only_what_is_new(cli, db_path, tmp_path):
    load(cli, db_path, [ONE], tmp_path)
    again = {**TWO, "uid": ONE["uid"], "name": ONE["name"], "emails": ONE["emails"]}
    load(cli, db_path, [again], tmp_path)
    merged = shown(cli, "1")
    assert merged["nickname"] == "Two"  # was empty: filled
    assert [f["phone"] for f in merged["faxes"]] == ["+1 212 555 0101", "+1 212 555 0202"]
    assert [u["url"] for u in merged["urls"]] == ["https://one.example", "https://two.example"]
    assert len(merged["addresses"]) == 2
    before = dump(db_path)
    load(cli, db_path, [again], tmp_path)
    assert dump(db_path) == before  # nothing repeated


def test_faxes_are_not_phones(cli, db_path, tmp_path):
    load(cli, db_path, [ONE], tmp_path)
    assert shown(cli, "1")["phones"] == []
    assert "Person 1" not in ok(cli("search", "2125550101"))
