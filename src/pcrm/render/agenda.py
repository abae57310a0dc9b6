"""The agenda, three ways: Rich sections on a terminal, the same sections as plain text for
cron mail (no colour, fixed width, stable order), and tab-separated lines when piped.

Each section is a list of rows of the same five cells: when (in words), the local day,
what, with whom or why, and the record it points to ("task 12"); one row model keeps the
three outputs saying the same thing.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

from pcrm.dates import from_iso, humanize, humanize_day, plural, to_local
from pcrm.render.grid import Column, Line, grid, plain_text
from pcrm.render.safe import clean
from pcrm.render.tasks import due_time

# Rich is imported where it draws: piped output (agenda_lines) goes without it.
if TYPE_CHECKING:
    from rich.console import Console, ConsoleOptions, RenderResult
    from rich.text import Text

    from pcrm.core.activity.agenda import Agenda, Missed
    from pcrm.core.activity.models import Interaction
    from pcrm.core.activity.reminders import DealAttention, Occasion, TouchDue
    from pcrm.core.activity.runs import ShownItem
    from pcrm.core.activity.tasks import Task

CRON_WIDTH = 100  # cron mail has no terminal: a fixed width keeps the text stable


@dataclass
class Row:
    when: str
    day: str  # YYYY-MM-DD
    what: str
    detail: str
    ref: str
    style: str = ""


@dataclass
class Section:
    key: str  # stable name in plain and JSON output
    title: str
    rows: list[Row]
    total: int = 0  # items in the section, with those the agenda leaves out


# Where the follow-ups a section leaves out are listed in full.
_LIST_ALL = {"overdue": "pcrm follow-up list --overdue", "today": "pcrm follow-up list --today"}


def _day_label(day: str) -> str:
    value = date.fromisoformat(day)
    return f"{value:%a} {value.day} {value:%b}"


def _task_row(task: Task, today: date) -> Row:
    due = date.fromisoformat(task.due_date)
    if due < today:
        words, style = f"{plural((today - due).days, 'day')} overdue", "bad"
    elif due == today:
        words, style = f"today {due_time(task)}".rstrip(), "good"
    else:
        words, style = f"{humanize_day(due, today)} {due_time(task)}".rstrip(), ""
    who = [link.name for link in (task.contact, task.company, task.deal) if link]
    return Row(words, task.due_date, task.title, " · ".join(who), f"follow-up {task.id}", style)


def _planned_row(item: Interaction, today: date) -> Row:
    moment = to_local(from_iso(item.at))
    day = moment.date()
    # A day logged without a time is stored at its local midnight: say the day alone.
    clock = "" if (moment.hour, moment.minute) == (0, 0) else f" {moment:%H:%M}"
    words = f"{'today' if day == today else humanize_day(day, today)}{clock}"
    who = ", ".join(link.name for link in item.contacts)
    detail = " · ".join(part for part in (item.kind, who) if part)
    style = "good" if day == today else ""
    return Row(words, day.isoformat(), item.text, detail, f"interaction {item.id}", style)


def _last_touch(item: TouchDue, now: datetime) -> str:
    if item.last_contact:
        return f"last {humanize(from_iso(item.last_contact), now)}"
    return "never contacted"


def _touch_row(item: TouchDue, today: date, now: datetime) -> Row:
    due = date.fromisoformat(item.due_date)
    words = "due today" if due == today else f"due {humanize_day(due, today)}"
    detail = f"every {plural(item.cadence_days, 'day')}, {_last_touch(item, now)}"
    return Row(
        words, item.due_date, item.contact.name, detail, f"contact {item.contact.id}", "warn"
    )


def _occasion_detail(item: Occasion, passed: bool = False) -> str:
    """ "birthday, turns 41" ("turned" once the day has passed), "anniversary, 10 years"."""
    if item.kind == "birthday":
        turns = "turned" if passed else "turns"
        return f"birthday, {turns} {item.years}" if item.years else "birthday"
    return f"anniversary, {plural(item.years, 'year')}" if item.years else "anniversary"


def _occasion_row(item: Occasion, today: date) -> Row:
    words = humanize_day(date.fromisoformat(item.on), today)
    detail = _occasion_detail(item)
    style = "good" if item.on == today.isoformat() else ""
    return Row(words, item.on, item.contact.name, detail, f"contact {item.contact.id}", style)


def _missed_row(missed: Missed, today: date, now: datetime) -> Row:
    """A row of the missed section: the item's own row, said to be late, its kind first."""
    from pcrm.core.activity.reminders import Occasion, TouchDue

    item = missed.item
    if isinstance(item, Occasion):
        row = _occasion_row(item, today)
        row.detail = _occasion_detail(item, passed=True)
    elif isinstance(item, TouchDue):
        row = _touch_row(item, today, now)
        # The kind first; the cadence is left out to keep the row short (pcrm show has it).
        row.detail = f"stay in touch, {_last_touch(item, now)}"
    else:
        row = _task_row(item, today)
        row.detail = " · ".join(part for part in ("follow-up", row.detail) if part)
    row.when, row.style = f"late, {humanize_day(date.fromisoformat(missed.day), today)}", "bad"
    return row


def _deal_row(item: DealAttention, now: datetime) -> Row:
    active = from_iso(item.last_activity_at)
    words = f"idle {plural((now - active).days, 'day')}"
    detail = f"{item.stage}: " + ", ".join(item.reasons)
    day = to_local(active).date().isoformat()
    return Row(words, day, item.deal.name, detail, f"deal {item.deal.id}", "warn")


def sections(agenda: Agenda, now: datetime) -> list[Section]:
    """The non-empty sections, in agenda order."""
    today = date.fromisoformat(agenda.today)
    since = f"Missed since {_day_label(agenda.missed_since)}" if agenda.missed_since else "Missed"
    all_sections = [
        Section("missed", since, [_missed_row(item, today, now) for item in agenda.missed]),
        Section("overdue", "Overdue", [_task_row(task, today) for task in agenda.overdue]),
        Section("today", "Today", [_task_row(task, today) for task in agenda.due_today]),
        Section(
            "planned",
            "Planned today"
            if not agenda.days
            else f"Planned, today and next {plural(agenda.days, 'day')}",
            [_planned_row(item, today) for item in agenda.planned],
        ),
        Section(
            "upcoming",
            f"Upcoming, next {plural(agenda.days, 'day')}",
            [_task_row(task, today) for task in agenda.upcoming],
        ),
        Section(
            "stay-in-touch",
            "Stay in touch",
            [_touch_row(item, today, now) for item in agenda.stay_in_touch],
        ),
        Section(
            "dates",
            "Birthdays and anniversaries",
            [_occasion_row(item, today) for item in agenda.occasions],
        ),
        Section(
            "deals", "Deals needing attention", [_deal_row(item, now) for item in agenda.deals]
        ),
    ]
    for section in all_sections:
        more = agenda.more.get(section.key, 0)
        section.total = len(section.rows) + more
        if more:
            command = _LIST_ALL.get(section.key, "pcrm agenda --all")
            section.rows.append(Row("", "", f"… and {more} more", command, ""))
    return [section for section in all_sections if section.rows]


def shown_items(agenda: Agenda, now: datetime) -> list[ShownItem]:
    """What the agenda shows, row by row, as a cron run records it (agenda runs)."""
    from pcrm.core.activity.runs import ShownItem

    shown = []
    for section in sections(agenda, now):
        for row in section.rows:
            if row.ref:
                shown.append(ShownItem(section.key, row.ref, row.day, row.what))
        more = agenda.more.get(section.key, 0)
        if more:  # the "… and N more" row
            shown.append(ShownItem(section.key, "", "", "", more))
    return shown


WIDE = 100  # from this width a column shows the day as a date; below it the words suffice

# when, day, what, with whom or why, record: the what and the why wrap when room is short.
_COLUMNS = (
    Column(),
    Column(style="muted"),
    Column(style="name", wrap=True),
    Column(wrap=True),
    Column(style="id"),
)


def agenda_grid(shown: list[Section], width: int, wide: bool) -> list[Line]:
    """The sections as lines of styled runs: a heading over each section's aligned rows
    (columns sized per section), a blank line between sections; the date column only when
    `wide`. render/grid.py lays them out without Rich, for cron mail and terminal alike."""
    columns = _COLUMNS if wide else (_COLUMNS[0], *_COLUMNS[2:])
    lines: list[Line] = []
    for index, section in enumerate(shown):
        if index:
            lines.append([])
        lines.append([(f"{section.title} ({section.total})", "heading")])
        rows = []
        for row in section.rows:
            day = [(_day_label(row.day) if row.day else "", "")] if wide else []
            cells = (row.what, row.detail, row.ref)
            what, detail, ref = (clean(cell, one_line=True) for cell in cells)
            rows.append([(row.when, row.style), *day, (what, ""), (detail, ""), (ref, "")])
        lines.extend(grid(rows, columns, width))
    return lines


class AgendaView:
    """The sections for a terminal: the grid's runs as Rich segments (no Table to lay out:
    ~300 rows cost a tenth of what they did), the date column only when the terminal is
    wide enough, so 80 columns keep the text readable."""

    def __init__(self, shown: list[Section]) -> None:
        self.shown = shown

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        from rich.segment import Segment
        from rich.style import Style

        styles: dict[str, Style | None] = {"": None}
        width = options.max_width
        for line in agenda_grid(self.shown, width, wide=width >= WIDE):
            for text, name in line:
                if name not in styles:
                    styles[name] = console.get_style(name)
                yield Segment(text, styles[name])
            yield Segment.line()


def agenda_view(agenda: Agenda, now: datetime) -> AgendaView | Text:
    from rich.text import Text

    shown = sections(agenda, now)
    if not shown:
        ahead = f" in the next {plural(agenda.days, 'day')}" if agenda.days else " today"
        return Text(f"Nothing due{ahead}.", "muted")
    return AgendaView(shown)


def cron_text(agenda: Agenda, now: datetime) -> str:
    """The agenda for a cron mail: plain, fixed width, a dated first line; "" when nothing is
    due (upcoming follow-ups and interactions planned after today alone do not make a
    mail). Written without Rich: the grid is plain text already."""
    if not agenda.anything_due:
        return ""
    heading = date.fromisoformat(agenda.today).strftime("%A %d %B %Y")
    lines = agenda_grid(sections(agenda, now), CRON_WIDTH, wide=CRON_WIDTH >= WIDE)
    body = "\n".join(plain_text(line) for line in lines)
    return f"pcrm agenda for {heading}\n\n{body}\n"


def agenda_lines(agenda: Agenda, now: datetime) -> Iterator[str]:
    """Tab-separated, no header: section, local day, when in words, what, detail, record."""
    for section in sections(agenda, now):
        for row in section.rows:
            yield "\t".join(
                clean(value, one_line=True)
                for value in (section.key, row.day, row.when, row.what, row.detail, row.ref)
            )
