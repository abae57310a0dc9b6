"""`pcrm follow-up` and `pcrm task ...` in Europe/Berlin with a pinned clock: buckets across
local midnight and DST days, recurring completion, snooze and edit of a series, and bad input
that changes nothing."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, date, datetime, timedelta

import pytest

from conftest import NOW, dump

BERLIN = {"TZ": "Europe/Berlin"}
RULE_HINT = '(try weekly, 2w, 30d, quarterly, "every monday", or FREQ=WEEKLY;BYDAY=MO)'


@pytest.fixture
def run(cli):
    """pcrm in Berlin; `now` pins the clock (default: Mon 2026-11-23 11:00 Berlin)."""

    def invoke(*args: str, now: datetime = NOW, **kwargs):
        return cli(*args, now=now, env={**BERLIN, **kwargs.pop("env", {})}, **kwargs)

    return invoke


@pytest.fixture
def ok(run):
    def invoke(*args: str, now: datetime = NOW) -> str:
        result = run(*args, now=now)
        assert result.exit_code == 0, result.stderr
        assert result.stderr == ""
        return result.stdout

    return invoke


@pytest.fixture
def ada(ok):
    ok("contact", "add", "Ada Lovelace")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def tasks_json(ok, *args: str, now: datetime = NOW) -> list[dict]:
    return json.loads(ok("task", "list", "--json", *args, now=now))


def due(ok, *args: str, now: datetime = NOW) -> list[tuple]:
    """(id, due day, due_at, bucket) of the listed tasks."""
    return [
        (t["id"], t["due_date"], t["due_at"], t["bucket"]) for t in tasks_json(ok, *args, now=now)
    ]


def error(run, *args: str, db_path, now: datetime = NOW) -> str:
    """A failing command: exit 1, one line on stderr, nothing on stdout, the file unchanged."""
    before = dump(db_path)
    result = run(*args, now=now)
    assert (result.exit_code, result.stdout) == (1, ""), result
    assert dump(db_path) == before
    return result.stderr


# -- adding and listing ------------------------------------------------------------------


def test_follow_up_says_what_was_added_and_list_prints_plain_lines(ok, ada):
    ok("deal", "add", "20 seats", "--contact", "ada")
    assert ok("follow-up", "ada", "Send  the quote", "--due", "fri 9am", "--deal", "20 seats") == (
        "added follow-up 1 Send the quote: due Fri 2026-11-27 09:00\n"
    )
    assert ok("follow-up", "ada", "Weekly call", "--due", "today", "--every", "weekly") == (
        "added follow-up 2 Weekly call: due Mon 2026-11-23, every week\n"
    )
    assert ok("task", "list") == (
        "2\t2026-11-23\t\ttoday\tWeekly call\tAda Lovelace\t\t\tFREQ=WEEKLY\n"
        "1\t2026-11-27\t09:00\tupcoming\tSend the quote\tAda Lovelace\t\t20 seats\t\n"
    )
    [task] = tasks_json(ok, "--deal", "20 seats")
    assert task["due_at"] == "2026-11-27T08:00:00Z"  # 09:00 CET
    assert task["deal"] == {"kind": "deal", "id": 1, "name": "20 seats"}
    assert task["repeat"] is None and task["status"] == "open"


def test_a_company_can_be_the_ref_or_an_option(ok, ada):
    ok("company", "add", "Analytical Engines")
    ok("follow-up", "company:analytical", "Renewal", "--due", "tomorrow")
    ok("follow-up", "ada", "Intro", "--due", "tomorrow", "--company", "analytical")
    found = [(t["contact"], t["company"]["name"]) for t in tasks_json(ok)]
    assert found == [
        (None, "Analytical Engines"),
        ({"kind": "contact", "id": 1, "name": "Ada Lovelace"}, "Analytical Engines"),
    ]


def test_due_today_at_2330_stays_today_until_local_midnight(ok, ada):
    ok("follow-up", "ada", "Late call", "--due", "today 23:30")
    assert due(ok) == [(1, "2026-11-23", "2026-11-23T22:30:00Z", "today")]
    # 23:45 in Berlin: the time has passed, the day has not.
    assert due(ok, "--today", now=at("2026-11-23T22:45:00")) == [
        (1, "2026-11-23", "2026-11-23T22:30:00Z", "today")
    ]
    assert due(ok, "--overdue", now=at("2026-11-23T22:45:00")) == []
    # 00:05 in Berlin (still 23:05 on the 23rd in UTC): overdue.
    assert due(ok, "--today", now=at("2026-11-23T23:05:00")) == []
    assert due(ok, "--overdue", now=at("2026-11-23T23:05:00")) == [
        (1, "2026-11-23", "2026-11-23T22:30:00Z", "overdue")
    ]


def test_today_is_the_local_day_not_the_utc_one(ok, ada):
    late = at("2026-11-23T23:30:00")  # 00:30 on Tuesday in Berlin
    ok("follow-up", "ada", "Tuesday thing", "--due", "today", now=late)
    assert due(ok, "--today", now=late) == [(1, "2026-11-24", None, "today")]


def test_buckets_and_the_week_across_a_month_end(ok, ada):
    saturday = at("2026-11-28T09:00:00")
    for text, when in [
        ("Old", "2026-11-27"),
        ("Now", "today"),
        ("Sixth day", "2026-12-04"),
        ("Seventh day", "2026-12-05"),
        ("End of month", "eom"),
    ]:
        ok("follow-up", "ada", text, "--due", when, now=saturday)
    assert due(ok, now=saturday) == [
        (1, "2026-11-27", None, "overdue"),
        (2, "2026-11-28", None, "today"),
        (5, "2026-11-30", None, "upcoming"),
        (3, "2026-12-04", None, "upcoming"),
        (4, "2026-12-05", None, "upcoming"),
    ]
    assert [t[0] for t in due(ok, "--week", now=saturday)] == [2, 5, 3]
    assert [t[0] for t in due(ok, "--overdue", now=saturday)] == [1]


def test_spring_forward_day_in_berlin(ok, ada):
    before = at("2026-03-28T10:00:00")
    # 02:30 does not exist on 29 March: it moves forward by the gap, to 03:30 CEST.
    ok("follow-up", "ada", "Skipped hour", "--due", "2026-03-29 02:30", now=before)
    ok("follow-up", "ada", "Daily", "--due", "today 9am", "--every", "daily", now=before)
    assert ok("task", "done", "2", now=before) == (
        "done follow-up 2 Daily\nnext follow-up 3 Daily: due Sun 2026-03-29 09:00, every day\n"
    )
    # 00:30 CET on the 29th: both are due today; the daily one still at 09:00 local (CEST).
    assert due(ok, now=at("2026-03-28T23:30:00")) == [
        (1, "2026-03-29", "2026-03-29T01:30:00Z", "today"),
        (3, "2026-03-29", "2026-03-29T07:00:00Z", "today"),
    ]


def test_fall_back_day_in_berlin(ok, ada):
    before = at("2026-10-24T10:00:00")
    ok("follow-up", "ada", "Daily", "--due", "today 9am", "--every", "daily", now=before)
    ok("task", "done", "1", now=before)
    # 09:00 CET on the 25th is 08:00 UTC (it was 07:00 UTC the day before, in CEST).
    assert due(ok, now=before) == [(2, "2026-10-25", "2026-10-25T08:00:00Z", "upcoming")]
    # 23:30 UTC on the 25th is already the 26th in Berlin (CET, +1).
    assert due(ok, "--overdue", now=at("2026-10-25T23:30:00")) == [
        (2, "2026-10-25", "2026-10-25T08:00:00Z", "overdue")
    ]


# -- recurring completion ----------------------------------------------------------------


def test_weekly_done_on_time_and_late(ok, ada):
    ok("follow-up", "ada", "On time", "--due", "today", "--every", "weekly")
    ok("follow-up", "ada", "Late", "--due", "2026-11-02", "--every", "weekly")
    assert ok("task", "done", "1") == (
        "done follow-up 1 On time\nnext follow-up 3 On time: due Mon 2026-11-30, every week\n"
    )
    # Three weeks overdue: the next is after today, the missed Mondays are not piled up.
    assert ok("task", "done", "2") == (
        "done follow-up 2 Late\nnext follow-up 4 Late: due Mon 2026-11-30, every week\n"
    )
    assert [(t["id"], t["status"], t["done_at"]) for t in tasks_json(ok, "--all")][:2] == [
        (2, "done", "2026-11-23T10:00:00Z"),
        (1, "done", "2026-11-23T10:00:00Z"),
    ]


@pytest.mark.parametrize("rule", ["monthly", "every month on the 31st", "FREQ=MONTHLY"])
def test_monthly_on_the_31st_skips_short_months(ok, ada, rule):
    january = at("2026-01-31T09:00:00")
    ok("follow-up", "ada", "Invoice", "--due", "2026-01-31", "--every", rule, now=january)
    ok("task", "done", "1", now=january)
    ok("task", "done", "2", now=january)
    assert [t[1] for t in due(ok, "--all", now=january)] == [
        "2026-01-31",
        "2026-03-31",
        "2026-05-31",
    ]


def test_every_monday_from_a_wednesday(ok, ada):
    wednesday = at("2026-11-25T09:00:00")
    out = ok(
        "follow-up", "ada", "Standup", "--due", "today", "--every", "every monday", now=wednesday
    )
    assert out == "added follow-up 1 Standup: due Wed 2026-11-25, every monday\n"
    assert ok("task", "done", "1", now=wednesday) == (
        "done follow-up 1 Standup\nnext follow-up 2 Standup: due Mon 2026-11-30, every monday\n"
    )


def test_snoozing_one_occurrence_keeps_the_series_and_edit_due_moves_it(ok, ada):
    ok("follow-up", "ada", "Call", "--due", "today", "--every", "weekly")  # Mondays
    assert (
        ok("task", "snooze", "1", "wed")
        == "snoozed follow-up 1 Call: due Wed 2026-11-25, every week\n"
    )
    wednesday = at("2026-11-25T09:00:00")
    ok("task", "done", "1", now=wednesday)
    assert due(ok, now=wednesday) == [(2, "2026-11-30", None, "upcoming")]  # Monday again
    assert ok("task", "edit", "2", "--due", "2026-12-02") == (
        "updated follow-up 2 Call: due Wed 2026-12-02, every week\n"
    )
    ok("task", "done", "2", now=wednesday)
    assert due(ok, now=wednesday) == [(3, "2026-12-09", None, "upcoming")]  # now Wednesdays


def test_a_series_ends_with_its_count_and_with_no_repeat(ok, ada):
    ok("follow-up", "ada", "Twice", "--due", "today", "--every", "FREQ=DAILY;COUNT=2")
    assert ok("task", "done", "1").count("next") == 1
    assert ok("task", "done", "2") == "done follow-up 2 Twice\n"
    ok("follow-up", "ada", "Stop", "--due", "today", "--every", "daily")
    assert ok("task", "edit", "3", "--no-repeat", "--text", "Last one") == (
        "updated follow-up 3 Last one: due Mon 2026-11-23\n"
    )
    assert ok("task", "done", "3") == "done follow-up 3 Last one\n"
    assert tasks_json(ok) == []


# -- filters, removal --------------------------------------------------------------------


def test_list_by_contact_and_deal(ok, ada):
    ok("contact", "add", "Bob Babbage")
    ok("deal", "add", "Engine", "--contact", "bob")
    ok("follow-up", "ada", "For Ada", "--due", "today")
    ok("follow-up", "bob", "For Bob", "--due", "today", "--deal", "engine")
    assert [t["title"] for t in tasks_json(ok, "--contact", "ada")] == ["For Ada"]
    assert [t["title"] for t in tasks_json(ok, "--deal", "engine")] == ["For Bob"]
    assert ok("task", "list", "--contact", "ada", "--deal", "engine") == ""


def test_rm_asks_for_yes_and_records_the_deletion(run, ok, ada, db_path):
    ok("follow-up", "ada", "Gone", "--due", "today")
    assert error(run, "task", "rm", "1", db_path=db_path) == (
        "pcrm: error: not removing follow-up 1 Gone without confirmation (add --yes)\n"
    )
    assert ok("task", "rm", "1", "--yes") == "removed follow-up 1 Gone\n"
    assert ok("task", "list", "--all") == ""
    assert any("'task'" in line for line in dump(db_path) if "deletions" in line)


def test_terminal_table(run, ada, ok):
    ok("follow-up", "ada", "Send [bold]quote[/bold]", "--due", "2026-11-20", "--every", "weekly")
    result = run("task", "list", terminal=True, width=80)
    lines = [line.rstrip() for line in result.stdout.splitlines()]
    assert lines[0].split() == ["ID", "Follow-up", "Due", "When", "With", "Repeats"]
    assert lines[1].split() == [
        "1",
        "Send",
        "[bold]quote[/bold]",
        "2026-11-20",
        "3",
        "days",
        "ago",
        "Ada",
        "Lovelace",
        "every",
        "week",
    ]
    empty = run("task", "list", "--today", terminal=True, width=80)
    assert empty.stdout.strip() == "No follow-ups to show."


# -- bad input changes nothing -----------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("follow-up", "ada", "X", "--due", "someday"),
            'cannot understand date "someday" (try 2024-03-12, tomorrow, fri, +3d, "in 2 weeks")',
        ),
        (
            ("follow-up", "ada", "X", "--due", "today", "--every", "every 2 fortnights"),
            'cannot understand repeat rule "every 2 fortnights" ' + RULE_HINT,
        ),
        (
            ("follow-up", "ada", "X", "--due", "today", "--every", "FREQ=HOURLY"),
            'cannot understand repeat rule "FREQ=HOURLY" (follow-ups repeat by days at the finest)',
        ),
        (
            ("follow-up", "ada", " ", "--due", "today"),
            'a follow-up needs some text (e.g. "Send the quote")',
        ),
        (
            ("follow-up", "nobody", "X", "--due", "today"),
            'no contact matches "nobody" (try: pcrm search nobody)',
        ),
        (
            ("task", "snooze", "1", "never"),
            'cannot understand date "never" (try 2024-03-12, tomorrow, fri, +3d, "in 2 weeks")',
        ),
        (
            ("task", "snooze", "2", "fri"),
            "follow-up 2 is done; only open follow-ups can be snoozed (see: pcrm follow-up list)",
        ),
        (("task", "done", "2"), "follow-up 2 is already done (done on 2026-11-23T10:00:00Z)"),
        (
            ("task", "edit", "1", "--every", "every blue moon"),
            'cannot understand repeat rule "every blue moon" ' + RULE_HINT,
        ),
        (("task", "edit", "1"), "nothing to change (give --text, --due, --every or --no-repeat)"),
        (
            ("task", "edit", "1", "--every", "daily", "--no-repeat"),
            "--every and --no-repeat cannot go together",
        ),
        (("task", "done", "9"), "no follow-up has id 9 (see: pcrm follow-up list --include-done)"),
        (("task", "done", "ada"), '"ada" is not a follow-up id (see: pcrm follow-up list)'),
        (
            ("task", "list", "--today", "--week"),
            "give one of --overdue, --today, --week and --include-done",
        ),
    ],
)
def test_bad_input_is_one_line_and_changes_nothing(run, ok, ada, db_path, args, message):
    ok("follow-up", "ada", "Open", "--due", "today")
    ok("follow-up", "ada", "Finished", "--due", "today")
    ok("task", "done", "2")
    assert error(run, *args, db_path=db_path) == f"pcrm: error: {message}\n"


def test_a_missing_database_is_not_created(run, db_path):
    result = run("follow-up", "ada", "X", "--due", "today")
    assert result.exit_code == 1 and result.stderr.startswith("pcrm: error: ")
    assert not db_path.exists()
    assert run("task", "list").exit_code == 1
    assert not db_path.exists()


# -- long lists ------------------------------------------------------------------------------


def test_list_shows_the_first_100_and_says_on_stderr_how_many_there_are(run, ok, ada, db_path):
    ok("follow-up", "ada", "Call 1/9", "--due", "2026-12-01")
    # 111 more, one a day from 2 December, written straight into the file (112 commands
    # would make a slow test).
    with sqlite3.connect(db_path) as conn:
        conn.executemany(
            "INSERT INTO tasks(uid, title, contact_id, due_date, status, created_at, updated_at)"
            " SELECT ?, ?, contact_id, ?, 'open', created_at, updated_at FROM tasks WHERE id = 1",
            [
                (f"uid-{n}", f"Call {n}", (date(2026, 12, 1) + timedelta(days=n)).isoformat())
                for n in range(1, 112)
            ],
        )
    result = run("task", "list")
    lines = result.stdout.splitlines()
    assert (len(lines), lines[0].split("\t")[4], lines[-1].split("\t")[4]) == (
        100,
        "Call 1/9",
        "Call 99",
    )
    assert result.stderr == "showing 100 of 112 (use --limit 0 for all)\n"
    piped_json = run("task", "list", "--json", "--limit", "3")
    assert [task["title"] for task in json.loads(piped_json.stdout)] == [
        "Call 1/9",
        "Call 1",
        "Call 2",
    ]
    assert piped_json.stderr == "showing 3 of 112 (use --limit 0 for all)\n"
    assert len(ok("task", "list", "--limit", "0").splitlines()) == 112
    assert len(ok("task", "list", "--limit", "112").splitlines()) == 112
    assert ok("task", "list", "--week", "-n", "5") == ""


def test_the_limit_counts_within_the_chosen_scope(run, ok, ada):
    for day in ("2026-11-20", "2026-11-21", "2026-11-22", "2026-11-25"):
        ok("follow-up", "ada", f"Due {day}", "--due", day)
    result = run("task", "list", "--overdue", "--limit", "2")
    assert [line.split("\t")[1] for line in result.stdout.splitlines()] == [
        "2026-11-20",
        "2026-11-21",
    ]
    assert result.stderr == "showing 2 of 3 (use --limit 0 for all)\n"
    assert run("task", "list", "--overdue", "--limit", "3").stderr == ""
