"""`pcrm vdir export|import DIR`: open follow-ups as one VTODO .ics each."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from conftest import Result, rows

Cli = Callable[..., Result]
PARIS = {"TZ": "Europe/Paris"}


def ok(cli: Cli, *args: str, env: dict[str, str] | None = None) -> str:
    result = cli(*args, env=env)
    assert result.exit_code == 0, result.stderr
    return result.stdout


def todo(vdir: Path, title: str) -> Path:
    found = [
        p
        for p in (vdir / "tasks").glob("*.ics")
        if f"SUMMARY:{title}\r\n" in p.read_bytes().decode()
    ]
    assert len(found) == 1, found
    return found[0]


def task_json(cli: Cli, task_id: str) -> dict[str, object]:
    data = json.loads(ok(cli, "follow-up", "list", "--all", "--json"))
    return next(t for t in data if str(t["id"]) == task_id)


def setup(cli: Cli) -> None:
    ok(cli, "contact", "add", "Ada Lovelace", "--email", "ada@example.org")
    ok(cli, "follow-up", "ada", "Send the quote", "--due", "2026-11-25")
    ok(cli, "follow-up", "ada", "Weekly call", "--due", "2026-11-26 14:00", "--every", "weekly",
       env=PARIS)  # fmt: skip


def test_date_only_and_timed_due(cli: Cli, tmp_path: Path) -> None:
    setup(cli)
    vdir = tmp_path / "vdir"
    out = ok(cli, "vdir", "export", str(vdir), env=PARIS)
    assert out == "exported 0 changed, 0 unchanged, 3 new\n"  # a contact and two follow-ups
    quote = todo(vdir, "Send the quote").read_bytes().decode()
    uid = rows(Path(_db()), "SELECT uid FROM tasks WHERE title = 'Send the quote'")[0][0]
    assert todo(vdir, "Send the quote").name == f"{uid}.ics"
    assert "BEGIN:VTODO\r\n" in quote and "STATUS:NEEDS-ACTION\r\n" in quote
    assert "DUE;VALUE=DATE:20261125\r\n" in quote
    assert "VTIMEZONE" not in quote and "RRULE" not in quote
    call = todo(vdir, "Weekly call").read_bytes().decode()
    assert "DUE;TZID=Europe/Paris:20261126T140000\r\n" in call
    assert "DTSTART;TZID=Europe/Paris:20261126T140000\r\n" in call
    assert "BEGIN:VTIMEZONE\r\nTZID:Europe/Paris\r\n" in call
    assert "RRULE:FREQ=WEEKLY\r\n" in call
    # Nothing changed: same bytes, nothing written.
    assert ok(cli, "vdir", "export", str(vdir), env=PARIS) == "exported 0 changed, 3 unchanged\n"


def test_an_edit_on_the_phone_changes_the_follow_up(cli: Cli, tmp_path: Path) -> None:
    setup(cli)
    vdir = tmp_path / "vdir"
    ok(cli, "vdir", "export", str(vdir), env=PARIS)
    path = todo(vdir, "Send the quote")
    text = path.read_bytes().decode()
    text = text.replace("SUMMARY:Send the quote", "SUMMARY:Send the final quote")
    text = text.replace("DUE;VALUE=DATE:20261125", "DUE;VALUE=DATE:20261127")
    path.write_bytes(text.encode())
    call = todo(vdir, "Weekly call")
    call.write_bytes(
        call.read_bytes().replace(b"T140000\r\n", b"T093000\r\n").replace(b"WEEKLY", b"DAILY")
    )
    out = ok(cli, "vdir", "import", str(vdir), env=PARIS)
    assert out == "imported 0 new, 2 changed\n"
    quote = task_json(cli, "1")
    assert quote["title"] == "Send the final quote"
    assert quote["due_date"] == "2026-11-27" and quote["due_at"] is None
    weekly = task_json(cli, "2")
    assert weekly["due_at"] == "2026-11-26T08:30:00Z"  # 09:30 in Paris
    assert weekly["rrule"] == "FREQ=DAILY"
    assert ok(cli, "vdir", "import", str(vdir), env=PARIS) == "imported 0 new, 0 changed\n"


def test_completed_or_deleted_on_the_phone(cli: Cli, tmp_path: Path) -> None:
    setup(cli)
    ok(cli, "follow-up", "ada", "Third", "--due", "2026-12-01")
    vdir = tmp_path / "vdir"
    ok(cli, "vdir", "export", str(vdir), env=PARIS)
    call = todo(vdir, "Weekly call")
    call.write_bytes(call.read_bytes().replace(b"STATUS:NEEDS-ACTION", b"STATUS:COMPLETED"))
    todo(vdir, "Send the quote").unlink()
    out = ok(cli, "vdir", "import", str(vdir), env=PARIS)
    assert out == "imported 0 new, 1 changed, 1 follow-up done\n"
    assert task_json(cli, "1")["status"] == "done"  # deleted: done, nothing after it
    assert task_json(cli, "2")["status"] == "done"  # completed: the series goes on
    following = task_json(cli, "4")
    assert following["title"] == "Weekly call" and following["status"] == "open"
    assert rows(Path(_db()), "SELECT count(*) FROM tasks WHERE title = 'Send the quote'") == [(1,)]
    # The next export writes the next occurrence and removes the completed one's file.
    out = ok(cli, "vdir", "export", str(vdir), env=PARIS)
    assert out == "exported 0 changed, 2 unchanged, 1 new, 1 removed\n"
    assert sorted(p.name for p in (vdir / "tasks").iterdir()) == sorted(
        f"{uid}.ics" for (uid,) in rows(Path(_db()), "SELECT uid FROM tasks WHERE status = 'open'")
    )


def test_a_to_do_made_elsewhere_is_not_taken(cli: Cli, tmp_path: Path) -> None:
    setup(cli)
    vdir = tmp_path / "vdir"
    ok(cli, "vdir", "export", str(vdir), env=PARIS)
    (vdir / "tasks" / "other.ics").write_bytes(
        b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//x//y//EN\r\nBEGIN:VTODO\r\nUID:other\r\n"
        b"DTSTAMP:20261123T100000Z\r\nSUMMARY:Buy milk\r\nDUE;VALUE=DATE:20261124\r\n"
        b"END:VTODO\r\nEND:VCALENDAR\r\n"
    )
    out = ok(cli, "vdir", "import", str(vdir), env=PARIS)
    assert out == "imported 0 new, 0 changed, 1 to-do made elsewhere not taken\n"
    assert rows(Path(_db()), "SELECT count(*) FROM tasks") == [(2,)]
    # The export leaves it where it is.
    ok(cli, "vdir", "export", str(vdir), env=PARIS)
    assert (vdir / "tasks" / "other.ics").exists()


def test_finishing_every_follow_up_does_not_empty_the_folder(cli: Cli, tmp_path: Path) -> None:
    setup(cli)
    vdir = tmp_path / "vdir"
    ok(cli, "vdir", "export", str(vdir), env=PARIS)
    ok(cli, "follow-up", "rm", "1", "2", "--yes")
    result = cli("vdir", "export", str(vdir), env=PARIS)
    assert result.exit_code == 1
    assert f"would delete every file in {vdir / 'tasks'} (2)" in result.stderr
    assert len(list((vdir / "tasks").iterdir())) == 2


def _db() -> str:
    import os

    return os.environ["PCRM_DB"]
