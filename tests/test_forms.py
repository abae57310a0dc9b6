"""The $EDITOR form: what it looks like, and reading it back (line numbers on errors)."""

from __future__ import annotations

import pytest

from pcrm.core.base import Link
from pcrm.core.people.companies import check_field as check_company_field
from pcrm.core.people.contacts import check_field as check_contact_field
from pcrm.core.people.models import Company, Contact, Email, Phone
from pcrm.errors import InvalidInput
from pcrm.formats.forms import (
    FormError,
    company_form,
    contact_form,
    parse_company_form,
    parse_contact_form,
)

STAMP = "2026-11-23T10:00:00Z"


def ada(**changes) -> Contact:
    values = {
        "id": 7,
        "uid": "u",
        "name": "Ada Lovelace",
        "company": Link("company", 1, "Analytical Engines"),
        "title": "Countess",
        "source": None,
        "birthday": "--12-10",
        "note": "First line\n\n  indented\nlast",
        "last_contacted_at": None,
        "created_at": STAMP,
        "updated_at": STAMP,
        "emails": [Email("ada@example.org", "work"), Email("ada@home.example")],
        "phones": [Phone("+44 20 1234", "mobile")],
        "tags": ["customer", "vip"],
    }
    values.update(changes)
    return Contact(**values)


def content(form: str) -> list[str]:
    return [line for line in form.splitlines() if not line.startswith("#")]


def test_contact_form_is_readable():
    assert content(contact_form(ada())) == [
        "",
        "name: Ada Lovelace",
        "email: work: ada@example.org",
        "email: ada@home.example",
        "phone: mobile: +44 20 1234",
        "company: Analytical Engines",
        "title: Countess",
        "source: ",
        "birthday: --12-10",
        "anniversary: ",
        "every: ",
        "tags: customer, vip",
        "note: First line",
        "",
        "    indented",
        "  last",
    ]


def test_contact_form_reads_back_what_it_wrote():
    assert parse_contact_form(contact_form(ada()), check_contact_field) == {
        "name": "Ada Lovelace",
        "emails": ["work: ada@example.org", "ada@home.example"],
        "phones": ["mobile: +44 20 1234"],
        "company": "Analytical Engines",
        "title": "Countess",
        "source": "",
        "birthday": "--12-10",
        "anniversary": "",
        "cadence": "",
        "tags": ["customer, vip"],
        "note": "First line\n\n  indented\nlast",
    }


def test_an_empty_contact_reads_back_empty():
    bare = ada(company=None, title=None, birthday=None, note=None, emails=[], phones=[], tags=[])
    values = parse_contact_form(contact_form(bare))
    assert values == {
        "name": "Ada Lovelace",
        "emails": [],
        "phones": [],
        "company": "",
        "title": "",
        "source": "",
        "birthday": "",
        "anniversary": "",
        "cadence": "",
        "tags": [],
        "note": "",
    }


def test_company_form_round_trip():
    company = Company(
        3, "u", "Acme", "acme.example", None, "Tools", "11-50", "Note", STAMP, STAMP, ["b2b"]
    )
    form = company_form(company)
    assert content(form) == [
        "",
        "name: Acme",
        "domain: acme.example",
        "website: ",
        "industry: Tools",
        "size: 11-50",
        "tags: b2b",
        "note: Note",
    ]
    assert parse_company_form(form, check_company_field) == {
        "name": "Acme",
        "domain": "acme.example",
        "website": "",
        "industry": "Tools",
        "size": "11-50",
        "tags": ["b2b"],
        "note": "Note",
    }


def test_keys_any_case_comments_anywhere_and_missing_lines():
    values = parse_contact_form("# top\nNAME:  Bob \n# middle\nTags: a,b\n\nnote: x\n  y\n")
    assert values == {"name": "Bob", "emails": [], "phones": [], "tags": ["a,b"], "note": "x\ny"}


def test_a_tab_or_one_space_also_continues_the_note():
    values = parse_contact_form("name: Bob\nnote: a\n\tb\n c\n")
    assert values["note"] == "a\nb\nc"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("name: Bob\ntitle CTO\n", 'line 2: expected "field: value", got "title CTO"'),
        ("name: Bob\nphone number: 1\n", 'line 2: unknown field "phone number"'),
        ("name: Bob\n  stray\n", "line 2: only the note may go on over several lines"),
        ("name: Bob\ntitle: a\ntitle: b\n", 'line 3: "title" appears twice'),
        ("# c\n\nname:   \n", "line 3: the name cannot be empty"),
        ("title: CTO\n", 'the form has no "name:" line'),
        ("name: Bob\nemail: a@b.org\nemail: nope\n", 'line 3: invalid email address "nope"'),
        ("name: Bob\nphone: home: none\n", 'line 2: invalid phone number "home: none"'),
        ("name: Bob\nbirthday: 31 Feb\n", 'line 2: cannot understand birthday "31 Feb"'),
    ],
)
def test_errors_name_the_line(text, message):
    with pytest.raises(InvalidInput) as caught:
        parse_contact_form(text, check_contact_field)
    assert str(caught.value).startswith(message)


def test_company_field_errors_name_the_line():
    with pytest.raises(FormError) as caught:
        parse_company_form("name: Acme\ndomain: localhost\n", check_company_field)
    assert caught.value.line == 2
    assert str(caught.value) == (
        'line 2: invalid domain "localhost" (expected something like example.com)'
    )


def test_the_form_carries_the_anniversary_and_the_stay_in_touch_cadence():
    person = ada()
    person.anniversary, person.cadence_days = "2016-06-12", 42
    text = contact_form(person)
    assert "anniversary: 2016-06-12\nevery: 42d\n" in text
    values = parse_contact_form(text, check_contact_field)
    assert (values["anniversary"], values["cadence"]) == ("2016-06-12", "42d")
