"""`pcrm report activity` on interactions and follow-ups made through the commands at known
times: weeks (Monday to Sunday, empty ones too), kinds, contacts touched once per week and
once over the period, follow-ups done and overdue, the default eight weeks, and bounds."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from conftest import dump, runner_for
from pcrm.render.report_activity import bar, sparkline

OVERDUE = "2 follow-ups overdue now (pcrm follow-up list --overdue)"
HEADER = (
    "week\tcall\temail\tmeeting\tdemo\tmessage\tnote\ttotal\tcontacts"
    "\tfollow-ups done\tfollow-ups overdue"
)


def at(stamp: str) -> datetime:
    return datetime.fromisoformat(f"2026-{stamp}").replace(tzinfo=UTC)


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """Three contacts; NOW is Monday 2026-11-23 10:00 UTC.

    interactions: Cy note Sun 10-04 23:00 (before the default weeks), Cy demo 10-05 00:00,
    Ada call 11-16 09:00, Ada email with Bob Sun 11-22 23:59, Bob meeting 11-23 08:00,
    Bob call 11-23 12:00 (planned: after now).
    follow-ups: 1 Ada due 11-17 done 11-17; 2 Bob due 11-18 done 11-20 (late);
    3 Cy due 11-19 open; 4 Ada due 11-23 open (today); 5 Bob due 09-01 open.
    """
    path = tmp_path_factory.mktemp("activity") / "activity.db"

    run = runner_for(path)

    for name in ("Ada", "Bob", "Cy"):
        run("contact", "add", name, now=at("09-01T09:00:00"))
    run("log", "Cy", "Old note", "--kind", "note", "--at", "2026-10-04 23:00")
    run("log", "Cy", "Demo", "--kind", "demo", "--at", "2026-10-05 00:00")
    run("log", "Ada", "Call", "--kind", "call", "--at", "2026-11-16 09:00")
    run("log", "Ada", "Mail", "--kind", "email", "--with", "Bob", "--at", "2026-11-22 23:59")
    run("log", "Bob", "Meeting", "--kind", "meeting", "--at", "2026-11-23 08:00")
    run("log", "Bob", "Planned", "--kind", "call", "--at", "2026-11-23 12:00")
    run("follow-up", "Ada", "Send quote", "--due", "2026-11-17", now=at("09-01T09:00:00"))
    run("follow-up", "Bob", "Call back", "--due", "2026-11-18", now=at("09-01T09:00:00"))
    run("follow-up", "Cy", "Renewal", "--due", "2026-11-19", now=at("09-01T09:00:00"))
    run("follow-up", "Ada", "Today", "--due", "2026-11-23", now=at("09-01T09:00:00"))
    run("follow-up", "Bob", "Old", "--due", "2026-09-01", now=at("09-01T09:00:00"))
    run("task", "done", "1", now=at("11-17T15:00:00"))
    run("task", "done", "2", now=at("11-20T15:00:00"))
    return path


@pytest.fixture
def history(built: Path, db_path: Path) -> None:
    db_path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(built, db_path)


def lines(cli, *args: str) -> list[str]:
    result = cli("report", "activity", *args)
    assert result.exit_code == 0, result.stderr
    return result.stdout.splitlines()


def empty(week: str) -> str:
    return f"{week}\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0"


def test_default_is_eight_weeks_up_to_now(cli, history):
    assert lines(cli) == [
        "Activity since 2026-10-05: 4 interactions with 3 contacts",
        OVERDUE,
        HEADER,
        # The demo at 00:00 on the first Monday is in; the note an hour before is not.
        "2026-10-05\t0\t0\t0\t1\t0\t0\t1\t1\t0\t0",
        *(
            empty(week)
            for week in ("2026-10-12", "2026-10-19", "2026-10-26", "2026-11-02", "2026-11-09")
        ),
        # Sunday 23:59 belongs to the week of Monday 11-16. Bob was on the email: two
        # contacts. Follow-up 2 was done, but late: done and overdue; 3 is still open.
        "2026-11-16\t1\t1\t0\t0\t0\t0\t2\t2\t2\t2",
        # The call planned for 12:00 today has not happened yet.
        "2026-11-23\t0\t0\t1\t0\t0\t0\t1\t1\t0\t0",
        "All\t1\t1\t1\t1\t0\t0\t4\t3\t2\t2",
    ]


def test_until_in_the_future_counts_planned_interactions(cli, history):
    assert lines(cli, "--since", "2026-11-23", "--until", "2026-11-23") == [
        "Activity 2026-11-23 to 2026-11-23: 2 interactions with 1 contact",
        OVERDUE,
        HEADER,
        "2026-11-23\t1\t0\t1\t0\t0\t0\t2\t1\t0\t0",
        "All\t1\t0\t1\t0\t0\t0\t2\t1\t0\t0",
    ]


def test_until_alone_takes_the_eight_weeks_before_it(cli, history):
    assert lines(cli, "--until", "2026-10-11") == [
        "Activity 2026-08-17 to 2026-10-11: 2 interactions with 1 contact",
        OVERDUE,
        HEADER,
        empty("2026-08-17"),
        empty("2026-08-24"),
        # Follow-up 5 was due Tuesday 09-01 and is still open: overdue in that week.
        "2026-08-31\t0\t0\t0\t0\t0\t0\t0\t0\t0\t1",
        empty("2026-09-07"),
        empty("2026-09-14"),
        empty("2026-09-21"),
        "2026-09-28\t0\t0\t0\t0\t0\t1\t1\t1\t0\t0",
        "2026-10-05\t0\t0\t0\t1\t0\t0\t1\t1\t0\t0",
        "All\t0\t0\t0\t1\t0\t1\t2\t1\t0\t1",
    ]


def test_since_mid_week_starts_that_week(cli, history):
    # --since Sunday 11-22 at noon: the week of 11-16 holds only the email of 23:59.
    assert lines(cli, "--since", "2026-11-22 12:00")[2:] == [
        HEADER,
        "2026-11-16\t0\t1\t0\t0\t0\t0\t1\t2\t0\t0",
        "2026-11-23\t0\t0\t1\t0\t0\t0\t1\t1\t0\t0",
        "All\t0\t1\t1\t0\t0\t0\t2\t2\t0\t0",
    ]


def test_json(cli, history):
    data = json.loads(cli("report", "activity", "--json").stdout)
    assert data["period"] == {"start": "2026-10-05T00:00:00Z", "end": "2026-11-23T10:00:00Z"}
    assert data["overdue_now"] == 2
    assert data["kinds"] == ["call", "email", "meeting", "demo", "message", "note"]
    assert data["total"] == {
        "week": "all",
        "kinds": {"call": 1, "email": 1, "meeting": 1, "demo": 1, "message": 0, "note": 0},
        "total": 4,
        "contacts": 3,
        "followups_done": 2,
        "followups_overdue": 2,
    }
    assert [week["week"] for week in data["weeks"]][:2] == ["2026-10-05", "2026-10-12"]


def test_terminal(cli, history):
    result = cli("report", "activity", "--since", "2026-11-09", terminal=True, width=80)
    assert [line.rstrip() for line in result.stdout.splitlines()] == [
        "Activity since 2026-11-09: 3 interactions with 2 contacts",
        OVERDUE,
        "",
        "Week of     Call  Email  Meet  Total  Contacts  Done  Overdue",
        "2026-11-09     0      0     0      0         0     0        0",
        "2026-11-16     1      1     0      2         2     2        2  ████████████████",
        "2026-11-23     0      0     1      1         1     0        0  ████████",
        "All            1      1     1      3         2     2        2",
    ]


def test_empty_database(cli):
    assert cli("contact", "add", "Ada").exit_code == 0
    out = lines(cli, "--since", "2026-11-16")
    assert out == [
        "Activity since 2026-11-16: 0 interactions with 0 contacts",
        HEADER,
        empty("2026-11-16"),
        empty("2026-11-23"),
        "All\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0",
    ]


def test_bars_and_sparkline():
    assert bar(0, 10) == ""
    assert bar(10, 10) == "█" * 16
    assert bar(1, 10) == "█▋"  # 12.8 eighths -> 13: one cell and five eighths
    assert bar(1, 1000) == "▏"  # never less than an eighth
    assert sparkline([0, 1, 4, 8]) == " ▁▄█"
    assert sparkline([]) == ""


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--since", "the dawn of time"), 'pcrm: error: cannot understand date "the dawn'),
        (("--since", "tomorrow"), "pcrm: error: --since must come before --until"),
    ],
)
def test_bad_input(cli, history, db_path, args, message):
    before = dump(db_path)
    result = cli("report", "activity", *args)
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr.startswith(message) and len(result.stderr.splitlines()) == 1
    assert dump(db_path) == before


def test_a_period_longer_than_one_query_of_weeks(cli, history):
    # 1990 to now is about 1,926 weeks, counted in two queries of up to 1,000 weeks.
    out = lines(cli, "--since", "1990-01-01")
    assert out[0] == "Activity since 1990-01-01: 5 interactions with 3 contacts"
    assert out[3] == empty("1990-01-01")  # a Monday
    assert len(out) == 3 + 1926 + 1  # title, overdue, header; the weeks; All
    assert out[-1] == "All\t1\t1\t1\t1\t0\t1\t5\t3\t2\t3"


def test_a_contact_touched_either_side_of_a_contacts_query_counts_once(cli, history):
    # Contacts are counted 62 weeks a query: from 2025-07-28, Cy's note (week of 09-28, the
    # 62nd) and demo (week of 10-05, the 63rd) fall in different queries.
    out = lines(cli, "--since", "2025-07-28", "--until", "2026-10-11")
    assert out[0] == "Activity 2025-07-28 to 2026-10-11: 2 interactions with 1 contact"
    weeks = {line.split("\t")[0]: line.split("\t")[8] for line in out[3:]}
    assert (weeks["2026-09-28"], weeks["2026-10-05"], weeks["All"]) == ("1", "1", "1")
    assert len(weeks) == 63 + 1  # 2025-07-28 to 2026-10-05, and All
