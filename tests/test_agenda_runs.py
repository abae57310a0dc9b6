"""`pcrm agenda --cron` catches up (issue 19): what fell due on days without a run that
delivered is listed once under "Missed since <day>", each cron run is recorded
(`pcrm agenda runs`), and `--deliver CMD` / the agenda.deliver setting pipe the text to a
command whose failure is recorded and shows the items again.

The calendar: Friday 4 December 2026, the weekend of the 5th and 6th, Monday the 7th,
Tuesday the 8th; the clock is pinned per run, in Berlin unless a test says otherwise.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from conftest import dump

BERLIN = {"TZ": "Europe/Berlin"}


def at(text: str) -> datetime:
    """A UTC instant: "2026-12-04 06:30"."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


FRI = at("2026-12-04 06:30")  # 07:30 in Berlin
SAT = at("2026-12-05 06:30")
MON = at("2026-12-07 06:30")
TUE = at("2026-12-08 06:30")
SETUP = at("2026-11-27 10:00")  # the week before


@pytest.fixture
def run(cli):
    """pcrm ARGS at `now` in `tz` (Berlin); asserts success unless fails=True."""

    def invoke(*args: str, now: datetime = MON, tz: str = "Europe/Berlin", fails: bool = False,
               **kwargs):  # fmt: skip
        env = {"TZ": tz, **kwargs.pop("env", {})}
        result = cli(*args, now=now, env=env, **kwargs)
        if not fails:
            assert result.exit_code == 0, (result.stdout, result.stderr, result.exception)
            assert result.stderr == ""
        return result

    return invoke


def cron(run, now: datetime, *args: str, tz: str = "Europe/Berlin") -> str:
    return run("agenda", "--cron", *args, now=now, tz=tz).stdout


def sections(text: str) -> dict[str, list[str]]:
    """A cron mail's sections: heading -> its rows, each with its spaces collapsed."""
    found: dict[str, list[str]] = {}
    for block in text.split("\n\n")[1:]:
        lines = [" ".join(line.split()) for line in block.strip("\n").splitlines()]
        if lines:
            found[lines[0]] = lines[1:]
    return found


def piped(stdout: str, name: str) -> list[list[str]]:
    """The piped agenda's rows of one section, without the section's name."""
    return [line.split("\t")[1:] for line in stdout.splitlines() if line.split("\t")[0] == name]


def runs_json(run) -> list[dict]:
    return json.loads(run("agenda", "runs", "--json", "--limit", "0").stdout)


def shown_missed(run) -> list[str]:
    """Every missed row any run showed, oldest run first: "contact 1 2026-12-05"."""
    return [
        f"{item['ref']} {item['day']}"
        for each in reversed(runs_json(run))
        for item in each["shown"]
        if item["section"] == "missed"
    ]


def weekend_data(run) -> None:
    """Ada's birthday on Saturday, a follow-up due Saturday, Grace due a call on Sunday
    (every 7 days, last called the Sunday before), and a meeting planned for Saturday."""
    run("contact", "add", "Ada Lovelace", "--birthday", "1985-12-05", now=SETUP)
    run("follow-up", "ada", "Send the quote", "--due", "2026-12-05", now=SETUP)
    run("contact", "add", "Grace", "--every", "7d", now=SETUP)
    run("log", "grace", "Call", "--at", "2026-11-29T10:00:00Z", now=at("2026-11-29 12:00"))
    run("log", "ada", "Workshop", "--kind", "meeting", "--at", "2026-12-05T09:00:00Z", now=SETUP)


WEEKEND_MISSED = ["contact 1 2026-12-05", "follow-up 1 2026-12-05", "contact 2 2026-12-06"]


# -- the weekend ---------------------------------------------------------------------------


def test_a_weekend_without_runs_is_shown_on_monday_once_and_only_once(run):
    weekend_data(run)
    friday = sections(cron(run, FRI))
    assert friday["Birthdays and anniversaries (1)"] == [
        "tomorrow Sat 5 Dec Ada Lovelace birthday, turns 41 contact 1"
    ]
    assert friday["Upcoming, next 7 days (1)"] == [
        "tomorrow Sat 5 Dec Send the quote Ada Lovelace follow-up 1"
    ]
    assert not any(title.startswith("Missed") for title in friday)

    monday_text = cron(run, MON)
    assert monday_text.startswith("pcrm agenda for Monday 07 December 2026\n")
    monday = sections(monday_text)
    titles = list(monday)
    assert titles[0] == "Missed since Fri 4 Dec (3)"  # placed first
    assert monday["Missed since Fri 4 Dec (3)"] == [
        "late, 2 days ago Sat 5 Dec Ada Lovelace birthday, turned 41 contact 1",
        "late, 2 days ago Sat 5 Dec Send the quote follow-up · Ada Lovelace follow-up 1",
        "late, yesterday Sun 6 Dec Grace stay in touch, last 8 days ago contact 2",
    ]
    # Shown once in the run: not repeated as overdue, as a due contact, or as a birthday;
    # the meeting planned for Saturday is history, not a missed item.
    assert "Send the quote" not in " ".join(monday.get("Overdue (1)", []))
    assert not any(title.startswith(("Overdue", "Stay in touch", "Birthdays")) for title in titles)
    assert "Workshop" not in monday_text

    tuesday = sections(cron(run, TUE))
    assert list(tuesday) == ["Overdue (1)", "Stay in touch (1)"]
    assert tuesday["Overdue (1)"] == [
        "3 days overdue Sat 5 Dec Send the quote Ada Lovelace follow-up 1"
    ]
    assert tuesday["Stay in touch (1)"][0].startswith("due 2 days ago Sun 6 Dec Grace")
    assert "Ada Lovelace birthday" not in " ".join(row for rows in tuesday.values() for row in rows)
    assert shown_missed(run) == WEEKEND_MISSED


def test_the_first_run_ever_shows_nothing_missed(run):
    weekend_data(run)
    # No cron run has been recorded: Monday's agenda has nothing "missed", only overdue.
    assert piped(run("agenda").stdout, "missed") == []
    monday = sections(cron(run, MON))
    assert list(monday) == ["Overdue (1)", "Stay in touch (1)"]
    assert [each["status"] for each in runs_json(run)] == ["delivered"]


def test_terminal_piped_and_json_agendas_show_the_missed_items_but_record_nothing(run, db_path):
    weekend_data(run)
    cron(run, FRI)
    before = dump(db_path)
    rows = piped(run("agenda").stdout, "missed")
    assert rows == [
        ["2026-12-05", "late, 2 days ago", "Ada Lovelace", "birthday, turned 41", "contact 1"],
        ["2026-12-05", "late, 2 days ago", "Send the quote", "follow-up · Ada Lovelace",
         "follow-up 1"],
        ["2026-12-06", "late, yesterday", "Grace",
         "stay in touch, last 8 days ago", "contact 2"],
    ]  # fmt: skip
    data = json.loads(run("agenda", "--json").stdout)
    assert data["missed_since"] == "2026-12-04"
    assert [(item["kind"], item["day"]) for item in data["missed"]] == [
        ("birthday", "2026-12-05"),
        ("follow-up", "2026-12-05"),
        ("stay-in-touch", "2026-12-06"),
    ]
    assert data["missed"][1]["item"]["title"] == "Send the quote"
    assert data["overdue"] == [] and data["stay_in_touch"] == []
    screen = run("agenda", terminal=True, width=80).stdout
    assert screen.splitlines()[0] == "Missed since Fri 4 Dec (3)"
    assert "late, 2 days ago" in screen
    assert dump(db_path) == before  # only --cron records a run
    assert len(runs_json(run)) == 1


def test_runs_skipped_for_ten_days_show_what_fell_due_in_between(run):
    run("contact", "add", "Ada Lovelace", "--birthday", "--12-10", now=SETUP)
    run("contact", "add", "Alan Turing", "--birthday", "1912-12-04", now=SETUP)
    run("follow-up", "ada", "Due on Friday", "--due", "2026-12-04", now=SETUP)
    run("follow-up", "ada", "Due on Tuesday", "--due", "2026-12-08", now=SETUP)
    cron(run, FRI)
    later = at("2026-12-14 06:30")  # Monday, ten days on
    mail = sections(cron(run, later))
    assert mail["Missed since Fri 4 Dec (2)"] == [
        "late, 6 days ago Tue 8 Dec Due on Tuesday follow-up · Ada Lovelace follow-up 2",
        "late, 4 days ago Thu 10 Dec Ada Lovelace birthday contact 1",
    ]
    # Friday's follow-up was shown on Friday (due today): overdue since, not missed; Alan's
    # birthday was on Friday, shown then, and is gone.
    assert mail["Overdue (1)"] == [
        "10 days overdue Fri 4 Dec Due on Friday Ada Lovelace follow-up 1"
    ]
    assert "Alan" not in " ".join(row for rows in mail.values() for row in rows)


def test_the_window_is_at_most_366_days(run):
    run("contact", "add", "Ada", now=at("2024-12-01 10:00"))
    run("follow-up", "ada", "Long ago", "--due", "2025-06-01", now=at("2024-12-01 10:00"))
    run("follow-up", "ada", "This year", "--due", "2026-01-10", now=at("2024-12-01 10:00"))
    cron(run, at("2025-01-01 08:00"))
    out = run("agenda").stdout
    assert [row[2] for row in piped(out, "missed")] == ["This year"]
    assert [row[2] for row in piped(out, "overdue")] == ["Long ago"]


def test_a_section_limit_cuts_the_missed_section_and_counts_the_rest(run, monkeypatch):
    from pcrm.core.activity import agenda

    monkeypatch.setattr(agenda, "SECTION_LIMIT", 2)
    weekend_data(run)
    cron(run, FRI)
    assert piped(run("agenda").stdout, "missed")[-1] == [
        "", "", "… and 1 more", "pcrm agenda --all", ""
    ]  # fmt: skip
    assert len(piped(run("agenda", "--all").stdout, "missed")) == 3
    mail = sections(cron(run, MON))
    assert mail["Missed since Fri 4 Dec (3)"][-1].startswith("… and 1 more")
    shown = runs_json(run)[0]["shown"]
    assert {"section": "missed", "ref": "", "day": "", "what": "", "more": 1} in shown
    assert "missed 3" in run("agenda", "runs").stdout  # two shown and one left out


# -- clocks and zones ----------------------------------------------------------------------


def test_a_clock_going_back_shows_nothing_twice(run):
    weekend_data(run)
    cron(run, FRI)
    tuesday = sections(cron(run, TUE))  # the clock runs ahead: Tuesday
    assert next(iter(tuesday)) == "Missed since Fri 4 Dec (3)"
    monday = sections(cron(run, MON))  # and back to Monday
    assert not any(title.startswith("Missed") for title in monday)
    assert "Send the quote" in " ".join(monday["Overdue (1)"])
    wednesday = sections(cron(run, at("2026-12-09 06:30")))
    assert not any(title.startswith("Missed") for title in wednesday)
    assert shown_missed(run) == WEEKEND_MISSED
    assert [each["day"] for each in runs_json(run)] == [
        "2026-12-09", "2026-12-07", "2026-12-08", "2026-12-04"
    ]  # fmt: skip


def test_flying_east_catches_up_the_day_skipped_and_west_repeats_nothing(run):
    run("contact", "add", "Ada Lovelace", "--birthday", "--12-05", now=SETUP)
    # Friday evening in Berlin; the next run is 01:00 on Sunday in Tokyo: Saturday passed
    # without a run there.
    cron(run, at("2026-12-04 18:00"))
    sunday = sections(cron(run, at("2026-12-05 16:00"), tz="Asia/Tokyo"))
    assert sunday["Missed since Fri 4 Dec (1)"] == [
        "late, yesterday Sat 5 Dec Ada Lovelace birthday contact 1"
    ]
    # Flying back west: Sunday 09:00 in New York is the day after Saturday... which the
    # Tokyo run already covered (its day was Sunday): nothing is missed again.
    assert not any(
        title.startswith("Missed")
        for title in sections(cron(run, at("2026-12-06 14:00"), tz="America/New_York"))
    )
    assert [(each["day"], each["zone"]) for each in reversed(runs_json(run))] == [
        ("2026-12-04", "Europe/Berlin"),
        ("2026-12-06", "Asia/Tokyo"),
        ("2026-12-06", "America/New_York"),
    ]


def test_flying_west_shows_the_day_it_ran_for_once(run):
    run("contact", "add", "Ada Lovelace", "--birthday", "--12-05", now=SETUP)
    # 05:00 on Saturday in Tokyo: the birthday is today there.
    tokyo = sections(cron(run, at("2026-12-04 20:00"), tz="Asia/Tokyo"))
    assert tokyo["Birthdays and anniversaries (1)"][0].startswith("today Sat 5 Dec Ada")
    # Then 09:00 on Sunday in New York: Saturday was delivered in Tokyo; nothing missed.
    assert cron(run, at("2026-12-06 14:00"), tz="America/New_York") == ""
    assert [each["status"] for each in runs_json(run)] == ["silent", "delivered"]


@pytest.mark.parametrize(
    ("friday", "monday", "weekend", "late_saturday"),
    [
        # Summer time ends on Sunday 25 October 2026: 07:30 is 05:30 UTC on Friday and
        # 06:30 UTC on Monday; 23:30 on Saturday is 21:30 UTC.
        (at("2026-10-23 05:30"), at("2026-10-26 06:30"), ("10-24", "10-25"),
         "2026-10-24T21:30:00Z"),
        # It begins on Sunday 28 March 2027: 06:30 UTC on Friday, 05:30 UTC on Monday;
        # 23:30 on Saturday is 22:30 UTC.
        (at("2027-03-26 06:30"), at("2027-03-29 05:30"), ("03-27", "03-28"),
         "2027-03-27T22:30:00Z"),
    ],
)  # fmt: skip
def test_a_dst_weekend_in_berlin(run, friday, monday, weekend, late_saturday):
    year = friday.year
    saturday, sunday = (f"{year}-{day}" for day in weekend)
    setup = at(f"{year}-{weekend[0][:2]}-01 10:00")
    run("contact", "add", "Ada", "--birthday", f"--{weekend[1]}", now=setup)
    run("follow-up", "ada", "Saturday's", "--due", saturday, now=setup)
    # Called in Saturday's last half hour, local time: due on Sunday, every day.
    run("contact", "add", "Grace", "--every", "1d", now=setup)
    run("log", "grace", "Call", "--at", late_saturday, now=at(late_saturday[:16]))
    run("follow-up", "ada", "Monday's", "--due", monday.date().isoformat(), now=setup)
    cron(run, friday)
    rows = piped(run("agenda", now=monday).stdout, "missed")  # read before Monday's run
    mail = cron(run, monday)
    assert [(row[0], row[2]) for row in rows] == [
        (saturday, "Saturday's"),
        (sunday, "Ada"),
        (sunday, "Grace"),
    ]
    assert sections(mail)["Today (1)"][0].startswith("today Mon")
    assert [each["day"] for each in runs_json(run)] == [
        monday.date().isoformat(), friday.date().isoformat()
    ]  # fmt: skip


# -- delivery ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("command", "said"),
    [
        ("false", 'delivery command "false" exited with status 1'),
        ("echo 'smtp: connection refused' >&2; exit 3",
         "exited with status 3: smtp: connection refused"),
        ("no-such-mailer -s agenda", "was not found (exit status 127): "),
    ],
)  # fmt: skip
def test_a_failed_delivery_exits_1_is_recorded_and_the_next_run_shows_the_items_again(
    run, command, said
):
    weekend_data(run)
    cron(run, FRI)
    failed = run("agenda", "--cron", "--deliver", command, now=MON, fails=True)
    assert failed.exit_code == 1
    assert failed.stdout == ""
    assert failed.stderr.count("\n") == 1
    assert failed.stderr.startswith("pcrm: error: delivery command")
    assert said in failed.stderr
    assert "next run shows these items again" in failed.stderr
    last = runs_json(run)[0]
    assert (last["status"], last["delivery"], last["day"]) == ("failed", command, "2026-12-07")
    assert last["exit_code"] == {"false": 1, "no-such-mailer -s agenda": 127}.get(command, 3)
    assert last["error"] and "\n" not in last["error"]
    assert next(item["section"] for item in last["shown"]) == "missed"
    # Tuesday's run (printing) still shows Saturday's and Sunday's items as missed since
    # Friday: Monday's did not deliver them.
    tuesday = sections(cron(run, TUE))
    assert next(iter(tuesday)) == "Missed since Fri 4 Dec (3)"
    assert tuesday["Missed since Fri 4 Dec (3)"][0].startswith("late, 3 days ago Sat 5 Dec Ada")
    assert shown_missed(run) == WEEKEND_MISSED * 2  # Monday's attempt, then Tuesday's mail
    assert not any(
        title.startswith("Missed") for title in sections(cron(run, at("2026-12-09 06:30")))
    )


def test_a_delivery_that_takes_too_long_is_stopped_and_fails(run, monkeypatch):
    from pcrm.app import agenda_cron

    monkeypatch.setattr(agenda_cron, "DELIVER_TIMEOUT", 0.5)
    weekend_data(run)
    failed = run("agenda", "--cron", "--deliver", "sleep 30", now=MON, fails=True)
    assert failed.exit_code == 1
    assert 'delivery command "sleep 30" timed out after 0.5 s' in failed.stderr
    assert runs_json(run)[0]["status"] == "failed"


def test_a_delivery_command_gets_the_text_and_pcrm_prints_nothing(run, db_path, tmp_path):
    weekend_data(run)
    cron(run, FRI)
    twin = tmp_path / "twin.db"  # the same file after Friday, to see what printing gives
    source, copy = sqlite3.connect(db_path), sqlite3.connect(twin)
    source.backup(copy)
    source.close(), copy.close()
    printed = run("--db", str(twin), "agenda", "--cron", now=MON).stdout
    assert "Missed since Fri 4 Dec (3)" in printed
    out = tmp_path / "mail.txt"
    command = f"cat > '{out}'; echo '{{\"id\": \"ntfy reply\"}}'"  # the reply stays out
    result = run("agenda", "--cron", "--deliver", command, now=MON)
    assert result.stdout == ""
    assert out.read_text(encoding="utf-8") == printed
    last = runs_json(run)[0]
    assert (last["status"], last["delivery"], last["exit_code"]) == ("delivered", command, 0)


def test_monday_mail_through_a_command_shows_what_was_missed(run, tmp_path):
    weekend_data(run)
    cron(run, FRI)
    out = tmp_path / "mail.txt"
    assert run("agenda", "--cron", "--deliver", f"cat > '{out}'", now=MON).stdout == ""
    mail = out.read_text(encoding="utf-8")
    assert mail.startswith("pcrm agenda for Monday 07 December 2026\n")
    assert next(iter(sections(mail))) == "Missed since Fri 4 Dec (3)"
    assert run("agenda", "--cron", "--deliver", f"cat > '{out}'", now=TUE).stdout == ""
    assert "Missed" not in out.read_text(encoding="utf-8")


def test_a_silent_run_is_recorded_and_counts_as_delivered(run, tmp_path):
    run("contact", "add", "Ada Lovelace", "--birthday", "--12-05", now=SETUP)
    run("config", "set", "reminder_days", "0", now=SETUP)
    out = tmp_path / "mail.txt"
    # Friday: nothing due; no text, so the command is not run at all.
    assert run("agenda", "--cron", "--deliver", f"echo ran > '{out}'", now=FRI).stdout == ""
    assert not out.exists()
    silent = runs_json(run)[0]
    assert (silent["status"], silent["shown"], silent["exit_code"]) == ("silent", [], None)
    assert sections(cron(run, MON))["Missed since Fri 4 Dec (1)"][0].startswith(
        "late, 2 days ago Sat 5 Dec Ada Lovelace"
    )


def test_the_agenda_deliver_setting_and_an_empty_deliver_option(run, tmp_path):
    weekend_data(run)
    out = tmp_path / "mail.txt"
    assert run("config", "get", "agenda.deliver").stdout == "print\n"
    command = f"cat > '{out}'"
    assert run("config", "set", "agenda.deliver", command).stdout == f"agenda.deliver = {command}\n"
    assert cron(run, FRI) == ""  # delivered through the setting's command
    assert out.read_text(encoding="utf-8").startswith("pcrm agenda for Friday 04 December")
    out.unlink()
    printed = run("agenda", "--cron", "--deliver", "", now=MON).stdout  # '' prints
    assert printed.startswith("pcrm agenda for Monday 07 December")
    assert not out.exists()
    assert [each["delivery"] for each in runs_json(run)] == ["print", command]
    assert run("config", "set", "agenda.deliver", "").stdout == "agenda.deliver = print\n"
    assert cron(run, TUE).startswith("pcrm agenda for Tuesday")


def test_deliver_needs_cron(run, db_path):
    weekend_data(run)
    before = dump(db_path)
    for args in (["--deliver", "cat"], ["--json", "--deliver", "cat"]):
        result = run("agenda", *args, fails=True)
        assert result.exit_code == 1
        assert result.stdout == ""
        assert result.stderr == (
            "pcrm: error: --deliver needs --cron (pcrm agenda --cron --deliver CMD)\n"
        )
    assert dump(db_path) == before


def test_a_delivery_command_of_two_lines_is_refused_as_a_setting(run, db_path):
    run("contact", "add", "Ada", now=SETUP)
    before = dump(db_path)
    result = run("config", "set", "agenda.deliver", "mail you\nrm -rf x", fails=True)
    assert result.exit_code == 1
    assert result.stderr.startswith("pcrm: error: the delivery command must be one line")
    assert dump(db_path) == before


# -- agenda runs ---------------------------------------------------------------------------


def test_agenda_runs_lists_recent_runs_newest_first(run):
    weekend_data(run)
    assert run("agenda", "runs").stdout == ""
    assert run("agenda", "runs", terminal=True).stdout == "No agenda --cron runs recorded yet.\n"
    cron(run, FRI)
    run("agenda", "--cron", "--deliver", "exit 3", now=MON, fails=True)
    cron(run, MON)
    lines = run("agenda", "runs").stdout.splitlines()
    assert [line.split("\t") for line in lines] == [
        ["3", "2026-12-07 07:30", "2026-12-07", "delivered", "print", "missed 3", ""],
        ["2", "2026-12-07 07:30", "2026-12-07", "failed", "exit 3", "missed 3",
         "exited with status 3"],
        ["1", "2026-12-04 07:30", "2026-12-04", "delivered", "print",
         "planned 1, upcoming 1, dates 1", ""],
    ]  # fmt: skip
    items = run("agenda", "runs", "--items", "--limit", "1", fails=True).stdout.splitlines()
    assert items == [
        "3\t2026-12-07\tmissed\t2026-12-05\tAda Lovelace\tcontact 1",
        "3\t2026-12-07\tmissed\t2026-12-05\tSend the quote\tfollow-up 1",
        "3\t2026-12-07\tmissed\t2026-12-06\tGrace\tcontact 2",
    ]
    limited = run("agenda", "runs", "-n", "1", fails=True)
    assert limited.stderr == "showing 1 of 3 runs (use --limit 0 for all)\n"


def test_agenda_runs_at_80_columns(run):
    weekend_data(run)
    cron(run, FRI)
    run("agenda", "--cron", "--deliver", "mail -s 'pcrm agenda' someone@example.org", now=MON,
        fails=True, env={"PATH": "/nonexistent"})  # fmt: skip
    screen = run("agenda", "runs", terminal=True, width=80).stdout.splitlines()
    assert all(len(line) <= 80 for line in screen)
    assert [line.split() for line in screen] == [
        ["ID", "Ran", "Status", "Shown"],
        ["2", "2026-12-07", "07:30", "failed", "(exit", "127)", "missed", "3"],
        ["1", "2026-12-04", "07:30", "delivered", "planned", "1,", "upcoming", "1,", "dates", "1"],
    ]
    wide = run("agenda", "runs", terminal=True, width=200).stdout.splitlines()
    assert wide[0].split() == ["ID", "Ran", "Day", "Status", "Shown", "Delivery", "Error"]
    assert "mail -s 'pcrm agenda' someone@example.org" in wide[1]
    detailed = run("agenda", "runs", "--items", terminal=True, width=80).stdout.splitlines()
    assert detailed[:2] == [
        "run 2  2026-12-07 07:30  for 2026-12-07  failed (exit 127)",
        "  via mail -s 'pcrm agenda' someone@example.org",
    ]
    # The shell's own words for "not found" differ (dash, bash): its last line is kept.
    assert detailed[2].startswith("  error: was not found (exit status 127): ")
    assert "mail" in detailed[2]
    assert detailed[3:6] == [
        "  missed  2026-12-05  Ada Lovelace  contact 1",
        "  missed  2026-12-05  Send the quote  follow-up 1",
        "  missed  2026-12-06  Grace  contact 2",
    ]


def test_agenda_runs_json(run):
    weekend_data(run)
    cron(run, FRI)
    data = runs_json(run)
    assert data == [
        {
            "id": 1,
            "ran_at": "2026-12-04T06:30:00Z",
            "day": "2026-12-04",
            "zone": "Europe/Berlin",
            "delivery": "print",
            "status": "delivered",
            "exit_code": None,
            "error": None,
            "shown": [
                {"section": "planned", "ref": "interaction 2", "day": "2026-12-05",
                 "what": "Workshop", "more": 0},
                {"section": "upcoming", "ref": "follow-up 1", "day": "2026-12-05",
                 "what": "Send the quote", "more": 0},
                {"section": "dates", "ref": "contact 1", "day": "2026-12-05",
                 "what": "Ada Lovelace", "more": 0},
            ],
        }
    ]  # fmt: skip
    assert json.loads(run("agenda", "runs", "--json", "--limit", "5").stdout) == data


def test_the_agenda_group_keeps_every_option_of_the_agenda(run):
    weekend_data(run)
    three = json.loads(run("agenda", "--days", "3", "--json", now=FRI).stdout)
    assert three["days"] == 3
    assert json.loads(run("agenda", "-n", "2", "--json", now=FRI).stdout)["days"] == 2
    assert run("agenda", "--all", now=FRI).stdout.startswith("planned\t")
    misplaced = run("agenda", "--json", "runs", fails=True)
    assert (misplaced.exit_code, misplaced.stdout) == (1, "")
    assert misplaced.stderr == (
        "pcrm: error: the agenda's options do not apply to `pcrm agenda runs` (give its own"
        " options after it, e.g. pcrm agenda runs --json)\n"
    )
    help_text = run("agenda", "--help").stdout
    assert "Usage: pcrm agenda [OPTIONS] [COMMAND [ARGS]...]" in help_text
    assert "runs  List the recent `agenda --cron` runs, newest first." in help_text


# -- as cron runs it ---------------------------------------------------------------------


def pcrm_process(db: Path, *args: str, now: str) -> subprocess.CompletedProcess:
    """pcrm as cron runs it: no terminal, no HOME, TZ and the clock from the crontab."""
    bin_dir = Path(sys.executable).parent
    env = {
        "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        "PCRM_DB": str(db),
        "PCRM_NOW": now,
        "TZ": "Europe/Berlin",
    }
    return subprocess.run(
        ["pcrm", *args], env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL
    )


def test_a_skipped_weekend_as_cron_runs_it(run, db_path, tmp_path):
    weekend_data(run)
    mail = tmp_path / "mail.txt"
    deliver = ["agenda", "--cron", "--deliver", f"cat >> '{mail}'"]
    friday = pcrm_process(db_path, *deliver, now="2026-12-04T06:30:00Z")
    assert (friday.returncode, friday.stdout, friday.stderr) == (0, "", "")
    for day in ("07", "08"):
        done = pcrm_process(db_path, *deliver, now=f"2026-12-{day}T06:30:00Z")
        assert (done.returncode, done.stdout, done.stderr) == (0, "", "")
    text = mail.read_text(encoding="utf-8")
    assert text.count("Missed since") == 1
    assert text.count("birthday, turned 41") == 1
    monday = text[text.index("pcrm agenda for Monday") : text.index("pcrm agenda for Tuesday")]
    assert "Missed since Fri 4 Dec (3)" in monday


def test_stay_in_touch_keeps_who_was_due_before_and_today_and_the_missed_ones_apart(
    run, monkeypatch
):
    # Due Thursday (shown on Friday already), Saturday and Sunday (missed), and Monday.
    for name, last_call in (
        ("Thursday", "2026-11-26"),
        ("Saturday", "2026-11-28"),
        ("Sunday", "2026-11-29"),
        ("Monday", "2026-11-30"),
    ):
        run("contact", "add", name, "--every", "7d", now=SETUP)
        run("log", name, "Call", "--at", f"{last_call}T10:00:00Z", now=at("2026-11-30 12:00"))
    cron(run, FRI)
    out = run("agenda").stdout
    assert [(row[0], row[2]) for row in piped(out, "missed")] == [
        ("2026-12-05", "Saturday"),
        ("2026-12-06", "Sunday"),
    ]
    assert [(row[0], row[1], row[2]) for row in piped(out, "stay-in-touch")] == [
        ("2026-12-03", "due 4 days ago", "Thursday"),
        ("2026-12-07", "due today", "Monday"),
    ]
    from pcrm.core.activity import agenda

    monkeypatch.setattr(agenda, "SECTION_LIMIT", 1)
    cut = run("agenda").stdout
    assert piped(cut, "stay-in-touch") == [
        ["2026-12-03", "due 4 days ago", "Thursday", "every 7 days, last 11 days ago", "contact 1"],
        ["", "", "… and 1 more", "pcrm agenda --all", ""],
    ]
    assert piped(cut, "missed")[-1] == ["", "", "… and 1 more", "pcrm agenda --all", ""]
    assert json.loads(run("agenda", "--json").stdout)["more"] == {
        "missed": 1,
        "stay-in-touch": 1,
    }


def test_a_run_that_cannot_be_recorded_delivers_says_so_and_counts_for_nothing(
    run, db_path, monkeypatch
):
    from pcrm.store import db as store

    monkeypatch.setattr(store, "NOTICE_MS", 50)
    monkeypatch.setattr(store, "WRITE_WAIT_MS", 200)
    weekend_data(run)
    cron(run, FRI)
    other = sqlite3.connect(db_path)  # another pcrm's long write (an import) holds the lock
    other.execute("BEGIN IMMEDIATE")
    try:
        locked = run("agenda", "--cron", now=MON, fails=True)
    finally:
        other.rollback()
        other.close()
    assert locked.exit_code == 1
    assert next(iter(sections(locked.stdout))) == "Missed since Fri 4 Dec (3)"  # delivered
    assert locked.stderr.count("\n") == 1
    assert locked.stderr.startswith(
        "pcrm: error: the agenda was delivered, but this run was not recorded (the next run"
        " shows its missed items again): database "
    )
    assert "is locked by another process" in locked.stderr
    assert [each["day"] for each in runs_json(run)] == ["2026-12-04"]
    assert next(iter(sections(cron(run, TUE)))) == "Missed since Fri 4 Dec (3)"
