"""`pcrm deal add|list|show|edit|move|won|lost|reopen|rm` through the command line."""

from __future__ import annotations

import json
import sqlite3
import textwrap
from datetime import timedelta
from pathlib import Path

import pytest
from rich.cells import cell_len

from conftest import NOW, dump, error, ok
from tables import headers, table_rows

LATER = NOW + timedelta(days=2)


def rows(db_path: Path, sql: str, params=()) -> list[tuple]:
    conn = sqlite3.connect(db_path)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


@pytest.fixture
def people(cli):
    ok(cli("contact", "add", "Ada Lovelace", "-e", "ada@example.org", "-c", "Analytical"))
    ok(cli("contact", "add", "Charles Babbage", "-c", "Analytical"))
    ok(cli("contact", "add", "Zoë Müller", "-c", "Zebra Labs"))


@pytest.fixture
def deals(cli, people):
    """Three open deals in the default pipeline, added on different days."""
    ok(
        cli(
            "deal", "add", "20 seats", "--value", "12k", "--contact", "ada:decision maker",
            "--contact", "babbage", "--close", "2026-12-15", "--source", "referral",
            "-t", "vip", "--note", "Wants it before Christmas", now=NOW - timedelta(days=10),
        )
    )  # fmt: skip
    ok(
        cli(
            "deal", "add", "Support plan", "--value", "3,000", "-c", "Zebra Labs",
            "--stage", "demo", "--close", "2026-11-28", now=NOW - timedelta(days=5),
        )
    )  # fmt: skip
    ok(
        cli(
            "deal", "add", "Zebra pilot", "--contact", "zoe", "--value", "$800", "--currency", "usd"
        )
    )


# -- add ---------------------------------------------------------------------------------


def test_add_with_everything(cli, db_path, people):
    out = ok(
        cli(
            "deal", "add", "  20   seats ", "--value", "12,500.50", "--currency", "chf",
            "--company", "Acme", "--contact", "ada:decision maker", "--contact", "babbage",
            "--stage", "2", "--close", "2026-12-15", "--source", " referral ",
            "--tag", "vip,renewal", "-t", "VIP", "--note", "Wants it\nbefore Christmas",
        )
    )  # fmt: skip
    assert (
        out == "added company 3 Acme\nadded deal 1 20 seats: 12,500.50 CHF in Sales / Contact made"
        ", closing Tue 2026-12-15\n"
    )
    assert rows(
        db_path,
        "SELECT title, title_key, value, currency, company_id, pipeline_id, stage_id, status,"
        " expected_close, source, note, stage_entered_at, last_activity_at, created_at"
        " FROM deals",
    ) == [
        (
            "20 seats", "20 seats", 1_250_050, "CHF", 3, 1, 2, "open", "2026-12-15", "referral",
            "Wants it\nbefore Christmas", "2026-11-23T10:00:00Z", "2026-11-23T10:00:00Z",
            "2026-11-23T10:00:00Z",
        )
    ]  # fmt: skip
    assert rows(db_path, "SELECT contact_id, role FROM deal_contacts ORDER BY contact_id") == [
        (1, "decision maker"),
        (2, None),
    ]
    assert rows(
        db_path,
        "SELECT t.name FROM deal_tags dt JOIN tags t ON t.id = dt.tag_id ORDER BY t.name",
    ) == [("renewal",), ("vip",)]


def test_add_defaults_company_from_the_first_contact_and_stage_from_the_pipeline(
    cli, db_path, people
):
    assert ok(cli("deal", "add", "Seats", "--contact", "zoe")) == (
        "added deal 1 Seats: €0.00 in Sales / Qualified\n"
    )
    assert rows(db_path, "SELECT company_id, value, currency FROM deals") == [(2, 0, "EUR")]


def test_add_into_another_pipeline_by_prefix(cli, db_path, people):
    ok(cli("pipeline", "add", "Partners", "--stage", "Intro", "--stage", "Pilot"))
    assert ok(cli("deal", "add", "Reseller", "--pipeline", "PART", "--stage", "pil")) == (
        "added deal 1 Reseller: €0.00 in Partners / Pilot\n"
    )


def test_add_on_a_new_file_creates_it(cli, db_path):
    assert ok(cli("deal", "add", "First")) == "added deal 1 First: €0.00 in Sales / Qualified\n"
    assert db_path.exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("--stage", "won"),
            'no stage "won" in pipeline Sales (stages of Sales: Qualified, Contact made, Demo,'
            " Proposal, Negotiation; won is a status, not a stage: pcrm deal won REF)",
        ),
        (
            ("--stage", "9"),
            "pipeline Sales has no stage 9 (positions 1 to 5; stages of Sales: Qualified,"
            " Contact made, Demo, Proposal, Negotiation)",
        ),
        (
            ("--stage", "xyz"),
            'no stage "xyz" in pipeline Sales (stages of Sales: Qualified, Contact made, Demo,'
            " Proposal, Negotiation)",
        ),
        (("--pipeline", "nope"), 'no pipeline "nope" (pipelines: Sales)'),
        (("--contact", "nobody"), 'no contact matches "nobody" (try: pcrm search nobody)'),
        (("--contact", ":champion"), '":champion" names no contact (write REF or REF:role)'),
        (
            ("--close", "someday"),
            'cannot understand date "someday" (try 2024-03-12, tomorrow, fri, +3d, "in 2 weeks")',
        ),
        (("--company", "99"), "no company has id 99 (see: pcrm company list)"),
    ],
)
def test_add_refuses_bad_input_and_changes_nothing(cli, db_path, people, args, message):
    before = dump(db_path)
    assert error(cli("deal", "add", "Seats", "--company", "New Co", *args)) == (
        f"pcrm: error: {message}\n"
    )
    assert dump(db_path) == before


def test_add_needs_a_title(cli, db_path, people):
    before = dump(db_path)
    assert error(cli("deal", "add", "   ")) == (
        "pcrm: error: the title cannot be empty (give a title)\n"
    )
    assert dump(db_path) == before


def test_a_stage_prefix_matching_several_lists_them(cli, people):
    ok(cli("stage", "add", "Demo prep", "--probability", "30"))
    assert error(cli("deal", "add", "Seats", "--stage", "dem")) == (
        'pcrm: error: "dem" matches several stages of Sales: Demo, Demo prep'
        " (type more of the name, or its position)\n"
    )
    assert ok(cli("deal", "add", "Seats", "--stage", "demo")).endswith("Sales / Demo\n")


# -- REF ---------------------------------------------------------------------------------


def test_deal_ref_by_id_piece_of_title_or_whole_title(cli, people):
    ok(cli("deal", "add", "Café rollout"))
    ok(cli("deal", "add", "Café rollout phase 2", "--contact", "ada"))
    assert ok(cli("deal", "won", "cafe rollout")) == "won deal 1 Café rollout: €0.00\n"
    assert ok(cli("deal", "won", "PHASE")).startswith("won deal 2 Café rollout phase 2: €0.00\n")
    assert error(cli("deal", "show", "rollout")) == textwrap.dedent(
        """\
        pcrm: error: "rollout" matches 2 deals (use the id or more of the title)
          1  Café rollout  won
          2  Café rollout phase 2  (Analytical)  won
        """
    )
    assert error(cli("deal", "show", "nothing")) == (
        'pcrm: error: no deal matches "nothing" (see: pcrm deal list --status all)\n'
    )
    assert error(cli("deal", "show", "7")) == (
        "pcrm: error: no deal has id 7 (see: pcrm deal list --status all)\n"
    )


def test_commands_on_a_missing_database_do_not_create_it(cli, db_path):
    for args in (
        ("deal", "move", "x", "demo"),
        ("deal", "won", "x"),
        ("deal", "lost", "x", "--reason", "r"),
        ("deal", "reopen", "x"),
        ("deal", "edit", "x", "--value", "1"),
        ("deal", "rm", "x", "--yes"),
        ("deal", "show", "x"),
        ("deal", "list"),
    ):
        assert error(cli(*args)).startswith("pcrm: error: no database at "), args
    assert not db_path.exists()


# -- list --------------------------------------------------------------------------------


def test_list_plain_is_tab_separated(cli, deals):
    assert ok(cli("deal", "list")).splitlines() == [
        "1\t20 seats\tAnalytical\tSales\tQualified\topen\t12000.00\tEUR\t2026-12-15\t\t"
        "2026-11-13T10:00:00Z\tvip",
        "3\tZebra pilot\tZebra Labs\tSales\tQualified\topen\t800.00\tUSD\t\t\t"
        "2026-11-23T10:00:00Z\t",
        "2\tSupport plan\tZebra Labs\tSales\tDemo\topen\t3000.00\tEUR\t2026-11-28\t\t"
        "2026-11-18T10:00:00Z\t",
    ]


def ids(cli, *args) -> list[int]:
    return [int(line.split("\t")[0]) for line in ok(cli("deal", "list", *args)).splitlines()]


def test_list_filters(cli, deals):
    ok(cli("deal", "won", "support"))
    assert ids(cli) == [1, 3]
    assert ids(cli, "--status", "won") == [2]
    assert ids(cli, "--status", "lost") == []
    assert ids(cli, "--status", "all") == [1, 3, 2]
    assert ids(cli, "--company", "zebra", "--status", "all") == [3, 2]
    assert ids(cli, "--contact", "ada") == [1]
    assert ids(cli, "--contact", "zoe") == [3]
    assert ids(cli, "--tag", "VIP") == [1]
    assert ids(cli, "--stage", "qual") == [1, 3]
    assert ids(cli, "--stage", "3", "--status", "all") == [2]
    assert ids(cli, "--pipeline", "sales") == [1, 3]
    assert ids(cli, "--closing-before", "2026-12-15", "--status", "all") == [1, 2]
    assert ids(cli, "--closing-before", "2026-12-14", "--status", "all") == [2]
    assert ids(cli, "--closing-after", "2026-11-29", "--status", "all") == [1]
    assert ids(
        cli, "--closing-after", "tomorrow", "--closing-before", "eom", "--status", "all"
    ) == [2]
    assert ids(cli, "--closing-after", "tomorrow", "--closing-before", "eom") == []


def test_list_sorts(cli, deals):
    assert ids(cli, "--sort", "value") == [1, 2, 3]
    assert ids(cli, "--sort", "close") == [2, 1, 3]
    assert ids(cli, "--sort", "age") == [1, 2, 3]
    assert ids(cli, "--sort", "title") == [1, 2, 3]
    ok(cli("deal", "add", "Aardvark", "--value", "1m", "--currency", "JPY"))
    # A million yen is less than twelve thousand euros in minor units, and more in major.
    assert ids(cli, "--sort", "value")[0] == 4
    assert ids(cli, "--sort", "title") == [1, 4, 2, 3]


def test_list_limit_says_what_was_left_out(cli, deals):
    result = cli("deal", "list", "--limit", "2")
    assert len(ok(result).splitlines()) == 2
    assert result.stderr == "showing 2 of 3 (use --limit 0 for all)\n"


def test_list_bad_filters(cli, db_path, deals):
    assert error(cli("deal", "list", "--stage", "won")).startswith(
        'pcrm: error: no stage "won" in pipeline Sales (stages of Sales: Qualified,'
    )
    assert error(cli("deal", "list", "--pipeline", "x")) == (
        'pcrm: error: no pipeline "x" (pipelines: Sales)\n'
    )
    assert cli("deal", "list", "--status", "closed").exit_code == 2
    assert cli("deal", "list", "--sort", "size").exit_code == 2


def test_list_json(cli, deals):
    result = cli("deal", "list", "--json", "--status", "all", "--limit", "1")
    listed = json.loads(ok(result))
    assert result.stderr == "showing 1 of 3 (use --limit 0 for all)\n"
    assert listed == [
        {
            "id": 1,
            "uid": listed[0]["uid"],
            "title": "20 seats",
            "value": 1_200_000,
            "currency": "EUR",
            "exponent": 2,
            "company": {"kind": "company", "id": 1, "name": "Analytical"},
            "pipeline": {"kind": "pipeline", "id": 1, "name": "Sales"},
            "stage": {"kind": "stage", "id": 1, "name": "Qualified"},
            "probability": 10,
            "status": "open",
            "expected_close": "2026-12-15",
            "source": "referral",
            "lost_reason": None,
            "closed_at": None,
            "note": "Wants it before Christmas",
            "stage_entered_at": "2026-11-13T10:00:00Z",
            "last_activity_at": "2026-11-13T10:00:00Z",
            "created_at": "2026-11-13T10:00:00Z",
            "updated_at": "2026-11-13T10:00:00Z",
            "contacts": [
                {"id": 1, "name": "Ada Lovelace", "role": "decision maker"},
                {"id": 2, "name": "Charles Babbage", "role": None},
            ],
            "tags": ["vip"],
            "fields": {},
        }
    ]
    assert ok(cli("deal", "list", "--json", "--status", "lost")) == "[]\n"


def test_list_on_a_terminal(cli, deals):
    ok(cli("deal", "lost", "zebra", "--reason", "budget"))
    out = ok(cli("deal", "list", "--status", "all", terminal=True, width=100))
    assert "\x1b" not in out
    assert [line.rstrip() for line in out.splitlines()] == [
        "ID  Title         Company     Stage           Value  Close       In stage",
        " 1  20 seats      Analytical  Qualified  €12,000.00  2026-12-15  10 days",
        " 2  Support plan  Zebra Labs  Demo        €3,000.00  2026-11-28  5 days",
        " 3  Zebra pilot   Zebra Labs  lost          $800.00  2026-11-23",
    ]
    empty = ok(cli("deal", "list", "--status", "won", terminal=True))
    assert empty == "No deals to show.\n"
    assert ok(cli("deal", "list", "--status", "won")) == ""


def test_list_on_a_terminal_aligns_mixed_currencies_and_fits_80_columns(cli, people):
    ok(cli("deal", "add", "A rather long deal title that has to fold somewhere", "--value", "1"))
    ok(cli("deal", "add", "Franc deal", "--value", "12,500.50 CHF", "--contact", "ada"))
    ok(cli("pipeline", "add", "Partners", "--stage", "Intro"))
    ok(cli("deal", "add", "Partner deal", "--pipeline", "partners"))
    out = ok(cli("deal", "list", terminal=True, width=80))
    assert all(cell_len(line) <= 80 for line in out.splitlines())
    # "In stage" goes first when room is short; a long title stays on one line, cut with "…".
    assert headers(out.splitlines()[0]) == [
        "ID", "Title", "Company", "Pipeline", "Stage", "Value",
    ]  # fmt: skip
    table = table_rows(out)
    # By stage: the default pipeline first, the highest value first within a stage.
    assert [row["ID"] for row in table] == ["2", "1", "3"]
    assert table[1]["Title"].endswith("…")
    title = "A rather long deal title that has to fold somewhere"
    assert title.startswith(table[1]["Title"].removesuffix("…"))
    lines = out.splitlines()
    # The numbers end in one column; the euro amount leaves room for " CHF".
    euro = next(line for line in lines if "€1.00" in line)
    franc = next(line for line in lines if "CHF" in line)
    assert euro.index("€1.00") + len("€1.00") == franc.index("12,500.50") + len("12,500.50")
    none = next(line for line in lines if "Partner deal" in line)  # no value: a dash
    assert none.index("—") + 1 == franc.index("12,500.50") + len("12,500.50")


# -- show --------------------------------------------------------------------------------


def test_show_plain(cli, deals):
    ok(cli("log", "ada", "Call about seats", "--kind", "call", "--deal", "20 seats"))
    ok(cli("deal", "move", "20 seats", "demo", now=NOW - timedelta(days=4)))
    assert ok(cli("deal", "show", "20 seats")) == textwrap.dedent(
        """\
        deal 1: 20 seats
        value: 12000.00 EUR
        status: open
        pipeline: Sales
        stage: Demo
        probability: 40
        expected close: 2026-12-15
        company: Analytical
        contact: Ada Lovelace (decision maker)
        contact: Charles Babbage
        source: referral
        tags: vip
        created: 2026-11-13T10:00:00Z
        last activity: 2026-11-23T10:00:00Z
        note: Wants it before Christmas
        in stage: Qualified\t6\t2026-11-13T10:00:00Z\t2026-11-19T10:00:00Z\tmoved
        in stage: Demo\t4\t2026-11-19T10:00:00Z\t\t
        interactions: 1
        2026-11-23T10:00:00Z\tcall\tAda Lovelace\tCall about seats
        """
    )


def test_show_lost_plain(cli, deals):
    ok(cli("deal", "lost", "support", "--reason", "went with\na rival", now=LATER))
    out = ok(cli("deal", "show", "support", now=LATER))
    assert "status: lost\n" in out
    assert "closed: 2026-11-25T10:00:00Z\n" in out
    assert "lost reason: went with a rival\n" in out
    assert out.endswith(
        "in stage: Demo\t7\t2026-11-18T10:00:00Z\t2026-11-25T10:00:00Z\tlost\ninteractions: 0\n"
    )


def test_show_json(cli, deals):
    ok(cli("deal", "won", "support", now=LATER))
    shown = json.loads(ok(cli("deal", "show", "support", "--json", now=LATER)))
    assert list(shown) == [
        "deal",
        "history",
        "time_in_stage",
        "interactions",
        "interaction_count",
        "follow_ups",
        "follow_up_count",
    ]
    assert shown["deal"]["status"] == "won"
    assert shown["deal"]["closed_at"] == "2026-11-25T10:00:00Z"
    assert shown["history"] == [
        {
            "at": "2026-11-18T10:00:00Z",
            "from_stage": None,
            "to_stage": "Demo",
            "from_status": None,
            "to_status": "open",
            "note": None,
        },
        {
            "at": "2026-11-25T10:00:00Z",
            "from_stage": "Demo",
            "to_stage": "Demo",
            "from_status": "open",
            "to_status": "won",
            "note": None,
        },
    ]
    assert shown["time_in_stage"] == [
        {
            "stage": "Demo",
            "entered_at": "2026-11-18T10:00:00Z",
            "left_at": "2026-11-25T10:00:00Z",
            "days": 7,
            "ended_by": "won",
        }
    ]
    assert (shown["interactions"], shown["interaction_count"]) == ([], 0)


def test_show_on_a_terminal(cli, deals):
    ok(cli("log", "ada", "Call about seats", "--kind", "call", "--deal", "1"))
    ok(cli("deal", "move", "1", "demo", now=NOW - timedelta(days=4)))
    out = ok(cli("deal", "show", "1", terminal=True, width=80))
    assert "\x1b" not in out
    assert [line.rstrip() for line in out.splitlines()] == [
        "20 seats  Analytical  deal 1",
        "",
        "  Value          €12,000.00  weighted €4,800.00 (40%)",
        "  Status         open in Demo (Sales), 4 days in stage",
        "  Close          2026-12-15 (in 3 weeks)",
        "  Company        Analytical",
        "  Contacts       Ada Lovelace (decision maker)",
        "                 Charles Babbage",
        "  Source         referral",
        "  Tags           vip",
        "  Created        10 days ago",
        "  Last activity  just now",
        "",
        "  Wants it before Christmas",
        "",
        "Time in stage",
        "  Qualified  6 days  2026-11-13 → 2026-11-19  moved",
        "  Demo       4 days  since 2026-11-19         now",
        "",
        "Interactions (1)",
        "  just now  call  Ada Lovelace: Call about seats",
    ]


def test_show_on_a_terminal_closed_and_without_value(cli, people):
    ok(cli("deal", "add", "[bold]Markup[/bold] \x1b[31mdeal", "--contact", "zoe"))
    ok(cli("deal", "lost", "markup", "--reason", "no budget", now=LATER))
    out = ok(cli("deal", "show", "1", terminal=True, width=80, now=LATER))
    assert [line.rstrip() for line in out.splitlines()][:6] == [
        "[bold]Markup[/bold] \\x1b[31mdeal  Zebra Labs  deal 1",
        "",
        "  Value          no value",
        "  Status         lost just now in Qualified (Sales)",
        "  Lost because   no budget",
        "  Company        Zebra Labs",
    ]
    lines = [line.rstrip() for line in out.splitlines()]
    assert "  Qualified  2 days  2026-11-23 → 2026-11-25  lost" in lines


# -- edit --------------------------------------------------------------------------------


def deal_row(db_path: Path, deal_id: int = 1) -> tuple:
    return rows(
        db_path,
        "SELECT title, value, currency, company_id, expected_close, source, note, updated_at,"
        " last_activity_at FROM deals WHERE id = ?",
        (deal_id,),
    )[0]


def test_edit_fields(cli, db_path, deals):
    out = ok(
        cli(
            "deal", "edit", "20 seats", "--title", "25 seats", "--value", "15k",
            "--company", "Zebra Labs", "--close", "next friday", "--source", "",
            "--note", "Bigger now", now=LATER,
        )
    )  # fmt: skip
    assert out == "updated deal 1 25 seats, closing Fri 2026-11-27\n"
    assert deal_row(db_path) == (
        "25 seats", 1_500_000, "EUR", 2, "2026-11-27", None, "Bigger now",
        "2026-11-25T10:00:00Z", "2026-11-13T10:00:00Z",
    )  # fmt: skip
    ok(cli("deal", "edit", "25 seats", "--company", "", "--close", ""))
    assert deal_row(db_path)[3:5] == (None, None)
    assert ok(cli("deal", "edit", "25 seats", "--company", "New Co")) == (
        "added company 3 New Co\nupdated deal 1 25 seats\n"
    )


def test_edit_currency_alone_keeps_the_amount(cli, db_path, deals):
    ok(cli("deal", "edit", "1", "--currency", "JPY"))
    assert deal_row(db_path)[1:3] == (12_000, "JPY")
    ok(cli("deal", "edit", "1", "--currency", "bhd"))
    assert deal_row(db_path)[1:3] == (12_000_000, "BHD")
    ok(cli("deal", "edit", "1", "--value", "£7"))
    assert deal_row(db_path)[1:3] == (700, "GBP")
    ok(cli("deal", "edit", "1", "--value", "7.5", "--currency", "usd"))
    assert deal_row(db_path)[1:3] == (750, "USD")
    before = dump(db_path)
    assert error(cli("deal", "edit", "1", "--currency", "jpy")) == (
        "pcrm: error: the value has cents that JPY cannot hold"
        " (give the value in JPY with --value)\n"
    )
    assert dump(db_path) == before


def test_edit_contacts_and_roles(cli, db_path, deals):
    def people_on_deal():
        return rows(
            db_path,
            "SELECT contact_id, role FROM deal_contacts WHERE deal_id = 1 ORDER BY contact_id",
        )

    ok(cli("deal", "edit", "1", "--contact", "zoe:champion"))
    assert people_on_deal() == [(1, "decision maker"), (2, None), (3, "champion")]
    ok(cli("deal", "edit", "1", "--contact", "ada"))  # no role given: the role stays
    assert people_on_deal()[0] == (1, "decision maker")
    ok(cli("deal", "edit", "1", "--contact", "ada:buyer", "--contact", "zoe:"))
    assert people_on_deal() == [(1, "buyer"), (2, None), (3, None)]
    ok(cli("deal", "edit", "1", "--rm-contact", "babbage", "--rm-contact", "ada@example.org"))
    assert people_on_deal() == [(3, None)]
    before = dump(db_path)
    assert error(cli("deal", "edit", "1", "--rm-contact", "ada")) == (
        "pcrm: error: contact 1 is not on deal 1 (see: pcrm deal show 1)\n"
    )
    assert dump(db_path) == before


def test_edit_tags(cli, db_path, deals):
    ok(cli("deal", "edit", "1", "--tag", "q4,renewal", "--untag", "VIP"))
    assert ok(cli("deal", "list", "--tag", "q4")).startswith("1\t")
    assert ok(cli("deal", "show", "1")).count("tags: q4, renewal\n") == 1
    before = dump(db_path)
    assert error(cli("deal", "edit", "1", "--untag", "nosuch", "--title", "X")) == (
        'pcrm: error: deal 1 has no tag "nosuch" (see: pcrm deal show 1)\n'
    )
    assert dump(db_path) == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "nothing to change (give what to change, e.g. --value 15k (see --help))"),
        (("--title", " "), "the title cannot be empty (give a title)"),
        (("--value", "-1"), 'the value cannot be negative: "-1" (give 0 or more)'),
        (
            ("--currency", "ABC"),
            'unknown currency "ABC" (use an ISO 4217 code such as EUR, USD or GBP)',
        ),
        (
            ("--close", "soonish"),
            'cannot understand date "soonish" (try 2024-03-12, tomorrow, fri, +3d, "in 2 weeks")',
        ),
        (("--contact", "nobody"), 'no contact matches "nobody" (try: pcrm search nobody)'),
    ],
)
def test_edit_refuses_bad_input_and_changes_nothing(cli, db_path, deals, args, message):
    before = dump(db_path)
    assert error(cli("deal", "edit", "1", *args)) == f"pcrm: error: {message}\n"
    assert dump(db_path) == before


# -- move, won, lost, reopen -------------------------------------------------------------


def test_move_by_name_prefix_or_position(cli, db_path, deals):
    assert ok(cli("deal", "move", "20 seats", "Contact MADE")) == (
        "moved deal 1 20 seats: Qualified → Contact made\n"
    )
    assert (
        ok(cli("deal", "move", "1", "prop")) == "moved deal 1 20 seats: Contact made → Proposal\n"
    )
    assert ok(cli("deal", "move", "1", "1", now=LATER)) == (
        "moved deal 1 20 seats: Proposal → Qualified\n"
    )
    assert rows(
        db_path, "SELECT stage_id, stage_entered_at, last_activity_at FROM deals WHERE id = 1"
    ) == [(1, "2026-11-25T10:00:00Z", "2026-11-25T10:00:00Z")]


def test_move_to_the_stage_it_is_in_changes_nothing(cli, db_path, deals):
    before = dump(db_path)
    assert ok(cli("deal", "move", "1", "qualified")) == "deal 1 20 seats is already in Qualified\n"
    assert dump(db_path) == before


def test_move_into_another_pipeline(cli, db_path, deals):
    ok(cli("pipeline", "add", "Partners", "--stage", "Intro", "--stage", "Pilot"))
    assert ok(cli("deal", "move", "1", "pilot", "--pipeline", "partners")) == (
        "moved deal 1 20 seats: Qualified → Pilot (Partners)\n"
    )
    assert rows(db_path, "SELECT pipeline_id, stage_id FROM deals WHERE id = 1") == [(2, 7)]
    assert rows(db_path, "SELECT note FROM deal_history WHERE deal_id = 1 ORDER BY id") == [
        (None,),
        ("from pipeline Sales to Partners",),
    ]
    assert error(cli("deal", "move", "1", "demo")).startswith(
        'pcrm: error: no stage "demo" in pipeline Partners (stages of Partners: Intro, Pilot)'
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("move", "1", "won"),
            'no stage "won" in pipeline Sales (stages of Sales: Qualified, Contact made, Demo,'
            " Proposal, Negotiation; won is a status, not a stage: pcrm deal won REF)",
        ),
        (
            ("move", "1", "0"),
            "pipeline Sales has no stage 0 (positions 1 to 5; stages of Sales: Qualified,"
            " Contact made, Demo, Proposal, Negotiation)",
        ),
        (("move", "1", "demo", "--pipeline", "x"), 'no pipeline "x" (pipelines: Sales)'),
        (("move", "nosuch", "demo"), 'no deal matches "nosuch" (see: pcrm deal list --status all)'),
        (
            ("lost", "1", "--reason", "  "),
            'the reason cannot be empty (e.g. --reason "went with a rival")',
        ),
        (("reopen", "1"), 'deal 1 "20 seats" is already open (nothing to reopen)'),
    ],
)
def test_bad_moves_change_nothing(cli, db_path, deals, args, message):
    before = dump(db_path)
    assert error(cli("deal", *args)) == f"pcrm: error: {message}\n"
    assert dump(db_path) == before


def test_lost_needs_a_reason(cli, deals):
    result = cli("deal", "lost", "1")
    assert result.exit_code == 2
    assert "Missing option '--reason'" in result.stderr


def test_won_lost_reopen(cli, db_path, deals):
    assert ok(cli("deal", "won", "support", now=LATER)).startswith(
        "won deal 2 Support plan: €3,000.00\n"
    )
    assert rows(
        db_path, "SELECT status, closed_at, lost_reason, last_activity_at FROM deals WHERE id = 2"
    ) == [("won", "2026-11-25T10:00:00Z", None, "2026-11-25T10:00:00Z")]
    assert (
        ok(cli("deal", "reopen", "support", now=LATER)) == "reopened deal 2 Support plan in Demo\n"
    )
    assert ok(cli("deal", "lost", "support", "-r", "  went with\n a rival ", now=LATER)) == (
        "lost deal 2 Support plan: went with a rival\n"
    )
    assert rows(db_path, "SELECT status, closed_at, lost_reason FROM deals WHERE id = 2") == [
        ("lost", "2026-11-25T10:00:00Z", "went with a rival")
    ]
    ok(cli("deal", "reopen", "2", now=LATER + timedelta(days=1)))
    assert rows(
        db_path,
        "SELECT status, closed_at, lost_reason, stage_id, stage_entered_at FROM deals WHERE id = 2",
    ) == [("open", None, None, 3, "2026-11-26T10:00:00Z")]


def test_closed_deals_cannot_be_moved_or_closed_again(cli, db_path, deals):
    ok(cli("deal", "won", "1", now=LATER))
    ok(cli("deal", "lost", "2", "--reason", "price", now=LATER))
    before = dump(db_path)
    hint = "(reopen it first: pcrm deal reopen {})"
    assert error(cli("deal", "move", "1", "demo")) == (
        'pcrm: error: deal 1 "20 seats" is closed (won on 2026-11-25); only an open deal moves '
        + hint.format(1)
        + "\n"
    )
    assert error(cli("deal", "won", "1")) == (
        'pcrm: error: deal 1 "20 seats" is already won on 2026-11-25'
        " (to change that, reopen it first: pcrm deal reopen 1)\n"
    )
    assert error(cli("deal", "lost", "1", "--reason", "x")) == (
        'pcrm: error: deal 1 "20 seats" is closed (won on 2026-11-25); only an open deal can be'
        " lost " + hint.format(1) + "\n"
    )
    assert error(cli("deal", "lost", "2", "--reason", "x")) == (
        'pcrm: error: deal 2 "Support plan" is already lost on 2026-11-25'
        " (to change that, reopen it first: pcrm deal reopen 2)\n"
    )
    assert error(cli("deal", "won", "2")) == (
        'pcrm: error: deal 2 "Support plan" is closed (lost on 2026-11-25); only an open deal'
        " can be won " + hint.format(2) + "\n"
    )
    assert dump(db_path) == before


def test_closed_deals_can_still_be_edited(cli, db_path, deals):
    ok(cli("deal", "won", "1"))
    assert ok(cli("deal", "edit", "1", "--value", "13k")) == "updated deal 1 20 seats\n"
    assert deal_row(db_path)[1] == 1_300_000


# -- rm ----------------------------------------------------------------------------------


def test_rm(cli, db_path, deals):
    ok(cli("log", "zoe", "Pilot call", "--deal", "zebra"))
    before = dump(db_path)
    assert error(cli("deal", "rm", "zebra")) == (
        "pcrm: error: not removing deal 3 Zebra pilot without confirmation (add --yes)\n"
    )
    assert dump(db_path) == before
    assert ok(cli("deal", "rm", "zebra", "--yes")) == "removed deal 3 Zebra pilot\n"
    assert rows(db_path, "SELECT id FROM deals ORDER BY id") == [(1,), (2,)]
    assert rows(db_path, "SELECT count(*) FROM deal_history WHERE deal_id = 3") == [(0,)]
    assert rows(db_path, "SELECT count(*) FROM deal_contacts WHERE deal_id = 3") == [(0,)]
    # The interaction stays, unlinked; the deletion is recorded for sync.
    assert rows(db_path, "SELECT text, deal_id FROM interactions") == [("Pilot call", None)]
    assert rows(db_path, "SELECT kind FROM deletions") == [("deal",)]


# -- search ------------------------------------------------------------------------------


def test_search_finds_deals(cli, deals):
    out = ok(cli("search", "seats"))
    assert out.splitlines()[0].startswith("deal\t1\t20 seats\t")
    assert ok(cli("search", "zebra", "--kind", "deals")).splitlines() == [
        "deal\t3\tZebra pilot\tZebra pilot\t",
        "deal\t2\tSupport plan\tZebra Labs\t",
    ]


# -- pcrm log --deal ---------------------------------------------------------------------


def test_log_against_a_deal_links_it_and_counts_as_activity(cli, db_path, deals):
    assert ok(cli("log", "zoe", "Pilot call", "--kind", "call", "--deal", "zebra", now=LATER)) == (
        "logged call 1 with Zoë Müller (deal 3 Zebra pilot)\n"
    )
    assert rows(db_path, "SELECT id, deal_id FROM interactions") == [(1, 3)]
    assert rows(db_path, "SELECT last_activity_at FROM deals WHERE id = 3") == [
        ("2026-11-25T10:00:00Z",)
    ]
    # Planned (in the future) is not activity yet; an older one does not move it back.
    ok(cli("log", "zoe", "Next call", "--deal", "3", "--at", "2026-12-01", now=LATER))
    ok(cli("log", "zoe", "Earlier call", "--deal", "3", "--at", "2026-11-24", now=LATER))
    assert rows(db_path, "SELECT last_activity_at FROM deals WHERE id = 3") == [
        ("2026-11-25T10:00:00Z",)
    ]
    assert rows(db_path, "SELECT count(*) FROM interactions WHERE deal_id = 3") == [(3,)]
    assert ok(cli("deal", "show", "3", now=LATER)).endswith("interactions: 3\n" + "".join(
        f"{at}\t{kind}\tZoë Müller\t{text}\n"
        for at, kind, text in (
            ("2026-12-01T00:00:00Z", "note", "Next call"),
            ("2026-11-25T10:00:00Z", "call", "Pilot call"),
            ("2026-11-24T00:00:00Z", "note", "Earlier call"),
        )
    ))  # fmt: skip


def test_log_with_an_unknown_deal_logs_nothing(cli, db_path, deals):
    before = dump(db_path)
    assert error(cli("log", "ada", "Call", "--deal", "nosuch")) == (
        'pcrm: error: no deal matches "nosuch" (see: pcrm deal list --status all)\n'
    )
    assert dump(db_path) == before


def test_search_index_follows_tags_company_names_and_removal(cli, deals):
    def found(*words: str) -> list[str]:
        out = ok(cli("search", *words, "--kind", "deal"))
        return [line.split("\t")[2] for line in out.splitlines()]

    assert found("vip") == ["20 seats"]
    ok(cli("deal", "edit", "1", "--untag", "vip", "--tag", "renewal"))
    assert found("vip") == []
    assert found("renewal") == ["20 seats"]
    ok(cli("company", "edit", "analytical", "--name", "Difference Works"))
    assert found("difference") == ["20 seats"]
    assert found("analytical") == []
    ok(cli("deal", "lost", "support", "--reason", "went with a rival"))
    assert found("rival") == ["Support plan"]
    ok(cli("company", "rm", "zebra labs", "--yes"))
    assert found("zebra") == ["Zebra pilot"]
    ok(cli("deal", "rm", "1", "--yes"))
    assert found("renewal") == []
