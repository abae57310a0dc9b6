"""`pcrm lifecycle list|add|rm`, and the `stage` command of contacts and companies."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from pcrm.cli.env import get_env
from pcrm.cli.helpformat import Typer
from pcrm.cli.output import JsonOption, emit, say

if TYPE_CHECKING:
    from pcrm.core.people.lifecycle_models import LifecycleChange

app = Typer(help="The lifecycle stages contacts and companies go through.", no_args_is_help=True)

StageArg = Annotated[str, typer.Argument(metavar="STAGE", help="Stage name or unique prefix.")]
# The options of `pcrm contact stage` and `pcrm company stage`.
TargetStageArg = Annotated[
    str, typer.Argument(metavar="STAGE", help="Lifecycle stage name or unique prefix.")
]
ReasonOpt = Annotated[
    str | None,
    typer.Option("--reason", "-r", metavar="TEXT", help="Why (kept for the funnel report)."),
]
AtOpt = Annotated[
    str | None,
    typer.Option("--at", metavar="WHEN", help="When it changed (default: now; not later)."),
]


@app.command("list")
def list_(ctx: typer.Context, json: JsonOption = False) -> None:
    """List the stages in order, with how many are at each.

    \b
    Example:
      pcrm lifecycle list
    """
    from pcrm.core.people.lifecycle import load_stages

    env = get_env(ctx)
    with env.database(write=False) as db:
        stages = load_stages(db, counts=True)
    from pcrm.render.lifecycle import stage_lines, stage_table

    emit(
        env,
        stages,
        json_mode=json,
        pretty=lambda value: stage_table(value, env.now),
        plain=stage_lines,
    )


@app.command("add")
def add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(metavar="NAME", help="The new stage's name.")],
    after: Annotated[
        str | None,
        typer.Option("--after", metavar="STAGE", help="Put it after this stage (default: last)."),
    ] = None,
    exit_: Annotated[
        bool, typer.Option("--exit", help="An exit: a way out of the funnel, like churned.")
    ] = False,
) -> None:
    """Add a lifecycle stage to the funnel, or an exit.

    \b
    Example:
      pcrm lifecycle add evangelist --after customer
    """
    from pcrm.core.people.lifecycle import add_stage
    from pcrm.render.safe import clean

    env = get_env(ctx)
    with env.database(write=True) as db:
        stage = add_stage(db, name, after=after, is_exit=exit_)
    kind = "exit" if stage.is_exit else "stage"
    say(f"added lifecycle {kind} {clean(stage.name, one_line=True)}")


@app.command("rm")
def rm(ctx: typer.Context, stage: StageArg) -> None:
    """Remove a lifecycle stage nobody is at.

    History keeps the stage's name; the reports leave those changes out.

    \b
    Example:
      pcrm lifecycle rm mql
    """
    from pcrm.core.people.lifecycle import remove_stage
    from pcrm.render.safe import clean

    env = get_env(ctx)
    with env.database(write=True, create=False) as db:
        removed = remove_stage(db, stage)
    say(f"removed lifecycle stage {clean(removed.name, one_line=True)}")


def change_stage(
    ctx: typer.Context, kind: str, ref: str, stage: str, reason: str | None, at: str | None
) -> None:
    """`pcrm contact stage` and `pcrm company stage`: one write, one confirmation line."""
    from pcrm.core.people.lifecycle import set_stage
    from pcrm.core.refs import resolve_company, resolve_contact
    from pcrm.dates import parse_when
    from pcrm.render.safe import clean

    env = get_env(ctx)
    moment = parse_when(at, env.now, direction="past").moment if at is not None else None
    resolve = resolve_contact if kind == "contact" else resolve_company
    with env.database(write=True, create=False) as db:
        done = set_stage(db, env.now, kind, resolve(db, ref), stage, reason=reason, at=moment)
    if done.change is None:
        label = f"{kind} {done.subject.id} {done.subject.name} is already at {done.stage}"
        say(clean(label, one_line=True))
        return
    say(change_line(done.change))


def change_line(change: LifecycleChange) -> str:
    """'contact 3 Ada Lovelace: lead → mql' (or ': lead' for a first stage)."""
    from pcrm.render.safe import clean

    subject = change.subject
    moved = f"{change.from_stage} → {change.to_stage}" if change.from_stage else change.to_stage
    return clean(f"{subject.kind} {subject.id} {subject.name}: {moved}", one_line=True)
