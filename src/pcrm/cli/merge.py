"""`pcrm contact merge`, `pcrm company merge` (their shared body) and `pcrm undo`."""

from __future__ import annotations

from typing import Annotated

import typer

from pcrm.cli.env import get_env
from pcrm.cli.output import say

DryRunOption = Annotated[
    bool, typer.Option("--dry-run", help="Print what would change, and change nothing.")
]


def run_merge(ctx: typer.Context, kind: str, keep_ref: str, other_ref: str, dry_run: bool) -> None:
    from pcrm.core.merge import merge
    from pcrm.core.refs import resolve_company, resolve_contact
    from pcrm.render.merge import merge_lines

    resolve = resolve_contact if kind == "contact" else resolve_company
    env = get_env(ctx)
    with env.database(write=True, create=False) as db:
        keep_id, other_id = resolve(db, keep_ref), resolve(db, other_ref)
        result = merge(db, env.now, kind, keep_id, other_id, dry_run=dry_run)
    for line in merge_lines(result):
        say(line)


def undo(ctx: typer.Context, dry_run: DryRunOption = False) -> None:
    """Undo the last merge.

    Puts the merged-away contact or company back with everything that moved, and KEEP
    as it was. Refused when a record the merge touched has changed since. Run it again
    to undo the merge before that.

    \b
    Example:
      pcrm undo --dry-run
    """
    from pcrm.core.merge import undo_last_merge
    from pcrm.render.merge import undo_lines

    env = get_env(ctx)
    with env.database(write=True, create=False) as db:
        result = undo_last_merge(db, dry_run=dry_run)
    for line in undo_lines(result):
        say(line)


def register(app: typer.Typer) -> None:
    app.command("undo")(undo)
