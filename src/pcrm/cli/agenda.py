"""`pcrm agenda`: what is due, on a terminal, piped, as JSON, or for cron."""

import sys
from typing import Annotated

import typer

from pcrm.cli.env import get_env
from pcrm.cli.output import JsonOption, emit


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
            help="Plain text for a cron mail; prints nothing when nothing is due.",
        ),
    ] = False,
    all_: Annotated[
        bool, typer.Option("--all", "-a", help="Every item of each section, not the first 50.")
    ] = False,
    json: JsonOption = False,
) -> None:
    """Show what is due: follow-ups, people, birthdays, deals.

    Sections: overdue, today, planned (meetings and calls logged ahead with `log --at`,
    today and the next N days), upcoming (the next N days), stay in touch (contacts past
    their cadence), birthdays and anniversaries (`pcrm config set reminder_days N`), and
    deals needing attention (no follow-up, idle past the stage's limit, or past their
    expected close). Empty sections are left out; a long one shows its first 50 items
    and how many more there are (--all shows them all).

    With --cron the output is plain and stable, and empty when nothing but upcoming
    follow-ups and interactions planned after today is there, so cron only mails on days
    with something to do.

    \b
    Example:
      pcrm agenda --days 14
      pcrm agenda --cron
    """
    from pcrm.core.activity.agenda import build_agenda

    env = get_env(ctx)
    if cron and json:
        from pcrm.errors import InvalidInput

        raise InvalidInput("--cron and --json cannot go together")
    with env.database(write=False) as db:
        result = build_agenda(
            db, env.now, days if days_short is None else days_short, show_all=all_
        )
    if cron:
        if not result.anything_due:
            return  # most cron mornings: no mail, and no need to load Rich to say nothing
        from pcrm.render.agenda import cron_text

        sys.stdout.write(cron_text(result, env.now))
        return
    from pcrm.render import agenda as render

    emit(
        env,
        result,
        json_mode=json,
        pretty=lambda value: render.agenda_view(value, env.now),
        plain=lambda value: render.agenda_lines(value, env.now),
    )


def register(root: typer.Typer) -> None:
    root.command("agenda")(agenda)
