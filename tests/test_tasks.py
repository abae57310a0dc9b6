"""Recurrence RULEs (core/activity/recurrence.py) and tasks in core (core/activity/tasks.py)
on a real file: the words and RRULEs accepted, their short readings, the next day of a
series, and the tasks table's own rules."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlite_utils import Database

from conftest import NOW
from deal_rows import open_file
from pcrm.core.activity.recurrence import describe, next_day, parse_rule
from pcrm.core.activity.tasks import TaskForm, add_task, complete_task, list_tasks
from pcrm.errors import InvalidInput


@pytest.mark.parametrize(
    ("typed", "rule", "reading"),
    [
        ("daily", "FREQ=DAILY", "every day"),
        ("Weekly", "FREQ=WEEKLY", "every week"),
        ("monthly", "FREQ=MONTHLY", "every month"),
        ("yearly", "FREQ=YEARLY", "every year"),
        ("every day", "FREQ=DAILY", "every day"),
        ("every 1 week", "FREQ=WEEKLY", "every week"),
        ("every 2 weeks", "FREQ=WEEKLY;INTERVAL=2", "every 2 weeks"),
        ("every  3 days", "FREQ=DAILY;INTERVAL=3", "every 3 days"),
        ("every 6 months", "FREQ=MONTHLY;INTERVAL=6", "every 6 months"),
        ("every monday", "FREQ=WEEKLY;BYDAY=MO", "every monday"),
        ("every thu, mon", "FREQ=WEEKLY;BYDAY=MO,TH", "every monday, thursday"),
        ("every tue and fri", "FREQ=WEEKLY;BYDAY=TU,FR", "every tuesday, friday"),
        ("every weekday", "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", "every weekday"),
        ("every month on the 15th", "FREQ=MONTHLY;BYMONTHDAY=15", "every month on day 15"),
        ("FREQ=WEEKLY;BYDAY=MO", "FREQ=WEEKLY;BYDAY=MO", "every monday"),
        ("rrule:freq=monthly;count=3", "FREQ=MONTHLY;COUNT=3", "FREQ=MONTHLY;COUNT=3"),
        ("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=-1", "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=-1", None),
    ],
)
def test_rules_in_words_and_as_rrules(typed, rule, reading):
    assert parse_rule(typed) == rule
    assert describe(rule) == (reading or rule)


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "every 2 fortnights",
        "every 0 days",
        "every month on the 32nd",
        "every blue moon",
        "every mon, funday",
        "FREQ=FOO",
        "FREQ=WEEKLY;BYDAY=XX",
        "FREQ=WEEKLY;INTERVAL=x",
        "FREQ=HOURLY",
        "DTSTART:20260101\nRRULE:FREQ=DAILY",
        "FREQ=DAILY;UNTIL=20261231T000000Z",  # UNTIL in UTC needs a zoned start: refused
        "FREQ=DAILY;INTERVAL=0",  # dateutil would loop forever
        "FREQ=DAILY;INTERVAL=-1",
        "FREQ=MONTHLY;UNTIL=2",  # dateutil would read "2" as some day
    ],
)
def test_unparsable_rules_are_one_clear_error(typed):
    with pytest.raises(InvalidInput, match=r"^cannot understand repeat rule"):
        parse_rule(typed)


_RULE_PIECES = st.sampled_from(
    [
        "FREQ=",
        "DAILY",
        "WEEKLY",
        "MONTHLY",
        ";",
        "BYDAY=",
        "MO",
        ",",
        "INTERVAL=",
        "COUNT=",
        "UNTIL=",
        "2",
        "0",
        "-1",
        "every ",
        "monday",
        " and ",
        "on the ",
        "31st",
        "x",
        "\n",
        "=",
    ]
)


@given(st.one_of(st.text(max_size=30), st.lists(_RULE_PIECES, max_size=8).map("".join)))
def test_rule_parsing_is_total(typed):
    """A RULE is an RRULE dateutil accepts, or one clear InvalidInput: never anything else."""
    try:
        rule = parse_rule(typed)
    except InvalidInput:
        return
    next_day(rule, date(2026, 1, 31), date(2026, 1, 31))
    assert describe(rule)


@pytest.mark.parametrize(
    ("rule", "start", "after", "expected"),
    [
        ("FREQ=MONTHLY", date(2026, 1, 31), date(2026, 1, 31), date(2026, 3, 31)),
        ("FREQ=MONTHLY;BYMONTHDAY=-1", date(2026, 1, 31), date(2026, 1, 31), date(2026, 2, 28)),
        ("FREQ=YEARLY", date(2024, 2, 29), date(2024, 2, 29), date(2028, 2, 29)),
        ("FREQ=WEEKLY;INTERVAL=2", date(2026, 11, 23), date(2026, 12, 1), date(2026, 12, 7)),
        ("FREQ=WEEKLY;BYDAY=MO", date(2026, 11, 25), date(2026, 11, 25), date(2026, 11, 30)),
        ("FREQ=DAILY;COUNT=2", date(2026, 11, 23), date(2026, 11, 24), None),
        ("FREQ=DAILY;UNTIL=20261124", date(2026, 11, 23), date(2026, 11, 23), date(2026, 11, 24)),
        ("FREQ=DAILY;INTERVAL=03", date(2026, 11, 23), date(2026, 11, 23), date(2026, 11, 26)),
    ],
)
def test_next_day_of_a_series(rule, start, after, expected):
    assert next_day(rule, start, after) == expected


@pytest.fixture
def db(db_path) -> Iterator[Database]:
    database = open_file(db_path)
    database.execute(
        "INSERT INTO contacts(uid, name, name_key, created_at, updated_at)"
        " VALUES ('u1', 'Ada Lovelace', 'ada lovelace', 'x', 'x')"
    )
    yield database
    database.close()


def test_the_table_keeps_done_and_series_consistent(db):
    task = add_task(db, NOW, TaskForm("Call", ref="ada", due="today", every="weekly"))
    with pytest.raises(sqlite3.IntegrityError):
        db.execute("UPDATE tasks SET status = 'done' WHERE id = ?", [task.id])  # no done_at
    with pytest.raises(sqlite3.IntegrityError):
        db.execute("UPDATE tasks SET series_start = NULL WHERE id = ?", [task.id])
    with pytest.raises(sqlite3.IntegrityError):
        db.execute("UPDATE contacts SET cadence_days = 0")


def test_the_next_occurrence_keeps_links_and_a_new_uid(db):
    task = add_task(db, NOW, TaskForm("Call", ref="ada", due="today 9am", every="every 2 weeks"))
    completed = complete_task(db, NOW, task.id)
    following = completed.next
    assert following is not None
    assert (following.title, following.contact, following.rrule) == (
        task.title,
        task.contact,
        task.rrule,
    )
    assert (following.due_date, following.due_at) == ("2026-12-07", "2026-12-07T09:00:00Z")
    assert following.uid != task.uid
    assert [t.id for t in list_tasks(db, NOW, "all")] == [task.id, following.id]


def test_a_task_needs_a_link(db):
    with pytest.raises(InvalidInput, match="needs a contact, a company or a deal"):
        add_task(db, NOW, TaskForm("Alone", due="today"))


@pytest.mark.parametrize(
    "rule", ["FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30", "FREQ=MONTHLY;BYMONTH=4,6;BYMONTHDAY=31"]
)
def test_a_rule_that_matches_no_day_is_refused_at_once(rule):
    # dateutil would search until the year 9999 for the next day of such a rule.
    with pytest.raises(InvalidInput, match="no day ever matches that rule"):
        parse_rule(rule)


def test_a_29_february_rule_is_a_real_rule():
    rule = parse_rule("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29")
    assert next_day(rule, date(2024, 2, 29), date(2024, 3, 1)) == date(2028, 2, 29)
