"""The board's next step (core/deals/board.py) through the CLI: a deal's earliest open follow-up
comes before its planned interactions, shown by its day (or time) in Berlin."""

from __future__ import annotations

import pytest

from conftest import NOW


@pytest.fixture
def ok(cli):
    def invoke(*args: str) -> str:
        result = cli(*args, now=NOW, env={"TZ": "Europe/Berlin"})
        assert result.exit_code == 0, result.stderr
        return result.stdout

    return invoke


@pytest.fixture
def run(cli):
    def invoke(*args: str, **kwargs):
        return cli(*args, now=NOW, env={"TZ": "Europe/Berlin"}, **kwargs)

    return invoke


@pytest.fixture
def ada(ok):
    ok("contact", "add", "Ada Lovelace")


def test_the_board_prefers_the_deals_earliest_open_follow_up(ok, run, ada):
    ok("deal", "add", "20 seats", "--value", "12k", "--contact", "ada")
    ok("log", "ada", "Call back", "--kind", "call", "--at", "2026-12-01 10:00", "--deal", "1")

    def card() -> str:
        return ok("pipeline").splitlines()[3]

    prefix = "1\t20 seats\t\t12000.00\tEUR\t0 days in stage\t"
    assert card() == prefix + "next 2026-12-01T09:00:00Z call: Call back"
    ok("follow-up", "ada", "Send quote", "--due", "2026-11-30", "--deal", "1")
    ok("follow-up", "ada", "Earlier", "--due", "2026-11-29 9am", "--deal", "1")
    ok("follow-up", "ada", "Not this deal", "--due", "today")
    assert card() == prefix + "next 2026-11-29T08:00:00Z follow-up: Earlier"
    terminal = run("pipeline", terminal=True, width=80).stdout
    assert "next: follow-up in 6 days — Earlier" in terminal
    ok("task", "done", "2")
    assert card() == prefix + "next 2026-11-30 follow-up: Send quote"
    assert (
        "next: follow-up in 7 days — Send quote" in run("pipeline", terminal=True, width=80).stdout
    )
    ok("task", "done", "1")
    assert card() == prefix + "next 2026-12-01T09:00:00Z call: Call back"
