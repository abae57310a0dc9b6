"""Start-up, round 3 (issue 18): what every write command does on open, made lazy.

The change journal reads the schema's tables (journaled_tables) only when the command
first writes a table that may be journaled: a quiet `agenda --cron`, which writes only its
run record, never reads them. These tests watch the statements SQLite runs (its trace
callback, on a real file) and check that what is recorded, and what undo gives back, is
as before."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from conftest import ok, rows
from pcrm.core.journal import Capture
from pcrm.store.db import session

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
TABLE_LIST = "pragma_table_list"  # what journaled_tables reads


def traced(db_path: Path, writes: list[str]) -> tuple[list[str], int | None]:
    """Run `writes` in one write session with the journal on; the statements SQLite ran
    and the change recorded (None: none)."""
    statements: list[str] = []
    with session(db_path, write=True) as db:
        db.conn.set_trace_callback(statements.append)
        capture = Capture.start(db)
        assert capture is not None
        for sql in writes:
            db.execute(sql)
        change = capture.finish(NOW, ["test"])
        db.conn.set_trace_callback(None)
    return statements, change


RUN = (
    "INSERT INTO agenda_runs(ran_at, day, zone, delivery, status)"
    " VALUES ('2026-11-23T10:00:00Z', '2026-11-23', 'UTC', 'print', 'silent')"
)


def test_a_write_to_an_unjournaled_table_reads_no_table_list(cli, db_path: Path):
    ok(cli("contact", "add", "Ada Lovelace"))
    changes = rows(db_path, "SELECT count(*) FROM changes")
    statements, change = traced(db_path, [RUN])
    assert change is None
    assert not any(TABLE_LIST in sql for sql in statements)
    assert not any("TEMP TRIGGER" in sql for sql in statements)
    assert rows(db_path, "SELECT status FROM agenda_runs") == [("silent",)]
    assert rows(db_path, "SELECT count(*) FROM changes") == changes


def test_the_first_journaled_write_reads_the_tables_once_and_is_recorded(cli, db_path: Path):
    ok(cli("contact", "add", "Ada Lovelace"))
    statements, change = traced(
        db_path,
        [
            RUN,
            "UPDATE contacts SET title = 'Countess' WHERE id = 1",
            "INSERT INTO tags(name) VALUES ('math')",
            "UPDATE contacts SET note = 'engine' WHERE id = 1",
        ],
    )
    assert change is not None
    assert sum(TABLE_LIST in sql for sql in statements) == 1
    assert rows(db_path, "SELECT summary FROM changes WHERE id = ?", (change,)) == [
        ("contacts ~2, tags +1",)
    ]
    ok(cli("undo"))
    assert rows(db_path, "SELECT title, note FROM contacts") == [(None, None)]
    assert rows(db_path, "SELECT count(*) FROM tags WHERE name = 'math'") == [(0,)]
    assert rows(db_path, "SELECT count(*) FROM agenda_runs") == [(1,)]  # not journaled


def test_a_first_write_through_the_search_index_is_journaled_too(cli, db_path: Path):
    """A statement whose first write is to a table the journal does not keep (the
    search index, by a trigger) is refused once, the tables read, and run again."""
    ok(cli("contact", "add", "Ada Lovelace"))
    ok(cli("log", "ada", "Call: before"))
    _statements, change = traced(
        db_path, ["UPDATE interactions SET text = 'Call: after' WHERE id = 1"]
    )
    assert change is not None
    assert ok(cli("search", "after")).count("Call: after") == 1
    ok(cli("undo"))
    assert rows(db_path, "SELECT text FROM interactions") == [("Call: before",)]
    assert "Call: before" in ok(cli("search", "before"))


def test_a_quiet_cron_run_records_its_run_and_no_change(cli, db_path: Path):
    ok(cli("contact", "add", "Ada Lovelace"))
    history = ok(cli("history"))
    assert ok(cli("agenda", "--cron")) == ""
    assert rows(db_path, "SELECT status, delivery FROM agenda_runs") == [("silent", "print")]
    assert ok(cli("history")) == history
    conn = sqlite3.connect(db_path)
    try:  # no journal trigger was left in the file
        assert conn.execute(
            "SELECT count(*) FROM sqlite_master WHERE name LIKE 'pcrm_capture%'"
        ).fetchone() == (0,)
    finally:
        conn.close()


# -- a group's sub-commands built when first used -----------------------------------------


def _eager(name: str, spec: str):
    """The group as Typer builds it whole (what _load did before)."""
    import importlib

    import typer.main

    from pcrm.cli.helpformat import Typer

    module_name, attribute = spec.split(":")
    holder = Typer(rich_markup_mode=None)
    holder.add_typer(getattr(importlib.import_module(module_name), attribute), name=name)
    return typer.main.get_group(holder).commands[name]


def _shape(command) -> object:
    """What a user meets of a command: its help, its parameters, its sub-commands."""
    params = [(p.name, tuple(p.opts), p.required, p.hidden if hasattr(p, "hidden") else None)
              for p in command.params]  # fmt: skip
    subs = {name: _shape(command.commands[name]) for name in getattr(command, "commands", {})}
    return (command.name, command.help, command.hidden, params, list(subs), subs)


def test_every_group_built_lazily_is_the_group_typer_builds():
    import typer

    from pcrm.cli.main import COMMANDS, _load

    groups = 0
    for name, spec in COMMANDS.items():
        lazy = _load(name, spec)
        module_name, attribute = spec.split(":")
        if not isinstance(getattr(__import__(module_name, fromlist=["x"]), attribute), typer.Typer):
            continue
        groups += 1
        assert _shape(lazy) == _shape(_eager(name, spec)), name
    assert groups >= 15


def test_contact_show_builds_only_show():
    from pcrm.cli.main import COMMANDS, _load

    group = _load("contact", COMMANDS["contact"])
    names = list(group.commands)
    assert names[:3] == ["add", "list", "show"] and "tag" in names
    shown = group.commands["show"]
    assert list(group.commands) == names  # still listed in the order defined
    assert list(group.commands._built) == ["show"]
    assert shown is group.commands["show"]


def test_a_lazily_built_command_still_refuses_bad_text(cli, db_path: Path):
    ok(cli("contact", "add", "Ada Lovelace"))
    result = cli("contact", "edit", "ada", "--title", "Count\udcffess")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert '--title "Count\\xffess" is not valid UTF-8' in result.stderr
    assert rows(db_path, "SELECT title FROM contacts") == [(None,)]


# -- shlex only for a REF that matches nothing ----------------------------------------------


def test_log_does_not_import_shlex_and_a_miss_still_quotes_the_search(tmp_path: Path):
    from test_startup_imports import run_pcrm

    db = tmp_path / "crm.db"
    run_pcrm(db, "contact", "add", "Ada Lovelace")
    result, modules = run_pcrm(db, "log", "ada", "Call: hi")
    assert result.stdout == "logged note 1 with Ada Lovelace\n"
    assert "shlex" not in modules
    assert rows(db, "SELECT text FROM interactions") == [("Call: hi",)]


def test_a_ref_that_matches_nothing_names_the_search_to_try(cli, db_path: Path):
    ok(cli("contact", "add", "Ada Lovelace"))
    result = cli("log", "zed o'x", "hi")
    assert result.exit_code == 1
    assert result.stderr == (
        "pcrm: error: no contact matches \"zed o'x\" (try: pcrm search 'zed o'\"'\"'x')\n"
    )
    result = cli("show", "zed o'x")
    assert result.stderr == (
        'pcrm: error: no contact or company matches "zed o\'x"'
        " (try: pcrm search 'zed o'\"'\"'x')\n"
    )
    assert rows(db_path, "SELECT count(*) FROM interactions") == [(0,)]


def test_the_search_hint_quotes_as_shlex_does():
    import itertools
    import shlex

    from pcrm.core.matching import search_hint

    pieces = ["", "ada", "A_1", "x@y.org", "+33", "a b", "o'x", '"', "é", "ß", "$", "-", "\t", "€"]
    for a, b in itertools.product(pieces, repeat=2):
        assert search_hint(a + b) == f"try: pcrm search {shlex.quote(a + b)}", a + b


# -- the terminal's table layout only where a table is drawn ---------------------------------


def test_piped_contact_show_with_a_deal_does_not_load_the_table_layout(tmp_path: Path):
    from test_startup_imports import run_pcrm

    db = tmp_path / "crm.db"
    run_pcrm(db, "contact", "add", "Ada Lovelace", "-e", "ada@x.org")
    run_pcrm(db, "deal", "add", "Engine", "--contact", "ada", "--value", "1200")
    run_pcrm(db, "log", "ada", "Call: hi")
    result, modules = run_pcrm(db, "contact", "show", "ada")
    assert result.stdout.splitlines()[:2] == ["contact 1: Ada Lovelace", "email: ada@x.org"]
    assert "deal: 1\tEngine\tQualified\t1200.00\tEUR\t" in result.stdout.splitlines()
    assert result.stdout.splitlines()[-1].endswith("\tnote\tAda Lovelace\tCall: hi")
    assert "pcrm.render.fit" not in modules
    result, modules = run_pcrm(db, "timeline", "ada")
    assert result.stdout.splitlines() == [
        "2026-11-23T10:00:00Z\tnote\t\tCall: hi",
        "2026-11-23T10:00:00Z\tadded\tcontact Ada Lovelace added\t",
        '2026-11-23T10:00:00Z\tdeal\t"Engine" opened in Qualified\t',
    ]
    assert "pcrm.render.fit" not in modules


def test_a_mistyped_sub_command_is_still_told_what_was_meant(cli, db_path: Path):
    ok(cli("contact", "add", "Ada Lovelace"))
    result = cli("contact", "shw", "ada")
    assert result.exit_code == 2
    assert "No such command 'shw'. Did you mean 'show'?" in result.stderr
    commands = ok(cli("contact", "--help")).split("Commands:")[1].splitlines()
    names = [line.split()[0] for line in commands if line[:2] == "  " and line[2:3].isalpha()]
    assert names[:3] == ["add", "list", "show"] and "tag" in names
