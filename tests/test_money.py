"""Money: amounts as typed become exact minor units; currencies are ISO 4217, checked once
and cached in the file; amounts are shown as "€12,500.50", "¥1,200", "12,500.50 CHF"."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from decimal import Decimal

import pytest

from conftest import dump
from pcrm.core.deals.money import Currency, check_currency, parse_money, read_amount, rescale
from pcrm.errors import InvalidInput
from pcrm.render import money as show
from pcrm.store.db import open_db


@pytest.fixture
def db(tmp_path):
    database = open_db(tmp_path / "money.db", create=True)
    yield database
    database.close()


@pytest.mark.parametrize(
    ("text", "major", "currencies"),
    [
        ("12000", "12000", ()),
        ("12k", "12000", ()),
        ("12K", "12000", ()),
        ("12 k", "12000", ()),
        ("12,500.50", "12500.50", ()),
        ("1,234,567", "1234567", ()),
        ("1.5m", "1500000", ()),
        ("0", "0", ()),
        ("€1,200", "1200", ("EUR",)),
        ("£3.5k", "3500", ("GBP",)),
        ("12k USD", "12000", ("USD",)),
        ("chf 12000", "12000", ("CHF",)),
        ("US$3", "3", ("USD",)),
        ("  7  ", "7", ()),
    ],
)
def test_amounts_people_type(text, major, currencies):
    amount = read_amount(text)
    assert amount.major == Decimal(major)
    assert amount.currencies == currencies


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "no value given (try 12000, 12,500.50, 12k or 1.5m)"),
        ("-5", 'the value cannot be negative: "-5" (give 0 or more)'),
        ("€-5", 'the value cannot be negative: "€-5" (give 0 or more)'),
        ("- 1,200", 'the value cannot be negative: "- 1,200" (give 0 or more)'),
        ("abc", 'cannot read "abc" as an amount (try 12000, 12,500.50, 12k or 1.5m)'),
        ("1e5", 'cannot read "1e5" as an amount (try 12000, 12,500.50, 12k or 1.5m)'),
        ("12.", 'cannot read "12." as an amount (try 12000, 12,500.50, 12k or 1.5m)'),
        ("12kUSD", 'cannot read "12kUSD" as an amount (try 12000, 12,500.50, 12k or 1.5m)'),
        ("1.2.3", 'cannot read "1.2.3" as an amount (try 12000, 12,500.50, 12k or 1.5m)'),
        ("€1,200 EUR", '"€1,200 EUR" names its currency twice (keep one: €1,200 or 1,200 EUR)'),
    ],
)
def test_amounts_that_are_refused(text, message):
    with pytest.raises(InvalidInput) as caught:
        read_amount(text)
    assert str(caught.value) == message


def test_minor_units_follow_the_currency_exponent(db):
    assert parse_money(db, "12,500.50", currency=None, default="EUR").value == 1_250_050
    assert parse_money(db, "1.5k", currency="JPY", default="EUR").value == 1500
    assert parse_money(db, "1.2340", currency="BHD", default="EUR").value == 1234
    assert parse_money(db, "1.2345k", currency=None, default="EUR").value == 123_450


@pytest.mark.parametrize(
    ("text", "currency", "message"),
    [
        ("12.5051", None, '"12.5051" has more decimals than EUR allows (2 decimals) (round it)'),
        ("1.5", "JPY", '"1.5" has more decimals than JPY allows (no decimals) (round it)'),
        ("1000000m", None, 'the value "1000000m" is too large (at most 999,999,999,999)'),
        ("€5", "USD", '"€5" is not in USD (drop the symbol, or use --currency EUR)'),
        (
            "¥5",
            None,
            '"¥5" could be in JPY, CNY (say which, e.g. --currency JPY)',
        ),
    ],
)
def test_values_a_currency_cannot_hold(db, text, currency, message):
    with pytest.raises(InvalidInput) as caught:
        parse_money(db, text, currency=currency, default="EUR")
    assert str(caught.value) == message


def test_a_symbol_picks_the_currency_and_a_shared_one_means_the_default(db):
    assert parse_money(db, "€5", currency=None, default="USD").currency.code == "EUR"
    assert parse_money(db, "$5", currency=None, default="CAD").currency.code == "CAD"
    assert parse_money(db, "$5", currency="usd", default="EUR").currency.code == "USD"
    assert parse_money(db, "5", currency=None, default="GBP").currency.code == "GBP"


def test_currencies_are_checked_and_cached_once(db):
    assert db.execute("SELECT * FROM currencies").fetchall() == []
    assert check_currency(db, " chf ") == Currency("CHF", 2, "Swiss Franc")
    assert check_currency(db, "JPY") == Currency("JPY", 0, "Yen")
    assert db.execute("SELECT * FROM currencies ORDER BY code").fetchall() == [
        ("CHF", 2, "Swiss Franc"),
        ("JPY", 0, "Yen"),
    ]
    # Read from the table, not the package: a name changed there is what comes back.
    db.execute("UPDATE currencies SET name = 'Franc' WHERE code = 'CHF'")
    assert check_currency(db, "CHF").name == "Franc"


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("EUX", 'unknown currency "EUX" (use an ISO 4217 code such as EUR, USD or GBP)'),
        ("euro", '"euro" is not a currency code (use an ISO 4217 code such as EUR, USD or GBP)'),
        ("€", '"€" is not a currency code (use an ISO 4217 code such as EUR, USD or GBP)'),
        (
            "XAU",
            "XAU (Gold) is not a currency deals can be valued in"
            " (use an ISO 4217 code such as EUR, USD or GBP)",
        ),
    ],
)
def test_unknown_currencies(db, code, message):
    with pytest.raises(InvalidInput) as caught:
        check_currency(db, code)
    assert str(caught.value) == message
    assert db.execute("SELECT count(*) FROM currencies").fetchone()[0] == 0


def test_changing_currency_keeps_the_amount():
    eur, jpy, bhd = Currency("EUR", 2, "Euro"), Currency("JPY", 0, "Yen"), Currency("BHD", 3, "")
    assert rescale(120_000, eur, jpy) == 1200
    assert rescale(1200, jpy, eur) == 120_000
    assert rescale(150, eur, bhd) == 1500
    with pytest.raises(InvalidInput, match="cents that JPY cannot hold"):
        rescale(120_050, eur, jpy)


def test_money_is_shown_with_a_symbol_only_when_it_is_the_currency_s_own():
    assert show.money(1_250_050, "EUR", 2) == "€12,500.50"
    assert show.money(120_000, "JPY", 0) == "¥120,000"
    assert show.money(1_250_050, "CHF", 2) == "12,500.50 CHF"
    assert show.money(5, "USD", 2) == "$0.05"
    assert show.money(5, "CAD", 2) == "0.05 CAD"
    assert show.money(1234, "BHD", 3) == "1.234 BHD"
    assert show.money(0, "EUR", 2) == "€0.00"
    assert show.plain(1_250_050, 2) == "12500.50"
    assert show.plain(7, 0) == "7"


def test_a_column_of_amounts_ends_its_numbers_in_line():
    cells = show.aligned([(1_250_050, "EUR", 2), (100, "CHF", 2), (5, "JPY", 0)])
    assert cells == ["€12,500.50    ", "      1.00 CHF", "        ¥5    "]
    assert show.aligned([(100, "EUR", 2)]) == ["€1.00"]
    assert show.aligned([(0, "EUR", 2), (100, "CHF", 2)], zero="—") == ["   —    ", "1.00 CHF"]


# -- through the command line ----------------------------------------------------------


def currencies(db_path) -> list[tuple]:
    conn = sqlite3.connect(db_path)
    try:
        return conn.execute("SELECT code, exponent, name FROM currencies ORDER BY code").fetchall()
    finally:
        conn.close()


@pytest.fixture
def crm(cli):
    assert cli("contact", "add", "Ada Lovelace").exit_code == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--value", "-5"), 'the value cannot be negative: "-5" (give 0 or more)'),
        (
            ("--value", "lots"),
            'cannot read "lots" as an amount (try 12000, 12,500.50, 12k or 1.5m)',
        ),
        (
            ("--value", "5", "--currency", "EUX"),
            'unknown currency "EUX" (use an ISO 4217 code such as EUR, USD or GBP)',
        ),
        (
            ("--value", "0.5", "--currency", "JPY"),
            '"0.5" has more decimals than JPY allows (no decimals) (round it)',
        ),
        (
            ("--value", "$5"),
            '"$5" could be in USD, CAD, AUD, NZD, SGD, HKD, MXN, ARS, CLP, COP, TWD'
            " (say which, e.g. --currency USD)",
        ),
    ],
)
def test_bad_values_change_nothing(cli, db_path, crm, args, message):
    before = dump(db_path)
    result = cli("deal", "add", "20 seats", *args)
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == f"pcrm: error: {message}\n"
    assert dump(db_path) == before


def test_values_as_typed_and_as_stored(cli, db_path, crm):
    assert cli("deal", "add", "A", "--value", "12k").stdout == (
        "added deal 1 A: €12,000.00 in Sales / Qualified\n"
    )
    assert cli("deal", "add", "B", "--value", "¥1,200", "--currency", "jpy").stdout == (
        "added deal 2 B: ¥1,200 in Sales / Qualified\n"
    )
    assert cli("deal", "add", "C", "--value", "12,500.50 CHF").stdout == (
        "added deal 3 C: 12,500.50 CHF in Sales / Qualified\n"
    )
    assert cli("deal", "add", "D").stdout == "added deal 4 D: €0.00 in Sales / Qualified\n"
    conn = sqlite3.connect(db_path)
    try:
        rows = conn.execute("SELECT title, value, currency FROM deals ORDER BY id").fetchall()
    finally:
        conn.close()
    assert rows == [
        ("A", 1_200_000, "EUR"),
        ("B", 1200, "JPY"),
        ("C", 1_250_050, "CHF"),
        ("D", 0, "EUR"),
    ]
    assert currencies(db_path) == [("CHF", 2, "Swiss Franc"), ("EUR", 2, "Euro"), ("JPY", 0, "Yen")]


def test_the_default_currency_comes_from_the_setting(cli, db_path, crm):
    assert cli("config", "set", "currency", "usd").stdout == "currency = USD\n"
    assert cli("deal", "add", "A", "--value", "99.99").stdout == (
        "added deal 1 A: $99.99 in Sales / Qualified\n"
    )
    assert cli("deal", "add", "B", "--value", "5", "--currency", "GBP").stdout == (
        "added deal 2 B: £5.00 in Sales / Qualified\n"
    )


def test_deal_list_never_imports_iso4217(cli, db_path, crm):
    assert cli("deal", "add", "20 seats", "--value", "12k", "--currency", "CHF").exit_code == 0
    result = subprocess.run(
        [sys.executable, "-m", "pcrm", "deal", "list"],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPROFILEIMPORTTIME": "1"},
        timeout=60,
    )
    assert result.returncode == 0
    assert "12000.00\tCHF" in result.stdout
    modules = {line.split("|")[-1].strip() for line in result.stderr.splitlines() if "|" in line}
    assert "pcrm.core.deals.deals" in modules  # the measurement works
    assert "iso4217" not in modules
