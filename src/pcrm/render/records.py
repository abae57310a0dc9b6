"""Contacts and companies: tables for lists, panels for the 360° view, and plain text forms."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import TYPE_CHECKING

from pcrm.render.cells import t, when
from pcrm.render.fields import value_text
from pcrm.render.safe import clean
from pcrm.render.tasks import follow_up_heading, follow_up_lines, follow_up_rows
from pcrm.render.timeline import source_tag

if TYPE_CHECKING:
    from rich.console import RenderableType
    from rich.table import Table
    from rich.text import Text

    from pcrm.core.activity.models import Interaction
    from pcrm.core.activity.tasks import Task
    from pcrm.core.base import FieldValue
    from pcrm.core.deals.models import Deal
    from pcrm.core.people.lifecycle_models import LifecycleChange
    from pcrm.core.people.models import Address, Company, Contact, Email, Phone, Url
    from pcrm.core.views.models import CompanyOverview, ContactOverview


def _labelled(items: Iterable[Email | Phone | Url]) -> list[str]:
    out: list[str] = []
    for item in items:
        value = getattr(item, "email", "") or getattr(item, "phone", "") or getattr(item, "url", "")
        value = " ".join(value.split())  # one value a line, whatever it holds
        out.append(f"{value} ({' '.join(item.label.split())})" if item.label else value)
    return out


def address_lines(addresses: Iterable[Address]) -> list[str]:
    """One line an address: its label first, then its parts joined with ", "."""
    out: list[str] = []
    for address in addresses:
        parts = (address.street, address.locality, address.region, address.postcode)
        text = ", ".join(" ".join(p.split()) for p in (*parts, address.country) if p)
        label = " ".join((address.label or "").split())
        out.append(f"{label}: {text}" if label else text)
    return out


def _birthday(value: str | None) -> str:
    if not value:
        return ""
    return value[2:] + " (no year)" if value.startswith("--") else value


# -- lists -----------------------------------------------------------------------------


def contact_table(contacts: list[Contact], now: datetime) -> RenderableType:
    from rich.text import Text

    from pcrm.render.fit import Column, FittedTable  # terminal lists only: not `contact show`

    if not contacts:
        return Text("No contacts to show.", "muted")
    columns = [
        Column("ID", [Text(str(c.id)) for c in contacts], True, False, "right", "id"),
        Column("Name", [t(c.name) for c in contacts], True, style="name"),
        # Most addresses are whole at 80 columns: the company goes rather than cut them.
        Column("Email", [t(c.primary_email) for c in contacts], room=32),
        Column("Company", [t(c.company.name if c.company else None) for c in contacts]),
        Column("Tags", [t(", ".join(c.tags)) for c in contacts], style="tag"),
        Column(
            "Last contact",
            [Text(when(c.last_contacted_at, now) or "never") for c in contacts],
            shrink=False,
            style="muted",
        ),
    ]
    return FittedTable(columns, ["Email", "Last contact", "Company", "Tags"])


def contact_lines(contacts: list[Contact]) -> Iterator[str]:
    """Tab-separated: id, name, email, company, tags, last contacted (ISO); no header."""
    for contact in contacts:
        yield "\t".join(
            clean(value, one_line=True)
            for value in (
                str(contact.id),
                contact.name,
                contact.primary_email or "",
                contact.company.name if contact.company else "",
                ",".join(contact.tags),
                contact.last_contacted_at or "",
            )
        )


def company_table(companies: list[Company], now: datetime) -> RenderableType:
    from rich.text import Text

    from pcrm.render.fit import Column, FittedTable  # terminal lists only: not `contact show`

    if not companies:
        return Text("No companies to show.", "muted")
    columns = [
        Column("ID", [Text(str(c.id)) for c in companies], True, False, "right", "id"),
        Column("Name", [t(c.name) for c in companies], True, style="name"),
        Column("Domain", [t(c.domain) for c in companies]),
        Column("Industry", [t(c.industry) for c in companies]),
        Column("People", [Text(str(c.people_count)) for c in companies], False, False, "right"),
        Column("Tags", [t(", ".join(c.tags)) for c in companies], style="tag"),
        Column(
            "Last contact",
            [Text(when(c.last_contacted_at, now) or "never") for c in companies],
            shrink=False,
            style="muted",
        ),
    ]
    return FittedTable(columns, ["People", "Domain", "Last contact", "Industry", "Tags"])


def company_lines(companies: list[Company]) -> Iterator[str]:
    """Tab-separated: id, name, domain, industry, people, tags, last contacted; no header."""
    for company in companies:
        yield "\t".join(
            clean(value, one_line=True)
            for value in (
                str(company.id),
                company.name,
                company.domain or "",
                company.industry or "",
                str(company.people_count),
                ",".join(company.tags),
                company.last_contacted_at or "",
            )
        )


# -- the 360° view ---------------------------------------------------------------------


def _fields_grid(fields: list[tuple[str, str | Text]]) -> Table:
    from rich.table import Table
    from rich.text import Text

    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="muted", no_wrap=True)
    grid.add_column(overflow="ellipsis")
    for label, value in fields:
        if value:
            grid.add_row(label, value if isinstance(value, Text) else _lines(value))
    return grid


def _lines(value: str) -> Text:
    """A field that may hold several values, one a line (emails, phones): each line is
    cleaned on its own, so the values stay on lines of their own."""
    from rich.text import Text

    return Text("\n".join(clean(line, one_line=True) for line in value.splitlines()))


def _contact_fields(contact: Contact, *, styled: bool = True) -> list[tuple[str, str | Text]]:
    """The fields shown for a contact; styled=False: plain text (piped: no Rich)."""
    tags = ", ".join(contact.tags)
    return [
        ("Nickname", contact.nickname or ""),
        ("Email", "\n".join(_labelled(contact.emails))),
        ("Phone", "\n".join(_labelled(contact.phones))),
        ("Fax", "\n".join(_labelled(contact.faxes))),
        ("Address", "\n".join(address_lines(contact.addresses))),
        ("Web", "\n".join(_labelled(contact.urls))),
        ("Company", contact.company.name if contact.company else ""),
        ("Title", contact.title or ""),
        ("Source", contact.source or ""),
        ("Stage", contact.lifecycle_stage or ""),
        ("Birthday", _birthday(contact.birthday)),
        ("Anniversary", _birthday(contact.anniversary)),
        ("In touch", f"every {contact.cadence_days} days" if contact.cadence_days else ""),
        ("Tags", t(tags, "tag") if styled else clean(tags, one_line=True)),
        *custom_fields(contact.fields),
    ]


def custom_fields(values: dict[str, FieldValue]) -> list[tuple[str, str]]:
    """A record's custom fields as (name, value) rows, after its built-in fields."""
    return [(name, value_text(value)) for name, value in values.items()]


def _multiline(text: str | None) -> Text:
    from rich.text import Text

    return Text(clean(text))


def _touch_line(count: int, last: str | None, upcoming: str | None, now: datetime) -> Text:
    from rich.text import Text

    line = Text()
    line.append("Last touch ", "muted")
    line.append(when(last, now) or "never")
    if upcoming:
        line.append("   Next ", "muted")
        line.append(when(upcoming, now))
    line.append(f"   {count} interaction{'s' if count != 1 else ''}", "muted")
    return line


def interaction_rows(items: list[Interaction], now: datetime, *, who: bool) -> Table:
    from rich.table import Table
    from rich.text import Text

    table = Table(box=None, pad_edge=False, show_header=False)
    table.add_column(style="muted", no_wrap=True)
    table.add_column(style="kind", no_wrap=True)
    table.add_column(overflow="ellipsis", ratio=1)
    for item in items:
        text = t(item.text)
        if who and item.contacts:
            names = ", ".join(link.name for link in item.contacts)
            text = Text.assemble(t(names, "name"), ": ", text)
        if item.cancelled_at:
            text.stylize("cancelled")
            text = Text.assemble(("cancelled ", "warn"), text)
        tag = source_tag(item.source, item.direction)
        if tag:
            text = Text.assemble((f"({tag}) ", "muted"), text)
        table.add_row(when(item.at, now), item.kind, text)
    return table


def _heading(title: str, subtitle: str, ref: str) -> Text:
    from rich.text import Text

    heading = Text()
    heading.append(clean(title, one_line=True), "bold")
    if subtitle:
        heading.append("  " + clean(subtitle, one_line=True), "muted")
    heading.append(f"  {ref}", "id")
    return heading


def _deals_section(deals: list[Deal], now: datetime) -> list[RenderableType]:
    from rich.padding import Padding
    from rich.text import Text

    if not deals:
        return []
    from pcrm.render.deals import deal_rows  # render.deals builds on this module

    open_count = sum(deal.status == "open" for deal in deals)
    heading = Text(f"Deals ({open_count} open)", "heading")
    return [Padding(heading, (1, 0, 0, 0)), Padding(deal_rows(deals, now), (0, 0, 0, 2))]


def _lifecycle_section(changes: list[LifecycleChange], now: datetime) -> list[RenderableType]:
    from rich.padding import Padding
    from rich.text import Text

    if not changes:
        return []
    from pcrm.render.lifecycle import change_rows

    heading = Text("Lifecycle", "heading")
    return [Padding(heading, (1, 0, 0, 0)), Padding(change_rows(changes, now), (0, 0, 0, 2))]


def follow_ups_section(
    tasks: list[Task], count: int, now: datetime, shown_in: str, more: str
) -> list[RenderableType]:
    """The open follow-ups of a contact, company or deal; `more` lists them all."""
    from rich.padding import Padding

    if not count:
        return []
    rows = follow_up_rows(tasks, now, shown_in=shown_in)
    heading = follow_up_heading(len(tasks), count, more)
    return [Padding(heading, (1, 0, 0, 0)), Padding(rows, (0, 0, 0, 2))]


def _archived(stamp: str, contact_id: int, now: datetime) -> str:
    restore = f"pcrm contact restore {contact_id}"
    return f"Archived {when(stamp, now)}: left out of lists and exports ({restore})"


def contact_view(view: ContactOverview, now: datetime) -> RenderableType:
    from rich.console import Group
    from rich.padding import Padding

    contact = view.contact
    subtitle = " at ".join(
        part for part in (contact.title, contact.company.name if contact.company else None) if part
    )
    parts: list[RenderableType] = [
        _heading(contact.name, subtitle, f"contact {contact.id}"),
    ]
    if view.archived_at:
        parts.append(t(_archived(view.archived_at, contact.id, now), "warn"))
    if any(value for _, value in _contact_fields(contact)):
        parts.append(Padding(_fields_grid(_contact_fields(contact)), (1, 0, 0, 2)))
    if contact.note:
        parts.append(Padding(_multiline(contact.note), (1, 0, 0, 2)))
    parts.append(
        Padding(
            _touch_line(view.interaction_count, view.last_touch, view.next_touch, now), (1, 0, 0, 0)
        )
    )
    if view.recent:
        parts.append(Padding(interaction_rows(view.recent, now, who=False), (0, 0, 0, 2)))
    more = f"pcrm follow-up list --contact {contact.id}"
    parts.extend(follow_ups_section(view.follow_ups, view.follow_up_count, now, "contact", more))
    parts.extend(_deals_section(view.deals, now))
    parts.extend(_lifecycle_section(view.lifecycle, now))
    return Group(*parts)


def company_view(view: CompanyOverview, now: datetime) -> RenderableType:
    from rich.console import Group
    from rich.padding import Padding
    from rich.text import Text

    company = view.company
    fields: list[tuple[str, str | Text]] = [
        ("Domain", company.domain or ""),
        ("Website", company.website or ""),
        ("Industry", company.industry or ""),
        ("Size", company.size or ""),
        ("Stage", company.lifecycle_stage or ""),
        ("Tags", t(", ".join(company.tags), "tag")),
        *custom_fields(company.fields),
    ]
    parts: list[RenderableType] = [
        _heading(company.name, company.industry or "", f"company {company.id}"),
    ]
    if any(value for _, value in fields):
        parts.append(Padding(_fields_grid(fields), (1, 0, 0, 2)))
    if company.note:
        parts.append(Padding(_multiline(company.note), (1, 0, 0, 2)))
    people = Text(f"People ({len(view.people)})", "heading")
    parts.append(Padding(people, (1, 0, 0, 0)))
    if view.people:
        parts.append(Padding(_people_table(view.people, now), (0, 0, 0, 2)))
    parts.append(
        Padding(
            _touch_line(view.interaction_count, view.last_touch, view.next_touch, now), (1, 0, 0, 0)
        )
    )
    if view.recent:
        parts.append(Padding(interaction_rows(view.recent, now, who=True), (0, 0, 0, 2)))
    more = "pcrm follow-up list"  # (no --company filter there yet)
    parts.extend(follow_ups_section(view.follow_ups, view.follow_up_count, now, "company", more))
    parts.extend(_deals_section(view.deals, now))
    parts.extend(_lifecycle_section(view.lifecycle, now))
    return Group(*parts)


def _people_table(people: list[Contact], now: datetime) -> Table:
    from rich.table import Table

    table = Table(box=None, pad_edge=False, show_header=False)
    table.add_column(style="id", justify="right", no_wrap=True)
    table.add_column(style="name", overflow="ellipsis", ratio=2)
    table.add_column(overflow="ellipsis", ratio=2)
    table.add_column(overflow="ellipsis", ratio=2)
    table.add_column(style="muted", no_wrap=True)
    for person in people:
        table.add_row(
            str(person.id),
            t(person.name),
            t(person.title),
            t(person.primary_email),
            when(person.last_contacted_at, now) or "never",
        )
    return table


# -- plain forms of the 360° view ------------------------------------------------------


def _plain_fields(fields: list[tuple[str, str | Text]]) -> Iterator[str]:
    for label, value in fields:
        text = value if isinstance(value, str) else value.plain
        for line in clean(text).splitlines():
            yield f"{label.lower()}: {line}"


def _plain_interactions(items: list[Interaction]) -> Iterator[str]:
    for item in items:
        names = ", ".join(link.name for link in item.contacts)
        text = f"(cancelled) {item.text}" if item.cancelled_at else item.text
        tag = source_tag(item.source, item.direction)
        if tag:
            text = f"({tag}) {text}"
        yield "\t".join(clean(value, one_line=True) for value in (item.at, item.kind, names, text))


def _plain_deals(deals: list[Deal]) -> Iterator[str]:
    from pcrm.render.deals import deal_summary_lines

    return deal_summary_lines(deals)


def _plain_lifecycle(changes: list[LifecycleChange]) -> Iterator[str]:
    """'stage change: AT<tab>FROM<tab>TO<tab>REASON', newest first."""
    for change in changes:
        yield "stage change: " + "\t".join(
            clean(value, one_line=True)
            for value in (change.at, change.from_stage or "", change.to_stage, change.reason or "")
        )


def contact_view_lines(view: ContactOverview) -> Iterator[str]:
    contact = view.contact
    yield f"contact {contact.id}: {clean(contact.name, one_line=True)}"
    if view.archived_at:
        yield f"archived: {view.archived_at}"
    yield from _plain_fields(_contact_fields(contact, styled=False))
    if contact.note:
        yield from (f"note: {line}" for line in clean(contact.note).splitlines())
    yield f"interactions: {view.interaction_count}"
    yield f"last touch: {view.last_touch or 'never'}"
    if view.next_touch:
        yield f"next touch: {view.next_touch}"
    yield from follow_up_lines(view.follow_ups, view.follow_up_count)
    yield from _plain_deals(view.deals)
    yield from _plain_lifecycle(view.lifecycle)
    if view.recent:
        yield ""
        yield from _plain_interactions(view.recent)


def company_view_lines(view: CompanyOverview) -> Iterator[str]:
    company = view.company
    yield f"company {company.id}: {clean(company.name, one_line=True)}"
    yield from _plain_fields(
        [
            ("Domain", company.domain or ""),
            ("Website", company.website or ""),
            ("Industry", company.industry or ""),
            ("Size", company.size or ""),
            ("Stage", company.lifecycle_stage or ""),
            ("Tags", ", ".join(company.tags)),
            *custom_fields(company.fields),
        ]
    )
    if company.note:
        yield from (f"note: {line}" for line in clean(company.note).splitlines())
    for person in view.people:
        yield "person: " + "\t".join(
            clean(value, one_line=True) for value in (str(person.id), person.name, person.title)
        )
    yield f"interactions: {view.interaction_count}"
    yield f"last touch: {view.last_touch or 'never'}"
    if view.next_touch:
        yield f"next touch: {view.next_touch}"
    yield from follow_up_lines(view.follow_ups, view.follow_up_count)
    yield from _plain_deals(view.deals)
    yield from _plain_lifecycle(view.lifecycle)
    if view.recent:
        yield ""
        yield from _plain_interactions(view.recent)
