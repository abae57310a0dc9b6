"""Lead scores: the rule list, contacts by score, and one contact's score rule by rule."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import TYPE_CHECKING

from pcrm.render.cells import t
from pcrm.render.fit import Column, FittedTable
from pcrm.render.safe import clean

if TYPE_CHECKING:
    from rich.console import RenderableType

    from pcrm.core.people.scoring import ContactScore, ScoreExplanation, ScoreRule


def _signed(points: int) -> str:
    return f"{points:+d}" if points else "0"


def rule_table(rules: list[ScoreRule], now: datetime) -> RenderableType:
    from rich.table import Table
    from rich.text import Text

    if not rules:
        return Text('No scoring rules. Add one: pcrm score rule add "+10 tag:vip"', "muted")
    table = Table(box=None, pad_edge=False, header_style="heading")
    table.add_column("N", justify="right", style="id", no_wrap=True)
    table.add_column("Rule", overflow="ellipsis")
    for rule in rules:
        table.add_row(str(rule.id), t(rule.rule))
    return table


def rule_lines(rules: list[ScoreRule]) -> Iterator[str]:
    """Tab-separated, no header: number, rule."""
    for rule in rules:
        yield f"{rule.id}\t{clean(rule.rule, one_line=True)}"


def ranking_table(contacts: list[ContactScore], now: datetime) -> RenderableType:
    from rich.text import Text

    if not contacts:
        return Text("No contacts to show.", "muted")
    columns = [
        Column("ID", [Text(str(c.id)) for c in contacts], True, False, "right", "id"),
        Column("Name", [t(c.name) for c in contacts], True, style="name"),
        Column("Score", [Text(str(c.score)) for c in contacts], True, False, "right"),
    ]
    return FittedTable(columns, [])


def ranking_lines(contacts: list[ContactScore]) -> Iterator[str]:
    """Tab-separated, no header: id, name, score."""
    for contact in contacts:
        yield f"{contact.id}\t{clean(contact.name, one_line=True)}\t{contact.score}"


def explanation_view(explanation: ScoreExplanation, now: datetime) -> RenderableType:
    """The heading with the total, then one row per rule: number, rule, points, what matched."""
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    heading = Text()
    heading.append(clean(explanation.contact.name, one_line=True), "name")
    heading.append(f"  contact {explanation.contact.id}", "id")
    heading.append(f"  score {explanation.score}", "heading")
    if not explanation.rules:
        return Group(heading, Text("No scoring rules: every contact scores 0.", "muted"))
    table = Table(box=None, pad_edge=False, header_style="heading")
    table.add_column("N", justify="right", style="id", no_wrap=True)
    table.add_column("Rule", overflow="ellipsis", ratio=2)
    table.add_column("Points", justify="right", no_wrap=True)
    table.add_column("Why", overflow="ellipsis", ratio=1)
    for outcome in explanation.rules:
        style = "" if outcome.matched else "muted"
        why = t(outcome.detail) if outcome.detail else Text("")
        if not outcome.matched:
            why = Text("no match", "muted")
        table.add_row(
            str(outcome.id), t(outcome.rule, style), Text(_signed(outcome.points), style), why
        )
    return Group(heading, table)


def explanation_lines(explanation: ScoreExplanation) -> Iterator[str]:
    """`contact ID: NAME`, `score: N`, then per rule, tab-separated: number, points given,
    matched (yes/no), rule, what matched."""
    yield f"contact {explanation.contact.id}: {clean(explanation.contact.name, one_line=True)}"
    yield f"score: {explanation.score}"
    for outcome in explanation.rules:
        yield "\t".join(
            (
                str(outcome.id),
                _signed(outcome.points),
                "yes" if outcome.matched else "no",
                clean(outcome.rule, one_line=True),
                clean(outcome.detail, one_line=True),
            )
        )
