"""`pcrm stage list|add|edit|rm|move` through the command line."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from conftest import dump, error, ok

SALES = "Qualified, Contact made, Demo, Proposal, Negotiation"


def stages(db_path: Path, pipeline_id: int = 1) -> list[tuple]:
    conn = sqlite3.connect(db_path)
    try:
        return conn.execute(
            "SELECT position, name, probability, rot_days FROM stages WHERE pipeline_id = ?"
            " ORDER BY position",
            [pipeline_id],
        ).fetchall()
    finally:
        conn.close()


@pytest.fixture
def crm(cli):
    ok(cli("deal", "add", "Seats", "--stage", "demo"))
    ok(cli("deal", "add", "Licences", "--stage", "demo"))
    ok(cli("deal", "add", "Old one", "--stage", "proposal"))
    ok(cli("deal", "lost", "old one", "--reason", "price"))


# -- list --------------------------------------------------------------------------------


def test_list_plain(cli, crm):
    assert ok(cli("stage", "list")).splitlines() == [
        "1\tQualified\t10\t30\t0",
        "2\tContact made\t20\t21\t0",
        "3\tDemo\t40\t14\t2",
        "4\tProposal\t60\t14\t0",  # a lost deal is not an open one
        "5\tNegotiation\t80\t21\t0",
    ]


def test_list_on_a_terminal(cli, crm):
    out = ok(cli("stage", "list", terminal=True, width=80))
    assert "\x1b" not in out
    assert [line.rstrip() for line in out.splitlines()] == [
        "Sales  default pipeline",
        "",
        "#  Stage         Win %  Stale after  Open deals",
        "1  Qualified       10%      30 days           0",
        "2  Contact made    20%      21 days           0",
        "3  Demo            40%      14 days           2",
        "4  Proposal        60%      14 days           0",
        "5  Negotiation     80%      21 days           0",
    ]


def test_list_json_and_another_pipeline(cli, crm):
    ok(cli("pipeline", "add", "Partners", "--stage", "Intro", "--stage", "Signed"))
    listed = json.loads(ok(cli("stage", "list", "--pipeline", "partners", "--json")))
    assert [{k: v for k, v in s.items() if k != "uid"} for s in listed] == [
        {
            "id": 6,
            "pipeline_id": 2,
            "name": "Intro",
            "position": 1,
            "probability": 33,
            "rot_days": None,
            "open_deals": 0,
        },
        {
            "id": 7,
            "pipeline_id": 2,
            "name": "Signed",
            "position": 2,
            "probability": 67,
            "rot_days": None,
            "open_deals": 0,
        },
    ]
    assert ok(cli("stage", "list", "--pipeline", "partners")).splitlines() == [
        "1\tIntro\t33\t\t0",
        "2\tSigned\t67\t\t0",
    ]
    assert error(cli("stage", "list", "--pipeline", "x")) == (
        'pcrm: error: no pipeline "x" (pipelines: Partners, Sales)\n'
    )


def test_list_on_a_missing_database_does_not_create_it(cli, db_path):
    assert error(cli("stage", "list")).startswith("pcrm: error: no database at ")
    assert not db_path.exists()


# -- add ---------------------------------------------------------------------------------


def test_add_last_or_after_a_stage(cli, db_path, crm):
    assert ok(cli("stage", "add", "Signed", "--probability", "95%")) == (
        "added stage Signed at position 6\n"
        "Sales: 1 Qualified, 2 Contact made, 3 Demo, 4 Proposal, 5 Negotiation, 6 Signed\n"
    )
    added = cli("stage", "add", "  Discovery  call ", "-p", "15", "--rot", "7d", "--after", "qual")
    assert ok(added) == (
        "added stage Discovery call at position 2\n"
        "Sales: 1 Qualified, 2 Discovery call, 3 Contact made, 4 Demo, 5 Proposal,"
        " 6 Negotiation, 7 Signed\n"
    )
    assert stages(db_path)[:3] == [
        (1, "Qualified", 10, 30),
        (2, "Discovery call", 15, 7),
        (3, "Contact made", 20, 21),
    ]
    assert stages(db_path)[-1] == (7, "Signed", 95, None)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("Demo", "-p", "50"), 'the pipeline already has a stage "Demo" (choose another name)'),
        (("démo", "-p", "50"), 'the pipeline already has a stage "Demo" (choose another name)'),
        (("X", "-p", "101"), 'the probability must be 0 to 100, not "101" (e.g. 40 or 40%)'),
        (("X", "-p", "-1"), 'the probability must be 0 to 100, not "-1" (e.g. 40 or 40%)'),
        (("X", "-p", "half"), 'the probability must be 0 to 100, not "half" (e.g. 40 or 40%)'),
        (
            ("X", "-p", "50", "--rot", "soon"),
            'the rotting limit must be a number of days, not "soon" (e.g. 14, or 0 for none)',
        ),
        (
            ("X", "-p", "50", "--after", "nope"),
            f'no stage "nope" in pipeline Sales (stages of Sales: {SALES})',
        ),
        (("X", "-p", "50", "--pipeline", "nope"), 'no pipeline "nope" (pipelines: Sales)'),
        (("  ", "-p", "50"), "the stage name cannot be empty (give a stage name)"),
    ],
)
def test_add_refuses_bad_input(cli, db_path, crm, args, message):
    before = dump(db_path)
    assert error(cli("stage", "add", *args)) == f"pcrm: error: {message}\n"
    assert dump(db_path) == before


def test_add_needs_a_probability(cli, crm):
    result = cli("stage", "add", "Signed")
    assert result.exit_code == 2
    assert "Missing option '--probability'" in result.stderr


# -- edit --------------------------------------------------------------------------------


def test_edit(cli, db_path, crm):
    assert ok(cli("stage", "edit", "demo", "--name", "Demo done", "-p", "45", "--rot", "10")) == (
        "updated stage Demo done: 45%, stale after 10 days\n"
    )
    assert ok(cli("stage", "edit", "3", "--rot", "0")) == (
        "updated stage Demo done: 45%, never stale\n"
    )
    assert stages(db_path)[2] == (3, "Demo done", 45, None)
    # Its deals stay in it.
    assert ok(cli("deal", "list", "--stage", "demo d")).count("\tDemo done\t") == 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("demo",), "nothing to change (give --name, --probability or --rot (see --help))"),
        (
            ("demo", "--name", "QUALIFIED"),
            'the pipeline already has a stage "Qualified" (choose another name)',
        ),
        (("demo", "-p", "200"), 'the probability must be 0 to 100, not "200" (e.g. 40 or 40%)'),
        (
            ("9", "-p", "20"),
            f"pipeline Sales has no stage 9 (positions 1 to 5; stages of Sales: {SALES})",
        ),
        (("o", "-p", "20"), f'no stage "o" in pipeline Sales (stages of Sales: {SALES})'),
    ],
)
def test_edit_refuses_bad_input(cli, db_path, crm, args, message):
    before = dump(db_path)
    assert error(cli("stage", "edit", *args)) == f"pcrm: error: {message}\n"
    assert dump(db_path) == before


# -- rm ----------------------------------------------------------------------------------


def test_rm_an_empty_stage(cli, db_path, crm):
    assert ok(cli("stage", "rm", "contact")) == (
        "removed stage Contact made\nSales: 1 Qualified, 2 Demo, 3 Proposal, 4 Negotiation\n"
    )
    assert [row[:2] for row in stages(db_path)] == [
        (1, "Qualified"),
        (2, "Demo"),
        (3, "Proposal"),
        (4, "Negotiation"),
    ]


def test_rm_a_stage_with_deals_needs_somewhere_to_put_them(cli, db_path, crm):
    before = dump(db_path)
    assert error(cli("stage", "rm", "demo")) == (
        'pcrm: error: stage "Demo" holds 2 deals (say where they go with --to STAGE)\n'
    )
    assert error(cli("stage", "rm", "proposal")) == (
        'pcrm: error: stage "Proposal" holds 1 closed deal (say where they go with --to STAGE)\n'
    )
    assert error(cli("stage", "rm", "demo", "--to", "demo")) == (
        'pcrm: error: cannot move the deals of "Demo" into itself\n'
    )
    assert error(cli("stage", "rm", "demo", "--to", "won")).startswith(
        'pcrm: error: no stage "won" in pipeline Sales'
    )
    assert dump(db_path) == before
    assert ok(cli("stage", "rm", "demo", "--to", "5")) == (
        "removed stage Demo; moved 2 deals to Negotiation\n"
        "Sales: 1 Qualified, 2 Contact made, 3 Proposal, 4 Negotiation\n"
    )
    assert ok(cli("deal", "list")).count("\tNegotiation\t") == 2


def test_the_last_stage_of_a_pipeline_stays(cli, db_path):
    ok(cli("pipeline", "add", "Tiny", "--stage", "Only"))
    before = dump(db_path)
    assert error(cli("stage", "rm", "only", "--pipeline", "tiny")) == (
        'pcrm: error: "Only" is the only stage of its pipeline (add another stage first)\n'
    )
    assert dump(db_path) == before


# -- move --------------------------------------------------------------------------------


def test_move(cli, db_path, crm):
    assert ok(cli("stage", "move", "negotiation", "1")) == (
        "Sales: 1 Negotiation, 2 Qualified, 3 Contact made, 4 Demo, 5 Proposal\n"
    )
    assert ok(cli("stage", "move", "1", "5")) == (
        "Sales: 1 Qualified, 2 Contact made, 3 Demo, 4 Proposal, 5 Negotiation\n"
    )
    assert ok(cli("stage", "move", "demo", "3")) == (
        "Sales: 1 Qualified, 2 Contact made, 3 Demo, 4 Proposal, 5 Negotiation\n"
    )
    # Positions are what deals and boards go by: a deal in Demo is still in Demo.
    ok(cli("stage", "move", "demo", "1"))
    assert ok(cli("deal", "move", "seats", "1")) == "deal 1 Seats is already in Demo\n"


def test_move_refuses_positions_out_of_range(cli, db_path, crm):
    before = dump(db_path)
    assert error(cli("stage", "move", "demo", "6")) == (
        "pcrm: error: the position must be 1 to 5, not 6 (1 is the first stage)\n"
    )
    assert error(cli("stage", "move", "demo", "0")) == (
        "pcrm: error: the position must be 1 to 5, not 0 (1 is the first stage)\n"
    )
    assert dump(db_path) == before
    assert cli("stage", "move", "demo", "first").exit_code == 2
