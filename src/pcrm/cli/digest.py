"""`pcrm digest`: the weekly summary, on a terminal, as mail text, Markdown or JSON."""

from typing import Annotated, Literal

import typer

from pcrm.cli.env import get_env
from pcrm.cli.output import JsonOption, emit
from pcrm.cli.report import SinceOption, UntilOption, read_period

Format = Literal["auto", "text", "markdown", "json"]


def digest(
    ctx: typer.Context,
    week: Annotated[
        bool, typer.Option("--week", help="The last full week, Monday to Sunday (the default).")
    ] = False,
    month: Annotated[bool, typer.Option("--month", help="The last full calendar month.")] = False,
    since: SinceOption = None,
    until: UntilOption = None,
    cron: Annotated[
        bool,
        typer.Option(
            "--cron",
            help="Plain text for a cron mail; prints nothing when the period had nothing"
            " and nothing is coming.",
        ),
    ] = False,
    format_: Annotated[
        Format,
        typer.Option(
            "--format",
            metavar="FORMAT",
            help="auto (Rich on a terminal, else text), text, markdown or json.",
        ),
    ] = "auto",
    json: JsonOption = False,
) -> None:
    """Summarise last week: activity, deals, who is slipping.

    The last full week (Monday to Sunday, local time) unless --month (the last full
    calendar month) or --since/--until say otherwise: interactions by kind and the people
    most and least in touch; new contacts and lifecycle moves; deals created, moved, won
    and lost, and the pipeline then and now; follow-ups done and overdue; contacts past
    their cadence; and the coming week (planned interactions, follow-ups, birthdays,
    deals expected to close). Every figure agrees with `pcrm report` for the same period.

    \b
    Example:
      pcrm digest
      pcrm digest --month --format markdown > digest.md
      pcrm digest --since 2026-10-01 --until 2026-12-31 --json
      pcrm digest --cron
    """
    from pcrm.errors import InvalidInput

    env = get_env(ctx)
    if week and month:
        raise InvalidInput("--week and --month cannot go together", hint="choose one")
    if (week or month) and (since is not None or until is not None):
        raise InvalidInput(
            f"--{'week' if week else 'month'} cannot go with --since/--until", hint="choose one"
        )
    if json and format_ not in ("auto", "json"):
        raise InvalidInput(f"--json cannot go with --format {format_}", hint="choose one")
    shape = "json" if json else format_
    if cron and shape == "json":
        raise InvalidInput("--cron and --json cannot go together", hint="--cron prints text")

    from pcrm.core.reports.digest import build_digest, digest_period

    if since is not None or until is not None:
        from pcrm.core.reports.period import Period
        from pcrm.dates import to_iso
        from pcrm.render.reports import period_text

        period = read_period(env, since, until)
        which = digest_period(env.now, "custom", period)
        cut = Period(which.start, which.end)
        which.label = period_text(cut, open_end=which.end == to_iso(env.now))
    else:
        which = digest_period(env.now, "month" if month else "week")
    with env.database(write=False) as db:
        result = build_digest(db, env.now, which)

    from pcrm.render import digest as render

    if cron and not (result.period_had_something or result.anything_coming):
        return  # a quiet week: no mail
    if shape == "markdown":
        env.stdout.write(render.digest_markdown(result))
    elif cron or shape == "text":
        env.stdout.write(render.digest_text(result))
    else:
        emit(
            env,
            result,
            json_mode=shape == "json",
            pretty=lambda value: render.digest_view(value, env.now),
            plain=render.digest_lines,
        )


def register(root: typer.Typer) -> None:
    root.command("digest")(digest)
