"""`pcrm vdir export|import DIR`: contacts as one .vcf each, through real folders."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import Result, dump, rows
from pcrm.formats.vcard import kept_lines

Cli = Callable[..., Result]
FIXTURES = Path(__file__).parent / "fixtures" / "real"
IPHONE = FIXTURES / "ez-vcard" / "John_Doe_IPHONE.vcf"


def ok(cli: Cli, *args: str) -> str:
    result = cli(*args)
    assert result.exit_code == 0, result.stderr
    return result.stdout


def card_of(folder: Path, name: str) -> Path:
    """The .vcf of the contact whose FN is `name`."""
    found = [
        p
        for p in (folder / "contacts").glob("*.vcf")
        if f"FN:{name}\r\n" in p.read_bytes().decode()
    ]
    assert len(found) == 1, found
    return found[0]


def contact(cli: Cli, ref: str) -> dict[str, object]:
    data = json.loads(ok(cli, "contact", "show", ref, "--json"))["contact"]
    assert isinstance(data, dict)
    return data


def two_people(cli: Cli) -> None:
    ok(cli, "contact", "add", "Ada Lovelace", "--email", "ada@example.org", "--phone",
       "+44 20 7946 0018", "--title", "Analyst")  # fmt: skip
    ok(cli, "contact", "add", "Grace Hopper", "--email", "grace@example.org")


def test_export_writes_one_card_per_contact_and_rewrites_only_what_changed(
    cli: Cli, tmp_path: Path
) -> None:
    two_people(cli)
    vdir = tmp_path / "vdir"
    assert ok(cli, "vdir", "export", str(vdir)) == "exported 0 changed, 0 unchanged, 2 new\n"
    ada, grace = card_of(vdir, "Ada Lovelace"), card_of(vdir, "Grace Hopper")
    uid = rows(Path(cli_db()), "SELECT uid FROM contacts WHERE name = 'Ada Lovelace'")[0][0]
    assert ada.name == f"{uid}.vcf"
    assert ada.read_bytes().startswith(b"BEGIN:VCARD\r\nVERSION:3.0\r\n")
    assert f"UID:{uid}\r\n" in ada.read_bytes().decode()
    assert (vdir / "tasks").is_dir()
    grace_mtime = grace.stat().st_mtime_ns
    ok(cli, "contact", "edit", "ada", "--title", "Countess")
    assert ok(cli, "vdir", "export", str(vdir)) == "exported 1 changed, 1 unchanged\n"
    assert "TITLE:Countess\r\n" in ada.read_bytes().decode()
    assert grace.stat().st_mtime_ns == grace_mtime  # not touched
    assert ok(cli, "vdir", "export", str(vdir)) == "exported 0 changed, 2 unchanged\n"
    recorded = rows(Path(cli_db()), "SELECT uid, kind, sha256 = pcrm_sha256 FROM vdir_items")
    assert sorted(r[1:] for r in recorded) == [("contact", 1), ("contact", 1)]


def cli_db() -> str:
    import os

    return os.environ["PCRM_DB"]


def test_dry_run_export_writes_nothing(cli: Cli, tmp_path: Path) -> None:
    two_people(cli)
    vdir = tmp_path / "vdir"
    out = ok(cli, "vdir", "export", str(vdir), "--dry-run")
    assert out == "would export 0 changed, 0 unchanged, 2 new\n"
    assert not vdir.exists()
    assert rows(Path(cli_db()), "SELECT count(*) FROM vdir_items") == [(0,)]


def test_an_edit_on_the_phone_changes_that_field_only_and_every_other_property_survives(
    cli: Cli, tmp_path: Path
) -> None:
    ok(cli, "import", "contacts", str(IPHONE))
    vdir = tmp_path / "vdir"
    ok(cli, "vdir", "export", str(vdir))
    card = next((vdir / "contacts").glob("*.vcf"))
    before = contact(cli, "1")
    # The phone changes the title, and nothing else.
    text = card.read_bytes().decode()
    assert "TITLE:Money Counter\r\n" in text
    card.write_bytes(text.replace("TITLE:Money Counter\r\n", "TITLE:Chief Counter\r\n").encode())
    out = ok(cli, "vdir", "import", str(vdir))
    assert out == "imported 0 new, 1 changed\n"
    after = contact(cli, "1")
    changed = {key for key in before if before[key] != after[key]}
    assert changed - {"updated_at"} == {"title"}
    assert after["title"] == "Chief Counter"
    # An import of the same folder again reads nothing.
    assert ok(cli, "vdir", "import", str(vdir)) == "imported 0 new, 0 changed\n"
    # pcrm changes something else; the next export merges it into the kept card.
    ok(cli, "contact", "edit", "1", "--tag", "ibm")
    assert ok(cli, "vdir", "export", str(vdir)) == "exported 1 changed, 0 unchanged\n"
    written = card.read_bytes().decode()
    assert "TITLE:Chief Counter\r\n" in written
    assert "CATEGORIES:ibm\r\n" in written
    kept = kept_lines(IPHONE.read_text())
    assert any(line.startswith("PHOTO;") for line in kept)
    assert any(line.startswith("item3.X-ABADR") for line in kept)
    for line in kept:  # every property pcrm does not model, byte for byte
        assert line + "\r\n" in written


def test_a_card_made_on_the_phone_with_a_known_email_joins_that_contact(
    cli: Cli, tmp_path: Path
) -> None:
    two_people(cli)
    vdir = tmp_path / "vdir"
    ok(cli, "vdir", "export", str(vdir))
    own = card_of(vdir, "Ada Lovelace")
    phone_card = vdir / "contacts" / "ABC-123.vcf"
    phone_card.write_bytes(
        b"BEGIN:VCARD\r\nVERSION:3.0\r\nUID:ABC-123\r\nFN:Ada L.\r\n"
        b"EMAIL;TYPE=INTERNET:ADA@example.org\r\nTEL;TYPE=CELL:+1 555 0100\r\n"
        b"X-PHONE-THING:kept\r\nEND:VCARD\r\n"
    )
    new_card = vdir / "contacts" / "NEW-1.vcf"
    new_card.write_bytes(
        b"BEGIN:VCARD\r\nVERSION:3.0\r\nUID:NEW-1\r\nFN:Alan Turing\r\n"
        b"TEL;TYPE=HOME:+44 161 496 0000\r\nEND:VCARD\r\n"
    )
    out = ok(cli, "vdir", "import", str(vdir))
    assert out == "imported 1 new, 0 changed, 1 matched to contacts already in pcrm\n"
    names = [r[0] for r in rows(Path(cli_db()), "SELECT name FROM contacts ORDER BY id")]
    assert names == ["Ada Lovelace", "Grace Hopper", "Alan Turing"]  # no second Ada
    ada = contact(cli, "ada")
    assert [p["phone"] for p in ada["phones"]] == ["+44 20 7946 0018", "+1 555 0100"]  # type: ignore[index]
    # The next export keeps the phone's card for Ada and removes pcrm's own copy, so the
    # devices do not show her twice; the phone's UID and its own properties stay.
    out = ok(cli, "vdir", "export", str(vdir))
    assert out == "exported 0 changed, 3 unchanged, 1 removed\n"
    assert not own.exists()
    assert phone_card.exists() and new_card.exists()
    # A number written another way (with the country code) matches too.
    (vdir / "contacts" / "P2.vcf").write_bytes(
        b"BEGIN:VCARD\r\nVERSION:3.0\r\nUID:P2\r\nFN:Turing\r\n"
        b"TEL:0044 161 496 0000\r\nEND:VCARD\r\n"
    )
    out = ok(cli, "vdir", "import", str(vdir))
    assert "1 matched" in out
    assert rows(Path(cli_db()), "SELECT count(*) FROM contacts") == [(3,)]


def test_a_card_deleted_on_the_phone_archives_the_contact(cli: Cli, tmp_path: Path) -> None:
    two_people(cli)
    vdir = tmp_path / "vdir"
    ok(cli, "vdir", "export", str(vdir))
    card_of(vdir, "Grace Hopper").unlink()
    assert ok(cli, "vdir", "import", str(vdir)) == "imported 0 new, 0 changed, 1 archived\n"
    assert "Grace" not in ok(cli, "contact", "list")
    assert contact(cli, "grace")["name"] == "Grace Hopper"  # kept, not destroyed
    # The export does not bring the archived card back, and removes nothing else.
    assert ok(cli, "vdir", "export", str(vdir)) == "exported 0 changed, 1 unchanged\n"
    assert ok(cli, "contact", "restore", "grace") == "restored contact 2 Grace Hopper\n"
    assert "Grace Hopper" in ok(cli, "contact", "list")
    assert ok(cli, "vdir", "export", str(vdir)) == "exported 0 changed, 1 unchanged, 1 new\n"
    card_of(vdir, "Grace Hopper")


def test_undo_takes_an_import_back(cli: Cli, tmp_path: Path) -> None:
    two_people(cli)
    vdir = tmp_path / "vdir"
    ok(cli, "vdir", "export", str(vdir))
    card = card_of(vdir, "Ada Lovelace")
    before = dump(Path(cli_db()))
    card.write_bytes(card.read_bytes().replace(b"TITLE:Analyst", b"TITLE:Countess"))
    card_of(vdir, "Grace Hopper").unlink()
    ok(cli, "vdir", "import", str(vdir))
    assert contact(cli, "ada")["title"] == "Countess"
    ok(cli, "undo")
    assert contact(cli, "ada")["title"] == "Analyst"
    assert "Grace Hopper" in ok(cli, "contact", "list")
    # The file is read again after the undo: the state went back with the contacts.
    assert ok(cli, "vdir", "import", str(vdir)) == "imported 0 new, 1 changed, 1 archived\n"
    assert before != dump(Path(cli_db()))


def test_contact_rm_removes_only_that_card(cli: Cli, tmp_path: Path) -> None:
    two_people(cli)
    vdir = tmp_path / "vdir"
    ok(cli, "vdir", "export", str(vdir))
    grace = card_of(vdir, "Grace Hopper")
    ok(cli, "contact", "rm", "ada", "--yes")
    assert ok(cli, "vdir", "export", str(vdir)) == "exported 0 changed, 1 unchanged, 1 removed\n"
    assert [p.name for p in (vdir / "contacts").iterdir()] == [grace.name]


def test_an_export_that_would_empty_a_collection_is_refused(cli: Cli, tmp_path: Path) -> None:
    two_people(cli)
    vdir = tmp_path / "vdir"
    ok(cli, "vdir", "export", str(vdir))
    ok(cli, "contact", "rm", "ada", "grace", "--yes")
    files = sorted((vdir / "contacts").iterdir())
    before = dump(Path(cli_db()))
    result = cli("vdir", "export", str(vdir))
    assert result.exit_code == 1
    assert result.stderr.startswith("pcrm: error: the export would delete every file in ")
    assert "(2); nothing was written" in result.stderr
    assert len(result.stderr.strip().splitlines()) <= 2
    assert sorted((vdir / "contacts").iterdir()) == files
    assert dump(Path(cli_db())) == before


def title_changed_on_the_phone(cli: Cli, tmp_path: Path) -> tuple[Path, Path]:
    """Two people exported; Ada's title changed in her card since."""
    two_people(cli)
    vdir = tmp_path / "vdir"
    ok(cli, "vdir", "export", str(vdir))
    card = card_of(vdir, "Ada Lovelace")
    card.write_bytes(card.read_bytes().replace(b"TITLE:Analyst", b"TITLE:Phone title"))
    return vdir, card


def test_conflict_is_reported_and_nothing_changes_by_default(cli: Cli, tmp_path: Path) -> None:
    vdir, card = title_changed_on_the_phone(cli, tmp_path)
    ok(cli, "contact", "edit", "ada", "--title", "pcrm title")
    before = dump(Path(cli_db()))
    out = ok(cli, "vdir", "import", str(vdir))
    lines = out.splitlines()
    assert lines[0] == "imported 0 new, 0 changed; 1 conflict"
    assert lines[1].startswith("conflict: contact 1 Ada Lovelace (contacts/")
    assert lines[1].endswith(
        "changed in pcrm and changed in the folder; nothing changed for it"
        " (choose with --prefer pcrm|file)"
    )
    assert "  -TITLE:pcrm title" in lines
    assert "  +TITLE:Phone title" in lines
    assert dump(Path(cli_db())) == before
    # The export leaves the file changed in the folder alone.
    out = ok(cli, "vdir", "export", str(vdir))
    assert out.startswith("exported 0 changed, 1 unchanged; 1 changed in the folder")
    assert b"TITLE:Phone title" in card.read_bytes()
    data = json.loads(ok(cli, "vdir", "import", str(vdir), "--json"))
    assert data["conflicts"][0]["kept"] is None
    assert "TITLE:Phone title" in data["conflicts"][0]["file"]
    assert "TITLE:pcrm title" in data["conflicts"][0]["pcrm"]


def test_conflict_with_prefer_pcrm_keeps_pcrm_and_the_export_writes_it(
    cli: Cli, tmp_path: Path
) -> None:
    vdir, card = title_changed_on_the_phone(cli, tmp_path)
    ok(cli, "contact", "edit", "ada", "--title", "pcrm title")
    out = ok(cli, "vdir", "import", str(vdir), "--prefer", "pcrm")
    assert out.splitlines()[0] == "imported 0 new, 0 changed; 1 conflict settled by --prefer"
    assert "pcrm's version kept (the next export writes it)" in out
    assert contact(cli, "ada")["title"] == "pcrm title"
    assert ok(cli, "vdir", "export", str(vdir)) == "exported 1 changed, 1 unchanged\n"
    assert b"TITLE:pcrm title" in card.read_bytes()


def test_conflict_with_prefer_file_takes_the_file_and_keeps_pcrms_other_edits(
    cli: Cli, tmp_path: Path
) -> None:
    vdir, card = title_changed_on_the_phone(cli, tmp_path)
    ok(cli, "contact", "edit", "ada", "--title", "pcrm title", "--tag", "vip")
    out = ok(cli, "vdir", "import", str(vdir), "--prefer", "file")
    assert out.splitlines()[0] == "imported 0 new, 1 changed; 1 conflict settled by --prefer"
    ada = contact(cli, "ada")
    assert ada["title"] == "Phone title"
    assert ada["tags"] == ["vip"]  # not in the file's change: pcrm's edit stays
    assert ok(cli, "vdir", "export", str(vdir)) == "exported 1 changed, 1 unchanged\n"
    assert b"CATEGORIES:vip" in card.read_bytes()


def test_deleted_on_the_phone_and_changed_in_pcrm_is_a_conflict(cli: Cli, tmp_path: Path) -> None:
    two_people(cli)
    vdir = tmp_path / "vdir"
    ok(cli, "vdir", "export", str(vdir))
    card_of(vdir, "Grace Hopper").unlink()
    ok(cli, "contact", "edit", "grace", "--title", "Admiral")
    out = ok(cli, "vdir", "import", str(vdir))
    assert out.splitlines()[0] == "imported 0 new, 0 changed; 1 conflict"
    assert "changed in pcrm and deleted in the folder" in out
    assert "Grace Hopper" in ok(cli, "contact", "list")
    out = ok(cli, "vdir", "import", str(vdir), "--prefer", "pcrm")
    assert ok(cli, "vdir", "export", str(vdir)) == "exported 0 changed, 1 unchanged, 1 new\n"
    card_of(vdir, "Grace Hopper")
    card_of(vdir, "Grace Hopper").unlink()
    ok(cli, "contact", "edit", "grace", "--title", "Rear Admiral")
    out = ok(cli, "vdir", "import", str(vdir), "--prefer", "file")
    assert (
        out.splitlines()[0]
        == "imported 0 new, 0 changed, 1 archived; 1 conflict settled by --prefer"
    )
    assert "Grace" not in ok(cli, "contact", "list")


def test_import_dry_run_and_json(cli: Cli, tmp_path: Path) -> None:
    two_people(cli)
    vdir = tmp_path / "vdir"
    ok(cli, "vdir", "export", str(vdir))
    card_of(vdir, "Grace Hopper").unlink()
    before = dump(Path(cli_db()))
    out = ok(cli, "vdir", "import", str(vdir), "--dry-run")
    assert out == "would import 0 new, 0 changed, 1 archived\n"
    assert dump(Path(cli_db())) == before
    data = json.loads(ok(cli, "vdir", "import", str(vdir), "--json"))
    assert data["action"] == "import"
    assert data["contacts"]["archived"] == 1
    assert data["conflicts"] == [] and data["problems"] == []


def test_a_broken_card_is_named_and_the_others_still_come_in(cli: Cli, tmp_path: Path) -> None:
    two_people(cli)
    vdir = tmp_path / "vdir"
    ok(cli, "vdir", "export", str(vdir))
    (vdir / "contacts" / "junk.vcf").write_bytes(b"hello\r\n")
    (vdir / "contacts" / "nameless.vcf").write_bytes(
        b"BEGIN:VCARD\r\nVERSION:3.0\r\nEMAIL:x@y.org\r\nEND:VCARD\r\n"
    )
    (vdir / "contacts" / "fine.vcf").write_bytes(
        b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Katherine Johnson\r\nEND:VCARD\r\n"
    )
    out = ok(cli, "vdir", "import", str(vdir))
    lines = out.splitlines()
    assert lines[0] == "imported 1 new, 0 changed; 2 problems"
    assert "problem: contacts/junk.vcf: not a vCard (no BEGIN:VCARD)" in lines
    assert any(line.startswith("problem: contacts/nameless.vcf: ") for line in lines)
    assert "Katherine Johnson" in ok(cli, "contact", "list")


def test_bad_dir(cli: Cli, tmp_path: Path) -> None:
    two_people(cli)
    before = dump(Path(cli_db()))
    missing = tmp_path / "no" / "such"
    for args in (("export", str(missing)), ("import", str(missing))):
        result = cli("vdir", *args)
        assert result.exit_code == 1
        assert result.stderr.startswith(f"pcrm: error: no folder {missing}")
        assert "Traceback" not in result.stderr
    a_file = tmp_path / "file.txt"
    a_file.write_text("x")
    result = cli("vdir", "export", str(a_file))
    assert result.exit_code == 1
    assert f"{a_file} is not a folder" in result.stderr
    empty = tmp_path / "empty"
    empty.mkdir()
    result = cli("vdir", "import", str(empty))
    assert result.exit_code == 1
    assert "holds no contacts/ or tasks/ folder" in result.stderr
    result = cli("vdir", "import", str(empty), "--prefer", "phone")
    assert result.exit_code == 1
    assert '--prefer "phone" is not pcrm or file' in result.stderr
    assert dump(Path(cli_db())) == before


def test_contact_archive_and_restore(cli: Cli) -> None:
    two_people(cli)
    assert ok(cli, "contact", "archive", "ada") == "archived contact 1 Ada Lovelace\n"
    assert "Ada" not in ok(cli, "contact", "list")
    result = cli("contact", "archive", "ada")
    assert result.exit_code == 1
    assert "contact 1 is already archived" in result.stderr
    assert ok(cli, "contact", "restore", "1") == "restored contact 1 Ada Lovelace\n"
    result = cli("contact", "restore", "1")
    assert result.exit_code == 1
    assert "contact 1 is not archived" in result.stderr


def test_an_emptied_folder_archives_nobody(cli: Cli, tmp_path: Path) -> None:
    two_people(cli)
    vdir = tmp_path / "vdir"
    ok(cli, "vdir", "export", str(vdir))
    for path in (vdir / "contacts").iterdir():
        path.unlink()
    out = ok(cli, "vdir", "import", str(vdir))
    assert out.splitlines() == [
        "imported 0 new, 0 changed; 1 problem",
        "problem: contacts/: the folder is empty; nothing was taken for deleted"
        " (check DIR and the last vdirsyncer run)",
    ]
    listed = ok(cli, "contact", "list")
    assert "Ada Lovelace" in listed and "Grace Hopper" in listed


PHONE_CARDS = [
    "ez-vcard/John_Doe_IPHONE.vcf",
    "vcard4android/vcard4.vcf",
    "kcontacts/vcardwithitemasapplesupport.vcf",
    "ez-vcard/gmail-single.vcf",
    "ez-vcard/John_Doe_EVOLUTION.vcf",
    "ez-vcard/outlook-2007.vcf",
    "nextcloud-contacts/forrest-gump.vcf",
]


@pytest.mark.parametrize("name", PHONE_CARDS)
def test_real_cards_survive_export_edit_and_export_again(
    cli: Cli, tmp_path: Path, name: str
) -> None:
    source = FIXTURES / name
    ok(cli, "import", "contacts", str(source))
    vdir = tmp_path / "vdir"
    assert ok(cli, "vdir", "export", str(vdir)) == "exported 0 changed, 0 unchanged, 1 new\n"
    card = next((vdir / "contacts").glob("*.vcf"))
    assert ok(cli, "vdir", "import", str(vdir)) == "imported 0 new, 0 changed\n"
    # The phone adds a note; pcrm adds a tag: both are in the next card, and every
    # property pcrm does not model is still there byte for byte.
    text = card.read_bytes().decode()
    end = text.rindex("END:VCARD")
    card.write_bytes((text[:end] + "X-PHONE-ONLY:kept\r\n" + text[end:]).encode())
    assert ok(cli, "vdir", "import", str(vdir)) == "imported 0 new, 1 changed\n"
    ok(cli, "contact", "edit", "1", "--tag", "synced")
    assert ok(cli, "vdir", "export", str(vdir)) == "exported 1 changed, 0 unchanged\n"
    written = card.read_bytes().decode()
    assert "CATEGORIES:" in written and "synced" in written
    assert "X-PHONE-ONLY:kept\r\n" in written
    for line in kept_lines(source.read_bytes().decode("utf-8", "replace")):
        assert line + "\r\n" in written


def test_export_without_a_database_says_so(cli: Cli, tmp_path: Path) -> None:
    result = cli("vdir", "export", str(tmp_path / "vdir"))
    assert result.exit_code == 1
    assert result.stderr.startswith("pcrm: error: ")
    assert not Path(cli_db()).exists()
    assert not (tmp_path / "vdir").exists()


def test_a_collection_that_is_not_a_folder(cli: Cli, tmp_path: Path) -> None:
    two_people(cli)
    vdir = tmp_path / "vdir"
    vdir.mkdir()
    (vdir / "contacts").write_text("not a folder")
    before = dump(Path(cli_db()))
    result = cli("vdir", "export", str(vdir))
    assert result.exit_code == 1
    assert result.stderr.startswith(f"pcrm: error: cannot use {vdir / 'contacts'}: ")
    assert "bug" not in result.stderr
    assert dump(Path(cli_db())) == before


def test_an_archived_contact_leaves_the_agenda(cli: Cli) -> None:
    ok(cli, "contact", "add", "Ada Lovelace", "--birthday", "1990-11-24", "--every", "30d")
    agenda = ok(cli, "agenda")
    assert "every 30 days" in agenda and "birthday" in agenda
    ok(cli, "contact", "archive", "ada")
    assert ok(cli, "agenda") == ""
    ok(cli, "contact", "restore", "ada")
    assert ok(cli, "agenda") == agenda


def test_a_new_card_keeps_the_phones_own_labels(cli: Cli, tmp_path: Path) -> None:
    ok(cli, "contact", "add", "Grace Hopper")
    vdir = tmp_path / "vdir"
    ok(cli, "vdir", "export", str(vdir))
    (vdir / "contacts" / "L1.vcf").write_bytes(
        b"BEGIN:VCARD\r\nVERSION:3.0\r\nUID:L1\r\nFN:Alan Turing\r\n"
        b"item1.EMAIL;TYPE=INTERNET:alan@example.org\r\nitem1.X-ABLabel:Work (main)\r\n"
        b"item2.TEL:+44 161 496 0000\r\nitem2.X-ABLabel:Bletchley #2\r\nEND:VCARD\r\n"
    )
    assert ok(cli, "vdir", "import", str(vdir)) == "imported 1 new, 0 changed\n"
    alan = contact(cli, "alan")
    assert alan["emails"] == [{"email": "alan@example.org", "label": "work (main)"}]
    assert alan["phones"] == [{"phone": "+44 161 496 0000", "label": "bletchley #2"}]
