"""An import's added rows are journaled as runs of ids (one entry per table), and undo
after an import still puts the file back exactly, refuses when a later change touched an
imported row, and redoes."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from conftest import Result, dump, error, ok, rows
from test_undo_any import content

CSV = "Name,Email,Phone\n" + "".join(
    f"Person {n},p{n}@example.org,+44 20 7946 {n:04d}\n" for n in range(1, 61)
)


def _setup(cli: Callable[..., Result], tmp_path: Path) -> Path:
    ok(cli("contact", "add", "Ada Lovelace", "--email", "ada@example.org", "-c", "Firm 1"))
    ok(cli("contact", "add", "Grace Hopper", "--email", "grace@example.org", "--tag", "navy"))
    path = tmp_path / "people.csv"
    # Ada's row merges into her (a phone added); her namesake with another email and no
    # company is another contact.
    path.write_text(
        CSV + "Ada Lovelace,ada@example.org,+44 20 7946 9999\n"
        "Ada Lovelace,ada@analytical.example,\n",
        encoding="utf-8",
    )
    return path


def test_an_import_is_one_entry_per_table_and_undo_and_redo_are_exact(
    cli: Callable[..., Result], db_path: Path, tmp_path: Path
) -> None:
    csv = _setup(cli, tmp_path)
    before = content(db_path)
    ok(cli("import", "contacts", str(csv)))
    after = content(db_path)
    assert rows(db_path, "SELECT count(*) FROM contacts") == [(63,)]
    change = rows(db_path, "SELECT max(id) FROM changes")[0][0]
    added = rows(
        db_path,
        "SELECT tbl, kv FROM change_rows WHERE change_id = ? AND before IS NULL"
        " AND key = '[\"rowid runs\"]' ORDER BY seq",
        (change,),
    )
    # 61 contacts with their emails, 60 + 1 phones (one added to Ada): three entries.
    assert added == [
        ("contacts", "[[3, 63]]"),
        ("contact_emails", "[[3, 63]]"),
        ("contact_phones", "[[1, 61]]"),
    ]
    assert rows(db_path, "SELECT count(*) FROM change_rows WHERE change_id = ?", (change,)) < [
        (10,)
    ]
    history = ok(cli("history", "--limit", "1"))
    assert "contacts +61, contact_emails +61, contact_phones +61" in history
    out = ok(cli("undo"))
    assert out.startswith(f"undid change {change} (pcrm import contacts")
    assert content(db_path) == before
    assert "Person 7" not in ok(cli("search", "Person"))
    assert ok(cli("undo")).startswith("redid change ")
    assert content(db_path) == after
    assert "Person 7" in ok(cli("search", "Person"))


def test_undo_of_an_import_is_refused_when_a_later_change_touched_an_imported_row(
    cli: Callable[..., Result], db_path: Path, tmp_path: Path
) -> None:
    csv = _setup(cli, tmp_path)
    ok(cli("import", "contacts", str(csv)))
    imported = rows(db_path, "SELECT max(id) FROM changes")[0][0]
    ok(cli("contact", "add", "Unrelated"))
    ok(cli("contact", "edit", "p30@example.org", "--title", "CTO"))
    before = dump(db_path)
    message = error(cli("undo", str(imported)))
    assert f"cannot undo change {imported}: change {imported + 2} (pcrm contact edit" in message
    assert dump(db_path) == before
    # Undone in order, it is exact again.
    ok(cli("undo"))
    ok(cli("undo", str(imported + 1)))
    ok(cli("undo", str(imported)))
    assert rows(db_path, "SELECT count(*) FROM contacts") == [(2,)]
    assert rows(db_path, "SELECT count(*) FROM contact_phones") == [(0,)]
    assert rows(db_path, "SELECT email FROM contact_emails ORDER BY id") == [
        ("ada@example.org",),
        ("grace@example.org",),
    ]


def test_a_later_change_on_an_old_id_an_import_added_is_seen(
    cli: Callable[..., Result], db_path: Path, tmp_path: Path
) -> None:
    """The newest imported contact removed, and its id given again: the import's runs
    cover it, so undoing the import by id is refused rather than removing the new one."""
    csv = _setup(cli, tmp_path)
    ok(cli("import", "contacts", str(csv)))
    imported = rows(db_path, "SELECT max(id) FROM changes")[0][0]
    ok(cli("contact", "rm", "ada@analytical.example", "--yes"))
    ok(cli("contact", "add", "Newcomer"))
    assert rows(db_path, "SELECT id FROM contacts WHERE name = 'Newcomer'") == [(63,)]
    before = dump(db_path)
    message = error(cli("undo", str(imported)))
    assert f"cannot undo change {imported}: change {imported + 2}" in message
    assert dump(db_path) == before


def test_a_dry_run_import_records_no_change(
    cli: Callable[..., Result], db_path: Path, tmp_path: Path
) -> None:
    csv = _setup(cli, tmp_path)
    before = dump(db_path)
    ok(cli("import", "contacts", str(csv), "--dry-run"))
    assert dump(db_path) == before
