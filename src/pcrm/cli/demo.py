"""`pcrm demo`: write a database full of sample data, then show it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from pcrm.cli.env import get_env
from pcrm.cli.output import emit, say

DEFAULT_FILE = "pcrm-demo.db"


def demo(
    ctx: typer.Context,
    path: Annotated[
        str | None,
        typer.Argument(
            metavar="PATH",
            help=f"The file to write (default: --db if given, else {DEFAULT_FILE} here).",
            show_default=False,
        ),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace PATH if it exists.")] = False,
    # -f is --format elsewhere (export); as --force's old short form it still works, hidden.
    force_short: Annotated[bool, typer.Option("-f", hidden=True)] = False,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="Print only the summary line.")
    ] = False,
) -> None:
    """Create a demo database of sample data and show it.

    Realistic data, the same every time: twelve companies, forty people, six months of
    calls, emails and meetings, and deals in every stage of the pipeline. It never writes
    into your own database ($PCRM_DB or the default file), and replaces an existing file
    only with --force.

    \b
    Example:
      pcrm demo && pcrm --db pcrm-demo.db show kestrel
    """
    from pcrm.app.demo import make_demo
    from pcrm.render.demo import demo_lines, demo_view, summary_line

    env = get_env(ctx)
    target = Path(path or env.db_option or DEFAULT_FILE).expanduser()
    demo = make_demo(
        target, env.now, force=force or force_short, tour=not quiet, suggest=DEFAULT_FILE
    )
    if demo.tour is None:
        say(summary_line(demo.created))
        return
    emit(env, demo.tour, json_mode=False, pretty=lambda v: demo_view(v, env.now), plain=demo_lines)


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)
