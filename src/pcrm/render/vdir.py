"""What `pcrm vdir export|import` says: one summary line, then each conflict with both
versions (a unified diff, pcrm's side first) and each file that could not be read."""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from pcrm.render.safe import clean

if TYPE_CHECKING:
    from pcrm.core.vdir import Counts, ItemConflict, VdirResult


def _part(count: int, one: str, many: str | None = None) -> list[str]:
    """'1 follow-up done', '2 follow-ups done'; nothing for none."""
    if not count:
        return []
    return [f"{count} {one if count == 1 else (many or one)}"]


def _sum(result: VdirResult, name: str) -> int:
    counts: list[Counts] = [result.contacts, result.tasks]
    return sum(getattr(counts_, name) for counts_ in counts)


def summary_line(result: VdirResult) -> str:
    """'exported 3 changed, 120 unchanged, 1 new, 1 removed' or 'imported 1 new, 2
    changed, 1 archived; 1 conflict' (a dry run says 'would export', 'would import')."""

    def s(name: str) -> int:
        return _sum(result, name)

    if result.action == "export":
        verb = "would export" if result.dry_run else "exported"
        parts = [f"{s('changed')} changed", f"{s('unchanged')} unchanged"]
        parts += _part(s("new"), "new") + _part(s("removed"), "removed")
        line = f"{verb} {', '.join(parts)}"
        if s("waiting"):
            line += f"; {s('waiting')} changed in the folder, left for: pcrm vdir import"
    else:
        verb = "would import" if result.dry_run else "imported"
        parts = [f"{s('new')} new", f"{s('changed')} changed"]
        parts += _part(s("matched"), "matched to contacts already in pcrm")
        parts += _part(s("archived"), "archived") + _part(
            s("done"), "follow-up done", "follow-ups done"
        )
        parts += _part(
            s("skipped"), "to-do made elsewhere not taken", "to-dos made elsewhere not taken"
        )
        line = f"{verb} {', '.join(parts)}"
    open_conflicts = [c for c in result.conflicts if c.kept is None]
    kept = len(result.conflicts) - len(open_conflicts)
    if open_conflicts:
        line += f"; {len(open_conflicts)} conflict{'s' * (len(open_conflicts) != 1)}"
    if kept:
        line += f"; {kept} conflict{'s' * (kept != 1)} settled by --prefer"
    if result.problems:
        line += f"; {len(result.problems)} problem{'s' * (len(result.problems) != 1)}"
    return line


def _conflict_lines(conflict: ItemConflict, choose: str) -> Iterator[str]:
    what = "contact" if conflict.collection == "contacts" else "follow-up"
    suffix = ".vcf" if conflict.collection == "contacts" else ".ics"
    where = f"{conflict.collection}/{conflict.uid}{suffix}"
    side = "deleted in the folder" if conflict.file is None else "changed in the folder"
    outcome = {
        None: f"nothing changed for it (choose with {choose})",
        "pcrm": "pcrm's version kept (the next export writes it)",
        "file": "the folder's version taken",
    }[conflict.kept]
    yield (
        f"conflict: {what} {conflict.record_id} {clean(conflict.name, one_line=True)}"
        f" ({where}) changed in pcrm and {side}; {outcome}"
    )
    theirs = (conflict.file or "").splitlines()
    for line in difflib.unified_diff(
        conflict.pcrm.splitlines(), theirs, "pcrm", "folder" if conflict.file else "(deleted)", n=1
    ):
        yield "  " + line[:1] + clean(line[1:].rstrip("\n"), one_line=True)


def vdir_lines(result: VdirResult, choose: str = "--prefer pcrm|file") -> Iterator[str]:
    """`choose`: how the user settles a conflict (`pcrm sync` says its own option)."""
    yield summary_line(result)
    for conflict in result.conflicts:
        yield from _conflict_lines(conflict, choose)
    for problem in result.problems:
        yield f"problem: {clean(problem, one_line=True)}"


def vdir_pretty(result: VdirResult) -> Any:
    from rich.text import Text

    return Text("\n".join(vdir_lines(result)))
