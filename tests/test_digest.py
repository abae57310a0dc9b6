"""`pcrm digest` on a known small history built through the commands at known times: every
figure in JSON and in the plain text, --cron, Markdown, a terminal at 80 columns, and bad
input. tests/test_digest_agrees.py checks the figures against `pcrm report`."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from conftest import dump, one_line_error, runner_for

# Monday 7 December 2026, 10:00 UTC (TZ=UTC): the last full week is Monday 30 November to
# Sunday 6 December, ISO week 49.
NOW = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)


def at(stamp: str) -> datetime:
    return datetime.fromisoformat(f"2026-{stamp}").replace(tzinfo=UTC)


def build(path: Path) -> None:
    """Before the week (20 November): Ada (every 7 days), Bob, Cy (born 9 Dec 1986); deals
    Seats EUR 1,000 (Qualified, Ada), Licence USD 500 (Demo, Bob), Audit EUR 2,000
    (Proposal, Cy, closes 10 Dec), Old EUR 400 (lost 25 Nov); a call with Ada; follow-ups
    Send quote (Ada, due 1 Dec), Call back (Bob, due 2 Dec), Renewal (Cy, due 3 Dec), Next
    week (Ada, due 8 Dec); a meeting with Bob planned for 9 Dec 14:00.

    In the week: Dee (1 Dec) and Eve (2 Dec) added, Dee staged lead then prospect; Bob
    call (Tue), Bob email (Wed), Dee meeting with Bob (Thu), Dee note (Sat); Seats moved to
    Demo (Wed), Licence won (Thu), Extra EUR 300 added (Fri) and lost (Sat), Support USD
    250 added for Eve (Fri, closes 11 Dec), Old reopened (Fri); Send quote done on its day,
    Renewal done a day late, Call back still open.
    """
    run = runner_for(path)
    before = at("11-20T09:00:00")
    run("contact", "add", "Ada Lovelace", "--every", "7d", now=before)
    run("contact", "add", "Bob Byte", now=before)
    run("contact", "add", "Cy Young", "--birthday", "1986-12-09", now=before)
    run(
        "deal",
        "add",
        "Seats",
        "--value",
        "1000",
        "--currency",
        "EUR",
        "--contact",
        "Ada",
        "--stage",
        "Qualified",
        now=before,
    )
    run(
        "deal",
        "add",
        "Licence",
        "--value",
        "500",
        "--currency",
        "USD",
        "--contact",
        "Bob",
        "--stage",
        "Demo",
        now=before,
    )
    run(
        "deal",
        "add",
        "Audit",
        "--value",
        "2000",
        "--currency",
        "EUR",
        "--contact",
        "Cy",
        "--stage",
        "Proposal",
        "--close",
        "2026-12-10",
        now=before,
    )
    run("deal", "add", "Old", "--value", "400", "--currency", "EUR", now=before)
    run("deal", "lost", "Old", "--reason", "budget", now=at("11-25T09:00:00"))
    run("log", "Ada", "First call", "--kind", "call", "--at", "2026-11-20 10:00", now=before)
    run("follow-up", "Ada", "Send quote", "--due", "2026-12-01", now=before)
    run("follow-up", "Bob", "Call back", "--due", "2026-12-02", now=before)
    run("follow-up", "Cy", "Renewal", "--due", "2026-12-03", now=before)
    run("follow-up", "Ada", "Next week", "--due", "2026-12-08", now=before)
    run("log", "Bob", "Review", "--kind", "meeting", "--at", "2026-12-09 14:00", now=before)

    later = at("12-06T20:00:00")  # the week's interactions are logged after they happened
    run("contact", "add", "Dee Diaz", now=at("12-01T09:00:00"))
    run("contact", "stage", "Dee", "lead", now=at("12-01T09:30:00"))
    run("contact", "add", "Eve Evans", now=at("12-02T09:00:00"))
    run("log", "Bob", "Call", "--kind", "call", "--at", "2026-12-01 10:00", now=later)
    run("log", "Bob", "Mail", "--kind", "email", "--at", "2026-12-02 11:00", now=later)
    run("deal", "move", "Seats", "Demo", now=at("12-02T12:00:00"))
    run("contact", "stage", "Dee", "prospect", now=at("12-03T09:00:00"))
    run(
        "log",
        "Dee",
        "Meeting",
        "--kind",
        "meeting",
        "--with",
        "Bob",
        "--at",
        "2026-12-03 15:00",
        now=later,
    )
    run("deal", "won", "Licence", now=at("12-03T16:00:00"))
    run("deal", "add", "Extra", "--value", "300", "--currency", "EUR", now=at("12-04T09:00:00"))
    run(
        "deal",
        "add",
        "Support",
        "--value",
        "250",
        "--currency",
        "USD",
        "--contact",
        "Eve",
        "--close",
        "2026-12-11",
        now=at("12-04T10:00:00"),
    )
    run("deal", "reopen", "Old", now=at("12-04T11:00:00"))
    run("deal", "lost", "Extra", "--reason", "price", now=at("12-05T09:00:00"))
    run("log", "Dee", "Note", "--kind", "note", "--at", "2026-12-05 12:00", now=later)
    run("follow-up", "done", "1", now=at("12-01T15:00:00"))
    run("follow-up", "done", "3", now=at("12-04T08:00:00"))


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("digest") / "digest.db"
    build(path)
    return path


@pytest.fixture
def history(built: Path, db_path: Path) -> Path:
    db_path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(built, db_path)
    return db_path


def digest(cli: Any, *args: str, **options: Any) -> str:
    result = cli("digest", *args, **{"now": NOW, **options})
    assert result.exit_code == 0, (result.stdout, result.stderr, result.exception)
    return str(result.stdout)


PLAIN = """\
pcrm digest: Week 49, 30 Nov – 6 Dec 2026

Interactions
  4 interactions with 2 contacts
  call     1
  email    1
  meeting  1
  note     1

Most in touch
  Bob Byte  3 interactions  last Thu 3 Dec
  Dee Diaz  2 interactions  last Sat 5 Dec

Least in touch (3)
  Cy Young      never contacted  on 1 open deal
  Eve Evans     never contacted  on 1 open deal
  Ada Lovelace  last 2026-11-20  on 1 open deal, every 7 days

Contacts
  2 new contacts: Dee Diaz, Eve Evans
  3 lifecycle moves; 2 entered the lifecycle
  (new) → customer  1
  (new) → lead      1
  lead → prospect   1

Deals
  Created  2  €300.00
              $250.00
  Moved    1           stage moves of 1 deal
  Won      1  $500.00
  Lost     1  €300.00

Pipeline
  Open on Mon 30 Nov       3  €3,000.00  €1,300.00
                                $500.00    $200.00
  In: created or reopened  3    €700.00
                                $250.00
  Out: won or lost         2    €300.00
                                $500.00
  Open now                 4  €3,400.00  €1,640.00
                                $250.00     $25.00

Follow-ups
  2 done, 2 overdue (due in the period, not done by their day)
  1 follow-up overdue now (pcrm follow-up list --overdue)

Who is slipping (1)
  Ada Lovelace  10 days overdue  every 7 days, last 2026-11-20

The coming week, Mon 7 Dec – Sun 13 Dec
  Tue 8 Dec        follow-up  Next week  Ada Lovelace
  Wed 9 Dec 14:00  meeting    Review     Bob Byte
  Wed 9 Dec        birthday   Cy Young   turns 40
  Thu 10 Dec       closing    Audit      €2,000.00
  Fri 11 Dec       closing    Support      $250.00
"""


def money(items: list[dict[str, Any]], *keys: str) -> dict[str, tuple[int, ...]]:
    return {item["currency"]: tuple(item[key] for key in keys) for item in items}


def test_the_default_week_in_json(cli, history):
    data = json.loads(digest(cli, "--json"))
    assert data["now"] == "2026-12-07T10:00:00Z"
    assert data["period"] == {
        "span": "week",
        "start": "2026-11-30T00:00:00Z",
        "end": "2026-12-07T00:00:00Z",
        "first_day": "2026-11-30",
        "last_day": "2026-12-06",
        "label": "Week 49, 30 Nov – 6 Dec 2026",
    }
    it = data["interactions"]
    # The call on 20 November is before the week; the meeting planned for 9 December is
    # after it. Dee's meeting with Bob counts for both.
    assert it["total"] == 4 and it["contacts"] == 2
    assert it["kinds"] == {"call": 1, "email": 1, "meeting": 1, "demo": 0, "message": 0, "note": 1}
    assert it["per_day"] == [0, 1, 1, 1, 0, 1, 0]  # Monday to Sunday
    assert [(m["contact"]["name"], m["interactions"]) for m in it["most"]] == [
        ("Bob Byte", 3),
        ("Dee Diaz", 2),
    ]
    # On an open deal or with a cadence, and silent all week: never contacted first.
    assert [(s["contact"]["name"], s["last_contact"]) for s in it["least"]] == [
        ("Cy Young", None),
        ("Eve Evans", None),
        ("Ada Lovelace", "2026-11-20T10:00:00Z"),
    ]
    assert it["least_total"] == 3

    life = data["lifecycle"]
    assert life["new_contacts"]["count"] == 2
    assert [c["name"] for c in life["new_contacts"]["first"]] == ["Dee Diaz", "Eve Evans"]
    # Dee: lead, then prospect; Bob became a customer when Licence was won.
    assert life["moves"] == 3 and life["entered"] == 2
    assert [(m["from_stage"], m["to_stage"], m["count"]) for m in life["by_step"]] == [
        (None, "customer", 1),
        (None, "lead", 1),
        ("lead", "prospect", 1),
    ]

    deals = data["deals"]
    assert deals["created_count"] == 2
    assert money(deals["created"], "count", "value") == {"EUR": (1, 30000), "USD": (1, 25000)}
    assert deals["moves"] == {"moves": 1, "deals": 1}
    assert (deals["won"], deals["lost"]) == (1, 1)
    assert money(deals["currencies"], "won_value", "lost_value") == {
        "EUR": (0, 30000),
        "USD": (50000, 0),
    }
    pipe = deals["pipeline"]
    # In: Extra and Support created, Old reopened. Out: Licence won, Extra lost.
    assert money(pipe["value_in"], "count", "value") == {"EUR": (2, 70000), "USD": (1, 25000)}
    assert money(pipe["value_out"], "count", "value") == {"EUR": (1, 30000), "USD": (1, 50000)}
    # Then: Seats in Qualified (10%), Audit in Proposal (60%), Licence in Demo (40%).
    assert money(pipe["then"], "count", "value", "weighted") == {
        "EUR": (2, 300000, 10000 + 120000),
        "USD": (1, 50000, 20000),
    }
    # Now: Seats in Demo, Audit, Old back in Qualified; Support in Qualified.
    assert money(pipe["now"], "count", "value", "weighted") == {
        "EUR": (3, 340000, 40000 + 120000 + 4000),
        "USD": (1, 25000, 2500),
    }

    # Send quote done on its day; Renewal done a day late (done and overdue); Call back
    # still open (overdue, and overdue now).
    assert data["follow_ups"] == {"done": 2, "overdue": 2, "overdue_now": 1}
    assert data["slipping"]["total"] == 1
    assert data["slipping"]["contacts"][0]["contact"]["name"] == "Ada Lovelace"
    assert data["slipping"]["contacts"][0]["due_date"] == "2026-11-27"

    ahead = data["ahead"]
    assert (ahead["first_day"], ahead["last_day"]) == ("2026-12-07", "2026-12-13")
    assert [p["text"] for p in ahead["planned"]] == ["Review"]
    assert [t["title"] for t in ahead["follow_ups"]] == ["Next week"]
    assert [(o["contact"]["name"], o["on"], o["years"]) for o in ahead["occasions"]] == [
        ("Cy Young", "2026-12-09", 40)
    ]
    assert [(d["deal"]["name"], d["expected_close"], d["value"]) for d in ahead["closing"]] == [
        ("Audit", "2026-12-10", 200000),
        ("Support", "2026-12-11", 25000),
    ]


def test_the_default_week_as_plain_text(cli, history):
    assert digest(cli) == PLAIN
    # --week is the default; --cron prints the same text when there is something to say.
    assert digest(cli, "--week") == PLAIN
    assert digest(cli, "--cron") == PLAIN
    assert digest(cli, "--format", "text") == PLAIN


def test_mail_text_fits_80_columns_and_cuts_nothing(cli, history):
    # A long follow-up title: the row's last cell goes to the next line, whole.
    title = "Prepare the renewal paperwork for the whole analytics department"
    run = cli("follow-up", "Cy", title, "--due", "2026-12-09", "--deal", "Audit", now=NOW)
    assert run.exit_code == 0, run.stderr
    text = digest(cli, "--cron")
    lines = text.splitlines()
    row = next(i for i, line in enumerate(lines) if title in line)
    # Only the line holding the long title is longer; the other rows keep their layout.
    assert [line for line in lines if len(line) > 80] == [lines[row]]
    assert "  Tue 8 Dec        follow-up  Next week  Ada Lovelace" in lines, text
    assert lines[row].startswith("  Wed 9 Dec ")
    assert lines[row + 1].strip() == "Cy Young · Audit"
    assert lines[row + 1].index("Cy Young") == lines[row].index(title)


def test_month(cli, history):
    data = json.loads(digest(cli, "--month", "--json"))
    assert data["period"]["label"] == "November 2026"
    assert (data["period"]["start"], data["period"]["end"]) == (
        "2026-11-01T00:00:00Z",
        "2026-12-01T00:00:00Z",
    )
    # In November: the call with Ada; Old lost; the contacts and deals added on the 20th.
    assert data["interactions"]["total"] == 1
    assert data["interactions"]["per_day"][19] == 1 and sum(data["interactions"]["per_day"]) == 1
    assert data["lifecycle"]["new_contacts"]["count"] == 3
    assert data["deals"]["created_count"] == 4
    assert (data["deals"]["won"], data["deals"]["lost"]) == (0, 0)  # Old is open again
    assert data["deals"]["pipeline"]["then"] == []  # nothing was open on 1 November
    assert digest(cli, "--month").startswith("pcrm digest: November 2026\n")


def test_since_until_names_the_period_and_stops_now(cli, history):
    data = json.loads(digest(cli, "--since", "2026-12-01", "--until", "2026-12-31", "--json"))
    # A digest looks back: the period ends now, so the meeting planned for 9 December is
    # in the coming week, not among the period's interactions.
    assert data["period"]["span"] == "custom"
    assert data["period"]["end"] == "2026-12-07T10:00:00Z"
    assert data["period"]["label"] == "since 2026-12-01"  # to now
    assert data["interactions"]["total"] == 4  # not the meeting on 9 December
    assert digest(cli, "--since", "2026-12-01").startswith("pcrm digest: since 2026-12-01\n")
    past = json.loads(digest(cli, "--since", "2026-12-01", "--until", "2026-12-02", "--json"))
    assert past["period"]["label"] == "2026-12-01 to 2026-12-02"
    assert past["interactions"]["per_day"] == [1, 1]


def test_markdown(cli, history):
    text = digest(cli, "--format", "markdown")
    assert text.startswith("# pcrm digest: Week 49, 30 Nov – 6 Dec 2026\n\n## Interactions\n")
    assert "| Kind | Count |\n|---|---:|\n| call | 1 |\n" in text
    assert "| Open now | 4 | €3,400.00 | €1,640.00 |\n|  |  | $250.00 | $25.00 |\n" in text
    assert "## Who is slipping (1)\n" in text
    assert "| Wed 9 Dec | birthday | Cy Young | turns 40 |\n" in text


def test_markdown_and_plain_show_hostile_names_as_data(cli, history):
    name = "[b]Mal|ory[/b] *x* <i>\x1b[31m"
    assert cli("contact", "add", name, now=at("12-02T10:00:00")).exit_code == 0
    markdown = digest(cli, "--format", "markdown")
    assert "\\[b\\]Mal\\|ory\\[/b\\] \\*x\\* \\<i\\>\\\\x1b\\[31m" in markdown
    plain = digest(cli)
    assert "[b]Mal|ory[/b] *x* <i>\\x1b[31m" in plain and "\x1b" not in plain
    shown = digest(cli, terminal=True, width=120)
    assert "[b]Mal|ory[/b]" in shown and "\x1b[31m" not in shown


def test_terminal_at_80_columns(cli, history):
    shown = digest(cli, terminal=True, width=80)
    lines = shown.splitlines()
    assert lines[0] == "pcrm digest: Week 49, 30 Nov – 6 Dec 2026"
    assert all(len(line) <= 80 for line in lines)
    # Bars for the kinds, a sparkline of the days (no interaction on Mon, Fri and Sun).
    assert any(line.startswith("meeting  1  ████") for line in lines)
    spark = next(line for line in lines if line.startswith("Per day, Mon 30 Nov – Sun 6 Dec"))
    assert spark.rstrip().endswith(" ███ █")
    assert any("Open now" in line and "€3,400.00" in line and "€1,640.00" in line for line in lines)


def test_cron_is_silent_on_an_empty_week(cli, db_path):
    # Only things from long ago: nothing in the week, nothing in the coming one.
    old = at("01-05T09:00:00")
    for args in (
        ("contact", "add", "Ada", "--every", "7d"),
        ("log", "Ada", "Hi", "--at", "2026-01-05"),
    ):
        assert cli(*args, now=old).exit_code == 0
    result = cli("digest", "--cron", now=NOW)
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "")
    # Ada is slipping, which alone makes no mail; the plain digest still says so.
    assert "Who is slipping (1)" in digest(cli)
    assert "No interactions." in digest(cli)
    # Something coming is enough: a follow-up due tomorrow.
    assert cli("follow-up", "Ada", "Call", "--due", "2026-12-08", now=NOW).exit_code == 0
    assert "Next" not in digest(cli, "--cron") and "Call" in digest(cli, "--cron")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--week", "--since", "2026-11-01"), "--week cannot go with --since/--until"),
        (("--month", "--until", "2026-11-30"), "--month cannot go with --since/--until"),
        (("--week", "--month"), "--week and --month cannot go together"),
        (("--since", "blorp"), 'cannot understand date "blorp"'),
        (("--since", "2026-12-06", "--until", "2026-12-01"), "--since must come before --until"),
        (("--since", "2026-12-20"), "the digest looks back"),
        (("--since", "2026-12-20", "--until", "2026-12-31"), "the digest looks back"),
        (("--until", "2026-12-01"), "--until needs --since"),
        (("--cron", "--json"), "--cron and --json cannot go together"),
        (("--json", "--format", "markdown"), "--json cannot go with --format markdown"),
    ],
)
def test_bad_input_is_one_line_and_changes_nothing(cli, history, args, message):
    before = dump(history)
    error = one_line_error(cli("digest", *args, now=NOW))
    assert message in error
    assert dump(history) == before


def test_a_bad_format_is_a_usage_error(cli, history):
    result = cli("digest", "--format", "html", now=NOW)
    assert result.exit_code == 2 and "html" in result.stderr


def test_mail_markdown_and_json_do_not_load_rich(history):
    # A whole process, as cron runs it: plain text comes without Rich's import cost.
    from test_cli_main import imported_modules, run_pcrm

    env = {"PCRM_NOW": "2026-12-07T10:00:00Z"}
    assert run_pcrm("digest", "--cron", env=env).stdout == PLAIN
    for args in (("digest", "--cron"), ("digest", "--format", "markdown"), ("digest", "--json")):
        modules = imported_modules(*args)
        assert "pcrm.core.reports.digest" in modules, args
        assert {m for m in modules if m.split(".")[0] == "rich"} == set(), args


@pytest.mark.parametrize(
    ("now", "args", "label", "start", "end"),
    [
        # A Sunday evening: the current week is not over, so the one before it.
        ("2026-12-06T22:00", (), "Week 48, 23–29 Nov 2026", "2026-11-23", "2026-11-30"),
        ("2027-01-05T10:00", (), "Week 53, 28 Dec 2026 – 3 Jan 2027", "2026-12-28", "2027-01-04"),
        ("2027-01-05T10:00", ("--month",), "December 2026", "2026-12-01", "2027-01-01"),
        ("2026-03-01T00:00", ("--month",), "February 2026", "2026-02-01", "2026-03-01"),
    ],
)
def test_the_last_full_week_or_month(cli, db_path, now, args, label, start, end):
    moment = datetime.fromisoformat(now).replace(tzinfo=UTC)
    assert cli("contact", "add", "Ada", now=moment).exit_code == 0
    data = json.loads(digest(cli, *args, "--json", now=moment))
    assert data["period"]["label"] == label
    assert (data["period"]["start"], data["period"]["end"]) == (
        f"{start}T00:00:00Z",
        f"{end}T00:00:00Z",
    )


def test_weeks_are_local(cli, db_path):
    # In Berlin the week starts at local midnight, 23:00 UTC the day before.
    berlin = {"TZ": "Europe/Berlin"}
    assert cli("contact", "add", "Ada", now=NOW, env=berlin).exit_code == 0
    data = json.loads(digest(cli, "--json", env=berlin))
    assert (data["period"]["start"], data["period"]["end"]) == (
        "2026-11-29T23:00:00Z",
        "2026-12-06T23:00:00Z",
    )


def test_the_capture_in_the_docs_is_current(cli, tmp_path):
    # docs/reports.md shows the demo's digest at 80 columns, as test_report_docs does for
    # the reports (run this and paste what it prints to update).
    import re

    doc = Path(__file__).resolve().parent.parent / "docs" / "reports.md"
    capture = re.compile(r"<!-- capture: pcrm (digest[^>]*?) -->\n```text\n(.*?)```", re.S)
    found = capture.findall(doc.read_text(encoding="utf-8"))
    assert found
    path = tmp_path / "demo.db"
    assert cli("demo", str(path), "--quiet").exit_code == 0
    for command, text in found:
        shown = cli("--db", str(path), *command.split(), terminal=True, width=80)
        assert shown.exit_code == 0, shown.stderr
        expected = "".join(line.rstrip() + "\n" for line in shown.stdout.splitlines())
        assert text == expected, f"docs/reports.md: `pcrm {command}` is now:\n{expected}"
