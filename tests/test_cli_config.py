"""`pcrm config get|set|list`: settings kept in the database file."""

from __future__ import annotations

import json
import sqlite3

from conftest import dump, error, ok
from pcrm.core.settings import KEYS


def test_currency_defaults_to_eur_until_set(cli, db_path):
    ok(cli("contact", "add", "Ada"))
    assert ok(cli("config", "get", "currency")) == "EUR\n"
    assert "currency = EUR  (default)" in ok(cli("config", "list")).splitlines()
    assert ok(cli("config", "set", "Currency", " gbp ")) == "currency = GBP\n"
    assert ok(cli("config", "get", "CURRENCY")) == "GBP\n"
    assert "currency = GBP" in ok(cli("config", "list")).splitlines()
    assert json.loads(ok(cli("config", "list", "--json")))["currency"] == "GBP"
    conn = sqlite3.connect(db_path)
    try:
        assert conn.execute("SELECT key, value FROM settings").fetchall() == [("currency", "GBP")]
        assert conn.execute("SELECT * FROM currencies").fetchall() == [("GBP", 2, "Pound Sterling")]
    finally:
        conn.close()


def test_bad_settings_change_nothing(cli, db_path):
    ok(cli("contact", "add", "Ada"))
    before = dump(db_path)
    hint = "(use an ISO 4217 code such as EUR, USD or GBP)"
    assert error(cli("config", "set", "currency", "EUX")) == (
        f'pcrm: error: unknown currency "EUX" {hint}\n'
    )
    assert error(cli("config", "set", "currency", "euro")) == (
        f'pcrm: error: "euro" is not a currency code {hint}\n'
    )
    assert error(cli("config", "set", "colour", "red")) == (
        f'pcrm: error: unknown setting "colour" (settings: {", ".join(KEYS)})\n'
    )
    assert error(cli("config", "get", "colour")) == (
        f'pcrm: error: unknown setting "colour" (settings: {", ".join(KEYS)})\n'
    )
    assert dump(db_path) == before


def test_reading_a_missing_database_does_not_create_it(cli, db_path):
    assert error(cli("config", "get", "currency")).startswith("pcrm: error: no database at ")
    assert error(cli("config", "set", "colour", "red")) == (
        f'pcrm: error: unknown setting "colour" (settings: {", ".join(KEYS)})\n'
    )
    assert not db_path.exists()
    assert ok(cli("config", "set", "currency", "chf")) == "currency = CHF\n"
    assert db_path.exists()


def test_phone_region_is_none_until_set_and_takes_a_country_code(cli, db_path):
    ok(cli("contact", "add", "Ada"))
    assert ok(cli("config", "get", "phone_region")) == "none\n"
    assert ok(cli("config", "set", "phone_region", " gb ")) == "phone_region = GB\n"
    assert ok(cli("config", "set", "phone_region", "none")) == "phone_region = none\n"
    before = dump(db_path)
    assert error(cli("config", "set", "phone_region", "England")) == (
        'pcrm: error: unknown phone region "England"'
        " (use a two-letter country code such as GB, US or DE, or none)\n"
    )
    assert dump(db_path) == before
