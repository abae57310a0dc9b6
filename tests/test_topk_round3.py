"""Top-k read views, round 3 (issue 18): the faster paths give what a straightforward
computation over the file gives, on a seeded data set with ties, archived and removed
contacts, cancelled and planned interactions, and empty periods.

- `pcrm score`: a page is proven from the rules that read only what they match, the
  others asked about the candidates only (core/people/scoring.py, _bounded_top).
- `pcrm report wins`: each closed deal's closing time computed once; a period with a start
  asks only about the deals with a closing row or a closed_at in it.
- `pcrm report activity`: contacts touched, from the links' own time.
- `pcrm digest`: least in touch ordered and counted in SQL, the forecast at the period's
  start reading each deal's last history row once.
- `pcrm agenda` after missed days: the contacts due in the missed days, before them and
  today come from one lookup of every contact's last touch.
"""

from __future__ import annotations

import json
import random
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from conftest import NOW, Result, ok, runner_for
from pcrm.core.people.text import name_key
from pcrm.dates import to_iso

SEED = 18
RULES = (
    "+10 tag:vip",
    "+5 per interaction in the last 30 days max 25",
    "-20 no interaction for 90 days",
    '+15 title contains "founder"',
    "+3 per call in the last 60 days",
    "-4 no email for 45 days",
    "-5 tag:silent",
)
TITLES = ("Co-Founder", "FOUNDER & CEO", "Fóunder", "CEO", "Engineer", None, None, None)
KINDS = ("call", "email", "note", "meeting")
FIRST = ("Ada", "Bo", "Cy", "Di", "Ed", "Flo", "Gus", "Hal", "Ivy", "Jo")
LAST = ("Lane", "Moss", "Nash", "Ortiz", "Park")


def _at(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _last_id(path: Path, table: str) -> int:
    conn = sqlite3.connect(path)
    try:
        return int(conn.execute(f"SELECT max(id) FROM {table}").fetchone()[0])
    finally:
        conn.close()


@pytest.fixture(scope="module")
def people(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """48 contacts added over 400 days (two pairs share a name), tags vip and silent,
    titles founder-like or not; 0-6 interactions each over the last 130 days (some shared
    with a second contact), some planned after now, some cancelled; two archived, two
    removed with their interactions."""
    path = tmp_path_factory.mktemp("round3") / "people.db"
    run = runner_for(path)
    rng = random.Random(SEED)
    names = [f"{rng.choice(FIRST)} {rng.choice(LAST)} {n}" for n in range(44)]
    names += [names[0], names[1], names[2], names[3]]  # ties on the name: by id
    for n, name in enumerate(names):
        args = ["contact", "add", name]
        if rng.random() < 0.45:
            args += ["-t", "vip"]
        if rng.random() < 0.15:
            args += ["-t", "silent"]
        title = rng.choice(TITLES)
        if title:
            args += ["--title", title]
        run(*args, now=NOW - timedelta(days=rng.randint(0, 400), seconds=n))
    count = len(names)
    for contact in range(1, count + 1):
        for _ in range(rng.choice((0, 0, 1, 2, 3, 4, 6))):
            at = NOW - timedelta(days=rng.randint(0, 130), seconds=rng.randint(0, 86_399))
            args = ["log", str(contact), "talked", "--kind", rng.choice(KINDS), "--at", _at(at)]
            if rng.random() < 0.2:
                args += ["--with", str(rng.randint(1, count))]
            run(*args, now=NOW)
    for contact in rng.sample(range(1, count + 1), 8):  # planned after now: not yet a touch
        run("log", str(contact), "soon", "--kind", "call", "--at", _at(NOW + timedelta(days=2)))
    for contact in rng.sample(range(1, count + 1), 8):  # planned, then cancelled: never one
        then = NOW - timedelta(days=rng.randint(10, 100))
        at = _at(then + timedelta(days=3))
        run("log", str(contact), "planned", "--kind", "email", "--at", at, now=then)
        run("interaction", "cancel", str(_last_id(path, "interactions")), now=then)
    run("contact", "archive", "5", now=NOW)
    run("contact", "archive", "6", now=NOW)
    run("contact", "rm", "7", "8", "--yes", now=NOW)
    for rule in RULES:
        run("score", "rule", "add", rule)
    return path


@pytest.fixture
def db(people: Path, db_path: Path) -> Path:
    db_path.parent.mkdir(parents=True, exist_ok=True)
    db_path.write_bytes(people.read_bytes())
    return db_path


# -- the reference: every contact, every rule, in Python -------------------------------


def reference_ranking(path: Path, now: datetime) -> list[tuple[int, str, int]]:
    """RULES applied as docs/scoring.md words them, to every contact, sorted by score
    (highest first), then name, then id."""
    conn = sqlite3.connect(path)
    try:
        contacts = conn.execute("SELECT id, name, name_key, title, created_at FROM contacts")
        contacts = contacts.fetchall()
        tags = conn.execute(
            "SELECT ct.contact_id, t.name FROM contact_tags ct JOIN tags t ON t.id = ct.tag_id"
        ).fetchall()
        links = conn.execute(
            "SELECT ic.contact_id, i.kind, i.at FROM interaction_contacts ic"
            " JOIN interactions i ON i.id = ic.interaction_id WHERE i.cancelled_at IS NULL"
        ).fetchall()
    finally:
        conn.close()
    until = to_iso(now)

    def ago(days: int) -> str:
        return to_iso(now - timedelta(days=days))

    def touches(cid: int, kind: str | None, after: str) -> int:
        return sum(
            1
            for c, k, at in links
            if c == cid and (kind is None or k == kind) and after < at <= until
        )

    def silent(cid: int, created: str, kind: str | None, days: int) -> bool:
        since = ago(days)
        known = created <= since or any(c == cid and at <= since for c, _, at in links)
        return known and touches(cid, kind, since) == 0

    ranked = []
    for cid, name, key, title, created in contacts:
        mine = {tag for c, tag in tags if c == cid}
        score = 10 * ("vip" in mine) - 5 * ("silent" in mine)
        score += min(5 * touches(cid, None, ago(30)), 25)
        score += 3 * touches(cid, "call", ago(60))
        score -= 20 * silent(cid, created, None, 90)
        score -= 4 * silent(cid, created, "email", 45)
        score += 15 * ("founder" in name_key(title or ""))
        ranked.append((-score, key, cid, name))
    ranked.sort()
    return [(cid, name, -score) for score, _, cid, name in ranked]


def ranking(cli: Callable[..., Result], limit: int, now: datetime) -> list[tuple[int, str, int]]:
    out = ok(cli("score", "--limit", str(limit), "--json", now=now))
    return [(row["id"], row["name"], row["score"]) for row in json.loads(out)]


NOWS = (NOW, NOW - timedelta(days=40), NOW + timedelta(days=70))


@pytest.mark.parametrize("now", NOWS, ids=["now", "40 days ago", "in 70 days"])
def test_score_pages_are_the_reference_ranking_cut(
    cli: Callable[..., Result], db: Path, now: datetime
) -> None:
    expected = reference_ranking(db, now)
    assert len(expected) == 46  # two removed; the archived are still scored
    assert len({score for _, _, score in expected}) < len(expected)  # ties, by name
    assert ranking(cli, 0, now) == expected
    for limit in (1, 2, 3, 4, 5, 7, 10, 13, 20, 30, 46, 60):
        assert ranking(cli, limit, now) == expected[:limit], limit


def test_a_tie_across_the_page_edge_goes_by_name_then_id(
    cli: Callable[..., Result], db: Path
) -> None:
    expected = reference_ranking(db, NOW)
    for limit in range(1, len(expected)):
        if expected[limit - 1][2] == expected[limit][2]:  # the next one ties with the last
            assert ranking(cli, limit, NOW) == expected[:limit]


def test_the_page_is_proven_without_scoring_everyone(db: Path) -> None:
    """The bounded path itself decides the small pages here (vip and recent activity lift
    enough contacts above what the title rule alone could give)."""
    from pcrm.core.people.scoring import _bounded_top, _compiled
    from pcrm.store.db import open_db

    store = open_db(db, create=False)
    try:
        expected = reference_ranking(db, NOW)
        for limit in (1, 3, 5):
            page = _bounded_top(store, _compiled(store, NOW), limit)
            assert page is not None
            assert [(c.id, c.name, c.score) for c in page] == expected[:limit]
    finally:
        store.conn.close()


def test_a_logged_call_moves_the_page_at_once(cli: Callable[..., Result], db: Path) -> None:
    before = reference_ranking(db, NOW)
    last = before[-1][0]
    for n in range(6):
        ok(
            cli(
                "log",
                str(last),
                f"call {n}",
                "--kind",
                "call",
                "--at",
                _at(NOW - timedelta(hours=n + 1)),
            )
        )
    after = reference_ranking(db, NOW)
    assert after != before
    assert ranking(cli, 5, NOW) == after[:5]
    ok(cli("undo"))
    assert ranking(cli, 5, NOW) == reference_ranking(db, NOW)[:5]


def test_no_rule_that_seeks_falls_back_to_scoring_everyone(
    cli: Callable[..., Result], db: Path
) -> None:
    conn = sqlite3.connect(db)
    with conn:
        conn.execute("DELETE FROM score_rules WHERE rule NOT LIKE '%founder%'")
    conn.close()
    page = ranking(cli, 4, NOW)
    assert [score for _, _, score in page] == [15, 15, 15, 15]
    assert page == ranking(cli, 0, NOW)[:4]


def test_a_tie_with_a_contact_not_yet_asked_about_is_settled_by_name(
    cli: Callable[..., Result], tmp_path: Path
) -> None:
    """600 vip contacts (more than one batch of candidates), all alike to the seekable
    rule; the founders among them score 25, the rest 10. The founders first by name have
    the highest ids: a page of founders from the first batch ties with what the later
    candidates could reach, so they are asked too, and the page goes by name."""
    lines = ["Name,Title,Tags"]
    for n in range(600):
        founder = n % 50 == 0 or n >= 597
        name = f"{'Aa' if n >= 597 else 'Zz'} Person {n:03}"
        lines.append(f"{name},{'Founder' if founder else 'Clerk'},vip")
    csv = tmp_path / "people.csv"
    csv.write_text("\n".join(lines) + "\n", encoding="utf-8")
    ok(cli("import", "contacts", str(csv), "--map", "Title=title", "--map", "Tags=tags"))
    ok(cli("score", "rule", "add", "+10 tag:vip"))
    ok(cli("score", "rule", "add", '+15 title contains "founder"'))
    page = ranking(cli, 5, NOW)
    assert [(name, score) for _, name, score in page] == [
        ("Aa Person 597", 25),
        ("Aa Person 598", 25),
        ("Aa Person 599", 25),
        ("Zz Person 000", 25),
        ("Zz Person 050", 25),
    ]
    assert page == ranking(cli, 0, NOW)[:5]


# -- report wins -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def deals(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """40 deals created over 300 days in EUR and USD; most closed (won or lost) some days
    later; some reopened and closed again, some reopened and left open; two edited by hand
    into won and lost without any history row into that status (closed_at only)."""
    path = tmp_path_factory.mktemp("round3") / "deals.db"
    run = runner_for(path)
    rng = random.Random(SEED)
    start = NOW - timedelta(days=300)
    for n in range(1, 41):
        created = start + timedelta(days=rng.randint(0, 250), seconds=n)
        currency = rng.choice(("EUR", "USD"))
        value = str(rng.randint(1, 90) * 100)
        run("deal", "add", f"Deal {n}", "--value", value, "--currency", currency, now=created)
        moment = created
        for _ in range(rng.choice((0, 1, 1, 1, 2, 3))):
            moment += timedelta(days=rng.randint(1, 20), seconds=rng.randint(0, 86_399))
            if moment >= NOW:
                break
            if rng.random() < 0.5:
                run("deal", "won", str(n), now=moment)
            else:
                run(
                    "deal",
                    "lost",
                    str(n),
                    "--reason",
                    rng.choice(("price", "Price", "timing")),
                    now=moment,
                )
            if rng.random() < 0.6:
                break  # stays closed
            moment += timedelta(days=rng.randint(1, 5))
            if moment >= NOW:
                break
            run("deal", "reopen", str(n), now=moment)
    conn = sqlite3.connect(path)
    with conn:
        for deal, status, closed in (
            (39, "won", "2026-11-17T08:00:00Z"),
            (40, "lost", "2026-06-02T09:00:00Z"),
        ):
            conn.execute(
                "UPDATE deals SET status = ?, closed_at = ?, lost_reason = 'hand' WHERE id = ?",
                (status, closed, deal),
            )
            conn.execute(
                "DELETE FROM deal_history WHERE deal_id = ? AND to_status = ?", (deal, status)
            )
    conn.close()
    return path


def reference_wins(path: Path, start: str | None, end: str | None) -> list[tuple[str, int, int]]:
    """(month, won, lost) of the deals whose last closing into their current status (else
    their closed_at) is in [start, end), by UTC month (the tests run in UTC), then all."""
    conn = sqlite3.connect(path)
    try:
        closed = conn.execute(
            "SELECT d.id, d.status, d.closed_at, (SELECT max(h.at) FROM deal_history h"
            " WHERE h.deal_id = d.id AND h.to_status = d.status)"
            " FROM deals d WHERE d.status IN ('won', 'lost')"
        ).fetchall()
    finally:
        conn.close()
    months: dict[str, list[int]] = {}
    for _, status, closed_at, last in closed:
        at = last or closed_at
        if at is None or (start and at < start) or (end and at >= end):
            continue
        counts = months.setdefault(at[:7], [0, 0])
        counts[status == "lost"] += 1
    rows = [(month, won, lost) for month, (won, lost) in sorted(months.items())]
    return [*rows, ("all", sum(r[1] for r in rows), sum(r[2] for r in rows))]


PERIODS = (
    (None, None),
    ("2026-11-16", "2026-11-22"),  # a week, the hand-edited win in it
    ("2026-03-01", None),
    (None, "2026-06-30"),
    ("2026-06-02", "2026-06-02"),
    ("2019-01-01", "2019-12-31"),  # nothing closed then
)


@pytest.mark.parametrize("since, until", PERIODS)
def test_report_wins_counts_the_reference_deals(
    cli: Callable[..., Result], deals: Path, db_path: Path, since: str | None, until: str | None
) -> None:
    db_path.parent.mkdir(parents=True, exist_ok=True)
    db_path.write_bytes(deals.read_bytes())
    args = ["report", "wins", "--json"]
    args += ["--since", since] if since else []
    args += ["--until", until] if until else []
    report = json.loads(ok(cli(*args)))
    start = f"{since}T00:00:00Z" if since else None
    end = (
        to_iso(datetime.fromisoformat(until).replace(tzinfo=UTC) + timedelta(days=1))
        if until
        else None
    )
    found = [(g["key"], g["won"], g["lost"]) for g in report["groups"]]
    found.append(("all", report["total"]["won"], report["total"]["lost"]))
    assert found == reference_wins(db_path, start, end)
    if since == "2019-01-01":
        assert found == [("all", 0, 0)]


# -- report activity -------------------------------------------------------------------


def reference_activity(path: Path, start: str, end: str) -> tuple[list[tuple[str, int, int]], int]:
    """(Monday, interactions, contacts touched) of every UTC week from start's, and the
    contacts touched in the whole period; cancelled interactions left out."""
    conn = sqlite3.connect(path)
    try:
        links = conn.execute(
            "SELECT i.id, i.at, ic.contact_id FROM interactions i"
            " LEFT JOIN interaction_contacts ic ON ic.interaction_id = i.id"
            " WHERE i.cancelled_at IS NULL AND i.at >= ? AND i.at < ?",
            (start, end),
        ).fetchall()
    finally:
        conn.close()
    weeks: dict[str, tuple[set[int], set[int]]] = {}
    day = datetime.fromisoformat(start[:10])
    day -= timedelta(days=day.weekday())
    while day.strftime("%Y-%m-%dT%H:%M:%SZ") < end:
        weeks[day.date().isoformat()] = (set(), set())
        day += timedelta(weeks=1)
    for interaction, at, contact in links:
        moment = datetime.fromisoformat(at[:10])
        monday = (moment - timedelta(days=moment.weekday())).date().isoformat()
        weeks[monday][0].add(interaction)
        if contact is not None:
            weeks[monday][1].add(contact)
    rows = [(monday, len(ids), len(people)) for monday, (ids, people) in weeks.items()]
    return rows, len({contact for _, _, contact in links if contact is not None})


@pytest.mark.parametrize(
    "since, until",
    [
        (None, None),
        ("2026-09-01", None),
        ("2024-01-01", "2026-11-23"),
        ("2020-03-01", "2020-04-30"),
    ],
    ids=["default", "since", "long", "empty"],
)
def test_report_activity_counts_the_reference_contacts(
    cli: Callable[..., Result], db: Path, since: str | None, until: str | None
) -> None:
    args = ["report", "activity", "--json"]
    args += ["--since", since] if since else []
    args += ["--until", until] if until else []
    report = json.loads(ok(cli(*args)))
    weeks, touched = reference_activity(db, report["period"]["start"], report["period"]["end"])
    assert [(w["week"], w["total"], w["contacts"]) for w in report["weeks"]] == weeks
    assert report["total"]["contacts"] == touched
    if since == "2020-03-01":
        assert touched == 0 and all(total == 0 for _, total, _ in weeks)


# -- the agenda after a weekend without a run ------------------------------------------


@pytest.fixture(scope="module")
def cadences(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """110 contacts with a cadence of 1 to 12 days, added over 60 days, most touched a few
    times (some by a cancelled or planned interaction only); two archived; the last
    delivered cron run on Friday 2026-11-20."""
    path = tmp_path_factory.mktemp("round3") / "cadences.db"
    run = runner_for(path)
    rng = random.Random(SEED)
    for n in range(1, 111):
        added = NOW - timedelta(days=rng.randint(1, 60), seconds=n)
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"  # many alike: by id
        run("contact", "add", name, "--every", f"{rng.randint(1, 12)}d", now=added)
        for _ in range(rng.choice((0, 1, 2, 3))):
            at = NOW - timedelta(days=rng.randint(0, 40), seconds=rng.randint(0, 86_399))
            run("log", str(n), "hello", "--at", _at(max(at, added)), now=NOW)
    for n in rng.sample(range(1, 111), 6):
        then = NOW - timedelta(days=rng.randint(5, 30))
        run("log", str(n), "planned", "--at", _at(then + timedelta(days=2)), now=then)
        run("interaction", "cancel", str(_last_id(path, "interactions")), now=then)
    for n in rng.sample(range(1, 111), 4):
        run("log", str(n), "soon", "--at", _at(NOW + timedelta(days=1)), now=NOW)
    run("contact", "archive", "3", now=NOW)
    run("contact", "archive", "4", now=NOW)
    conn = sqlite3.connect(path)
    with conn:
        conn.execute(
            "INSERT INTO agenda_runs (ran_at, day, zone, delivery, status)"
            " VALUES ('2026-11-20T07:00:00Z', '2026-11-20', 'UTC', 'print', 'delivered')"
        )
    conn.close()
    return path


def reference_due(path: Path, now: datetime) -> list[tuple[str, str, int]]:
    """(due day, name, id) of every contact with a cadence, not archived, soonest first
    (then name, then id): its last touch that has happened (UTC day) + the cadence, or the
    day it was added when never touched."""
    conn = sqlite3.connect(path)
    try:
        contacts = conn.execute(
            "SELECT id, name, cadence_days, created_at FROM contacts"
            " WHERE cadence_days IS NOT NULL AND archived_at IS NULL"
        ).fetchall()
        touches = conn.execute(
            "SELECT ic.contact_id, max(i.at) FROM interaction_contacts ic"
            " JOIN interactions i ON i.id = ic.interaction_id"
            " WHERE i.cancelled_at IS NULL AND i.at <= ? GROUP BY ic.contact_id",
            (to_iso(now),),
        ).fetchall()
    finally:
        conn.close()
    last = dict(touches)
    due = []
    for cid, name, cadence, created in contacts:
        if cid in last:
            day = datetime.fromisoformat(last[cid][:10]) + timedelta(days=cadence)
        else:
            day = datetime.fromisoformat(created[:10])
        due.append((day.date().isoformat(), name, cid))
    due.sort(key=lambda entry: (entry[0], entry[1].casefold(), entry[2]))
    return due


@pytest.mark.parametrize("show_all", [False, True], ids=["first 50", "all"])
def test_a_monday_after_a_missed_weekend_lists_the_reference_contacts(
    cli: Callable[..., Result], cadences: Path, db_path: Path, show_all: bool
) -> None:
    db_path.parent.mkdir(parents=True, exist_ok=True)
    db_path.write_bytes(cadences.read_bytes())
    agenda = json.loads(ok(cli("agenda", "--json", *(["--all"] if show_all else []))))
    due = reference_due(db_path, NOW)
    today, weekend = "2026-11-23", ("2026-11-21", "2026-11-22")
    missed = [e for e in due if weekend[0] <= e[0] <= weekend[1]]
    listed = [e for e in due if e[0] < weekend[0] or e[0] == today]
    assert len(missed) >= 3 and len(listed) > 50  # both sections are there, one is cut
    touch_missed = [m["item"] for m in agenda["missed"] if m["kind"] == "stay-in-touch"]
    found = [(t["due_date"], t["contact"]["name"], t["contact"]["id"]) for t in touch_missed]
    assert found == missed
    found = [
        (t["due_date"], t["contact"]["name"], t["contact"]["id"]) for t in agenda["stay_in_touch"]
    ]
    assert found == (listed if show_all else listed[:50])
    assert agenda["more"].get("stay-in-touch", 0) == (0 if show_all else len(listed) - 50)


# -- digest: least in touch and the forecast then --------------------------------------


@pytest.fixture(scope="module")
def digest_db(cadences: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The cadences set, plus 30 deals over 60 days with one or two of its contacts each,
    moved between stages, some won or lost (and some of those reopened)."""
    path = tmp_path_factory.mktemp("round3") / "digest.db"
    path.write_bytes(cadences.read_bytes())
    run = runner_for(path)
    rng = random.Random(SEED + 1)
    for n in range(1, 31):
        moment = NOW - timedelta(days=rng.randint(8, 60), seconds=n)
        people = [f"--contact={c}" for c in rng.sample(range(1, 111), rng.choice((1, 2)))]
        value = str(rng.randint(1, 50) * 100)
        currency = rng.choice(("EUR", "USD"))
        run(
            "deal",
            "add",
            f"Deal {n}",
            "--value",
            value,
            "--currency",
            currency,
            *people,
            now=moment,
        )
        for _ in range(rng.choice((0, 1, 2, 3))):
            moment += timedelta(days=rng.randint(0, 6), hours=rng.randint(1, 20))
            if moment >= NOW:
                break
            step = rng.random()
            if step < 0.6:
                run("deal", "move", str(n), str(rng.randint(1, 4)), now=moment)
                continue
            run(
                "deal",
                "won" if step < 0.8 else "lost",
                str(n),
                *([] if step < 0.8 else ["--reason", "price"]),
                now=moment,
            )
            moment += timedelta(days=rng.randint(0, 4), hours=1)
            if moment >= NOW or rng.random() < 0.5:
                break
            run("deal", "reopen", str(n), now=moment)
    return path


def reference_least(path: Path, start: str, end: str) -> tuple[list[tuple[int, str | None]], int]:
    conn = sqlite3.connect(path)
    try:
        watched = conn.execute(
            "SELECT id, name FROM contacts WHERE cadence_days IS NOT NULL UNION"
            " SELECT c.id, c.name FROM contacts c JOIN deal_contacts dc ON dc.contact_id = c.id"
            " JOIN deals d ON d.id = dc.deal_id WHERE d.status = 'open'"
        ).fetchall()
        links = conn.execute(
            "SELECT ic.contact_id, i.at FROM interaction_contacts ic"
            " JOIN interactions i ON i.id = ic.interaction_id WHERE i.cancelled_at IS NULL"
        ).fetchall()
    finally:
        conn.close()
    silent = []
    for cid, name in watched:
        times = [at for c, at in links if c == cid]
        if any(start <= at < end for at in times):
            continue
        last = max((at for at in times if at < end), default=None)
        silent.append((last is not None, last or "", name.casefold(), cid, last))
    silent.sort()
    return [(entry[3], entry[4]) for entry in silent[:5]], len(silent)


def reference_open_then(path: Path, moment: str) -> list[tuple[str, int, int]]:
    """(currency, count, value) of the deals open at `moment` by their history."""
    conn = sqlite3.connect(path)
    try:
        deals = conn.execute("SELECT id, currency, value, status, created_at, closed_at FROM deals")
        deals = deals.fetchall()
        history = conn.execute("SELECT deal_id, at, id, to_status FROM deal_history").fetchall()
    finally:
        conn.close()
    sums: dict[str, list[int]] = {}
    for did, currency, value, status, created, closed in deals:
        rows = sorted((at, hid, to) for d, at, hid, to in history if d == did)
        before = [row for row in rows if row[0] < moment]
        if before:
            is_open = before[-1][2] == "open"
        elif rows:
            is_open = False
        else:
            is_open = created < moment and (status == "open" or (closed or "") >= moment)
        if is_open:
            entry = sums.setdefault(currency, [0, 0])
            entry[0] += 1
            entry[1] += value
    return [(code, count, value) for code, (count, value) in sorted(sums.items())]


@pytest.mark.parametrize(
    "since, until",
    [
        (None, None),
        ("2026-10-01", "2026-10-31"),
        ("2026-11-01", "2026-11-08"),
        ("2020-01-01", "2020-01-31"),
    ],
    ids=["last week", "october", "a week", "before anything"],
)
def test_digest_least_in_touch_and_forecast_then_are_the_reference(
    cli: Callable[..., Result], digest_db: Path, db_path: Path, since: str | None, until: str | None
) -> None:
    db_path.parent.mkdir(parents=True, exist_ok=True)
    db_path.write_bytes(digest_db.read_bytes())
    args = ["digest", "--json"] + (["--since", since, "--until", until] if since and until else [])
    digest = json.loads(ok(cli(*args)))
    start, end = digest["period"]["start"], digest["period"]["end"]
    least, total = reference_least(db_path, start, end)
    shown = digest["interactions"]["least"]
    assert [(s["contact"]["id"], s["last_contact"]) for s in shown] == least
    assert digest["interactions"]["least_total"] == total > 5
    then = [(t["currency"], t["count"], t["value"]) for t in digest["deals"]["pipeline"]["then"]]
    assert then == reference_open_then(db_path, start)
    most = [
        (m["contact"]["id"], m["interactions"], m["last"]) for m in digest["interactions"]["most"]
    ]
    assert most == reference_most(db_path, start, end)
    value_in = [
        (m["currency"], m["count"], m["value"]) for m in digest["deals"]["pipeline"]["value_in"]
    ]
    assert value_in == reference_value_in(db_path, start, end)


def reference_most(path: Path, start: str, end: str) -> list[tuple[int, int, str]]:
    """The five contacts with the most interactions in [start, end), then the latest, then id."""
    conn = sqlite3.connect(path)
    try:
        links = conn.execute(
            "SELECT ic.contact_id, i.at FROM interaction_contacts ic"
            " JOIN interactions i ON i.id = ic.interaction_id"
            " WHERE i.cancelled_at IS NULL AND i.at >= ? AND i.at < ?",
            (start, end),
        ).fetchall()
    finally:
        conn.close()
    counts: dict[int, int] = {}
    latest: dict[int, str] = {}
    for cid, at in links:
        counts[cid] = counts.get(cid, 0) + 1
        latest[cid] = max(latest.get(cid, ""), at)
    ranked = sorted(counts)  # by id, then (stable) the latest first, then the most first
    ranked.sort(key=lambda cid: latest[cid], reverse=True)
    ranked.sort(key=lambda cid: counts[cid], reverse=True)
    return [(cid, counts[cid], latest[cid]) for cid in ranked[:5]]


def reference_value_in(path: Path, start: str, end: str) -> list[tuple[str, int, int]]:
    """Deals created in [start, end) or reopened from won or lost in it, per currency."""
    conn = sqlite3.connect(path)
    try:
        deals = conn.execute("SELECT id, currency, value, created_at FROM deals").fetchall()
        reopened = {
            row[0]
            for row in conn.execute(
                "SELECT deal_id FROM deal_history WHERE from_status IN ('won', 'lost')"
                " AND to_status = 'open' AND at >= ? AND at < ?",
                (start, end),
            )
        }
    finally:
        conn.close()
    sums: dict[str, list[int]] = {}
    for did, currency, value, created in deals:
        if start <= created < end or did in reopened:
            entry = sums.setdefault(currency, [0, 0])
            entry[0] += 1
            entry[1] += value
    return [(code, count, value) for code, (count, value) in sorted(sums.items())]


def test_field_rules_asked_about_candidates_keep_the_ranking(
    cli: Callable[..., Result], db: Path
) -> None:
    """Custom-field rules (with = and != on a missing value, ~ and a number) are asked
    about the candidates only, by their ids, like the title rule."""
    ok(cli("field", "add", "budget", "--type", "number"))
    ok(cli("field", "add", "plan", "--type", "text"))
    rng = random.Random(SEED + 2)
    for contact in rng.sample(range(9, 49), 20):
        ok(cli("contact", "edit", str(contact), "--set", f"budget={rng.randint(0, 9) * 1000}"))
    for contact in rng.sample(range(9, 49), 15):
        ok(cli("contact", "edit", str(contact), "--set", f"plan={rng.choice(('pro', 'free'))}"))
    for rule in (
        "+7 field:budget>4000",
        "-3 field:plan=",
        "+4 field:plan~pro",
        "+2 field:budget!=",
    ):
        ok(cli("score", "rule", "add", rule))
    every = ranking(cli, 0, NOW)
    assert len({score for _, _, score in every}) > 10
    for limit in (1, 2, 3, 5, 8, 13, 21, 46):
        assert ranking(cli, limit, NOW) == every[:limit], limit
