"""The demo's lifecycle history: how its people and companies moved from lead to customer
(or dropped out), so that `pcrm report funnel` and `pcrm report sources` have a story.

Written by hand rather than drawn at random, so the funnel reads true: customers' people
went the whole way (some skipping stages), prospects stopped part way, some people were
disqualified with a reason, one moved back a stage, and the former customer churned.
Partners, investors and friends are not sales contacts and have no lifecycle stage.
Steps are (days before the demo's clock, stage[:reason]), oldest first; every step goes in
through core's set_stage, as a user would have typed it on that day.
"""

from __future__ import annotations

from datetime import time
from typing import TYPE_CHECKING

from pcrm.core.people.lifecycle import set_stage

if TYPE_CHECKING:
    from pcrm.core.demo.build import Demo

FULL = ("lead", "prospect", "mql", "sql", "opportunity", "customer")

PEOPLE: dict[str, tuple[tuple[int, str], ...]] = {
    # Analytical Engines, Nordlys, Brightwell, Lumen, Atlas: prospects, part way along.
    "ada": ((170, "lead"), (150, "prospect"), (120, "mql"), (95, "sql"), (60, "opportunity")),
    "tomas": ((168, "lead"), (140, "prospect"), (110, "mql")),
    "grace": ((160, "lead"), (130, "prospect")),
    "leo.hartmann": ((158, "lead"),),
    "asa.lindqvist": (
        (165, "lead"), (150, "prospect"), (128, "mql"), (100, "sql"), (70, "opportunity"),
    ),
    "bjorn": ((162, "lead"), (135, "prospect"), (90, "mql")),
    "ingrid.solberg": ((150, "lead"), (120, "disqualified:not the buyer")),
    "a.okafor": ((155, "lead"), (140, "prospect"), (115, "mql"), (85, "sql")),
    "s.oconnor": (
        (150, "lead"), (132, "prospect"), (100, "mql"),
        (90, "prospect:on hold until their DPO signs off"), (40, "mql"),
    ),
    "rahul.mehta": ((145, "lead"), (120, "disqualified:not the buyer")),
    "francois.lefevre": (
        (140, "lead"), (120, "prospect"), (95, "mql"), (70, "sql"),
        (50, "disqualified:chose a competitor"),
    ),
    "hannah.schmidt": ((130, "lead"), (110, "disqualified:not the buyer")),
    "priya.r": ((138, "lead"), (118, "prospect"), (96, "mql"), (80, "sql"), (55, "opportunity")),
    "p.vandijk": ((120, "lead"), (100, "prospect"), (75, "mql"), (45, "sql")),
    "sinead.byrne": ((110, "lead"), (90, "prospect"), (60, "disqualified:no budget")),
    "carlos.rivera": ((100, "lead"),),
    # Café Olé, Kestrel, Tessellate, Verde: customers.
    "jose": tuple(zip((172, 165, 150, 140, 125, 110), FULL, strict=True)),
    "ines.carvalho": ((171, "lead"), (150, "prospect"), (125, "customer")),
    "rui.mendes": ((160, "lead"), (140, "disqualified:no budget")),
    "mehmet": (
        *zip((172, 160, 150, 140, 128), FULL[:5], strict=True),
        (83, "customer:deal won: Route planner licence"),
    ),
    "oliver.grant": (
        (171, "lead"), (155, "mql"), (135, "sql"), (128, "opportunity"),
        (83, "customer:deal won: Route planner licence"),
    ),
    "claire.dubois": (
        (170, "lead"), (152, "prospect"), (130, "mql"), (112, "sql"), (30, "opportunity"),
    ),
    "fatima.benali": ((150, "lead"), (100, "prospect")),
    "j.weiss": tuple(zip((172, 160, 150, 138, 126, 112), FULL, strict=True)),
    "lukasz.wrobel": ((165, "lead"), (145, "prospect"), (126, "mql"), (112, "customer")),
    "meilin.chen": ((160, "lead"), (140, "prospect"), (115, "mql")),
    "elif.demir": ((150, "lead"),),
    "mai.nguyen": tuple(zip((168, 150, 135, 120, 105, 90), FULL, strict=True)),
    "emma.johansson": ((150, "lead"), (125, "prospect"), (105, "mql"), (90, "customer")),
    # Sakura: a customer that left.
    "k.watanabe": (
        *zip((172, 165, 155, 145, 138, 125), FULL, strict=True),
        (40, "churned:moved to an in-house tool"),
    ),
    "yuki.tanaka": (
        (170, "lead"), (150, "prospect"), (140, "customer"),
        (40, "churned:moved to an in-house tool"),
    ),
    # People on their own.
    "aleks.nowak": ((120, "lead"), (100, "disqualified:a recruiter, not a buyer")),
    "tariq": ((80, "lead"), (60, "prospect"), (30, "disqualified:no budget")),
}  # fmt: skip

COMPANIES: dict[str, tuple[tuple[int, str], ...]] = {
    "analytical": ((170, "lead"), (60, "opportunity")),
    "nordlys": ((165, "lead"), (70, "opportunity")),
    "brightwell": ((155, "lead"), (85, "sql")),
    "lumen": ((140, "lead"), (55, "opportunity")),
    "atlas": ((120, "lead"), (45, "sql")),
    "cafeole": ((172, "lead"), (110, "customer")),
    "kestrel": ((172, "lead"), (83, "customer:deal won: Route planner licence")),
    "tessellate": ((172, "lead"), (112, "customer")),
    "verde": ((168, "lead"), (90, "customer")),
    "sakura": ((172, "lead"), (125, "customer"), (40, "churned:moved to an in-house tool")),
}


def seed_lifecycle(demo: Demo) -> None:
    rng = demo.rng("lifecycle")
    for kind, paths, ids in (
        ("contact", PEOPLE, demo.contacts),
        ("company", COMPANIES, demo.companies),
    ):
        for key, steps in paths.items():
            for days_ago, step in steps:
                stage, _, reason = step.partition(":")
                moment = demo.day(days_ago, time(rng.randint(9, 17), rng.randint(0, 59)))
                set_stage(demo.db, moment, kind, ids[key], stage, reason=reason or None)
