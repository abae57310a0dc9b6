"""Start-up, round 2 (issue 18): `pcrm log`, a quiet `pcrm agenda --cron` and `contact show`
of a contact with little on it import only what they use. Each case runs pcrm in a
subprocess with PYTHONPROFILEIMPORTTIME=1 and checks which modules it imported (behaviour,
not time), and that what the command shows or writes is still all there."""

from __future__ import annotations

import calendar
import os
import re
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from conftest import Result, error, ok
from pcrm.core.activity.reminders import _leap
from pcrm.render.safe import clean

PYTHON = sys.executable
NOW = "2026-11-23T10:00:00Z"  # a Monday


def run_pcrm(db: Path, *args: str) -> tuple[subprocess.CompletedProcess[str], set[str]]:
    """Run pcrm on `db`; the result and the modules the process imported."""
    result = subprocess.run(
        [PYTHON, "-m", "pcrm", *args],
        capture_output=True,
        text=True,
        env={**os.environ, "PCRM_NOW": NOW, "PCRM_DB": str(db), "PYTHONPROFILEIMPORTTIME": "1"},
        timeout=60,
    )
    assert result.returncode == 0, result.stderr[-500:]
    modules = {
        line.split("|")[-1].strip()
        for line in result.stderr.splitlines()
        if line.startswith("import time:") and "|" in line
    }
    assert {"typer", "pcrm.cli.main"} <= modules  # the measurement works
    return result, modules


def one_contact(tmp_path: Path) -> Path:
    db = tmp_path / "crm.db"
    run_pcrm(db, "contact", "add", "Ada Lovelace", "--email", "ada@example.org")
    return db


def test_log_imports_neither_the_kinds_editor_nor_the_records_it_does_not_touch(
    tmp_path: Path,
) -> None:
    db = one_contact(tmp_path)
    result, modules = run_pcrm(db, "log", "ada", "Call: wants a quote", "--kind", "phone")
    assert result.stdout == "logged call 1 with Ada Lovelace\n"
    assert modules.isdisjoint(
        {
            "pcrm.core.activity.kinds",  # its dataclasses and name rules: kind_names.py reads
            "pcrm.core.people.contacts",
            "pcrm.core.deals.deals",
            "pcrm.core.deals.money",
            "decimal",
            "json",
            "rich",
        }
    ), modules
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("SELECT kind, text FROM interactions").fetchall() == [
            ("call", "Call: wants a quote")
        ]
    finally:
        conn.close()


def test_log_with_an_unknown_kind_still_names_the_kinds_and_how_to_add_one(
    cli: Callable[..., Result],
) -> None:
    ok(cli("contact", "add", "Ada Lovelace"))
    assert error(cli("log", "ada", "hello", "--kind", "lunch")) == (
        'pcrm: error: unknown interaction kind "lunch" (kinds: call, email, meeting, demo,'
        " message, note; add one with: pcrm interaction kind add NAME)\n"
    )
    assert error(cli("log", "ada", "hello", "--kind", "  ")).startswith(
        "pcrm: error: no interaction kind given (kinds: call, email"
    )
    ok(cli("interaction", "kind", "add", "lunch"))
    assert ok(cli("log", "ada", "At Luigi's", "--kind", "LUNCH")).startswith("logged lunch 1")


def test_a_quiet_cron_run_imports_no_interaction_or_matching_code(tmp_path: Path) -> None:
    db = one_contact(tmp_path)
    result, modules = run_pcrm(db, "agenda", "--cron")
    assert result.stdout == ""
    assert modules.isdisjoint(
        {
            "pcrm.core.activity.interactions",  # only when something is planned
            "pcrm.core.activity.models",
            "pcrm.core.matching",
            "shlex",
            "calendar",
            "json",
            "rich",
        }
    ), modules
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("SELECT status FROM agenda_runs").fetchall() == [("silent",)]
    finally:
        conn.close()


def test_a_cron_run_with_a_planned_meeting_still_shows_it(tmp_path: Path) -> None:
    db = one_contact(tmp_path)
    run_pcrm(db, "log", "ada", "Demo for the board", "--kind", "meeting", "--at", "today 15:00")
    result, modules = run_pcrm(db, "agenda", "--cron")
    assert "Planned, today and next 7 days (1)" in result.stdout
    assert "Demo for the board  meeting · Ada Lovelace  interaction 1" in result.stdout
    assert "pcrm.core.activity.interactions" in modules


def test_showing_a_contact_with_no_deals_tasks_or_stages_imports_none_of_their_code(
    tmp_path: Path,
) -> None:
    db = one_contact(tmp_path)
    result, modules = run_pcrm(db, "contact", "show", "ada")
    assert result.stdout.startswith("contact 1: Ada Lovelace\n")
    assert "deal:" not in result.stdout and "follow-up" not in result.stdout
    assert modules.isdisjoint(
        {
            "pcrm.core.deals.deals",  # with companies' deal code, money and Decimal: ~16 ms
            "pcrm.core.deals.money",
            "decimal",
            "pcrm.core.people.lifecycle",
            "pcrm.core.people.companies",  # for a write's company only
            "pcrm.core.activity.tasks",
            "pcrm.core.activity.reminders",  # for a write's --every only
            "json",
            "rich",
        }
    ), modules


def test_showing_a_contact_with_a_deal_a_follow_up_and_a_stage_shows_them_all(
    tmp_path: Path,
) -> None:
    db = one_contact(tmp_path)
    run_pcrm(db, "contact", "add", "Grace Hopper")
    run_pcrm(db, "deal", "add", "Engines", "--value", "1200", "--contact", "ada")
    run_pcrm(db, "follow-up", "ada", "Send the quote", "--due", "tomorrow")
    run_pcrm(db, "follow-up", "ada", "Old chore", "--due", "yesterday")
    run_pcrm(db, "follow-up", "done", "2")
    run_pcrm(db, "contact", "stage", "ada", "customer")
    result, modules = run_pcrm(db, "contact", "show", "ada")
    lines = result.stdout.splitlines()
    assert "stage: customer" in lines
    assert "follow-ups: 1" in lines  # the done one is not open
    assert "follow-up: 1\t2026-11-24\t\tupcoming\tSend the quote" in lines
    assert "deal: 1\tEngines\tQualified\t1200.00\tEUR\t" in lines
    assert "stage change: 2026-11-23T10:00:00Z\t\tcustomer\t" in lines
    assert {"pcrm.core.deals.deals", "pcrm.core.activity.tasks"} <= modules
    # Grace, on the same file, has none of it.
    result, _ = run_pcrm(db, "contact", "show", "grace")
    assert "deal:" not in result.stdout and "follow-up" not in result.stdout
    assert "stage change" not in result.stdout


def test_a_cadence_is_still_read_and_checked(cli: Callable[..., Result]) -> None:
    ok(cli("contact", "add", "Ada Lovelace", "--every", "2w"))
    assert "every 14 days" in ok(cli("contact", "show", "ada"))
    said = error(cli("contact", "edit", "ada", "--every", "soon"))
    assert said.startswith("pcrm: error: ") and "30d, 2w" in said
    ok(cli("contact", "add", "Grace Hopper", "--company", "Navy"))
    assert "company: Navy" in ok(cli("contact", "show", "grace"))


def test_a_field_with_choices_still_reads_them(cli: Callable[..., Result]) -> None:
    ok(cli("field", "add", "tier", "--type", "choice", "--choices", "gold,silver"))
    ok(cli("contact", "add", "Ada Lovelace"))
    ok(cli("contact", "edit", "ada", "--set", "tier=gold"))
    assert "gold" in ok(cli("contact", "show", "ada"))
    assert "(use one of: gold, silver)" in error(
        cli("contact", "edit", "ada", "--set", "tier=bronze")
    )


def test_an_ambiguous_number_in_a_number_field_is_still_refused(
    cli: Callable[..., Result],
) -> None:
    """The amounts' rules (core/deals/money.py) are imported only when a number is written."""
    ok(cli("field", "add", "budget", "--type", "number"))
    ok(cli("contact", "add", "Ada Lovelace"))
    said = error(cli("contact", "edit", "ada", "--set", "budget=1.234"))
    assert '"1.234" is ambiguous: 1.234 or 1234?' in said
    assert "set a number style: pcrm config set number-style 1.234,56" in said
    ok(cli("contact", "edit", "ada", "--set", "budget=1234.5"))
    assert "1234.5" in ok(cli("contact", "show", "ada"))


def test_leap_years_are_calendars() -> None:
    assert [year for year in range(1600, 2801) if _leap(year)] == [
        year for year in range(1600, 2801) if calendar.isleap(year)
    ]


def _clean_as_before(text: str | None, *, one_line: bool = False) -> str:
    """render/safe.py's clean() before its plain-ASCII shortcut, for comparison."""
    unsafe = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
    if not text:
        return ""
    text = unsafe.sub(
        lambda m: (
            f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100 else f"\\u{ord(m.group()):04x}"
        ),
        text,
    )
    if one_line:
        text = " ⏎ ".join(part.strip() for part in text.splitlines() if part.strip())
        text = text.replace("\t", " ")
    return text


def test_clean_text_is_the_same_with_the_plain_ascii_shortcut() -> None:
    pieces = ["", " ", "  ", "Ada", "a b", "\t", "\n", "\r\n", "\x1b[31m", "\x7f", "\x85",
              "\x0b", "\x0c", "\x1c", "é", "\u202e", "\u2028", "~", "!?"]  # fmt: skip
    for one_line in (False, True):
        for a in pieces:
            for b in pieces:
                for c in ("", " x ", "\tq"):
                    text = a + b + c
                    assert clean(text, one_line=one_line) == _clean_as_before(
                        text, one_line=one_line
                    ), (text, one_line)
    assert clean(None) == "" and clean("", one_line=True) == ""
