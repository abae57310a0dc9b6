"""The board's data (core/deals/board.py) and its drawing (render/board.py), on deals written
with exact times: totals per currency, weighting, rotting, the month's closings, filters,
and a layout that loses no deal at any width."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import timedelta

import pytest
from rich.console import Console
from sqlite_utils import Database

from conftest import NOW
from deal_rows import add_deal, add_pipeline, open_file, pipeline, plan
from pcrm.core.deals.board import BoardFilters, CurrencyTotal, load_board, weighted
from pcrm.render.board import board_view
from pcrm.render.board_text import board_lines
from pcrm.render.console import THEME

STAGES = ("Qualified", "Contact made", "Demo", "Proposal", "Negotiation")


@pytest.fixture
def db(db_path) -> Iterator[Database]:
    database = open_file(db_path)
    yield database
    database.close()


def board(db: Database, name: str | None = None, cards: int | None = 10, **filters):
    return load_board(db, pipeline(db, name), NOW, BoardFilters(**filters), cards=cards)


def render(value, width: int, *, styles: bool = False) -> str:
    console = Console(
        file=io.StringIO(), width=width, record=True, theme=THEME, markup=False, emoji=False
    )
    console.print(board_view(value, NOW))
    # Rich pads every line to the width; compare what a reader sees.
    return "\n".join(line.rstrip() for line in console.export_text(styles=styles).splitlines())


def column(value, stage: str):
    return next(c for c in value.columns if c.stage.name == stage)


def titles(col) -> list[str]:
    return [card.title for card in col.cards]


# -- totals -------------------------------------------------------------------------------


def test_totals_are_per_currency_and_weighted_totals_exact(db):
    add_deal(db, "Two seats", value=1004)  # Qualified: 10 %
    add_deal(db, "Three seats", value=1004)
    add_deal(db, "US pilot", value=1005, currency="USD")
    add_deal(db, "Tokyo", value=5, currency="JPY")
    add_deal(db, "Big one", stage="Proposal", value=99_999)  # 60 %
    add_deal(db, "Closed", stage="Proposal", value=50_000, status="won")
    add_pipeline(db, "Other", [("Lead", 50, None)])
    add_deal(db, "Elsewhere", stage="Lead", value=70_000, pipeline_name="Other")

    value = board(db)

    # EUR 20.08 × 10 % = 2.008 → 2.01: rounded once on the column's sum (per deal it
    # would be 1.00 + 1.00); USD 10.05 × 10 % = 1.005 → 1.01 and JPY 5 × 10 % → 1: half up.
    assert column(value, "Qualified").totals == [
        CurrencyTotal("EUR", 2, 2, 2008, 201),
        CurrencyTotal("JPY", 0, 1, 5, 1),
        CurrencyTotal("USD", 2, 1, 1005, 101),
    ]
    assert column(value, "Proposal").totals == [CurrencyTotal("EUR", 2, 1, 99_999, 59_999)]
    assert value.totals == [
        CurrencyTotal("EUR", 2, 3, 102_007, 60_200),
        CurrencyTotal("JPY", 0, 1, 5, 1),
        CurrencyTotal("USD", 2, 1, 1005, 101),
    ]
    assert value.count == 5
    text = render(value, 200)
    assert "Total €1,020.07, ¥5, $10.05 · weighted forecast €602.00, ¥1, $1.01" in text


@pytest.mark.parametrize(
    ("value", "probability", "expected"),
    [(0, 60, 0), (4, 10, 0), (5, 10, 1), (15, 10, 2), (12_345, 100, 12_345), (99, 0, 0)],
)
def test_weighted_rounds_half_up_to_a_minor_unit(value, probability, expected):
    assert weighted(value, probability) == expected


# -- cards ----------------------------------------------------------------------------------


def test_a_card_has_company_value_days_in_stage_and_the_next_planned_step(db):
    deal = add_deal(
        db, "Rollout", company="Acme", value=250_000, entered=NOW - timedelta(days=5, hours=3)
    )
    other = add_deal(db, "Quiet", value=100)
    plan(db, deal, NOW - timedelta(days=1), "Intro call")  # past: not a next step
    plan(db, deal, NOW + timedelta(days=3), "Send the proposal", kind="email")
    plan(db, deal, NOW + timedelta(days=1), "Call back about seats")
    plan(db, other, NOW + timedelta(hours=2), "Someone else's call")

    card = column(board(db), "Qualified").cards[0]

    assert (card.title, card.company, card.value, card.currency) == (
        "Rollout",
        "Acme",
        250_000,
        "EUR",
    )
    assert card.days_in_stage == 5
    assert card.next_step is not None
    assert (card.next_step.kind, card.next_step.text) == ("call", "Call back about seats")
    assert column(board(db), "Qualified").cards[1].next_step.text == "Someone else's call"
    text = render(board(db), 200)
    assert "next: call tomorrow" in text
    assert "€2,500.00 · 5d in stage" in text


def test_stale_means_idle_longer_than_the_stages_rotting_limit(db):
    add_deal(db, "Exactly 14 days", stage="Demo", idle=timedelta(days=14))  # Demo rots after 14
    add_deal(db, "A second more", stage="Demo", idle=timedelta(days=14, seconds=1))
    add_deal(db, "A month", stage="Demo", idle=timedelta(days=30))
    add_deal(db, "Fresh", stage="Qualified", idle=timedelta(days=29))  # Qualified: 30
    add_pipeline(db, "Slow", [("Waiting", 50, None)])
    add_deal(db, "Forever", stage="Waiting", idle=timedelta(days=400), pipeline_name="Slow")

    demo = column(board(db), "Demo")
    assert {card.title: card.stale for card in demo.cards} == {
        "Exactly 14 days": False,
        "A second more": True,
        "A month": True,
    }
    assert {card.title: card.idle_days for card in demo.cards}["A month"] == 30
    assert demo.stale_count == 2 and board(db).stale_count == 2
    assert [card.stale for card in column(board(db), "Qualified").cards] == [False]
    assert [card.stale for card in board(db, "Slow").columns[0].cards] == [False]


def test_stale_deals_say_so_in_words_and_in_colour(db):
    add_deal(db, "Gone quiet", stage="Demo", idle=timedelta(days=20))
    add_deal(db, "Busy", stage="Demo", idle=timedelta(days=2))
    for width in (80, 200):
        text = render(board(db), width)
        assert text.count("STALE: idle 20d") == 1
        assert "Sales  2 deals open, 1 stale" in text
    coloured = render(board(db), 80, styles=True)
    assert "\x1b[31mSTALE: idle 20d\x1b[0m" in coloured  # red: the theme's "bad"


def test_columns_show_the_largest_deals_first_and_the_rest_as_more(db):
    for n in range(12):
        add_deal(db, f"Deal {n:02}", value=n * 100)

    capped = column(board(db, cards=10), "Qualified")
    assert titles(capped) == [f"Deal {n:02}" for n in range(11, 1, -1)]
    assert (capped.count, capped.more) == (12, 2)
    assert len(column(board(db, cards=None), "Qualified").cards) == 12
    for width in (80, 200):
        assert "+2 more" in render(board(db, cards=10), width)
    assert "+2 more: pcrm deal list --stage Qualified" in list(board_lines(board(db, cards=10)))


# -- closing this month --------------------------------------------------------------------


def test_the_footer_counts_deals_expected_to_close_this_month(db):
    add_deal(db, "First of the month", value=1000, close="2026-11-01")
    add_deal(db, "Last of the month", stage="Proposal", value=2000, close="2026-11-30")
    add_deal(db, "Last month", value=4000, close="2026-10-31")
    add_deal(db, "Next month", value=8000, close="2026-12-01")
    add_deal(db, "Someday", value=16_000)
    add_deal(db, "Already won", value=32_000, close="2026-11-15", status="won")

    closing = board(db).closing

    assert (closing.month, closing.count) == ("2026-11", 2)
    # Weighted like the columns: 10.00 × 10 % + 20.00 × 60 %.
    assert closing.totals == [CurrencyTotal("EUR", 2, 2, 3000, 100 + 1200)]
    assert [card.title for card in closing.deals] == ["First of the month", "Last of the month"]
    text = render(board(db), 100)
    assert "Closing in November 2026: 2 deals, €30.00" in text
    assert "  2026-11-01  First of the month  €10.00" in text.splitlines()
    assert "  2026-11-30  Last of the month   €20.00" in text.splitlines()  # values aligned
    assert "Closing in November 2026: 2 deals, €30.00" in list(board_lines(board(db)))


def test_the_footer_names_the_five_soonest_and_counts_the_rest(db):
    for day in range(1, 8):
        add_deal(db, f"Closes on the {day}", stage=STAGES[day % 5], close=f"2026-11-{day:02}")
    closing = board(db).closing
    assert closing.count == 7
    assert [card.title for card in closing.deals] == [f"Closes on the {d}" for d in range(1, 6)]
    assert "Closing in November 2026: 7 deals, €0.00" in render(board(db), 80)
    assert "              +2 more" in render(board(db), 80).splitlines()


def test_nothing_closing_this_month_says_none(db):
    add_deal(db, "Someday", value=100)
    assert "Closing in November 2026: none" in render(board(db), 80)


# -- filters -------------------------------------------------------------------------------


def test_filters_by_tag_closing_day_and_staleness(db):
    add_deal(db, "Tagged", tags=["Renewal"], close="2026-11-25")
    add_deal(db, "Tagged late", stage="Demo", tags=["renewal"], close="2027-01-10")
    add_deal(db, "Untagged soon", stage="Demo", close="2026-11-24", idle=timedelta(days=15))
    add_deal(db, "No date", stage="Demo", idle=timedelta(days=40))

    def shown(**filters) -> list[str]:
        return sorted(card.title for c in board(db, **filters).columns for card in c.cards)

    assert shown(tag="RENEWAL") == ["Tagged", "Tagged late"]
    assert shown(closing="2026-11-25") == ["Tagged", "Untagged soon"]
    assert shown(closing="2026-11-24") == ["Untagged soon"]
    assert shown(stale=True) == ["No date", "Untagged soon"]
    assert shown(stale=True, closing="2026-12-31") == ["Untagged soon"]
    assert shown(tag="nobody") == []
    filtered = board(db, tag="renewal")
    assert (filtered.count, filtered.unfiltered_count) == (2, 4)
    assert column(filtered, "Demo").totals[0].count == 1
    assert filtered.closing.count == 1  # the footer counts only what passes the filters


def test_stale_filter_skips_stages_that_never_rot(db):
    add_pipeline(db, "Slow", [("Waiting", 50, None), ("Chasing", 70, 7)])
    add_deal(db, "Forever", stage="Waiting", idle=timedelta(days=400), pipeline_name="Slow")
    add_deal(db, "Chased", stage="Chasing", idle=timedelta(days=8), pipeline_name="Slow")
    value = board(db, "Slow", stale=True)
    assert [(c.stage.name, titles(c)) for c in value.columns] == [
        ("Waiting", []),
        ("Chasing", ["Chased"]),
    ]


def test_a_board_with_nothing_to_show_says_why(db):
    assert "no open deals in Sales (add one: pcrm deal add TITLE --pipeline Sales)" in render(
        board(db), 80
    )
    add_deal(db, "Fresh", idle=timedelta(days=1))
    text = render(board(db, stale=True, tag="vip"), 80)
    assert "no open deal in Sales matches --tag vip --stale" in text
    assert list(board_lines(board(db, stale=True))) == [
        "Sales: 0 deals open (only --stale)",
        "no open deal in Sales matches --stale",
    ]


# -- layout --------------------------------------------------------------------------------


def _fill_every_stage(db: Database) -> list[str]:
    made = []
    for index, stage in enumerate(STAGES):
        for n in range(3):
            title = f"{stage[:4]} deal {n}"
            add_deal(
                db,
                title,
                stage=stage,
                value=(index + 1) * 10_000 + n,
                company=("Acme", None, "Initech")[n],
                idle=timedelta(days=5 + 10 * n),
            )
            made.append(title)
    return made


@pytest.mark.parametrize("width", [80, 200])
def test_the_board_lays_out_without_losing_a_deal(db, width):
    made = _fill_every_stage(db)
    text = render(board(db), width)
    lines = text.splitlines()
    assert [title for title in made if title not in text] == []
    assert max(len(line) for line in lines) <= width
    heads = [line for line in lines if all(stage in line for stage in STAGES)]
    if width == 200:  # one column per stage: the five names side by side
        assert len(heads) == 1
    else:  # stacked: each stage heads its own list
        assert heads == []
        assert [line.split("  ")[0] for line in lines if line.split("  ")[0] in STAGES] == list(
            STAGES
        )


def test_stages_that_do_not_fit_at_18_columns_each_are_stacked(db):
    add_pipeline(db, "Long", [(f"Step {n}", 10 * n, None) for n in range(1, 9)])
    for n in range(1, 9):
        add_deal(db, f"Deal at step {n}", stage=f"Step {n}", pipeline_name="Long")
    wide = board(db, "Long")
    assert board_view(wide, NOW).wide_enough(8 * 18 + 7)  # 7 separators
    assert not board_view(wide, NOW).wide_enough(8 * 18 + 6)
    text = render(wide, 120)
    assert [line for line in text.splitlines() if line.startswith("Step ")] == [
        f"Step {n}  1 deal · {10 * n}%" for n in range(1, 9)
    ]
    assert all(f"Deal at step {n}" in text for n in range(1, 9))


def test_untrusted_titles_are_shown_as_text(db):
    add_deal(db, "[red]Boom[/red] \x1b[2J", company="Evil\u202eCorp")
    for width in (80, 200):
        text = render(board(db), width)
        assert "[red]Boom[/red] \\x1b[2J" in text
        assert "Evil\\u202eCorp" in text
        assert "\x1b" not in text
    assert "\x1b" not in "\n".join(board_lines(board(db)))
    filtered = board(db, tag="\x1b[31mvip")
    assert "no open deal in Sales matches --tag \\x1b[31mvip" in render(filtered, 80)
    assert next(board_lines(filtered)) == "Sales: 0 deals open (only --tag \\x1b[31mvip)"
