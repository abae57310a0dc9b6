"""The board drawn as styled segments (render/board.py) prints what Rich's Tables and Panels
printed: the text at 80, 100, 140 and 200 columns (stacked, plain columns, panels), and
each character's style. The fixtures in tests/fixtures/board/ were captured from the Rich
drawing before it was replaced (Rich 15.0.0)."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from rich.console import Console
from sqlite_utils import Database

from conftest import NOW
from deal_rows import add_deal, open_file, pipeline, plan
from pcrm.core.deals.board import BoardFilters, load_board
from pcrm.render.board import board_view
from pcrm.render.console import THEME

FIXTURES = Path(__file__).parent / "fixtures" / "board"
WIDTHS = (80, 100, 140, 200)


@pytest.fixture
def db(db_path) -> Iterator[Database]:
    database = open_file(db_path)
    yield database
    database.close()


def fill(db: Database) -> None:
    """Every part of a card and column: company, next step, stale, "+N more", currencies,
    long and wide titles, untrusted text, deals closing this month."""
    rollout = add_deal(db, "Rollout", company="Acme", value=250_000, close="2026-11-27")
    plan(db, rollout, NOW + timedelta(days=1), "Call back about seats")
    add_deal(db, "A rather long deal title that has to wrap", value=1004, currency="USD")
    add_deal(db, "Tokyo 東京支社の契約更新", value=5, currency="JPY", company="日本")
    add_deal(db, "[red]Boom[/red] \x1b[2J", company="Evil\u202eCorp", value=3, close="2026-11-30")
    for n in range(4):
        add_deal(db, f"Demo {n}", stage="Demo", value=n * 1000, idle=timedelta(days=5 + 8 * n))
    quiet = add_deal(db, "Quiet", stage="Proposal", value=99_999, idle=timedelta(days=40))
    plan(db, quiet, NOW + timedelta(days=9), "Send the contract to legal", kind="email")
    for n in range(7):
        add_deal(db, f"Soon {n}", stage="Negotiation", value=500 + n, close=f"2026-11-2{n}")


class AsciiFile(io.StringIO):
    """A terminal that can show only ASCII: Rich draws its boxes with "+-|"."""

    encoding = "ascii"


def draw(db: Database, width: int, *, styles: bool, ascii: bool = False) -> dict[str, object]:
    """What a terminal of `width` shows: each line's text, trailing spaces included, and
    (styles) its runs of one style, merged, so that how they are grouped does not count."""
    value = load_board(db, pipeline(db), NOW, BoardFilters(), cards=3)
    console = Console(
        file=AsciiFile() if ascii else io.StringIO(),
        width=width,
        theme=THEME,
        markup=False,
        emoji=False,
        force_terminal=styles,
        color_system="standard" if styles else None,
    )
    lines = console.render_lines(board_view(value, NOW), pad=False, new_lines=False)
    texts, runs = [], []
    for line in lines:
        merged: list[list[str]] = []
        for segment in line:
            if not segment.text:
                continue
            style = str(segment.style or "") if styles else ""
            if merged and merged[-1][1] == style:
                merged[-1][0] += segment.text
            else:
                merged.append([segment.text, style])
        texts.append("".join(text for text, _ in merged))
        runs.append(merged)
    return {"text": texts, "runs": runs if styles else None}


@pytest.mark.parametrize("styles", [False, True], ids=["plain", "colour"])
@pytest.mark.parametrize("width", WIDTHS)
def test_the_board_prints_what_rich_printed(db, width, styles):
    fill(db)
    name = f"{width}-{'colour' if styles else 'plain'}.json"
    expected = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    got = draw(db, width, styles=styles)
    assert got["text"] == expected["text"]
    assert got["runs"] == expected["runs"]


@pytest.mark.parametrize("width", [100, 140])
def test_an_ascii_only_terminal_gets_rich_s_ascii_lines(db, width):
    """Rich's Table swapped the board's blank separators and "─" rule for its ASCII box
    ("|" between columns, "-+-" under the headers), the panels "+-+": kept as it was."""
    fill(db)
    expected = json.loads((FIXTURES / f"{width}-ascii.json").read_text(encoding="utf-8"))
    got = draw(db, width, styles=True, ascii=True)
    assert "|" in got["text"][1] and "+" in got["text"][8]  # type: ignore[index]
    assert got["text"] == expected["text"]
    assert got["runs"] == expected["runs"]


def test_untrusted_text_stays_data_in_the_columns(db):
    fill(db)
    add_deal(db, "[bold]x[/bold] \x1b[2J", stage="Contact made", company="Evil\u202eCorp")
    for width in (100, 140):
        lines = draw(db, width, styles=True)["text"]
        text = "\n".join(lines)  # type: ignore[arg-type]
        assert "\x1b" not in text and "\u202e" not in text
        assert "[bold]x[/bold]" in text  # markup shown as it was typed
        assert "\\x1b[2J" in text and "Evil\\u202eCorp" in text


def test_a_closing_title_wider_than_the_terminal_wraps_under_itself(db):
    """Past the width, the soonest closings are still laid out by Rich's Table: the title
    wraps in its column, the day and the value stay whole."""
    fill(db)
    add_deal(db, "A very long closing deal " * 6, stage="Demo", value=1, close="2026-11-19")
    for width in (80, 140):
        lines: list[str] = draw(db, width, styles=False)["text"]  # type: ignore[assignment]
        at = next(n for n, line in enumerate(lines) if line.startswith("  2026-11-19  A very"))
        assert lines[at].endswith("€0.01")
        assert lines[at + 1].startswith(" " * 14 + "deal A very long" if width == 140 else " " * 14)
        assert lines[at + 1].strip() and len(lines[at]) == len(lines[at + 1]) == width
        assert lines[at + 2 if width == 140 else at + 3].startswith("  2026-11-20  Soon 0")
