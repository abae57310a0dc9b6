"""Top-k read views (issue 18, "queries"): search ranks only the newest
RANKED_INTERACTIONS matching interactions when a limit is given, and `pcrm score` keeps
the same ranking when it sorts only the contacts that score above 0."""

from __future__ import annotations

import json
import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import Result, ok, runner_for
from pcrm.core.views.search import RANKED_INTERACTIONS

OLD_BEST = 5  # the oldest interactions: the best bm25 matches for "quote"
TEXT_BEST = "quote quote quote"
TEXT_PLAIN = "asked for a quote about the renewal of the seats for next year"


@pytest.fixture(scope="module")
def quotes(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Quinn Quote (a contact) and RANKED_INTERACTIONS + OLD_BEST interactions that say
    "quote": the OLD_BEST oldest say it three times in three words, the rest once in many."""
    path = tmp_path_factory.mktemp("topk") / "quotes.db"
    run = runner_for(path)
    run("contact", "add", "Quinn Quote")
    run("contact", "add", "Ann Other")
    conn = sqlite3.connect(path)
    with conn:
        conn.executemany(
            "INSERT INTO interactions(id, uid, kind, at, text, created_at)"
            " VALUES (?, ?, 'note', ?, ?, '2026-01-01T00:00:00Z')",
            [
                (
                    n,
                    f"uid-{n}",
                    f"2026-01-01T{n // 3600 % 24:02}:{n // 60 % 60:02}:{n % 60:02}Z",
                    TEXT_BEST if n <= OLD_BEST else TEXT_PLAIN,
                )
                for n in range(1, RANKED_INTERACTIONS + OLD_BEST + 1)
            ],
        )
    conn.close()
    return path


@pytest.fixture
def db(quotes: Path, db_path: Path) -> Path:
    db_path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(quotes, db_path)
    return db_path


def hits(cli: Callable[..., object], *args: str) -> list[tuple[str, int]]:
    out = ok(cli("search", *args, "--json"))  # type: ignore[arg-type]
    return [(hit["kind"], hit["id"]) for hit in json.loads(out)]


def test_among_many_matches_only_the_newest_interactions_are_ranked(
    cli: Callable[..., object], db: Path
) -> None:
    found = hits(cli, "quote")
    assert found[0] == ("contact", 1)  # a name still counts ten times, and is always ranked
    ids = [id_ for kind, id_ in found if kind == "interaction"]
    assert len(ids) == 19
    assert min(ids) > OLD_BEST  # the better but older matches were left out


def test_the_user_is_told_when_older_interactions_were_left_out(
    cli: Callable[..., Result], db: Path
) -> None:
    result = cli("search", "quote")
    ok(result)
    assert result.stderr.splitlines() == [
        "showing only the best 20 matches (--limit 0 shows all)",
        f"more than {RANKED_INTERACTIONS} interactions match: the newest"
        f" {RANKED_INTERACTIONS} were ranked (--limit 0 ranks all)",
    ]
    assert "were ranked" not in cli("search", "quote", "--limit", "0").stderr
    assert "were ranked" not in cli("search", "quote", "--kind", "contact").stderr


def test_the_rule_holds_for_one_kind_too(cli: Callable[..., object], db: Path) -> None:
    ids = [id_ for _, id_ in hits(cli, "quote", "--kind", "interaction", "--limit", "50")]
    assert len(ids) == 50 and min(ids) > OLD_BEST


def test_without_a_limit_every_match_is_ranked(cli: Callable[..., object], db: Path) -> None:
    found = hits(cli, "quote", "--limit", "0")
    assert len(found) == 1 + RANKED_INTERACTIONS + OLD_BEST
    best = [id_ for kind, id_ in found if kind == "interaction"][:OLD_BEST]
    assert sorted(best) == list(range(1, OLD_BEST + 1))


def test_up_to_the_bound_every_interaction_is_ranked(cli: Callable[..., object], db: Path) -> None:
    conn = sqlite3.connect(db)
    with conn:  # the newest OLD_BEST go: exactly RANKED_INTERACTIONS match now
        conn.execute("DELETE FROM interactions WHERE id > ?", [RANKED_INTERACTIONS])
    conn.close()
    found = hits(cli, "quote", "--kind", "interaction", "--limit", "5")
    assert sorted(id_ for _, id_ in found) == list(range(1, OLD_BEST + 1))
    assert "were ranked" not in cli("search", "quote").stderr


def test_a_phrase_follows_the_same_rule(cli: Callable[..., object], db: Path) -> None:
    ids = [id_ for kind, id_ in hits(cli, '"quote"') if kind == "interaction"]
    assert len(ids) == 19 and min(ids) > OLD_BEST
    # Only the old ones hold this phrase: fewer than the bound match, all are ranked.
    ids = [id_ for kind, id_ in hits(cli, '"quote quote"') if kind == "interaction"]
    assert sorted(ids) == list(range(1, OLD_BEST + 1))


# -- score --------------------------------------------------------------------------


@pytest.fixture
def scored(cli: Callable[..., object], db_path: Path) -> Path:
    """Seven contacts: three vip (two with the same score, told apart by name), one vip
    founder, two never contacted (below 0 after the silence rule), one plain (0)."""
    run = runner_for(db_path)
    run("contact", "add", "Zed Vip", "-t", "vip")
    run("contact", "add", "Amy Vip", "-t", "vip")
    run("contact", "add", "Bea Vip", "-t", "vip", "--title", "Founder")
    run("contact", "add", "Carl Plain")
    run("contact", "add", "Dora Silent", "-t", "silent")
    run("contact", "add", "Eli Silent", "-t", "silent")
    run("score", "rule", "add", "+10 tag:vip")
    run("score", "rule", "add", '+15 title contains "founder"')
    run("score", "rule", "add", "-5 tag:silent")
    return db_path


def ranking(cli: Callable[..., object], limit: str) -> list[tuple[str, int]]:
    out = ok(cli("score", "--limit", limit, "--json"))  # type: ignore[arg-type]
    return [(row["name"], row["score"]) for row in json.loads(out)]


def test_score_ranking_is_the_same_with_any_limit(cli: Callable[..., object], scored: Path) -> None:
    every = ranking(cli, "0")
    assert every == [
        ("Bea Vip", 25),
        ("Amy Vip", 10),
        ("Zed Vip", 10),
        ("Carl Plain", 0),
        ("Dora Silent", -5),
        ("Eli Silent", -5),
    ]
    for limit in range(1, 8):  # enough above 0 (top-k of the matched), and not enough
        assert ranking(cli, str(limit)) == every[:limit]
