"""`pcrm sync --cron`: silent when nothing needs the user, the conflict alone when one does;
and a sync set up for one collection touches only it. Against a real Radicale
(tests/sync_server.py)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from conftest import Result
from sync_server import Server, radicale_server

__all__ = ["radicale_server"]  # the fixture `radicale`

Cli = Callable[..., Result]


def ok(cli: Cli, *args: str) -> str:
    result = cli(*args)
    assert result.exit_code == 0, result.stderr
    return result.stdout


def test_cron_is_silent_until_a_conflict_needs_the_user(
    cli: Cli, radicale: Server, tmp_path: Path
) -> None:
    ok(cli, "contact", "add", "Ada Lovelace", "--email", "ada@example.org")
    ok(cli, "sync", "setup", "--carddav", radicale.contacts_url, "--caldav", radicale.tasks_url,
       "--user", "me", "--password-command", "echo secret")  # fmt: skip
    assert ok(cli, "sync", "--cron") == ""  # the first upload: nothing needs the user
    assert radicale.hrefs("contacts")  # it did go up
    assert ok(cli, "sync", "--cron") == ""

    href, etag = next(iter(radicale.hrefs("contacts").items()))
    _, _, body = radicale.request("GET", radicale.base + href)
    edited = body.decode().replace("END:VCARD", "TITLE:Phone title\r\nEND:VCARD")
    status, _, _ = radicale.request("PUT", radicale.base + href, edited.encode(),
                                    {"If-Match": etag, "Content-Type": "text/vcard"})  # fmt: skip
    assert status in (201, 204)
    ok(cli, "contact", "edit", "ada", "--title", "Laptop title")

    out = ok(cli, "sync", "--cron").splitlines()
    assert out[0].startswith("conflict: contact Ada Lovelace (contacts/")
    assert "  -TITLE:Laptop title" in out and "  +TITLE:Phone title" in out
    assert not any(line.startswith(("to the server", "exported", "imported")) for line in out)
    assert ok(cli, "sync", "--cron", "--prefer", "server") == ""  # settled: nothing to say
    assert ok(cli, "contact", "show", "ada", "--json").count("Phone title") == 1


def test_a_sync_set_up_for_contacts_alone_writes_and_reads_no_follow_ups(
    cli: Cli, radicale: Server, db_path: Path
) -> None:
    ok(cli, "contact", "add", "Ada Lovelace", "--email", "ada@example.org")
    ok(cli, "follow-up", "ada", "Chase the quote", "--due", "2026-12-01")
    ok(cli, "sync", "setup", "--carddav", radicale.contacts_url,
       "--user", "me", "--password-command", "echo secret")  # fmt: skip
    out = ok(cli, "sync")
    assert "exported 0 changed, 0 unchanged, 1 new" in out  # the contact, not the follow-up
    vdir = db_path.parent / f"{db_path.name}.sync" / "vdir"
    assert [p.name for p in vdir.iterdir()] == ["contacts"]
    assert len(radicale.hrefs("contacts")) == 1
    assert radicale.hrefs("tasks") == {}
