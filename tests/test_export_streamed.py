"""Streamed exports (issue 18): the vCard and ICS writers of formats/contentline.py mean what
vobject and icalendar would have written. Each test builds the library's own output (the
code the export used before, kept here as the reference), parses both with the library and
compares every property, parameter and value, over generated contacts and follow-ups with
awkward text: unicode, emoji at fold points, long lines, commas, semicolons, backslashes
and line breaks. Then what a user sees: lines folded at 75 octets on UTF-8 boundaries,
records written as they are read, VTIMEZONE only when needed, a vCard export imported back.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import vobject
from dateutil.rrule import rrulestr
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from icalendar import Calendar, Event, vRecur

from pcrm.core.activity.tasks import Task
from pcrm.core.base import Link
from pcrm.core.people.models import Address, Contact, Email, Phone, Url
from pcrm.dates import APPLE_NO_YEAR, from_iso, local_zone_name
from pcrm.formats import ics
from pcrm.formats.contentline import fold
from pcrm.formats.vcard import contact_card, kept_lines, write_cards

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)

# -- the libraries' output: the export's code before issue 18 --------------------------


def library_card(contact: Contact, version: str) -> str:
    """The contact as vobject serialises it (the vCard export before issue 18)."""
    card = vobject.vCard()
    card.add("version").value = f"{version}.0"
    card.add("uid").value = contact.uid
    card.add("fn").value = contact.name
    given, _, family = contact.name.rpartition(" ")
    card.add("n").value = (
        vobject.vcard.Name(family=family, given=given)
        if given
        else vobject.vcard.Name(given=contact.name)
    )
    for email in contact.emails:
        prop = card.add("email")
        prop.value = email.email
        types = ["INTERNET"] if version == "3" else []
        if email.label:
            types.append(email.label)
        if types:
            prop.type_param = types
    for phone in contact.phones:
        prop = card.add("tel")
        prop.value = phone.phone
        if phone.label:
            prop.type_param = phone.label
    for fax in contact.faxes:
        prop = card.add("tel")
        prop.value = fax.phone
        prop.type_param = ["FAX", fax.label] if fax.label else "FAX"
    if contact.company:
        card.add("org").value = [contact.company.name]
    if contact.title:
        card.add("title").value = contact.title
    if contact.birthday:
        prop = card.add("bday")
        if not contact.birthday.startswith("--"):
            prop.value = contact.birthday
        elif version == "4":
            prop.value = "--" + contact.birthday[2:].replace("-", "")
        else:
            prop.value = f"{APPLE_NO_YEAR}-{contact.birthday[2:]}"
            prop.x_apple_omit_year_param = str(APPLE_NO_YEAR)
    if contact.note:
        card.add("note").value = contact.note
    if contact.tags:
        card.add("categories").value = list(contact.tags)
    if contact.nickname:
        card.add("nickname").value = contact.nickname
    for address in contact.addresses:
        prop = card.add("adr")
        prop.value = vobject.vcard.Address(
            street=address.street or "",
            city=address.locality or "",
            region=address.region or "",
            code=address.postcode or "",
            country=address.country or "",
        )
        if address.label:
            prop.type_param = address.label
    for url in contact.urls:
        prop = card.add("url")
        prop.value = url.url
        if url.label:
            prop.type_param = url.label
    if contact.anniversary:
        day = contact.anniversary
        if version == "4":
            card.add("anniversary").value = (
                "--" + day[2:].replace("-", "") if day[:2] == "--" else day
            )
        else:
            card.add("x-anniversary").value = day
    if contact.cadence_days:
        card.add("x-pcrm-cadence").value = str(contact.cadence_days)
    if contact.lifecycle_stage:
        card.add("x-pcrm-stage").value = contact.lifecycle_stage
    if contact.source:
        card.add("x-pcrm-source").value = contact.source
    for name, value in contact.fields.items():
        prop = card.add("x-pcrm-field")
        prop.value = repr(value) if isinstance(value, float) else str(value)
        prop.x_name_param = name
    text: str = card.serialize()
    if contact.vcard:
        extra = kept_lines(contact.vcard)
        if extra:
            end = text.rindex("END:VCARD")
            text = text[:end] + "".join(line + "\r\n" for line in extra) + text[end:]
    return text


def library_calendar(tasks: list[Task], now: datetime) -> bytes:
    """The follow-ups as icalendar writes them (the ICS export before issue 18)."""
    zone_name = local_zone_name()
    zone = ZoneInfo(zone_name) if zone_name else None
    calendar = Calendar()
    calendar.add("prodid", ics.PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", "pcrm follow-ups")
    for task in tasks:
        for uid, day, rule in ics._events(task):
            event = Event()
            event.add("uid", uid)
            event.add("dtstamp", now.astimezone(UTC))
            event.add("summary", ics._summary(task))
            event.add("description", ics.task_description(task))
            if task.due_at:
                clock = from_iso(task.due_at).astimezone(zone or UTC).time()
                start = datetime.combine(day, clock, tzinfo=zone or UTC)
                event.add("dtstart", start)
                event.add("dtend", start + ics.TIMED_LENGTH)
            else:
                event.add("dtstart", day)
                event.add("dtend", day + timedelta(days=1))
            if rule:
                event.add("rrule", vRecur.from_ical(rule))
            event.add("created", from_iso(task.created_at))
            event.add("last-modified", from_iso(task.updated_at))
            calendar.add_component(event)
    calendar.add_missing_timezones()
    ical: bytes = calendar.to_ical()
    return ical


def ours_calendar(tasks: list[Task], now: datetime) -> str:
    stream = io.StringIO(newline="")
    assert ics.write_agenda(stream, tasks, now, timed=any(t.due_at for t in tasks)) == len(tasks)
    return stream.getvalue()


# -- comparing what the libraries read -------------------------------------------------


def card_meaning(text: str) -> list[list[tuple]]:
    """Every card's properties as vobject reads them: name, group, parameters, value."""
    return [
        [
            (line.name, line.group, sorted(line.params.items()), line.value)
            for line in card.getSortedChildren()
        ]
        for card in vobject.readComponents(text)
    ]


def calendar_meaning(text: str | bytes) -> list[tuple]:
    """Every component and property as icalendar reads them, in order."""
    found = []
    for component in Calendar.from_ical(text).walk():
        props = []
        for name, value in component.property_items(recursive=False):
            if name in ("BEGIN", "END"):
                continue
            params = sorted((value.params or {}).items()) if hasattr(value, "params") else []
            props.append((name, params, value.to_ical() if hasattr(value, "to_ical") else value))
        found.append((component.name, props))
    return found


def assert_folded(text: str) -> None:
    """CRLF line ends, every physical line at most 75 octets and whole UTF-8 characters."""
    raw = text.encode()
    assert b"\n" not in raw.replace(b"\r\n", b"")
    for line in raw.split(b"\r\n"):
        assert len(line) <= 75, line
        line.decode()  # raises if a character was cut


# -- generated records ------------------------------------------------------------------

_piece = st.characters(
    blacklist_categories=("Cs", "Cc", "Zl", "Zp"),
    blacklist_characters="\x85",
) | st.sampled_from([",", ";", "\\", ":", "\n", "\r\n", "\r", "😀", "👩‍👩‍👧", "é", "\t", '"', "^"])


def _text(min_size: int = 0, max_size: int = 60) -> st.SearchStrategy[str]:
    return st.lists(_piece, min_size=min_size, max_size=max_size).map("".join)


awkward = _text()
some = _text(min_size=1)
# A parameter value cannot hold a double quote or a line break (vobject refuses the first).
label = st.none() | st.text(
    st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp"), blacklist_characters='"\x85'),
    min_size=1,
    max_size=20,
)
day = st.dates(date(1900, 1, 1), date(2100, 12, 31)).map(date.isoformat)
no_year = st.dates(date(2000, 1, 1), date(2000, 12, 31)).map(lambda d: d.strftime("--%m-%d"))


@st.composite
def contacts(draw: st.DrawFn) -> Contact:
    return Contact(
        id=1,
        uid=draw(st.uuids()).hex,
        name=draw(some),
        company=draw(st.none() | some.map(lambda name: Link("company", 1, name))),
        title=draw(st.none() | some),
        source=draw(st.none() | some),
        birthday=draw(st.none() | day | no_year),
        note=draw(st.none() | awkward | _text(min_size=70, max_size=300)),
        last_contacted_at=None,
        created_at="2026-01-01T00:00:00Z",
        updated_at="2026-01-01T00:00:00Z",
        emails=draw(st.lists(st.builds(Email, some, label), max_size=3)),
        phones=draw(st.lists(st.builds(Phone, some, label), max_size=2)),
        tags=draw(st.lists(some, max_size=3)),
        anniversary=draw(st.none() | day | no_year),
        cadence_days=draw(st.none() | st.integers(1, 400)),
        fields=draw(
            st.dictionaries(
                st.text("abcdefghij_-", min_size=1, max_size=10),
                some | st.integers() | st.floats(allow_nan=False, allow_infinity=False),
                max_size=3,
            )
        ),
        lifecycle_stage=draw(st.none() | some),
        nickname=draw(st.none() | some),
        faxes=draw(st.lists(st.builds(Phone, some, label), max_size=2)),
        addresses=draw(
            st.lists(
                st.builds(
                    Address,
                    label,
                    st.none() | awkward,
                    st.none() | awkward,
                    st.none() | awkward,
                    st.none() | awkward,
                    st.none() | awkward,
                ),
                max_size=2,
            )
        ),
        urls=draw(st.lists(st.builds(Url, some, label), max_size=2)),
    )


RULES = [
    None,
    "FREQ=WEEKLY",
    "FREQ=DAILY;INTERVAL=3",
    "FREQ=MONTHLY;COUNT=3",
    "FREQ=WEEKLY;BYDAY=MO,TH;UNTIL=20281231",
    "FREQ=YEARLY;COUNT=40",
]


@st.composite
def tasks(draw: st.DrawFn) -> Task:
    rule = draw(st.sampled_from(RULES))
    start = draw(st.dates(date(2020, 1, 1), date(2027, 12, 31)))
    due = start + timedelta(days=draw(st.integers(0, 60)))  # may be off the rule: snoozed
    moment = draw(st.none() | st.times().map(lambda t: t.replace(microsecond=0)))
    due_at = datetime.combine(due, moment or time(), tzinfo=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return Task(
        id=draw(st.integers(1, 10**6)),
        uid=draw(st.uuids()).hex,
        title=draw(some),
        contact=draw(st.none() | some.map(lambda name: Link("contact", 1, name))),
        deal=draw(st.none() | some.map(lambda name: Link("deal", 1, name))),
        company=draw(st.none() | some.map(lambda name: Link("company", 1, name))),
        due_date=due.isoformat(),
        due_at=due_at if moment else None,
        rrule=rule,
        series_start=start.isoformat() if rule else None,
        repeat=draw(st.none() | some) if rule else None,
        status="open",
        bucket="upcoming",
        done_at=None,
        created_at="2025-03-30T01:30:00Z",
        updated_at="2026-10-25T01:30:00+00:00",
    )


# -- vCard ---------------------------------------------------------------------------------

SETTINGS = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


@SETTINGS
@given(st.lists(contacts(), min_size=1, max_size=3), st.sampled_from(["3", "4"]))
def test_cards_mean_what_vobject_writes(people: list[Contact], version: str) -> None:
    ours = "".join(contact_card(person, version) for person in people)
    assert card_meaning(ours) == card_meaning("".join(library_card(p, version) for p in people))
    assert_folded(ours)


def test_kept_properties_of_an_imported_card_follow_unchanged() -> None:
    raw = (
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ada\r\nPHOTO;ENCODING=b;TYPE=JPEG:QUJD\r\n"
        "item1.X-CUSTOM:one\r\nitem1.X-ABLabel:mine\r\nIMPP:xmpp:ada@example.org\r\nEND:VCARD\r\n"
    )
    ada = Contact(1, "u1", "Ada", None, None, None, None, None, None, "", "", vcard=raw)
    ours = contact_card(ada)
    assert card_meaning(ours) == card_meaning(library_card(ada, "3"))
    assert ours.endswith(
        "PHOTO;ENCODING=b;TYPE=JPEG:QUJD\r\nitem1.X-CUSTOM:one\r\nitem1.X-ABLabel:mine\r\n"
        "IMPP:xmpp:ada@example.org\r\nEND:VCARD\r\n"
    )


@pytest.mark.parametrize("prefix", range(0, 8))
def test_emoji_at_every_fold_point_stays_whole(prefix: int) -> None:
    note = "x" * prefix + "😀é" * 40 + "\\;,"
    line = fold("NOTE:" + note)
    assert_folded(line)
    assert line.replace("\r\n ", "").removesuffix("\r\n") == "NOTE:" + note


def test_an_escape_is_never_cut_by_a_fold() -> None:
    for width in range(60, 80):
        line = fold("NOTE:" + "a" * width + "\\," * 30)
        assert all(not part.endswith("\\") or part.endswith("\\\\") for part in line.split("\r\n"))


def test_a_double_quote_in_a_label_is_written_as_a_single_quote() -> None:
    """vobject refused such a card (a vCard 3 parameter has no escape for `"`); labels
    come from imported cards as they were."""
    ada = Contact(1, "u1", "Ada", None, None, None, None, None, None, "", "")
    ada.emails = [Email("ada@example.org", 'my "work"')]
    ada.phones = [Phone("+1 555", "a:b\nc")]
    (card,) = vobject.readComponents(contact_card(ada))
    assert card.email.params["TYPE"] == ["INTERNET", "my 'work'"]
    assert card.tel.params["TYPE"] == ["a:b c"]  # a line break a space; quoted for ":"


def test_cards_are_written_as_the_contacts_come() -> None:
    """The writer holds one card at a time: the first is in the stream before the second
    contact is read."""
    stream = io.StringIO()
    seen: list[str] = []

    def people() -> Iterator[Contact]:
        for n in range(3):
            seen.append(stream.getvalue())
            yield Contact(n, f"u{n}", f"P {n}", None, None, None, None, None, None, "", "")

    assert write_cards(stream, people()) == 3
    assert seen[0] == "" and seen[1].count("BEGIN:VCARD") == 1 and seen[2].count("END:VCARD") == 2


def test_a_vcard_export_imports_back_into_a_fresh_file(cli, tmp_path) -> None:
    note = "Line one; two, three \\ four\n" + "long 😀 " * 30
    assert (
        cli(
            "contact",
            "add",
            "Ada King Lovelace",
            "-e",
            "work:ada@example.org",
            "-p",
            "mobile:+44 20 7946 0958",
            "-t",
            "vip",
            "--note",
            note,
            "--address",
            "home: 1 Main St; Arlington; VA; 22201; USA",
            "--birthday",
            "10 Dec",
        ).exit_code
        == 0
    )
    assert cli("contact", "add", "Grace", "--title", "Rear Admiral, USN").exit_code == 0
    target = tmp_path / "all.vcf"
    assert cli("export", "contacts", "--format", "vcard", "-o", str(target)).exit_code == 0
    before = json.loads(cli("contact", "list", "--json").stdout)
    fresh = tmp_path / "fresh.db"
    result = cli("--db", str(fresh), "import", "contacts", str(target))
    assert result.exit_code == 0, result.stderr
    after = json.loads(cli("--db", str(fresh), "contact", "list", "--json").stdout)
    keys = ("uid", "name", "emails", "phones", "tags", "title", "birthday", "addresses", "note")
    assert [{k: c.get(k) for k in keys} for c in after] == [
        {k: c.get(k) for k in keys} for c in before
    ]
    assert after[0]["note"] == before[0]["note"] and "\\ four\nlong 😀" in after[0]["note"]


# -- ICS -------------------------------------------------------------------------------------


@SETTINGS
@given(st.lists(tasks(), max_size=4), st.sampled_from(["Europe/Berlin", "UTC", "America/New_York"]))
def test_events_mean_what_icalendar_writes(monkeypatch_tz, agenda: list[Task], zone: str) -> None:
    # icalendar turns a literal `\N` into a line break; ours keeps it (see below)
    assume(not any("\\N" in ics._summary(t) + ics.task_description(t) for t in agenda))
    monkeypatch_tz(zone)
    ours = ours_calendar(agenda, NOW)
    assert calendar_meaning(ours) == calendar_meaning(library_calendar(agenda, NOW))
    assert_folded(ours)


@pytest.fixture
def monkeypatch_tz():
    """Set $TZ for one generated example (hypothesis reuses the test's fixtures)."""
    mp = pytest.MonkeyPatch()
    yield lambda zone: mp.setenv("TZ", zone)
    mp.undo()


@pytest.fixture
def berlin(cli):
    def run(*args: str) -> str:
        result = cli(*args, env={"TZ": "Europe/Berlin"})
        assert result.exit_code == 0, result.stderr
        return result.stdout

    run("contact", "add", "Ada Lovelace")
    return run


def test_a_literal_backslash_n_stays_text(berlin) -> None:
    berlin("follow-up", "ada", r"Open C:\New folder", "--due", "2026-11-27")
    (event,) = Calendar.from_ical(berlin("export", "agenda")).walk("VEVENT")
    assert str(event["summary"]) == r"Open C:\New folder (Ada Lovelace)"


def test_vtimezone_only_when_a_follow_up_has_a_time(berlin) -> None:
    berlin("follow-up", "ada", "All day", "--due", "2026-11-27")
    out = berlin("export", "agenda", "--format", "ics")
    assert "BEGIN:VTIMEZONE" not in out and out.count("BEGIN:VEVENT") == 1
    berlin("follow-up", "ada", "Call", "--due", "2026-11-24 09:00", "--every", "weekly")
    out = berlin("export", "agenda", "--format", "ics")
    assert out.count("BEGIN:VTIMEZONE") == 1 and "TZID:Europe/Berlin" in out
    assert out.index("END:VTIMEZONE") < out.index("BEGIN:VEVENT")
    assert "DTSTART;TZID=Europe/Berlin:20261124T090000" in out


def test_events_are_written_as_the_follow_ups_come() -> None:
    stream = io.StringIO()
    seen: list[str] = []

    def agenda() -> Iterator[Task]:
        for n in range(3):
            seen.append(stream.getvalue())
            yield Task(
                n, f"u{n}", f"T {n}", None, None, None, "2026-11-27", None, None, None, None,
                "open", "upcoming", None, "2026-11-01T00:00:00Z", "2026-11-01T00:00:00Z",
            )  # fmt: skip

    assert ics.write_agenda(stream, agenda(), NOW, timed=False) == 3
    assert seen[1].count("END:VEVENT") == 1 and seen[2].count("END:VEVENT") == 2
    assert stream.getvalue().endswith("END:VEVENT\r\nEND:VCALENDAR\r\n")


def test_an_agenda_file_is_written_whole_or_not_at_all(berlin, tmp_path) -> None:
    berlin("follow-up", "ada", "Send the quote", "--due", "2026-11-27")
    target = tmp_path / "pcrm.ics"
    berlin("export", "agenda", "-o", str(target))
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith("pcrm")] == ["pcrm.ics"]
    assert target.read_bytes().startswith(b"BEGIN:VCALENDAR\r\n")
    assert target.read_bytes().endswith(b"END:VCALENDAR\r\n")
    event = Calendar.from_ical(target.read_bytes()).walk("VEVENT")[0]
    assert str(event["summary"]) == "Send the quote (Ada Lovelace)"


def test_rrule_reads_back_with_the_rule(berlin) -> None:
    berlin("follow-up", "ada", "Reviews", "--due", "2026-11-30", "--every", "FREQ=MONTHLY;COUNT=3")
    (event,) = Calendar.from_ical(berlin("export", "agenda")).walk("VEVENT")
    rule = event["rrule"].to_ical().decode()
    assert rule == "FREQ=MONTHLY;UNTIL=20270130"
    days = list(rrulestr(rule, dtstart=datetime(2026, 11, 30)))
    assert [d.date() for d in days] == [date(2026, 11, 30), date(2026, 12, 30), date(2027, 1, 30)]
