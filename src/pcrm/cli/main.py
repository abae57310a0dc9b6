"""The root command: global options, error handling, and the command groups.

Sub-modules are imported here, but each of them imports only typer at module level: the
CRM (sqlite-utils, Rich layout, dateutil's parser) loads inside the command that runs.
"""

from __future__ import annotations

import os
import sys
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from pcrm import __version__
from pcrm.cli.env import Env
from pcrm.cli.helpformat import Typer
from pcrm.cli.output import ExitStatus, error_lines
from pcrm.errors import Ambiguous, PcrmError


class PcrmGroup(TyperGroup):
    """Turns pcrm's typed errors into one line on stderr and an exit code.

    Every command runs inside the root group's invoke, so this is the one place where
    errors become messages. PCRM_DEBUG=1 lets the traceback through.
    """

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except (typer.Exit, typer.Abort, typer.TyperException):
            raise
        except PcrmError as exc:
            if os.environ.get("PCRM_DEBUG") == "1":
                raise
            details = exc.candidates if isinstance(exc, Ambiguous) else []
            error_lines(str(exc), details)
            raise typer.Exit(ExitStatus.ERROR) from None
        except KeyboardInterrupt:
            sys.stderr.write("\n")
            raise typer.Exit(ExitStatus.INTERRUPTED) from None
        except BrokenPipeError:
            # `pcrm contact list | head`: the reader left; nothing more to say.
            sys.stderr.close()
            raise typer.Exit(ExitStatus.OK) from None
        except Exception as exc:
            if os.environ.get("PCRM_DEBUG") == "1":
                raise
            error_lines(
                f"unexpected {type(exc).__name__}: {exc} "
                "(this is a bug in pcrm; run again with PCRM_DEBUG=1 for the details)"
            )
            raise typer.Exit(ExitStatus.ERROR) from None


app = Typer(
    cls=PcrmGroup,
    name="pcrm",
    help="A local-first personal CRM for the terminal: contacts, companies, deals and "
    "interactions in one SQLite file.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"pcrm {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            metavar="PATH",
            help="Database file (default: $PCRM_DB, else your user data folder).",
            show_default=False,
        ),
    ] = None,
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
) -> None:
    """A local-first personal CRM for the terminal.

    \b
    Example:
      pcrm contact add "Ada Lovelace" --email ada@example.org --company Analytical
    """
    env = ctx.obj if isinstance(ctx.obj, Env) else Env()
    if db:
        env.db_option = db
    ctx.obj = env


def _register() -> None:
    from pcrm.cli import (
        agenda,
        company,
        config,
        contact,
        deal,
        demo,
        export,
        interactions,
        maintenance,
        merge,
        pipeline,
        report,
        score,
        stage,
        task,
        views,
    )

    app.add_typer(contact.app, name="contact")
    app.add_typer(company.app, name="company")
    app.add_typer(deal.app, name="deal")
    app.add_typer(stage.app, name="stage")
    app.add_typer(pipeline.app, name="pipeline")
    interactions.register(app)
    task.register(app)
    app.add_typer(task.app, name="task")
    agenda.register(app)
    views.register(app)
    demo.register(app)
    merge.register(app)
    app.add_typer(config.app, name="config")
    app.add_typer(export.app, name="export")
    app.add_typer(report.app, name="report")
    app.add_typer(score.app, name="score")
    maintenance.register(app)


_register()


def run() -> None:
    """Console-script entry point."""
    try:
        app()
    except KeyboardInterrupt:
        # Ctrl-C outside a command (while parsing); inside one, PcrmGroup handles it.
        sys.stderr.write("\n")
        raise SystemExit(ExitStatus.INTERRUPTED) from None
