"""`pcrm demo`: write a database full of sample data, then show it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from pcrm.cli.env import get_env
from pcrm.cli.output import emit, fail, say

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
    force: Annotated[
        bool, typer.Option("--force", "-f", help="Replace PATH if it exists.")
    ] = False,
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
    from pcrm.core.demo.build import create_demo_file, demo_tour
    from pcrm.render.safe import clean
    from pcrm.store.paths import resolve_db_path

    env = get_env(ctx)
    target = Path(path or env.db_option or DEFAULT_FILE).expanduser()
    own = resolve_db_path(None)  # where pcrm keeps the user's data when no --db is given
    if _same_file(target, own):
        raise fail(
            f"{clean(str(target), one_line=True)} is your pcrm database; the demo never "
            "writes there",
            hint=f"give another file, e.g. pcrm demo {DEFAULT_FILE}",
        )
    created = create_demo_file(target, env.now, force=force)

    from pcrm.render.demo import demo_lines, demo_view, summary_line

    if quiet:
        say(summary_line(created))
        return
    env.db_option = str(target)  # the rest of this command looks at the new file
    with env.database(write=False) as db:
        tour = demo_tour(db, created, env.now)
    emit(env, tour, json_mode=False, pretty=lambda v: demo_view(v, env.now), plain=demo_lines)


def _same_file(a: Path, b: Path) -> bool:
    if a.resolve() == b.resolve():
        return True
    try:
        return a.samefile(b)  # a hard link, or another spelling the resolver missed
    except OSError:
        return False


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)
