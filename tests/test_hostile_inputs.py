"""Hostile inputs (issue 14, "one clear line"): each case is a table row driving the commands
it concerns. Every bad input ends in one `pcrm: error:` line on stderr naming the problem and
what to do, exit 1 (2 for usage), no traceback and the database unchanged; every input that
is only unusual (a pipe, UTF-16 without a BOM, a read-only folder, a C locale) just works.

Cases that need what CliRunner cannot give run pcrm as a real process: argv bytes, a locale,
pipes and FIFOs, another user. The tests run as root, so permission cases drop to 'nobody'
(uid 65534) in the child; they are skipped when no Python interpreter is usable by nobody.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import dump, ok, one_line_error

ROOT = Path(__file__).resolve().parents[1]
HUGE = "99999999999999999999"  # past SQLite's integers (2**63 - 1)
NOBODY = 65534


def pcrm(
    db_path: Path,
    *args: str | bytes,
    env: dict[str, str] | None = None,
    python: str = sys.executable,
    user: int | None = None,
    **kwargs: object,
) -> subprocess.CompletedProcess[bytes]:
    """`pcrm ARGS` as a real process, its output as bytes (a locale may not be UTF-8)."""
    environment = {
        **os.environ,
        "PCRM_DB": str(db_path),
        "PCRM_NOW": "2026-11-23T10:00:00Z",
        "TZ": "UTC",
        **(env or {}),
    }
    environment.pop("PYTHONIOENCODING", None)
    if user is not None:
        environment["PYTHONPATH"] = os.pathsep.join(_import_paths())
        environment["HOME"] = str(db_path.parent)
    return subprocess.run(  # type: ignore[call-overload, no-any-return]
        [python, "-m", "pcrm", *args],
        capture_output=True,
        env=environment,
        timeout=120,
        preexec_fn=_as(user) if user is not None else None,
        cwd="/" if user is not None else None,
        **kwargs,
    )


def _as(uid: int) -> Callable[[], None]:
    def drop() -> None:
        os.setgroups([])
        os.setgid(uid)
        os.setuid(uid)

    return drop


def _import_paths() -> list[str]:
    """Where pcrm and its dependencies live, for an interpreter outside this venv."""
    import typer

    return [str(ROOT / "src"), str(Path(typer.__file__).parents[1])]


def one_line(result: subprocess.CompletedProcess[bytes], code: int = 1) -> str:
    """The one `pcrm: error:` line of a failed process (no traceback, nothing on stdout)."""
    err = result.stderr.decode("utf-8", "backslashreplace")
    assert result.returncode == code, (result.returncode, result.stdout, err)
    assert result.stdout == b"", result.stdout
    assert err.startswith("pcrm: error: ") and err.count("\n") == 1, err
    assert "unexpected" not in err and "Traceback" not in err
    return err


def seed(cli: Callable[..., object]) -> None:
    """A contact, a company, a deal, a task and an interaction to point at."""
    for args in (
        ["company", "add", "Analytical Engines"],
        ["contact", "add", "Ada Lovelace", "--email", "ada@example.org", "--company", "1"],
        ["contact", "add", "Zoë Ünal"],
        ["deal", "add", "Engine", "--contact", "1", "--company", "1"],
        ["follow-up", "1", "Send the quote", "--due", "tomorrow"],
        ["log", "1", "Call about the engine"],
    ):
        ok(cli(*args))  # type: ignore[arg-type]


@pytest.fixture
def seeded(cli, db_path: Path) -> Path:
    seed(cli)
    return db_path


# -- huge numbers ------------------------------------------------------------------------

LIST_COMMANDS = [
    (["contact", "list"], "Ada Lovelace"),
    (["company", "list"], "Analytical Engines"),
    (["deal", "list"], "Engine"),
    (["task", "list"], "Send the quote"),
    (["timeline", "1"], "Call about the engine"),
    (["search", "engine"], "Engine"),
    (["dupes"], ""),
    (["pipeline", "show"], "Engine"),
    (["score", "show"], ""),
]


@pytest.mark.parametrize(("args", "shown"), LIST_COMMANDS, ids=lambda v: " ".join(v))
def test_a_huge_limit_means_all(cli, seeded, args, shown):
    out = ok(cli(*args, "--limit", HUGE))
    assert shown in out


HUGE_IDS = [
    (["contact", "show", HUGE], f"no contact has id {HUGE}"),
    (["company", "show", HUGE], f"no company has id {HUGE}"),
    (["deal", "show", HUGE], f"no deal has id {HUGE}"),
    (["show", HUGE], f"no contact has id {HUGE}"),
    (["show", f"contact:{HUGE}"], f"no contact has id {HUGE}"),
    (["timeline", HUGE], f"no contact has id {HUGE}"),
    (["contact", "rm", HUGE, "--yes"], f"no contact has id {HUGE}"),
    (["contact", "merge", "1", HUGE], f"no contact has id {HUGE}"),
    (["contact", "add", "Bob", "--company", HUGE], f"no company has id {HUGE}"),
    (["log", HUGE, "hi"], f"no contact has id {HUGE}"),
    (["log", "1", "hi", "--deal", HUGE], f"no deal has id {HUGE}"),
    (["follow-up", HUGE, "x", "--due", "tomorrow"], f"no contact has id {HUGE}"),
    (["task", "done", HUGE], f"no task has id {HUGE}"),
    (["task", "snooze", HUGE, "tomorrow"], f"no task has id {HUGE}"),
    (["task", "rm", HUGE, "--yes"], f"no task has id {HUGE}"),
    (["score", "rule", "rm", HUGE], f"no scoring rule {HUGE}"),
    # "²" is a digit to str.isdigit() but no number to int()
    (["contact", "show", "²"], 'no contact matches "²"'),
    (["task", "done", "²"], '"²" is not a task id'),
    (["config", "set", "reminder_days", "²"], '"²" is not a number of days'),
]


@pytest.mark.parametrize(("args", "message"), HUGE_IDS, ids=lambda v: " ".join(v)[:40])
def test_an_id_past_sqlites_integers_names_no_record(cli, seeded, args, message):
    before = dump(seeded)
    assert one_line_error(cli(*args)).startswith(f"pcrm: error: {message}")
    assert dump(seeded) == before
