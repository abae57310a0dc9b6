"""`pcrm capture mail`: real messages (tests/fixtures/mail, SOURCES.md) from a file, stdin,
an mbox and a maildir become email interactions once each."""

from __future__ import annotations

import csv
import io
import json
import mailbox
import os
from pathlib import Path

import pytest

from conftest import rows

FIXTURES = Path(__file__).parent / "fixtures" / "mail"


def fixture(name: str) -> Path:
    return FIXTURES / name


def captured(db_path: Path) -> list[tuple]:
    return rows(
        db_path,
        "SELECT kind, at, text, source, external_id, direction, thread_id, deal_id"
        " FROM interactions ORDER BY at",
    )


@pytest.fixture
def people(cli):
    for args in (
        ("Ada Lovelace", "--email", "ADA@analytical.example", "--company", "Analytical"),
        ("Charles Babbage", "--email", "charles@analytical.example"),
        ("Barry Warsaw", "--email", "barry@python.org"),
    ):
        assert cli("contact", "add", *args).exit_code == 0
    assert cli("config", "set", "me.emails", "me@example.org, Me2@Example.org").exit_code == 0


def test_a_message_file_becomes_one_email_interaction(cli, db_path, people):
    result = cli("capture", "mail", str(fixture("thread_1.eml")))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "captured 1 email with 1 contact\n"
    assert captured(db_path) == [
        (
            "email",
            "2026-11-02T08:15:00Z",  # Mon, 02 Nov 2026 09:15:00 +0100, in UTC
            "Quote for 20 seats\n\nHello,\n\nCould you send us a quote for 20 seats?\n\nAda",
            "mail",
            "thread-1@analytical.example",
            "in",
            None,
            None,
        )
    ]
    links = rows(
        db_path, "SELECT c.name FROM interaction_contacts JOIN contacts c ON c.id = contact_id"
    )
    assert links == [("Ada Lovelace",)]
    assert rows(db_path, "SELECT last_contacted_at FROM contacts WHERE name = 'Ada Lovelace'") == [
        ("2026-11-02T08:15:00Z",)
    ]


def test_capturing_again_changes_nothing(cli, db_path, people):
    assert cli("capture", "mail", str(fixture("thread_1.eml"))).exit_code == 0
    before = captured(db_path)
    again = cli("capture", "mail", str(fixture("thread_1.eml")))
    assert again.exit_code == 0
    assert again.stdout == "captured 0 emails (1 already captured)\n"
    assert captured(db_path) == before


def test_stdin_reply_is_outgoing_without_quote_or_signature(cli, db_path, people):
    text = fixture("thread_2.eml").read_text("ascii")
    result = cli("capture", "mail", input=text)
    assert result.exit_code == 0, result.stderr
    # From is one of me.emails: outgoing; the user is no contact; Cc is linked too.
    assert result.stdout == "captured 1 email with 2 contacts\n"
    (row,) = captured(db_path)
    assert row[5] == "out"
    # Windows-1252 quoted-printable: the dash and the euro sign read right; the quoted
    # message, the reply header, the closing and the "-- " signature are gone.
    assert row[2] == (
        "Re: Quote for 20 seats\n\nHi Ada,\n\nHere it is – 20 seats at 40 € each,"
        " valid until December."
    )
    assert row[6] == "thread-1@analytical.example"
    names = rows(
        db_path,
        "SELECT c.name FROM interaction_contacts JOIN contacts c ON c.id = contact_id ORDER BY 1",
    )
    assert names == [("Ada Lovelace",), ("Charles Babbage",)]


def test_reply_parsing_drops_a_gmail_quote(cli, db_path, people):
    # The body is mail-parser-reply's own test sample (test/emails/email_gmail.txt).
    result = cli("capture", "mail", str(fixture("reply_gmail.eml")))
    assert result.exit_code == 0
    assert captured(db_path)[0][2] == (
        "Re: version number\n\nThis is a test for inbox replying to a github message."
    )
    assert "steven@example.com" in result.stdout  # not in pcrm: listed


def test_html_only_mail_becomes_text(cli, db_path, people):
    result = cli("capture", "mail", str(fixture("thread_3.eml")))
    assert result.exit_code == 0, result.stderr
    # Labelled ISO-8859-1, written in Windows-1252 (’); style and the quoted blockquote gone.
    assert captured(db_path)[0][2] == (
        "Re: Quote for 20 seats\n\nMerci, c’est parfait.\n\nWe sign on Friday."
    )


def test_multipart_with_quoted_printable_and_base64_parts(cli, db_path, people):
    result = cli("capture", "mail", str(fixture("cpython_msg_10.eml")))
    assert result.exit_code == 0
    assert result.stdout.startswith("captured 1 email with 1 contact;")
    assert captured(db_path)[0][:3] == (
        "email",
        "2001-04-20T23:35:02Z",
        "Lyrics\n\nThis is a 7bit encoded message.",
    )


def test_encoded_word_headers_name_the_added_contacts(cli, db_path):
    # RFC 2047's own example: encoded From, To, Cc and a subject in two charsets; no Date.
    result = cli("capture", "mail", str(fixture("rfc2047_example.eml")), "--add-unknown")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == (
        "captured 1 email with 3 contacts; added 3 contacts: moore@cs.utk.edu, keld@dkuug.dk,"
        " pirard@vm1.ulg.ac.be\n"
    )
    assert "no Date header" in result.stderr
    contacts = rows(
        db_path,
        "SELECT c.name, e.email, c.source FROM contacts c"
        " JOIN contact_emails e ON e.contact_id = c.id ORDER BY c.name",
    )
    assert contacts == [
        ("André Pirard", "pirard@vm1.ulg.ac.be", "email"),
        ("Keith Moore", "moore@cs.utk.edu", "email"),
        ("Keld Jørn Simonsen", "keld@dkuug.dk", "email"),
    ]
    (row,) = captured(db_path)
    assert row[2] == "If you can read this you understand the example."
    assert "dated from the file's time" in result.stderr


def test_unknown_addresses_are_listed_not_added(cli, db_path, people):
    result = cli("capture", "mail", str(fixture("thread_2.eml")))
    assert result.exit_code == 0
    ada_only = rows(db_path, "SELECT count(*) FROM contacts")
    assert ada_only == [(3,)]
    result = cli("capture", "mail", str(fixture("reply_gmail.eml")))
    assert result.stdout == (
        "captured 1 email with 1 contact; 1 address not in pcrm: steven@example.com"
        " — add them with --add-unknown\n"
    )


def test_a_message_with_nobody_in_pcrm_is_not_captured(cli, db_path, people):
    result = cli("capture", "mail", str(fixture("cpython_msg_46.eml")))
    assert result.exit_code == 0
    assert result.stdout == (
        "captured 0 emails (1 with nobody in pcrm); 2 addresses not in pcrm:"
        " sender@example.net, someone@example.com — add them with --add-unknown\n"
    )
    assert captured(db_path) == []


def test_list_bulk_and_noreply_mail_is_skipped_unless_asked(cli, db_path, people, tmp_path):
    box = mailbox.mbox(tmp_path / "inbox.mbox")
    for name in ("list_mail.eml", "noreply.eml", "thread_1.eml"):
        box.add(fixture(name).read_bytes())
    box.close()
    result = cli("capture", "mail", str(tmp_path / "inbox.mbox"))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == (
        "captured 1 email (1 skipped as mailing list, 1 skipped as noreply) with 1 contact\n"
    )
    result = cli("capture", "mail", str(tmp_path / "inbox.mbox"), "--include-lists")
    assert result.stdout.startswith("captured 1 email (1 already captured, 1 with nobody in pcrm)")
    assert [row[4] for row in captured(db_path)] == [
        "thread-1@analytical.example",
        "news-42@lists.example",
    ]


def make_maildir(folder: Path, names: list[str]) -> Path:
    box = mailbox.Maildir(folder, create=True)
    for name in names:
        box.add(mailbox.MaildirMessage(fixture(name).read_bytes()))
    return folder


def test_maildir_thread_joins_its_deal_and_rerun_is_a_no_op(cli, db_path, people, tmp_path):
    assert cli("deal", "add", "20 seats", "--company", "Analytical").exit_code == 0
    assert cli("capture", "mail", str(fixture("thread_1.eml")), "--deal", "20 seats").exit_code == 0
    folder = make_maildir(tmp_path / "Mail", ["thread_1.eml", "thread_2.eml", "thread_3.eml"])
    result = cli("capture", "mail", "--maildir", str(folder))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == (
        "captured 2 emails (1 already captured) with 2 contacts, 2 linked to their thread's deal\n"
    )
    assert [(row[4], row[5], row[7]) for row in captured(db_path)] == [
        ("thread-1@analytical.example", "in", 1),
        ("thread-2@example.org", "out", 1),
        ("thread-3@analytical.example", "in", 1),
    ]
    again = cli("capture", "mail", "--maildir", str(folder), "--json")
    summary = json.loads(again.stdout)
    assert summary["captured"] == 0 and summary["already_captured"] == 3
    assert len(captured(db_path)) == 3


def test_since_leaves_older_messages(cli, db_path, people, tmp_path):
    folder = make_maildir(tmp_path / "Mail", ["thread_1.eml", "cpython_msg_10.eml"])
    result = cli("capture", "mail", "--maildir", str(folder), "--since", "2026-01-01")
    assert result.stdout == "captured 1 email (1 older than --since) with 1 contact\n"


def test_dry_run_changes_nothing(cli, db_path, people):
    result = cli(
        "capture", "mail", str(fixture("rfc2047_example.eml")), "--add-unknown", "--dry-run"
    )
    assert result.exit_code == 0
    assert result.stdout.startswith("would capture 1 email with 3 contacts; would add 3 contacts:")
    assert captured(db_path) == []
    assert rows(db_path, "SELECT count(*) FROM contacts") == [(3,)]


def test_json_summary(cli, db_path, people):
    result = cli("capture", "mail", str(fixture("thread_2.eml")), "--json", "--kind", "message")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == {
        "dry_run": False,
        "read": 1,
        "captured": 1,
        "already_captured": 0,
        "skipped": {},
        "older_than_since": 0,
        "no_contact": 0,
        "contacts": 2,
        "unknown_addresses": [],
        "added_contacts": [],
        "linked_to_thread_deal": 0,
        "interaction_ids": [1],
        "problems": [],
    }
    assert captured(db_path)[0][0] == "message"


def test_malformed_messages_say_so_and_capture_what_can_be_read(cli, db_path, people):
    broken = cli("capture", "mail", str(fixture("cpython_msg_41.eml")), "--add-unknown")
    assert broken.exit_code == 0
    assert broken.stderr == (
        "pcrm: warning: cpython_msg_41.eml: malformed (MultipartInvariantViolationDefect,"
        " NoBoundaryInMultipartDefect); read what could be\n"
    )
    assert captured(db_path)[0][2] == "64423\n\nBlah blah blah"
    junk = cli("capture", "mail", str(fixture("junk_8bit.eml")))
    assert junk.exit_code == 0, junk.stderr
    assert 'To: "not-an-address" is not an address; left out' in junk.stderr
    assert 'unreadable Date "not a date at all"; dated from the file\'s time' in junk.stderr
    assert 'unknown charset "x-unknown-charset"; read as UTF-8' in junk.stderr
    assert "Traceback" not in junk.stderr
    texts = [row[2] for row in captured(db_path)]
    assert "Caf� � junk\n\nPrix: 40 �" in texts


def test_no_date_uses_received_then_file_time(cli, db_path, people, tmp_path):
    result = cli("capture", "mail", str(fixture("cpython_msg_15.eml")), "--add-unknown")
    assert "no Date header; dated from its Received header" in result.stderr
    assert captured(db_path)[0][1] == "2001-04-30T10:17:50Z"
    copy = tmp_path / "no-date.eml"
    copy.write_bytes(fixture("rfc2047_example.eml").read_bytes())
    os.utime(copy, (1_700_000_000, 1_700_000_000))
    result = cli("capture", "mail", str(copy), "--add-unknown")
    assert "no Date header; dated from the file's time" in result.stderr
    assert "2023-11-14T22:13:20Z" in [row[1] for row in captured(db_path)]


def test_bad_input_is_one_line(cli, db_path, people, tmp_path):
    missing = cli("capture", "mail", str(tmp_path / "nope.eml"))
    assert missing.exit_code == 1
    assert missing.stderr.startswith("pcrm: error: ")
    assert "does not exist" in missing.stderr
    not_maildir = cli("capture", "mail", "--maildir", str(tmp_path))
    assert not_maildir.exit_code == 1
    assert "is not a maildir" in not_maildir.stderr
    empty = tmp_path / "empty.eml"
    empty.write_bytes(b"\n")
    assert cli("capture", "mail", str(empty)).stderr == (
        f"pcrm: error: {empty} is empty (give a message file or an mbox)\n"
    )
    no_stdin = cli("capture", "mail", input="")
    assert (no_stdin.exit_code, no_stdin.stderr) == (
        1,
        "pcrm: error: no message on stdin (pipe one in, or give FILE or --maildir DIR)\n",
    )
    bad_kind = cli("capture", "mail", str(fixture("thread_1.eml")), "--kind", "fax")
    assert bad_kind.exit_code == 1 and 'unknown interaction kind "fax"' in bad_kind.stderr
    assert captured(db_path) == []


def test_show_timeline_json_and_search_show_the_source(cli, db_path, people):
    assert cli("capture", "mail", str(fixture("thread_2.eml"))).exit_code == 0
    timeline = cli("timeline", "ada")
    assert "email\twith Charles Babbage (mail, out)\tRe: Quote for 20 seats" in timeline.stdout
    events = json.loads(cli("timeline", "ada", "--json").stdout)
    (event,) = [event for event in events if event["kind"] == "email"]
    assert {"source": "mail", "direction": "out"}.items() <= event.items()
    shown = cli("interaction", "show", "1")
    assert "source: mail, out <thread-2@example.org>" in shown.stdout
    listed = json.loads(cli("show", "ada", "--json").stdout)
    recent = listed["recent"][0]
    assert recent["source"] == "mail" and recent["external_id"] == "thread-2@example.org"
    found = cli("search", "quote")
    assert "Re: Quote for 20 seats" in found.stdout
    assert "(mail, out) Re: Quote" in cli("show", "ada").stdout


def test_manual_interactions_are_source_manual(cli, db_path, people):
    assert cli("log", "ada", "Call about seats", "--kind", "call").exit_code == 0
    assert rows(db_path, "SELECT source, external_id, direction FROM interactions") == [
        ("manual", None, None)
    ]


def test_me_emails_setting_is_checked(cli, db_path):
    bad = cli("config", "set", "me.emails", "me@example.org,nope")
    assert bad.exit_code == 1 and 'invalid email address "nope"' in bad.stderr
    good = cli("config", "set", "me.emails", "Me@Example.org;b@example.org")
    assert good.stdout == "me.emails = me@example.org,b@example.org\n"


def test_several_files_at_once(cli, db_path, people):
    names = [str(fixture(name)) for name in ("thread_1.eml", "thread_2.eml", "thread_3.eml")]
    result = cli("capture", "mail", *names)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "captured 3 emails with 2 contacts\n"
    assert [row[5] for row in captured(db_path)] == ["in", "out", "in"]


def test_a_long_thread_follows_its_first_messages_deal(cli, db_path, people, tmp_path):
    from datetime import UTC, datetime, timedelta
    from email.message import EmailMessage
    from email.utils import format_datetime

    assert cli("deal", "add", "20 seats", "--company", "Analytical").exit_code == 0
    assert cli("capture", "mail", str(fixture("thread_1.eml")), "--deal", "1").exit_code == 0
    box = mailbox.mbox(tmp_path / "thread.mbox")
    references = ["thread-1@analytical.example"]
    for n in range(2, 14):
        message = EmailMessage()
        message["From"] = "me@example.org" if n % 2 else "Ada Lovelace <ada@analytical.example>"
        message["To"] = "ada@analytical.example" if n % 2 else "me@example.org"
        message["Subject"] = "Re: Quote for 20 seats"
        message["Date"] = format_datetime(datetime(2026, 11, 3, tzinfo=UTC) + timedelta(hours=n))
        message["Message-ID"] = f"<long-{n}@example.org>"
        message["In-Reply-To"] = f"<{references[-1]}>"
        # Some clients keep only the last few References: the root is still the first.
        message["References"] = " ".join(f"<{r}>" for r in [references[0], *references[-3:]])
        message.set_content(f"Message {n} of the thread.\n\n> quoted {n - 1}\n")
        references.append(f"long-{n}@example.org")
        box.add(message)
    box.close()
    result = cli("capture", "mail", str(tmp_path / "thread.mbox"))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == (
        "captured 12 emails with 1 contact, 12 linked to their thread's deal\n"
    )
    assert rows(db_path, "SELECT count(*), min(deal_id), max(deal_id) FROM interactions") == [
        (13, 1, 1)
    ]
    assert rows(
        db_path, "SELECT text FROM interactions WHERE external_id = 'long-13@example.org'"
    ) == [("Re: Quote for 20 seats\n\nMessage 13 of the thread.",)]
    deal = cli("timeline", "deal:1")
    assert deal.stdout.count("Re: Quote for 20 seats") == 12


def test_html_junk_without_sender_is_counted_not_captured(cli, db_path, people):
    result = cli("capture", "mail", str(fixture("cpython_msg_40.eml")))
    assert result.exit_code == 0
    assert result.stdout == "captured 0 emails (1 with nobody in pcrm)\n"
    assert result.stderr == (
        "pcrm: warning: cpython_msg_40.eml: no Date header; dated from the file's time\n"
        "pcrm: warning: cpython_msg_40.eml: no address in From, To or Cc\n"
    )
    assert captured(db_path) == []


def test_export_keeps_where_a_captured_email_came_from(cli, db_path, people):
    assert cli("capture", "mail", str(fixture("thread_1.eml"))).exit_code == 0
    export = cli("export", "interactions", "--format", "json")
    assert export.exit_code == 0, export.stderr
    (item,) = json.loads(export.stdout)
    assert (item["source"], item["external_id"], item["direction"]) == (
        "mail",
        "thread-1@analytical.example",
        "in",
    )
    (row,) = csv.DictReader(io.StringIO(cli("export", "interactions").stdout))
    assert (row["source"], row["external_id"], row["direction"]) == (
        "mail",
        "thread-1@analytical.example",
        "in",
    )
