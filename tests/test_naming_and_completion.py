"""One noun and one meaning per flag (follow-up, -w, --closing-before, --all, --yes), and
shell completion of REFs, tags, stages, kinds and follow-up ids from the database."""

from __future__ import annotations

import json

import pytest

from conftest import dump, error, ok

# -- follow-up is the noun ----------------------------------------------------------------


@pytest.fixture
def ada(cli):
    ok(cli("contact", "add", "Ada Lovelace", "-e", "ada@example.org"))


def test_follow_up_is_a_group_whose_quick_add_still_works(cli, ada):
    assert ok(cli("follow-up", "ada", "Send the quote", "--due", "2026-11-27")) == (
        "added follow-up 1 Send the quote: due 2026-11-27\n"
    )
    assert ok(cli("follow-up", "add", "ada", "Call", "--due", "2026-11-30")) == (
        "added follow-up 2 Call: due 2026-11-30\n"
    )
    assert ok(cli("follow-up", "done", "1")) == "done follow-up 1 Send the quote\n"
    assert ok(cli("follow-up", "snooze", "2", "2026-12-01")) == (
        "snoozed follow-up 2 Call: due 2026-12-01\n"
    )
    piped = ok(cli("follow-up", "list"))
    assert piped.split("\t")[:5] == ["2", "2026-12-01", "", "upcoming", "Call"]
    on_terminal = ok(cli("follow-up", "list", "--include-done", terminal=True, width=80))
    assert "Send the quote" in on_terminal and "Call" in on_terminal
    assert ok(cli("follow-up", "rm", "2", "--yes")) == "removed follow-up 2 Call\n"


def test_task_still_works_as_a_hidden_old_name(cli, ada):
    ok(cli("follow-up", "ada", "Call", "--due", "2026-11-27"))
    ok(cli("task", "done", "1"))
    done = json.loads(ok(cli("task", "list", "--all", "--json")))
    assert [(row["id"], row["status"]) for row in done] == [(1, "done")]
    assert json.loads(ok(cli("follow-up", "list", "--include-done", "--json"))) == done
    top = ok(cli("--help"))
    assert "follow-up" in top and "\n  task " not in top
    group = ok(cli("follow-up", "--help"))
    assert "Usage: pcrm follow-up [OPTIONS] [REF TEXT] | COMMAND [ARGS]..." in group
    for name in ("add", "list", "done", "snooze", "edit", "rm"):
        assert f"\n  {name} " in group


def test_follow_up_errors_say_follow_up(cli, ada, db_path):
    before = dump(db_path)
    assert error(cli("follow-up", "done", "9")) == (
        "pcrm: error: no follow-up has id 9 (see: pcrm follow-up list --include-done)\n"
    )
    assert error(cli("follow-up", "list", "--today", "--include-done")) == (
        "pcrm: error: give one of --overdue, --today, --week and --include-done\n"
    )
    assert dump(db_path) == before
