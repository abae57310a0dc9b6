"""`pcrm stage list|add|edit|rm|move`: the stages of a pipeline."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Annotated

import typer

from pcrm.cli.env import get_env
from pcrm.cli.helpformat import Typer
from pcrm.cli.output import ExitStatus, JsonOption, emit, error_lines, say

if TYPE_CHECKING:
    from rich.console import RenderableType

    from pcrm.core.deals.models import Pipeline

app = Typer(help="List, add, edit, reorder and remove pipeline stages.", no_args_is_help=True)

StageArg = Annotated[
    str, typer.Argument(metavar="STAGE", help="Stage name, unique prefix, or position (1..).")
]
PipelineOpt = Annotated[
    str | None,
    typer.Option("--pipeline", metavar="NAME", help="Pipeline (default: the default one)."),
]
ProbabilityHelp = "Win probability, 0 to 100 (%), for the weighted forecast."
RotHelp = "Days a deal may sit idle in the stage before it is stale; 0: never."
# -p is --phone elsewhere; as --probability's old short form it still works, hidden.
ProbabilityShort = Annotated[str | None, typer.Option("-p", metavar="PERCENT", hidden=True)]


def _stages_of(pipeline: Pipeline) -> str:
    from pcrm.render.safe import clean

    names = ", ".join(f"{stage.position} {stage.name}" for stage in pipeline.stages)
    return clean(f"{pipeline.name}: {names}", one_line=True)


@app.command("list")
def list_(ctx: typer.Context, pipeline: PipelineOpt = None, json: JsonOption = False) -> None:
    """List a pipeline's stages in order.

    Each stage shows its win probability, rotting limit and open deals.

    \b
    Example:
      pcrm stage list --pipeline Sales
    """
    from pcrm.core.deals.pipelines import resolve_pipeline

    env = get_env(ctx)
    with env.database(write=False) as db:
        chosen = resolve_pipeline(db, pipeline)

    def pretty(item: Pipeline) -> RenderableType:
        from pcrm.render.deals import stage_table

        return stage_table(item)

    def plain(item: Pipeline) -> Iterator[str]:
        from pcrm.render.deals import stage_lines

        return stage_lines(item.stages)

    if json:
        emit(env, chosen.stages, json_mode=True, pretty=pretty, plain=plain)
    else:
        emit(env, chosen, json_mode=False, pretty=pretty, plain=plain)


@app.command("add")
def add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(metavar="NAME", help="The new stage's name.")],
    probability: Annotated[
        str | None,
        typer.Option("--probability", metavar="PERCENT", help=ProbabilityHelp + "  [required]"),
    ] = None,
    probability_short: ProbabilityShort = None,
    rot: Annotated[str | None, typer.Option("--rot", metavar="DAYS", help=RotHelp)] = None,
    after: Annotated[
        str | None,
        typer.Option("--after", metavar="STAGE", help="Put it after this stage (default: last)."),
    ] = None,
    pipeline: PipelineOpt = None,
) -> None:
    """Add a stage to a pipeline.

    \b
    Example:
      pcrm stage add Discovery --probability 15 --rot 14 --after qualified
    """
    from pcrm.core.deals.pipelines import get_pipeline, resolve_pipeline, resolve_stage
    from pcrm.core.deals.stages import add_stage, parse_probability, parse_rot
    from pcrm.render.safe import clean

    env = get_env(ctx)
    probability = probability if probability is not None else probability_short
    if probability is None:
        # Checked here, not by click: the hidden -p may give it instead.
        error_lines("Missing option '--probability' (the win probability, e.g. --probability 40)")
        raise typer.Exit(ExitStatus.USAGE)
    percent = parse_probability(probability)
    rot_days = parse_rot(rot) if rot is not None else None
    with env.database(write=True) as db:
        chosen = resolve_pipeline(db, pipeline)
        anchor = resolve_stage(db, chosen, after) if after else None
        stage = add_stage(db, chosen, name, percent, rot_days, after=anchor)
        chosen = get_pipeline(db, chosen.id)
    say(f"added stage {clean(stage.name, one_line=True)} at position {stage.position}")
    say(_stages_of(chosen))


@app.command("edit")
def edit(
    ctx: typer.Context,
    stage: StageArg,
    name: Annotated[str | None, typer.Option("--name", metavar="NAME", help="New name.")] = None,
    probability: Annotated[
        str | None, typer.Option("--probability", metavar="PERCENT", help=ProbabilityHelp)
    ] = None,
    probability_short: ProbabilityShort = None,
    rot: Annotated[str | None, typer.Option("--rot", metavar="DAYS", help=RotHelp)] = None,
    pipeline: PipelineOpt = None,
) -> None:
    """Rename a stage or change its probability or rotting limit.

    The deals in it stay; their history keeps the old name.

    \b
    Example:
      pcrm stage edit demo --probability 45 --rot 10
    """
    from pcrm.core.deals.pipelines import resolve_pipeline, resolve_stage
    from pcrm.core.deals.stages import StageChanges, edit_stage, parse_probability, parse_rot
    from pcrm.render.safe import clean

    env = get_env(ctx)
    probability = probability if probability is not None else probability_short
    rot_days = parse_rot(rot) if rot is not None else None
    changes = StageChanges(
        name=name,
        probability=parse_probability(probability) if probability is not None else None,
        rot_days=rot_days,
        clear_rot=rot is not None and rot_days is None,
    )
    with env.database(write=False) as db:  # a bad STAGE must not create the file
        resolve_stage(db, resolve_pipeline(db, pipeline), stage)
    with env.database(write=True) as db:
        found = resolve_stage(db, resolve_pipeline(db, pipeline), stage)
        saved = edit_stage(db, found, changes)
    rot_text = f"stale after {saved.rot_days} days" if saved.rot_days else "never stale"
    say(f"updated stage {clean(saved.name, one_line=True)}: {saved.probability}%, {rot_text}")


@app.command("rm")
def rm(
    ctx: typer.Context,
    stage: StageArg,
    to: Annotated[
        str | None,
        typer.Option("--to", metavar="STAGE", help="Where its deals go (required if it has any)."),
    ] = None,
    pipeline: PipelineOpt = None,
) -> None:
    """Remove a stage, moving its deals to another one.

    A stage that holds deals needs --to STAGE: its deals move there, and each moved
    deal's history records the move. Deals are never removed.

    \b
    Example:
      pcrm stage rm demo --to proposal
    """
    from pcrm.core.deals.pipelines import get_pipeline, resolve_pipeline, resolve_stage
    from pcrm.core.deals.stages import remove_stage
    from pcrm.render.safe import clean

    env = get_env(ctx)
    with env.database(write=False) as db:
        resolve_stage(db, resolve_pipeline(db, pipeline), stage)
    with env.database(write=True) as db:
        chosen = resolve_pipeline(db, pipeline)
        found = resolve_stage(db, chosen, stage)
        target = resolve_stage(db, chosen, to) if to else None
        moved = remove_stage(db, env.now, found, to=target)
        chosen = get_pipeline(db, chosen.id)
    message = f"removed stage {clean(found.name, one_line=True)}"
    if moved and target is not None:
        deals = f"{moved} deal{'s' if moved != 1 else ''}"
        message += f"; moved {deals} to {clean(target.name, one_line=True)}"
    say(message)
    say(_stages_of(chosen))


@app.command("move")
def move(
    ctx: typer.Context,
    stage: StageArg,
    position: Annotated[
        int, typer.Argument(metavar="POSITION", help="Its new position; 1 is the first.")
    ],
    pipeline: PipelineOpt = None,
) -> None:
    """Put a stage at another position in its pipeline.

    \b
    Example:
      pcrm stage move demo 2
    """
    from pcrm.core.deals.pipelines import get_pipeline, resolve_pipeline, resolve_stage
    from pcrm.core.deals.stages import move_stage

    env = get_env(ctx)
    with env.database(write=False) as db:
        resolve_stage(db, resolve_pipeline(db, pipeline), stage)
    with env.database(write=True) as db:
        chosen = resolve_pipeline(db, pipeline)
        move_stage(db, resolve_stage(db, chosen, stage), position)
        chosen = get_pipeline(db, chosen.id)
    say(_stages_of(chosen))
