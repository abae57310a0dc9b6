"""`pcrm agenda`: what is due, on a terminal, piped, as JSON, or for cron (delivered by
printing or through a command, each cron run recorded); `pcrm agenda runs`: those runs."""

import sys
from typing import Annotated

import typer

from pcrm.cli.env import get_env
from pcrm.cli.helpformat import Typer
from pcrm.cli.output import JsonOption, emit

app = Typer(
    invoke_without_command=True, no_args_is_help=False, subcommand_metavar="[COMMAND [ARGS]...]"
)


@app.callback()
def agenda(
    ctx: typer.Context,
    days: Annotated[
        int,
        typer.Option(
            "--days",
            metavar="N",
            help="How many days ahead to list follow-ups and planned interactions.",
        ),
    ] = 7,
    # -n is --limit everywhere else; as --days's old short form it still works, hidden.
    days_short: Annotated[int | None, typer.Option("-n", metavar="N", hidden=True)] = None,
    cron: Annotated[
        bool,
        typer.Option(
            "--cron",
            help="Plain text for a cron mail; prints nothing when nothing is due. Each run "
            "is recorded (pcrm agenda runs).",
        ),
    ] = False,
    deliver: Annotated[
        str | None,
        typer.Option(
            "--deliver",
            metavar="CMD",
            help="With --cron: pipe the text to CMD (run by sh -c) instead of printing it; "
            "'' prints (default: the agenda.deliver setting).",
            show_default=False,
        ),
    ] = None,
    all_: Annotated[
        bool, typer.Option("--all", "-a", help="Every item of each section, not the first 50.")
    ] = False,
    json: JsonOption = False,
) -> None:
    """Show what is due: follow-ups, people, birthdays, deals.

    Sections: missed (what fell due on days no `--cron` run delivered), overdue, today,
    planned (meetings and calls logged ahead with `log --at`, today and the next N days),
    upcoming (the next N days), stay in touch (contacts past their cadence), birthdays
    and anniversaries (`pcrm config set reminder_days N`), and deals needing attention
    (no follow-up, idle past the stage's limit, or past their expected close). Empty
    sections are left out; a long one shows its first 50 items and how many more there
    are (--all shows them all).

    With --cron the output is plain and stable, and empty when nothing but upcoming
    follow-ups and interactions planned after today is there, so cron only mails on days
    with something to do. Each --cron run is recorded; --deliver CMD pipes the text to a
    command instead (a failing command exits 1, and its items are shown again next run).

    \b
    Example:
      pcrm agenda --days 14
      pcrm agenda --cron
      pcrm agenda --cron --deliver 'mail -s "pcrm agenda" you@example.org'
      pcrm agenda runs
    """
    from pcrm.errors import InvalidInput

    sub = ctx.invoked_subcommand
    if sub is not None:
        if cron or json or all_ or deliver is not None or days != 7 or days_short is not None:
            raise InvalidInput(
                f"the agenda's options do not apply to `pcrm agenda {sub}`",
                hint=f"give its own options after it, e.g. pcrm agenda {sub} --json",
            )
        return

    env = get_env(ctx)
    if cron and json:
        raise InvalidInput("--cron and --json cannot go together")
    if deliver is not None and not cron:
        raise InvalidInput("--deliver needs --cron", hint="pcrm agenda --cron --deliver CMD")
    ahead = days if days_short is None else days_short
    if cron:
        from pcrm.app.agenda_cron import run_cron

        run = run_cron(env, env.now, ahead, show_all=all_, command=deliver, write=sys.stdout.write)
        if run.status == "failed" or run.not_recorded:
            from pcrm.cli.output import ExitStatus, error_lines

            if run.status == "failed":
                error_lines(run.message())
            if run.not_recorded:
                error_lines(run.not_recorded)
            raise typer.Exit(ExitStatus.ERROR)
        return
    from pcrm.core.activity.agenda import build_agenda

    with env.database(write=False) as db:
        result = build_agenda(db, env.now, ahead, show_all=all_)
    from pcrm.render import agenda as render

    emit(
        env,
        result,
        json_mode=json,
        pretty=lambda value: render.agenda_view(value, env.now),
        plain=lambda value: render.agenda_lines(value, env.now),
    )


@app.command("runs")
def runs(
    ctx: typer.Context,
    limit: Annotated[
        int,
        typer.Option("--limit", "-n", metavar="N", min=0, help="Show the N newest runs (0: all)."),
    ] = 10,
    items: Annotated[
        bool, typer.Option("--items", "-i", help="List the items each run showed.")
    ] = False,
    json: JsonOption = False,
) -> None:
    """List the recent `agenda --cron` runs, newest first.

    Each run: when it ran (local time), the day it was for, its status (delivered,
    silent: nothing was due, failed: the delivery command failed), how it delivered
    (print, or the command) and how many items each section showed; --items lists
    them. --json always holds the items.

    \b
    Example:
      pcrm agenda runs --items
    """
    from pcrm.cli.output import MAX_LIMIT
    from pcrm.core.activity.runs import recent_runs

    env = get_env(ctx)
    with env.database(write=False) as db:
        found, total = recent_runs(db, limit or MAX_LIMIT)
    from pcrm.render import agenda_runs as render

    emit(
        env,
        found,
        json_mode=json,
        pretty=lambda value: render.runs_view(value, items),
        plain=lambda value: render.runs_lines(value, items),
    )
    if not json and total > len(found):
        from pcrm.cli.output import note

        note(f"showing {len(found)} of {total} runs (use --limit 0 for all)")
