"""`pcrm report ...`: figures about the pipeline, wins and losses, activity, the lifecycle
funnel and lead sources. docs/reports.md defines every figure.

Reports register themselves (simonw/llm's `register_*` shape): `@report("NAME")` on a
function that takes the Env, the period and the report's own options, and returns its
figures with the two functions that draw them (`Shown`); its docstring is the help. The
registry adds the options every report shares, defined once here: `--since WHEN` and
`--until WHEN` (the period; see `read_period`) and `--json`; then it prints: Rich tables on
a terminal, plain tab-separated text when piped. A new report is a core module (the
figures), a render module (the view and the lines) and one registration below.

No `from __future__ import annotations`: the registry hands the report functions' own
parameters to Typer as they are, so their annotations must be objects, not strings.
"""

import inspect
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any, Generic, Literal, TypeVar

import typer

from pcrm.cli.env import Env, get_env
from pcrm.cli.helpformat import Typer
from pcrm.cli.output import JsonOption, emit

if TYPE_CHECKING:
    from pcrm.core.reports.period import Period

app = Typer()

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

Figures = TypeVar("Figures")


@dataclass(frozen=True)
class Shown(Generic[Figures]):
    """A report's figures and what draws them: `pretty(figures, now)` a Rich renderable for
    a terminal, `plain(figures)` the lines for a pipe."""

    figures: Figures
    pretty: Callable[[Figures, datetime], Any]
    plain: Callable[[Figures], Iterable[str]]


# name -> the report's function, in `pcrm report --help` order.
REPORTS: dict[str, Callable[..., Shown[Any]]] = {}


def read_period(
    env: Env,
    since: str | None,
    until: str | None,
    *,
    default_start: datetime | None = None,
    default_end: datetime | None = None,
) -> "Period":
    """The period of --since/--until: [start, end), a day meaning the whole local day on
    either side. A bad WHEN raises InvalidWhen (one error line, exit 1)."""
    from pcrm.core.reports.period import parse_period

    return parse_period(since, until, env.now, default_start=default_start, default_end=default_end)


def _shared(name: str, annotation: Any, default: Any) -> inspect.Parameter:
    return inspect.Parameter(
        name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=annotation
    )


# After each report's own options, in every report's --help.
SHARED = (
    _shared("since", SinceOption, None),
    _shared("until", UntilOption, None),
    _shared("json", JsonOption, False),
)


def report(
    name: str, *, ends_now: bool = False
) -> Callable[[Callable[..., Shown[Any]]], Callable[..., Shown[Any]]]:
    """Register `pcrm report NAME`. ends_now: without --until the period ends now (rather
    than being open), so a --since in the future is refused."""

    def register(compute: Callable[..., Shown[Any]]) -> Callable[..., Shown[Any]]:
        REPORTS[name] = compute
        app.command(name)(_command(compute, ends_now))
        return compute

    return register


def _command(compute: Callable[..., Shown[Any]], ends_now: bool) -> Callable[..., None]:
    """The Typer command of a report: its own options (the function's parameters after env
    and period), then --since, --until and --json."""

    def command(
        ctx: typer.Context, since: str | None, until: str | None, json: bool, **options: Any
    ) -> None:
        env = get_env(ctx)
        period = read_period(env, since, until, default_end=env.now if ends_now else None)
        shown = compute(env, period, **options)
        emit(
            env,
            shown.figures,
            json_mode=json,
            pretty=lambda figures: shown.pretty(figures, env.now),
            plain=shown.plain,
        )

    context = inspect.Parameter("ctx", inspect.Parameter.KEYWORD_ONLY, annotation=typer.Context)
    own = list(inspect.signature(compute).parameters.values())[2:]
    keyword = [param.replace(kind=inspect.Parameter.KEYWORD_ONLY) for param in own]
    command.__signature__ = inspect.Signature([context, *keyword, *SHARED])  # type: ignore[attr-defined]
    command.__doc__ = compute.__doc__
    return command


@report("pipeline")
def pipeline(
    env: Env,
    period: "Period",
    name: Annotated[
        str | None,
        typer.Option("--pipeline", metavar="NAME", help="Only this pipeline."),
    ] = None,
    # -p is --phone elsewhere; as --pipeline's old short form it still works, hidden.
    name_short: Annotated[str | None, typer.Option("-p", metavar="NAME", hidden=True)] = None,
) -> Shown[Any]:
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
    from pcrm.render.reports import pipeline_lines, pipeline_view

    name = name if name is not None else name_short
    with env.database(write=False) as db:
        chosen = resolve_pipeline(db, name) if name is not None else None
        return Shown(pipeline_report(db, env.now, period, chosen), pipeline_view, pipeline_lines)


# Spelled out here (not imported from core) to keep `--help` off sqlite-utils; a test
# checks that it matches core.reports.wins.BY.
By = Literal["month", "source", "tag"]


@report("wins")
def wins(
    env: Env,
    period: "Period",
    by: Annotated[
        By,
        typer.Option(
            "--by", metavar="GROUP", help="Group by close month, deal source or deal tag."
        ),
    ] = "month",
) -> Shown[Any]:
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
    from pcrm.render.report_wins import wins_lines, wins_view

    with env.database(write=False) as db:
        return Shown(wins_report(db, env.now, period, by), wins_view, wins_lines)


@report("activity", ends_now=True)
def activity(env: Env, period: "Period") -> Shown[Any]:
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
    from pcrm.render.report_activity import activity_lines, activity_view

    period = default_period(period, env.now)
    with env.database(write=False) as db:
        return Shown(activity_report(db, env.now, period), activity_view, activity_lines)


@report("funnel")
def funnel(env: Env, period: "Period") -> Shown[Any]:
    """Show the lifecycle funnel of the contacts who entered it.

    The cohort is the contacts whose first lifecycle change lies in the period: how many
    reached each stage, step-to-step and overall conversion, the median days between
    stages, and why contacts left at each step (moves to an exit, by reason).

    \b
    Example:
      pcrm report funnel --since 2026-01-01 --until 2026-06-30
    """
    from pcrm.core.reports.funnel import funnel_report
    from pcrm.render.lifecycle import funnel_lines, funnel_view

    with env.database(write=False) as db:
        return Shown(funnel_report(db, period), funnel_view, funnel_lines)


@report("sources")
def sources(env: Env, period: "Period") -> Shown[Any]:
    """Show which contact sources bring leads that become customers.

    Per source, of the contacts who entered the lifecycle in the period: leads, how many
    became customers, the conversion, and the value of their won deals per currency.

    \b
    Example:
      pcrm report sources --since "6 months ago"
    """
    from pcrm.core.reports.funnel import sources_report
    from pcrm.render.lifecycle import sources_lines, sources_view

    with env.database(write=False) as db:
        return Shown(sources_report(db, period), sources_view, sources_lines)


def _summary(names: list[str]) -> str:
    return f"Reports: {', '.join(names[:-1])} and {names[-1]}."


app.info.help = _summary(list(REPORTS))  # names every report registered above
