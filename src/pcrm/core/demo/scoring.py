"""The demo's lead-scoring rules, so `pcrm score` on the demo ranks its people and explains
a score rule by rule (docs/scoring.md)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pcrm.core.people.scoring import add_rule

if TYPE_CHECKING:
    from pcrm.core.demo.build import Demo

RULES = (
    "+10 tag:vip",
    "+10 tag:decision-maker",
    "+5 per interaction in the last 30 days max 25",
    "+5 source:referral",
    "+15 title contains founder",
    "+20 stage:opportunity",
    "-20 no interaction for 90 days",
)


def seed_scoring(demo: Demo) -> None:
    for rule in RULES:
        add_rule(demo.db, demo.now, rule)
