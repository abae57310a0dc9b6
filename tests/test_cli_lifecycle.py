"""Lifecycle stages: `pcrm lifecycle list|add|rm`, `pcrm contact|company stage`, the history
on show and timeline, and a won deal making its people customers."""

from __future__ import annotations

import json
import sqlite3

import pytest

from conftest import dump


def ok(result) -> str:
    assert result.exit_code == 0, (result.stdout, result.stderr, result.exception)
    assert result.stderr == ""
    return result.stdout


def error(result) -> str:
    assert result.exit_code == 1, (result.stdout, result.stderr, result.exception)
    assert result.stdout == ""
    return result.stderr


def history(db_path) -> list[tuple]:
    conn = sqlite3.connect(db_path)
    try:
        return conn.execute(
            "SELECT contact_id, company_id, at, from_stage, to_stage, reason"
            " FROM lifecycle_history ORDER BY id"
        ).fetchall()
    finally:
        conn.close()


@pytest.fixture
def ada(cli):
    ok(cli("contact", "add", "Ada Lovelace", "--company", "Analytical", "--source", "referral"))


def test_stages_forward_backward_and_to_an_exit_are_all_recorded(cli, db_path, ada):
    assert ok(cli("contact", "stage", "ada", "lead", "--at", "2026-11-01 09:00")) == (
        "contact 1 Ada Lovelace: lead\n"
    )
    assert ok(cli("contact", "stage", "ada", "MQL", "-r", "asked for pricing")) == (
        "contact 1 Ada Lovelace: lead → mql\n"
    )
    assert ok(cli("contact", "stage", "ada", "pro", "--reason", "budget frozen")) == (
        "contact 1 Ada Lovelace: mql → prospect\n"
    )
    assert ok(cli("contact", "stage", "ada", "disqualified")) == (
        "contact 1 Ada Lovelace: prospect → disqualified\n"
    )
    assert history(db_path) == [
        (1, None, "2026-11-01T09:00:00Z", None, "lead", None),
        (1, None, "2026-11-23T10:00:00Z", "lead", "mql", "asked for pricing"),
        (1, None, "2026-11-23T10:00:00Z", "mql", "prospect", "budget frozen"),
        (1, None, "2026-11-23T10:00:00Z", "prospect", "disqualified", None),
    ]
    contact = json.loads(ok(cli("contact", "show", "ada", "--json")))
    assert contact["contact"]["lifecycle_stage"] == "disqualified"
    assert [(c["from_stage"], c["to_stage"], c["reason"]) for c in contact["lifecycle"]] == [
        ("prospect", "disqualified", None),
        ("mql", "prospect", "budget frozen"),
        ("lead", "mql", "asked for pricing"),
        (None, "lead", None),
    ]
    assert contact["lifecycle"][0]["subject"] == {
        "kind": "contact",
        "id": 1,
        "name": "Ada Lovelace",
    }


def test_the_same_stage_again_records_nothing(cli, db_path, ada):
    ok(cli("contact", "stage", "ada", "lead"))
    before = dump(db_path)
    assert ok(cli("contact", "stage", "ada", "Lead", "-r", "again")) == (
        "contact 1 Ada Lovelace is already at lead\n"
    )
    assert dump(db_path) == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("stage", "ada", "customr"),
            'pcrm: error: unknown lifecycle stage "customr" (stages: lead, prospect, mql, sql,'
            " opportunity, customer; exits: disqualified, churned)\n",
        ),
        (
            ("stage", "ada", "  "),
            "pcrm: error: no lifecycle stage given (stages: lead, prospect, mql, sql,"
            " opportunity, customer; exits: disqualified, churned)\n",
        ),
        (
            ("stage", "ada", "mql", "--at", "blorp"),
            'pcrm: error: cannot understand date "blorp" (try 2024-03-12, tomorrow, fri,'
            ' +3d, "in 2 weeks")\n',
        ),
        (
            ("stage", "ada", "mql", "--at", "tomorrow"),
            "pcrm: error: a stage change cannot be in the future (give a past --at, or none"
            " for now)\n",
        ),
        (
            ("stage", "ada", "mql", "--at", "2026-10-01"),
            "pcrm: error: contact 1 last changed stage on 2026-11-01 09:00 (--at must not be"
            " earlier than that)\n",
        ),
        (
            ("stage", "nobody", "mql"),
            'pcrm: error: no contact matches "nobody" (try: pcrm search nobody)\n',
        ),
    ],
)
def test_bad_input_changes_nothing(cli, db_path, ada, args, message):
    ok(cli("contact", "stage", "ada", "lead", "--at", "2026-11-01 09:00"))
    before = dump(db_path)
    assert error(cli("contact", *args)) == message
    assert dump(db_path) == before


def test_a_prefix_matching_two_stages_is_refused(cli, db_path, ada):
    ok(cli("lifecycle", "add", "cold", "--exit"))
    before = dump(db_path)
    result = cli("contact", "stage", "ada", "c")
    assert error(result).splitlines() == [
        'pcrm: error: "c" matches 3 lifecycle stages (type more of the name)',
        "  customer",
        "  churned",
        "  cold",
    ]
    assert dump(db_path) == before


def test_stage_on_a_missing_database_creates_nothing(cli, db_path):
    assert error(cli("contact", "stage", "ada", "lead")).startswith("pcrm: error: ")
    assert not db_path.exists()


def test_company_stage_and_its_timeline(cli, db_path, ada):
    ok(cli("contact", "stage", "ada", "lead", "--at", "2026-11-20 10:00", "-r", "met at a fair"))
    assert ok(cli("company", "stage", "analytical", "prospect", "--at", "2026-11-21 10:00")) == (
        "company 1 Analytical: prospect\n"
    )
    assert history(db_path)[-1] == (None, 1, "2026-11-21T10:00:00Z", None, "prospect", None)
    assert ok(cli("timeline", "analytical")).splitlines() == [
        "2026-11-23T10:00:00Z\tadded\tcontact Ada Lovelace added\t",
        "2026-11-23T10:00:00Z\tadded\tcompany Analytical added\t",
        "2026-11-21T10:00:00Z\tlifecycle\tstage set to prospect\t",
        "2026-11-20T10:00:00Z\tlifecycle\tAda Lovelace: stage set to lead\tmet at a fair",
    ]
    shown = ok(cli("company", "show", "analytical"))
    assert "stage: prospect\n" in shown
    assert "stage change: 2026-11-21T10:00:00Z\t\tprospect\t\n" in shown


def test_contact_timeline_and_show_list_every_change(cli, ada):
    ok(cli("contact", "stage", "ada", "lead", "--at", "2026-11-20 10:00"))
    ok(cli("contact", "stage", "ada", "sql", "--at", "2026-11-22 10:00", "-r", "has budget"))
    assert ok(cli("timeline", "ada")).splitlines() == [
        "2026-11-23T10:00:00Z\tadded\tcontact Ada Lovelace added\t",
        "2026-11-22T10:00:00Z\tlifecycle\tstage lead → sql\thas budget",
        "2026-11-20T10:00:00Z\tlifecycle\tstage set to lead\t",
    ]
    lines = ok(cli("contact", "show", "ada")).splitlines()
    assert "stage: sql" in lines
    assert lines[-2:] == [
        "stage change: 2026-11-22T10:00:00Z\tlead\tsql\thas budget",
        "stage change: 2026-11-20T10:00:00Z\t\tlead\t",
    ]
    drawn = ok(cli("contact", "show", "ada", terminal=True, width=80))
    assert [line.rstrip() for line in drawn.splitlines()[-3:]] == [
        "Lifecycle",
        "  yesterday   lead → sql  has budget",
        "  3 days ago  lead",
    ]


def test_winning_a_deal_makes_its_contacts_and_company_customers(cli, db_path, ada):
    ok(cli("contact", "add", "Charles Babbage", "--company", "Analytical"))
    ok(cli("contact", "add", "Zoë"))
    ok(cli("contact", "stage", "ada", "opportunity", "--at", "2026-11-20 10:00"))
    ok(cli("contact", "stage", "zoe", "customer", "--at", "2026-11-20 10:00"))
    ok(cli("deal", "add", "Engine", "--value", "12k", "--contact", "ada", "--contact", "charles"))
    ok(cli("deal", "edit", "Engine", "--contact", "zoe"))
    assert ok(cli("deal", "won", "engine")).splitlines() == [
        "won deal 1 Engine: €12,000.00",
        "contact 1 Ada Lovelace: opportunity → customer",
        "contact 2 Charles Babbage: customer",
        "company 1 Analytical: customer",
    ]
    assert history(db_path)[2:] == [
        (1, None, "2026-11-23T10:00:00Z", "opportunity", "customer", "deal won: Engine"),
        (2, None, "2026-11-23T10:00:00Z", None, "customer", "deal won: Engine"),
        (None, 1, "2026-11-23T10:00:00Z", None, "customer", "deal won: Engine"),
    ]
    # At the same second, the change is listed above (after) the win that caused it.
    timeline = ok(cli("timeline", "ada")).splitlines()
    assert timeline[0] == (
        "2026-11-23T10:00:00Z\tlifecycle\tstage opportunity → customer\tdeal won: Engine"
    )
    assert timeline.index('2026-11-23T10:00:00Z\tdeal\t"Engine" won\t') > 0


def test_the_setting_off_leaves_stages_alone(cli, db_path, ada):
    ok(cli("config", "set", "lifecycle.customer_on_win", "OFF"))
    assert ok(cli("config", "get", "lifecycle.customer_on_win")) == "off\n"
    ok(cli("deal", "add", "Engine", "--contact", "ada"))
    assert ok(cli("deal", "won", "engine")) == "won deal 1 Engine: €0.00\n"
    assert history(db_path) == []
    assert error(cli("config", "set", "lifecycle.customer_on_win", "maybe")) == (
        'pcrm: error: expected on or off, not "maybe" (on or off)\n'
    )


def test_lifecycle_list_add_and_rm(cli, db_path, ada):
    ok(cli("contact", "stage", "ada", "mql"))
    ok(cli("company", "stage", "analytical", "mql"))
    assert ok(cli("lifecycle", "add", "evangelist", "--after", "customer")) == (
        "added lifecycle stage evangelist\n"
    )
    assert ok(cli("lifecycle", "add", "Nurture", "--after", "lead")) == (
        "added lifecycle stage Nurture\n"
    )
    assert ok(cli("lifecycle", "add", "unreachable", "--exit")) == (
        "added lifecycle exit unreachable\n"
    )
    assert ok(cli("lifecycle", "list")).splitlines() == [
        "1\tlead\t0\t0",
        "2\tNurture\t0\t0",
        "3\tprospect\t0\t0",
        "4\tmql\t1\t1",
        "5\tsql\t0\t0",
        "6\topportunity\t0\t0",
        "7\tcustomer\t0\t0",
        "8\tevangelist\t0\t0",
        "exit\tdisqualified\t0\t0",
        "exit\tchurned\t0\t0",
        "exit\tunreachable\t0\t0",
    ]
    listed = json.loads(ok(cli("lifecycle", "list", "--json")))
    assert listed[3] == {
        "name": "mql",
        "position": 4,
        "is_exit": False,
        "contacts": 1,
        "companies": 1,
    }
    assert ok(cli("lifecycle", "rm", "nurt")) == "removed lifecycle stage Nurture\n"
    assert ok(cli("lifecycle", "list")).splitlines()[:2] == ["1\tlead\t0\t0", "2\tprospect\t0\t0"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("rm", "mql"), '1 contact and 1 company are at "mql"'),
        (("rm", "customer"), "the customer stage cannot be removed"),
        (("rm", "zzz"), 'unknown lifecycle stage "zzz"'),
        (("add", "MQL"), 'there already is a lifecycle stage "MQL"'),
        (("add", "x", "--after", "churned"), '"churned" is an exit'),
        (("add", "x", "--exit", "--after", "lead"), "an exit has no place in the funnel"),
        (("add", " "), "the stage name cannot be empty"),
    ],
)
def test_lifecycle_changes_that_are_refused(cli, db_path, ada, args, message):
    ok(cli("contact", "stage", "ada", "mql"))
    ok(cli("company", "stage", "analytical", "mql"))
    before = dump(db_path)
    assert error(cli("lifecycle", *args)).startswith(f"pcrm: error: {message}")
    assert dump(db_path) == before


def test_removing_a_contact_removes_its_history(cli, db_path, ada):
    ok(cli("contact", "stage", "ada", "lead"))
    ok(cli("contact", "rm", "ada", "--yes"))
    assert history(db_path) == []


def test_untrusted_reason_is_shown_cleanly(cli, ada):
    ok(cli("contact", "stage", "ada", "lead", "-r", "[bold]x[/bold]\x1b[31m red"))
    drawn = ok(cli("timeline", "ada", terminal=True, width=100))
    assert "[bold]x[/bold]" in drawn
    assert "\x1b[31m red" not in drawn


def test_contact_list_by_stage(cli, db_path, ada):
    ok(cli("contact", "add", "Bob"))
    ok(cli("contact", "add", "Cy"))
    ok(cli("contact", "stage", "ada", "mql"))
    ok(cli("contact", "stage", "cy", "MQL"))
    ok(cli("contact", "stage", "bob", "lead"))
    listed = ok(cli("contact", "list", "--stage", "mq"))
    assert [line.split("\t")[1] for line in listed.splitlines()] == ["Ada Lovelace", "Cy"]
    assert ok(cli("contact", "list", "--stage", "churned")) == ""
    before = dump(db_path)
    assert error(cli("contact", "list", "--stage", "nope")).startswith(
        'pcrm: error: unknown lifecycle stage "nope" (stages: lead,'
    )
    assert dump(db_path) == before
