"""Custom fields through the command line: declare, set (validated), show, filter, remove."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from conftest import dump, ok
from conftest import one_line_error as error


def rows(db_path: Path, sql: str) -> list[tuple]:
    conn = sqlite3.connect(db_path)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


@pytest.fixture
def fields(cli):
    ok(cli("field", "add", "budget", "--type", "number"))
    ok(cli("field", "add", "plan", "--type", "choice", "--choices", "free, pro,Enterprise"))
    ok(cli("field", "add", "renewal", "--type", "date"))
    ok(cli("field", "add", "team", "--type", "text"))
    ok(
        cli(
            "field",
            "add",
            "tier",
            "--type",
            "choice",
            "--choices",
            "gold,silver",
            "--on",
            "company",
        )
    )
    ok(cli("field", "add", "seats", "--type", "number", "--on", "deal"))


@pytest.fixture
def people(cli, fields):
    ok(cli("contact", "add", "Ada Lovelace", "--set", "budget=5000", "--set", "plan=pro"))
    ok(cli("contact", "add", "Charles Babbage", "--set", "budget=250.5", "--set", "team=Zoë's"))
    ok(cli("contact", "add", "Grace Hopper", "--set", "plan=free", "--set", "renewal=2027-01-31"))
    ok(cli("contact", "add", "Alan Turing"))


def names(cli, *where: str) -> list[str]:
    args = [arg for condition in where for arg in ("--where", condition)]
    listed = json.loads(ok(cli("contact", "list", *args, "--json")))
    return [contact["name"] for contact in listed]


# -- declaring -------------------------------------------------------------------------


def test_add_says_what_was_declared(cli):
    assert ok(cli("field", "add", "budget", "--type", "number")) == (
        "added contact field budget (number)\n"
    )
    assert ok(
        cli("field", "add", "plan", "--type", "choice", "--choices", "a,b", "--on", "deal")
    ) == ("added deal field plan (choice: a, b)\n")
    assert ok(cli("field", "add", "Notes2")) == "added contact field Notes2 (text)\n"


def test_field_list_plain_and_json(cli, people):
    assert ok(cli("field", "list")).splitlines() == [
        "company\ttier\tchoice\tgold,silver\t0",
        "contact\tbudget\tnumber\t\t2",
        "contact\tplan\tchoice\tfree,pro,Enterprise\t2",
        "contact\trenewal\tdate\t\t1",
        "contact\tteam\ttext\t\t1",
        "deal\tseats\tnumber\t\t0",
    ]
    listed = json.loads(ok(cli("field", "list", "--on", "company", "--json")))
    assert listed == [
        {
            "id": listed[0]["id"],
            "kind": "company",
            "name": "tier",
            "type": "choice",
            "choices": ["gold", "silver"],
            "used": 0,
        }
    ]


def test_field_list_on_a_terminal(cli, people):
    out = ok(cli("field", "list", "--on", "contact", terminal=True, width=80))
    assert out.splitlines() == [
        "On       Name     Type    Choices                   Used by",
        "contact  budget   number                         2 contacts",
        "contact  plan     choice  free, pro, Enterprise  2 contacts",
        "contact  renewal  date                            1 contact",
        "contact  team     text                            1 contact",
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["name"], '"name" is a built-in field of a contact (choose another name)'),
        (["Email"], '"Email" is a built-in field of a contact (choose another name)'),
        (
            ["1st"],
            'invalid field name "1st" (start with a letter; letters, digits, _ and - (up to 40))',
        ),
        (["a b"], 'invalid field name "a b"'),
        (["x" * 41], "invalid field name"),
        (["plan", "--type", "choice"], "a choice field needs its choices"),
        (["plan", "--type", "choice", "--choices", ", ,"], "a choice field needs its choices"),
        (["plan", "--type", "choice", "--choices", "a,A"], 'the choice "A" is given twice'),
        (["size", "--choices", "s,m"], "only a choice field takes --choices, not a text field"),
        (["BUDGET", "--type", "text"], 'contacts already have a field "budget" (number)'),
    ],
)
def test_add_refuses_bad_declarations(cli, db_path, args, message):
    ok(cli("field", "add", "budget", "--type", "number"))
    before = dump(db_path)
    assert message in error(cli("field", "add", *args))
    assert dump(db_path) == before


def test_same_name_on_another_kind_is_another_field(cli):
    ok(cli("field", "add", "plan", "--type", "text"))
    ok(cli("field", "add", "plan", "--type", "number", "--on", "company"))
    assert len(ok(cli("field", "list")).splitlines()) == 2


def test_unknown_type_is_a_usage_error(cli):
    assert cli("field", "add", "x", "--type", "money").exit_code == 2


# -- setting values --------------------------------------------------------------------


def test_values_are_stored_typed(cli, db_path, people):
    ok(cli("contact", "edit", "alan", "--set", "budget=1e3", "--set", "renewal=12 Mar 2027"))
    stored = rows(
        db_path,
        "SELECT c.name, f.name, v.value, typeof(v.value) FROM contact_field_values v"
        " JOIN contacts c ON c.id = v.contact_id JOIN fields f ON f.id = v.field_id"
        " ORDER BY c.id, f.name",
    )
    assert stored == [
        ("Ada Lovelace", "budget", 5000, "integer"),
        ("Ada Lovelace", "plan", "pro", "text"),
        ("Charles Babbage", "budget", 250.5, "real"),
        ("Charles Babbage", "team", "Zoë's", "text"),
        ("Grace Hopper", "plan", "free", "text"),
        ("Grace Hopper", "renewal", "2027-01-31", "text"),
        ("Alan Turing", "budget", 1000, "integer"),
        ("Alan Turing", "renewal", "2027-03-12", "text"),
    ]
    # Numbers compare as numbers in plain SQL (250.5 < 1000 < 5000), not as text.
    assert rows(
        db_path,
        "SELECT value FROM contact_field_values WHERE value > 300 AND typeof(value) != 'text'"
        " ORDER BY value",
    ) == [(1000,), (5000,)]


def test_choices_match_any_case_and_keep_the_declared_spelling(cli, fields):
    ok(cli("contact", "add", "Ada", "--set", "plan=ENTERPRISE"))
    shown = json.loads(ok(cli("contact", "show", "ada", "--json")))["contact"]["fields"]
    assert shown == {"plan": "Enterprise"}


def test_dates_take_any_when(cli, fields):
    ok(cli("contact", "add", "Ada", "--set", "renewal=tomorrow"))
    shown = json.loads(ok(cli("contact", "show", "ada", "--json")))["contact"]["fields"]
    assert shown == {"renewal": "2026-11-24"}


def test_unset_and_empty_set_clear_values(cli, people):
    ok(cli("contact", "edit", "ada", "--unset", "plan"))
    ok(cli("contact", "edit", "charles", "--set", "team="))
    listed = json.loads(ok(cli("contact", "list", "--json")))
    assert {c["name"]: c["fields"] for c in listed} == {
        "Ada Lovelace": {"budget": 5000},
        "Alan Turing": {},
        "Charles Babbage": {"budget": 250.5},
        "Grace Hopper": {"plan": "free", "renewal": "2027-01-31"},
    }


def test_set_alone_is_an_edit_not_the_editor(cli, people):
    assert ok(cli("contact", "edit", "alan", "--set", "budget=7")) == (
        "updated contact 4 Alan Turing\n"
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--set", "budget=lots"], 'budget is a number field: "lots" is not a number'),
        (["--set", "budget=5,000"], 'budget is a number field: "5,000" is not a number'),
        (["--set", "budget=nan"], '"nan" is not a number'),
        (["--set", "budget=1e999"], 'budget is a number field: "1e999" is too large'),
        (["--set", "budget=99999999999999999999"], '"99999999999999999999" is too large'),
        (
            ["--set", "plan=gold"],
            'plan is a choice field: "gold" is not one of its choices'
            " (use one of: free, pro, Enterprise)",
        ),
        (["--set", "renewal=someday"], "renewal is a date field: "),
        (["--set", "renewal=2027-02-30"], "renewal is a date field: "),
        (["--set", "nosuch=1"], 'no contact field named "nosuch" (contact fields: budget, plan,'),
        (["--set", "seats=1"], 'no contact field named "seats"'),
        (["--set", "budget"], '--set takes NAME=VALUE, not "budget"'),
        (["--set", "=5"], '--set takes NAME=VALUE, not "=5"'),
        (["--unset", "nosuch"], 'no contact field named "nosuch"'),
        # A valid value first, an invalid one after: neither is written.
        (["--set", "budget=1", "--set", "plan=gold"], "plan is a choice field"),
        # Other changes of the same command are rolled back too.
        (["--title", "CTO", "--set", "budget=x"], "budget is a number field"),
    ],
)
def test_invalid_values_change_nothing(cli, db_path, people, args, message):
    before = dump(db_path)
    assert message in error(cli("contact", "edit", "ada", *args))
    assert dump(db_path) == before


def test_invalid_value_on_add_adds_nothing(cli, db_path, fields):
    before = dump(db_path)
    assert "budget is a number field" in error(
        cli("contact", "add", "Ada", "-c", "New Co", "--set", "budget=x")
    )
    assert dump(db_path) == before


def test_companies_and_deals_take_fields(cli, fields):
    ok(cli("company", "add", "Acme", "--set", "tier=Gold"))
    ok(cli("company", "edit", "acme", "--set", "tier=silver"))
    ok(cli("deal", "add", "20 seats", "--value", "12k", "--company", "acme", "--set", "seats=20"))
    ok(cli("deal", "add", "5 seats", "--company", "acme", "--set", "seats=5"))
    ok(cli("deal", "edit", "5 seats", "--unset", "seats"))
    company = json.loads(ok(cli("company", "show", "acme", "--json")))["company"]
    assert company["fields"] == {"tier": "silver"}
    deals = json.loads(ok(cli("deal", "list", "--json")))
    assert {deal["title"]: deal["fields"] for deal in deals} == {
        "20 seats": {"seats": 20},
        "5 seats": {},
    }
    assert "seats: 20" in ok(cli("deal", "show", "20 seats")).splitlines()
    assert [
        d["title"] for d in json.loads(ok(cli("deal", "list", "--where", "seats>=10", "--json")))
    ] == ["20 seats"]
    assert [
        c["name"] for c in json.loads(ok(cli("company", "list", "-w", "tier=SILVER", "--json")))
    ] == ["Acme"]
    assert 'tier is a choice field: "bronze"' in error(
        cli("company", "edit", "acme", "--set", "tier=bronze")
    )
    assert 'no deal field named "tier"' in error(
        cli("deal", "edit", "20 seats", "--set", "tier=gold")
    )


# -- show ------------------------------------------------------------------------------


def test_show_lists_values_after_the_built_in_fields(cli, people):
    assert ok(cli("contact", "show", "ada")).splitlines()[:3] == [
        "contact 1: Ada Lovelace",
        "budget: 5000",
        "plan: pro",
    ]
    out = ok(cli("contact", "show", "charles", terminal=True, width=60))
    assert "budget  250.5" in out
    assert "team    Zoë's" in out


def test_untrusted_text_values_stay_data(cli, fields):
    value = "[bold]x[/bold] \x1b[31mred\u202e"
    ok(cli("contact", "add", "Ada", "--set", f"team={value}"))
    assert "team: [bold]x[/bold] \\x1b[31mred\\u202e" in ok(cli("contact", "show", "ada"))
    out = ok(cli("contact", "show", "ada", terminal=True, width=80))
    assert "[bold]x[/bold] \\x1b[31mred\\u202e" in out
    assert "\x1b[31m" not in out
    shown = ok(cli("contact", "show", "ada", "--json"))
    assert "\\u202e" in shown and "\u202e" not in shown


# -- --where ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        (["budget>1000"], ["Ada Lovelace"]),
        (["budget > 250"], ["Ada Lovelace", "Charles Babbage"]),
        (["budget>=250.5"], ["Ada Lovelace", "Charles Babbage"]),
        (["budget<1e3"], ["Charles Babbage"]),
        (["budget<=5000"], ["Ada Lovelace", "Charles Babbage"]),
        (["budget=5000.0"], ["Ada Lovelace"]),
        (["budget!=5000"], ["Alan Turing", "Charles Babbage", "Grace Hopper"]),
        (["budget="], ["Alan Turing", "Grace Hopper"]),
        (["budget!="], ["Ada Lovelace", "Charles Babbage"]),
        (["plan=PRO"], ["Ada Lovelace"]),
        (["plan~r"], ["Ada Lovelace", "Grace Hopper"]),
        (["plan!=pro"], ["Alan Turing", "Charles Babbage", "Grace Hopper"]),
        (["team=zoe's"], ["Charles Babbage"]),
        (["team~ZOE"], ["Charles Babbage"]),
        (["renewal<2027-02-01"], ["Grace Hopper"]),
        (["renewal>eoy"], ["Grace Hopper"]),
        (["renewal<eoy"], []),
        (["budget>100", "plan=pro"], ["Ada Lovelace"]),
        (["budget>100", "plan=free"], []),
    ],
)
def test_where_filters(cli, people, where, expected):
    assert names(cli, *where) == expected


@pytest.mark.parametrize(
    ("where", "message"),
    [
        ("budget>lots", 'budget is a number field: "lots" is not a number'),
        ("plan=gold", 'plan is a choice field: "gold" is not one of its choices'),
        ("renewal>soon", "renewal is a date field"),
        ("budget~5", "~ (contains) works on text and choice fields; budget is a number field"),
        ("budget>", 'the condition "budget>" has no value after >'),
        ("nosuch=1", 'no contact field named "nosuch"'),
        ("budget", 'cannot read the condition "budget"'),
        ("=5", 'cannot read the condition "=5"'),
    ],
)
def test_where_refuses_what_the_field_would_not_take(cli, people, where, message):
    assert message in error(cli("contact", "list", "--where", where))


def test_where_text_is_a_value_not_sql(cli, people):
    assert names(cli, "team=' OR 1=1 --") == []
    assert names(cli, "team~%") == []


# -- removing --------------------------------------------------------------------------


def test_rm_refuses_while_values_exist(cli, db_path, people):
    before = dump(db_path)
    assert error(cli("field", "rm", "plan")) == (
        'pcrm: error: field "plan" has values on 2 contacts'
        " (add --force to remove the field and its values)\n"
    )
    assert dump(db_path) == before
    assert ok(cli("field", "rm", "PLAN", "--force")) == (
        "removed contact field plan and its 2 values\n"
    )
    assert rows(db_path, "SELECT count(*) FROM contact_field_values") == [(4,)]
    assert ok(cli("field", "rm", "tier", "--on", "company")) == "removed company field tier\n"
    assert 'no deal field named "tier"' in error(cli("field", "rm", "tier", "--on", "deal"))


def test_removing_a_record_removes_its_values(cli, db_path, people):
    ok(cli("contact", "rm", "ada", "--yes"))
    assert rows(db_path, "SELECT count(*) FROM contact_field_values") == [(4,)]
    assert ok(cli("field", "rm", "plan", "--force")) == (
        "removed contact field plan and its 1 value\n"
    )


def test_rm_counts_companies_in_words(cli, fields):
    ok(cli("company", "add", "Acme", "--set", "tier=gold"))
    ok(cli("company", "add", "Initech", "--set", "tier=silver"))
    assert "has values on 2 companies" in error(cli("field", "rm", "tier", "--on", "company"))
    ok(cli("company", "edit", "initech", "--unset", "tier"))
    assert "has values on 1 company " in error(cli("field", "rm", "tier", "--on", "company"))
