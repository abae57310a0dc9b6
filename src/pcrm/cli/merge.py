"""`pcrm dupes`, `pcrm contact merge` and `pcrm company merge` (their shared body), and
`pcrm undo`."""

from __future__ import annotations

from typing import Annotated, Literal

import typer

from pcrm.cli.env import get_env
from pcrm.cli.output import JsonOption, LimitOption, emit, note_truncation, say

DryRunOption = Annotated[
    bool, typer.Option("--dry-run", help="Print what would change, and change nothing.")
]


def run_merge(ctx: typer.Context, kind: str, keep_ref: str, other_ref: str, dry_run: bool) -> None:
    from pcrm.app.merge import merge_records
    from pcrm.render.merge import merge_lines

    env = get_env(ctx)
    result = merge_records(env, env.now, kind, keep_ref, other_ref, dry_run=dry_run)
    for line in merge_lines(result):
        say(line)


def undo(
    ctx: typer.Context,
    change_id: Annotated[
        int | None,
        typer.Argument(
            metavar="[ID]",
            help="The change to undo (see pcrm history); default: the last one.",
            show_default=False,
        ),
    ] = None,
    dry_run: DryRunOption = False,
) -> None:
    """Undo the last change, or change ID.

    Every command that writes is recorded as one change (see pcrm history): undo puts
    back the rows it changed, a removed record whole with its links. Refused when a later
    change touched the same records. An undo is a change too: undo it to redo.

    \b
    Example:
      pcrm undo --dry-run
    """
    from pcrm.app.merge import undo_change
    from pcrm.core.changes import UndoneChange
    from pcrm.render.changes import undone_lines
    from pcrm.render.merge import undo_lines

    env = get_env(ctx)
    result = undo_change(env, env.now, change_id, dry_run=dry_run)
    lines = undone_lines(result) if isinstance(result, UndoneChange) else undo_lines(result)
    for line in lines:
        say(line)


def history(ctx: typer.Context, limit: LimitOption = 20, json: JsonOption = False) -> None:
    """List the latest changes, newest first.

    Each write command is one change: its id, when, the command line and the rows it
    changed per table (+ added, ~ changed, - removed). `pcrm undo ID` reverses one.

    \b
    Example:
      pcrm history --limit 5
    """
    from pcrm.core.changes import history as read_history
    from pcrm.render.changes import history_json, history_lines, history_view

    env = get_env(ctx)
    with env.database(write=False) as db:
        changes = read_history(db, limit or None)
    emit(
        env,
        history_json(changes) if json else changes,
        json_mode=json,
        pretty=history_view,
        plain=history_lines,
    )


def dupes(
    ctx: typer.Context,
    kind: Annotated[
        Literal["contact", "company"] | None,
        typer.Option(
            "--kind", metavar="KIND", help="contact or company (default: both).", show_default=False
        ),
    ] = None,
    min_score: Annotated[
        int,
        typer.Option(
            "--min-score",
            metavar="N",
            min=0,
            max=100,
            help="Show pairs scoring at least N (0-100).",
        ),
    ] = 50,
    limit: LimitOption = 100,
    json: JsonOption = False,
) -> None:
    """List likely duplicate contacts and companies.

    Pairs that share an email, a phone number or a name (accents, case and word order
    aside; a nickname or an initial at the same company), scored 0-100 and grouped;
    then `pcrm contact merge KEEP OTHER` folds one into the other.

    \b
    Example:
      pcrm dupes --kind contact --min-score 80
    """
    from pcrm.core.dedupe.dupes import find_dupes

    env = get_env(ctx)
    kinds = [kind] if kind else ["contact", "company"]
    with env.database(write=False) as db:
        groups = [group for each in kinds for group in find_dupes(db, each, min_score)]
    shown = groups[:limit] if limit else groups
    from pcrm.render.dupes import dupes_lines, dupes_view

    emit(
        env,
        shown,
        json_mode=json,
        pretty=lambda value: dupes_view(value, env.now),
        plain=dupes_lines,
    )
    note_truncation(len(shown), len(groups), json_mode=False)


def register(app: typer.Typer) -> None:
    app.command("dupes")(dupes)
    app.command("undo")(undo)
    app.command("history")(history)
