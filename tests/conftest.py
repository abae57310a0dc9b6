"""Every test gets its own database file: $PCRM_DB points into a temporary folder, so no
test can touch a real home. `cli` runs pcrm through Typer's CliRunner with a pinned clock."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pcrm.cli.env import Env
from pcrm.cli.main import app

# A fixed "now" for every CliRunner test: Monday 2026-11-23 10:00 UTC.
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    db_path = tmp_path / "data" / "pcrm.db"
    monkeypatch.setenv("PCRM_DB", str(db_path))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "home" / ".local" / "share"))
    monkeypatch.setenv("TZ", "UTC")
    for name in ("NO_COLOR", "TTY_COMPATIBLE", "PCRM_NOW", "PCRM_DEBUG", "VISUAL", "EDITOR"):
        monkeypatch.delenv(name, raising=False)
    return db_path


@pytest.fixture
def db_path(isolated: Path) -> Path:
    return isolated


@dataclass
class Result:
    exit_code: int
    stdout: str
    stderr: str
    exception: BaseException | None


@pytest.fixture
def cli() -> Callable[..., Result]:
    """Run `pcrm ARGS...` in-process; returns exit code, stdout and stderr apart.

    terminal=True draws as on a terminal (Rich), at `width` columns.
    """

    def run(
        *args: str,
        input: str | None = None,
        now: datetime = NOW,
        terminal: bool = False,
        width: int = 100,
        env: dict[str, str] | None = None,
    ) -> Result:
        runner = CliRunner()
        extra = {"COLUMNS": str(width), **(env or {})}
        result = runner.invoke(
            app,
            list(args),
            input=input,
            obj=Env(clock=lambda: now, stdout_isatty=terminal),
            env=extra,
            catch_exceptions=True,
        )
        exception = result.exception if not isinstance(result.exception, SystemExit) else None
        return Result(result.exit_code, result.stdout, result.stderr, exception)

    return run


def runner_for(path: Path) -> Callable[..., None]:
    """`run(*args, now=...)` for one database file, in UTC, asserting success: for the
    module-scoped fixtures that build a file once (the `cli` fixture is per test)."""

    def run(*args: str, now: datetime = NOW) -> None:
        result = CliRunner().invoke(
            app,
            ["--db", str(path), *args],
            obj=Env(clock=lambda: now, stdout_isatty=False),
            env={"TZ": "UTC"},
        )
        assert result.exit_code == 0, result.output

    return run


def rows(db_path: Path, sql: str, params: tuple = ()) -> list[tuple]:
    """The rows a query gives on the file, read as any other tool would."""
    conn = sqlite3.connect(db_path)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def dump(db_path: Path) -> list[str]:
    """The database's logical content, to check that a failed command changed nothing."""
    if not db_path.exists():
        return []
    conn = sqlite3.connect(db_path)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


def ok(result: Result) -> str:
    """A command that worked: exit 0, no exception; its stdout."""
    assert result.exit_code == 0, (result.stdout, result.stderr, result.exception)
    assert result.exception is None
    return result.stdout


def error(result: Result) -> str:
    """A user error: exit 1, nothing on stdout, one `pcrm: error:` line (plus candidates)."""
    assert result.exit_code == 1, (result.stdout, result.stderr, result.exception)
    assert result.exception is None
    assert result.stdout == ""
    assert result.stderr.startswith("pcrm: error: ")
    return result.stderr


def one_line_error(result: Result) -> str:
    """A user error told in exactly one line (no candidates listed)."""
    assert error(result).count("\n") == 1, result.stderr
    return result.stderr
