"""`pcrm sync` and `pcrm sync setup`: contacts and follow-ups with a CardDAV/CalDAV server,
through the vdir and vdirsyncer (docs/sync.md)."""

from __future__ import annotations

from typing import Annotated

import typer

from pcrm.cli.bulk import DryRunOpt
from pcrm.cli.env import get_env
from pcrm.cli.helpformat import Typer
from pcrm.cli.output import JsonOption, emit

# The callback's docstring is the group's help; without a sub-command it runs the sync.
app = Typer(invoke_without_command=True)

PreferOpt = Annotated[
    str | None,
    typer.Option(
        "--prefer",
        metavar="pcrm|server",
        help="Who wins an item changed on both sides (default: neither; both are kept and"
        " it is reported).",
        show_default=False,
    ),
]


def _policy(prefer: str | None) -> str | None:
    from pcrm.errors import InvalidInput

    if prefer is not None and prefer not in ("pcrm", "server"):
        raise InvalidInput(
            f'--prefer "{prefer}" is not pcrm or server', hint="--prefer pcrm|server"
        )
    return prefer


@app.callback()
def sync(
    ctx: typer.Context,
    prefer: PreferOpt = None,
    dry_run: DryRunOpt = False,
    cron: Annotated[
        bool,
        typer.Option(
            "--cron",
            help="Print only what needs you (conflicts, files that could not be read);"
            " silent otherwise, so cron mails nothing. Errors still go to stderr.",
        ),
    ] = False,
    json: JsonOption = False,
) -> None:
    """Sync contacts and follow-ups with a CardDAV/CalDAV server.

    Runs pcrm vdir export, then vdirsyncer (discover on the first run, then sync), then
    pcrm vdir import, and says what moved each way. Safe from cron: it never prompts, and
    a second run waits for nobody (it stops). An item changed in pcrm and on the server
    is a conflict: both versions are kept in the sync folder, neither side changes, unless
    the config or --prefer says who wins. Set it up once with `pcrm sync setup`. --dry-run
    exports and imports without writing and does not run vdirsyncer.

    \b
    Example:
      pcrm sync
      pcrm sync --prefer server
      pcrm sync --cron              (from cron: silent unless needed)
    """
    if ctx.invoked_subcommand is not None:
        return
    from pcrm.app.sync import run_sync
    from pcrm.app.sync_config import SyncPaths
    from pcrm.render.sync import attention_lines, sync_lines, sync_pretty

    policy = _policy(prefer)
    env = get_env(ctx)
    result = run_sync(
        lambda: env.database(write=True, create=True),  # set up: the config names this file
        env.now,
        SyncPaths(env.db_path),
        prefer=policy,  # type: ignore[arg-type]
        dry_run=dry_run,
    )
    if cron and not json:
        for line in attention_lines(result):
            env.stdout.write(line + "\n")
        return
    emit(env, result, json_mode=json, pretty=sync_pretty, plain=sync_lines)


@app.command("setup")
def setup(
    ctx: typer.Context,
    carddav: Annotated[
        str | None,
        typer.Option(
            "--carddav", metavar="URL", help="The address book's URL.", show_default=False
        ),
    ] = None,
    caldav: Annotated[
        str | None,
        typer.Option(
            "--caldav",
            metavar="URL",
            help="The calendar's URL (its to-dos hold the follow-ups).",
            show_default=False,
        ),
    ] = None,
    user: Annotated[
        str, typer.Option("--user", metavar="NAME", help="The user name on the server.")
    ] = "",
    password_command: Annotated[
        str | None,
        typer.Option(
            "--password-command",
            metavar="CMD",
            help='A command that prints the password, e.g. "pass show dav/me" or'
            ' "keyring get dav me"; it runs at each sync.',
            show_default=False,
        ),
    ] = None,
    prefer: PreferOpt = None,
    force: Annotated[
        bool, typer.Option("--force", help="Replace an existing sync config.")
    ] = False,
    json: JsonOption = False,
) -> None:
    """Write the sync config (vdirsyncer's) next to the database.

    Each URL is a collection's own, e.g. https://dav.example.org/me/contacts/ (made on the
    server if it is missing). Either may be left out (contacts only, or follow-ups only).
    The password is never
    stored: --password-command runs whenever vdirsyncer needs it. The config, vdirsyncer's
    status and the vdir live in <database>.sync/ beside the database file.

    \b
    Example:
      pcrm sync setup --user me --password-command "pass dav/me" --carddav URL
    """
    from pcrm.app.sync_config import SyncPaths, setup_sync
    from pcrm.render.sync import setup_lines, setup_pretty

    policy = _policy(prefer)
    env = get_env(ctx)
    result = setup_sync(
        SyncPaths(env.db_path),
        carddav=carddav,
        caldav=caldav,
        user=user,
        password_command=password_command,
        prefer=policy,  # type: ignore[arg-type]
        force=force,
    )
    emit(env, result, json_mode=json, pretty=setup_pretty, plain=setup_lines)
