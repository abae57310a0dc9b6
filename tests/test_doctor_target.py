"""`doctor --fix` repairs towards today's fresh file, not towards m014's copy of the old
definitions: a later step that changes an object m014 also knows must not be undone."""

from __future__ import annotations

import sqlite3

from conftest import ok


def later_step(db) -> None:
    db.execute("DROP INDEX tasks_done")
    db.execute("CREATE INDEX tasks_done ON tasks(done_at, id) WHERE status = 'done'")


def tasks_done(db_path) -> str:
    conn = sqlite3.connect(db_path)
    try:
        return conn.execute("SELECT sql FROM sqlite_master WHERE name = 'tasks_done'").fetchone()[0]
    finally:
        conn.close()


def test_doctor_fix_keeps_what_a_later_step_changed(cli, db_path, monkeypatch):
    from pcrm.store import migrations

    steps = [*migrations._steps, ("m099_later_change", later_step)]
    monkeypatch.setattr(migrations, "_steps", steps)
    ok(cli("contact", "add", "Ada Lovelace"))
    assert f"matches a fresh file ({len(steps)} steps, last m099_later_change)" in ok(cli("doctor"))
    conn = sqlite3.connect(db_path)
    conn.execute("DROP INDEX tasks_done")  # damaged: doctor --fix must remake it
    conn.commit()
    conn.close()
    assert "index tasks_done: missing" in cli("doctor").stdout
    fixed = cli("doctor", "--fix")
    assert "fixed: index tasks_done" in fixed.stdout + fixed.stderr
    assert "done_at, id" in tasks_done(db_path)  # as m099 made it, not as m014 knew it
    assert f"matches a fresh file ({len(steps)} steps" in ok(cli("doctor"))
