"""Deals: the list table, the deal's own view, and their plain-text forms; stage lists."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import TYPE_CHECKING

from pcrm.dates import format_local, from_iso, humanize, humanize_day, to_local
from pcrm.render import money
from pcrm.render.cells import t
from pcrm.render.fields import value_text
from pcrm.render.records import follow_ups_section, interaction_rows
from pcrm.render.safe import clean
from pcrm.render.tasks import follow_up_lines

if TYPE_CHECKING:
    from rich.console import RenderableType
    from rich.table import Table
    from rich.text import Text

    from pcrm.core.deals.models import Deal, DealView, Pipeline, Stage, StageSpell
    from pcrm.render.fit import FittedTable

STATUS_STYLE = {"won": "good", "lost": "bad"}


def days(count: int) -> str:
    return "< 1 day" if count == 0 else f"{count} day{'s' if count != 1 else ''}"


def _elapsed_days(stamp: str, now: datetime) -> int:
    return max(0, int((now - from_iso(stamp)).total_seconds() // 86400))


def weighted(deal: Deal) -> int:
    """The value × the stage's win probability, rounded half up to a whole minor unit."""
    return (deal.value * deal.probability + 50) // 100


def _value(deal: Deal) -> str:
    return money.money(deal.value, deal.currency, deal.exponent)


# -- the list ----------------------------------------------------------------------------


def _where(deal: Deal) -> Text:
    from rich.text import Text

    if deal.status == "open":
        return t(deal.stage.name)
    return Text(deal.status, STATUS_STYLE[deal.status])


def _close(deal: Deal) -> str:
    if deal.status != "open" and deal.closed_at:
        return format_local(from_iso(deal.closed_at), with_time=False)
    return deal.expected_close or ""


def deal_table(deals: list[Deal], now: datetime) -> FittedTable | Text:
    """ID, title, company, stage (or won/lost), value, expected close (or the day it
    closed), time in stage; the pipeline too when the deals come from several."""
    from rich.text import Text

    from pcrm.render.fit import Column, FittedTable  # terminal only: `contact show` draws none

    if not deals:
        return Text("No deals to show.", "muted")
    values = money.aligned([(d.value, d.currency, d.exponent) for d in deals], zero="—")
    several = len({deal.pipeline.id for deal in deals}) > 1
    # The amounts come padded to one width and are printed left-justified (a right-justified
    # cell would lose the room kept for currency codes); the title is padded to match.
    value_header = "Value".rjust(len(values[0]))
    columns = [
        Column("ID", [Text(str(d.id)) for d in deals], True, False, "right", "id"),
        Column("Title", [t(d.title) for d in deals], True, style="name"),
        Column("Company", [t(d.company.name if d.company else None) for d in deals]),
        Column("Pipeline", [t(d.pipeline.name if several else None) for d in deals]),
        Column("Stage", [_where(d) for d in deals]),
        Column(
            value_header,
            [Text(text) for text in values],
            shrink=False,
        ),
        Column("Close", [Text(_close(d)) for d in deals], shrink=False),
        Column(
            "In stage",
            [
                Text(days(_elapsed_days(d.stage_entered_at, now)) if d.status == "open" else "")
                for d in deals
            ],
            shrink=False,
            style="muted",
        ),
    ]
    return FittedTable(columns, ["Stage", value_header, "Company", "Close", "Pipeline", "In stage"])


def deal_lines(deals: list[Deal]) -> Iterator[str]:
    """Tab-separated, no header: id, title, company, pipeline, stage, status, value (major
    units, no grouping), currency, expected close, closed at, stage entered at, tags."""
    for deal in deals:
        yield "\t".join(
            clean(value, one_line=True)
            for value in (
                str(deal.id),
                deal.title,
                deal.company.name if deal.company else "",
                deal.pipeline.name,
                deal.stage.name,
                deal.status,
                money.plain(deal.value, deal.exponent),
                deal.currency,
                deal.expected_close or "",
                deal.closed_at or "",
                deal.stage_entered_at,
                ",".join(deal.tags),
            )
        )


# -- one deal ----------------------------------------------------------------------------


def _contacts(deal: Deal) -> Text:
    from rich.text import Text

    lines = Text()
    for index, person in enumerate(deal.contacts):
        if index:
            lines.append("\n")
        lines.append_text(t(person.name))
        if person.role:
            lines.append(" ")
            lines.append_text(t(f"({person.role})", "muted"))
    return lines


def _status_line(deal: Deal, now: datetime) -> Text:
    from rich.text import Text

    line = Text()
    if deal.status == "open":
        line.append("open", "heading")
        line.append(" in ")
        line.append_text(t(f"{deal.stage.name} ({deal.pipeline.name})"))
        line.append(f", {days(_elapsed_days(deal.stage_entered_at, now))} in stage", "muted")
    else:
        line.append(deal.status, STATUS_STYLE[deal.status])
        if deal.closed_at:
            line.append(f" {humanize(from_iso(deal.closed_at), now)}")
        line.append(" in ", "muted")
        line.append_text(t(f"{deal.stage.name} ({deal.pipeline.name})", "muted"))
    return line


def _close_text(deal: Deal, now: datetime) -> str:
    if not deal.expected_close:
        return ""
    day = datetime.fromisoformat(deal.expected_close).date()
    return f"{deal.expected_close} ({humanize_day(day, to_local(now).date())})"


def _value_text(deal: Deal) -> Text:
    from rich.text import Text

    if not deal.value:
        return Text("no value", "muted")
    line = Text(_value(deal))
    if deal.status == "open":
        worth = money.money(weighted(deal), deal.currency, deal.exponent)
        line.append(f"  weighted {worth} ({deal.probability}%)", "muted")
    return line


def _fields(deal: Deal, now: datetime) -> Table:
    from rich.table import Table
    from rich.text import Text

    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="muted", no_wrap=True)
    grid.add_column(overflow="ellipsis")
    rows: list[tuple[str, Text | str]] = [
        ("Value", _value_text(deal)),
        ("Status", _status_line(deal, now)),
        ("Lost because", t(deal.lost_reason)),
        ("Close", _close_text(deal, now)),
        ("Company", t(deal.company.name if deal.company else None)),
        ("Contacts", _contacts(deal)),
        ("Source", t(deal.source)),
        ("Tags", t(", ".join(deal.tags), "tag")),
        *((name, t(value_text(value))) for name, value in deal.fields.items()),
        ("Created", humanize(from_iso(deal.created_at), now)),
        ("Last activity", humanize(from_iso(deal.last_activity_at), now)),
    ]
    for label, value in rows:
        if (value.plain if isinstance(value, Text) else value).strip():
            grid.add_row(label, value)
    return grid


def _spell_rows(spells: list[StageSpell]) -> Table:
    from rich.table import Table
    from rich.text import Text

    table = Table(box=None, pad_edge=False, show_header=False)
    table.add_column(style="name", overflow="ellipsis")
    table.add_column(justify="right", no_wrap=True)
    table.add_column(style="muted", no_wrap=True)
    table.add_column(no_wrap=True)
    for spell in spells:
        entered = format_local(from_iso(spell.entered_at), with_time=False)
        if spell.left_at:
            span = f"{entered} → {format_local(from_iso(spell.left_at), with_time=False)}"
        else:
            span = f"since {entered}"
        ended = Text(spell.ended_by or "now", STATUS_STYLE.get(spell.ended_by or "", "muted"))
        table.add_row(t(spell.stage), days(spell.days), span, ended)
    return table


def deal_view(view: DealView, now: datetime) -> RenderableType:
    from rich.console import Group
    from rich.padding import Padding
    from rich.text import Text

    deal = view.deal
    heading = Text()
    heading.append(clean(deal.title, one_line=True), "bold")
    if deal.company:
        heading.append("  " + clean(deal.company.name, one_line=True), "muted")
    heading.append(f"  deal {deal.id}", "id")
    parts: list[RenderableType] = [heading, Padding(_fields(deal, now), (1, 0, 0, 2))]
    if deal.note:
        parts.append(Padding(Text(clean(deal.note)), (1, 0, 0, 2)))
    more = f"pcrm follow-up list --deal {deal.id}"
    parts.extend(follow_ups_section(view.follow_ups, view.follow_up_count, now, "deal", more))
    parts.append(Padding(Text("Time in stage", "heading"), (1, 0, 0, 0)))
    parts.append(Padding(_spell_rows(view.time_in_stage), (0, 0, 0, 2)))
    count = view.interaction_count
    title = Text(f"Interactions ({count})", "heading")
    if count > len(view.interactions):
        title.append(f", the newest {len(view.interactions)}", "muted")
    parts.append(Padding(title, (1, 0, 0, 0)))
    if view.interactions:
        parts.append(Padding(interaction_rows(view.interactions, now, who=True), (0, 0, 0, 2)))
    return Group(*parts)


def deal_view_lines(view: DealView) -> Iterator[str]:
    """`key: value` lines, then one `stage:` line per time in a stage (name, days, entered,
    left, how it ended), the open follow-ups (`follow-up:` id, due day, time, bucket, text),
    then the interactions (time, kind, contacts, text), tab-separated."""
    deal = view.deal
    yield f"deal {deal.id}: {clean(deal.title, one_line=True)}"
    fields = [
        ("value", f"{money.plain(deal.value, deal.exponent)} {deal.currency}"),
        ("status", deal.status),
        ("pipeline", deal.pipeline.name),
        ("stage", deal.stage.name),
        ("probability", f"{deal.probability}"),
        ("closed", deal.closed_at or ""),
        ("lost reason", deal.lost_reason or ""),
        ("expected close", deal.expected_close or ""),
        ("company", deal.company.name if deal.company else ""),
        *(("contact", f"{p.name} ({p.role})" if p.role else p.name) for p in deal.contacts),
        ("source", deal.source or ""),
        ("tags", ", ".join(deal.tags)),
        *((name, value_text(value)) for name, value in deal.fields.items()),
        ("created", deal.created_at),
        ("last activity", deal.last_activity_at),
    ]
    for key, value in fields:
        if value:
            yield f"{key}: {clean(value, one_line=True)}"
    if deal.note:
        yield from (f"note: {line}" for line in clean(deal.note).splitlines())
    for spell in view.time_in_stage:
        yield "in stage: " + "\t".join(
            clean(value, one_line=True)
            for value in (
                spell.stage,
                str(spell.days),
                spell.entered_at,
                spell.left_at or "",
                spell.ended_by or "",
            )
        )
    yield from follow_up_lines(view.follow_ups, view.follow_up_count)
    yield f"interactions: {view.interaction_count}"
    for item in view.interactions:
        names = ", ".join(link.name for link in item.contacts)
        yield "\t".join(
            clean(value, one_line=True) for value in (item.at, item.kind, names, item.text)
        )


# -- stages ------------------------------------------------------------------------------


def stage_table(pipeline: Pipeline) -> RenderableType:
    """The pipeline's name, then its stages in order."""
    from rich.console import Group
    from rich.padding import Padding
    from rich.table import Table
    from rich.text import Text

    heading = Text(clean(pipeline.name, one_line=True), "bold")
    if pipeline.is_default:
        heading.append("  default pipeline", "muted")
    table = Table(box=None, pad_edge=False, header_style="heading")
    table.add_column("#", justify="right", style="id", no_wrap=True)
    table.add_column("Stage", style="name", overflow="ellipsis")
    table.add_column("Win %", justify="right", no_wrap=True)
    table.add_column("Stale after", justify="right", no_wrap=True)
    table.add_column("Open deals", justify="right", no_wrap=True)
    for stage in pipeline.stages:
        table.add_row(
            str(stage.position),
            t(stage.name),
            f"{stage.probability}%",
            days(stage.rot_days) if stage.rot_days else "never",
            str(stage.open_deals),
        )
    return Group(heading, Padding(table, (1, 0, 0, 0)))


def stage_lines(stages: list[Stage]) -> Iterator[str]:
    """Tab-separated, no header: position, name, probability, rotting days (empty: none),
    open deals."""
    for stage in stages:
        yield "\t".join(
            (
                str(stage.position),
                clean(stage.name, one_line=True),
                str(stage.probability),
                str(stage.rot_days or ""),
                str(stage.open_deals),
            )
        )


# -- deals inside a contact's or a company's view ----------------------------------------


def deal_rows(deals: list[Deal], now: datetime) -> Table:
    """A compact list for the 360° views: id, title, stage or outcome, value, close date."""
    from rich.table import Table

    values = money.aligned([(d.value, d.currency, d.exponent) for d in deals], zero="—")
    table = Table(box=None, pad_edge=False, show_header=False)
    table.add_column(style="id", justify="right", no_wrap=True)
    table.add_column(style="name", overflow="ellipsis", ratio=3)
    table.add_column(overflow="ellipsis", ratio=1)
    table.add_column(no_wrap=True)
    table.add_column(style="muted", no_wrap=True)
    for deal, value in zip(deals, values, strict=True):
        table.add_row(str(deal.id), t(deal.title), _where(deal), value, _close(deal))
    return table


def deal_summary_lines(deals: list[Deal]) -> Iterator[str]:
    """Plain form: `deal: id<TAB>title<TAB>stage or won/lost<TAB>value<TAB>currency<TAB>close`."""
    for deal in deals:
        where = deal.stage.name if deal.status == "open" else deal.status
        yield "deal: " + "\t".join(
            clean(value, one_line=True)
            for value in (
                str(deal.id),
                deal.title,
                where,
                money.plain(deal.value, deal.exponent),
                deal.currency,
                _close(deal),
            )
        )
