"""Follow-ups: the task table and its plain-text form."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from typing import TYPE_CHECKING

from pcrm.dates import from_iso, humanize_day, plural, to_local
from pcrm.render.safe import clean

# Rich is imported where it draws: piped output (task_lines) and the agenda's rows go
# without it.
if TYPE_CHECKING:
    from rich.table import Table
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


# -- the open follow-ups of a contact, company or deal (`pcrm show`, `pcrm deal show`) ----


def due_relative(task: Task, today: date) -> str:
    """'2 days overdue', 'today 15:00', 'in 3 days 09:30': how far off, as the agenda says."""
    due = date.fromisoformat(task.due_date)
    if due < today:
        return f"{plural((today - due).days, 'day')} overdue"
    return f"{humanize_day(due, today)} {due_time(task)}".rstrip()


def follow_up_rows(tasks: list[Task], now: datetime, *, shown_in: str) -> Table:
    """One row per open follow-up: its id (what `pcrm follow-up done` takes), when it is due,
    its text, and whom and which deal it is about, but for the record `shown_in` (a
    "contact", "company" or "deal": the one whose view lists it)."""
    from rich.table import Table
    from rich.text import Text

    from pcrm.render.cells import t

    today = to_local(now).date()
    table = Table(box=None, pad_edge=False, show_header=False)
    table.add_column(style="id", justify="right", no_wrap=True)
    table.add_column(no_wrap=True)
    table.add_column(style="name", overflow="ellipsis", ratio=2)
    table.add_column(style="muted", overflow="ellipsis", ratio=1)
    for task in tasks:
        about = [link.name for link in (task.contact, task.deal) if link and link.kind != shown_in]
        words = Text(due_relative(task, today), BUCKET_STYLE.get(task.bucket, ""))
        table.add_row(f"#{task.id}", words, t(task.title), t(" · ".join(about)))
    return table


def follow_up_heading(shown: int, count: int, more: str) -> Text:
    """'Open follow-ups (12), the soonest 10: pcrm follow-up list --contact 3'."""
    from rich.text import Text

    heading = Text(f"Open follow-ups ({count})", "heading")
    if count > shown:
        heading.append(f", the soonest {shown}: {more}", "muted")
    return heading


def follow_up_lines(tasks: list[Task], count: int) -> Iterator[str]:
    """'follow-ups: N', then 'follow-up: ' and tab-separated: id, due day, local time,
    bucket, text; nothing when there are none."""
    if not count:
        return
    yield f"follow-ups: {count}"
    for task in tasks:
        yield "follow-up: " + "\t".join(
            clean(value, one_line=True)
            for value in (str(task.id), task.due_date, due_time(task), task.bucket, task.title)
        )
