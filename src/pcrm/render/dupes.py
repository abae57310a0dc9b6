"""`pcrm dupes`: groups of likely duplicates, for a terminal and as plain lines."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import TYPE_CHECKING

from pcrm.render.safe import clean

if TYPE_CHECKING:
    from rich.console import RenderableType

    from pcrm.core.dedupe.dupes import DupeGroup


def _one_line(text: str | None) -> str:
    return clean(text, one_line=True)


def merge_commands(group: DupeGroup) -> list[str]:
    """Merging every other member into the oldest: a suggestion the user checks first."""
    return [
        f"pcrm {group.kind} merge {group.keep} {member.id}"
        for member in group.members
        if member.id != group.keep
    ]


def dupes_view(groups: list[DupeGroup], now: datetime) -> RenderableType:
    from rich.console import Group
    from rich.padding import Padding
    from rich.table import Table
    from rich.text import Text

    if not groups:
        return Text("No likely duplicates.", "muted")
    parts: list[RenderableType] = []
    for number, group in enumerate(groups, start=1):
        plural = "companies" if group.kind == "company" else "contacts"
        parts.append(
            Text(f"{number}. {len(group.members)} {plural}, score {group.score}", "heading")
        )
        members = Table(box=None, show_header=False, pad_edge=False)
        members.add_column(justify="right", style="id", no_wrap=True)
        members.add_column(style="name", overflow="ellipsis")
        members.add_column(overflow="ellipsis")
        members.add_column(overflow="ellipsis")
        for member in group.members:
            members.add_row(
                str(member.id),
                Text(_one_line(member.name)),
                Text(_one_line(member.email or member.domain)),
                Text(_one_line(member.company)),
            )
        parts.append(Padding(members, (0, 0, 0, 2), expand=False))
        why = Table(box=None, show_header=False, pad_edge=False)
        why.add_column(justify="right", no_wrap=True)
        why.add_column(no_wrap=True, style="muted")
        why.add_column(overflow="ellipsis")
        for pair in group.pairs:
            reasons = "; ".join(reason.text for reason in pair.reasons)
            why.add_row(str(pair.score), f"{pair.a} ~ {pair.b}", Text(_one_line(reasons)))
        parts.append(Padding(why, (0, 0, 0, 2), expand=False))
        for command in merge_commands(group):
            parts.append(Text(f"  {command}", "kind"))
        parts.append(Text(""))
    parts.append(
        Text("Check a merge with --dry-run first; pcrm undo reverses the last one.", "muted")
    )
    return Group(*parts)


def dupes_lines(groups: list[DupeGroup]) -> Iterator[str]:
    """Tab-separated, a pair a line: kind, group number, score, id and name of each of the
    two records, the reasons joined by "; "."""
    for number, group in enumerate(groups, start=1):
        names = {member.id: member.name for member in group.members}
        for pair in group.pairs:
            yield "\t".join(
                _one_line(value)
                for value in (
                    group.kind,
                    str(number),
                    str(pair.score),
                    str(pair.a),
                    names[pair.a],
                    str(pair.b),
                    names[pair.b],
                    "; ".join(reason.text for reason in pair.reasons),
                )
            )
