"""One noun and one meaning per flag (follow-up, -w, --closing-before, --all, --yes), and
shell completion of REFs, tags, stages, kinds and follow-up ids from the database."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import dump, error, ok

# -- follow-up is the noun ----------------------------------------------------------------


@pytest.fixture
def ada(cli):
    ok(cli("contact", "add", "Ada Lovelace", "-e", "ada@example.org"))


def test_follow_up_is_a_group_whose_quick_add_still_works(cli, ada):
    assert ok(cli("follow-up", "ada", "Send the quote", "--due", "2026-11-27")) == (
        "added follow-up 1 Send the quote: due Fri 2026-11-27\n"
    )
    assert ok(cli("follow-up", "add", "ada", "Call", "--due", "2026-11-30")) == (
        "added follow-up 2 Call: due Mon 2026-11-30\n"
    )
    assert ok(cli("follow-up", "done", "1")) == "done follow-up 1 Send the quote\n"
    assert ok(cli("follow-up", "snooze", "2", "2026-12-01")) == (
        "snoozed follow-up 2 Call: due Tue 2026-12-01\n"
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


# -- shell completion from the database ---------------------------------------------------

PCRM = str(Path(sys.executable).parent / "pcrm")


def complete(line: str, *, shell: str = "bash", db: Path | None = None) -> list[str]:
    """What the shell would offer for the last word of `line` (a trailing space: a new
    word), through the protocol Typer's completion scripts use, in a real process."""
    env = {**os.environ, "_PCRM_COMPLETE": f"complete_{shell}"}
    if db is not None:
        env["PCRM_DB"] = str(db)
    if shell == "bash":
        words = line.split(" ")
        env |= {"COMP_WORDS": line, "COMP_CWORD": str(len(words) - 1)}
    else:
        env["_TYPER_COMPLETE_ARGS"] = line
    result = subprocess.run([PCRM], env=env, capture_output=True, text=True, timeout=60)
    assert (result.returncode, result.stderr) == (0, "")
    return [line for line in result.stdout.splitlines() if line]  # bash: "\n" for none


@pytest.fixture
def crm(cli, db_path):
    for args in (
        ("contact", "add", "Ada Lovelace", "-e", "ada@example.org", "-t", "vip,press"),
        ("contact", "add", "Adam Smith", "-c", "Analytical Engines"),
        ("contact", "add", "Zoë Müller", "-e", "zoe@muller.example", "-t", "prospect"),
        ("company", "add", "Kestrel Logistics"),
        ("deal", "add", "20 seats", "--contact", "ada@example.org"),
        ("follow-up", "ada@example.org", "Send the quote", "--due", "2026-11-27"),
        ("follow-up", "ada@example.org", "Call back", "--due", "2026-11-25"),
        ("follow-up", "done", "1"),
    ):
        ok(cli(*args))
    return db_path


def test_completes_names_of_the_kind_each_ref_takes(crm):
    before = dump(crm)
    assert complete("pcrm show ad") == ["Ada\\ Lovelace", "Adam\\ Smith"]
    assert complete("pcrm log zoe") == ["Zoë\\ Müller"]  # accents fold, as REFs do
    assert complete("pcrm log ada x --with AD") == ["Ada\\ Lovelace", "Adam\\ Smith"]
    assert complete("pcrm contact show ada@") == ["ada@example.org"]
    assert complete("pcrm company show ") == ["Analytical\\ Engines", "Kestrel\\ Logistics"]
    assert complete("pcrm contact add X -c ke") == ["Kestrel\\ Logistics"]
    assert complete("pcrm deal show 2") == ["20\\ seats"]
    assert complete("pcrm log ada x --deal 20") == ["20\\ seats"]
    assert complete("pcrm show company:k") == ["company:Kestrel\\ Logistics"]
    assert complete("pcrm follow-up add ad") == ["Ada\\ Lovelace", "Adam\\ Smith"]
    assert complete("pcrm follow-up ad") == ["add", "Ada\\ Lovelace", "Adam\\ Smith"]
    # zsh quotes for itself: the names come whole.
    assert "Ada Lovelace" in complete("pcrm show ad", shell="zsh")[0]
    assert dump(crm) == before  # read-only


def test_completes_tags_stages_kinds_and_follow_up_ids(crm):
    assert complete("pcrm contact list --tag p") == ["press", "prospect"]
    assert complete("pcrm contact add X --tag vip,pr") == ["vip,press", "vip,prospect"]
    assert complete("pcrm deal move 1 pro") == ["Proposal"]
    assert complete("pcrm deal add X --stage q") == ["Qualified"]
    assert complete("pcrm contact stage ada cu") == ["customer"]
    assert complete("pcrm contact list --stage l") == ["lead"]
    assert complete("pcrm log ada x --kind m") == ["meeting", "message"]
    assert complete("pcrm search x --kind c") == ["contact", "company"]
    assert complete("pcrm pipeline S") == ["Sales"]
    assert complete("pcrm follow-up done ") == ["2"]  # open ones only (1 is done)
    assert complete("pcrm task snooze ") == ["2"]  # the old name too
    # zsh shows each id with its text.
    assert complete("pcrm follow-up rm 2", shell="zsh") == [
        """_arguments '*: :(("2":"Call back"))'"""
    ]


def test_completion_is_silent_and_never_creates_the_file(tmp_path):
    missing = tmp_path / "nowhere" / "pcrm.db"
    assert complete("pcrm show ad", db=missing) == []
    assert not missing.parent.exists()
    garbage = tmp_path / "notes.txt"
    garbage.write_text("not a database\n")
    assert complete("pcrm show ad", db=garbage) == []
    assert garbage.read_text() == "not a database\n"
    assert complete("pcrm --db '' show ad") == []


def test_completion_reads_the_file_db_names(crm, tmp_path, cli):
    other = tmp_path / "other.db"
    ok(cli("--db", str(other), "contact", "add", "Adele Goldberg"))
    assert complete(f"pcrm --db {other} show ad", db=crm) == ["Adele\\ Goldberg"]
