"""Changing many records in one command (issue 17): `follow-up done|rm ID...`, `contact tag
add|rm TAG REF...|filters`, `contact stage [REF]... STAGE|filters`, `contact rm REF...|filters`.

Each is one transaction: every REF or id is checked first (a bad one: one error line,
nothing changed); --dry-run prints what would change and changes nothing; several records,
or a filtered set, are asked about on a terminal and need --yes off one. The single-record
forms are as they were."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import NOW, dump, error, ok, one_line_error, rows
from pcrm.cli.env import Env
from pcrm.cli.main import app

STAMP = "2026-11-23T10:00:00Z"
EARLIER = NOW - timedelta(days=3)


def on_terminal(*args: str, answer: str):
    """pcrm ARGS with someone at a terminal typing `answer`."""
    return CliRunner().invoke(
        app,
        list(args),
        input=answer,
        obj=Env(clock=lambda: NOW, stdin_isatty=True, stdout_isatty=False),
        env={"TZ": "UTC", "COLUMNS": "80"},
    )


def refused_off_a_terminal(cli, db_path, *args: str) -> str:
    before = dump(db_path)
    said = one_line_error(cli(*args))
    assert dump(db_path) == before
    return said


# -- follow-ups --------------------------------------------------------------------------


@pytest.fixture
def follow_ups(cli):
    ok(cli("contact", "add", "Ada Lovelace", now=EARLIER))
    for title, due in (("Send the quote", "2026-11-27"), ("Call back", "2026-11-24")):
        ok(cli("follow-up", "ada", title, "--due", due, now=EARLIER))
    ok(cli("follow-up", "ada", "Weekly check-in", "--due", "2026-11-23", "--every", "weekly"))
    ok(cli("follow-up", "ada", "Old one", "--due", "2026-11-20", now=EARLIER))


def statuses(db_path: Path) -> list[tuple]:
    return rows(db_path, "SELECT id, status, done_at FROM tasks ORDER BY id")


def test_follow_up_done_several(cli, db_path, follow_ups):
    said = ok(cli("follow-up", "done", "1", "3", "2", "--yes"))
    assert said == (
        "done follow-up 1 Send the quote\n"
        "done follow-up 3 Weekly check-in\n"
        "next follow-up 5 Weekly check-in: due Mon 2026-11-30, every week\n"
        "done follow-up 2 Call back\n"
    )
    assert statuses(db_path) == [
        (1, "done", STAMP),
        (2, "done", STAMP),
        (3, "done", STAMP),
        (4, "open", None),
        (5, "open", None),
    ]


def test_follow_up_done_several_dry_run_changes_nothing(cli, db_path, follow_ups):
    before = dump(db_path)
    assert ok(cli("follow-up", "done", "1", "2", "2", "--dry-run")) == (
        "would mark 2 follow-ups done:\n"
        "  1  2026-11-27  Send the quote\n"
        "  2  2026-11-24  Call back\n"
    )
    assert dump(db_path) == before


@pytest.mark.parametrize(
    ("ids", "message"),
    [
        (
            ("1", "9", "2"),
            "pcrm: error: no follow-up has id 9 (see: pcrm follow-up list --include-done)\n",
        ),
        (("1", "two"), 'pcrm: error: "two" is not a follow-up id (see: pcrm follow-up list)\n'),
    ],
)
def test_a_bad_id_changes_nothing(cli, db_path, follow_ups, ids, message):
    for command in ("done", "rm"):
        before = dump(db_path)
        assert one_line_error(cli("follow-up", command, *ids, "--yes")) == message
        assert dump(db_path) == before


def test_one_already_done_among_several_changes_nothing(cli, db_path, follow_ups):
    ok(cli("follow-up", "done", "4"))
    before = dump(db_path)
    assert one_line_error(cli("task", "done", "1", "4", "--yes")) == (
        "pcrm: error: follow-up 4 is already done (done on 2026-11-23T10:00:00Z; nothing changed)\n"
    )
    assert dump(db_path) == before


def test_several_follow_ups_are_asked_about(cli, db_path, follow_ups):
    said = refused_off_a_terminal(cli, db_path, "follow-up", "done", "1", "2")
    assert said == (
        "pcrm: error: not marking 2 follow-ups done without confirmation"
        " (add --yes; --dry-run lists them)\n"
    )
    before = dump(db_path)
    declined = on_terminal("follow-up", "done", "1", "2", answer="n\n")
    assert declined.exit_code == 1
    assert declined.stdout == (
        "would mark 2 follow-ups done:\n  1  2026-11-27  Send the quote\n"
        "  2  2026-11-24  Call back\nMark 2 follow-ups done? [y/N]: n\n"
    )
    assert declined.stderr == "pcrm: error: nothing changed\n"
    assert dump(db_path) == before
    accepted = on_terminal("follow-up", "done", "1", "2", answer="y\n")
    assert accepted.exit_code == 0, accepted.stderr
    assert accepted.stdout.endswith(
        "Mark 2 follow-ups done? [y/N]: y\ndone follow-up 1 Send the quote\n"
        "done follow-up 2 Call back\n"
    )
    assert [row[1] for row in statuses(db_path)] == ["done", "done", "open", "open"]


def test_one_follow_up_is_done_as_before(cli, db_path, follow_ups):
    assert ok(cli("follow-up", "done", "1")) == "done follow-up 1 Send the quote\n"
    assert statuses(db_path)[0] == (1, "done", STAMP)


def test_follow_up_rm_several(cli, db_path, follow_ups):
    before = dump(db_path)
    assert ok(cli("follow-up", "rm", "2", "4", "--dry-run")) == (
        "would remove 2 follow-ups:\n  2  2026-11-24  Call back\n  4  2026-11-20  Old one\n"
    )
    assert dump(db_path) == before
    said = refused_off_a_terminal(cli, db_path, "task", "rm", "2", "4")
    assert said == (
        "pcrm: error: not removing 2 follow-ups without confirmation"
        " (add --yes; --dry-run lists them)\n"
    )
    declined = on_terminal("follow-up", "rm", "2", "4", answer="n\n")
    assert (declined.exit_code, declined.stderr) == (1, "pcrm: error: nothing removed\n")
    assert dump(db_path) == before
    assert ok(cli("task", "rm", "2", "4", "--yes")) == (
        "removed follow-up 2 Call back\nremoved follow-up 4 Old one\n"
    )
    assert [row[0] for row in statuses(db_path)] == [1, 3]
    assert rows(db_path, "SELECT kind, deleted_at FROM deletions") == [
        ("task", STAMP),
        ("task", STAMP),
    ]


def test_one_follow_up_is_removed_as_before(cli, db_path, follow_ups):
    assert "without confirmation (add --yes)" in error(cli("follow-up", "rm", "1"))
    assert ok(cli("follow-up", "rm", "1", "--yes")) == "removed follow-up 1 Send the quote\n"


# -- contacts: the people ----------------------------------------------------------------


@pytest.fixture
def people(cli):
    """Four contacts: Ada (vip, lead, Acme), Bob (lead, Acme), Carol (customer), Dan (no
    tag, no stage); a `plan` field with Ada and Carol on pro."""
    ok(cli("field", "add", "plan", "--type", "choice", "--choices", "free,pro", now=EARLIER))
    for args in (
        ("Ada Lovelace", "-t", "vip", "-c", "Acme", "--set", "plan=pro"),
        ("Bob Stone", "-c", "Acme", "--set", "plan=free"),
        ("Carol King", "--set", "plan=pro"),
        ("Dan Brown",),
    ):
        ok(cli("contact", "add", *args, now=EARLIER))
    for ref, stage in (("ada", "lead"), ("bob", "lead"), ("carol", "customer")):
        ok(cli("contact", "stage", ref, stage, now=EARLIER))


def tagged(db_path: Path, tag: str) -> list[str]:
    return [
        row[0]
        for row in rows(
            db_path,
            "SELECT c.name FROM contact_tags ct JOIN tags t ON t.id = ct.tag_id"
            " JOIN contacts c ON c.id = ct.contact_id WHERE t.name = ? ORDER BY c.name",
            (tag,),
        )
    ]


def test_tag_add_by_refs_says_who_had_it(cli, db_path, people):
    said = ok(cli("contact", "tag", "add", "vip", "ada", "bob", "3", "--yes"))
    assert said == "tagged 2 contacts vip (1 already had it)\n"
    assert tagged(db_path, "vip") == ["Ada Lovelace", "Bob Stone", "Carol King"]
    changed = rows(db_path, "SELECT name, updated_at FROM contacts ORDER BY id")
    assert changed == [
        ("Ada Lovelace", "2026-11-20T10:00:00Z"),
        ("Bob Stone", STAMP),
        ("Carol King", STAMP),
        ("Dan Brown", "2026-11-20T10:00:00Z"),
    ]


def test_tag_add_one_contact_is_not_asked(cli, db_path, people):
    assert ok(cli("contact", "tag", "add", "press,#Board", "dan")) == (
        "tagged 1 contact press\ntagged 1 contact Board\n"
    )
    assert ok(cli("contact", "show", "dan")).count("press") == 1
    assert tagged(db_path, "board") == ["Dan Brown"]


def test_tag_add_by_filters(cli, db_path, people):
    before = dump(db_path)
    assert ok(cli("contact", "tag", "add", "vip", "--where", "plan=pro", "--dry-run")) == (
        "would tag 1 contact vip (1 already has it):\n  3  Carol King\n"
    )
    assert ok(cli("contact", "tag", "add", "newsletter", "--stage", "lead", "--dry-run")) == (
        "would tag 2 contacts newsletter:\n  1  Ada Lovelace\n  2  Bob Stone\n"
    )
    assert dump(db_path) == before
    said = refused_off_a_terminal(cli, db_path, "contact", "tag", "add", "x", "--where", "plan=pro")
    assert said == (
        "pcrm: error: not tagging 2 contacts without confirmation"
        " (add --yes; --dry-run lists them)\n"
    )
    said = ok(cli("contact", "tag", "add", "newsletter", "-c", "acme", "--no-tag", "vip", "-y"))
    assert said == "tagged 1 contact newsletter\n"
    assert tagged(db_path, "newsletter") == ["Bob Stone"]
    # a filter that matches nobody changes nothing and says so
    before = dump(db_path)
    assert ok(cli("contact", "tag", "add", "x", "--tag", "nosuch", "--yes")) == (
        "tagged 0 contacts x\n"
    )
    assert dump(db_path) == before


def test_tag_rm(cli, db_path, people):
    ok(cli("contact", "tag", "add", "vip", "bob"))
    assert ok(cli("contact", "tag", "rm", "vip", "--tag", "vip", "--dry-run")) == (
        "would untag 2 contacts vip:\n  1  Ada Lovelace\n  2  Bob Stone\n"
    )
    assert ok(cli("contact", "tag", "rm", "VIP", "ada", "dan", "--yes")) == (
        "untagged 1 contact VIP (1 did not have it)\n"
    )
    assert tagged(db_path, "vip") == ["Bob Stone"]
    assert ok(cli("contact", "tag", "rm", "vip", "--any-tag", "vip", "--yes")) == (
        "untagged 1 contact vip\n"
    )
    assert tagged(db_path, "vip") == []


def test_tagging_is_asked_on_a_terminal(db_path, people):
    before = dump(db_path)
    declined = on_terminal("contact", "tag", "add", "vip", "--stage", "lead,customer", answer="n\n")
    assert declined.exit_code == 1
    assert declined.stdout == (
        "would tag 2 contacts vip (1 already has it):\n  2  Bob Stone\n  3  Carol King\n"
        "Tag 2 contacts vip? [y/N]: n\n"
    )
    assert declined.stderr == "pcrm: error: nothing changed\n"
    assert dump(db_path) == before
    accepted = on_terminal("contact", "tag", "add", "vip", "--stage", "lead,customer", answer="y\n")
    assert accepted.exit_code == 0, accepted.stderr
    assert accepted.stdout.endswith("[y/N]: y\ntagged 2 contacts vip (1 already had it)\n")
    assert tagged(db_path, "vip") == ["Ada Lovelace", "Bob Stone", "Carol King"]


def test_the_question_shows_the_first_twenty(cli, db_path):
    for n in range(25):
        ok(cli("contact", "add", f"Person {n:02}", "-t", "batch"))
    answered = on_terminal("contact", "rm", "--tag", "batch", answer="n\n")
    lines = answered.stdout.splitlines()
    assert lines[0] == "would remove 25 contacts:"
    assert lines[1] == "  1  Person 00"
    assert lines[20] == "  20  Person 19"
    assert lines[21] == "  … and 5 more (--dry-run lists them all)"
    assert lines[22] == "Remove 25 contacts? [y/N]: n"
    assert len(ok(cli("contact", "rm", "--tag", "batch", "--dry-run")).splitlines()) == 26


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("contact", "tag", "add", "vip", "ada", "nobody", "--yes"),
            'pcrm: error: no contact matches "nobody" (try: pcrm search nobody)\n',
        ),
        (
            ("contact", "tag", "add", "vip", "ada", "--tag", "vip"),
            "pcrm: error: give REFs or filters, not both (add --tag, --where ... without REFs)\n",
        ),
        (
            ("contact", "tag", "rm", "vip"),
            "pcrm: error: no contacts named"
            " (give REFs, or filters such as --tag T or --where ...)\n",
        ),
        (
            ("contact", "tag", "add", "#", "ada"),
            'pcrm: error: invalid tag "#"\n',
        ),
        (
            ("contact", "tag", "add", " , ", "ada"),
            "pcrm: error: no tag given (e.g. pcrm contact tag add vip ada)\n",
        ),
        (
            ("contact", "stage", "ada", "bob", "nosuch", "--yes"),
            None,
        ),
        (
            ("contact", "rm", "ada", "company:acme", "--yes"),
            'pcrm: error: "company:acme" names a company, not a contact\n',
        ),
        (
            ("contact", "rm", "--where", "nosuch=1", "--yes"),
            None,
        ),
    ],
)
def test_bad_input_is_one_line_and_changes_nothing(cli, db_path, people, args, message):
    before = dump(db_path)
    said = error(cli(*args))
    if message is not None:
        assert said == message
    assert said.count("\n") == 1 or "lifecycle stage" in said
    assert dump(db_path) == before


# -- contacts: the lifecycle stage --------------------------------------------------------


def history(db_path: Path) -> list[tuple]:
    return rows(
        db_path,
        "SELECT c.name, h.at, h.from_stage, h.to_stage, h.reason FROM lifecycle_history h"
        " JOIN contacts c ON c.id = h.contact_id WHERE h.at > '2026-11-20T10:00:00Z'"
        " ORDER BY h.id",
    )


def test_stage_by_filters(cli, db_path, people):
    before = dump(db_path)
    assert ok(cli("contact", "stage", "mql", "--where", "plan=pro", "--dry-run")) == (
        "would move 2 contacts to mql:\n  1  Ada Lovelace  lead → mql\n"
        "  3  Carol King  customer → mql\n"
    )
    assert dump(db_path) == before
    said = refused_off_a_terminal(cli, db_path, "contact", "stage", "mql", "--where", "plan=pro")
    assert said == (
        "pcrm: error: not moving 2 contacts without confirmation"
        " (add --yes; --dry-run lists them)\n"
    )
    said = ok(cli("contact", "stage", "mq", "--stage", "lead", "-r", "webinar", "--yes"))
    assert said == "moved 2 contacts to mql\n"
    assert history(db_path) == [
        ("Ada Lovelace", STAMP, "lead", "mql", "webinar"),
        ("Bob Stone", STAMP, "lead", "mql", "webinar"),
    ]
    assert rows(db_path, "SELECT name, lifecycle_stage FROM contacts ORDER BY id") == [
        ("Ada Lovelace", "mql"),
        ("Bob Stone", "mql"),
        ("Carol King", "customer"),
        ("Dan Brown", None),
    ]


def test_stage_by_refs_with_a_time_and_who_is_there_already(cli, db_path, people):
    said = ok(cli("contact", "stage", "ada", "carol", "dan", "customer", "--at", "yesterday", "-y"))
    assert said == "moved 2 contacts to customer (1 already at customer)\n"
    assert history(db_path) == [
        ("Ada Lovelace", "2026-11-22T00:00:00Z", "lead", "customer", None),
        ("Dan Brown", "2026-11-22T00:00:00Z", None, "customer", None),
    ]
    assert "customer" in ok(cli("timeline", "dan"))


def test_stage_at_before_a_contacts_last_change_changes_nobody(cli, db_path, people):
    ok(cli("contact", "stage", "bob", "mql", "--at", "2026-11-22 09:00"))
    before = dump(db_path)
    said = one_line_error(cli("contact", "stage", "ada", "bob", "sql", "--at", "2026-11-21", "-y"))
    assert said == (
        "pcrm: error: contact 2 Bob Stone last changed stage on 2026-11-22 09:00"
        " (--at must not be earlier than that; nothing changed)\n"
    )
    assert dump(db_path) == before


def test_one_contacts_stage_is_as_before(cli, db_path, people):
    assert ok(cli("contact", "stage", "dan", "lead")) == "contact 4 Dan Brown: lead\n"
    assert ok(cli("contact", "stage", "dan", "lead")) == "contact 4 Dan Brown is already at lead\n"


# -- contacts: removing several -----------------------------------------------------------


def test_rm_several(cli, db_path, people):
    ok(cli("log", "ada", "Met at the fair", "--with", "bob"))
    before = dump(db_path)
    assert ok(cli("contact", "rm", "ada", "bob", "--dry-run")) == (
        "would remove 2 contacts:\n  1  Ada Lovelace\n  2  Bob Stone\n"
    )
    assert dump(db_path) == before
    said = refused_off_a_terminal(cli, db_path, "contact", "rm", "ada", "bob")
    assert said == (
        "pcrm: error: not removing 2 contacts without confirmation"
        " (add --yes; --dry-run lists them)\n"
    )
    declined = on_terminal("contact", "rm", "ada", "bob", answer="n\n")
    assert (declined.exit_code, declined.stderr) == (1, "pcrm: error: nothing removed\n")
    assert declined.stdout.endswith("Remove 2 contacts? [y/N]: n\n")
    assert dump(db_path) == before
    assert ok(cli("contact", "rm", "ada", "bob", "--yes")) == "removed 2 contacts\n"
    assert rows(db_path, "SELECT name FROM contacts ORDER BY id") == [
        ("Carol King",),
        ("Dan Brown",),
    ]
    assert rows(db_path, "SELECT kind FROM deletions") == [("contact",), ("contact",)]
    # the interaction stays, as with one contact removed
    assert rows(db_path, "SELECT text FROM interactions") == [("Met at the fair",)]


def test_rm_by_filters(cli, db_path, people):
    assert ok(cli("contact", "rm", "--company", "acme", "--dry-run")) == (
        "would remove 2 contacts:\n  1  Ada Lovelace\n  2  Bob Stone\n"
    )
    accepted = on_terminal("contact", "rm", "--where", "plan=free", answer="y\n")
    assert accepted.exit_code == 0, accepted.stderr
    assert accepted.stdout == (
        "would remove 1 contact:\n  2  Bob Stone\nRemove 1 contact? [y/N]: y\nremoved 1 contact\n"
    )
    assert [row[0] for row in rows(db_path, "SELECT name FROM contacts ORDER BY id")] == [
        "Ada Lovelace",
        "Carol King",
        "Dan Brown",
    ]


def test_one_contact_is_removed_as_before(cli, db_path, people):
    assert error(cli("contact", "rm", "ada")) == (
        "pcrm: error: not removing contact 1 Ada Lovelace without confirmation (add --yes)\n"
    )
    assert ok(cli("contact", "rm", "ada", "--yes")) == "removed contact 1 Ada Lovelace\n"


def test_names_are_shown_as_data(cli, db_path):
    ok(cli("contact", "add", "[bold]Eve[/bold]\x1b[31m", "-t", "odd"))
    ok(cli("contact", "add", "Frank", "-t", "odd"))
    said = ok(cli("contact", "rm", "--tag", "odd", "--dry-run"))
    assert "[bold]Eve[/bold]" in said
    assert "\x1b" not in said
