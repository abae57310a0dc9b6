"""Follow-ups: the task table and its plain-text form."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from typing import TYPE_CHECKING

from pcrm.dates import from_iso, humanize_day, to_local
from pcrm.render.safe import clean

# Rich is imported where it draws: piped output (task_lines) and the agenda's rows go
# without it.
if TYPE_CHECKING:
    from rich.text import Text

    from pcrm.core.activity.tasks import Task
    from pcrm.render.fit import FittedTable

BUCKET_STYLE = {"overdue": "bad", "today": "good", "done": "muted"}


def due_time(task: Task) -> str:
    """The local time of day it is due, 'HH:MM', or '' when only a day was given."""
    return to_local(from_iso(task.due_at)).strftime("%H:%M") if task.due_at else ""


def due_words(task: Task, now: datetime) -> str:
    """'today', '2 days ago', 'in 3 days': by local calendar day, as buckets are."""
    if task.status == "done":
        return "done"
    return humanize_day(date.fromisoformat(task.due_date), to_local(now).date())


def _who(task: Task) -> str | None:
    names = [link.name for link in (task.contact, task.company) if link]
    return " · ".join(names) or None


def task_table(tasks: list[Task], now: datetime) -> FittedTable | Text:
    """ID, task, due day (and time), how far off, who, deal, repeat rule."""
    from rich.text import Text

    from pcrm.render.cells import t
    from pcrm.render.fit import Column, FittedTable

    if not tasks:
        return Text("No follow-ups to show.", "muted")
    columns = [
        Column("ID", [Text(str(task.id)) for task in tasks], True, False, "right", "id"),
        Column("Follow-up", [t(task.title) for task in tasks], True, style="name"),
        Column(
            "Due",
            [Text(f"{task.due_date} {due_time(task)}".rstrip()) for task in tasks],
            shrink=False,
        ),
        Column(
            "When",
            [Text(due_words(task, now), BUCKET_STYLE.get(task.bucket, "")) for task in tasks],
            shrink=False,
        ),
        Column("With", [t(_who(task)) for task in tasks]),
        Column("Deal", [t(task.deal.name if task.deal else None) for task in tasks]),
        Column("Repeats", [t(task.repeat) for task in tasks], style="muted"),
    ]
    return FittedTable(columns, ["Due", "When", "With", "Deal", "Repeats"])


def task_lines(tasks: list[Task]) -> Iterator[str]:
    """Tab-separated, no header: id, due day, local time, bucket (overdue, today, upcoming,
    done), text, contact, company, deal, RRULE."""
    for task in tasks:
        yield "\t".join(
            clean(value, one_line=True)
            for value in (
                str(task.id),
                task.due_date,
                due_time(task),
                task.bucket,
                task.title,
                task.contact.name if task.contact else "",
                task.company.name if task.company else "",
                task.deal.name if task.deal else "",
                task.rrule or "",
            )
        )
