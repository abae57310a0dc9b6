"""A deal's history: the exact rows each move, win, loss, reopening, stage removal and
pipeline removal writes, and the time in each stage computed from them."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from conftest import NOW, dump, ok
from pcrm.core.deals.history import spells
from pcrm.core.deals.models import StageSpell


def day(n: int) -> datetime:
    """NOW plus n days."""
    return NOW + timedelta(days=n)


def stamp(n: int) -> str:
    return (NOW + timedelta(days=n)).strftime("%Y-%m-%dT%H:%M:%SZ")


def history(db_path: Path, deal_id: int = 1) -> list[tuple]:
    conn = sqlite3.connect(db_path)
    try:
        return conn.execute(
            "SELECT at, from_stage_id, from_stage, to_stage_id, to_stage, from_status, to_status,"
            " note FROM deal_history WHERE deal_id = ? ORDER BY id",
            [deal_id],
        ).fetchall()
    finally:
        conn.close()


def deal_state(db_path: Path, deal_id: int = 1) -> tuple:
    conn = sqlite3.connect(db_path)
    try:
        return conn.execute(
            "SELECT pipeline_id, stage_id, status, stage_entered_at, closed_at FROM deals"
            " WHERE id = ?",
            [deal_id],
        ).fetchone()
    finally:
        conn.close()


def time_in_stage(cli, ref: str, now: datetime) -> list[str]:
    out = ok(cli("deal", "show", ref, now=now))
    return [line.removeprefix("in stage: ") for line in out.splitlines() if line.startswith("in ")]


def test_creation_move_won_reopen_lost_reopen(cli, db_path):
    ok(cli("deal", "add", "Seats", now=day(0)))
    ok(cli("deal", "move", "seats", "demo", now=day(2)))
    ok(cli("deal", "move", "seats", "proposal", now=day(5)))
    ok(cli("deal", "won", "seats", now=day(6)))
    ok(cli("deal", "reopen", "seats", now=day(8)))
    ok(cli("deal", "move", "seats", "negotiation", now=day(9)))
    ok(cli("deal", "lost", "seats", "--reason", "budget cut", now=day(12)))
    ok(cli("deal", "reopen", "seats", now=day(20)))
    assert history(db_path) == [
        (stamp(0), None, None, 1, "Qualified", None, "open", None),
        (stamp(2), 1, "Qualified", 3, "Demo", "open", "open", None),
        (stamp(5), 3, "Demo", 4, "Proposal", "open", "open", None),
        (stamp(6), 4, "Proposal", 4, "Proposal", "open", "won", None),
        (stamp(8), 4, "Proposal", 4, "Proposal", "won", "open", None),
        (stamp(9), 4, "Proposal", 5, "Negotiation", "open", "open", None),
        (stamp(12), 5, "Negotiation", 5, "Negotiation", "open", "lost", "budget cut"),
        (stamp(20), 5, "Negotiation", 5, "Negotiation", "lost", "open", None),
    ]
    assert deal_state(db_path) == (1, 5, "open", stamp(20), None)
    # Time while won or lost counts nowhere; a reopened deal starts a new stretch.
    assert time_in_stage(cli, "seats", day(23)) == [
        f"Qualified\t2\t{stamp(0)}\t{stamp(2)}\tmoved",
        f"Demo\t3\t{stamp(2)}\t{stamp(5)}\tmoved",
        f"Proposal\t1\t{stamp(5)}\t{stamp(6)}\twon",
        f"Proposal\t1\t{stamp(8)}\t{stamp(9)}\tmoved",
        f"Negotiation\t3\t{stamp(9)}\t{stamp(12)}\tlost",
        f"Negotiation\t3\t{stamp(20)}\t\t",
    ]


def test_failed_changes_write_no_history(cli, db_path):
    ok(cli("deal", "add", "Seats"))
    ok(cli("deal", "won", "seats"))
    before = dump(db_path)
    for args in (
        ("move", "seats", "demo"),
        ("won", "seats"),
        ("lost", "seats", "--reason", "x"),
    ):
        assert cli("deal", *args).exit_code == 1
    assert dump(db_path) == before
    ok(cli("deal", "reopen", "seats", now=day(1)))
    rows = history(db_path)
    assert [row[5:7] for row in rows] == [(None, "open"), ("open", "won"), ("won", "open")]
    assert cli("deal", "reopen", "seats").exit_code == 1
    ok(cli("deal", "move", "seats", "qualified"))  # already there: no row
    assert history(db_path) == rows


def test_removing_a_stage_moves_its_deals_and_says_so_in_their_history(cli, db_path):
    ok(cli("deal", "add", "Open one", "--stage", "demo", now=day(0)))
    ok(cli("deal", "add", "Won one", "--stage", "demo", now=day(0)))
    ok(cli("deal", "won", "won one", now=day(1)))
    ok(cli("stage", "rm", "demo", "--to", "proposal", now=day(3)))
    assert history(db_path, 1) == [
        # The removed stage's id is gone (NULL); its name stays.
        (stamp(0), None, None, None, "Demo", None, "open", None),
        (stamp(3), None, "Demo", 4, "Proposal", "open", "open", "stage Demo removed"),
    ]
    assert history(db_path, 2)[-1] == (
        stamp(3), None, "Demo", 4, "Proposal", "won", "won", "stage Demo removed",
    )  # fmt: skip
    assert deal_state(db_path, 1) == (1, 4, "open", stamp(3), None)
    assert deal_state(db_path, 2) == (1, 4, "won", stamp(3), stamp(1))
    assert time_in_stage(cli, "open one", day(4)) == [
        f"Demo\t3\t{stamp(0)}\t{stamp(3)}\tmoved",
        f"Proposal\t1\t{stamp(3)}\t\t",
    ]


def test_renaming_a_stage_keeps_the_old_name_in_history_and_one_stretch(cli, db_path):
    ok(cli("deal", "add", "Seats", now=day(0)))
    ok(cli("stage", "edit", "qualified", "--name", "Lead", now=day(1)))
    ok(cli("deal", "move", "seats", "demo", now=day(2)))
    assert [row[2:5] for row in history(db_path)] == [
        (None, 1, "Qualified"),
        ("Lead", 3, "Demo"),
    ]
    assert time_in_stage(cli, "seats", day(2))[0] == f"Qualified\t2\t{stamp(0)}\t{stamp(2)}\tmoved"


def test_removing_a_pipeline_moves_deals_to_the_same_position(cli, db_path):
    ok(cli("pipeline", "add", "Partners", "--stage", "Intro", "--stage", "Pilot"))
    ok(cli("deal", "add", "First", "--pipeline", "partners", now=day(0)))
    ok(cli("deal", "add", "Second", "--pipeline", "partners", "--stage", "pilot", now=day(0)))
    ok(cli("deal", "lost", "second", "--reason", "no fit", now=day(1)))
    ok(cli("pipeline", "rm", "partners", "--to", "sales", "--yes", now=day(2)))
    assert history(db_path, 1)[-1] == (
        stamp(2), None, "Intro", 1, "Qualified", "open", "open", "pipeline Partners removed",
    )  # fmt: skip
    assert history(db_path, 2)[-1] == (
        stamp(2), None, "Pilot", 2, "Contact made", "lost", "lost", "pipeline Partners removed",
    )  # fmt: skip
    assert deal_state(db_path, 1)[:3] == (1, 1, "open")
    assert deal_state(db_path, 2)[:3] == (1, 2, "lost")


def test_a_longer_pipeline_lands_its_later_stages_on_the_last(cli, db_path):
    ok(cli("pipeline", "add", "Short", "--stage", "One", "--stage", "Two"))
    ok(cli("deal", "add", "Late", "--stage", "negotiation", now=day(0)))
    ok(cli("pipeline", "default", "short"))
    ok(cli("pipeline", "rm", "sales", "--to", "short", "--yes", now=day(1)))
    assert history(db_path)[-1][2:5] == ("Negotiation", 7, "Two")


# -- spells from rows ------------------------------------------------------------------


def at(n: float) -> str:
    return (datetime(2026, 1, 1, tzinfo=UTC) + timedelta(days=n)).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_spells_count_whole_days_and_end_at_now_when_still_open():
    now = datetime(2026, 1, 10, 12, tzinfo=UTC)
    rows = [(at(0), 1, "A", "open"), (at(1.9), 2, "B", "open")]
    assert spells(rows, now) == [
        StageSpell("A", at(0), at(1.9), 1, "moved"),
        StageSpell("B", at(1.9), None, 7, None),
    ]


def test_spells_skip_closed_time_and_stage_changes_while_closed():
    now = datetime(2026, 2, 1, tzinfo=UTC)
    rows = [
        (at(0), 1, "A", "open"),
        (at(2), 1, "A", "lost"),
        (at(3), 2, "B", "lost"),  # its stage removed while it was lost
        (at(5), 2, "B", "open"),
        (at(5.5), 2, "B", "won"),
    ]
    assert spells(rows, now) == [
        StageSpell("A", at(0), at(2), 2, "lost"),
        StageSpell("B", at(5), at(5.5), 0, "won"),
    ]


@pytest.mark.parametrize("rows", [[], [(at(0), 1, "A", "won")]])
def test_no_spells_without_open_time(rows):
    assert spells(rows, datetime(2026, 2, 1, tzinfo=UTC)) == []
