"""The command as a whole: entry points, start-up imports, exit codes, interrupts."""

from __future__ import annotations

import os
import subprocess
import sys

from pcrm import __version__

PYTHON = sys.executable


def run_pcrm(
    *args: str, env: dict[str, str] | None = None, **kwargs
) -> subprocess.CompletedProcess:
    return subprocess.run(
        [PYTHON, "-m", "pcrm", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=60,
        **kwargs,
    )


def modules_of(result: subprocess.CompletedProcess) -> set[str]:
    """Every module a process run with PYTHONPROFILEIMPORTTIME=1 imported."""
    return {
        line.split("|")[-1].strip()
        for line in result.stderr.splitlines()
        if line.startswith("import time:") and "|" in line
    }


def imported_modules(*args: str) -> set[str]:
    """Every module a whole `pcrm ARGS` process imports (python -X importtime)."""
    return modules_of(run_pcrm(*args, env={"PYTHONPROFILEIMPORTTIME": "1"}))


def test_version_and_python_dash_m(cli):
    assert cli("--version").stdout == f"pcrm {__version__}\n"
    result = run_pcrm("--version")
    assert result.returncode == 0
    assert result.stdout == f"pcrm {__version__}\n"


def test_help_does_not_load_the_database_layer_or_rich():
    modules = imported_modules("--help")
    assert "typer" in modules  # the measurement works
    heavy = {m for m in modules if m.split(".")[0] in {"sqlite_utils", "rich", "markdown_it"}}
    assert heavy == set()
    assert "dateutil.parser" not in modules


def test_log_does_not_load_rich_or_the_date_parser(db_path):
    assert run_pcrm("contact", "add", "Ada").returncode == 0
    modules = imported_modules("log", "ada", "Call: wants a quote", "--kind", "call")
    assert "pcrm.core.activity.interactions" in modules
    assert {m for m in modules if m.split(".")[0] == "rich"} == set()
    assert "dateutil.parser" not in modules


def test_a_quiet_cron_morning_does_not_load_rich(db_path):
    assert run_pcrm("contact", "add", "Ada").returncode == 0
    modules = imported_modules("agenda", "--cron")
    assert "pcrm.core.activity.agenda" in modules
    assert {m for m in modules if m.split(".")[0] == "rich"} == set()


def test_a_busy_cron_morning_does_not_load_rich(db_path):
    # The mail is plain text from render/grid.py: Rich is for terminals (issue 19).
    assert run_pcrm("contact", "add", "Ada Lovelace").returncode == 0
    assert run_pcrm("follow-up", "ada", "Send the quote", "--due", "yesterday").returncode == 0
    result = run_pcrm("agenda", "--cron", env={"PYTHONPROFILEIMPORTTIME": "1"})
    assert result.returncode == 0
    assert "Send the quote" in result.stdout
    modules = modules_of(result)
    assert "pcrm.render.agenda" in modules  # the measurement works
    assert {m for m in modules if m.split(".")[0] == "rich"} == set()


def test_piped_views_do_not_load_rich(db_path):
    # Their plain text comes from renderers that import Rich only to draw on a terminal.
    for args in (
        ("contact", "add", "Ada Lovelace"),
        ("log", "ada", "Call: wants a quote", "--kind", "call"),
        ("deal", "add", "Engines", "--value", "1200"),
    ):
        assert run_pcrm(*args).returncode == 0
    views = [
        ["search", "quote"],
        ["timeline", "ada"],
        ["pipeline"],
        ["report", "funnel"],
        ["report", "wins"],
        ["report", "pipeline"],
        ["report", "activity"],
    ]
    code = (  # one process runs every view: stdout is a pipe, so each prints plain text
        "import sys\n"
        "from pcrm.cli.main import run\n"
        f"for argv in {views!r}:\n"
        "    sys.argv = ['pcrm', *argv]\n"
        "    try:\n        run()\n    except SystemExit as exit:\n        assert not exit.code\n"
        "print(' '.join(sorted(sys.modules)))\n"
    )
    result = subprocess.run([PYTHON, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "Engines" in result.stdout and "wants a quote" in result.stdout
    modules = set(result.stdout.splitlines()[-1].split())
    assert {
        "pcrm.core.views.search",
        "pcrm.render.board_text",
        "pcrm.render.report_activity",
    } <= modules
    assert {m for m in modules if m.split(".")[0] == "rich"} == set()


def test_piped_agenda_and_task_list_do_not_load_rich(db_path):
    for args in (
        ("contact", "add", "Ada Lovelace", "--birthday", "--12-01", "--every", "30d"),
        ("follow-up", "ada", "Send the quote", "--due", "yesterday"),
        ("deal", "add", "Engines", "--value", "1200"),
    ):
        assert run_pcrm(*args).returncode == 0
    for args in (("agenda",), ("task", "list")):
        result = run_pcrm(*args, env={"PYTHONPROFILEIMPORTTIME": "1"})
        assert "Send the quote" in result.stdout
        modules = modules_of(result)
        assert "pcrm.core.activity.tasks" in modules  # the measurement works
        assert {m for m in modules if m.split(".")[0] == "rich"} == set()


def test_a_command_loads_only_its_own_module(db_path):
    assert run_pcrm("contact", "add", "Ada").returncode == 0
    # sys.modules, not -X importtime: importlib.import_module's own module is not timed.
    code = (
        "import sys\n"
        "from pcrm.cli.main import run\n"
        "sys.argv = ['pcrm', 'log', 'ada', 'Call: wants a quote']\n"
        "try:\n    run()\nexcept SystemExit:\n    pass\n"
        "print(' '.join(sorted(sys.modules)))\n"
    )
    result = subprocess.run([PYTHON, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.stdout.startswith("logged note 1 with Ada\n"), result.stderr
    modules = set(result.stdout.splitlines()[-1].split())
    commands = {m for m in modules if m.startswith("pcrm.cli.")} - {
        "pcrm.cli.main",
        "pcrm.cli.env",
        "pcrm.cli.output",
        "pcrm.cli.helpformat",
    }
    assert commands == {"pcrm.cli.interactions"}
    # The start-up budget (docs/performance.md): no sqlite-utils, no dateutil time zones,
    # and of the models only the interaction and the link it names.
    assert {m.split(".")[0] for m in modules} & {"sqlite_utils", "rich", "dateutil"} == set()
    models = {m for m in modules if m.startswith("pcrm.core.") and m.endswith((".models", ".base"))}
    assert models == {"pcrm.core.activity.models", "pcrm.core.base"}
