"""`contact show` of an archived contact says so, and how to bring it back."""

from __future__ import annotations

import json
from collections.abc import Callable

from conftest import NOW, Result

Cli = Callable[..., Result]


def ok(cli: Cli, *args: str, **kw: object) -> str:
    result = cli(*args, **kw)
    assert result.exit_code == 0, result.stderr
    return result.stdout


def test_an_archived_contact_shows_when_it_was_archived_and_how_to_restore_it(cli: Cli) -> None:
    ok(cli, "contact", "add", "Grace Hopper", "--email", "grace@example.org")
    ok(cli, "contact", "archive", "grace")
    stamp = NOW.strftime("%Y-%m-%dT%H:%M:%SZ")

    plain = ok(cli, "contact", "show", "grace").splitlines()
    assert plain[:2] == ["contact 1: Grace Hopper", f"archived: {stamp}"]
    drawn = ok(cli, "contact", "show", "grace", terminal=True, width=80)
    assert "Archived just now: left out of lists and exports (pcrm contact restore 1)" in drawn
    assert json.loads(ok(cli, "contact", "show", "grace", "--json"))["archived_at"] == stamp

    ok(cli, "contact", "restore", "grace")
    assert "archived" not in ok(cli, "contact", "show", "grace")
    assert "Archived" not in ok(cli, "contact", "show", "grace", terminal=True)
    assert json.loads(ok(cli, "contact", "show", "grace", "--json"))["archived_at"] is None
