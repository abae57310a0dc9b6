"""What `pcrm sync` says: what moved each way between the vdir and the server, the export
and import lines of `pcrm vdir`, and each conflict with both versions (a unified diff,
pcrm's side first) and where both are kept."""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from itertools import islice
from typing import TYPE_CHECKING, Any

from pcrm.render.safe import clean
from pcrm.render.vdir import vdir_lines

if TYPE_CHECKING:
    from pcrm.app.sync import Moved, ServerConflict, SyncResult


def _moved(moves: dict[str, Moved]) -> str:
    new = sum(m.new for m in moves.values())
    changed = sum(m.changed for m in moves.values())
    deleted = sum(m.deleted for m in moves.values())
    if not new + changed + deleted:
        return "nothing"
    return f"{new} new, {changed} changed, {deleted} deleted"


def _conflict_lines(conflict: ServerConflict) -> Iterator[str]:
    what = "contact" if conflict.collection == "contacts" else "follow-up"
    suffix = ".vcf" if conflict.collection == "contacts" else ".ics"
    yield (
        f"conflict: {what} {clean(conflict.name, one_line=True)}"
        f" ({conflict.collection}/{conflict.uid}{suffix}) changed in pcrm and on the server;"
        " neither side changed (choose with: pcrm sync --prefer pcrm|server)"
    )
    yield f"  pcrm's version: {clean(conflict.pcrm_file, one_line=True)}"
    yield f"  the server's version: {clean(conflict.server_file, one_line=True)}"
    for line in difflib.unified_diff(
        conflict.pcrm.splitlines(), conflict.server.splitlines(), "pcrm", "server", n=1
    ):
        yield "  " + line[:1] + clean(line[1:].rstrip("\n"), one_line=True)


def sync_lines(result: SyncResult) -> Iterator[str]:
    if result.dry_run:
        yield "dry run: vdirsyncer not run (it has no dry run of its own); nothing changed"
    else:
        yield f"to the server: {_moved(result.sent)}"
        yield f"from the server: {_moved(result.received)}"
    if result.settled:
        kept = "pcrm's version" if result.prefer == "pcrm" else "the server's version"
        yield (
            f"{result.settled} conflict{'s' * (result.settled != 1)} settled: {kept} kept"
            f" (--prefer {result.prefer})"
        )
    choose = "pcrm sync --prefer pcrm|server"
    yield from vdir_lines(result.export, choose)
    if result.imported is not None:
        yield from vdir_lines(result.imported, choose)
    for conflict in result.conflicts:
        yield from _conflict_lines(conflict)


def attention_lines(result: SyncResult) -> Iterator[str]:
    """`pcrm sync --cron`: only what needs the user, so that a quiet run prints nothing."""
    choose = "pcrm sync --prefer pcrm|server"
    for part in (result.export, result.imported):
        if part is not None:
            yield from islice(vdir_lines(part, choose), 1, None)  # not the summary line
    for conflict in result.conflicts:
        yield from _conflict_lines(conflict)


def sync_pretty(result: SyncResult) -> Any:
    from rich.text import Text

    return Text("\n".join(sync_lines(result)))


def setup_lines(result: Any) -> Iterator[str]:
    verb = "replaced" if result.replaced else "wrote"
    yield f"{verb} {clean(result.config, one_line=True)}"
    for kind, url in result.collections.items():
        yield f"  {kind}: {clean(url, one_line=True)}"
    policy = {
        None: "stop and report (both versions kept)",
        "pcrm": "pcrm wins",
        "server": "the server wins",
    }[result.prefer]
    yield f"  conflicts: {policy}"
    yield "next: pcrm sync"


def setup_pretty(result: Any) -> Any:
    from rich.text import Text

    return Text("\n".join(setup_lines(result)))
