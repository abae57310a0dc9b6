"""`pcrm report ...`: figures about the pipeline, wins and losses, activity, the lifecycle
funnel and lead sources.

Every report takes the same options, defined once here: `--since WHEN` and `--until WHEN`
(the period; see `read_period`) and `--json`. On a terminal it draws Rich tables; piped,
plain tab-separated text. docs/reports.md defines every figure.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Literal

import typer

from pcrm.cli.env import Env, get_env
from pcrm.cli.helpformat import Typer
from pcrm.cli.output import JsonOption, emit

if TYPE_CHECKING:
    from datetime import datetime

    from pcrm.core.reports.period import Period

app = Typer(help="Reports: pipeline, wins, activity, funnel and sources.")

SinceOption = Annotated[
    str | None,
    typer.Option(
        "--since", metavar="WHEN", help="Start of the period, included (a day: from its start)."
    ),
]
UntilOption = Annotated[
    str | None,
    typer.Option(
        "--until", metavar="WHEN", help="End of the period: a day is included, a time is not."
    ),
]


def read_period(
    env: Env,
    since: str | None,
    until: str | None,
    *,
    default_start: datetime | None = None,
    default_end: datetime | None = None,
) -> Period:
    """The period of --since/--until: [start, end), a day meaning the whole local day on
    either side. A bad WHEN raises InvalidWhen (one error line, exit 1)."""
    from pcrm.core.reports.period import parse_period

    return parse_period(since, until, env.now, default_start=default_start, default_end=default_end)


@app.command("pipeline")
def pipeline(
    ctx: typer.Context,
    name: Annotated[
        str | None,
        typer.Option("--pipeline", "-p", metavar="NAME", help="Only this pipeline."),
    ] = None,
    since: SinceOption = None,
    until: UntilOption = None,
    json: JsonOption = False,
) -> None:
    """Show open deal value, weighted value and the forecast.

    Per stage and per pipeline: open deals, their value and weighted value (value × the
    stage's win probability) per currency, average age and stale deals; then the weighted
    forecast by expected close month. --since/--until keep the deals expected to close in
    the period (deals without a close date are then left out).

    \b
    Example:
      pcrm report pipeline --until eom
    """
    from pcrm.core.deals.pipelines import resolve_pipeline
    from pcrm.core.reports.pipeline import pipeline_report

    env = get_env(ctx)
    period = read_period(env, since, until)
    with env.database(write=False) as db:
        chosen = resolve_pipeline(db, name) if name is not None else None
        report = pipeline_report(db, env.now, period, chosen)
    from pcrm.render.reports import pipeline_lines, pipeline_view

    emit(
        env,
        report,
        json_mode=json,
        pretty=lambda value: pipeline_view(value, env.now),
        plain=pipeline_lines,
    )


# Spelled out here (not imported from core) to keep `--help` off sqlite-utils; a test
# checks that it matches core.report_wins.BY.
By = Literal["month", "source", "tag"]


@app.command("wins")
def wins(
    ctx: typer.Context,
    by: Annotated[
        By,
        typer.Option(
            "--by", metavar="GROUP", help="Group by close month, deal source or deal tag."
        ),
    ] = "month",
    since: SinceOption = None,
    until: UntilOption = None,
    json: JsonOption = False,
) -> None:
    """Show won and lost deals, win rates and lost reasons.

    Deals closed in the period (by the time they last closed), grouped by month, source
    or tag: won and lost counts and values, win rate by count and by value (per currency),
    average won deal, median days from creation to the win, and lost reasons ranked. A
    reopened deal counts once, with the outcome it has now.

    \b
    Example:
      pcrm report wins --by source --since 2026-01-01
    """
    from pcrm.core.reports.wins import wins_report

    env = get_env(ctx)
    period = read_period(env, since, until)
    with env.database(write=False) as db:
        report = wins_report(db, env.now, period, by)
    from pcrm.render.report_wins import wins_lines, wins_view

    emit(
        env,
        report,
        json_mode=json,
        pretty=lambda value: wins_view(value, env.now),
        plain=wins_lines,
    )


@app.command("activity")
def activity(
    ctx: typer.Context,
    since: SinceOption = None,
    until: UntilOption = None,
    json: JsonOption = False,
) -> None:
    """Show interactions per week, contacts touched and follow-ups.

    One row per week (Monday to Sunday): interactions of each kind, contacts touched,
    follow-ups done and follow-ups overdue (due that week, not done by their day), with a
    bar per week on a terminal. Without --since: the last eight weeks, this one included;
    without --until: up to now.

    \b
    Example:
      pcrm report activity --since 2026-09-01
    """
    from pcrm.core.reports.activity import activity_report, default_period

    env = get_env(ctx)
    period = default_period(read_period(env, since, until, default_end=env.now), env.now)
    with env.database(write=False) as db:
        report = activity_report(db, env.now, period)
    from pcrm.render.report_activity import activity_lines, activity_view

    emit(
        env,
        report,
        json_mode=json,
        pretty=lambda value: activity_view(value, env.now),
        plain=activity_lines,
    )


@app.command("funnel")
def funnel(
    ctx: typer.Context,
    since: SinceOption = None,
    until: UntilOption = None,
    json: JsonOption = False,
) -> None:
    """Show the lifecycle funnel of the contacts who entered it.

    The cohort is the contacts whose first lifecycle change lies in the period: how many
    reached each stage, step-to-step and overall conversion, the median days between
    stages, and why contacts left at each step (moves to an exit, by reason).

    \b
    Example:
      pcrm report funnel --since 2026-01-01 --until 2026-06-30
    """
    from pcrm.core.reports.funnel import funnel_report

    env = get_env(ctx)
    period = read_period(env, since, until)
    with env.database(write=False) as db:
        report = funnel_report(db, period)
    from pcrm.render.lifecycle import funnel_lines, funnel_view

    emit(
        env,
        report,
        json_mode=json,
        pretty=lambda value: funnel_view(value, env.now),
        plain=funnel_lines,
    )


@app.command("sources")
def sources(
    ctx: typer.Context,
    since: SinceOption = None,
    until: UntilOption = None,
    json: JsonOption = False,
) -> None:
    """Show which contact sources bring leads that become customers.

    Per source, of the contacts who entered the lifecycle in the period: leads, how many
    became customers, the conversion, and the value of their won deals per currency.

    \b
    Example:
      pcrm report sources --since "6 months ago"
    """
    from pcrm.core.reports.funnel import sources_report

    env = get_env(ctx)
    period = read_period(env, since, until)
    with env.database(write=False) as db:
        report = sources_report(db, period)
    from pcrm.render.lifecycle import sources_lines, sources_view

    emit(
        env,
        report,
        json_mode=json,
        pretty=lambda value: sources_view(value, env.now),
        plain=sources_lines,
    )
