"""`pcrm contact merge`, `pcrm company merge` and `pcrm undo`, through the command line."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import NOW, dump, ok
from conftest import one_line_error as error
from pcrm.cli.env import Env
from pcrm.cli.main import app


def rows(db_path: Path, sql: str, params=()) -> list[tuple]:
    conn = sqlite3.connect(db_path)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


# The change journal grows with every command (pcrm history): compared apart.
_JOURNAL = ('INSERT INTO "changes"', 'INSERT INTO "change_rows"')


def content(db_path: Path) -> tuple[list[str], list[tuple]]:
    """The dump without the full-text index's private storage, whose bytes depend on the
    history of writes, plus what the index holds: equal when the data is."""
    lines = [
        line
        for line in dump(db_path)
        if "search_index_" not in line and not line.startswith(_JOURNAL)
    ]
    index = rows(db_path, "SELECT rowid, kind, title, body FROM search_index ORDER BY rowid")
    return lines, index


TWINS = [
    ("contact", "add", "Robert Smith", "-e", "robert@acme.com", "-p", "+44 20 7946 0018",
     "-c", "Acme", "-t", "vip"),
    ("contact", "add", "Bob Smith", "-e", "bob@gmail.com", "-e", "home: bob@smith.name",
     "-p", "+44 (0)20 7946 0018", "-p", "mobile: 07700 900123", "-t", "VIP,friend",
     "--title", "CTO", "--source", "PyCon", "--note", "Likes tea"),
    ("contact", "add", "Ada Lovelace", "-e", "ada@example.org"),
    ("log", "2", "Call about seats", "--kind", "call", "--at", "2026-11-20 10:00"),
    ("log", "1", "Meeting with both", "-k", "meeting", "--at", "2026-11-10 10:00", "-w", "2"),
    ("deal", "add", "Seats", "--contact", "1", "--contact", "2:champion"),
    ("deal", "add", "Support", "--contact", "3", "--contact", "2:buyer"),
    ("follow-up", "2", "Send the quote", "--due", "fri"),
]  # fmt: skip


@pytest.fixture(scope="module")
def twins_file(tmp_path_factory) -> Path:
    """Built once for the module (ten commands are slow on a busy machine), copied per test."""
    path = tmp_path_factory.mktemp("twins") / "pcrm.db"
    runner = CliRunner()
    for args in TWINS:
        result = runner.invoke(
            app, list(args), obj=Env(clock=lambda: NOW), env={"PCRM_DB": str(path), "TZ": "UTC"}
        )
        assert result.exit_code == 0, (args, result.output)
    return path


@pytest.fixture
def twins(db_path, twins_file):
    """Robert Smith (1) and Bob Smith (2), one person entered twice, with everything a
    contact can have (a meeting and a deal with both of them); Ada Lovelace (3) shares a
    deal with Bob."""
    db_path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(twins_file, db_path)


def test_merge_moves_every_row_that_points_at_the_other(cli, db_path, twins):
    other_uid = rows(db_path, "SELECT uid FROM contacts WHERE id = 2")[0][0]

    out = ok(cli("contact", "merge", "robert", "bob smith"))

    assert out.splitlines() == [
        "merged contact 2 Bob Smith into contact 1 Robert Smith",
        "moved to contact 1: 2 emails, 1 phone, 1 tag, 1 interaction, 1 deal, 1 follow-up",
        "already on contact 1, so dropped: 1 phone, 1 tag, 1 interaction, 1 deal",
        "filled from contact 2: title, source, note, last_contacted_at",
        "recorded as merge 1; to reverse it: pcrm undo",
    ]
    assert rows(db_path, "SELECT id FROM contacts ORDER BY id") == [(1,), (3,)]
    assert rows(
        db_path, "SELECT contact_id, email, label, position FROM contact_emails ORDER BY id"
    ) == [
        (1, "robert@acme.com", None, 0),
        (1, "bob@gmail.com", None, 1),
        (1, "bob@smith.name", "home", 2),
        (3, "ada@example.org", None, 0),
    ]
    # The same number written another way is not added twice.
    assert rows(
        db_path, "SELECT contact_id, phone, label, position FROM contact_phones ORDER BY id"
    ) == [(1, "+44 20 7946 0018", None, 0), (1, "07700 900123", "mobile", 1)]
    assert rows(
        db_path,
        "SELECT t.name FROM contact_tags ct JOIN tags t ON t.id = ct.tag_id"
        " WHERE ct.contact_id = 1 ORDER BY t.name",
    ) == [("friend",), ("vip",)]
    assert rows(
        db_path, "SELECT interaction_id, contact_id FROM interaction_contacts ORDER BY 1, 2"
    ) == [(1, 1), (2, 1)]
    # A deal both were on keeps KEEP's link; its empty role takes OTHER's.
    assert rows(db_path, "SELECT deal_id, contact_id, role FROM deal_contacts ORDER BY 1, 2") == [
        (1, 1, "champion"),
        (2, 1, "buyer"),
        (2, 3, None),
    ]
    assert rows(db_path, "SELECT title, contact_id FROM tasks") == [("Send the quote", 1)]
    assert rows(
        db_path,
        "SELECT name, title, source, note, last_contacted_at, updated_at, company_id"
        " FROM contacts WHERE id = 1",
    ) == [
        (
            "Robert Smith",
            "CTO",
            "PyCon",
            "Likes tea",
            "2026-11-20T10:00:00Z",
            "2026-11-23T10:00:00Z",
            1,
        )
    ]
    assert rows(db_path, "SELECT kind, uid, deleted_at FROM deletions") == [
        ("contact", other_uid, "2026-11-23T10:00:00Z")
    ]
    merge = rows(db_path, "SELECT kind, keep_id, other_id, other_name, other_row FROM merges")
    assert merge[0][:4] == ("contact", 1, 2, "Bob Smith")
    assert json.loads(merge[0][4])["uid"] == other_uid
    # The search index follows: OTHER's email finds KEEP, OTHER is gone from it.
    assert "Robert Smith" in ok(cli("search", "smith.name"))
    assert rows(db_path, "SELECT count(*) FROM search_index WHERE rowid = 2 * 8 + 1") == [(0,)]


def test_notes_are_joined_and_kept_fields_stay(cli, db_path):
    ok(cli("contact", "add", "Ada", "--note", "First note", "--title", "Countess"))
    ok(cli("contact", "add", "Ada L", "--note", "Second note", "--title", "Analyst"))
    out = ok(cli("contact", "merge", "1", "2"))
    assert "filled from contact 2: note (joined)" in out.splitlines()
    assert rows(db_path, "SELECT title, note FROM contacts") == [
        ("Countess", "First note\n\nSecond note")
    ]


def test_dry_run_prints_the_merge_and_changes_nothing(cli, db_path, twins):
    before = dump(db_path)
    out = ok(cli("contact", "merge", "1", "2", "--dry-run"))
    assert out.splitlines() == [
        "would merge contact 2 Bob Smith into contact 1 Robert Smith",
        "would move to contact 1: 2 emails, 1 phone, 1 tag, 1 interaction, 1 deal, 1 follow-up",
        "already on contact 1, so dropped: 1 phone, 1 tag, 1 interaction, 1 deal",
        "would fill from contact 2: title, source, note, last_contacted_at",
        "nothing changed (dry run)",
    ]
    assert dump(db_path) == before


def test_undo_restores_the_database_as_it_was(cli, db_path, twins):
    before = content(db_path)
    ok(cli("contact", "merge", "1", "2"))
    assert content(db_path) != before

    undone = dump(db_path)
    assert ok(cli("undo", "--dry-run")).splitlines() == [
        "would undo merge 1 of contact 2 Bob Smith into contact 1 Robert Smith",
        "(change 9: pcrm contact merge 1 2)",
        "would put back: contact_phones 1, contact_tags 1, interaction_contacts 1,"
        " deal_contacts 1, contacts 1",
        "would remove: deletions 1, merges 1",
        "would set back: contact_emails 2, contact_phones 1, contact_tags 1,"
        " interaction_contacts 1, deal_contacts 2, tasks 1, contacts 1",
        "nothing changed (dry run)",
    ]
    assert dump(db_path) == undone

    assert ok(cli("undo")).splitlines()[:2] == [
        "undid merge 1: contact 2 Bob Smith is back, apart from contact 1 Robert Smith",
        "(change 9: pcrm contact merge 1 2)",
    ]
    assert content(db_path) == before
    assert "Bob Smith" in ok(cli("search", "smith.name"))


def test_the_merged_away_id_says_where_it_went(cli, db_path, twins):
    ok(cli("contact", "merge", "1", "2"))
    assert error(cli("contact", "show", "2")) == (
        "pcrm: error: no contact has id 2: it was merged into contact 1"
        " (see: pcrm contact show 1; pcrm undo reverses the last merge)\n"
    )
    ok(cli("undo"))
    assert "Bob Smith" in ok(cli("contact", "show", "2"))


def test_undo_goes_back_one_merge_at_a_time(cli, db_path, twins):
    states = [content(db_path)]
    ok(cli("contact", "merge", "1", "2"))
    states.append(content(db_path))
    ok(cli("contact", "merge", "3", "1"))
    assert ok(cli("undo")).splitlines()[0] == (
        "undid merge 2: contact 1 Robert Smith is back, apart from contact 3 Ada Lovelace"
    )
    assert content(db_path) == states[1]
    # Undo again redoes (an undo is a change); the merge before is undone by its id.
    assert ok(cli("undo")).splitlines()[0] == (
        "redid change 10 (pcrm contact merge 3 1); change 11 (pcrm undo) reversed"
    )
    assert ok(cli("undo")).splitlines()[0] == (
        "undid change 10 again (pcrm contact merge 3 1); change 12 (pcrm undo) reversed"
    )
    assert content(db_path) == states[1]
    assert ok(cli("undo", "9")).splitlines()[0].startswith("undid merge 1: contact 2 Bob Smith")
    assert content(db_path) == states[0]


def test_undo_refuses_once_a_merged_record_changed(cli, db_path, twins):
    ok(cli("contact", "merge", "1", "2"))
    ok(cli("contact", "edit", "1", "--title", "CEO"))
    before = dump(db_path)
    assert error(cli("undo", "9")) == (
        "pcrm: error: cannot undo change 9: change 10 (pcrm contact edit 1 --title CEO)"
        " changed the same records since (undo change 10 first, or leave it)\n"
    )
    assert dump(db_path) == before


def test_undo_keeps_later_changes_to_what_the_merge_did_not_write(cli, db_path, twins):
    ok(cli("contact", "merge", "1", "2"))
    ok(cli("task", "done", "1"))
    ok(cli("contact", "edit", "1", "--birthday", "1980-02-01"))
    # Undo by id is refused while a later change touched the same rows (the last one is
    # named); undone newest first, each change goes back.
    assert "change 11 (pcrm contact edit 1 --birthday 1980-02-01)" in error(cli("undo", "9"))
    ok(cli("undo"))
    ok(cli("undo", "10"))
    assert ok(cli("undo", "9")).splitlines()[0].startswith("undid merge 1: contact 2 Bob Smith")
    assert rows(db_path, "SELECT contact_id, status FROM tasks") == [(2, "open")]
    assert rows(db_path, "SELECT id, title, birthday FROM contacts WHERE id < 3") == [
        (1, None, None),
        (2, "CTO", None),
    ]


def test_undo_refuses_once_a_column_the_merge_wrote_changed(cli, db_path, twins):
    ok(cli("contact", "merge", "1", "2"))
    ok(cli("log", "1", "Call", "--kind", "call"))  # Robert's last contact moves on
    before = dump(db_path)
    assert error(cli("undo", "9")) == (
        "pcrm: error: cannot undo change 9: change 10 (pcrm log 1 Call --kind call) changed"
        " the same records since (undo change 10 first, or leave it)\n"
    )
    assert dump(db_path) == before


def test_undo_refuses_when_the_freed_id_was_taken(cli, db_path):
    ok(cli("contact", "add", "Ada"))
    ok(cli("contact", "add", "Ada Byron"))
    ok(cli("contact", "merge", "1", "2"))
    ok(cli("contact", "add", "Grace Hopper"))  # SQLite gives it id 2 again
    before = dump(db_path)
    assert error(cli("undo", "3")) == (
        "pcrm: error: cannot undo change 3: change 4 (pcrm contact add 'Grace Hopper') changed"
        " the same records since (undo change 4 first, or leave it)\n"
    )
    assert dump(db_path) == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("1", "1"), "cannot merge contact 1 into itself (give two different contacts)"),
        (("robert", "Robert Smith"), "cannot merge contact 1 into itself (give two different "
                                      "contacts)"),
        (("1", "99"), "no contact has id 99 (see: pcrm contact list)"),
        (("nobody", "1"), 'no contact matches "nobody" (try: pcrm search nobody)'),
    ],
)  # fmt: skip
def test_bad_refs_are_one_error_line_and_change_nothing(cli, db_path, twins, args, message):
    before = dump(db_path)
    assert error(cli("contact", "merge", *args)) == f"pcrm: error: {message}\n"
    assert error(cli("contact", "merge", *args, "--dry-run")) == f"pcrm: error: {message}\n"
    assert dump(db_path) == before


def test_an_ambiguous_ref_lists_the_candidates(cli, db_path, twins):
    before = dump(db_path)
    result = cli("contact", "merge", "smith", "ada")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        'pcrm: error: "smith" matches 2 contacts (use the id, an email, or more of the name)'
    )
    assert dump(db_path) == before


def test_merge_and_undo_need_an_existing_database(cli, db_path):
    assert error(cli("contact", "merge", "1", "2")).startswith("pcrm: error: no database at ")
    assert error(cli("undo")).startswith("pcrm: error: no database at ")
    assert not db_path.exists()


def test_custom_field_values_move_and_keep_wins_a_clash(cli, db_path):
    ok(cli("field", "add", "budget", "--type", "number"))
    ok(cli("field", "add", "plan", "--type", "choice", "--choices", "free,pro"))
    ok(cli("field", "add", "renewal", "--type", "date"))
    ok(cli("contact", "add", "Ada", "--set", "budget=100"))
    ok(cli("contact", "add", "Ada Byron", "--set", "budget=5000", "--set", "plan=pro",
           "--set", "renewal=2027-01-31"))  # fmt: skip
    before = content(db_path)
    out = ok(cli("contact", "merge", "1", "2"))
    assert out.splitlines()[1:3] == [
        "moved to contact 1: 2 custom field values",
        "already on contact 1, so dropped: 1 custom field value",
    ]
    shown = json.loads(ok(cli("contact", "show", "1", "--json")))
    assert {key: shown["contact"]["fields"][key] for key in ("budget", "plan", "renewal")} == {
        "budget": 100,
        "plan": "pro",
        "renewal": "2027-01-31",
    }
    ok(cli("undo"))
    assert content(db_path) == before


def test_the_latest_lifecycle_stage_wins_and_history_moves(cli, db_path):
    ok(cli("contact", "add", "Ada"))
    ok(cli("contact", "add", "Ada Byron"))
    ok(cli("contact", "stage", "1", "lead", "--at", "2026-11-01"))
    ok(cli("contact", "stage", "2", "lead", "--at", "2026-10-01"))
    ok(cli("contact", "stage", "2", "customer", "--at", "2026-11-10", "-r", "signed"))
    before = content(db_path)
    out = ok(cli("contact", "merge", "1", "2"))
    assert out.splitlines()[1:3] == [
        "moved to contact 1: 2 lifecycle stage changes",
        "filled from contact 2: lifecycle_stage",
    ]
    assert rows(db_path, "SELECT lifecycle_stage FROM contacts") == [("customer",)]
    assert rows(
        db_path, "SELECT contact_id, to_stage, reason FROM lifecycle_history ORDER BY at"
    ) == [(1, "lead", None), (1, "lead", None), (1, "customer", "signed")]
    ok(cli("undo"))
    assert content(db_path) == before
    # Had KEEP moved last, its stage would have stayed.
    ok(cli("contact", "stage", "1", "prospect"))
    ok(cli("contact", "merge", "1", "2"))
    assert rows(db_path, "SELECT lifecycle_stage FROM contacts") == [("prospect",)]


def test_tables_added_later_are_moved_too(cli, db_path):
    """Tables other features add reference contacts; merge finds them from the schema."""
    ok(cli("contact", "add", "Ada"))
    ok(cli("contact", "add", "Ada Byron"))
    with sqlite3.connect(db_path) as conn:
        conn.executescript(
            """
            CREATE TABLE stage_history (
                id INTEGER PRIMARY KEY,
                contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
                stage TEXT NOT NULL);
            CREATE TABLE field_values (
                field TEXT NOT NULL,
                contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
                value TEXT,
                UNIQUE (field, contact_id));
            CREATE TABLE scores (
                contact_id INTEGER PRIMARY KEY REFERENCES contacts(id) ON DELETE CASCADE,
                score INTEGER);
            INSERT INTO stage_history(contact_id, stage) VALUES (1, 'lead'), (2, 'customer');
            INSERT INTO field_values VALUES ('budget', 1, NULL), ('budget', 2, '5000'),
                ('shoe', 1, '42'), ('shoe', 2, '43'), ('pet', 2, 'cat');
            INSERT INTO scores VALUES (2, 70);
            """
        )
    before = content(db_path)
    out = ok(cli("contact", "merge", "1", "2"))
    assert out.splitlines()[1:3] == [
        "moved to contact 1: 1 row of stage_history, 1 row of field_values, 1 row of scores",
        "already on contact 1, so dropped: 2 rows of field_values",
    ]
    assert rows(db_path, "SELECT contact_id, stage FROM stage_history") == [
        (1, "lead"),
        (1, "customer"),
    ]
    assert rows(db_path, "SELECT * FROM field_values ORDER BY field") == [
        ("budget", 1, "5000"),
        ("pet", 1, "cat"),
        ("shoe", 1, "42"),
    ]
    assert rows(db_path, "SELECT * FROM scores") == [(1, 70)]
    ok(cli("undo"))
    assert content(db_path) == before


def test_a_rule_merge_cannot_read_stops_it_with_one_line(cli, db_path):
    ok(cli("contact", "add", "Ada"))
    ok(cli("contact", "add", "Ada Byron"))
    with sqlite3.connect(db_path) as conn:
        conn.executescript(
            """
            CREATE TABLE handles (
                contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
                handle TEXT NOT NULL);
            CREATE UNIQUE INDEX handles_one ON handles(contact_id, lower(handle));
            INSERT INTO handles VALUES (1, 'ada'), (2, 'ADA');
            """
        )
    before = dump(db_path)
    assert error(cli("contact", "merge", "1", "2")) == (
        "pcrm: error: cannot move a row of handles to the record kept: UNIQUE constraint"
        " failed: index 'handles_one' (change or remove one of the two rows first)\n"
    )
    assert dump(db_path) == before


def test_company_merge_moves_people_deals_and_fills_the_domain(cli, db_path):
    ok(cli("company", "add", "Acme", "-t", "client"))
    ok(cli("company", "add", "ACME Inc", "--domain", "acme.com", "--industry", "Tools",
           "-t", "client,partner"))  # fmt: skip
    ok(cli("contact", "add", "Ada", "-c", "1"))
    ok(cli("contact", "add", "Bob", "-c", "2"))
    ok(cli("deal", "add", "Anvils", "-c", "2"))
    ok(cli("log", "bob", "Call", "--kind", "call"))
    before = content(db_path)
    out = ok(cli("company", "merge", "Acme", "acme.com"))
    assert out.splitlines() == [
        "merged company 2 ACME Inc into company 1 Acme",
        "moved to company 1: 1 person, 1 tag, 1 deal, 1 interaction",
        "already on company 1, so dropped: 1 tag",
        "filled from company 2: domain, industry",
        "recorded as merge 1; to reverse it: pcrm undo",
    ]
    assert rows(db_path, "SELECT id, name, domain, industry FROM companies") == [
        (1, "Acme", "acme.com", "Tools")
    ]
    assert rows(db_path, "SELECT name, company_id FROM contacts ORDER BY id") == [
        ("Ada", 1),
        ("Bob", 1),
    ]
    assert rows(db_path, "SELECT company_id FROM deals") == [(1,)]
    assert "Bob" in ok(cli("search", "Acme"))
    assert ok(cli("undo")).splitlines()[0] == (
        "undid merge 1: company 2 ACME Inc is back, apart from company 1 Acme"
    )
    assert content(db_path) == before


def test_names_in_the_report_are_cleaned(cli, db_path):
    ok(cli("contact", "add", "Ada\x1b[31m"))
    ok(cli("contact", "add", "Ada [bold]B[/bold]"))
    out = ok(cli("contact", "merge", "1", "2"))
    assert out.splitlines()[0] == "merged contact 2 Ada [bold]B[/bold] into contact 1 Ada\\x1b[31m"
