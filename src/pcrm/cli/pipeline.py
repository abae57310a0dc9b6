"""`pcrm pipeline [NAME]`: the board; `pcrm pipeline add|list|rm|default`: manage pipelines."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from pcrm.cli.env import get_env
from pcrm.cli.groups import DefaultCommandGroup
from pcrm.cli.helpformat import Typer
from pcrm.cli.output import JsonOption, cap_limit, confirm_removal, emit, say

if TYPE_CHECKING:
    from collections.abc import Iterator

    from rich.table import Table

    from pcrm.core.deals.board import Board
    from pcrm.core.deals.models import Pipeline
    from pcrm.render.board import BoardView

app = Typer(
    cls=DefaultCommandGroup,
    help="Show the deals board; add, list and remove pipelines.\n\n"
    "`pcrm pipeline [NAME] [OPTIONS]` is short for `pcrm pipeline show [NAME] [OPTIONS]`.\n\n"
    "\b\nExample:\n  pcrm pipeline --stale",
)

NameArg = Annotated[str, typer.Argument(metavar="NAME", help="The pipeline's name.")]


@app.command("show")
def show(
    ctx: typer.Context,
    name: Annotated[
        str | None,
        typer.Argument(metavar="NAME", help="The pipeline (default: the default pipeline)."),
    ] = None,
    tag: Annotated[
        str | None, typer.Option("--tag", "-t", metavar="TAG", help="Only deals with this tag.")
    ] = None,
    closing: Annotated[
        str | None,
        typer.Option(
            "--closing-before",
            metavar="WHEN",
            help="Only deals expected to close on or before WHEN.",
        ),
    ] = None,
    # The old name, as deal list calls it --closing-before: kept working, hidden.
    closing_old: Annotated[
        str | None, typer.Option("--closing", metavar="WHEN", hidden=True)
    ] = None,
    stale: Annotated[
        bool, typer.Option("--stale", help="Only deals idle longer than their stage allows.")
    ] = False,
    limit: Annotated[
        int,
        typer.Option(
            "--limit",
            "-n",
            metavar="N",
            min=0,
            callback=cap_limit,
            help="Cards per stage (0: all).",
        ),
    ] = 10,
    json: JsonOption = False,
) -> None:
    """Show a pipeline's open deals as a board.

    One column per stage, with totals and a forecast. `pcrm pipeline NAME` is short for
    `pcrm pipeline show NAME`. Each column counts its deals and sums them per currency,
    with the total weighted by the stage's probability; stale deals (idle longer than the
    stage's limit) are flagged.

    \b
    Example:
      pcrm pipeline show Sales --closing-before eom
    """
    from pcrm.core.deals.board import BoardFilters, load_board
    from pcrm.core.deals.pipelines import resolve_pipeline
    from pcrm.dates import parse_day

    env = get_env(ctx)
    closing = closing if closing is not None else closing_old
    filters = BoardFilters(
        tag=tag.strip() if tag and tag.strip() else None,
        closing=parse_day(closing, env.now).isoformat() if closing is not None else None,
        stale=stale,
    )
    with env.database(write=False) as db:
        pipeline = resolve_pipeline(db, name)
        board = load_board(db, pipeline, env.now, filters, cards=limit or None)

    from pcrm.render.board_text import board_lines

    def pretty(value: Board) -> BoardView:
        # render.board loads Rich at its top: imported only to draw on a terminal.
        from pcrm.render.board import board_view

        return board_view(value, env.now)

    emit(env, board, json_mode=json, pretty=pretty, plain=board_lines)


@app.command("list")
def list_(ctx: typer.Context, json: JsonOption = False) -> None:
    """List the pipelines with their stages and open deals.

    The default pipeline is marked.

    \b
    Example:
      pcrm pipeline list
    """
    from pcrm.core.deals.pipelines import list_pipelines

    env = get_env(ctx)
    with env.database(write=False) as db:
        pipelines = list_pipelines(db)

    def pretty(value: list[Pipeline]) -> Table:
        from pcrm.render.board import pipeline_table

        return pipeline_table(value)

    def plain(value: list[Pipeline]) -> Iterator[str]:
        from pcrm.render.board_text import pipeline_lines

        return pipeline_lines(value)

    emit(env, pipelines, json_mode=json, pretty=pretty, plain=plain)


@app.command("add")
def add(
    ctx: typer.Context,
    name: NameArg,
    stage: Annotated[
        list[str] | None,
        typer.Option(
            "--stage",
            metavar="STAGE",
            help="A stage, in order; repeatable. Without any: the default pipeline's stages.",
        ),
    ] = None,
    # -s is --search elsewhere; as --stage's old short form it still works, hidden.
    stage_short: Annotated[
        list[str] | None, typer.Option("-s", metavar="STAGE", hidden=True)
    ] = None,
) -> None:
    """Add a pipeline with its own stages or the default's.

    Stages given by name get win probabilities spread evenly below 100 % (three stages:
    25, 50, 75) and no rotting limit; change them with `pcrm stage edit`.

    \b
    Example:
      pcrm pipeline add Partnerships --stage Intro --stage Pilot --stage Signed
    """
    from pcrm.core.deals.pipelines import add_pipeline
    from pcrm.render.safe import clean

    env = get_env(ctx)
    with env.database(write=True) as db:
        pipeline = add_pipeline(db, env.now, name, [*(stage or []), *(stage_short or [])] or None)
    stages = ", ".join(f"{s.name} {s.probability}%" for s in pipeline.stages)
    say(f"added pipeline {clean(pipeline.name, one_line=True)}: {clean(stages, one_line=True)}")


@app.command("rm")
def rm(
    ctx: typer.Context,
    name: NameArg,
    to: Annotated[
        str | None,
        typer.Option(
            "--to",
            metavar="OTHER",
            help="Move its deals (open or closed) to this pipeline first.",
        ),
    ] = None,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
) -> None:
    """Remove a pipeline, moving its deals to another one.

    A pipeline that holds deals needs --to OTHER: its deals, open or closed, move there
    first.

    \b
    Example:
      pcrm pipeline rm Partnerships --to Sales --yes
    """
    from pcrm.core.deals.pipelines import remove_pipeline, resolve_pipeline
    from pcrm.core.records import id_of_uid
    from pcrm.render.safe import clean

    env = get_env(ctx)
    # Resolve both names before asking, so a typo fails before the question.
    with env.database(write=False) as db:
        pipeline = resolve_pipeline(db, name)
        target = resolve_pipeline(db, to) if to is not None else None
    label = f"pipeline {clean(pipeline.name, one_line=True)}"
    confirm_removal(env, label, yes)
    with env.database(write=True) as db:
        # Both found again by uid: a pipeline removed and re-added meanwhile is another one.
        pipeline_id = id_of_uid(db, "pipeline", pipeline.uid, label, "nothing removed")
        target_id = None
        if target is not None:
            shown = f"pipeline {clean(target.name, one_line=True)}"
            target_id = id_of_uid(db, "pipeline", target.uid, shown, "nothing removed")
        removed = remove_pipeline(db, env.now, pipeline_id, to=target_id)
    moved = f"; its deals moved to {clean(target.name, one_line=True)}" if target else ""
    say(f"removed pipeline {clean(removed.name, one_line=True)}{moved}")


@app.command("default")
def default(ctx: typer.Context, name: NameArg) -> None:
    """Make a pipeline the default one.

    The default pipeline is the one `pcrm pipeline` and `pcrm deal add` use.

    \b
    Example:
      pcrm pipeline default Partnerships
    """
    from pcrm.core.deals.pipelines import resolve_pipeline, set_default_pipeline
    from pcrm.render.safe import clean

    env = get_env(ctx)
    with env.database(write=False) as db:  # a bad NAME must not create a database
        pipeline = resolve_pipeline(db, name)
    with env.database(write=True) as db:
        set_default_pipeline(db, pipeline.id)
    say(f"default pipeline is now {clean(pipeline.name, one_line=True)}")
