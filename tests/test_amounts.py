"""Amounts are never misread (issue 16): a point followed by exactly three digits ("40.000":
40 or 40000?) is refused unless the user chose a number style; whatever reads only one way
is read; the style applies to deal values, number fields, and amounts shown on a terminal.
Every case runs through the CLI and checks what the database holds."""

from __future__ import annotations

import json
import sqlite3

import pytest

from conftest import dump, ok, one_line_error

HINT = "set a number style: pcrm config set number-style 1.234,56"


def stored_deal(db_path, title):
    conn = sqlite3.connect(db_path)
    try:
        return conn.execute("SELECT value, currency FROM deals WHERE title = ?", [title]).fetchone()
    finally:
        conn.close()


def stored_field(db_path):
    conn = sqlite3.connect(db_path)
    try:
        rows = conn.execute("SELECT value FROM contact_field_values").fetchall()
    finally:
        conn.close()
    return [value for (value,) in rows]


@pytest.fixture
def crm(cli):
    ok(cli("deal", "add", "Existing", "--value", "100"))


# -- without a number style ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "minor", "currency"),
    [
        ("1.234.567", 123_456_700, "EUR"),  # several points can only group thousands
        ("€1.200,50", 120_050, "EUR"),  # both marks: the last one is the decimal mark
        ("1,234.56", 123_456, "EUR"),
        ("1,234,567", 123_456_700, "EUR"),
        ("1,5", 150, "EUR"),  # a comma before one or two digits cannot group thousands
        ("12,50", 1_250, "EUR"),
        ("40,000", 4_000_000, "EUR"),  # a comma and three digits groups, as before
        ("40.00", 4_000, "EUR"),
        ("40000", 4_000_000, "EUR"),
        ("1.5k", 150_000, "EUR"),
        ("1.234,50 DKK", 123_450, "DKK"),
        ("1.234.567 JPY", 1_234_567, "JPY"),
        ("1,234.5 KWD", 1_234_500, "KWD"),
        ("1.2340 KWD", 1_234, "KWD"),
        ("0.125 KWD", 125, "KWD"),  # "0.125" cannot be thousands: a lone 0 leads
    ],
)
def test_amounts_that_read_one_way_are_stored_so(cli, db_path, value, minor, currency):
    out = ok(cli("deal", "add", "D", "--value", value))
    assert out.startswith("added deal 1 D: ")
    assert stored_deal(db_path, "D") == (minor, currency)


@pytest.mark.parametrize("terminal", [False, True])
@pytest.mark.parametrize(
    ("value", "message"),
    [
        (
            "€40.000",
            '"€40.000" is ambiguous: 40 or 40000? (write 40000 or 40, or ' + HINT + ")",
        ),
        ("40.000", '"40.000" is ambiguous: 40 or 40000? (write 40000 or 40, or ' + HINT + ")"),
        (
            "1.234",
            '"1.234" is ambiguous: 1.234 or 1234? (write 1234 or 1.2340, or ' + HINT + ")",
        ),
        (
            "1.500k",
            '"1.500k" is ambiguous: 1.5k or 1500k? (write 1500k or 1.5k, or ' + HINT + ")",
        ),
        (
            "1,500k",  # 1.5k to whoever writes a decimal comma
            '"1,500k" is ambiguous: 1.5k or 1500k? (write 1500k or 1.5k, or ' + HINT + ")",
        ),
        (
            "1.234 KWD",  # 1.234 dinars is a valid amount, and so is 1234
            '"1.234 KWD" is ambiguous: 1.234 or 1234? (write 1234 or 1.2340, or ' + HINT + ")",
        ),
        (
            "1,234 KWD",  # three decimals: a decimal comma reads as well as a thousands one
            '"1,234 KWD" is ambiguous in KWD (3 decimals): 1.234 or 1234?'
            " (write 1234 or 1.2340, or " + HINT + ")",
        ),
        (
            "¥1,5",
            '"¥1,5" could be in JPY, CNY (say which, e.g. --currency JPY)',
        ),
        (
            "1,5 JPY",
            '"1,5 JPY" has more decimals than JPY allows (no decimals) (round it)',
        ),
        ("1.2.3", 'cannot read "1.2.3" as an amount (try 12000, 12,500.50, 12k or 1.5m)'),
    ],
)
def test_ambiguous_amounts_are_refused_and_change_nothing(
    cli, db_path, crm, value, message, terminal
):
    before = dump(db_path)
    result = cli("deal", "add", "D", "--value", value, terminal=terminal, width=80)
    assert one_line_error(result) == f"pcrm: error: {message}\n"
    assert dump(db_path) == before


def test_editing_a_value_follows_the_same_rules(cli, db_path, crm):
    before = dump(db_path)
    result = cli("deal", "edit", "Existing", "--value", "€40.000")
    assert "is ambiguous: 40 or 40000?" in one_line_error(result)
    assert dump(db_path) == before
    ok(cli("deal", "edit", "Existing", "--value", "€1.200,50"))
    assert stored_deal(db_path, "Existing") == (120_050, "EUR")


# -- with a number style ------------------------------------------------------------------


def test_the_number_style_is_a_setting_that_is_checked(cli, db_path):
    ok(cli("contact", "add", "Ada Lovelace"))
    assert ok(cli("config", "get", "number-style")) == "none\n"
    assert ok(cli("config", "set", "number-style", "1.234,56")) == "number_style = 1.234,56\n"
    assert ok(cli("config", "get", "number_style")) == "1.234,56\n"
    assert "number_style = 1.234,56\n" in ok(cli("config", "list"))
    before = dump(db_path)
    result = cli("config", "set", "number-style", "1 234,56")
    assert one_line_error(result) == (
        'pcrm: error: "1 234,56" is not a number style (1.234,56, 1,234.56 or none)\n'
    )
    assert dump(db_path) == before
    ok(cli("config", "set", "number-style", "none"))
    assert "ambiguous" in one_line_error(cli("deal", "add", "D", "--value", "40.000"))


@pytest.mark.parametrize(
    ("value", "minor", "currency"),
    [
        ("€40.000", 4_000_000, "EUR"),
        ("40.000", 4_000_000, "EUR"),
        ("1.234.567", 123_456_700, "EUR"),
        ("€1.200,50", 120_050, "EUR"),
        ("1,5", 150, "EUR"),
        ("1,5k", 150_000, "EUR"),
        ("40.000 DKK", 4_000_000, "DKK"),
        ("1.234 JPY", 1_234, "JPY"),
        ("1.234 KWD", 1_234_000, "KWD"),
        ("1,234 KWD", 1_234, "KWD"),
    ],
)
def test_with_style_point_groups_a_point_always_groups(cli, db_path, value, minor, currency):
    ok(cli("config", "set", "number-style", "1.234,56"))
    ok(cli("deal", "add", "D", "--value", value))
    assert stored_deal(db_path, "D") == (minor, currency)


@pytest.mark.parametrize("value", ["12,500.50", "40.00", "1.5k"])
def test_with_style_point_groups_english_amounts_are_refused(cli, db_path, value):
    ok(cli("config", "set", "number-style", "1.234,56"))
    before = dump(db_path)
    assert one_line_error(cli("deal", "add", "D", "--value", value)) == (
        f'pcrm: error: cannot read "{value}" as an amount'
        " (number style 1.234,56: a point groups thousands, a comma marks decimals)\n"
    )
    assert dump(db_path) == before


@pytest.mark.parametrize(
    ("value", "minor", "currency"),
    [
        ("40.000", 4_000, "EUR"),
        ("€1,200.50", 120_050, "EUR"),
        ("1.234 KWD", 1_234, "KWD"),
        ("1,234 KWD", 1_234_000, "KWD"),
        ("1,234 JPY", 1_234, "JPY"),
    ],
)
def test_with_style_comma_groups_a_point_is_the_decimal_mark(cli, db_path, value, minor, currency):
    ok(cli("config", "set", "number-style", "1,234.56"))
    ok(cli("deal", "add", "D", "--value", value))
    assert stored_deal(db_path, "D") == (minor, currency)


@pytest.mark.parametrize("value", ["1,5", "1.234.567", "€1.200,50"])
def test_with_style_comma_groups_german_amounts_are_refused(cli, db_path, value):
    ok(cli("config", "set", "number-style", "1,234.56"))
    before = dump(db_path)
    assert one_line_error(cli("deal", "add", "D", "--value", value)) == (
        f'pcrm: error: cannot read "{value}" as an amount'
        " (number style 1,234.56: a comma groups thousands, a point marks decimals)\n"
    )
    assert dump(db_path) == before


def test_amounts_are_shown_in_the_style_on_a_terminal_only(cli, db_path):
    ok(cli("config", "set", "number-style", "1.234,56"))
    ok(cli("deal", "add", "Big", "--value", "€1.234.567,89"))
    shown = ok(cli("deal", "add", "Small", "--value", "1.234 KWD", terminal=True, width=80))
    assert shown == "added deal 2 Small: 1.234,000 KWD in Sales / Qualified\n"
    table = ok(cli("deal", "list", terminal=True, width=80))
    assert "€1.234.567,89" in table
    assert "1.234,000 KWD" in table
    assert all(len(line) <= 80 for line in table.splitlines())
    # Piped lines and JSON keep one form for scripts, whatever the style.
    piped = ok(cli("deal", "list"))
    assert "\t1234567.89\tEUR\t" in piped
    assert "\t1234.000\tKWD\t" in piped
    assert "€" not in piped
    rows = json.loads(ok(cli("deal", "list", "--json")))
    assert sorted((row["value"], row["currency"]) for row in rows) == [
        (1_234_000, "KWD"),
        (123_456_789, "EUR"),
    ]
    assert ok(cli("deal", "add", "Piped", "--value", "5,5")) == (
        "added deal 3 Piped: €5.50 in Sales / Qualified\n"
    )
    board = ok(cli("pipeline", terminal=True, width=80))
    assert "€1.234.567,89" in board


def test_without_a_style_amounts_are_shown_as_before(cli, db_path):
    ok(cli("deal", "add", "Big", "--value", "€1.234.567,89"))
    table = ok(cli("deal", "list", terminal=True, width=80))
    assert "€1,234,567.89" in table


# -- custom number fields -----------------------------------------------------------------


@pytest.fixture
def person(cli):
    ok(cli("field", "add", "budget", "--type", "number"))
    ok(cli("contact", "add", "Ada Lovelace"))


def test_a_number_field_refuses_a_point_and_three_digits_without_a_style(cli, db_path, person):
    before = dump(db_path)
    result = cli("contact", "edit", "ada", "--set", "budget=40.000", terminal=True, width=80)
    assert one_line_error(result) == (
        'pcrm: error: budget is a number field: "40.000" is ambiguous: 40 or 40000?'
        " (write 40000 or 40, or " + HINT + ")\n"
    )
    assert dump(db_path) == before
    ok(cli("contact", "edit", "ada", "--set", "budget=12.5"))
    assert stored_field(db_path) == [12.5]
    ok(cli("contact", "edit", "ada", "--set", "budget=0.125"))
    assert stored_field(db_path) == [0.125]


@pytest.mark.parametrize(
    ("style", "text", "value"),
    [
        ("1.234,56", "40.000", 40_000),
        ("1.234,56", "1.234.567", 1_234_567),
        ("1.234,56", "12,5", 12.5),
        ("1.234,56", "-1.200,5", -1200.5),
        ("1,234.56", "40.000", 40),
        ("1,234.56", "1,234,567", 1_234_567),
        ("1,234.56", "1e6", 1_000_000),
    ],
)
def test_a_number_field_follows_the_style(cli, db_path, person, style, text, value):
    ok(cli("config", "set", "number-style", style))
    ok(cli("contact", "edit", "ada", "--set", f"budget={text}"))
    assert stored_field(db_path) == [value]


def test_a_number_field_refuses_what_its_style_does_not_write(cli, db_path, person):
    ok(cli("config", "set", "number-style", "1.234,56"))
    before = dump(db_path)
    result = cli("contact", "edit", "ada", "--set", "budget=12.5")
    assert one_line_error(result) == (
        'pcrm: error: budget is a number field: "12.5" is not a number in the number style'
        " 1.234,56 (write e.g. 5.000,5)\n"
    )
    assert dump(db_path) == before


def test_a_where_filter_reads_numbers_in_the_style(cli, db_path, person):
    ok(cli("contact", "edit", "ada", "--set", "budget=40000"))
    assert "ambiguous" in one_line_error(cli("contact", "list", "--where", "budget>=40.000"))
    ok(cli("config", "set", "number-style", "1.234,56"))
    assert "Ada Lovelace" in ok(cli("contact", "list", "--where", "budget>=40.000"))


def test_an_import_reads_number_fields_in_the_style(cli, db_path, person, tmp_path):
    ok(cli("config", "set", "number-style", "1.234,56"))
    source = tmp_path / "people.csv"
    source.write_text("name,budget\nGrace Hopper,40.000\n", encoding="utf-8")
    ok(cli("import", "contacts", str(source), "--map", "budget=field:budget"))
    assert sorted(stored_field(db_path)) == [40_000]
