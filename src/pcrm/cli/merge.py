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


def undo(ctx: typer.Context, dry_run: DryRunOption = False) -> None:
    """Undo the last merge.

    Puts the merged-away contact or company back with everything that moved, and KEEP
    as it was. Refused when something the merge wrote has changed since. Run it again
    to undo the merge before that.

    \b
    Example:
      pcrm undo --dry-run
    """
    from pcrm.app.merge import undo_merge
    from pcrm.render.merge import undo_lines

    result = undo_merge(get_env(ctx), dry_run=dry_run)
    for line in undo_lines(result):
        say(line)


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
