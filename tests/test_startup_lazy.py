"""Start-up (issue 18): `pcrm --help` lists the commands without building them, piped and
--json output never imports Rich, and the change journal watches only the tables a
command writes while undo still covers every write."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import typer.main
from typer._click import HelpFormatter
from typer.core import TyperGroup

from conftest import Result, ok
from pcrm.cli.main import COMMANDS, SUMMARIES, app

PYTHON = sys.executable


def run_pcrm(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [PYTHON, "-m", "pcrm", *args],
        capture_output=True,
        text=True,
        env={**os.environ, "PCRM_NOW": "2026-11-23T10:00:00Z", **(env or {})},
        timeout=60,
    )


def rich_modules(result: subprocess.CompletedProcess[str]) -> set[str]:
    """The rich modules a process run with PYTHONPROFILEIMPORTTIME=1 imported."""
    modules = {
        line.split("|")[-1].strip()
        for line in result.stderr.splitlines()
        if line.startswith("import time:") and "|" in line
    }
    assert "typer" in modules  # the measurement works
    return {module for module in modules if module.split(".")[0] in ("rich", "markdown_it")}


def test_every_command_has_the_summary_its_help_gives() -> None:
    group = typer.main.get_command(app)
    assert list(SUMMARIES) == list(COMMANDS)
    for name in COMMANDS:
        built = group.commands[name]  # type: ignore[attr-defined]
        expected = None if built.hidden else built.get_short_help_str(10**6)
        assert SUMMARIES[name] == expected, name


@pytest.mark.parametrize("width", [50, 80, 120])
def test_the_command_list_is_what_click_writes_from_the_built_commands(width: int) -> None:
    group = typer.main.get_command(app)
    ctx = group.make_context("pcrm", ["--help"], resilient_parsing=True)
    lazy, built = HelpFormatter(width=width), HelpFormatter(width=width)
    group.format_commands(ctx, lazy)  # type: ignore[attr-defined]
    TyperGroup.format_commands(group, ctx, built)  # type: ignore[arg-type]  # builds each
    assert "log" in lazy.getvalue() and "task" not in lazy.getvalue().split()
    assert lazy.getvalue() == built.getvalue()


def test_help_builds_no_command() -> None:
    code = (
        "import sys\n"
        "from pcrm.cli.main import run\n"
        "sys.argv = ['pcrm', '--help']\n"
        "try:\n    run()\nexcept SystemExit:\n    pass\n"
        "print(' '.join(sorted(sys.modules)))\n"
    )
    result = subprocess.run([PYTHON, "-c", code], capture_output=True, text=True, timeout=60)
    assert "Score leads by rules and explain their scores." in result.stdout, result.stderr
    modules = set(result.stdout.splitlines()[-1].split())
    loaded = {m for m in modules if m.startswith("pcrm.cli.")}
    assert loaded == {"pcrm.cli.main", "pcrm.cli.env", "pcrm.cli.output", "pcrm.cli.helpformat"}


@pytest.fixture(scope="module")
def small_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("piped") / "crm.db"
    env = {"PCRM_DB": str(path)}
    for args in (
        ("contact", "add", "Ada Lovelace", "--email", "ada@example.org", "--company", "Analytical"),
        ("contact", "add", "Ada Lovelace", "--email", "ada@example.com", "--tag", "vip"),
        ("deal", "add", "Engines", "--value", "1200", "--contact", "ada@example.org"),
        ("log", "ada@example.org", "Call: wants a quote"),
        ("follow-up", "ada@example.org", "Send the quote", "--due", "yesterday"),
        ("score", "rule", "add", "+10 tag:vip"),
    ):
        assert run_pcrm(*args, env=env).returncode == 0, args
    return path


PIPED = [
    (("contact", "show", "ada@example.org"), "contact 1: Ada Lovelace"),
    (("contact", "list"), "ada@example.com"),
    (("contact", "list", "--json"), '"ada@example.org"'),
    (("score",), "Ada Lovelace"),
    (("dupes",), "Ada Lovelace"),
    (("company", "show", "analytical"), "company 1: Analytical"),
    (("company", "list"), "Analytical"),
    (("show", "ada@example.org"), "contact 1: Ada Lovelace"),
    (("deal", "show", "engines"), "Engines"),
    (("deal", "list"), "Engines"),
    (("stage", "list"), "Qualified"),
    (("pipeline",), "Engines"),
    (("agenda",), "Send the quote"),
    (("agenda", "--cron"), "Send the quote"),
    (("doctor",), "ok"),
    (("history",), "log"),
]


@pytest.mark.parametrize(("args", "shown"), PIPED, ids=lambda v: " ".join(v) if v else "")
def test_piped_output_does_not_import_rich(small_file: Path, args: tuple[str, ...], shown: str):
    env = {"PCRM_DB": str(small_file), "PYTHONPROFILEIMPORTTIME": "1"}
    result = run_pcrm(*args, env=env)
    assert result.returncode == 0, result.stderr[-300:]
    assert shown in result.stdout
    assert rich_modules(result) == set()


def test_the_same_views_on_a_terminal_draw_with_rich(small_file: Path) -> None:
    env = {"PCRM_DB": str(small_file), "PYTHONPROFILEIMPORTTIME": "1", "TTY_COMPATIBLE": "1"}
    for args in (("contact", "show", "ada@example.org"), ("dupes",)):
        result = run_pcrm(*args, env=env)
        assert result.returncode == 0, result.stderr[-300:]
        assert "rich.text" in rich_modules(result)


def _rows(db_path: Path) -> dict[str, list[tuple[object, ...]]]:
    conn = sqlite3.connect(db_path)
    try:
        tables = [
            name
            for (name,) in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite%'"
                " AND name NOT LIKE 'search_index%' AND name NOT IN ('changes', 'change_rows')"
            )
        ]
        return {t: sorted(conn.execute(f'SELECT * FROM "{t}"'), key=repr) for t in tables}
    finally:
        conn.close()


def test_log_is_journaled_and_undone(cli: Callable[..., Result], db_path: Path) -> None:
    ok(cli("contact", "add", "Ada Lovelace", "--company", "Analytical"))
    before = _rows(db_path)
    ok(cli("log", "ada", "Call: wants a quote", "--kind", "call"))
    assert "log ada" in ok(cli("history"))
    ok(cli("undo"))
    assert _rows(db_path) == before


def test_a_quiet_cron_run_records_no_change(cli: Callable[..., Result], db_path: Path) -> None:
    ok(cli("contact", "add", "Ada Lovelace"))
    ok(cli("agenda", "--cron"))
    conn = sqlite3.connect(db_path)
    try:
        assert conn.execute("SELECT count(*) FROM agenda_runs").fetchone()[0] == 1
        assert conn.execute("SELECT summary FROM changes").fetchall() == [("contacts +1",)]
    finally:
        conn.close()


def test_a_removal_and_its_cascades_are_undone_whole(
    cli: Callable[..., Result], db_path: Path
) -> None:
    """Removing a contact deletes its links through foreign keys (tables the command
    never names): the journal must watch those too."""
    ok(cli("contact", "add", "Ada Lovelace", "--email", "ada@example.org", "--tag", "vip"))
    ok(cli("log", "ada", "Call: wants a quote"))
    ok(cli("follow-up", "ada", "Send the quote", "--due", "tomorrow"))
    before = _rows(db_path)
    ok(cli("contact", "rm", "ada", "--yes"))
    assert _rows(db_path) != before
    ok(cli("undo"))
    assert _rows(db_path) == before


def test_an_import_written_with_executemany_is_undone(
    cli: Callable[..., Result], db_path: Path, tmp_path: Path
) -> None:
    ok(cli("contact", "add", "Bob Old", "--email", "bob@example.org"))
    before = _rows(db_path)
    csv = tmp_path / "people.csv"
    csv.write_text(
        "Name,Email,Company\n"
        "Ada Lovelace,ada@example.org,Analytical\n"
        "Bob Old,bob@example.org,Acme\n"
    )
    ok(cli("import", "contacts", str(csv)))
    assert "Ada Lovelace" in ok(cli("contact", "list"))
    ok(cli("undo"))
    assert _rows(db_path) == before


@pytest.mark.parametrize("width", [100, 60, 36, 20])
def test_a_list_table_reads_as_rich_s_table_drew_it(width: int) -> None:
    """The list tables are written as segments now; the text is what Rich's Table gave,
    down to widths where the kept columns no longer fit (Rich's table then)."""
    from rich.text import Text

    from pcrm.render.console import make_console
    from pcrm.render.fit import Column, FittedTable

    names = ["Ada Lovelace", "Zoë Ωmega-Ünïcode", "李小龍", "A very long name that will be cut"]
    table = FittedTable(
        [
            Column("ID", [Text(str(n)) for n in (1, 22, 333, 4444)], True, False, "right", "id"),
            Column("Name", [Text(name, "name") for name in names], True, style="name"),
            Column("Email", [Text(f"{n}@example.org") for n in ("ada", "zoe", "li", "x" * 40)]),
            Column("Tags", [Text("vip", "tag"), Text(""), Text("press, vip", "tag"), Text("")]),
        ],
        ["Email", "Tags"],
    )

    def drawn(renderable: object) -> str:
        console = make_console(width=width, plain=True)
        with console.capture() as captured:
            console.print(renderable)
        return captured.get()

    assert drawn(table) == drawn(table.table(width))
    assert "Ada Lovelace" in drawn(table) or width < 30


def test_a_write_after_a_savepoint_rolled_back_is_still_journaled(
    cli: Callable[..., Result], db_path: Path
) -> None:
    """Triggers made inside a savepoint go with its ROLLBACK TO (as `undo --dry-run` and
    `merge --dry-run` do): a later write must make them again, not go unrecorded."""
    from datetime import UTC, datetime

    from pcrm.core.journal import Capture
    from pcrm.store.db import session

    ok(cli("contact", "add", "Ada Lovelace"))
    with session(db_path, write=True) as db:
        capture = Capture.start(db)
        assert capture is not None
        db.execute("SAVEPOINT trial")
        db.execute("UPDATE contacts SET name = 'Tried' WHERE id = 1")
        db.execute("ROLLBACK TO trial")
        db.execute("RELEASE trial")
        db.execute("UPDATE contacts SET name = 'Ada King' WHERE id = 1")
        assert capture.finish(datetime(2026, 11, 23, tzinfo=UTC), ["rename"]) is not None
    assert "contacts ~1" in ok(cli("history", "--limit", "1"))
    ok(cli("undo"))
    assert "Ada Lovelace" in ok(cli("contact", "show", "1"))


def test_the_bench_s_one_command_floor_lists_its_command(tmp_path: Path) -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "bench_run_floor", Path(__file__).parent.parent / "bench" / "run.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    app_file = module.write_one_command_floor(tmp_path)
    listed = subprocess.run(
        [PYTHON, str(app_file), "--help"], capture_output=True, text=True, timeout=60
    )
    assert listed.returncode == 0, listed.stderr
    assert "cmd0" in listed.stdout and "cmd1" not in listed.stdout
