"""`pcrm history` and what `pcrm undo` did, in lines a person reads."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pcrm.dates import format_local, from_iso
from pcrm.render.safe import clean

if TYPE_CHECKING:
    from pcrm.core.changes import Change, UndoneChange


def _state(change: Change) -> str:
    return "undone" if change.undone_at else ""


def history_lines(changes: list[Change]) -> list[str]:
    return [
        "\t".join(
            [
                str(change.id),
                format_local(from_iso(change.at)),
                clean(change.command, one_line=True),
                clean(change.summary, one_line=True),
                _state(change),
            ]
        ).rstrip("\t")
        for change in changes
    ]


def history_view(changes: list[Change]) -> Any:
    from rich.table import Table

    table = Table(box=None, header_style="bold", pad_edge=False)
    for name in ("id", "when", "command", "changed", ""):
        table.add_column(name, overflow="fold")
    for change in changes:
        table.add_row(
            str(change.id),
            format_local(from_iso(change.at)),
            clean(change.command, one_line=True),
            clean(change.summary, one_line=True),
            _state(change),
        )
    return table


def history_json(changes: list[Change]) -> list[dict[str, Any]]:
    return [
        {
            "id": c.id,
            "at": c.at,
            "argv": c.argv,
            "summary": c.summary,
            "undone_at": c.undone_at,
            "undo_of": c.undo_of,
        }
        for c in changes
    ]


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{table} {n}" for table, n in counts.items())


def undone_lines(result: UndoneChange) -> list[str]:
    change = result.change
    command = clean(change.command, one_line=True)
    would = "would " if result.dry_run else ""
    if change.undo_of is not None:
        first = f"redo change {change.undo_of} (undo its undo, change {change.id} {command})"
        first = ("would " + first) if result.dry_run else first.replace("redo", "redid", 1)
    else:
        first = f"{'would undo' if result.dry_run else 'undid'} change {change.id} ({command})"
    lines = [first]
    for label, counts in (
        ("put back", result.restored),
        ("remove", result.removed),
        ("set back", result.reverted),
    ):
        if counts:
            word = label if result.dry_run else {"remove": "removed"}.get(label, label)
            lines.append(f"{would}{word}: {_counts(counts)}")
    if result.dry_run:
        lines.append("nothing changed (dry run)")
    else:
        lines.append("to reverse this: pcrm undo")
    return lines
