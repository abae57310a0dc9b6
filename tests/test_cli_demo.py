"""`pcrm demo`: a named file full of sample data, shown; never the user's own database."""

from __future__ import annotations

import shlex
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from dateutil import tz

from conftest import NOW, dump
from pcrm.render.demo import NEXT


def query(path: Path, sql: str) -> list[tuple]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def content(path: Path) -> list[tuple]:
    """Everything a user would read in the demo, without the random uids."""
    return query(
        path,
        "SELECT c.id, c.name, c.title, c.source, c.birthday, c.created_at, co.name,"
        " (SELECT group_concat(email) FROM contact_emails WHERE contact_id = c.id),"
        " (SELECT group_concat(phone) FROM contact_phones WHERE contact_id = c.id)"
        " FROM contacts c LEFT JOIN companies co ON co.id = c.company_id ORDER BY c.id",
    ) + query(path, "SELECT id, at, kind, text, company_id FROM interactions ORDER BY id")


@pytest.fixture
def demo_path(tmp_path: Path) -> Path:
    return tmp_path / "demo.db"


def test_demo_writes_the_named_file_then_shows_it(cli, demo_path, db_path):
    result = cli("demo", str(demo_path))
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    lines = result.stdout.splitlines()
    summary = (
        f"created demo database {demo_path}: 12 companies, 40 contacts, 150 interactions,"
        " 13 deals, 6 follow-ups"
    )
    assert lines[-10:] == [
        summary,
        "",
        "try next:",
        f"  pcrm --db {demo_path} show kestrel",
        f"  pcrm --db {demo_path} contact list --sort stale --limit 10",
        f"  pcrm --db {demo_path} search quote",
        f"  pcrm --db {demo_path} pipeline --stale",
        f"  pcrm --db {demo_path} agenda",
        f"  pcrm --db {demo_path} digest",
        f"  pcrm --db {demo_path} report funnel",
    ]
    assert "Sales: 10 deals open, 2 stale" in lines  # the board, before the summary
    assert lines[lines.index("coming up:") + 1 :][:3] == [
        "2026-11-25T14:00:00Z\tmeeting\tAda Lovelace, Grace Okonkwo\t"
        "Contract walkthrough with their legal team",
        "2026-11-30T09:30:00Z\tdemo\tÅsa Lindqvist\tDemo for the procurement team in Oslo",
        "2026-12-02T10:00:00Z\tmeeting\tJürgen Weiß\tSite visit in Stuttgart to plan the renewal",
    ]
    assert lines[1] == "2026-11-23T08:00:00Z\tcall\tAda Lovelace\tCall: wants a quote for 20 seats"
    assert "contact 1: Ada Lovelace" in lines
    assert "next touch: 2026-11-25T14:00:00Z" in lines
    assert not db_path.exists()  # $PCRM_DB, the user's own file, is not created


def test_the_file_holds_exact_counts(cli, demo_path):
    assert cli("demo", str(demo_path)).exit_code == 0
    counts = query(
        demo_path,
        "SELECT (SELECT count(*) FROM companies), (SELECT count(*) FROM contacts),"
        " (SELECT count(*) FROM interactions), (SELECT count(*) FROM interaction_contacts),"
        " (SELECT count(*) FROM contact_emails), (SELECT count(*) FROM contact_phones),"
        f" (SELECT count(*) FROM interactions WHERE at > '{NOW:%Y-%m-%dT%H:%M:%SZ}')",
    )
    assert counts == [(12, 40, 150, 162, 43, 42, 3)]


def test_same_seed_and_clock_give_the_same_demo(cli, tmp_path):
    assert cli("demo", str(tmp_path / "a.db")).exit_code == 0
    assert cli("demo", str(tmp_path / "b.db")).exit_code == 0
    first = content(tmp_path / "a.db")
    assert first == content(tmp_path / "b.db")
    # Another clock moves the dates along, but the people and their stories stay.
    assert cli("demo", str(tmp_path / "c.db"), now=NOW + timedelta(days=30)).exit_code == 0
    later = content(tmp_path / "c.db")
    assert [row[1] for row in later[:40]] == [row[1] for row in first[:40]]
    assert sorted(row[2:4] for row in later[40:]) == sorted(row[2:4] for row in first[40:])
    assert later != first


def test_the_data_looks_like_a_real_crm(cli, demo_path):
    assert cli("demo", str(demo_path)).exit_code == 0
    names = {row[0] for row in query(demo_path, "SELECT name FROM contacts")}
    assert {"Zoë Fontaine", "José Álvarez", "Åsa Lindqvist", "Nguyễn Thị Mai"} <= names
    kinds = {row[0] for row in query(demo_path, "SELECT DISTINCT kind FROM interactions")}
    assert kinds == {"call", "email", "meeting", "demo", "message", "note"}
    sources = {row[0] for row in query(demo_path, "SELECT DISTINCT source FROM contacts")}
    assert {"referral", "website", "event", "linkedin"} <= sources
    industries = query(demo_path, "SELECT count(DISTINCT industry) FROM companies")
    assert industries == [(12,)]
    two_emails = query(
        demo_path,
        "SELECT count(*) FROM (SELECT contact_id FROM contact_emails GROUP BY contact_id"
        " HAVING count(*) > 1)",
    )
    assert two_emails[0][0] >= 3
    assert query(demo_path, "SELECT count(*) FROM contacts WHERE birthday IS NOT NULL")[0][0] >= 8
    together = query(
        demo_path,
        "SELECT count(*) FROM (SELECT interaction_id FROM interaction_contacts"
        " GROUP BY interaction_id HAVING count(*) = 2)",
    )
    assert together[0][0] >= 10
    # Six months back, on working days; only the planned meetings lie ahead.
    for (at,) in query(demo_path, "SELECT at FROM interactions"):
        moment = datetime.fromisoformat(at.replace("Z", "+00:00"))
        assert NOW - timedelta(days=185) < moment < NOW + timedelta(days=14)
        assert moment.weekday() < 5, at
    # Each person was added before anything was logged with them.
    assert query(
        demo_path,
        "SELECT count(*) FROM interactions i JOIN interaction_contacts ic"
        " ON ic.interaction_id = i.id JOIN contacts c ON c.id = ic.contact_id"
        " WHERE i.at < c.created_at",
    ) == [(0,)]


def test_a_second_run_without_force_fails_and_changes_nothing(cli, demo_path):
    assert cli("demo", str(demo_path)).exit_code == 0
    before = demo_path.read_bytes()
    result = cli("demo", str(demo_path), now=NOW + timedelta(days=1))
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (
        f"pcrm: error: {demo_path} already exists"
        " (add --force to replace it, or give another file name)\n"
    )
    assert demo_path.read_bytes() == before
    assert sorted(p.name for p in demo_path.parent.iterdir()) == ["demo.db"]


def test_force_replaces_the_file(cli, demo_path):
    assert cli("demo", str(demo_path)).exit_code == 0
    added = cli("--db", str(demo_path), "contact", "add", "Someone New")
    assert added.stdout == "added contact 41 Someone New\n"
    result = cli("demo", str(demo_path), "--force", "--quiet")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == (
        f"replaced demo database {demo_path}: 12 companies, 40 contacts, 150 interactions,"
        " 13 deals, 6 follow-ups\n"
    )
    assert query(demo_path, "SELECT count(*) FROM contacts WHERE name = 'Someone New'") == [(0,)]
    assert query(demo_path, "SELECT count(*) FROM contacts") == [(40,)]
    assert sorted(p.name for p in demo_path.parent.iterdir()) == ["demo.db"]
    assert demo_path.stat().st_mode & 0o777 == 0o600


def test_force_does_not_replace_a_file_that_is_not_a_database(cli, tmp_path):
    notes = tmp_path / "notes.txt"
    notes.write_text("my notes\n")
    result = cli("demo", str(notes), "--force")
    assert result.exit_code == 1
    assert result.stderr == (
        f"pcrm: error: {notes} is not an SQLite database; not replacing it"
        " (give another file name)\n"
    )
    assert notes.read_text() == "my notes\n"


def test_without_path_it_writes_pcrm_demo_db_here(cli, tmp_path, monkeypatch, db_path):
    monkeypatch.chdir(tmp_path)
    result = cli("demo", "--quiet")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == (
        "created demo database pcrm-demo.db: 12 companies, 40 contacts, 150 interactions,"
        " 13 deals, 6 follow-ups\n"
    )
    assert (tmp_path / "pcrm-demo.db").exists()
    assert not db_path.exists()


def test_db_option_names_the_file_when_no_path_is_given(cli, tmp_path):
    chosen, other = tmp_path / "chosen.db", tmp_path / "other.db"
    assert cli("--db", str(chosen), "demo", "-q").exit_code == 0
    assert chosen.exists()
    assert cli("--db", str(chosen), "demo", str(other), "-q").exit_code == 0  # PATH wins
    assert other.exists()


@pytest.mark.parametrize("how", ["path", "--db"])
def test_never_writes_into_the_users_own_database(cli, db_path, how):
    cli("contact", "add", "My Real Friend")
    before = dump(db_path)
    args = ["demo", str(db_path), "--force"] if how == "path" else ["--db", str(db_path), "demo"]
    result = cli(*args)
    assert result.exit_code == 1
    assert result.stderr == (
        f"pcrm: error: {db_path} is your pcrm database; the demo never writes there"
        " (give another file, e.g. pcrm demo pcrm-demo.db)\n"
    )
    assert dump(db_path) == before


def test_a_folder_is_refused(cli, tmp_path):
    result = cli("demo", str(tmp_path))
    assert result.exit_code == 1
    assert result.stderr == (
        f"pcrm: error: {tmp_path} is a folder (give a file name, e.g. pcrm-demo.db)\n"
    )


def test_a_path_that_cannot_be_created_is_a_clear_error(cli, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    result = cli("demo", str(blocker / "demo.db"))
    assert result.exit_code == 1
    assert result.stderr == (
        f"pcrm: error: {blocker} is not a folder (give another path for the demo)\n"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file"]


def test_a_path_with_spaces_is_quoted_in_the_next_commands(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = cli("demo", "my demo.db")
    assert result.exit_code == 0, result.stderr
    assert "  pcrm --db 'my demo.db' show kestrel" in result.stdout.splitlines()


def test_each_suggested_command_works_on_the_demo(cli, demo_path):
    assert cli("demo", str(demo_path)).exit_code == 0
    for command in NEXT:
        result = cli("--db", str(demo_path), *shlex.split(command))
        assert result.exit_code == 0, (command, result.stderr)
        assert result.stdout.strip(), command


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["contact", "list", "--limit", "0", "--json"], 40),
        (["company", "list", "--json"], 12),
        (["timeline", "zoe", "--limit", "0", "--json"], None),
        (["show", "ada", "--json"], None),
        (["show", "jose"], None),
        (["search", "proposal", "--json"], None),
    ],
)
def test_the_demo_is_an_ordinary_pcrm_database(cli, demo_path, args, expected):
    import json

    assert cli("demo", str(demo_path), "-q").exit_code == 0
    result = cli("--db", str(demo_path), *args)
    assert result.exit_code == 0, result.stderr
    if expected is not None:
        assert len(json.loads(result.stdout)) == expected
    else:
        assert result.stdout.strip()


def test_on_a_terminal_it_fits_80_columns(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = cli("demo", terminal=True, width=80)
    assert result.exit_code == 0, result.stderr
    lines = [line.rstrip() for line in result.stdout.splitlines()]
    assert max(len(line) for line in lines) <= 80
    assert lines[0] == "Latest activity"
    assert lines[1] == "  2 hours ago  call     Ada Lovelace: Call: wants a quote for 20 seats"
    assert "Coming up" in lines
    assert "Ada Lovelace  CTO at Analytical Engines  contact 1" in lines
    assert "Last touch 2 hours ago   Next in 2 days   11 interactions" in lines
    assert "Sales  10 deals open, 2 stale" in lines
    assert lines[-(4 + len(NEXT)) :] == [  # the summary wraps at 80 columns
        "created demo database pcrm-demo.db: 12 companies, 40 contacts, 150 interactions,",
        "13 deals, 6 follow-ups",
        "",
        "Try next",
        *(f"  pcrm --db pcrm-demo.db {command}" for command in NEXT),
    ]


@pytest.mark.parametrize(
    ("zone", "now"),
    [
        ("Pacific/Auckland", datetime(2026, 11, 28, 23, 30, tzinfo=UTC)),  # Sunday there
        ("America/New_York", datetime(2027, 3, 14, 7, 0, tzinfo=UTC)),  # clocks go forward
    ],
)
def test_working_days_are_local_whatever_the_clock(cli, demo_path, monkeypatch, zone, now):
    monkeypatch.setenv("TZ", zone)
    assert cli("demo", str(demo_path), "-q", now=now).exit_code == 0
    local = tz.gettz(zone)
    for (at,) in query(demo_path, "SELECT at FROM interactions WHERE text NOT LIKE 'Call: wants%'"):
        moment = datetime.fromisoformat(at.replace("Z", "+00:00")).astimezone(local)
        assert moment.weekday() < 5, at
        assert 8 <= moment.hour <= 17, at
    assert query(
        demo_path, f"SELECT count(*) FROM interactions WHERE at > '{now:%Y-%m-%dT%H:%M:%SZ}'"
    ) == [(3,)]


def test_control_characters_in_the_path_are_not_printed(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = cli("demo", "evil\x1b[2J.db", "-q")
    assert result.exit_code == 0, result.stderr
    assert "\x1b" not in result.stdout
    assert result.stdout.startswith("created demo database evil\\x1b[2J.db: ")
