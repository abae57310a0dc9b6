"""`pcrm company add|list|show|edit|rm` through the command line, as a user types them."""

from __future__ import annotations

import json
import sqlite3
import sys
import textwrap
from datetime import timedelta
from pathlib import Path

import pytest
from rich.cells import cell_len

from conftest import NOW, dump, error, ok
from tables import headers, table_rows


def as_json(result):
    return json.loads(ok(result))


def rows(db_path: Path, sql: str) -> list[tuple]:
    conn = sqlite3.connect(db_path)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def ids(output: str) -> list[int]:
    return [int(line.split("\t")[0]) for line in output.splitlines()]


@pytest.fixture
def firms(cli):
    """Three companies: Acme with two people (one contacted), Zebra with one, Quiet none."""
    ok(
        cli(
            "company", "add", "Acme Tools", "--domain", "acme.example", "--industry", "Hardware",
            "-t", "partner", now=NOW - timedelta(days=3),
        )
    )  # fmt: skip
    ok(cli("company", "add", "Zebra Labs", "--industry", "software", now=NOW - timedelta(days=2)))
    ok(cli("company", "add", "Quiet Co", "-t", "Partner,dormant", now=NOW - timedelta(days=1)))
    ok(cli("contact", "add", "Ann Acme", "-e", "ann@acme.example", "-c", "acme tools"))
    ok(cli("contact", "add", "Art Acme", "-c", "1", "--title", "Buyer"))
    ok(cli("contact", "add", "Zed Zebra", "-c", "zebra labs"))
    ok(cli("log", "ann", "Kick-off call", "--kind", "call", "--at", "2026-11-10"))
    ok(cli("log", "zed", "Demo", "--kind", "demo", "--at", "2026-11-20"))


# -- add ---------------------------------------------------------------------------------


def test_add_with_everything(cli):
    out = ok(
        cli(
            "company", "add", " Analytical  Engines ", "--domain", "https://www.Analytical.Example/about",
            "--website", "https://analytical.example", "--industry", "Computing",
            "--size", "11-50", "-t", "b2b, Partner", "-t", "partner", "--note", "Big\nclient",
        )
    )  # fmt: skip
    assert out == "added company 1 Analytical Engines\n"
    company = as_json(cli("company", "show", "1", "--json"))["company"]
    assert company == {
        "id": 1,
        "uid": company["uid"],
        "name": "Analytical Engines",
        "domain": "analytical.example",
        "website": "https://analytical.example",
        "industry": "Computing",
        "size": "11-50",
        "note": "Big\nclient",
        "created_at": "2026-11-23T10:00:00Z",
        "updated_at": "2026-11-23T10:00:00Z",
        "tags": ["b2b", "Partner"],
        "people_count": 0,
        "last_contacted_at": None,
        "fields": {},
        "lifecycle_stage": None,
    }
    assert len(company["uid"]) == 36


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["ACME  tools"], 'a company named "Acme Tools" already exists (id 1)'),
        (["Other", "--domain", "ACME.example"], "acme.example already belongs to company 1"),
        (["Other", "--domain", "ann@acme"], 'invalid domain "ann@acme"'),
        (["Other", "--domain", "localhost"], 'invalid domain "localhost"'),
        ([" "], "the name cannot be empty"),
    ],
)
def test_bad_add_changes_nothing(cli, db_path, firms, args, message):
    before = dump(db_path)
    err = error(cli("company", "add", *args))
    assert err.startswith(f"pcrm: error: {message}")
    assert err.count("\n") == 1
    assert dump(db_path) == before


# -- list --------------------------------------------------------------------------------


def test_plain_list_is_tab_separated(cli, firms):
    assert ok(cli("company", "list")) == (
        "1\tAcme Tools\tacme.example\tHardware\t2\tpartner\t2026-11-10T00:00:00Z\n"
        "3\tQuiet Co\t\t\t0\tdormant,partner\t\n"
        "2\tZebra Labs\t\tsoftware\t1\t\t2026-11-20T00:00:00Z\n"
    )


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--tag", "PARTNER"], [1, 3]),
        (["--industry", "Software"], [2]),
        (["--search", "hardware"], [1]),
        (["--search", "zebra"], [2]),
        (["--tag", "partner", "--search", "quiet"], [3]),
        (["--tag", "nosuch"], []),
    ],
)
def test_list_filters(cli, firms, args, expected):
    assert ids(ok(cli("company", "list", *args))) == expected


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("name", [1, 3, 2]),
        ("people", [1, 2, 3]),
        ("recent", [2, 1, 3]),
        ("created", [3, 2, 1]),
    ],
)
def test_list_sorts(cli, firms, sort, expected):
    assert ids(ok(cli("company", "list", "--sort", sort))) == expected


def test_cli_sorts_match_core():
    from typing import get_args

    from pcrm.cli.company import Sort
    from pcrm.core.people.companies import SORTS

    assert list(get_args(Sort)) == list(SORTS)


def test_limit_and_json(cli, firms):
    result = cli("company", "list", "-n", "2", "--json")
    companies = as_json(result)
    assert [c["id"] for c in companies] == [1, 3]
    assert result.stderr == "showing 2 of 3 (use --limit 0 for all)\n"
    assert [list(c) for c in companies] == [
        [
            "id", "uid", "name", "domain", "website", "industry", "size", "note",
            "created_at", "updated_at", "tags", "people_count", "last_contacted_at", "fields",
            "lifecycle_stage",
        ]
    ] * 2  # fmt: skip
    assert companies[0]["people_count"] == 2
    assert companies[0]["last_contacted_at"] == "2026-11-10T00:00:00Z"
    assert ok(cli("company", "list", "--tag", "nosuch", "--json")) == "[]\n"


def test_rich_list_at_80_columns(cli, firms):
    long_name = "International Business Machines Corporation of Greater Europe and Beyond"
    ok(cli("company", "add", long_name, "--domain", "ibm-europe.example", "-t", "enterprise"))
    out = ok(cli("company", "list", terminal=True, width=80))
    assert all(cell_len(line) <= 80 for line in out.splitlines())
    # Tags go first when room is short; a long name stays on one line and ends in "…".
    assert headers(out.splitlines()[0]) == [
        "ID", "Name", "Domain", "Industry", "People", "Last contact",
    ]  # fmt: skip
    table = table_rows(out)
    assert [row["ID"] for row in table] == ["1", "4", "3", "2"]
    assert table[1]["Name"].endswith("…")
    assert long_name.startswith(table[1]["Name"].removesuffix("…"))
    assert table[0] == {
        "ID": "1",
        "Name": "Acme Tools",
        "Domain": "acme.example",
        "Industry": "Hardware",
        "People": "2",
        "Last contact": "13 days ago",
    }


# -- show --------------------------------------------------------------------------------


def test_show_plain_lists_people(cli, firms):
    assert ok(cli("company", "show", "acme")) == textwrap.dedent(
        """\
        company 1: Acme Tools
        domain: acme.example
        industry: Hardware
        tags: partner
        person: 1\tAnn Acme\t
        person: 2\tArt Acme\tBuyer
        interactions: 1
        last touch: 2026-11-10T00:00:00Z

        2026-11-10T00:00:00Z\tcall\tAnn Acme\tKick-off call
        """
    )


def test_show_rich(cli, firms):
    out = ok(cli("company", "show", "acme.example", terminal=True, width=80))
    assert [line.rstrip() for line in out.splitlines()] == [
        "Acme Tools  Hardware  company 1",
        "",
        "  Domain    acme.example",
        "  Industry  Hardware",
        "  Tags      partner",
        "",
        "People (2)",
        "  1  Ann Acme         ann@acme.example  13 days ago",
        "  2  Art Acme  Buyer                    never",
        "",
        "Last touch 13 days ago   1 interaction",
        "  13 days ago  call  Ann Acme: Kick-off call",
    ]


def test_show_json(cli, firms):
    view = as_json(cli("company", "show", "zebra", "--json"))
    assert list(view) == [
        "company", "people", "recent", "interaction_count", "last_touch", "next_touch", "deals",
        "lifecycle", "follow_ups", "follow_up_count",
    ]  # fmt: skip
    assert [person["name"] for person in view["people"]] == ["Zed Zebra"]
    assert view["recent"][0]["text"] == "Demo"


# -- edit --------------------------------------------------------------------------------


def test_edit_with_options(cli, firms):
    out = ok(
        cli(
            "company", "edit", "acme", "--name", "Acme Tools GmbH", "--domain", "",
            "--industry", "", "--website", "acme.example/home", "--size", "51-200",
            "--tag", "customer", "--untag", "PARTNER", "--note", "Pays late",
        )
    )  # fmt: skip
    assert out == "updated company 1 Acme Tools GmbH\n"
    company = as_json(cli("company", "show", "1", "--json"))["company"]
    assert (company["name"], company["domain"], company["industry"]) == (
        "Acme Tools GmbH",
        None,
        None,
    )
    assert (company["website"], company["size"]) == ("acme.example/home", "51-200")
    assert company["tags"] == ["customer"]
    assert company["note"] == "Pays late"
    # the people's view follows the new name
    assert ok(cli("contact", "list", "-c", "gmbh")).count("Acme Tools GmbH") == 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--name", "zebra labs"], 'a company named "Zebra Labs" already exists (id 2)'),
        (["--name", ""], "the name cannot be empty"),
        (["--domain", "not a domain"], 'invalid domain "not a domain"'),
        (["--untag", "nosuch"], 'company 1 has no tag "nosuch"'),
        (["--size", "10", "--untag", "nosuch"], 'company 1 has no tag "nosuch"'),
    ],
)
def test_bad_edit_changes_nothing(cli, db_path, firms, args, message):
    ok(cli("company", "edit", "zebra", "--domain", "zebra.example"))
    before = dump(db_path)
    err = error(cli("company", "edit", "acme", *args))
    assert err.startswith(f"pcrm: error: {message}")
    assert dump(db_path) == before


def editor(tmp_path: Path, body: str) -> str:
    script = tmp_path / "editor.py"
    script.write_text(
        "import sys\npath = sys.argv[1]\ntext = open(path, encoding='utf-8').read()\n"
        + textwrap.dedent(body)
        + "\nopen(path, 'w', encoding='utf-8').write(text)\n",
        encoding="utf-8",
    )
    return f"{sys.executable} {script}"


def test_edit_in_editor(cli, tmp_path, firms):
    command = editor(
        tmp_path,
        """
        text = text.replace("industry: Hardware", "industry: Tools")
        text = text.replace("size: ", "size: 11-50")
        text = text.replace("tags: partner", "tags: partner, key account")
        text = text.replace("note: ", "note: line one\\n  line two")
        """,
    )
    assert ok(cli("company", "edit", "acme", env={"EDITOR": command})) == (
        "updated company 1 Acme Tools\n"
    )
    company = as_json(cli("company", "show", "acme", "--json"))["company"]
    assert (company["industry"], company["size"]) == ("Tools", "11-50")
    assert company["tags"] == ["key account", "partner"]
    assert company["note"] == "line one\nline two"
    assert ok(cli("company", "edit", "acme", env={"EDITOR": "true"})) == "no changes\n"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            'text = text.replace("domain: acme.example", "domain: nope")',
            'line 8: invalid domain "nope"',
        ),
        ('text = text.replace("industry:", "sector:")', 'line 10: unknown field "sector"'),
        (
            'text = text.replace("name: Acme Tools", "name: Zebra Labs")',
            'a company named "Zebra Labs"',
        ),
    ],
)
def test_editor_errors_change_nothing(cli, db_path, tmp_path, firms, body, message):
    before = dump(db_path)
    err = error(cli("company", "edit", "acme", env={"EDITOR": editor(tmp_path, body)}))
    assert err.startswith(f"pcrm: error: {message}"), err
    assert dump(db_path) == before


# -- rm ----------------------------------------------------------------------------------


def test_rm_refuses_without_yes_when_nobody_can_answer(cli, db_path, firms):
    before = dump(db_path)
    err = error(cli("company", "rm", "acme"))
    assert (
        err == "pcrm: error: not removing company 1 Acme Tools without confirmation (add --yes)\n"
    )
    assert dump(db_path) == before


def test_rm_leaves_its_people_unlinked(cli, db_path, firms):
    assert ok(cli("company", "rm", "acme", "--yes")) == "removed company 1 Acme Tools\n"
    assert rows(db_path, "SELECT id, company_id FROM contacts ORDER BY id") == [
        (1, None),
        (2, None),
        (3, 2),
    ]
    assert rows(db_path, "SELECT count(*) FROM company_tags WHERE company_id = 1") == [(0,)]
    assert rows(db_path, "SELECT id, company_id FROM interactions ORDER BY id") == [
        (1, None),
        (2, 2),
    ]
    assert rows(db_path, "SELECT kind FROM deletions") == [("company",)]
    # the people and their history are all still there
    assert ok(cli("contact", "show", "ann")).startswith(
        "contact 1: Ann Acme\nemail: ann@acme.example\n"
    )
    assert "interactions: 1\n" in ok(cli("contact", "show", "ann"))
    # the tag stays for the company that still has it
    assert ids(ok(cli("company", "list", "--tag", "partner"))) == [3]


# -- REF and a missing database ----------------------------------------------------------


def test_company_ref_by_id_domain_and_name_piece(cli, firms):
    assert ok(cli("company", "show", "2")).startswith("company 2: Zebra Labs\n")
    assert ok(cli("company", "show", "ACME.example")).startswith("company 1: Acme Tools\n")
    assert ok(cli("company", "show", "tools acme")).startswith("company 1: Acme Tools\n")


def test_ambiguous_company_lists_candidates(cli, db_path, firms):
    err = error(cli("company", "show", "l"))
    assert err == (
        'pcrm: error: "l" matches 2 companies (use the id, the domain, or more of the name)\n'
        "  1  Acme Tools  acme.example  (2 people)\n"
        "  2  Zebra Labs  (1 person)\n"
    )


@pytest.mark.parametrize(
    "args",
    [["company", "list"], ["company", "show", "acme"], ["company", "rm", "acme", "--yes"]],
)
def test_missing_database_is_an_error_and_creates_nothing(cli, db_path, args):
    err = error(cli(*args))
    assert err.startswith(f"pcrm: error: no database at {db_path} (")
    assert not db_path.exists()
