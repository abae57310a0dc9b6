"""The demo's deals: two open deals in every stage of the default pipeline, one won and two
lost, for the demo's companies and people.

Each deal is made through core's own functions at the moments its story happened (added,
then moved stage by stage, won or lost), so its stage history, time in stage, last
activity and staleness are exactly what a user would have. The stories are timed so the
board shows a bit of everything: deals closing this month, two gone stale, next steps
planned (the demo's scripted meetings, linked to their deals).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING

from pcrm.core.deals.deals import DealForm, add_deal, lose_deal, move_deal, win_deal
from pcrm.dates import parse_day, to_iso

if TYPE_CHECKING:
    from pcrm.core.demo.build import Demo


@dataclass(frozen=True)
class SampleDeal:
    title: str
    company: str  # a SampleCompany key
    contacts: tuple[str, ...]  # "person key:role"; the first is who notes are logged with
    value: str  # as typed
    currency: str
    # (days before the demo's clock, a stage name, "won", or "lost:reason"), oldest first;
    # the first step adds the deal in that stage.
    steps: tuple[tuple[int, str], ...]
    close: str | None = None  # WHEN, from the demo's clock
    source: str | None = None
    tags: tuple[str, ...] = ()
    # A planned interaction of the demo (its text, from demo_data.SCRIPTED) that is this
    # deal's next step: linked to the deal, so the board shows it.
    next_step: str | None = None


DEALS = (
    SampleDeal(
        "20-seat annual licence", "analytical", ("ada:decision maker", "grace:procurement"),
        "24k", "EUR",
        ((62, "Qualified"), (48, "Contact made"), (27, "Demo"), (6, "Proposal")),
        close="eom", source="referral", tags=("enterprise",),
        next_step="Contract walkthrough with their legal team",
    ),
    SampleDeal(
        "Pilot: asset monitoring", "nordlys", ("asa.lindqvist:decision maker", "bjorn:champion"),
        "38,500", "EUR",
        ((40, "Qualified"), (26, "Contact made"), (9, "Demo")),
        close="+5w", source="event",
        next_step="Demo for the procurement team in Oslo",
    ),
    SampleDeal(
        "Clinic scheduling rollout", "brightwell",
        ("a.okafor:decision maker", "s.oconnor:champion", "rahul.mehta:data protection"),
        "62k", "EUR",
        ((95, "Qualified"), (80, "Contact made"), (61, "Demo"), (45, "Proposal"),
         (26, "Negotiation")),
        close="+2w", source="website form", tags=("regulated",),
    ),
    SampleDeal(
        "2027 renewal", "tessellate", ("j.weiss:decision maker", "lukasz.wrobel:user"),
        "18k", "EUR",
        ((21, "Proposal"), (4, "Negotiation")),
        close="eom", source="existing customer", tags=("renewal",),
        next_step="Site visit in Stuttgart to plan the renewal",
    ),
    SampleDeal(
        "Legal ops workspace", "lumen", ("priya.r:champion", "francois.lefevre:decision maker"),
        "15,600", "EUR",
        ((58, "Qualified"), (34, "Contact made")),
        close="+2m", source="linkedin",
    ),
    SampleDeal(
        "Tender: site reporting", "atlas", ("p.vandijk:decision maker", "sinead.byrne:bid manager"),
        "120k", "EUR",
        ((12, "Qualified"),),
        close="+3m", source="event", tags=("tender",),
    ),
    SampleDeal(
        "Two more roastery seats", "cafeole", ("jose:decision maker", "ines.carvalho:user"),
        "4,800", "EUR",
        ((16, "Qualified"), (10, "Contact made"), (3, "Demo")),
        close="+10d", source="existing customer",
    ),
    SampleDeal(
        "Payments API integration", "verde", ("mai.nguyen:champion", "lucas:decision maker"),
        "45k", "USD",
        ((70, "Qualified"), (52, "Contact made"), (33, "Demo"), (11, "Proposal")),
        close="+4w", source="partner",
    ),
    SampleDeal(
        "Co-marketing retainer", "mosaic", ("zoe:decision maker",),
        "6k", "GBP",
        ((8, "Qualified"),),
        source="partner",
    ),
    SampleDeal(
        "Driver app add-on", "kestrel", ("claire.dubois:champion", "mehmet:decision maker"),
        "9,500", "EUR",
        ((30, "Qualified"), (12, "Contact made")),
        close="+6w", source="existing customer",
    ),
    SampleDeal(
        "Route planner licence", "kestrel", ("mehmet:decision maker", "oliver.grant:champion"),
        "32k", "EUR",
        ((150, "Qualified"), (128, "Demo"), (104, "Proposal"), (90, "Negotiation"), (83, "won")),
        source="website form",
    ),
    SampleDeal(
        "Booking portal", "sakura", ("k.watanabe:decision maker",),
        "4,500,000", "JPY",
        ((170, "Qualified"), (140, "Demo"), (118, "lost:Chose to build it in-house")),
        source="event",
    ),
    SampleDeal(
        "Portfolio bundle", "halcyon", ("mary:decision maker",),
        "12k", "USD",
        ((100, "Qualified"), (86, "Contact made"), (64, "lost:Budget moved to next year")),
        source="referral",
    ),
)  # fmt: skip


def seed_deals(demo: Demo) -> None:
    rng = demo.rng("deals")
    for sample in DEALS:
        hour = rng.randint(9, 12)
        deal_id = 0
        previous: datetime | None = None
        for days_ago, step in sample.steps:
            moment = demo.day(days_ago, time(hour))
            if previous and moment <= previous:  # a weekend moved two steps to one Friday
                moment = previous + timedelta(hours=1)
            previous = moment
            if not deal_id:
                deal_id = add_deal(demo.db, moment, _form(demo, sample, step)).deal.id
            elif step == "won":
                win_deal(demo.db, moment, deal_id)
            elif step.startswith("lost:"):
                lose_deal(demo.db, moment, deal_id, step.removeprefix("lost:"))
            else:
                move_deal(demo.db, moment, deal_id, step)
        if sample.next_step:
            _link_planned(demo, deal_id, sample.next_step)
    demo.counts["deals"] = len(DEALS)


def _link_planned(demo: Demo, deal_id: int, text: str) -> None:
    """Make a planned interaction of the demo this deal's next step (it stays planned, so
    the deal's last activity does not change)."""
    linked = demo.db.execute(
        "UPDATE interactions SET deal_id = ? WHERE text = ? AND at > ? AND deal_id IS NULL",
        [deal_id, text, to_iso(demo.now)],
    ).rowcount
    assert linked == 1, f"no single planned interaction {text!r} in the demo data"


def _form(demo: Demo, sample: SampleDeal, stage: str) -> DealForm:
    contacts = []
    for entry in sample.contacts:
        person, _, role = entry.partition(":")
        contacts.append(f"{demo.contacts[person]}:{role}")
    # The close date is counted from the demo's clock, not from the day the deal was added.
    close = parse_day(sample.close, demo.now).isoformat() if sample.close else None
    return DealForm(
        title=sample.title,
        value=sample.value,
        currency=sample.currency,
        company=str(demo.companies[sample.company]),
        contacts=contacts,
        stage=stage,
        close=close,
        source=sample.source,
        tags=list(sample.tags),
    )
