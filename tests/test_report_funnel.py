"""`pcrm report funnel` and `pcrm report sources` on small, fully known histories."""

from __future__ import annotations

import itertools
import json
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from pcrm.core.reports.funnel import build_funnel, trace

STAGES = ["lead", "prospect", "mql", "sql", "opportunity", "customer"]
EXITS = ["disqualified", "churned"]


def ok(result) -> str:
    assert result.exit_code == 0, (result.stdout, result.stderr, result.exception)
    assert result.stderr == ""
    return result.stdout


def stage(cli, ref: str, name: str, day: str, reason: str | None = None) -> None:
    args = ["contact", "stage", ref, name, "--at", f"2026-{day} 10:00"]
    ok(cli(*args, *(["--reason", reason] if reason else [])))


def known(cli) -> None:
    """Ann goes the whole way skipping sql and opportunity; Ben is disqualified after
    prospect; Cy right after lead; Di enters at prospect and moves back; Eve came in
    October, before the period the tests ask for."""
    for name, source in (
        ("Ann", "referral"),
        ("Ben", "Referral"),
        ("Cy", "event"),
        ("Di", None),
        ("Eve", "event"),
    ):
        ok(cli("contact", "add", name, *(["--source", source] if source else [])))
    stage(cli, "ann", "lead", "11-01")
    stage(cli, "ann", "prospect", "11-03")
    stage(cli, "ann", "mql", "11-07")
    stage(cli, "ann", "customer", "11-10")
    stage(cli, "ben", "lead", "11-02")
    stage(cli, "ben", "prospect", "11-06")
    stage(cli, "ben", "disqualified", "11-08", "no budget")
    stage(cli, "cy", "lead", "11-02")
    stage(cli, "cy", "disqualified", "11-04", "no budget")
    stage(cli, "di", "prospect", "11-05")
    stage(cli, "di", "mql", "11-09")
    stage(cli, "di", "prospect", "11-12", "stalled")
    stage(cli, "eve", "lead", "10-20")


NOVEMBER = ("--since", "2026-11-01", "--until", "2026-11-30")


def test_funnel_of_a_known_cohort(cli):
    known(cli)
    assert ok(cli("report", "funnel", *NOVEMBER)).splitlines() == [
        "Lifecycle funnel: 4 contacts entered 2026-11-01 to 2026-11-30",
        "stage\treached\tstep\toverall\tmedian days\ttimed",
        "lead\t4\t\t1\t\t",
        "prospect\t3\t0.75\t0.75\t3.0\t2",
        "mql\t2\t0.6667\t0.5\t4.0\t2",
        "sql\t1\t0.5\t0.25\t3.0\t1",
        "opportunity\t1\t1\t0.25\t–\t0",
        "customer\t1\t1\t0.25\t–\t0",
        "",
        "left at\texit\treason\tcount",
        "lead\tdisqualified\tno budget\t1",
        "prospect\tdisqualified\tno budget\t1",
    ]


def test_funnel_json_has_every_figure(cli):
    known(cli)
    report = json.loads(ok(cli("report", "funnel", *NOVEMBER, "--json")))
    assert report["period"] == {"start": "2026-11-01T00:00:00Z", "end": "2026-12-01T00:00:00Z"}
    assert report["cohort"] == 4
    assert [
        (s["stage"], s["reached"], s["step_conversion"], s["overall_conversion"])
        for s in report["steps"]
    ] == [
        ("lead", 4, None, 1.0),
        ("prospect", 3, 0.75, 0.75),
        ("mql", 2, 0.6667, 0.5),
        ("sql", 1, 0.5, 0.25),
        ("opportunity", 1, 1.0, 0.25),
        ("customer", 1, 1.0, 0.25),
    ]
    assert [(s["median_days"], s["timed"]) for s in report["steps"]] == [
        (None, 0),
        (3.0, 2),
        (4.0, 2),
        (3.0, 1),
        (None, 0),
        (None, 0),
    ]
    assert report["steps"][0]["dropouts"] == [
        {"exit": "disqualified", "reason": "no budget", "count": 1}
    ]


def test_without_a_period_every_contact_is_in_the_cohort(cli):
    known(cli)
    lines = ok(cli("report", "funnel")).splitlines()
    assert lines[0] == "Lifecycle funnel: 5 contacts entered"
    assert lines[2:4] == ["lead\t5\t\t1\t\t", "prospect\t3\t0.6\t0.6\t3.0\t2"]


def test_funnel_on_a_terminal(cli):
    known(cli)
    drawn = ok(cli("report", "funnel", *NOVEMBER, terminal=True, width=80))
    assert [line.rstrip() for line in drawn.splitlines()] == [
        "Lifecycle funnel: 4 contacts entered 2026-11-01 to 2026-11-30",
        "",
        "Stage        Reached                              Step  Overall  Median days",
        "lead               4  ████████████████████████           100.0%",
        "prospect           3  ██████████████████         75.0%    75.0%          3.0",
        "mql                2  ████████████               66.7%    50.0%          4.0",
        "sql                1  ██████                     50.0%    25.0%          3.0",
        "opportunity        1  ██████                    100.0%    25.0%            –",
        "customer           1  ██████                    100.0%    25.0%            –",
        "",
        "Drop-outs",
        "Left at   Exit and reason          Count",
        "lead      disqualified: no budget      1",
        "prospect  disqualified: no budget      1",
    ]


def test_empty_database(cli):
    ok(cli("contact", "add", "Ann"))
    assert ok(cli("report", "funnel")).splitlines()[:4] == [
        "Lifecycle funnel: 0 contacts entered",
        "stage\treached\tstep\toverall\tmedian days\ttimed",
        "lead\t0\t\t–\t\t",
        "prospect\t0\t–\t–\t–\t0",
    ]
    report = json.loads(ok(cli("report", "funnel", "--json")))
    assert report["cohort"] == 0
    assert {s["overall_conversion"] for s in report["steps"]} == {None}
    drawn = ok(cli("report", "funnel", terminal=True, width=80))
    assert [line.rstrip() for line in drawn.splitlines()] == [
        "Lifecycle funnel: 0 contacts entered",
        "Nobody entered the lifecycle in this period.",
    ]
    assert ok(cli("report", "sources")).splitlines() == [
        "Lead sources: 0 leads entered",
        "source\tleads\tcustomers\tconversion\twon deals\twon value",
    ]


def test_a_single_lead(cli):
    ok(cli("contact", "add", "Ann"))
    stage(cli, "ann", "lead", "11-01")
    assert ok(cli("report", "funnel")).splitlines()[2:5] == [
        "lead\t1\t\t1\t\t",
        "prospect\t0\t0\t0\t–\t0",
        "mql\t0\t–\t0\t–\t0",
    ]


def test_a_first_stage_that_is_an_exit_counts_as_a_lead_that_dropped_out(cli):
    ok(cli("contact", "add", "Ann"))
    stage(cli, "ann", "disqualified", "11-01", "spam")
    lines = ok(cli("report", "funnel")).splitlines()
    assert lines[2:4] == ["lead\t1\t\t1\t\t", "prospect\t0\t0\t0\t–\t0"]
    assert lines[-1] == "lead\tdisqualified\tspam\t1"


def test_moving_back_and_leaving_twice_counts_each_exit(cli):
    ok(cli("contact", "add", "Ann"))
    stage(cli, "ann", "lead", "11-01")
    stage(cli, "ann", "sql", "11-02")
    stage(cli, "ann", "lead", "11-03", "went quiet")
    stage(cli, "ann", "disqualified", "11-04", "no budget")
    stage(cli, "ann", "prospect", "11-10", "new budget")
    stage(cli, "ann", "churned", "11-11")
    lines = ok(cli("report", "funnel")).splitlines()
    # Reached sql once: moving back never un-reaches it; both exits count, at sql.
    assert lines[2:7] == [
        "lead\t1\t\t1\t\t",
        "prospect\t1\t1\t1\t1.0\t1",
        "mql\t1\t1\t1\t–\t0",
        "sql\t1\t1\t1\t–\t0",
        "opportunity\t0\t0\t0\t–\t0",
    ]
    assert lines[-2:] == ["sql\tchurned\t\t1", "sql\tdisqualified\tno budget\t1"]


def test_sources_of_a_known_cohort(cli):
    known(cli)
    ok(cli("config", "set", "lifecycle.customer_on_win", "off"))
    ok(cli("deal", "add", "Big", "--value", "€1,000", "--contact", "ann", "--contact", "ben"))
    ok(cli("deal", "add", "Yen", "--value", "5000", "--currency", "JPY", "--contact", "ann"))
    ok(cli("deal", "add", "Lost", "--value", "€99", "--contact", "cy"))
    ok(cli("deal", "add", "Open", "--value", "€50", "--contact", "di"))
    for title in ("Big", "Yen"):
        ok(cli("deal", "won", title))
    ok(cli("deal", "lost", "Lost", "--reason", "price"))
    assert ok(cli("report", "sources", *NOVEMBER)).splitlines() == [
        "Lead sources: 4 leads entered 2026-11-01 to 2026-11-30",
        "source\tleads\tcustomers\tconversion\twon deals\twon value",
        "referral\t2\t1\t0.5\t2\t1000.00 EUR, 5000 JPY",
        "event\t1\t0\t0\t0\t",
        "(no source)\t1\t0\t0\t0\t",
    ]
    report = json.loads(ok(cli("report", "sources", *NOVEMBER, "--json")))
    assert report["rows"][0] == {
        "source": "referral",
        "leads": 2,
        "customers": 1,
        "conversion": 0.5,
        "won": [
            {"currency": "EUR", "exponent": 2, "count": 1, "value": 100000},
            {"currency": "JPY", "exponent": 0, "count": 1, "value": 5000},
        ],
    }
    everyone = json.loads(ok(cli("report", "sources", "--json")))["rows"]
    assert [(r["source"], r["leads"]) for r in everyone] == [
        ("event", 2),
        ("referral", 2),
        (None, 1),
    ]
    drawn = ok(cli("report", "sources", *NOVEMBER, terminal=True, width=80))
    assert [line.rstrip() for line in drawn.splitlines()] == [
        "Lead sources: 4 leads entered 2026-11-01 to 2026-11-30",
        "",
        "Source       Leads  Customers  Conversion  Won deals  Won value",
        "referral         2          1       50.0%          2  €1,000.00",
        "                                                         ¥5,000",
        "event            1          0        0.0%          0          –",
        "(no source)      1          0        0.0%          0          –",
    ]


def test_a_bad_period_is_one_error_line(cli, db_path):
    ok(cli("contact", "add", "Ann"))
    result = cli("report", "funnel", "--since", "blorp")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr.startswith('pcrm: error: cannot understand date "blorp"')


def test_the_demo_funnel_tells_a_story(cli, tmp_path):
    demo = tmp_path / "demo.db"
    ok(cli("demo", str(demo)))
    lines = ok(cli("--db", str(demo), "report", "funnel")).splitlines()
    assert lines[0] == "Lifecycle funnel: 33 contacts entered"
    assert [line.split("\t")[:2] for line in lines[2:8]] == [
        ["lead", "33"],
        ["prospect", "25"],
        ["mql", "21"],
        ["sql", "17"],
        ["opportunity", "14"],
        ["customer", "10"],
    ]
    assert "customer\tchurned\tmoved to an in-house tool\t2" in lines
    sources = json.loads(ok(cli("--db", str(demo), "report", "sources", "--json")))["rows"]
    assert sum(row["leads"] for row in sources) == 33  # every lead has one row
    assert sum(row["customers"] for row in sources) == 10


# -- the counts never grow from one stage to the next ----------------------------------

START = datetime(2026, 1, 1, tzinfo=UTC)
histories = st.lists(
    st.lists(
        st.tuples(st.integers(0, 30), st.sampled_from([*STAGES, *EXITS, "removed stage"])),
        max_size=8,
    ),
    max_size=12,
)


@settings(max_examples=200, deadline=None)
@given(histories)
def test_funnel_counts_never_increase(people):
    paths = []
    for steps in people:
        at, rows = START, []
        for gap, name in steps:
            at += timedelta(days=gap)
            rows.append((at, name, None))
        path = trace(rows, STAGES, EXITS)
        if path is not None:
            paths.append(path)
    funnel = build_funnel(paths, STAGES)
    reached = [step.reached for step in funnel.steps]
    assert reached[0] == funnel.cohort == len(paths)
    assert all(later <= earlier for earlier, later in itertools.pairwise(reached))
    for step in funnel.steps:
        assert step.timed <= step.reached
        assert step.median_days is None or step.median_days >= 0
        assert all(0 <= rate <= 1 for rate in (step.step_conversion, step.overall_conversion)
                   if rate is not None)  # fmt: skip
    exits = sum(name in EXITS for steps in people for _, name in steps)
    assert sum(d.count for step in funnel.steps for d in step.dropouts) == exits


def test_a_removed_stage_leaves_history_and_the_funnel_skips_it(cli):
    ok(cli("contact", "add", "Ann"))
    stage(cli, "ann", "lead", "11-01")
    stage(cli, "ann", "mql", "11-02")
    stage(cli, "ann", "sql", "11-05")
    assert ok(cli("lifecycle", "rm", "mql")) == "removed lifecycle stage mql\n"
    assert ok(cli("lifecycle", "list")).splitlines()[:4] == [
        "1\tlead\t0\t0",
        "2\tprospect\t0\t0",
        "3\tsql\t1\t0",
        "4\topportunity\t0\t0",
    ]
    # lead -> (mql, no longer a stage) -> sql: prospect counts as passed on the way to sql.
    assert ok(cli("report", "funnel")).splitlines()[2:5] == [
        "lead\t1\t\t1\t\t",
        "prospect\t1\t1\t1\t4.0\t1",
        "sql\t1\t1\t1\t–\t0",
    ]
    assert "2026-11-05T10:00:00Z\tlifecycle\tstage mql → sql\t" in ok(cli("timeline", "ann"))
