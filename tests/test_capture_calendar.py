"""`pcrm capture calendar`: real calendars (tests/fixtures/calendar, SOURCES.md) from a file,
stdin and a vdir folder become meeting interactions, once each, correctly timed."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from conftest import dump, one_line_error, rows

FIXTURES = Path(__file__).parent / "fixtures" / "calendar"
REQUEST = FIXTURES / "rfc5546_request.ics"
CANCEL = FIXTURES / "rfc5546_cancel.ics"
UID = "calsrv.example.com-873970198738777@example.com"
BEFORE_CONFERENCE = datetime(1997, 6, 28, 9, 0, tzinfo=UTC)  # three days before it


def fixture(name: str) -> Path:
    return FIXTURES / name


def invited(name: str, email: str = "ada@example.org") -> str:
    """A fixture's text with `email` invited to each of its meetings: most public calendars
    carry no attendees (tests/fixtures/calendar/SOURCES.md)."""
    text = fixture(name).read_text("utf-8")
    newline = "\r\n" if "\r\n" in text else "\n"
    return text.replace(
        f"BEGIN:VEVENT{newline}", f"BEGIN:VEVENT{newline}ATTENDEE;CN=Ada:mailto:{email}{newline}"
    )


def meetings(db_path: Path) -> list[tuple]:
    return rows(
        db_path,
        "SELECT kind, at, text, source, external_id, direction, thread_id, cancelled_at"
        " FROM interactions ORDER BY at, id",
    )


def linked(db_path: Path, interaction_id: int = 1) -> list[str]:
    return [
        row[0]
        for row in rows(
            db_path,
            "SELECT c.name FROM interaction_contacts ic JOIN contacts c ON c.id = ic.contact_id"
            " WHERE ic.interaction_id = ? ORDER BY c.name",
            (interaction_id,),
        )
    ]


@pytest.fixture
def ada(cli):
    assert cli("contact", "add", "Ada Lovelace", "--email", "Ada@Example.org").exit_code == 0


@pytest.fixture
def team(cli):
    """The people of RFC 5546's examples: a@ is the user (the organizer), b@ and c@ are
    contacts, d@ and e@ are not in pcrm, conf_Big@ is a room."""
    for name, email in (("Bea Brown", "b@example.com"), ("Cy Clark", "c@example.com")):
        assert cli("contact", "add", name, "--email", email).exit_code == 0
    assert cli("config", "set", "me.emails", "a@example.com").exit_code == 0


def test_an_invitation_is_a_planned_meeting_in_the_agenda_until_cancelled(cli, db_path, team):
    result = cli("capture", "calendar", str(REQUEST), now=BEFORE_CONFERENCE)
    assert result.exit_code == 0, result.stderr
    # The organizer is the user (no contact); the room is no person; d@ and e@ are listed.
    assert result.stdout == (
        "captured 1 meeting with 2 contacts; 2 addresses not in pcrm: d@example.com,"
        " e@example.com — add them with --add-unknown\n"
    )
    assert meetings(db_path) == [
        ("meeting", "1997-07-01T20:00:00Z", "Conference", "calendar", UID, None, UID, None)
    ]
    assert linked(db_path) == ["Bea Brown", "Cy Clark"]
    assert rows(db_path, "SELECT origin FROM interactions") == [(str(REQUEST.resolve()),)]
    # Planned, not a touch: nobody was contacted yet.
    assert rows(db_path, "SELECT last_contacted_at FROM contacts") == [(None,), (None,)]
    agenda = cli("agenda", now=BEFORE_CONFERENCE)
    assert "Conference" in agenda.stdout and "Bea Brown, Cy Clark" in agenda.stdout

    again = cli("capture", "calendar", str(REQUEST), now=BEFORE_CONFERENCE)
    assert again.stdout.startswith("captured 0 meetings (1 already captured);")
    # mutt pipes the cancellation (METHOD:CANCEL, no DTSTART) on stdin.
    cancel = cli("capture", "calendar", "-", input=CANCEL.read_text(), now=BEFORE_CONFERENCE)
    assert cancel.exit_code == 0, cancel.stderr
    assert cancel.stdout == "captured 0 meetings; 1 cancelled\n"
    assert meetings(db_path)[0][7] == "1997-06-28T09:00:00Z"
    assert "Conference" not in cli("agenda", now=BEFORE_CONFERENCE).stdout
    listed = json.loads(cli("interaction", "list", "--json", now=BEFORE_CONFERENCE).stdout)
    assert listed[0]["cancelled_at"] == "1997-06-28T09:00:00Z"
    # Cancelled twice changes nothing; a cancellation of what was never captured is counted.
    twice = cli("capture", "calendar", str(CANCEL), now=BEFORE_CONFERENCE)
    assert twice.stdout == "captured 0 meetings (1 already captured)\n"


def test_a_cancelled_invitation_reappearing_confirmed_is_planned_again(cli, db_path, team):
    assert cli("capture", "calendar", str(REQUEST), now=BEFORE_CONFERENCE).exit_code == 0
    assert cli("capture", "calendar", str(CANCEL), now=BEFORE_CONFERENCE).exit_code == 0
    again = cli("capture", "calendar", str(REQUEST), now=BEFORE_CONFERENCE)
    assert again.stdout.startswith("captured 0 meetings; 1 updated;")
    assert meetings(db_path)[0][7] is None
    assert "Conference" in cli("agenda", now=BEFORE_CONFERENCE).stdout


def test_a_cancellation_never_captured_is_only_counted(cli, db_path, team):
    result = cli("capture", "calendar", str(CANCEL), now=BEFORE_CONFERENCE)
    assert result.stdout == "captured 0 meetings (1 cancelled, never captured)\n"
    assert meetings(db_path) == []


def test_a_past_meeting_is_a_touch(cli, db_path, team):
    result = cli("capture", "calendar", str(REQUEST))  # now: 2026-11-23
    assert result.exit_code == 0
    assert rows(db_path, "SELECT name, last_contacted_at FROM contacts ORDER BY name") == [
        ("Bea Brown", "1997-07-01T20:00:00Z"),
        ("Cy Clark", "1997-07-01T20:00:00Z"),
    ]
    assert "Conference" not in cli("agenda").stdout


def test_google_recurring_meeting_with_a_moved_occurrence(cli, db_path, ada, tmp_path):
    calendar = tmp_path / "karaoke.ics"
    calendar.write_text(invited("google_moved_occurrence.ics"))
    args = ("capture", "calendar", str(calendar), "--since", "2021-11-01", "--until", "2022-02-28")
    result = cli(*args, env={"TZ": "Europe/Berlin"})
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "captured 4 meetings with 1 contact\n"
    series = "38m812jicsrer5gorh3mlp7qhc@google.com"
    # Monthly on the last Friday, 21:30 in Berlin (20:30 UTC); December's moved to the 17th
    # and keeps the id of the occurrence it replaces (its RECURRENCE-ID, the 31st).
    assert [(row[1], row[4], row[6]) for row in meetings(db_path)] == [
        ("2021-11-26T20:30:00Z", f"{series}/20211126T203000Z", series),
        ("2021-12-17T20:30:00Z", f"{series}/20211231T203000Z", series),
        ("2022-01-28T20:30:00Z", f"{series}/20220128T203000Z", series),
        ("2022-02-25T20:30:00Z", f"{series}/20220225T203000Z", series),
    ]
    again = cli(*args, env={"TZ": "Europe/Berlin"})
    assert again.stdout == "captured 0 meetings (4 already captured)\n"
    assert len(meetings(db_path)) == 4


def test_google_x_wr_timezone_places_floating_times(cli, db_path, ada, tmp_path):
    calendar = tmp_path / "google.ics"
    calendar.write_text(invited("google_x_wr_timezone.ics"))
    # Read in Brussels (X-WR-TIMEZONE: summer time, UTC+2), not in the user's New York.
    result = cli("capture", "calendar", str(calendar), env={"TZ": "America/New_York"})
    assert result.exit_code == 0, result.stderr
    assert [row[1] for row in meetings(db_path)] == ["2021-09-16T19:00:00Z"]


def test_a_floating_time_is_read_in_the_local_zone(cli, db_path, ada, tmp_path):
    calendar = tmp_path / "floating.ics"
    calendar.write_text(invited("khal_floating.ics"))
    assert cli("capture", "calendar", str(calendar), env={"TZ": "Europe/Berlin"}).exit_code == 0
    assert [row[1] for row in meetings(db_path)] == ["2014-04-09T07:30:00Z"]  # 09:30 CEST


def test_an_all_day_invitation_is_at_local_midnight(cli, db_path):
    assert cli("contact", "add", "Rembrand", "--email", "rembrand@daxlab.com").exit_code == 0
    calendar = fixture("blackberry_request_all_day.ics")
    result = cli("capture", "calendar", str(calendar), env={"TZ": "Europe/Berlin"})
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("captured 1 meeting with 1 contact; 2 addresses not in pcrm:")
    # 14 Aug 2012 begins at 22:00 UTC the day before in Berlin; its id is the date.
    assert meetings(db_path) == [
        (
            "meeting",
            "2012-08-13T22:00:00Z",
            "Test meeting from BB",
            "calendar",
            "XRIMCAL-628059586-522954492-9750559",
            None,
            "XRIMCAL-628059586-522954492-9750559",
            None,
        )
    ]


def test_outlook_windows_zone_names_with_and_without_vtimezone(cli, db_path, ada, tmp_path):
    text = invited("khal_windows_tzid.ics")
    start, end = text.index("BEGIN:VTIMEZONE"), text.index("END:VTIMEZONE") + len("END:VTIMEZONE\n")
    files = {
        "with.ics": text,
        "without.ics": text[:start] + text[end:].replace("PERSOYPOYG", "WITHOUTVTZ"),
        "again.ics": text.replace("PERSOYPOYG", "WITHVTZ-02"),
    }
    for name, content in files.items():  # one run each, in this order
        (tmp_path / name).write_text(content)
        result = cli("capture", "calendar", str(tmp_path / name))
        assert result.exit_code == 0, result.stderr
        assert result.stderr == ""
    # With its VTIMEZONE, the file's own definition of the zone counts (it says +01:00 in
    # November); without, icalendar maps the Windows name to Pacific/Auckland (NZDT, +13).
    # Each file is read with its own zones, whatever was read before it.
    assert [(row[1], row[4][:10]) for row in meetings(db_path)] == [
        ("2019-11-20T00:00:00Z", "WITHOUTVTZ"),
        ("2019-11-20T12:00:00Z", "PERSOYPOYG"),
        ("2019-11-20T12:00:00Z", "WITHVTZ-02"),
    ]


def test_an_unknown_zone_is_read_in_the_local_zone_and_said(cli, db_path, ada, tmp_path):
    calendar = tmp_path / "odd.ics"
    text = invited("khal_windows_tzid.ics")
    start, end = text.index("BEGIN:VTIMEZONE"), text.index("END:VTIMEZONE") + len("END:VTIMEZONE\n")
    calendar.write_text((text[:start] + text[end:]).replace("New Zealand Standard", "Mars Olympus"))
    result = cli("capture", "calendar", str(calendar), env={"TZ": "Europe/Berlin"})
    assert result.exit_code == 0
    assert result.stderr == (
        f'pcrm: warning: {calendar}: "Event with Windows TZ name": unknown time zone'
        ' "Mars Olympus Time"; read in the local zone (Europe/Berlin)\n'
    )
    assert [row[1] for row in meetings(db_path)] == ["2019-11-20T12:00:00Z"]  # 13:00 CET


DST_CALENDAR = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//pcrm tests//EN
BEGIN:VEVENT
UID:weekly-standup
DTSTART;TZID=Europe/Berlin:20260322T090000
RRULE:FREQ=WEEKLY;COUNT=3
SUMMARY:Stand-up
ORGANIZER:mailto:ada@example.org
END:VEVENT
BEGIN:VEVENT
UID:autumn-standup
DTSTART;TZID=Europe/Berlin:20261024T090000
RRULE:FREQ=DAILY;COUNT=2
SUMMARY:Autumn stand-up
ORGANIZER:mailto:ada@example.org
END:VEVENT
BEGIN:VEVENT
UID:skipped-hour
DTSTART:20260329T023000
SUMMARY:In the hour that does not exist
ORGANIZER:mailto:ada@example.org
END:VEVENT
BEGIN:VEVENT
UID:all-day-on-the-switch
DTSTART;VALUE=DATE:20261025
SUMMARY:Offsite
ORGANIZER:mailto:ada@example.org
END:VEVENT
END:VCALENDAR
"""


def test_dst_days_in_berlin(cli, db_path, ada, tmp_path):
    calendar = tmp_path / "dst.ics"
    calendar.write_text(DST_CALENDAR)
    result = cli("capture", "calendar", str(calendar), env={"TZ": "Europe/Berlin"})
    assert result.exit_code == 0, result.stderr
    assert [(row[1], row[4]) for row in meetings(db_path)] == [
        ("2026-03-22T08:00:00Z", "weekly-standup/20260322T080000Z"),  # 09:00 CET
        ("2026-03-29T01:30:00Z", "skipped-hour"),  # 02:30 floating: moved on to 03:30 CEST
        ("2026-03-29T07:00:00Z", "weekly-standup/20260329T070000Z"),  # 09:00 CEST
        ("2026-04-05T07:00:00Z", "weekly-standup/20260405T070000Z"),
        ("2026-10-24T07:00:00Z", "autumn-standup/20261024T070000Z"),  # 09:00 CEST
        ("2026-10-24T22:00:00Z", "all-day-on-the-switch"),  # local midnight, CEST
        ("2026-10-25T08:00:00Z", "autumn-standup/20261025T080000Z"),  # 09:00 CET
    ]
    # Shown in local time on a terminal: the skipped-hour meeting at 03:30 CEST.
    timeline = cli("timeline", "ada", terminal=True, width=120, env={"TZ": "Europe/Berlin"})
    assert "2026-03-29 03:30" in timeline.stdout


def test_declined_attendees_are_not_linked(cli, db_path):
    for name, email in (
        ("Jane Doe", "jdoe@example.com"),
        ("Another One", "another@example.com"),
        ("Henry Cabot", "hcabot@example.com"),
    ):
        assert cli("contact", "add", name, "--email", email).exit_code == 0
    result = cli("capture", "calendar", str(fixture("khal_partstat.ics")))
    assert result.exit_code == 0, result.stderr
    # another@ declined; Henry's address is folded inside (hcabot@ example.com): mended.
    assert linked(db_path) == ["Henry Cabot", "Jane Doe"]
    assert "another@example.com" not in result.stdout  # nor is it listed as unknown


def test_a_cancelled_occurrence_is_not_captured(cli, db_path, ada, tmp_path):
    calendar = tmp_path / "thunderbird.ics"
    calendar.write_text(invited("thunderbird_cancelled_occurrence.ics"))
    result = cli("capture", "calendar", str(calendar))
    assert result.stdout == ("captured 2 meetings (1 cancelled, never captured) with 1 contact\n")
    assert [row[1] for row in meetings(db_path)] == [
        "2020-01-28T21:00:00Z",
        "2020-01-30T21:00:00Z",
    ]


def test_exchange_export_with_an_excluded_date(cli, db_path, ada, tmp_path):
    calendar = tmp_path / "exchange.ics"
    calendar.write_text(invited("outlook_exchange_exdate.ics"))
    result = cli("capture", "calendar", str(calendar))
    assert result.exit_code == 0, result.stderr
    uid = "3bbe38c205956551730fc9233525fe268296ec02"
    assert [(row[1], row[4]) for row in meetings(db_path)] == [
        ("2020-04-26T12:00:00Z", f"{uid}/20200426T120000Z"),
        ("2020-04-28T12:00:00Z", f"{uid}/20200428T120000Z"),
    ]


def test_a_caldav_series_with_an_excluded_week(cli, db_path, ada, tmp_path):
    calendar = tmp_path / "sabredav.ics"
    calendar.write_text(invited("sabredav_exdate.ics"))
    result = cli("capture", "calendar", str(calendar), env={"TZ": "Europe/Berlin"})
    assert result.stdout == "captured 7 meetings with 1 contact\n"  # 8 weeks, one excluded
    assert "SX2CURHKFTKKFFU3VUD7K/20190310T233000Z" not in [row[4] for row in meetings(db_path)]


def test_apple_location_is_a_second_paragraph(cli, db_path, ada, tmp_path):
    calendar = tmp_path / "apple.ics"
    calendar.write_text(invited("apple_structured_location.ics"))
    args = ("--since", "2016-10-28", "--until", "2016-11-01")
    result = cli("capture", "calendar", str(calendar), *args)
    # Fri 28, Mon 31 Oct and Tue 1 Nov: --until a day takes that day whole.
    assert result.stdout == "captured 3 meetings with 1 contact\n"
    assert meetings(db_path)[0][1:3] == (
        "2016-10-28T12:00:00Z",
        "Daily Sync\n\nLocation: Roadstar 16, 12764 Happyville, Denmark",
    )


def write_event(folder: Path, uid: str, start: str, summary: str, status: str = "") -> Path:
    path = folder / f"{uid}.ics"
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//PIMUTILS.ORG//NONSGML khal / icalendar //EN",
        "BEGIN:VEVENT",
        f"UID:{uid}",
        f"DTSTART;TZID=Europe/Berlin:{start}",
        f"SUMMARY:{summary}",
        "LOCATION:Office",
        "ORGANIZER;CN=Ada Lovelace:mailto:ada@example.org",
        "ATTENDEE;PARTSTAT=ACCEPTED:mailto:me@example.com",
        *([f"STATUS:{status}"] if status else []),
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    path.write_text("\r\n".join(lines) + "\r\n")
    return path


@pytest.fixture
def vdir(tmp_path, cli, ada):
    """A khal/vdirsyncer calendar folder: one file per event, a status folder beside."""
    assert cli("config", "set", "me.emails", "me@example.com").exit_code == 0
    folder = tmp_path / "calendars" / "work"
    folder.mkdir(parents=True)
    (tmp_path / "calendars" / ".vdirsyncer").mkdir()
    (tmp_path / "calendars" / ".vdirsyncer" / "status.ics").write_text("not a calendar")
    write_event(folder, "review", "20261125T100000", "Quarterly review")
    write_event(folder, "lunch", "20261126T123000", "Lunch")
    write_event(folder, "demo", "20261127T150000", "Demo")
    write_event(folder, "kickoff", "20261102T090000", "Kick-off")  # in the past
    (folder / "sub").mkdir()
    write_event(folder / "sub", "workshop", "20261201T090000", "Workshop")
    return tmp_path / "calendars"


def test_vdir_walkthrough_move_delete_cancel(cli, db_path, vdir):
    env = {"TZ": "Europe/Berlin"}
    first = cli("capture", "calendar", str(vdir), env=env)
    assert first.exit_code == 0, first.stderr
    assert first.stdout == "captured 5 meetings with 1 contact\n"
    assert first.stderr == ""  # the hidden status folder is not read
    agenda = cli("agenda", "--days", "14", env=env).stdout
    for summary in ("Quarterly review", "Lunch", "Demo", "Workshop"):
        assert summary in agenda
    assert "Kick-off" not in agenda  # it happened: a touch
    assert rows(db_path, "SELECT last_contacted_at FROM contacts") == [("2026-11-02T08:00:00Z",)]

    work = vdir / "work"
    write_event(work, "review", "20261125T140000", "Quarterly review (moved)")
    (work / "lunch.ics").unlink()
    (work / "kickoff.ics").unlink()  # gone from the past: left alone
    write_event(work, "demo", "20261127T150000", "Demo", status="CANCELLED")
    again = cli("capture", "calendar", str(vdir), env=env)
    assert again.exit_code == 0, again.stderr
    assert again.stdout == "captured 0 meetings (1 already captured); 1 updated, 2 cancelled\n"
    assert [(row[1], row[2], row[7] is not None) for row in meetings(db_path)] == [
        ("2026-11-02T08:00:00Z", "Kick-off\n\nLocation: Office", False),
        ("2026-11-25T13:00:00Z", "Quarterly review (moved)\n\nLocation: Office", False),
        ("2026-11-26T11:30:00Z", "Lunch\n\nLocation: Office", True),
        ("2026-11-27T14:00:00Z", "Demo\n\nLocation: Office", True),
        ("2026-12-01T08:00:00Z", "Workshop\n\nLocation: Office", False),
    ]
    agenda = cli("agenda", "--days", "14", env=env).stdout
    assert "Quarterly review (moved)" in agenda and "Workshop" in agenda
    assert "Lunch" not in agenda and "Demo" not in agenda
    third = cli("capture", "calendar", str(vdir), env=env)
    assert third.stdout == "captured 0 meetings (3 already captured)\n"


def test_a_hand_edit_survives_a_recapture_until_the_calendar_changes(cli, db_path, vdir):
    env = {"TZ": "Europe/Berlin"}
    assert cli("capture", "calendar", str(vdir), env=env).exit_code == 0
    review = rows(db_path, "SELECT id FROM interactions WHERE external_id = 'review'")[0][0]
    note = "Quarterly review: they want 20 more seats"
    assert cli("interaction", "edit", str(review), "--text", note).exit_code == 0
    again = cli("capture", "calendar", str(vdir), env=env)
    assert again.stdout == "captured 0 meetings (5 already captured)\n"
    write_event(vdir / "work", "review", "20261125T160000", "Quarterly review")  # moved only
    moved = cli("capture", "calendar", str(vdir), env=env)
    assert moved.stdout == "captured 0 meetings (4 already captured); 1 updated\n"
    assert rows(db_path, "SELECT at, text FROM interactions WHERE id = ?", (review,)) == [
        ("2026-11-25T15:00:00Z", note)
    ]


def test_a_meeting_cancelled_by_hand_stays_cancelled(cli, db_path, vdir):
    assert cli("capture", "calendar", str(vdir)).exit_code == 0
    lunch = rows(db_path, "SELECT id FROM interactions WHERE external_id = 'lunch'")[0][0]
    assert cli("interaction", "cancel", str(lunch)).exit_code == 0
    again = cli("capture", "calendar", str(vdir))
    assert again.stdout == "captured 0 meetings (5 already captured)\n"
    assert rows(db_path, "SELECT cancelled_at FROM interactions WHERE id = ?", (lunch,)) == [
        ("2026-11-23T10:00:00Z",)
    ]


def test_a_changed_attendee_list_changes_the_links(cli, db_path, vdir):
    assert cli("contact", "add", "Grace Hopper", "--email", "grace@navy.example").exit_code == 0
    assert cli("capture", "calendar", str(vdir)).exit_code == 0
    lunch = vdir / "work" / "lunch.ics"  # read_text() gives its CRLF as \n; written back so
    invite = "ATTENDEE;PARTSTAT=ACCEPTED:mailto:me@example.com\n"
    grace = "ATTENDEE;PARTSTAT=ACCEPTED:mailto:grace@navy.example\n"
    lunch.write_text(lunch.read_text().replace(invite, invite + grace))
    result = cli("capture", "calendar", str(vdir))
    assert result.stdout == "captured 0 meetings (4 already captured); 1 updated\n"
    number = rows(db_path, "SELECT id FROM interactions WHERE external_id = 'lunch'")[0][0]
    assert linked(db_path, number) == ["Ada Lovelace", "Grace Hopper"]
    # Ada declines: the lunch is with Grace alone.
    ada = "ORGANIZER;CN=Ada Lovelace:mailto:ada@example.org\n"
    declined = "ATTENDEE;PARTSTAT=DECLINED:mailto:ada@example.org\n"
    lunch.write_text(lunch.read_text().replace(ada, declined))
    assert cli("capture", "calendar", str(vdir)).stdout.endswith("; 1 updated\n")
    assert linked(db_path, number) == ["Grace Hopper"]
    # Grace declines too: nobody in pcrm is left, and it is still to come: cancelled.
    lunch.write_text(lunch.read_text().replace(grace, grace.replace("ACCEPTED", "DECLINED")))
    assert cli("capture", "calendar", str(vdir)).stdout.endswith("; 1 cancelled\n")
    assert rows(db_path, "SELECT cancelled_at FROM interactions WHERE id = ?", (number,)) == [
        ("2026-11-23T10:00:00Z",)
    ]


def test_an_empty_folder_cancels_nothing(cli, db_path, vdir, tmp_path):
    assert cli("capture", "calendar", str(vdir)).exit_code == 0
    for path in (vdir / "work").rglob("*.ics"):
        path.unlink()
    result = cli("capture", "calendar", str(vdir))
    assert result.stdout == "captured 0 meetings\n"
    assert result.stderr == (
        f"pcrm: warning: {vdir.resolve()}: no .ics file in it;"
        " meetings gone from it are not cancelled\n"
    )
    assert rows(db_path, "SELECT count(*) FROM interactions WHERE cancelled_at IS NULL") == [(5,)]


def test_a_file_that_is_no_calendar_in_a_folder_is_a_warning(cli, db_path, vdir):
    broken = vdir / "work" / "broken.ics"
    broken.write_text("this is not a calendar\n")
    (vdir / "work" / "lunch.ics").unlink()
    result = cli("capture", "calendar", str(vdir))
    assert result.exit_code == 0
    assert result.stderr == (
        f"pcrm: warning: {broken}: not an iCalendar file; skipped\n"
        f"pcrm: warning: {vdir.resolve()}: meetings gone from it are not cancelled this time,"
        " as a file of it could not be read\n"
    )
    assert result.stdout == "captured 4 meetings with 1 contact\n"


def test_dry_run_json_add_unknown_deal_and_kind(cli, db_path, team):
    before = dump(db_path)
    dry = cli("capture", "calendar", str(REQUEST), "--add-unknown", "--dry-run", "--json")
    assert dry.exit_code == 0, dry.stderr
    assert json.loads(dry.stdout) == {
        "dry_run": True,
        "read": 1,
        "captured": 1,
        "already_captured": 0,
        "updated": 0,
        "cancelled": 0,
        "cancelled_not_captured": 0,
        "no_contact": 0,
        "contacts": 4,
        "unknown_addresses": [],
        "added_contacts": ["d@example.com", "e@example.com"],
        "interaction_ids": [],
        "problems": [],
    }
    assert dump(db_path) == before
    assert cli("deal", "add", "Conference deal").exit_code == 0
    args = ("--add-unknown", "--deal", "Conference deal", "--kind", "demo")
    done = cli("capture", "calendar", str(REQUEST), *args, now=BEFORE_CONFERENCE)
    assert done.stdout == (
        "captured 1 meeting with 4 contacts; added 2 contacts: d@example.com, e@example.com\n"
    )
    assert rows(db_path, "SELECT kind, deal_id FROM interactions") == [("demo", 1)]
    assert rows(db_path, "SELECT name, source FROM contacts ORDER BY id")[-2:] == [
        ("d", "calendar"),
        ("e", "calendar"),
    ]


def test_show_timeline_json_and_search(cli, db_path, team):
    assert cli("capture", "calendar", str(REQUEST), now=BEFORE_CONFERENCE).exit_code == 0
    timeline = cli("timeline", "bea", now=BEFORE_CONFERENCE)
    assert "meeting\twith Cy Clark (calendar)\tConference" in timeline.stdout
    shown = cli("interaction", "show", "1", now=BEFORE_CONFERENCE).stdout
    assert f"source: calendar <{UID}>" in shown
    assert f"read from: {REQUEST.resolve()}" in shown
    item = json.loads(cli("interaction", "show", "1", "--json").stdout)
    assert (item["source"], item["external_id"], item["origin"]) == (
        "calendar",
        UID,
        str(REQUEST.resolve()),
    )
    events = json.loads(cli("timeline", "bea", "--json").stdout)
    meeting = next(event for event in events if event["kind"] == "meeting")
    assert (meeting["source"], meeting["origin"]) == ("calendar", str(REQUEST.resolve()))
    assert "Conference" in cli("search", "conference").stdout
    assert "(calendar) Conference" in cli("show", "bea").stdout  # now it has happened


def test_undo_puts_back_a_recapture(cli, db_path, vdir):
    env = {"TZ": "Europe/Berlin"}
    assert cli("capture", "calendar", str(vdir), env=env).exit_code == 0
    before = meetings(db_path)
    (vdir / "work" / "lunch.ics").unlink()
    assert "1 cancelled" in cli("capture", "calendar", str(vdir), env=env).stdout
    assert cli("undo").exit_code == 0
    assert meetings(db_path) == before


def test_bad_input_is_one_line_and_writes_nothing(cli, db_path, team, tmp_path):
    assert cli("capture", "calendar", str(REQUEST), now=BEFORE_CONFERENCE).exit_code == 0
    before = dump(db_path)
    missing = one_line_error(cli("capture", "calendar", str(tmp_path / "nope.ics")))
    assert missing == (
        f"pcrm: error: {tmp_path / 'nope.ics'} does not exist"
        " (give an .ics file, a folder of them, or -)\n"
    )
    garbled = tmp_path / "garbled.ics"
    garbled.write_bytes(b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\n\xff\xfe junk")
    assert one_line_error(cli("capture", "calendar", str(REQUEST), str(garbled))) == (
        f"pcrm: error: {garbled} is not an iCalendar file (no readable VCALENDAR)"
        " (give an .ics file, or a folder of them)\n"
    )
    bad_since = one_line_error(cli("capture", "calendar", str(REQUEST), "--since", "soonish"))
    assert 'cannot understand date "soonish"' in bad_since
    backwards = cli("capture", "calendar", str(REQUEST), "--since", "+2d", "--until", "today")
    assert one_line_error(backwards) == (
        "pcrm: error: --since is not before --until (e.g. --since -7d --until +30d)\n"
    )
    empty = one_line_error(cli("capture", "calendar", "-", input=""))
    assert empty == "pcrm: error: no calendar on stdin (pipe an .ics in, or give a FILE or DIR)\n"
    bad_kind = one_line_error(cli("capture", "calendar", str(REQUEST), "--kind", "fax"))
    assert 'unknown interaction kind "fax"' in bad_kind
    assert dump(db_path) == before


def test_until_defaults_to_thirty_days_ahead(cli, db_path, ada, tmp_path):
    assert cli("config", "set", "me.emails", "me@example.com").exit_code == 0
    folder = tmp_path / "cal"
    folder.mkdir()
    write_event(folder, "soon", "20261222T100000", "In 29 days")
    write_event(folder, "later", "20261224T100000", "In 31 days")
    result = cli("capture", "calendar", str(folder))  # today: 2026-11-23
    assert result.stdout == "captured 1 meeting with 1 contact\n"
    wider = cli("capture", "calendar", str(folder), "--until", "2027-01-01")
    assert wider.stdout == "captured 1 meeting (1 already captured) with 1 contact\n"
