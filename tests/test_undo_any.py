"""Every write command is one change: `pcrm undo` puts the file back as it was, undoing
the undo gives the after-state again, `pcrm history` lists it."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import Result, dump, error, ok

# The journal's own tables change with every command: compared apart. The search index's
# b-tree (its segments) is laid out anew by each write; its content is compared.
_JOURNAL = (
    "changes",
    "change_rows",
    "search_index_data",
    "search_index_idx",
    "search_index_docsize",
)


def content(db_path: Path) -> list[str]:
    """The file's rows and schema, in a stable order (an import remakes the search
    triggers, which moves them in the dump)."""
    return sorted(
        line
        for line in dump(db_path)
        if not any(f'"{table}"' in line or f" {table} " in line for table in _JOURNAL)
    )


def build(cli: Callable[..., Result], tmp_path: Path) -> None:
    ok(
        cli(
            "contact",
            "add",
            "Ada Lovelace",
            "--email",
            "ada@example.org",
            "--email",
            "ada@analytical.example",
            "--company",
            "Analytical",
        )
    )
    ok(cli("contact", "add", "Grace Hopper", "--email", "grace@example.org", "--tag", "navy"))
    ok(cli("contact", "add", "Ada L.", "--email", "ada.l@example.org"))
    ok(cli("company", "add", "Babbage Ltd"))
    ok(cli("deal", "add", "20 seats", "--value", "12k", "--contact", "1:buyer", "-c", "Analytical"))
    ok(cli("log", "ada@example.org", "Call: wants a quote", "--kind", "call", "--deal", "20 seats"))
    ok(cli("log", "grace", "Demo planned", "--kind", "meeting", "--at", "2026-11-30 10:00"))
    ok(cli("follow-up", "add", "ada@example.org", "Send the quote", "--due", "2026-11-25"))
    ok(cli("follow-up", "add", "grace", "Call back", "--due", "2026-11-26"))
    ok(cli("deal", "add", "Old deal", "--contact", "grace"))
    ok(cli("deal", "won", "Old deal"))
    ok(cli("config", "set", "me.emails", "me@example.org"))
    ok(cli("field", "add", "plan", "--type", "choice", "--choices", "free,pro"))
    ok(cli("contact", "edit", "grace", "--set", "plan=pro"))
    (tmp_path / "small.csv").write_text(
        "Name,Email\nAlan Turing,alan@example.org\nAda Lovelace,ada@example.org\n",
        encoding="utf-8",
    )


# Every kind of write command, run on the file build() makes.
COMMANDS: list[tuple[str, ...]] = [
    ("contact", "add", "Linus", "--email", "linus@example.org", "--tag", "dev"),
    ("contact", "edit", "ada@example.org", "--title", "CTO", "--phone", "+44 20 7946 0000"),
    ("contact", "edit", "grace", "--set", "plan=free"),
    ("contact", "rm", "grace", "--yes"),
    ("contact", "rm", "ada lovelace", "grace", "--yes"),
    ("contact", "merge", "Ada Lovelace", "Ada L."),
    ("contact", "tag", "add", "vip", "ada lovelace", "grace", "--yes"),
    ("contact", "tag", "rm", "navy", "grace"),
    ("contact", "stage", "grace", "churned"),
    ("contact", "stage", "ada lovelace", "grace", "prospect", "--yes"),
    ("company", "add", "Initech"),
    ("company", "edit", "Analytical", "--name", "Analytical Engines"),
    ("company", "rm", "Babbage", "--yes"),
    ("company", "merge", "Analytical", "Babbage"),
    ("company", "stage", "Analytical", "customer"),
    ("deal", "add", "Support plan", "--value", "2k", "--contact", "grace"),
    ("deal", "edit", "20 seats", "--value", "15k", "--note", "bigger"),
    ("deal", "move", "20 seats", "2"),
    ("deal", "won", "20 seats"),
    ("deal", "lost", "20 seats", "--reason", "too dear"),
    ("deal", "note", "20 seats", "Sent the quote"),
    ("deal", "rm", "20 seats", "--yes"),
    ("deal", "reopen", "Old deal"),
    ("stage", "add", "Review", "--probability", "50"),
    ("pipeline", "add", "Partners"),
    ("interaction", "kind", "add", "lunch"),
    ("log", "ada@example.org", "Lunch: fine", "--kind", "meeting"),
    ("interaction", "edit", "1", "--text", "Call: wants a quote for 20"),
    ("interaction", "rm", "1", "--yes"),
    ("interaction", "done", "2"),
    ("interaction", "cancel", "2"),
    ("follow-up", "add", "grace", "Ping", "--due", "2026-12-01"),
    ("follow-up", "done", "1"),
    ("follow-up", "done", "1", "2", "--yes"),
    ("follow-up", "snooze", "1", "2026-12-02"),
    ("follow-up", "rm", "1", "--yes"),
    ("follow-up", "rm", "1", "2", "--yes"),
    ("field", "add", "budget", "--type", "number"),
    ("field", "rm", "plan", "--force"),
    ("lifecycle", "add", "partner"),
    ("config", "set", "currency", "EUR"),
    ("import", "contacts", "{csv}"),
    ("capture", "mail", "{mail}"),
]


def _args(command: tuple[str, ...], tmp_path: Path) -> list[str]:
    mail = Path(__file__).parent / "fixtures" / "mail" / "thread_1.eml"
    return [
        word.replace("{csv}", str(tmp_path / "small.csv")).replace("{mail}", str(mail))
        for word in command
    ]


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_undo_puts_the_file_back_and_undoing_the_undo_redoes(
    cli: Callable[..., Result], db_path: Path, tmp_path: Path, command: tuple[str, ...]
) -> None:
    build(cli, tmp_path)
    before = content(db_path)
    done = ok(cli(*_args(command, tmp_path)))
    after = content(db_path)
    assert after != before, done
    history = ok(cli("history", "--limit", "1"))
    assert "pcrm " + command[0] in history
    dry = ok(cli("undo", "--dry-run"))
    assert "nothing changed (dry run)" in dry
    assert content(db_path) == after
    out = ok(cli("undo"))
    assert out.startswith(("undid change ", "undid merge "))
    assert content(db_path) == before
    assert ok(cli("undo")).startswith("redid change ")
    assert content(db_path) == after


def test_a_removed_contact_comes_back_whole_and_undo_no_longer_splits_an_old_merge(
    cli: Callable[..., Result], db_path: Path, tmp_path: Path
) -> None:
    build(cli, tmp_path)
    ok(cli("company", "merge", "Analytical", "Babbage"))
    ok(cli("contact", "add", "temp"))
    before = content(db_path)
    shown = ok(cli("show", "ada lovelace"))
    ok(cli("contact", "rm", "ada lovelace", "--yes"))
    out = ok(cli("undo"))
    assert "contact rm" in out
    assert content(db_path) == before
    assert ok(cli("show", "ada lovelace")) == shown
    assert "Ada Lovelace" in ok(cli("search", "quote"))


def test_undo_id_is_refused_when_a_later_change_touched_the_same_rows(
    cli: Callable[..., Result], db_path: Path, tmp_path: Path
) -> None:
    build(cli, tmp_path)
    ok(cli("contact", "edit", "grace", "--title", "Admiral"))
    first = int(ok(cli("history", "--limit", "1")).split("\t")[0])
    ok(cli("company", "add", "Initech"))
    ok(cli("contact", "edit", "grace", "--title", "Rear Admiral"))
    later = first + 2
    before = dump(db_path)
    message = error(cli("undo", str(first)))
    assert f"cannot undo change {first}: change {later} (pcrm contact edit grace" in message
    assert message.count("\n") == 1
    assert dump(db_path) == before
    # An unrelated later change does not stop it: undo the company, keep the title edits.
    out = ok(cli("undo", str(first + 1)))
    assert out.startswith(f"undid change {first + 1} (pcrm company add Initech)")
    assert "Initech" not in ok(cli("company", "list"))
    assert "Rear Admiral" in ok(cli("show", "grace"))


def test_history_lists_changes_newest_first_and_reads_record_nothing(
    cli: Callable[..., Result], db_path: Path, tmp_path: Path
) -> None:
    ok(cli("contact", "add", "Ada Lovelace", "--email", "ada@example.org"))
    ok(cli("contact", "list"))
    ok(cli("show", "ada"))
    error(cli("contact", "add", "Bad", "--email", "not an email"))
    ok(cli("contact", "edit", "ada", "--title", "CTO"))
    lines = ok(cli("history")).splitlines()
    assert len(lines) == 2
    assert lines[0].startswith(
        "2\t2026-11-23 10:00\tpcrm contact edit ada --title CTO\tcontacts ~1"
    )
    assert lines[1].startswith("1\t")
    assert "pcrm contact add 'Ada Lovelace' --email ada@example.org" in lines[1]
    assert "contacts +1, contact_emails +1" in lines[1]
    ok(cli("undo"))
    import json

    listed = json.loads(ok(cli("history", "--json")))
    assert [c["id"] for c in listed] == [3, 2, 1]
    assert listed[0]["undo_of"] == 2 and listed[1]["undone_at"] is not None
    assert listed[0]["argv"] == ["undo"]


def test_undo_with_nothing_recorded_says_so(cli: Callable[..., Result], db_path: Path) -> None:
    ok(cli("config", "set", "currency", "EUR"))
    ok(cli("undo"))
    ok(cli("undo"))
    message = error(cli("undo", "99"))
    assert "no change 99 is recorded" in message


def test_a_bulk_command_is_one_change(
    cli: Callable[..., Result], db_path: Path, tmp_path: Path
) -> None:
    build(cli, tmp_path)
    ok(cli("contact", "tag", "add", "vip", "ada lovelace", "grace", "ada l.", "--yes"))
    lines = ok(cli("history", "--limit", "0")).splitlines()
    assert "contact_tags +3" in lines[0]
    conn = sqlite3.connect(db_path)
    assert conn.execute("SELECT count(*) FROM changes WHERE argv LIKE '%vip%'").fetchone() == (1,)
    conn.close()


def test_a_merge_made_before_the_change_journal_is_undone_from_its_own(
    cli: Callable[..., Result], db_path: Path
) -> None:
    ok(cli("contact", "add", "Robert Smith", "-e", "robert@acme.com"))
    ok(cli("contact", "add", "Bob Smith", "-e", "bob@gmail.com"))
    before = content(db_path)
    ok(cli("contact", "merge", "1", "2"))
    # As a file upgraded from before m018 holds it: the merge in `merges`, no change.
    conn = sqlite3.connect(db_path)
    with conn:
        conn.execute("DELETE FROM change_rows")
        conn.execute("DELETE FROM changes")
    conn.close()
    assert ok(cli("undo")).splitlines() == [
        "undid merge 1: contact 2 Bob Smith is back, apart from contact 1 Robert Smith",
        "put back 4 rows as they were before the merge",
    ]
    assert content(db_path) == before
    # The old undo is a change like any other: undoing it merges again.
    assert ok(cli("undo")).startswith("undid change 1 (pcrm undo)")
    assert "undo of merge 1: " in ok(cli("history"))
    assert "Bob Smith" not in ok(cli("contact", "list"))


def test_a_failed_command_and_a_dry_run_record_nothing(
    cli: Callable[..., Result], db_path: Path, tmp_path: Path
) -> None:
    build(cli, tmp_path)
    count = len(ok(cli("history", "--limit", "0")).splitlines())
    error(cli("deal", "move", "20 seats", "no such stage"))
    ok(cli("contact", "rm", "grace", "--dry-run"))
    ok(cli("contact", "merge", "Ada Lovelace", "Ada L.", "--dry-run"))
    ok(cli("undo", "--dry-run"))
    assert len(ok(cli("history", "--limit", "0")).splitlines()) == count
