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


# -- one meaning per flag -----------------------------------------------------------------


def test_each_short_flag_means_one_thing_in_every_help():
    from test_docs import COMMANDS  # every command, as the reference walks them

    seen: dict[str, set[str]] = {}
    for _ctx, command in COMMANDS:
        for param in command.params:
            if getattr(param, "hidden", False):
                continue
            shorts = [name for name in param.opts if len(name) == 2]
            longs = [name for name in param.opts if name.startswith("--")]
            for short in shorts:
                seen.setdefault(short, set()).add(longs[0] if longs else short)
    assert {short: names for short, names in seen.items() if len(names) > 1} == {}
    assert seen["-w"] == {"--where"}
    assert seen["-n"] == {"--limit"}


def test_old_short_flags_still_work_hidden(cli, ada, tmp_path):
    ok(cli("contact", "add", "Grace Hopper"))
    assert ok(cli("log", "ada", "Lunch", "-w", "grace")).startswith("logged ")
    help_text = ok(cli("log", "--help"))
    assert "--with REF" in help_text and "-w," not in help_text
    where = error(cli("contact", "list", "-w", "plan=pro"))  # -w is --where
    assert where.startswith('pcrm: error: no contact field named "plan"')
    grace = json.loads(ok(cli("timeline", "grace", "--json")))
    assert "Lunch" in [row["text"] for row in grace]
    assert json.loads(ok(cli("agenda", "-n", "3", "--json")))["days"] == 3  # --days
    ok(cli("stage", "add", "Pilot", "-p", "30"))  # --probability
    ok(cli("pipeline", "add", "Partners", "-s", "Intro", "-s", "Signed"))  # --stage
    assert "Partners" in ok(cli("report", "pipeline", "-p", "Partners"))  # --pipeline
    demo = tmp_path / "demo.db"
    demo.write_bytes(b"")
    ok(cli("demo", str(demo), "-f", "-q"))  # --force


def test_closing_before_on_the_board_as_in_deal_list(cli, ada):
    ok(cli("deal", "add", "Soon", "--value", "100", "--close", "2026-11-25"))
    ok(cli("deal", "add", "Later", "--value", "200", "--close", "2027-03-01"))
    board = ok(cli("pipeline", "--closing-before", "2026-11-30"))
    assert board.splitlines()[0] == "Sales: 1 deal open (only --closing-before 2026-11-30)"
    assert "Soon" in board and "Later" not in board
    assert ok(cli("pipeline", "--closing", "2026-11-30")) == board  # the old name, hidden
    listed = ok(cli("deal", "list", "--closing-before", "2026-11-30"))
    assert "Soon" in listed and "Later" not in listed
    on_terminal = ok(cli("pipeline", "show", "--help", terminal=True, width=80))
    assert "--closing-before WHEN" in on_terminal and "--closing WHEN" not in on_terminal


def test_yes_is_accepted_by_every_command_that_asks(cli, ada, db_path):
    ok(cli("company", "add", "Acme"))
    ok(cli("deal", "add", "Big one"))
    ok(cli("follow-up", "ada", "Call", "--due", "2026-11-27"))
    ok(cli("pipeline", "add", "Partners"))
    for command in (
        ("follow-up", "rm", "1"),
        ("deal", "rm", "1"),
        ("company", "rm", "acme"),
        ("contact", "rm", "ada"),
        ("pipeline", "rm", "Partners"),
    ):
        before = dump(db_path)
        refused = error(cli(*command))  # off a terminal, without --yes: refused
        assert "without confirmation (add --yes)" in refused
        assert dump(db_path) == before
        assert ok(cli(*command, "-y")).startswith("removed ")
