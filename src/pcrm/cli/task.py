"""`pcrm follow-up [add]|list|done|snooze|edit|rm`; `pcrm task ...` is its hidden old name."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, Literal, cast

import typer
from typer.core import TyperGroup

from pcrm.cli.bulk import DryRunOpt, YesOpt, confirm_many, counted, print_dry_run
from pcrm.cli.env import get_env
from pcrm.cli.groups import DefaultCommandGroup
from pcrm.cli.helpformat import Typer
from pcrm.cli.listing import OffsetOption, ReverseOption, note_page, resolve_each
from pcrm.cli.output import (
    JsonOption,
    LimitOption,
    confirm_removal,
    emit,
    say,
)

if TYPE_CHECKING:
    from pcrm.cli.bulk import Section
    from pcrm.core.activity.tasks import Completed, Scope, Task


class FollowUpGroup(DefaultCommandGroup):
    """`pcrm follow-up REF TEXT --due WHEN` is `pcrm follow-up add ...`: the quick add."""

    default_argument = "[REF TEXT]"
    default_command = "add"

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if not args:  # `pcrm follow-up` alone: the group's help, not "missing REF"
            return TyperGroup.parse_args(self, ctx, args)
        return super().parse_args(ctx, args)


HELP = (
    "Add, list, finish, snooze, edit or remove follow-ups.\n\n"
    'Without a command it adds one: pcrm follow-up ada "Send the quote" --due fri. '
    "A contact named like a command is reached with `pcrm follow-up add REF TEXT`."
)
app = Typer(cls=FollowUpGroup, help=HELP, no_args_is_help=True)
# The old name of the group, kept working for scripts and hidden from --help.
task_app = Typer(help=HELP, no_args_is_help=True, hidden=True)

IdArg = Annotated[
    str, typer.Argument(metavar="ID", help="The follow-up's id (see pcrm follow-up list).")
]
IdsArg = Annotated[
    list[str],
    typer.Argument(
        metavar="ID",
        help="The follow-ups' ids, one or several (see pcrm follow-up list).",
        show_default=False,
    ),
]
RULE_HELP = 'weekly, 2w, 30d, quarterly, "every 2 weeks", "every monday", or an RRULE.'
# Spelled out here to keep `--help` light; a test checks it against core's SORTS.
Sort = Literal["due", "created", "title", "contact"]


def _label(task: Task) -> str:
    from pcrm.render.safe import clean

    return f"follow-up {task.id} {clean(task.title, one_line=True)}"


def _due(task: Task) -> str:
    from datetime import date

    from pcrm.render.tasks import due_time

    weekday = f"{date.fromisoformat(task.due_date):%a}"  # the resolved day: --due fri
    due = f"{weekday} {task.due_date} {due_time(task)}".rstrip()
    return f"{due}, {task.repeat}" if task.repeat else due


def follow_up(
    ctx: typer.Context,
    due: Annotated[
        str,
        typer.Option("--due", metavar="WHEN", help="When: a day, or a day and a time."),
    ],
    ref: Annotated[
        str | None,
        typer.Argument(
            metavar="REF",
            help="The contact: id, email or name; company:REF for a company. deal:ID for a "
            "deal; left out when --deal or --company names what it is about.",
            show_default=False,
        ),
    ] = None,
    text: Annotated[
        str | None, typer.Argument(metavar="TEXT", help="What to do.", show_default=False)
    ] = None,
    deal: Annotated[
        str | None,
        typer.Option("--deal", "-d", metavar="DEAL", help="The deal it is about: id or title."),
    ] = None,
    company: Annotated[
        str | None,
        typer.Option("--company", "-c", metavar="REF", help="The company it is about."),
    ] = None,
    every: Annotated[str | None, typer.Option("--every", metavar="RULE", help=RULE_HELP)] = None,
) -> None:
    """Add a follow-up for a contact, deal or company.

    It is due on a local calendar day (and at a time, if WHEN gives one): a follow-up due
    today stays today until midnight. A recurring one schedules its next occurrence
    when done. Without a contact: `--deal D TEXT` (or REF deal:D) for a deal, `--company
    REF TEXT` (or REF company:REF) for a company.

    `pcrm follow-up REF TEXT` is short for `pcrm follow-up add REF TEXT`.

    \b
    Example:
      pcrm follow-up add ada "Send the quote" --due "fri 9am" --deal "20 seats"
      pcrm follow-up add --deal "20 seats" "Chase the signature" --due mon
    """
    from pcrm.core.activity.tasks import TaskForm, add_task
    from pcrm.errors import InvalidInput

    if text is None and ref is not None and (deal is not None or company is not None):
        ref, text = None, ref  # `follow-up --deal D TEXT`: no contact
    if text is None:
        raise InvalidInput(
            "a follow-up needs a REF and a TEXT",
            hint='e.g. pcrm follow-up ada "Send the quote" --due fri; without a contact,'
            " --deal D or --company REF and the TEXT",
        )
    env = get_env(ctx)
    form = TaskForm(title=text, ref=ref, deal=deal, company=company, due=due, every=every)
    with env.database(write=True, create=False) as db:
        task = add_task(db, env.now, form)
    say(f"added {_label(task)}: due {_due(task)}")


app.command("add")(follow_up)


@app.command("list")
def list_(
    ctx: typer.Context,
    overdue: Annotated[
        bool, typer.Option("--overdue", help="Only open follow-ups due before today.")
    ] = False,
    today: Annotated[bool, typer.Option("--today", help="Only open follow-ups due today.")] = False,
    week: Annotated[
        bool, typer.Option("--week", help="Only open follow-ups due today or in the next 6 days.")
    ] = False,
    include_done: Annotated[
        bool, typer.Option("--include-done", help="Done follow-ups too.")
    ] = False,
    # --all is the old name of --include-done; elsewhere --all means "no cap on rows".
    all_: Annotated[bool, typer.Option("--all", hidden=True)] = False,
    contact: Annotated[
        list[str] | None,
        typer.Option(
            "--contact", metavar="REF", help="Only this contact's; repeatable (any of them)."
        ),
    ] = None,
    deal: Annotated[
        list[str] | None,
        typer.Option(
            "--deal", "-d", metavar="DEAL", help="Only this deal's; repeatable (any of them)."
        ),
    ] = None,
    sort: Annotated[
        Sort,
        typer.Option(
            metavar="ORDER",
            help="due (soonest first); created (newest first); title; contact (by name).",
        ),
    ] = "due",
    reverse: ReverseOption = False,
    limit: LimitOption = 100,
    offset: OffsetOption = 0,
    json: JsonOption = False,
) -> None:
    """List follow-ups: open ones, soonest first.

    The first 100 by default (--limit N, 0 for all); when some are left out, stderr
    says how many there are in all, also with --json.

    \b
    Example:
      pcrm follow-up list --week --contact ada
      pcrm follow-up list --overdue --limit 0
    """
    from pcrm.core.activity.tasks import count_tasks, list_tasks
    from pcrm.errors import InvalidInput

    chosen = [name for name, on in (("overdue", overdue), ("today", today), ("week", week)) if on]
    if include_done or all_:
        chosen.append("all")
    if len(chosen) > 1:
        raise InvalidInput("give one of --overdue, --today, --week and --include-done")
    env = get_env(ctx)
    with env.database(write=False) as db:
        from pcrm.core.refs import resolve_contact, resolve_deal

        scope = cast("Scope", chosen[0] if chosen else "open")
        contact_ids = resolve_each(db, contact, resolve_contact, "--contact")
        deal_ids = resolve_each(db, deal, resolve_deal, "--deal")
        tasks = list_tasks(
            db,
            env.now,
            scope,
            limit=limit or None,
            contact_ids=contact_ids,
            deal_ids=deal_ids,
            sort=sort,
            reverse=reverse,
            offset=offset,
        )
        total = offset + len(tasks)
        if (limit and len(tasks) == limit) or (offset and not tasks):
            total = count_tasks(db, env.now, scope, contact_ids=contact_ids, deal_ids=deal_ids)
    from pcrm.render.tasks import task_lines, task_table

    emit(
        env,
        tasks,
        json_mode=json,
        pretty=lambda value: task_table(value, env.now),
        plain=task_lines,
    )
    # On stderr in every mode: a script reading --json must hear that rows were left out.
    note_page(len(tasks), total, offset)


@app.command("done")
def done(
    ctx: typer.Context,
    task_ids: IdsArg,
    dry_run: DryRunOpt = False,
    yes: YesOpt = False,
) -> None:
    """Mark follow-ups done; a recurring one comes back.

    A recurring follow-up schedules its next occurrence.

    The next occurrence is the first day of the series after both the day it was due
    and today: missed occurrences are not piled up.

    Several ids are marked in one transaction, every id checked first (a bad one:
    nothing changes); asked first on a terminal (--yes: not asked; a script needs it).
    --dry-run lists them and changes nothing.

    \b
    Example:
      pcrm follow-up done 12
      pcrm follow-up done 2 8 9 --yes
    """
    from pcrm.core.activity.tasks import complete_task, complete_tasks, pick_tasks, resolve_task

    env = get_env(ctx)
    if len(task_ids) == 1 and not dry_run:  # one follow-up, as ever
        with env.database(write=True, create=False) as db:
            completed = complete_task(db, env.now, resolve_task(db, task_ids[0]))
        _say_done([completed])
        return
    with env.database(write=False) as db:
        picked = pick_tasks(db, task_ids, env.now)
    section = _section(picked, "would mark {} done", "")
    if dry_run:
        print_dry_run([section])
        return
    tasks = counted(len(picked), "follow-up")
    confirm_many(env, [section], f"Mark {tasks} done?", yes, refusal=f"not marking {tasks} done")
    with env.database(write=True, create=False) as db:
        _say_done(complete_tasks(db, env.now, picked))


def _say_done(completed: list[Completed]) -> None:
    for one in completed:
        say(f"done {_label(one.task)}")
        if one.next:
            say(f"next {_label(one.next)}: due {_due(one.next)}")


def _section(picked: list[Task], would: str, done: str) -> Section:
    """The follow-ups picked: '  12  2026-11-27  Send the quote'."""
    from pcrm.cli.bulk import Section, record_line

    lines = [record_line(task.id, task.due_date, task.title) for task in picked]
    return Section(would.format(counted(len(picked), "follow-up")), done, lines)


@app.command("snooze")
def snooze(
    ctx: typer.Context,
    task_id: IdArg,
    when: Annotated[str, typer.Argument(metavar="WHEN", help="The new due day (and time).")],
) -> None:
    """Move an open follow-up to another day.

    For a recurring follow-up this moves only this occurrence; `pcrm follow-up edit --due`
    moves the whole series.

    \b
    Example:
      pcrm follow-up snooze 12 "next mon 9am"
    """
    from pcrm.core.activity.tasks import resolve_task, snooze_task

    env = get_env(ctx)
    with env.database(write=True, create=False) as db:
        task = snooze_task(db, env.now, resolve_task(db, task_id), when)
    say(f"snoozed {_label(task)}: due {_due(task)}")


@app.command("edit")
def edit(
    ctx: typer.Context,
    task_id: IdArg,
    text: Annotated[str | None, typer.Option("--text", metavar="TEXT", help="New text.")] = None,
    due: Annotated[
        str | None,
        typer.Option("--due", metavar="WHEN", help="New due day; a series starts again from it."),
    ] = None,
    every: Annotated[str | None, typer.Option("--every", metavar="RULE", help=RULE_HELP)] = None,
    no_repeat: Annotated[
        bool, typer.Option("--no-repeat", help="Stop repeating: this is the last one.")
    ] = False,
) -> None:
    """Change a follow-up's text, due day or repeat rule.

    \b
    Example:
      pcrm follow-up edit 12 --due mon --every "every 2 weeks"
    """
    from pcrm.core.activity.tasks import TaskChanges, edit_task, resolve_task

    env = get_env(ctx)
    changes = TaskChanges(title=text, due=due, every=every, no_repeat=no_repeat)
    with env.database(write=True, create=False) as db:
        task = edit_task(db, env.now, resolve_task(db, task_id), changes)
    say(f"updated {_label(task)}: due {_due(task)}")


@app.command("rm")
def rm(
    ctx: typer.Context,
    task_ids: IdsArg,
    yes: YesOpt = False,
    dry_run: DryRunOpt = False,
) -> None:
    """Remove follow-ups (a recurring one: the whole series ends).

    Several ids are removed in one transaction, every id checked first (a bad one:
    nothing changes); --dry-run lists them and changes nothing.

    \b
    Example:
      pcrm follow-up rm 12 --yes
      pcrm follow-up rm 9 10 --dry-run
    """
    from pcrm.core.activity.tasks import (
        get_task,
        pick_tasks,
        remove_task,
        remove_tasks,
        resolve_task,
    )
    from pcrm.core.records import id_of_uid

    env = get_env(ctx)
    if len(task_ids) == 1 and not dry_run:  # one follow-up, as ever
        with env.database(write=False) as db:
            asked = get_task(db, resolve_task(db, task_ids[0]), env.now)
        label = _label(asked)
        confirm_removal(env, label, yes)
        with env.database(write=True, create=False) as db:  # by uid: the id may be reused
            removed = remove_task(
                db, env.now, id_of_uid(db, "task", asked.uid, label, "nothing removed")
            )
        say(f"removed {_label(removed)}")
        return
    with env.database(write=False) as db:
        picked = pick_tasks(db, task_ids, env.now)
    section = _section(picked, "would remove {}", "")
    if dry_run:
        print_dry_run([section])
        return
    tasks = counted(len(picked), "follow-up")
    confirm_many(
        env,
        [section],
        f"Remove {tasks}?",
        yes,
        refusal=f"not removing {tasks}",
        declined="nothing removed",
    )
    with env.database(write=True, create=False) as db:
        removed_all = remove_tasks(db, env.now, picked)
    for removed in removed_all:
        say(f"removed {_label(removed)}")


for _command in list(app.registered_commands):
    task_app.registered_commands.append(_command)
