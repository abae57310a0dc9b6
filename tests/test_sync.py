"""`pcrm sync` against a real Radicale (tests/sync_server.py): vdirsyncer runs as a
subprocess, pcrm through CliRunner; the "phone" is plain HTTP from the test."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import Result, dump, rows
from sync_server import Server, radicale  # noqa: F401  (the fixture)

Cli = Callable[..., Result]


def ok(result: Result) -> str:
    assert result.exit_code == 0, (result.stdout, result.stderr, result.exception)
    return result.stdout


def setup(cli: Cli, server: Server, *extra: str, password: str = "secret") -> str:
    """`pcrm sync setup` for both collections; the password comes from a file by `cat`."""
    secret = server.storage.parent / "password"
    secret.write_text(password + "\n")
    return ok(
        cli(
            "sync", "setup", "--carddav", server.contacts_url, "--caldav", server.tasks_url,
            "--user", "me", "--password-command", f"cat {secret}", *extra,
        )  # fmt: skip
    )


def sync_dir(db: Path) -> Path:
    return db.with_name(db.name + ".sync")


def test_first_sync_uploads_contacts_and_follow_ups(
    cli: Cli, radicale: Server, db_path: Path
) -> None:
    ok(cli("contact", "add", "Ada Lovelace", "--email", "ada@example.org"))
    ok(cli("contact", "add", "Grace Hopper", "--email", "grace@example.org"))
    ok(cli("follow-up", "ada", "Send the quote", "--due", "2026-11-30"))
    out = setup(cli, radicale)
    config = sync_dir(db_path) / "config"
    assert out.splitlines()[0] == f"wrote {config}"
    assert config.stat().st_mode & 0o777 == 0o600
    assert "secret" not in config.read_text()
    out = ok(cli("sync"))
    assert out.splitlines()[:2] == ["to the server: 3 new, 0 changed, 0 deleted",
                                    "from the server: nothing"]  # fmt: skip
    cards = radicale.items("contacts")
    assert len(cards) == 2
    assert any("FN:Ada Lovelace" in text for text in cards.values())
    todos = radicale.items("tasks")
    assert len(todos) == 1 and "SUMMARY:Send the quote" in next(iter(todos.values()))
    out = ok(cli("sync"))
    assert out.splitlines()[:2] == ["to the server: nothing", "from the server: nothing"]
