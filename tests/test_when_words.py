"""Issue 16, WHEN: slash dates read by the date-order setting (or refused when they read both
ways), the words people type (31 Dec, 31.12, tmrw, eod, next week...), one repeat grammar
for --every and cadences, and which way a bare weekday points (log --at: the last one).

The clock is conftest's: Monday 23 Nov 2026 10:00 UTC (TZ=UTC); WED is two days later."""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import dump, error, ok, one_line_error
from pcrm.dates import MAX_YEAR, MIN_YEAR, parse_birthday, parse_when
from pcrm.errors import InvalidWhen

WED = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
SCREENS = [pytest.param(True, id="terminal-80"), pytest.param(False, id="piped")]


def rows(db_path: Path, sql: str) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(db_path)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


@pytest.fixture
def ada(cli):
    ok(cli("contact", "add", "Ada Lovelace", "--email", "ada@example.org"))


def run(cli, *args: str, terminal: bool, now: datetime | None = None):
    extra = {"now": now} if now else {}
    return cli(*args, terminal=terminal, width=80, **extra)


# -- slash dates and the date-order setting ------------------------------------------------


@pytest.mark.parametrize("terminal", SCREENS)
def test_a_slash_date_that_reads_both_ways_is_refused_with_both_readings(
    cli, db_path, ada, terminal
):
    before = dump(db_path)
    result = run(cli, "follow-up", "ada", "Call", "--due", "05/01/2027", terminal=terminal)
    assert one_line_error(result) == (
        'pcrm: error: date "05/01/2027" could be 5 Jan 2027 (day/month) or 1 May 2027'
        " (month/day) (set the order you write: pcrm config set date-order dmy (or mdy);"
        " or write it as 2027-01-05)\n"
    )
    assert dump(db_path) == before


@pytest.mark.parametrize(
    ("order", "shown", "stored"),
    [
        ("dmy", "Tue 2027-01-05", "2027-01-05"),
        ("mdy", "Sat 2027-05-01", "2027-05-01"),
        ("DMY", "Tue 2027-01-05", "2027-01-05"),
    ],
)
@pytest.mark.parametrize("terminal", SCREENS)
def test_the_date_order_setting_says_how_slash_dates_read(
    cli, db_path, ada, order, shown, stored, terminal
):
    assert ok(run(cli, "config", "set", "date-order", order, terminal=terminal)) == (
        f"date_order = {order.lower()}\n"
    )
    out = ok(run(cli, "follow-up", "ada", "Call", "--due", "05/01/2027", terminal=terminal))
    assert out == f"added follow-up 1 Call: due {shown}\n"
    assert rows(db_path, "SELECT due_date FROM tasks") == [(stored,)]


def test_year_first_slash_dates_read_the_same_in_every_order(cli, db_path, ada):
    ok(cli("follow-up", "ada", "A", "--due", "2027/01/05"))
    ok(cli("config", "set", "date-order", "mdy"))
    ok(cli("follow-up", "ada", "B", "--due", "2027/01/05"))
    ok(cli("config", "set", "date-order", "ymd"))
    ok(cli("follow-up", "ada", "C", "--due", "2027/01/05"))
    assert ok(cli("follow-up", "ada", "D", "--due", "01/05")) == (
        "added follow-up 4 D: due Tue 2027-01-05\n"  # ymd without a year: month/day
    )
    assert rows(db_path, "SELECT due_date FROM tasks") == [("2027-01-05",)] * 4


@pytest.mark.parametrize("terminal", SCREENS)
def test_a_slash_date_that_reads_one_way_only_is_taken_that_way(cli, db_path, ada, terminal):
    assert ok(run(cli, "follow-up", "ada", "Call", "--due", "31/12", terminal=terminal)) == (
        "added follow-up 1 Call: due Thu 2026-12-31\n"
    )
    assert ok(run(cli, "follow-up", "ada", "Call", "--due", "12/31/2026", terminal=terminal)) == (
        "added follow-up 2 Call: due Thu 2026-12-31\n"
    )


@pytest.mark.parametrize(
    ("order", "typed", "message"),
    [
        (
            "mdy",
            "31/12",
            'date "31/12" is not a day (slash dates are month/day/year (date-order mdy);'
            " or use ISO, e.g. 2027-12-31)",
        ),
        (
            "dmy",
            "12/31/2026",
            'date "12/31/2026" is not a day (slash dates are day/month/year (date-order dmy);'
            " or use ISO, e.g. 2027-12-31)",
        ),
        (
            "ymd",
            "05/01/2027",
            'cannot understand date "05/01/2027" (slash dates are year/month/day'
            " (date-order ymd), e.g. 2027/12/31)",
        ),
        (
            "dmy",
            "05/01/27",
            'cannot understand date "05/01/27" (write the year with 4 digits; slash dates are'
            " day/month/year (date-order dmy))",
        ),
        (
            None,
            "31/31/2027",
            'date "31/31/2027" is not a day in either order (slash dates are day/month or'
            " month/day, whichever is a date; or use ISO, e.g. 2027-12-31)",
        ),
        (
            None,
            "05/01/27",
            'cannot understand date "05/01/27" (write the year with 4 digits; slash dates are'
            " day/month or month/day, whichever is a date)",
        ),
    ],
)
def test_every_slash_error_explains_the_order(cli, db_path, ada, order, typed, message):
    if order:
        ok(cli("config", "set", "date-order", order))
    before = dump(db_path)
    for terminal in (True, False):
        result = run(cli, "follow-up", "ada", "Call", "--due", typed, terminal=terminal)
        assert one_line_error(result) == f"pcrm: error: {message}\n"
    assert dump(db_path) == before


def test_a_date_order_that_is_none_of_the_three_is_refused(cli, db_path, ada):
    before = dump(db_path)
    assert one_line_error(cli("config", "set", "date-order", "dd/mm")) == (
        'pcrm: error: date order "dd/mm" is not one of dmy, mdy, ymd (dmy: 31/12/2027,'
        " mdy: 12/31/2027, ymd: 2027/12/31; none: ask when unclear)\n"
    )
    assert dump(db_path) == before
    assert "date_order = none  (default)\n" in ok(cli("config", "list"))
    ok(cli("config", "set", "date-order", "dmy"))
    assert ok(cli("config", "get", "date-order")) == "dmy\n"
    ok(cli("config", "set", "date-order", "none"))
    assert one_line_error(cli("follow-up", "ada", "Call", "--due", "05/01/2027"))


def test_the_setting_applies_to_every_when_and_to_birthdays(cli, db_path, ada):
    before = dump(db_path)
    result = cli("contact", "add", "Bob", "--birthday", "05/01/1985")
    assert 'birthday "05/01/1985" could be 5 Jan 1985 (day/month) or 1 May 1985' in (
        one_line_error(result)
    )
    assert dump(db_path) == before
    ok(cli("config", "set", "date-order", "dmy"))
    ok(cli("contact", "add", "Bob", "--birthday", "05/01/1985"))
    ok(cli("contact", "edit", "ada", "--birthday", "24/12"))
    assert rows(db_path, "SELECT name, birthday FROM contacts ORDER BY id") == [
        ("Ada Lovelace", "--12-24"),
        ("Bob", "1985-01-05"),
    ]
    out = ok(cli("log", "ada", "Met", "--at", "20/11/2026 9:30"))
    assert out == "logged note 1 with Ada Lovelace at Fri 2026-11-20 09:30 (3 days ago)\n"
    out = ok(cli("deal", "add", "Seats", "--close", "05/01/2027"))
    assert out.endswith(", closing Tue 2027-01-05\n")


def test_an_import_reads_ambiguous_slashes_in_the_setting_or_date_order(cli, tmp_path):
    path = tmp_path / "people.csv"
    path.write_text("Name,Birthday\nAda Lovelace,05/01/1985\n", encoding="utf-8")
    # issue 15: no longer month first without a word; the file says nothing, so refused
    assert "can be day/month or month/day" in error(cli("import", "contacts", str(path)))
    ok(cli("import", "contacts", str(path), "--date-order", "mdy"))
    assert ok(cli("contact", "show", "ada", "--json")).count('"1985-05-01"') == 1
    ok(cli("contact", "rm", "ada", "--yes"))
    ok(cli("config", "set", "date-order", "dmy"))
    ok(cli("import", "contacts", str(path)))
    assert ok(cli("contact", "show", "ada", "--json")).count('"1985-01-05"') == 1


def test_the_setting_is_read_by_a_real_process(tmp_path):
    env = {**os.environ, "PCRM_DB": str(tmp_path / "p.db"), "TZ": "UTC", "COLUMNS": "80"}
    env["PCRM_NOW"] = "2026-11-23T10:00:00Z"

    def pcrm(*args: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "pcrm", *args]
        return subprocess.run(command, env=env, capture_output=True, text=True, check=False)

    assert pcrm("contact", "add", "Ada Lovelace").returncode == 0
    refused = pcrm("follow-up", "ada", "Call", "--due", "05/01/2027")
    assert (refused.returncode, refused.stdout) == (1, "")
    assert refused.stderr.startswith('pcrm: error: date "05/01/2027" could be 5 Jan 2027')
    assert pcrm("config", "set", "date-order", "mdy").returncode == 0
    done = pcrm("follow-up", "ada", "Call", "--due", "05/01/2027")
    assert (done.returncode, done.stdout) == (0, "added follow-up 1 Call: due Sat 2027-05-01\n")


# -- words people type ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("31 Dec", "Thu 2026-12-31"),
        ("Dec 31", "Thu 2026-12-31"),
        ("31.12", "Thu 2026-12-31"),
        ("31.12.", "Thu 2026-12-31"),
        ("1 Mar", "Mon 2027-03-01"),  # the next one: next year's
        ("23 Nov", "Mon 2026-11-23"),  # today counts
        ("next week", "Mon 2026-11-30"),
        ("next month", "Tue 2026-12-01"),
        ("tmrw", "Tue 2026-11-24"),
        ("TMRW 9am", "Tue 2026-11-24 09:00"),
        ("eod", "Mon 2026-11-23"),
        ("31 Dec 14:30", "Thu 2026-12-31 14:30"),
    ],
)
@pytest.mark.parametrize("terminal", SCREENS)
def test_words_people_type_are_dates(cli, db_path, ada, typed, shown, terminal):
    out = ok(run(cli, "follow-up", "ada", "Call", "--due", typed, terminal=terminal))
    assert out == f"added follow-up 1 Call: due {shown}\n"


@pytest.mark.parametrize(
    ("typed", "rule", "shown"),
    [
        ("2w", "FREQ=WEEKLY;INTERVAL=2", "every 2 weeks"),
        ("30d", "FREQ=DAILY;INTERVAL=30", "every 30 days"),
        ("quarterly", "FREQ=MONTHLY;INTERVAL=3", "every 3 months"),
        ("fortnightly", "FREQ=WEEKLY;INTERVAL=2", "every 2 weeks"),
        ("every 6 weeks", "FREQ=WEEKLY;INTERVAL=6", "every 6 weeks"),
        ("3m", "FREQ=MONTHLY;INTERVAL=3", "every 3 months"),
    ],
)
@pytest.mark.parametrize("terminal", SCREENS)
def test_follow_ups_repeat_by_the_cadence_grammar(cli, db_path, ada, typed, rule, shown, terminal):
    args = ("follow-up", "ada", "Call", "--due", "fri", "--every", typed)
    out = ok(run(cli, *args, terminal=terminal))
    assert out == f"added follow-up 1 Call: due Fri 2026-11-27, {shown}\n"
    assert rows(db_path, "SELECT rrule FROM tasks") == [(rule,)]
    ok(cli("contact", "edit", "ada", "--every", typed))  # the same words as a cadence


def test_a_repeat_of_zero_is_refused_in_both(cli, db_path, ada):
    before = dump(db_path)
    assert "repeat rule" in one_line_error(
        cli("follow-up", "ada", "Call", "--due", "fri", "--every", "0w")
    )
    assert "cadence" in one_line_error(cli("contact", "edit", "ada", "--every", "0w"))
    assert dump(db_path) == before


# -- which way a bare weekday points -------------------------------------------------------


@pytest.mark.parametrize("terminal", SCREENS)
def test_log_at_a_weekday_is_the_one_that_passed(cli, db_path, ada, terminal):
    out = ok(run(cli, "log", "ada", "Called", "--at", "monday", terminal=terminal, now=WED))
    assert out == "logged note 1 with Ada Lovelace on Mon 2026-11-23 (2 days ago)\n"
    out = ok(run(cli, "log", "ada", "Lunch", "--at", "fri 12:30", terminal=terminal, now=WED))
    assert out == "logged note 2 with Ada Lovelace at Fri 2026-11-20 12:30 (5 days ago)\n"
    out = ok(run(cli, "log", "ada", "Party", "--at", "31 Dec", terminal=terminal, now=WED))
    assert out == "logged note 3 with Ada Lovelace on Wed 2025-12-31 (10 months ago)\n"
    assert [r[0] for r in rows(db_path, "SELECT at FROM interactions ORDER BY id")] == [
        "2026-11-23T00:00:00Z",
        "2026-11-20T12:30:00Z",
        "2025-12-31T00:00:00Z",
    ]


@pytest.mark.parametrize("terminal", SCREENS)
def test_log_at_next_weekday_is_planned(cli, db_path, ada, terminal):
    args = ("log", "ada", "Demo", "-k", "meeting", "--at", "next monday")
    out = ok(run(cli, *args, terminal=terminal, now=WED))
    assert out == "logged meeting 1 with Ada Lovelace on Mon 2026-11-30 (in 5 days), planned\n"


def test_log_at_today_s_weekday_is_today(cli, db_path, ada):
    out = ok(cli("log", "ada", "Called", "--at", "wed", now=WED))
    assert out == "logged note 1 with Ada Lovelace on Wed 2026-11-25 (today)\n"


@pytest.mark.parametrize("terminal", SCREENS)
def test_due_snooze_and_close_keep_the_next_one(cli, db_path, ada, terminal):
    out = ok(run(cli, "follow-up", "ada", "Call", "--due", "monday", terminal=terminal, now=WED))
    assert out == "added follow-up 1 Call: due Mon 2026-11-30\n"
    out = ok(run(cli, "task", "snooze", "1", "tue", terminal=terminal, now=WED))
    assert out == "snoozed follow-up 1 Call: due Tue 2026-12-01\n"
    out = ok(run(cli, "deal", "add", "Seats", "--close", "mon", terminal=terminal, now=WED))
    assert out.startswith("added deal 1 Seats: ")
    assert out.endswith(", closing Mon 2026-11-30\n")
    out = ok(run(cli, "deal", "edit", "1", "--close", "31.12", terminal=terminal, now=WED))
    assert out == "updated deal 1 Seats, closing Thu 2026-12-31\n"


# -- properties: reading stays total with every order and direction ------------------------

NUMBERS = st.sampled_from(["0", "1", "5", "05", "12", "13", "29", "31", "32", "2027", "27", "1604"])
SLASHY = st.lists(
    st.one_of(NUMBERS, st.sampled_from(["/", ".", " ", "9am", "dec", "next", "week", "eod"])),
    max_size=7,
).map("".join)


@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    text=st.one_of(SLASHY, st.text(max_size=20)),
    order=st.sampled_from([None, "dmy", "mdy", "ymd"]),
    direction=st.sampled_from(["past", "future"]),
    now=st.datetimes(
        min_value=datetime(1900, 1, 1), max_value=datetime(2200, 12, 31), timezones=st.just(UTC)
    ),
)
def test_reading_is_total_in_every_order_and_direction(text, order, direction, now):
    try:
        result = parse_when(text, now, direction=direction, order=order)
    except InvalidWhen as exc:
        assert exc.message and "\n" not in str(exc)
        return
    assert MIN_YEAR <= result.moment.year <= MAX_YEAR
    if re.fullmatch(r"\d{1,2}[/.]\d{1,2}\.?", text):  # a day without its year
        day, today = result.moment.date(), now.date()
        assert (day >= today) if direction == "future" else (day <= today)


@settings(max_examples=300)
@given(text=st.one_of(SLASHY, st.text(max_size=20)), order=st.sampled_from([None, "dmy", "mdy"]))
def test_birthdays_are_total_in_every_order(text, order):
    try:
        result = parse_birthday(text, order=order)
    except InvalidWhen as exc:
        assert exc.message and "\n" not in str(exc)
        return
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}|--\d{2}-\d{2}", result)


def test_report_since_and_stage_at_read_a_weekday_backwards(cli):
    """`report --since mon` starts at the Monday that passed, and `contact stage --at mon`
    records the Monday that passed: both name something that already happened."""
    wednesday = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
    ok(cli("contact", "add", "Ada Lovelace", now=wednesday))
    ok(cli("log", "ada", "Call", "--at", "2026-11-24 09:00", "--kind", "call", now=wednesday))
    report = json.loads(ok(cli("report", "activity", "--since", "mon", "--json", now=wednesday)))
    assert report["period"]["start"].startswith("2026-11-2")  # the 23rd (local), not the 30th
    assert report["period"]["start"] < "2026-11-25"
    out = ok(cli("contact", "stage", "ada", "prospect", "--at", "mon", now=wednesday))
    assert "prospect" in out
    history = json.loads(ok(cli("contact", "show", "ada", "--json", now=wednesday)))
    assert [c["at"][:10] for c in history["lifecycle"]][-1] in ("2026-11-22", "2026-11-23")
