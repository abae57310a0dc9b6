"""`pcrm score`, `pcrm score rules`, `pcrm score rule add|rm` and `contact list --sort score`
over a small, fully known history (now: Mon 2026-11-23 10:00 UTC)."""

from __future__ import annotations

import json
import shutil
import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest

from conftest import NOW, dump, error, ok, runner_for
from pcrm.core.people.scoring import explain_score, rank_contacts
from pcrm.store.db import open_db

LONG_AGO = NOW - timedelta(days=200)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Ada (added 200 days ago): vip, co-founder at Analytical Engines, from a referral;
    calls 3 and 22 days ago, an email 114 days ago and one planned in 8 days.
    Bob (200 days ago): an engineer at Babbage Ltd; one email 175 days ago.
    Zoë (added now): a Gründerin from an event, tagged lead, never contacted.
    Cleo (200 days ago): never contacted.

    Built once per module and copied for each test (the CLI is slow on a busy machine)."""
    path = tmp_path_factory.mktemp("score") / "people.db"

    run = runner_for(path)

    run(
        "contact", "add", "Ada Lovelace", "-e", "ada@example.org", "-c", "Analytical Engines",
        "-t", "vip", "--title", "Co-Founder & CTO", "--source", "Referral", now=LONG_AGO,
    )  # fmt: skip
    run("contact", "add", "Bob Brown", "-c", "Babbage Ltd", "--title", "Engineer", now=LONG_AGO)
    run("contact", "add", "Zoë Zed", "--title", "Gründerin", "--source", "event", "-t", "lead")
    run("contact", "add", "Cleo Old", now=LONG_AGO)
    for ref, kind, day in (
        ("ada", "call", "2026-11-20"),
        ("ada", "call", "2026-11-01"),
        ("ada", "email", "2026-08-01"),
        ("ada", "email", "2026-12-01"),
        ("bob", "email", "2026-06-01"),
    ):
        run("log", ref, f"{kind} on {day}", "--kind", kind, "--at", day)
    return path


@pytest.fixture
def people(template: Path, db_path: Path) -> None:
    db_path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    shutil.copyfile(template, db_path)


def scores(cli) -> dict[str, int]:
    return {row["name"]: row["score"] for row in json.loads(ok(cli("score", "--json")))}


def add(cli, rule: str) -> str:
    return ok(cli("score", "rule", "add", rule))


RULES_AND_POINTS = [
    ("+10 tag:vip", {"Ada Lovelace": 10}),
    ("+3 tag:#VIP", {"Ada Lovelace": 3}),
    ("+7 tag:nobody-has-it", {}),
    ('+10 company:"analytical ENGINES"', {"Ada Lovelace": 10}),
    ("+5 source:referral", {"Ada Lovelace": 5}),
    ("+2 source:EVENT", {"Zoë Zed": 2}),
    ("+15 title contains founder", {"Ada Lovelace": 15}),
    ('+15 title contains "GRÜNDER"', {"Zoë Zed": 15}),
    ("+8 title contains grunderin", {"Zoë Zed": 8}),
    # The planned email of Dec 1 has not happened: it does not count.
    ("+5 per interaction in the last 30 days", {"Ada Lovelace": 10}),
    ("+5 per interaction in the last 30 days max 5", {"Ada Lovelace": 5}),
    ("+1 per interaction in the last 200 days", {"Ada Lovelace": 3, "Bob Brown": 1}),
    ("+4 per call in the last 365 days", {"Ada Lovelace": 8}),
    ("-3 per email in the last 365 days max 4", {"Ada Lovelace": -3, "Bob Brown": -3}),
    # Zoë was added today: she has not been neglected for 90 days.
    ("-20 no interaction for 90 days", {"Bob Brown": -20, "Cleo Old": -20}),
    ("-7 no call for 10 days", {"Bob Brown": -7, "Cleo Old": -7}),
    ("-1 no call for 2 days", {"Ada Lovelace": -1, "Bob Brown": -1, "Cleo Old": -1}),
]


@pytest.mark.parametrize(("rule", "expected"), RULES_AND_POINTS)
def test_each_kind_of_rule_gives_exact_points(cli, people, rule, expected):
    add(cli, rule)
    names = ["Ada Lovelace", "Bob Brown", "Zoë Zed", "Cleo Old"]
    assert scores(cli) == {name: expected.get(name, 0) for name in names}


def test_the_ranking_and_every_explanation_agree(cli, db_path, people):
    """The ranking sums all rules in one statement; an explanation runs each rule for one
    contact: the two must give every contact the same score, the sum of its rules."""
    added = [
        points
        for rule, points in RULES_AND_POINTS
        if cli("score", "rule", "add", rule).exit_code == 0
    ]
    # "+3 tag:#VIP" is "+10 tag:vip" again, and a cap does not make a new condition.
    assert len(added) == len(RULES_AND_POINTS) - 2
    db = open_db(db_path, create=False)
    try:
        ranking = rank_contacts(db, NOW)
        assert len(ranking.contacts) == 4
        expected = {
            name: sum(points.get(name, 0) for points in added)
            for name in ("Ada Lovelace", "Bob Brown", "Zoë Zed", "Cleo Old")
        }
        assert {c.name: c.score for c in ranking.contacts} == expected
        for contact in ranking.contacts:
            explained = explain_score(db, NOW, contact.id)
            assert len(explained.rules) == len(added)
            assert explained.score == sum(outcome.points for outcome in explained.rules)
            assert explained.score == contact.score
    finally:
        db.close()


def test_rules_add_up_and_rank_contacts_ties_by_name(cli, people):
    for rule in (
        "+10 tag:vip",
        "+5 per interaction in the last 30 days max 25",
        "-20 no interaction for 90 days",
        "+15 title contains founder",
        "+2 source:event",
    ):
        add(cli, rule)
    assert ok(cli("score")) == (
        "1\tAda Lovelace\t35\n3\tZoë Zed\t2\n2\tBob Brown\t-20\n4\tCleo Old\t-20\n"
    )
    assert json.loads(ok(cli("score", "--json", "--limit", "2"))) == [
        {"id": 1, "name": "Ada Lovelace", "score": 35},
        {"id": 3, "name": "Zoë Zed", "score": 2},
    ]
    limited = cli("score", "-n", "1")
    assert ok(limited) == "1\tAda Lovelace\t35\n"
    assert limited.stderr == "showing 1 of 4 (use --limit 0 for all)\n"
    listed = ok(cli("contact", "list", "--sort", "score"))
    assert [line.split("\t")[1] for line in listed.splitlines()] == [
        "Ada Lovelace",
        "Zoë Zed",
        "Bob Brown",
        "Cleo Old",
    ]
    tagged = ok(cli("contact", "list", "--sort", "score", "--tag", "lead"))
    assert [line.split("\t")[1] for line in tagged.splitlines()] == ["Zoë Zed"]


def test_a_score_is_explained_rule_by_rule(cli, people):
    add(cli, "+10 tag:vip")
    add(cli, "+5 per interaction in the last 30 days max 25")
    add(cli, "-20 no interaction for 90 days")
    add(cli, '+15 title contains "founder"')
    add(cli, '+10 company:"babbage LTD"')
    assert ok(cli("score", "ada")) == (
        "contact 1: Ada Lovelace\n"
        "score: 35\n"
        "1\t+10\tyes\t+10 tag:vip\t\n"
        "2\t+10\tyes\t+5 per interaction in the last 30 days max 25\t2 interactions\n"
        "3\t0\tno\t-20 no interaction for 90 days\t\n"
        "4\t+15\tyes\t+15 title contains founder\tCo-Founder & CTO\n"
        '5\t0\tno\t+10 company:"babbage LTD"\t\n'
    )
    assert ok(cli("score", "show", "bob")).splitlines()[1:5] == [
        "score: -10",
        "1\t0\tno\t+10 tag:vip\t",
        "2\t0\tno\t+5 per interaction in the last 30 days max 25\t",
        "3\t-20\tyes\t-20 no interaction for 90 days\tlast interaction 2026-06-01",
    ]
    assert ok(cli("score", "show", "bob")).splitlines()[-1] == (
        '5\t+10\tyes\t+10 company:"babbage LTD"\tBabbage Ltd'
    )
    assert ok(cli("score", "cleo")).splitlines()[4] == (
        "3\t-20\tyes\t-20 no interaction for 90 days\tno interaction yet"
    )
    explained = json.loads(ok(cli("score", "ada@example.org", "--json")))
    assert explained["contact"] == {"kind": "contact", "id": 1, "name": "Ada Lovelace"}
    assert explained["score"] == 35
    assert explained["rules"][1] == {
        "id": 2,
        "rule": "+5 per interaction in the last 30 days max 25",
        "matched": True,
        "points": 10,
        "detail": "2 interactions",
    }
    assert explained["rules"][2] == {
        "id": 3,
        "rule": "-20 no interaction for 90 days",
        "matched": False,
        "points": 0,
        "detail": None,
    }


def test_the_explanation_on_a_terminal(cli, people):
    add(cli, "+10 tag:vip")
    add(cli, "+5 per interaction in the last 30 days max 25")
    add(cli, "-20 no interaction for 90 days")
    lines = [
        line.rstrip() for line in ok(cli("score", "ada", terminal=True, width=80)).splitlines()
    ]
    assert lines == [
        "Ada Lovelace  contact 1  score 20",
        "N  Rule                                           Points  Why",
        "1  +10 tag:vip                                       +10",
        "2  +5 per interaction in the last 30 days max 25     +10  2 interactions",
        "3  -20 no interaction for 90 days                      0  no match",
    ]
    ranking = [line.rstrip() for line in ok(cli("score", terminal=True)).splitlines()]
    assert ranking == [
        "ID  Name          Score",
        " 1  Ada Lovelace     20",
        " 3  Zoë Zed           0",
        " 2  Bob Brown       -20",
        " 4  Cleo Old        -20",
    ]
    assert ok(cli("score", "rules", terminal=True)).splitlines()[1].rstrip() == "1  +10 tag:vip"


def test_rules_are_listed_numbered_and_numbers_are_never_reused(cli, db_path, people):
    assert add(cli, "+10   TAG:vip") == "added rule 1: +10 tag:vip\n"
    assert add(cli, "+1 per call in the last 7 days") == (
        "added rule 2: +1 per call in the last 7 days\n"
    )
    # A rule that starts with a minus is a rule, not an option, quoted or not.
    assert ok(cli("score", "rule", "add", "-20", "no", "interaction", "for", "90", "days")) == (
        "added rule 3: -20 no interaction for 90 days\n"
    )
    assert ok(cli("score", "rules")) == (
        "1\t+10 tag:vip\n2\t+1 per call in the last 7 days\n3\t-20 no interaction for 90 days\n"
    )
    assert ok(cli("score", "rule", "rm", "3")) == (
        "removed rule 3: -20 no interaction for 90 days\n"
    )
    assert add(cli, "-5 no email for 30 days") == "added rule 4: -5 no email for 30 days\n"
    rules = json.loads(ok(cli("score", "rules", "--json")))
    assert [(rule["id"], rule["rule"], rule["points"]) for rule in rules] == [
        (1, "+10 tag:vip", 10),
        (2, "+1 per call in the last 7 days", 1),
        (4, "-5 no email for 30 days", -5),
    ]
    assert rules[0]["created_at"] == "2026-11-23T10:00:00Z"
    conn = sqlite3.connect(db_path)
    try:
        assert conn.execute("SELECT id, rule FROM score_rules ORDER BY id").fetchall() == [
            (1, "+10 tag:vip"),
            (2, "+1 per call in the last 7 days"),
            (4, "-5 no email for 30 days"),
        ]
    finally:
        conn.close()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("score", "rule", "add", "+10 tga:vip"),
            'pcrm: error: bad rule "+10 tga:vip": unknown condition "tga:vip" (conditions:'
            " tag:, company:, source:, stage:, field:, title contains, per, no;"
            " see docs/scoring.md)\n",
        ),
        (
            ("score", "rule", "add", "-20 no interaction for ninety days"),
            'pcrm: error: bad rule "-20 no interaction for ninety days": the number of days'
            ' must be a whole number from 1 to 36500, not "ninety"\n',
        ),
        (
            ("score", "rule", "add", "+5 tag:VIP"),
            'pcrm: error: rule 1 is already "+10 tag:vip"'
            " (to change its points, remove it first: pcrm score rule rm 1)\n",
        ),
        (
            ("score", "rule", "rm", "7"),
            "pcrm: error: no scoring rule 7 (see the numbers: pcrm score rules)\n",
        ),
        (
            ("score", "rule", "rm", "first"),
            'pcrm: error: "first" is not a rule number (see the numbers: pcrm score rules)\n',
        ),
        (
            ("score", "nobody"),
            'pcrm: error: no contact matches "nobody" (try: pcrm search nobody)\n',
        ),
    ],
)
def test_bad_input_is_one_error_line_and_changes_nothing(cli, db_path, people, args, message):
    add(cli, "+10 tag:vip")
    before = dump(db_path)
    assert error(cli(*args)) == message
    assert dump(db_path) == before


def test_a_bad_rule_does_not_create_the_database(cli, db_path):
    assert error(cli("score", "rule", "add", "+10 tag:")) == (
        'pcrm: error: bad rule "+10 tag:": a value after tag: is missing at the end\n'
    )
    assert error(cli("score", "rule", "rm", "1")).startswith("pcrm: error: no database at ")
    assert not db_path.exists()


def test_without_rules_every_score_is_zero(cli, people):
    listed = cli("score")
    assert ok(listed) == ""
    assert listed.stderr == 'no scoring rules yet (add one: pcrm score rule add "+10 tag:vip")\n'
    assert ok(cli("score", "--json")) == "[]\n"
    assert ok(cli("score", "rules")) == ""
    assert ok(cli("score", "rules", "--json")) == "[]\n"
    assert ok(cli("score", "rules", terminal=True)) == (
        'No scoring rules. Add one: pcrm score rule add "+10 tag:vip"\n'
    )
    assert ok(cli("score", "ada")) == "contact 1: Ada Lovelace\nscore: 0\n"
    assert json.loads(ok(cli("score", "ada", "--json")))["rules"] == []
    names = ok(cli("contact", "list", "--sort", "score"))
    assert [line.split("\t")[1] for line in names.splitlines()] == [
        "Ada Lovelace",
        "Bob Brown",
        "Cleo Old",
        "Zoë Zed",
    ]


def test_a_rule_edited_by_hand_into_nonsense_is_named(cli, db_path, people):
    add(cli, "+10 tag:vip")
    conn = sqlite3.connect(db_path)
    with conn:
        conn.execute("UPDATE score_rules SET rule = '+10 tag'")
    conn.close()
    assert error(cli("score")) == (
        'pcrm: error: scoring rule 1 is invalid: bad rule "+10 tag": unknown condition "tag"'
        " (remove it: pcrm score rule rm 1)\n"
    )
    assert ok(cli("score", "rule", "rm", "1")) == "removed rule 1: +10 tag\n"


def test_field_rules_compare_as_list_where_does(cli, people):
    ok(cli("field", "add", "budget", "--type", "number"))
    ok(cli("field", "add", "plan", "--type", "choice", "--choices", "free,pro"))
    ok(cli("contact", "edit", "ada", "--set", "budget=25000", "--set", "plan=pro"))
    ok(cli("contact", "edit", "bob", "--set", "budget=5000"))
    assert add(cli, "+10 field:budget > 1e4") == "added rule 1: +10 field:budget>1e4\n"
    assert add(cli, "+2 field:PLAN=Pro") == "added rule 2: +2 field:plan=Pro\n"
    assert add(cli, "-1 field:budget=") == "added rule 3: -1 field:budget=\n"
    assert scores(cli) == {"Ada Lovelace": 12, "Bob Brown": 0, "Zoë Zed": -1, "Cleo Old": -1}
    assert ok(cli("score", "ada")).splitlines()[1:] == [
        "score: 12",
        "1\t+10\tyes\t+10 field:budget>1e4\t25000",
        "2\t+2\tyes\t+2 field:plan=Pro\tpro",
        "3\t0\tno\t-1 field:budget=\t",
    ]
    assert ok(cli("contact", "list", "--sort", "score")).splitlines()[0].startswith("1\tAda")
    # The score's parameters and --where's go to the right placeholders.
    listed = ok(cli("contact", "list", "--sort", "score", "--where", "budget>1", "-t", "vip"))
    assert [line.split("\t")[1] for line in listed.splitlines()] == ["Ada Lovelace"]
    listed = ok(cli("contact", "list", "--sort", "score", "--where", "budget<10000"))
    assert [line.split("\t")[1] for line in listed.splitlines()] == ["Bob Brown"]


def test_stage_rules_score_the_current_lifecycle_stage(cli, db_path, people):
    ok(cli("contact", "stage", "ada", "sql"))
    ok(cli("contact", "stage", "bob", "sql"))
    ok(cli("contact", "stage", "bob", "disqualified", "--reason", "no budget"))
    assert add(cli, "+20 stage:SQL") == "added rule 1: +20 stage:sql\n"
    assert add(cli, "-50 stage:disq") == "added rule 2: -50 stage:disqualified\n"
    assert scores(cli) == {"Ada Lovelace": 20, "Bob Brown": -50, "Zoë Zed": 0, "Cleo Old": 0}
    assert ok(cli("score", "ada")).splitlines()[2] == "1\t+20\tyes\t+20 stage:sql\tsql"
    before = dump(db_path)
    assert error(cli("score", "rule", "add", "+1 stage:won")) == (
        'pcrm: error: unknown lifecycle stage "won" (stages: lead, prospect, mql, sql,'
        " opportunity, customer; exits: disqualified, churned)\n"
    )
    assert dump(db_path) == before


def test_a_field_rule_needs_its_field_and_a_value_it_takes(cli, db_path, people):
    ok(cli("field", "add", "budget", "--type", "number"))
    before = dump(db_path)
    assert error(cli("score", "rule", "add", "+1 field:budgt>5")) == (
        'pcrm: error: no contact field named "budgt" (contact fields: budget)\n'
    )
    assert error(cli("score", "rule", "add", "+1 field:budget>lots")) == (
        'pcrm: error: budget is a number field: "lots" is not a number'
        " (write e.g. 5000 or 12.5: a dot for decimals, no thousands separators)\n"
    )
    assert dump(db_path) == before


def test_a_rule_on_a_removed_field_matches_nobody_and_says_why(cli, people):
    ok(cli("field", "add", "budget", "--type", "number"))
    ok(cli("contact", "edit", "ada", "--set", "budget=25000"))
    add(cli, "+10 field:budget>10000")
    add(cli, "+1 tag:vip")
    ok(cli("field", "rm", "budget", "--force"))
    why = (
        'no contact field named "budget"'
        " (declare it first: pcrm field add budget --type text --on contact)"
    )
    listed = cli("score", "-n", "1")
    assert ok(listed) == "1\tAda Lovelace\t1\n"
    assert listed.stderr == (
        f"rule 1 matches nobody: {why}\nshowing 1 of 4 (use --limit 0 for all)\n"
    )
    assert ok(cli("score", "ada")).splitlines()[2] == f"1\t0\tno\t+10 field:budget>10000\t{why}"


def test_rule_text_is_shown_as_data_never_markup_or_control_characters(cli, people):
    assert add(cli, '+1 tag:"[bold]x\x1b[31m"') == "added rule 1: +1 tag:[bold]x\\x1b[31m\n"
    assert ok(cli("score", "rules")) == "1\t+1 tag:[bold]x\\x1b[31m\n"
    drawn = ok(cli("score", "rules", terminal=True, width=80))
    assert "\x1b" not in drawn
    assert drawn.splitlines()[1].rstrip() == "1  +1 tag:[bold]x\\x1b[31m"
    assert json.loads(ok(cli("score", "rules", "--json")))[0]["rule"] == "+1 tag:[bold]x\x1b[31m"
