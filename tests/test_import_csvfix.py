"""`pcrm import contacts` on three real CSV files of issue 15's corpus that arrived wrong:
Roundcube's own CSV (its preset), a Thunderbird export in Shift-JIS (told from rare
Korean), and a German Outlook export (its "other" address, and cells holding their column's
name, such as "Telefon (privat 2)": fewer than 3 digits is no phone number)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from conftest import ok

REAL = Path(__file__).parent / "fixtures" / "real"


def _import(cli: Any, path: Path, *options: str) -> str:
    return ok(cli("import", "contacts", str(path), *options))


def _exported(cli: Any) -> dict[str, dict[str, Any]]:
    contacts = json.loads(ok(cli("export", "contacts", "--format", "json")))
    return {contact["name"]: contact for contact in contacts}


def test_roundcube_csv_is_recognised_and_its_columns_mapped(cli: Any) -> None:
    out = _import(cli, REAL / "roundcube" / "csv2vcard-all.csv")
    assert out.startswith(f"{REAL / 'roundcube' / 'csv2vcard-all.csv'}: Roundcube CSV, ")
    # Roundcube's "Title" is the name's prefix ("Prefix" in this file): not the job title,
    # and reported as a column pcrm has no field for
    assert "Not imported, no field for these columns: Title (1 row)" in out
    contact = _exported(cli)["Display Name"]
    assert contact["title"] == "Job Title"
    assert contact["emails"] == [
        {"email": "home@example.com", "label": "home"},
        {"email": "work@example.com", "label": "work"},
        {"email": "other@example.com", "label": "other"},
    ]
    assert {"label": "mobile", "phone": "500"} in contact["phones"]
    assert contact["faxes"] == [
        {"label": "home", "phone": "700"},
        {"label": "work", "phone": "800"},
    ]
    assert contact["addresses"][2] == {
        "label": "other",
        "street": "Other Street",
        "locality": "Other City",
        "region": "Other State",
        "postcode": "Other Zip",
        "country": "Other Country",
    }
    assert {"label": "blog", "url": "https://blog"} in contact["urls"]


def test_shift_jis_is_told_from_rare_korean_syllables(cli: Any) -> None:
    # 名無しの権兵衛 in Shift-JIS also decodes as Windows-949, to Hangul syllables Korean
    # text never uses (outside KS X 1001), with less "chaos" for charset-normalizer
    path = REAL / "thunderbird" / "shiftjis_addressbook.csv"
    assert _import(cli, path).startswith(f"{path}: Thunderbird CSV, shift_jis, ")
    contact = _exported(cli)["名無しの権兵衛"]
    assert [e["email"] for e in contact["emails"]] == ["名無しの権兵衛@host.invalid"]


def test_korean_in_euc_kr_is_still_read_as_korean(cli: Any, tmp_path: Path) -> None:
    path = tmp_path / "korean.csv"
    path.write_bytes(
        "Name,Email,Company\n김철수,kim@example.com,삼성전자 주식회사\n"
        "박영희,park@example.com,서울특별시 강남구\n".encode("cp949")
    )
    assert _import(cli, path).startswith(f"{path}: generic CSV, euc-kr, ")
    found = _exported(cli)
    assert found["김철수"]["company"]["name"] == "삼성전자 주식회사"
    assert "박영희" in found


def test_german_outlook_other_address_is_whole(cli: Any) -> None:
    _import(cli, REAL / "open-xchange" / "outlook-de-bug9367.csv")
    (contact,) = _exported(cli).values()
    assert contact["addresses"][2] == {
        "label": "other",
        "street": "Straße (weitere)",
        "locality": "Stadt (weitere)",
        "region": "Bundesland (weiteres)",
        "postcode": "PLZ",
        "country": "Land (weiteres)",
    }


def test_a_cell_holding_its_column_name_with_a_digit_is_no_phone(cli: Any) -> None:
    out = _import(cli, REAL / "open-xchange" / "outlook-de-bug9367.csv")
    # both were read as the number "2" (and one silently lost as the other's duplicate)
    assert 'phone "Telefon (geschäftlich 2)" is not a phone number; kept in the note' in out
    assert 'phone "Telefon (privat 2)" is not a phone number; kept in the note' in out
    (contact,) = _exported(cli).values()
    assert contact["phones"] == []
    assert "Telefon (privat 2)" in contact["note"]


def test_fewer_than_three_digits_is_no_phone_or_fax_number(cli: Any, tmp_path: Path) -> None:
    path = tmp_path / "short.csv"
    path.write_text(
        "Name,Email,Phone,Fax\n"
        "Ann Lee,ann@example.com,ext. 12,7\n"
        "Bob Roe,bob@example.com,112,+1 5\n",
        encoding="utf-8",
    )
    out = _import(cli, path)
    assert 'line 2: phone "ext. 12" is not a phone number' in out
    assert 'line 2: fax "7" is not a fax number' in out
    assert 'line 3: fax "+1 5" is not a fax number' in out
    found = _exported(cli)
    assert found["Ann Lee"]["phones"] == [] and found["Ann Lee"]["faxes"] == []
    assert [p["phone"] for p in found["Bob Roe"]["phones"]] == ["112"]  # emergency numbers
