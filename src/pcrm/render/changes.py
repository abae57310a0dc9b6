"""`pcrm history` and what `pcrm undo` did, in lines a person reads."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pcrm.dates import format_local, from_iso
from pcrm.render.merge import link
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
    if result.original is not None and result.original is not change:
        again = "" if result.redo else " again"
        verb = (
            ("redo" if result.redo else "undo")
            if result.dry_run
            else ("redid" if result.redo else "undid")
        )
        original = clean(result.original.command, one_line=True)
        first = (
            f"{would}{verb} change {result.original.id}{again} ({original});"
            f" change {change.id} ({command}) reversed"
        )
    else:
        first = f"{'would undo' if result.dry_run else 'undid'} change {change.id} ({command})"
    lines = [first]
    if result.merge is not None and result.original is change:
        merge_id, _kind, keep, other = result.merge
        if result.dry_run:
            first = f"would undo merge {merge_id} of {link(other)} into {link(keep)}"
        else:
            first = f"undid merge {merge_id}: {link(other)} is back, apart from {link(keep)}"
        lines = [first, f"(change {change.id}: {command})"]
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
