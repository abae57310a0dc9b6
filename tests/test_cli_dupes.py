"""`pcrm dupes`: which pairs it reports, why, with what score, and how it prints them."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from rich.cells import cell_len
from typer.testing import CliRunner

from conftest import NOW, ok
from pcrm.cli.env import Env
from pcrm.cli.main import app
from pcrm.core.dedupe.dupes import email_key, name_tokens
from pcrm.core.people.phones import phone_key

PEOPLE = [
    ("company", "add", "Acme", "--domain", "acme.com"),
    ("company", "add", "Acme Inc.", "--website", "https://www.acme.com/about"),
    ("contact", "add", "Robert Smith", "-c", "1", "-p", "+44 20 7946 0018"),  # 1
    ("contact", "add", "Bob Smith", "-c", "1", "-e", "Bob.Smith+crm@gmail.com"),  # 2
    ("contact", "add", "Smith, Robert", "-e", "bobsmith@gmail.com",
     "-p", "+44 (0)20 7946 0018"),  # 3
    ("contact", "add", "Zoë Müller", "-c", "1"),  # 4
    ("contact", "add", "MULLER zoe", "-c", "1"),  # 5
    ("contact", "add", "Ada Lovelace", "-c", "Analytical"),  # 6
    ("contact", "add", "Ada Byron", "-c", "Analytical"),  # 7: another Ada, another person
    ("contact", "add", "Ada"),  # 8
    ("contact", "add", "Ada"),  # 9: a lone first name twice, no company: not enough
    ("contact", "add", "Alan Turing", "-c", "Bletchley"),  # 10
    ("contact", "add", "Alan Turing", "-c", "Manchester"),  # 11: same name elsewhere: weak
    ("contact", "add", "A. Lovelace", "-c", "Analytical"),  # 12
    ("contact", "add", "Bill Smith", "-c", "1"),  # 13: a Smith at Acme, not Robert
]  # fmt: skip

EXPECTED = [
    "contact\t1\t92\t1\tRobert Smith\t3\tSmith, Robert\tsame phone +44 20 7946 0018; same name",
    "contact\t1\t90\t2\tBob Smith\t3\tSmith, Robert"
    "\tsame mailbox bob.smith+crm@gmail.com / bobsmith@gmail.com",
    "contact\t1\t80\t1\tRobert Smith\t2\tBob Smith\tnickname Robert/Bob Smith at Acme",
    "contact\t2\t90\t4\tZoë Müller\t5\tMULLER zoe\tsame name at Acme",
    "contact\t3\t70\t6\tAda Lovelace\t12\tA. Lovelace\tinitial A. Lovelace at Analytical",
    "company\t4\t98\t1\tAcme\t2\tAcme Inc.\tsame domain acme.com; same name",
]


@pytest.fixture(scope="module")
def people_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("people") / "pcrm.db"
    runner = CliRunner()
    for args in PEOPLE:
        result = runner.invoke(
            app, list(args), obj=Env(clock=lambda: NOW), env={"PCRM_DB": str(path), "TZ": "UTC"}
        )
        assert result.exit_code == 0, (args, result.output)
    return path


@pytest.fixture
def people(db_path, people_file):
    db_path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(people_file, db_path)


def test_dupes_finds_the_pairs_with_their_reasons_and_scores(cli, people):
    assert ok(cli("dupes")).splitlines() == EXPECTED


def test_kind_and_min_score_choose_what_is_shown(cli, people):
    assert ok(cli("dupes", "--kind", "company")).splitlines() == [
        "company\t1\t98\t1\tAcme\t2\tAcme Inc.\tsame domain acme.com; same name"
    ]
    weak = ok(cli("dupes", "--kind", "contact", "--min-score", "30")).splitlines()
    assert "contact\t4\t40\t10\tAlan Turing\t11\tAlan Turing\tsame name" in weak
    assert ok(cli("dupes", "--kind", "contact", "--min-score", "91")).splitlines() == [EXPECTED[0]]


def test_different_people_with_the_same_first_name_are_not_paired(cli, people):
    lines = ok(cli("dupes", "--min-score", "0")).splitlines()
    pairs = {tuple(line.split("\t")[3:7:2]) for line in lines}
    for a, b in [("6", "7"), ("7", "12"), ("8", "9"), ("1", "13"), ("2", "13")]:
        assert (a, b) not in pairs


def test_json_groups_members_pairs_and_reasons(cli, people):
    groups = json.loads(ok(cli("dupes", "--json", "--kind", "contact")))
    assert [group["score"] for group in groups] == [92, 90, 70]
    first = groups[0]
    assert first["kind"] == "contact"
    assert first["keep"] == 1
    assert first["members"] == [
        {"id": 1, "name": "Robert Smith", "email": None, "company": "Acme", "domain": None},
        {
            "id": 2,
            "name": "Bob Smith",
            "email": "bob.smith+crm@gmail.com",
            "company": "Acme",
            "domain": None,
        },
        {
            "id": 3,
            "name": "Smith, Robert",
            "email": "bobsmith@gmail.com",
            "company": None,
            "domain": None,
        },
    ]
    assert first["pairs"][0] == {
        "a": 1,
        "b": 3,
        "score": 92,
        "reasons": [
            {"code": "phone", "text": "same phone +44 20 7946 0018", "score": 80},
            {"code": "name", "text": "same name", "score": 60},
        ],
    }


def test_on_a_terminal_each_group_lists_its_records_reasons_and_merges(cli, people):
    out = ok(cli("dupes", "--kind", "contact", terminal=True, width=80))
    lines = [line.rstrip() for line in out.splitlines()]
    assert lines[:9] == [
        "1. 3 contacts, score 92",
        "  1  Robert Smith                            Acme",
        "  2  Bob Smith      bob.smith+crm@gmail.com  Acme",
        "  3  Smith, Robert  bobsmith@gmail.com",
        "  92  1 ~ 3  same phone +44 20 7946 0018; same name",
        "  90  2 ~ 3  same mailbox bob.smith+crm@gmail.com / bobsmith@gmail.com",
        "  80  1 ~ 2  nickname Robert/Bob Smith at Acme",
        "  pcrm contact merge 1 2",
        "  pcrm contact merge 1 3",
    ]
    assert lines[-1] == "Check a merge with --dry-run first; pcrm undo reverses the last one."


def test_a_narrow_terminal_folds_long_cells(cli, people):
    out = ok(cli("dupes", terminal=True, width=40))
    assert max(cell_len(line.rstrip()) for line in out.splitlines()) <= 40
    assert "bobsmith@gmail.com" in out


def test_limit_keeps_the_strongest_groups_and_says_so(cli, people):
    result = cli("dupes", "--limit", "1")
    assert ok(result).splitlines() == EXPECTED[:3]
    assert result.stderr == "showing 1 of 4 (use --limit 0 for all)\n"


def test_nothing_to_report(cli, db_path):
    ok(cli("contact", "add", "Ada Lovelace"))
    ok(cli("contact", "add", "Grace Hopper"))
    assert ok(cli("dupes")) == ""
    assert ok(cli("dupes", "--json")) == "[]\n"
    assert ok(cli("dupes", terminal=True)) == "No likely duplicates.\n"


def test_a_missing_database_is_an_error_and_is_not_created(cli, db_path):
    result = cli("dupes")
    assert result.exit_code == 1
    assert result.stderr.startswith("pcrm: error: no database at ")
    assert not db_path.exists()


def test_phone_region_reads_numbers_without_a_country_code(cli, db_path):
    ok(cli("contact", "add", "Ada Lovelace", "-p", "+44 20 7946 0018"))
    ok(cli("contact", "add", "A Lovelace", "-p", "020 7946 0018"))
    assert ok(cli("dupes")) == ""
    ok(cli("config", "set", "phone_region", "GB"))
    assert ok(cli("dupes")).splitlines() == [
        "contact\t1\t80\t1\tAda Lovelace\t2\tA Lovelace\tsame phone +44 20 7946 0018"
    ]


def test_two_shared_numbers_count_once(cli, db_path):
    ok(cli("contact", "add", "Ada Lovelace", "-p", "+1 555 0100", "-p", "+1 555 0199"))
    ok(cli("contact", "add", "Ada King", "-p", "+1 555 0199", "-p", "+1 (555) 0100"))
    assert ok(cli("dupes")).splitlines() == [
        "contact\t1\t80\t1\tAda Lovelace\t2\tAda King\tsame phone +1 555 0100"
    ]


def test_a_number_shared_by_many_is_a_switchboard_not_a_duplicate(cli, db_path):
    for n in range(11):
        ok(cli("contact", "add", f"Person {n} Example{n}", "-p", "+1 555 0100"))
    assert ok(cli("dupes")) == ""


def test_a_common_name_pairs_only_within_a_company(cli, db_path):
    for company in ("Acme", "Acme", "Initech", "Globex"):
        ok(cli("contact", "add", "John Smith", "-c", company))
    ok(cli("contact", "add", "John Smith"))
    assert ok(cli("dupes", "--kind", "contact")).splitlines() == [
        "contact\t1\t90\t1\tJohn Smith\t2\tJohn Smith\tsame name at Acme"
    ]


def test_companies_of_one_name_with_different_domains_are_two(cli, db_path):
    ok(cli("company", "add", "Acme Ltd", "--domain", "acme.co.uk"))
    ok(cli("company", "add", "Acme GmbH", "--domain", "acme.de"))
    ok(cli("company", "add", "ACME Inc"))
    assert ok(cli("dupes", "--kind", "company", "--min-score", "0")).splitlines() == [
        "company\t1\t80\t1\tAcme Ltd\t3\tACME Inc\tsame name",
        "company\t1\t80\t2\tAcme GmbH\t3\tACME Inc\tsame name",
        "company\t1\t40\t1\tAcme Ltd\t2\tAcme GmbH\tsame name",
    ]


@pytest.mark.parametrize(
    ("name", "tokens"),
    [
        ("Ada Lovelace", ["ada", "lovelace"]),
        ("Lovelace, Ada", ["ada", "lovelace"]),
        ("Dr. Seán O'Brien Jr.", ["sean", "obrien"]),
        ("Jean-Luc  PICARD", ["jean", "luc", "picard"]),
        ("Zoë Müller", ["zoe", "muller"]),
        ("", []),
    ],
)
def test_name_tokens(name, tokens):
    assert name_tokens(name) == tokens


@pytest.mark.parametrize(
    ("email", "key"),
    [
        ("Ada@Example.org", "ada@example.org"),
        ("ada+crm@example.org", "ada@example.org"),
        ("a.d.a@googlemail.com", "ada@gmail.com"),
        ("a.da@example.org", "a.da@example.org"),
        ("+x@example.org", "+x@example.org"),
    ],
)
def test_email_key(email, key):
    assert email_key(email) == key


@pytest.mark.parametrize(
    ("number", "region", "key"),
    [
        ("+44 20 7946 0018", "", "+442079460018"),
        ("+44 (0)20 7946 0018", "", "+442079460018"),
        ("020 7946 0018", "GB", "+442079460018"),
        ("020 7946 0018", "", "02079460018"),
        ("(555) 123-4567", "US", "+15551234567"),
        ("12 34", "", None),
    ],
)
def test_phone_key(number, region, key):
    assert phone_key(number, region) == key
