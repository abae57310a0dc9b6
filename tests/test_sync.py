"""`pcrm sync` against a real Radicale (tests/sync_server.py): vdirsyncer runs as a
subprocess, pcrm through CliRunner; the "phone" is plain HTTP from the test."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import Result, dump, rows
from sync_server import Server, radicale_server  # noqa: F401  (the fixture `radicale`)

Cli = Callable[..., Result]
QUIET = ["to the server: nothing", "from the server: nothing"]


def ok(result: Result) -> str:
    assert result.exit_code == 0, (result.stdout, result.stderr, result.exception)
    return result.stdout


def setup(cli: Cli, server: Server, *extra: str, password: str = "secret") -> str:
    """`pcrm sync setup` for both collections; the password comes from a file by `cat`."""
    secret = server.storage.parent / "password"
    secret.write_text(password + "\n")
    return ok(
        cli(
            "sync",
            "setup",
            "--carddav",
            server.contacts_url,
            "--caldav",
            server.tasks_url,
            "--user",
            "me",
            "--password-command",
            f"cat {secret}",
            *extra,
        )
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
    assert out.splitlines()[:2] == QUIET
    ok(cli("contact", "edit", "grace", "--title", "Rear Admiral"))
    data = json.loads(ok(cli("sync", "--json")))
    assert data["sent"] == {
        "contacts": {"new": 0, "changed": 1, "deleted": 0},
        "tasks": {"new": 0, "changed": 0, "deleted": 0},
    }
    assert data["received"]["contacts"] == {"new": 0, "changed": 0, "deleted": 0}
    assert data["export"]["contacts"]["changed"] == 1
    assert data["imported"]["action"] == "import"
    assert (data["conflicts"], data["settled"], data["dry_run"]) == ([], 0, False)


def contact(cli: Cli, ref: str) -> dict[str, object]:
    data = json.loads(ok(cli("contact", "show", ref, "--json")))["contact"]
    assert isinstance(data, dict)
    return data


def on_server(server: Server, collection: str, needle: str) -> tuple[str, str]:
    """(href, text) of the one item on the server whose text holds `needle`."""
    found = [(h, t) for h, t in server.items(collection).items() if needle in t]
    assert len(found) == 1, found
    return found[0]


def phone_edit(server: Server, collection: str, needle: str, old: str, new: str) -> None:
    """The phone changes one line of an item: GET, replace, PUT with If-Match."""
    href, text = on_server(server, collection, needle)
    assert old in text, text
    etag = server.hrefs(collection)[href]
    assert server.put(href, text.replace(old, new), etag) in (201, 204)


def test_an_edit_on_the_phone_comes_back_into_pcrm(cli: Cli, radicale: Server) -> None:
    ok(cli("contact", "add", "Ada Lovelace", "--email", "ada@example.org", "--title", "Analyst"))
    setup(cli, radicale)
    ok(cli("sync"))
    phone_edit(radicale, "contacts", "FN:Ada", "TITLE:Analyst", "TITLE:Countess")
    out = ok(cli("sync")).splitlines()
    assert out[:2] == ["to the server: nothing", "from the server: 0 new, 1 changed, 0 deleted"]
    assert "imported 0 new, 1 changed" in out
    assert contact(cli, "ada")["title"] == "Countess"
    assert ok(cli("sync")).splitlines()[:2] == [
        "to the server: nothing",
        "from the server: nothing",
    ]


def test_a_delete_on_either_side_passes_through(cli: Cli, radicale: Server, db_path: Path) -> None:
    ok(cli("contact", "add", "Ada Lovelace", "--email", "ada@example.org"))
    ok(cli("contact", "add", "Grace Hopper", "--email", "grace@example.org"))
    ok(cli("contact", "add", "Alan Turing", "--email", "alan@example.org"))
    setup(cli, radicale)
    ok(cli("sync"))
    # Deleted on the phone: archived in pcrm, not destroyed.
    href, _ = on_server(radicale, "contacts", "FN:Grace")
    assert radicale.delete(href) in (200, 204)
    out = ok(cli("sync")).splitlines()
    assert "from the server: 0 new, 0 changed, 1 deleted" in out
    assert "imported 0 new, 0 changed, 1 archived" in out
    assert "Grace" not in ok(cli("contact", "list"))
    assert contact(cli, "grace")["name"] == "Grace Hopper"
    # Removed in pcrm: deleted on the server, that card only.
    ok(cli("contact", "rm", "alan", "--yes"))
    out = ok(cli("sync")).splitlines()
    assert "to the server: 0 new, 0 changed, 1 deleted" in out
    names = sorted(t.split("FN:")[1].split("\r\n")[0] for t in radicale.items("contacts").values())
    assert names == ["Ada Lovelace"]
    assert rows(db_path, "SELECT count(*) FROM contacts") == [(2,)]


PHONE_CARD = (
    "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:PHONE-1\r\nFN:Ada L.\r\nN:L.;Ada;;;\r\n"
    "EMAIL;TYPE=INTERNET:ADA@example.org\r\nTEL;TYPE=CELL:+1 555 0100\r\n"
    "X-PHONE-THING:kept\r\nEND:VCARD\r\n"
)


def test_a_contact_made_on_the_phone_with_a_known_email_is_no_duplicate(
    cli: Cli, radicale: Server, db_path: Path
) -> None:
    ok(cli("contact", "add", "Ada Lovelace", "--email", "ada@example.org"))
    setup(cli, radicale)
    ok(cli("sync"))
    assert radicale.put("/me/contacts/PHONE-1.vcf", PHONE_CARD) == 201
    out = ok(cli("sync")).splitlines()
    assert "from the server: 1 new, 0 changed, 0 deleted" in out
    assert "imported 0 new, 0 changed, 1 matched to contacts already in pcrm" in out
    assert rows(db_path, "SELECT name FROM contacts") == [("Ada Lovelace",)]
    assert [p["phone"] for p in contact(cli, "ada")["phones"]] == ["+1 555 0100"]  # type: ignore[index]
    # The next sync keeps the phone's card for Ada and removes pcrm's own copy: the phone
    # shows her once.
    out = ok(cli("sync")).splitlines()
    assert "to the server: 0 new, 0 changed, 1 deleted" in out
    cards = radicale.items("contacts")
    assert list(cards) == ["/me/contacts/PHONE-1.vcf"]
    assert "X-PHONE-THING:kept" in cards["/me/contacts/PHONE-1.vcf"]


def test_a_recurring_follow_up_arrives_as_a_vtodo_with_its_rrule(
    cli: Cli, radicale: Server
) -> None:
    ok(cli("contact", "add", "Ada Lovelace", "--email", "ada@example.org"))
    ok(cli("follow-up", "ada", "Weekly call", "--due", "2026-11-24", "--every", "weekly"))
    setup(cli, radicale)
    ok(cli("sync"))
    href, text = on_server(radicale, "tasks", "SUMMARY:Weekly call")
    assert "BEGIN:VTODO" in text
    assert "RRULE:FREQ=WEEKLY" in text
    assert "DUE;VALUE=DATE:20261124" in text
    # Ticked off on the phone: done in pcrm, and the series goes on with the next one.
    etag = radicale.hrefs("tasks")[href]
    assert "STATUS:NEEDS-ACTION\r\n" in text
    done = text.replace("STATUS:NEEDS-ACTION\r\n", "STATUS:COMPLETED\r\n")
    assert radicale.put(href, done, etag) == 204
    out = ok(cli("sync")).splitlines()
    assert "from the server: 0 new, 1 changed, 0 deleted" in out
    tasks = json.loads(ok(cli("follow-up", "list", "--json")))
    assert [(t["title"], t["due_date"]) for t in tasks] == [("Weekly call", "2026-12-01")]


def both_sides_edit(cli: Cli, radicale: Server, *extra: str) -> None:
    """Ada synced; then pcrm changes her title and the phone her note."""
    ok(cli("contact", "add", "Ada Lovelace", "--email", "ada@example.org", "--title", "Analyst"))
    setup(cli, radicale, *extra)
    ok(cli("sync"))
    ok(cli("contact", "edit", "ada", "--title", "Countess"))
    phone_edit(radicale, "contacts", "FN:Ada", "TITLE:Analyst\r\n",
               "TITLE:Analyst\r\nNOTE:met at the phone\r\n")  # fmt: skip


def test_a_conflict_by_default_is_reported_with_both_versions_and_nothing_lost(
    cli: Cli, radicale: Server, db_path: Path
) -> None:
    ok(cli("contact", "add", "Grace Hopper", "--email", "grace@example.org", "--title", "Ensign"))
    both_sides_edit(cli, radicale)
    # In the same run, an edit on the phone without a conflict: vdirsyncer fails on the
    # conflict alone, so the import still runs and takes it.
    phone_edit(radicale, "contacts", "FN:Grace", "TITLE:Ensign", "TITLE:Admiral")
    result = cli("sync")
    out = ok(result).splitlines()
    assert out[:2] == ["to the server: nothing", "from the server: 0 new, 1 changed, 0 deleted"]
    assert "imported 0 new, 1 changed" in out
    assert contact(cli, "grace")["title"] == "Admiral"
    conflicts = [line for line in out if line.startswith("conflict:")]
    assert len(conflicts) == 1
    assert conflicts[0].startswith("conflict: contact Ada Lovelace (contacts/")
    assert conflicts[0].endswith(
        "changed in pcrm and on the server; neither side changed"
        " (choose with: pcrm sync --prefer pcrm|server)"
    )
    assert "  -TITLE:Countess" in out and "  +NOTE:met at the phone" in out
    # Both versions are kept as files; neither side changed.
    saved = sorted(p.name for p in (sync_dir(db_path) / "conflicts").iterdir())
    assert len(saved) == 2 and saved[0].endswith(".pcrm.vcf") and saved[1].endswith(".server.vcf")
    pcrm_copy, server_copy = sorted((sync_dir(db_path) / "conflicts").iterdir())
    assert "TITLE:Countess" in pcrm_copy.read_text()
    assert "NOTE:met at the phone" in server_copy.read_text()
    _, text = on_server(radicale, "contacts", "FN:Ada")
    assert "TITLE:Analyst" in text and "NOTE:met at the phone" in text
    assert contact(cli, "ada")["title"] == "Countess"
    assert not contact(cli, "ada")["note"]
    assert rows(db_path, "SELECT count(*) FROM contacts") == [(2,)]  # no duplicate
    # --json gives both whole texts.
    data = json.loads(ok(cli("sync", "--json")))
    assert [c["name"] for c in data["conflicts"]] == ["Ada Lovelace"]
    assert "TITLE:Countess" in data["conflicts"][0]["pcrm"]
    assert "NOTE:met at the phone" in data["conflicts"][0]["server"]
    # Settled for one run with --prefer server: the server's card comes in.
    out = ok(cli("sync", "--prefer", "server")).splitlines()
    assert not [line for line in out if line.startswith("conflict:")]
    assert "1 conflict settled: the server's version kept (--prefer server)" in out
    assert contact(cli, "ada")["note"] == "met at the phone"
    assert ok(cli("sync")).splitlines()[:2] == [
        "to the server: nothing",
        "from the server: nothing",
    ]


def test_a_conflict_under_prefer_pcrm_keeps_pcrm_version_everywhere(
    cli: Cli, radicale: Server
) -> None:
    both_sides_edit(cli, radicale, "--prefer", "pcrm")
    out = ok(cli("sync")).splitlines()
    assert out[0] == "to the server: 0 new, 1 changed, 0 deleted"
    assert out[2] == "1 conflict settled: pcrm's version kept (--prefer pcrm)"
    _, text = on_server(radicale, "contacts", "FN:Ada")
    assert "TITLE:Countess" in text and "NOTE:" not in text
    assert contact(cli, "ada")["title"] == "Countess"


def test_a_conflict_under_prefer_server_takes_the_server_version(
    cli: Cli, radicale: Server
) -> None:
    both_sides_edit(cli, radicale, "--prefer", "server")
    out = ok(cli("sync")).splitlines()
    assert out[1] == "from the server: 0 new, 1 changed, 0 deleted"
    assert out[2] == "1 conflict settled: the server's version kept (--prefer server)"
    _, text = on_server(radicale, "contacts", "FN:Ada")
    assert "TITLE:Analyst" in text and "NOTE:met at the phone" in text
    ada = contact(cli, "ada")
    assert (ada["title"], ada["note"]) == ("Analyst", "met at the phone")


IPHONE = Path(__file__).parent / "fixtures" / "real" / "ez-vcard" / "John_Doe_IPHONE.vcf"


def unfolded(text: str) -> list[str]:
    """The logical lines of a card (the fixture's lines end in CR CR LF)."""
    return re.split(r"\r*\n", re.sub(r"\r*\n[ \t]", "", text).strip())


def test_every_field_survives_a_phone_round_trip(cli: Cli, radicale: Server, db_path: Path) -> None:
    ok(cli("import", "contacts", str(IPHONE)))
    setup(cli, radicale)
    ok(cli("sync"))
    before = contact(cli, "1")
    href, uploaded = on_server(radicale, "contacts", "FN:Mr. John")
    # What the phone gets: the photo, Apple's X-AB properties, both addresses, the labelled
    # numbers, the email and the birthday, each number, email and address with the card's
    # own types (pref, VOICE) and Apple's item groups, so the custom label stays on its
    # number. (Radicale stores each card as vobject writes it again: properties sorted,
    # lines unfolded, `type=A;type=B` as `TYPE=A,B`.)
    photo = [line for line in unfolded(IPHONE.read_bytes().decode()) if line.startswith("PHOTO;")]
    assert len(photo) == 1 and photo[0] in unfolded(uploaded)
    for line in ("item3.X-ABADR:Silicon Alley", "TEL;TYPE=HOME,VOICE:905-666-1234",
                 "TEL;TYPE=CELL,VOICE,pref:905-555-1234", "TEL;TYPE=WORK,FAX:905-999-1234",
                 "item2.TEL:905-222-1234", "item2.X-ABLABEL:_$!<AssistantPhone>!$_",
                 "item1.EMAIL;TYPE=INTERNET,pref:john.doe@ibm.com", "BDAY:2012-06-06",
                 "item5.URL;TYPE=pref:http://www.ibm.com",
                 "item3.ADR;TYPE=HOME,pref:;;Silicon Alley 5\\,;New York;New York;12345;United"
                 " States of America",
                 "ADR;TYPE=work:;;Street4 Building 6 Floor 8;New York;;12345;USA",
                 "N:Doe;John;Richter,James;Mr.;Sr.", "ORG:IBM;Accounting"):  # fmt: skip
        assert line in unfolded(uploaded), line
    # The phone changes the title, and nothing else.
    phone_edit(radicale, "contacts", "FN:Mr. John", "TITLE:Money Counter\r\n",
               "TITLE:Chief Counter\r\n")  # fmt: skip
    edited = radicale.items("contacts")[href]
    out = ok(cli("sync")).splitlines()
    assert "imported 0 new, 1 changed" in out
    after = contact(cli, "1")
    assert {k for k in before if before[k] != after[k]} - {"updated_at"} == {"title"}
    assert after["title"] == "Chief Counter"
    # pcrm keeps the phone's card as it came: every line byte for byte (pcrm stores cards
    # with LF line ends and writes them with CRLF).
    raw = rows(db_path, "SELECT card FROM contact_vcards WHERE contact_id = 1")[0][0]
    assert raw.splitlines() == edited.splitlines()
    # Nothing goes back up, and the server's card stays as the phone left it.
    assert ok(cli("sync")).splitlines()[:2] == [
        "to the server: nothing",
        "from the server: nothing",
    ]
    assert radicale.items("contacts")[href] == edited
    # An edit in pcrm later changes that one property on the server; the rest is kept.
    ok(cli("contact", "edit", "1", "--title", "Head Counter"))
    ok(cli("sync"))
    final = radicale.items("contacts")[href]
    assert "TITLE:Head Counter\r\n" in final
    others = sorted(line for line in unfolded(edited) if not line.startswith("TITLE:"))
    assert sorted(line for line in unfolded(final) if not line.startswith("TITLE:")) == others


def one_error(result: Result) -> str:
    assert result.exit_code == 1, (result.stdout, result.stderr, result.exception)
    assert result.exception is None
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("pcrm: error: ")
    return result.stderr


def test_sync_before_setup_says_how_to_set_it_up(cli: Cli, db_path: Path) -> None:
    ok(cli("contact", "add", "Ada Lovelace"))
    before = dump(db_path)
    err = one_error(cli("sync"))
    assert err == (
        "pcrm: error: pcrm sync is not set up for this database (run pcrm sync setup"
        " --carddav URL --caldav URL --user NAME --password-command CMD)\n"
    )
    assert dump(db_path) == before


def test_setup_refuses_bad_input_and_an_existing_config(
    cli: Cli, db_path: Path, tmp_path: Path
) -> None:
    ok(cli("contact", "add", "Ada Lovelace"))
    base = ("sync", "setup", "--user", "me", "--password-command", "pass show dav/me")
    assert "give --carddav URL, --caldav URL or both" in one_error(cli(*base))
    assert '--carddav "ftp://x/y/" is not an http(s) URL' in one_error(
        cli(*base, "--carddav", "ftp://x/y/")
    )
    assert "names no collection" in one_error(cli(*base, "--carddav", "https://dav.example.org/"))
    assert "give --password-command CMD" in one_error(
        cli("sync", "setup", "--user", "me", "--carddav", "https://d.example.org/me/c/")
    )
    assert '--prefer "phone" is not pcrm or server' in one_error(
        cli(*base, "--carddav", "https://d.example.org/me/c/", "--prefer", "phone")
    )
    assert not sync_dir(db_path).exists()
    # Contacts only: one pair, the collection named by the URL's last segment.
    out = ok(cli(*base, "--carddav", "https://d.example.org/dav/me/Address%20Book/"))
    config = (sync_dir(db_path) / "config").read_text()
    assert "[pair pcrm_contacts]" in config and "pcrm_tasks" not in config
    assert 'collections = [["contacts", "contacts", "Address Book"]]' in config
    assert 'url = "https://d.example.org/dav/me/"' in config
    assert 'password.fetch = ["command", "pass", "show", "dav/me"]' in config
    assert 'implicit = "create"' in config
    assert '"pcrm.app.sync_conflict"' in config  # default: both versions kept, reported
    assert out.splitlines()[-2:] == ["  conflicts: stop and report (both versions kept)",
                                     "next: pcrm sync"]  # fmt: skip
    err = one_error(cli(*base, "--caldav", "https://d.example.org/me/tasks/"))
    assert "already exists (pcrm sync setup ... --force replaces it" in err
    assert (sync_dir(db_path) / "config").read_text() == config
    ok(cli(*base, "--caldav", "https://d.example.org/me/tasks/", "--prefer", "server", "--force"))
    config = (sync_dir(db_path) / "config").read_text()
    assert 'item_types = ["VTODO"]' in config and "pcrm_contacts" not in config
    assert 'conflict_resolution = "b wins"' in config
    assert (sync_dir(db_path) / "config").stat().st_mode & 0o777 == 0o600
    assert sync_dir(db_path).stat().st_mode & 0o777 == 0o700


def test_sync_without_vdirsyncer_says_how_to_install_it(
    cli: Cli, radicale: Server, db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    ok(cli("contact", "add", "Ada Lovelace"))
    setup(cli, radicale)
    before = dump(db_path)
    # No vdirsyncer beside the interpreter, none on PATH.
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setattr(sys, "executable", str(empty / "python"))
    monkeypatch.setenv("PATH", str(empty))
    err = one_error(cli("sync"))
    assert err == (
        "pcrm: error: vdirsyncer is not installed: pip install 'pcrm[sync]'"
        " (or put vdirsyncer on PATH)\n"
    )
    assert dump(db_path) == before
    assert radicale.items("contacts") == {}


def test_a_wrong_password_is_one_clear_error_and_nothing_is_imported(
    cli: Cli, radicale: Server, db_path: Path
) -> None:
    ok(cli("contact", "add", "Ada Lovelace", "--email", "ada@example.org"))
    setup(cli, radicale, password="wrong")
    err = one_error(cli("sync"))
    assert err.startswith(
        "pcrm: error: vdirsyncer discover failed: the server refused the user name or"
        " password (401 Unauthorized)"
    ), err
    assert radicale.items("contacts") == {}
    # Right password, first sync; then a wrong one again: sync fails, nothing imported.
    setup(cli, radicale, "--force")
    ok(cli("sync"))
    phone_edit(radicale, "contacts", "FN:Ada", "FN:Ada Lovelace", "FN:Ada King")
    (radicale.storage.parent / "password").write_text("wrong\n")
    before = dump(db_path)
    err = one_error(cli("sync"))
    assert "failed: the server refused the user name or password" in err
    assert dump(db_path) == before
    # The server unreachable: the same, one line.
    (radicale.storage.parent / "password").write_text("secret\n")
    config = sync_dir(db_path) / "config"
    port = radicale.base.rsplit(":", 1)[1]
    config.write_text(config.read_text().replace(f":{port}/", ":9/"))
    err = one_error(cli("sync"))
    assert "Cannot connect to host 127.0.0.1:9" in err
    assert dump(db_path) == before


def test_dry_run_changes_nothing_and_runs_no_vdirsyncer(
    cli: Cli, radicale: Server, db_path: Path
) -> None:
    ok(cli("contact", "add", "Ada Lovelace", "--email", "ada@example.org"))
    setup(cli, radicale)
    before = dump(db_path)
    out = ok(cli("sync", "--dry-run")).splitlines()
    assert out == [
        "dry run: vdirsyncer not run (it has no dry run of its own); nothing changed",
        "would export 0 changed, 0 unchanged, 1 new",
    ]
    assert dump(db_path) == before
    assert radicale.items("contacts") == {}
    assert not (sync_dir(db_path) / "vdir").exists()


def test_a_second_sync_at_the_same_time_is_refused(
    cli: Cli, radicale: Server, db_path: Path
) -> None:
    import fcntl

    setup(cli, radicale)
    with (sync_dir(db_path) / "lock").open("w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        err = one_error(cli("sync"))
    assert err == (
        "pcrm: error: another pcrm sync is running for this database (let it finish; cron"
        " can simply try again at its next run)\n"
    )
    ok(cli("sync"))


def many_contacts(cli: Cli, count: int) -> None:
    lines = ["name,email,phone"] + [
        f"Person {n:04d},person{n}@example.org,+44 20 7946 {n:04d}" for n in range(count)
    ]
    path = Path(os.environ["PCRM_DB"]).parent.parent / "people.csv"
    path.write_text("\n".join(lines) + "\n")
    ok(cli("import", "contacts", str(path)))


def round_trip(cli: Cli, radicale: Server, db_path: Path, count: int) -> None:
    """`count` contacts up; the phone edits one and adds one; all back; a fresh database
    set up on the same server gets every contact, and nobody twice."""
    many_contacts(cli, count)
    setup(cli, radicale)
    out = ok(cli("sync")).splitlines()
    assert out[0] == f"to the server: {count} new, 0 changed, 0 deleted"
    assert len(radicale.hrefs("contacts")) == count
    phone_edit(radicale, "contacts", "FN:Person 0007", "FN:Person 0007", "FN:Person Seven")
    assert radicale.put("/me/contacts/PHONE-NEW.vcf",
                        "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:PHONE-NEW\r\nFN:New Person\r\n"
                        "N:Person;New;;;\r\nEND:VCARD\r\n") == 201  # fmt: skip
    out = ok(cli("sync")).splitlines()
    assert out[1] == "from the server: 1 new, 1 changed, 0 deleted"
    assert "imported 1 new, 1 changed" in out
    assert rows(db_path, "SELECT count(*) FROM contacts") == [(count + 1,)]
    assert contact(cli, "person7@example.org")["name"] == "Person Seven"
    # A second machine: a new database set up on the same server takes every contact.
    other = db_path.parent / "other.db"
    ok(cli("--db", str(other), "sync", "setup", "--carddav", radicale.contacts_url,
           "--user", "me", "--password-command",
           f"cat {radicale.storage.parent / 'password'}"))  # fmt: skip
    out = ok(cli("--db", str(other), "sync")).splitlines()
    assert out[1] == f"from the server: {count + 1} new, 0 changed, 0 deleted"
    assert rows(other, "SELECT count(*), count(DISTINCT name) FROM contacts") == [
        (count + 1, count + 1)
    ]
    # Run again: nothing moves either way on either machine.
    for db in (db_path, other):
        out = ok(cli("--db", str(db), "sync")).splitlines()
        assert out[:2] == QUIET


def test_two_hundred_contacts_round_trip(cli: Cli, radicale: Server, db_path: Path) -> None:
    round_trip(cli, radicale, db_path, 200)


@pytest.mark.slow
def test_a_thousand_contacts_round_trip(cli: Cli, radicale: Server, db_path: Path) -> None:
    round_trip(cli, radicale, db_path, 1000)


def test_an_edit_beats_a_delete_on_the_other_side_and_undo_takes_a_sync_back(
    cli: Cli, radicale: Server, db_path: Path
) -> None:
    ok(cli("contact", "add", "Ada Lovelace", "--email", "ada@example.org", "--title", "Analyst"))
    ok(cli("contact", "add", "Grace Hopper", "--email", "grace@example.org"))
    setup(cli, radicale)
    ok(cli("sync"))
    # Deleted on the phone, edited in pcrm: pcrm's card goes up again.
    href, _ = on_server(radicale, "contacts", "FN:Ada")
    assert radicale.delete(href) in (200, 204)
    ok(cli("contact", "edit", "ada", "--title", "Countess"))
    out = ok(cli("sync")).splitlines()
    assert out[0] == "to the server: 1 new, 0 changed, 0 deleted"
    assert "TITLE:Countess" in on_server(radicale, "contacts", "FN:Ada")[1]
    assert "Ada Lovelace" in ok(cli("contact", "list"))
    # Removed in pcrm, edited on the phone: it stays removed, and leaves the server.
    phone_edit(radicale, "contacts", "FN:Grace", "FN:Grace Hopper", "FN:Grace B. Hopper")
    ok(cli("contact", "archive", "grace"))
    ok(cli("sync"))
    ok(cli("sync"))
    assert len(radicale.items("contacts")) == 1
    assert "Grace" not in ok(cli("contact", "list"))
    # pcrm undo takes back what the last sync imported.
    phone_edit(radicale, "contacts", "FN:Ada", "TITLE:Countess", "TITLE:Lady")
    ok(cli("sync"))
    assert contact(cli, "ada")["title"] == "Lady"
    ok(cli("undo"))
    assert contact(cli, "ada")["title"] == "Countess"


def test_a_follow_up_changed_on_both_sides_is_a_conflict_with_both_versions(
    cli: Cli, radicale: Server, db_path: Path
) -> None:
    ok(cli("contact", "add", "Ada Lovelace", "--email", "ada@example.org"))
    ok(cli("follow-up", "ada", "Send the quote", "--due", "2026-11-30"))
    setup(cli, radicale)
    ok(cli("sync"))
    ok(cli("follow-up", "edit", "1", "--due", "2026-12-02"))
    phone_edit(radicale, "tasks", "SUMMARY:Send", "SUMMARY:Send the quote",
               "SUMMARY:Send the signed quote")  # fmt: skip
    out = ok(cli("sync")).splitlines()
    assert any(
        line.startswith("conflict: follow-up Send the quote (tasks/")
        and line.endswith(
            "changed in pcrm and on the server; neither side changed"
            " (choose with: pcrm sync --prefer pcrm|server)"
        )
        for line in out
    ), out
    saved = sorted((sync_dir(db_path) / "conflicts").iterdir())
    assert [p.name.split(".", 1)[1] for p in saved] == ["pcrm.ics", "server.ics"]
    assert "DUE;VALUE=DATE:20261202" in saved[0].read_text()
    assert "SUMMARY:Send the signed quote" in saved[1].read_text()
    tasks = json.loads(ok(cli("follow-up", "list", "--json")))
    assert [(t["title"], t["due_date"]) for t in tasks] == [("Send the quote", "2026-12-02")]


def test_setup_force_keeps_the_status_unless_the_servers_change(
    cli: Cli, radicale: Server, db_path: Path
) -> None:
    ok(cli("contact", "add", "Ada Lovelace", "--email", "ada@example.org"))
    setup(cli, radicale)
    ok(cli("sync"))
    status = sync_dir(db_path) / "status"
    setup(cli, radicale, "--prefer", "server", "--force")
    assert (status / "pcrm_contacts.collections").exists()
    assert ok(cli("sync")).splitlines()[:2] == QUIET
    # Another address book: vdirsyncer starts afresh there, and fills it.
    secret = radicale.storage.parent / "password"
    out = ok(
        cli(
            "sync",
            "setup",
            "--carddav",
            f"{radicale.base}/me/cards/",
            "--user",
            "me",
            "--password-command",
            f"cat {secret}",
            "--force",
        )
    )
    assert out.splitlines()[0].startswith("replaced ")
    assert not status.exists()
    out = ok(cli("sync")).splitlines()
    assert out[0] == "to the server: 1 new, 0 changed, 0 deleted"
    assert len(radicale.hrefs("cards")) == 1


def test_a_relative_db_path_gives_a_config_of_absolute_paths(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    ok(cli("--db", "rel.db", "sync", "setup", "--carddav", "https://d.example.org/me/c/",
           "--user", "me", "--password-command", "pass dav"))  # fmt: skip
    config = (tmp_path / "rel.db.sync" / "config").read_text()
    assert f'path = "{tmp_path}/rel.db.sync/vdir"' in config
    assert f'status_path = "{tmp_path}/rel.db.sync/status/"' in config
