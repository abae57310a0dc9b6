"""The digest as sections of text, the one model its outputs draw (render/digest.py): each
section is a `Part`, a title, sentences and at most one table of cells, so the terminal,
the mail text and Markdown say the same thing. Names are cleaned here (render/safe.py):
one line, controls made visible.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from pcrm.dates import from_iso, plural, to_local
from pcrm.render.money import aligned
from pcrm.render.safe import clean

if TYPE_CHECKING:
    from pcrm.core.deals.board import CurrencyTotal
    from pcrm.core.reports.digest import Digest
    from pcrm.core.reports.digest_figures import MoneyCount

Amount = tuple[int, str, int]  # value in minor units, currency, exponent
Cell = str | Amount | None


@dataclass
class Table:
    headers: list[str]  # Markdown's header row; the text outputs go without
    rows: list[list[str]]
    right: frozenset[int] = frozenset()  # columns aligned right (counts)
    bars: list[int] | None = None  # on a terminal: a bar per row, scaled to the largest


@dataclass
class Part:
    key: str
    title: str
    lines: list[str] = field(default_factory=list)
    table: Table | None = None
    spark: list[int] | None = None  # on a terminal: a sparkline of these (per day)


def _name(text: str) -> str:
    return clean(text, one_line=True)


def day_label(day: str) -> str:
    value = date.fromisoformat(day)
    return f"{value:%a} {value.day} {value:%b}"


def _local_day(stamp: str) -> str:
    return to_local(from_iso(stamp)).date().isoformat()


def _cells(rows: list[list[Cell]]) -> list[list[str]]:
    """Rows with the amounts of each column aligned (aligned(): numbers end in line); None
    is an empty cell."""
    out = [[cell if isinstance(cell, str) else "" for cell in row] for row in rows]
    for column in range(max((len(row) for row in rows), default=0)):
        spots: list[tuple[int, Amount]] = []
        for i, row in enumerate(rows):
            cell = row[column]
            if isinstance(cell, tuple):
                spots.append((i, cell))
        texts = aligned([amount for _, amount in spots])
        for (i, _), text in zip(spots, texts, strict=True):
            out[i][column] = text
    return out


def _amounts(items: Sequence[MoneyCount]) -> list[Amount]:
    return [(m.value, m.currency, m.exponent) for m in items]


def _money_rows(label: str, count: int, amounts: list[Amount], tail: str = "") -> list[list[Cell]]:
    """A figure with one amount per currency: the label and count on the first line."""
    if not amounts:
        return [[label, str(count), "", tail]]
    return [
        [label if i == 0 else "", str(count) if i == 0 else "", amount, tail if i == 0 else ""]
        for i, amount in enumerate(amounts)
    ]


# -- the model -----------------------------------------------------------------------------


def title(digest: Digest) -> str:
    return f"pcrm digest: {digest.period.label}"


def _interactions(digest: Digest) -> list[Part]:
    it = digest.interactions
    part = Part("interactions", "Interactions")
    if not it.total:
        part.lines.append("No interactions.")
    else:
        part.lines.append(
            f"{plural(it.total, 'interaction')} with {plural(it.contacts, 'contact')}"
        )
        kinds = [(kind, n) for kind, n in it.kinds.items() if n]
        part.table = Table(
            ["Kind", "Count"],
            [[kind, str(n)] for kind, n in kinds],
            frozenset({1}),
            bars=[n for _, n in kinds],
        )
        part.spark = it.per_day or None
    parts = [part]
    if it.most:
        rows = [
            [
                _name(m.contact.name),
                plural(m.interactions, "interaction"),
                f"last {day_label(_local_day(m.last))}",
            ]
            for m in it.most
        ]
        parts.append(
            Part("most", "Most in touch", table=Table(["Contact", "Interactions", "Last"], rows))
        )
    if it.least:
        rows = []
        for s in it.least:
            last = f"last {_local_day(s.last_contact)}" if s.last_contact else "never contacted"
            why = []
            if s.open_deals:
                why.append(f"on {plural(s.open_deals, 'open deal')}")
            if s.cadence_days:
                why.append(f"every {plural(s.cadence_days, 'day')}")
            rows.append([_name(s.contact.name), last, ", ".join(why)])
        more = it.least_total - len(it.least)
        lines = [f"… and {more} more"] if more else []
        parts.append(
            Part(
                "least",
                f"Least in touch ({it.least_total})",
                lines=lines,
                table=Table(["Contact", "Last contact", "Why watched"], rows),
            )
        )
    return parts


def _contacts(digest: Digest) -> Part:
    life = digest.lifecycle
    new = life.new_contacts
    part = Part("contacts", "Contacts")
    if new.count:
        names = ", ".join(_name(link.name) for link in new.first)
        more = f" and {new.count - len(new.first)} more" if new.count > len(new.first) else ""
        part.lines.append(f"{plural(new.count, 'new contact')}: {names}{more}")
    else:
        part.lines.append("No new contacts.")
    if life.moves:
        part.lines.append(
            f"{plural(life.moves, 'lifecycle move')}; {life.entered} entered the lifecycle"
        )
        rows = [
            [f"{_name(step.from_stage or '(new)')} → {_name(step.to_stage)}", str(step.count)]
            for step in life.by_step
        ]
        part.table = Table(["Move", "Count"], rows, frozenset({1}))
    else:
        part.lines.append("No lifecycle moves.")
    return part


def _deals(digest: Digest) -> list[Part]:
    d = digest.deals
    won = [(c.won_value, c.currency, c.exponent) for c in d.currencies if c.won]
    lost = [(c.lost_value, c.currency, c.exponent) for c in d.currencies if c.lost]
    rows: list[list[Cell]] = [
        *_money_rows("Created", d.created_count, _amounts(d.created)),
        ["Moved", str(d.moves.moves), None, f"stage moves of {plural(d.moves.deals, 'deal')}"],
        *_money_rows("Won", d.won, won),
        *_money_rows("Lost", d.lost, lost),
    ]
    deals = Part(
        "deals",
        "Deals",
        table=Table(["Deals", "Count", "Value", "Note"], _cells(rows), frozenset({1})),
    )
    p = d.pipeline
    start = day_label(digest.period.first_day)
    money: list[list[Cell]] = []

    def totals(label: str, items: Sequence[MoneyCount | CurrencyTotal]) -> None:
        count = sum(item.count for item in items)
        if not items:
            money.append([label, "0", None, None])
        for i, item in enumerate(items):
            weighted = getattr(item, "weighted", None)
            money.append(
                [
                    label if i == 0 else "",
                    str(count) if i == 0 else "",
                    (item.value, item.currency, item.exponent),
                    None if weighted is None else (weighted, item.currency, item.exponent),
                ]
            )

    totals(f"Open on {start}", p.then)
    totals("In: created or reopened", p.value_in)
    totals("Out: won or lost", p.value_out)
    totals("Open now", p.now)
    pipeline = Part(
        "pipeline",
        "Pipeline",
        table=Table(["Open value", "Deals", "Value", "Weighted"], _cells(money), frozenset({1})),
    )
    return [deals, pipeline]


def _follow_ups(digest: Digest) -> Part:
    f = digest.follow_ups
    line = f"{f.done} done, {f.overdue} overdue (due in the period, not done by their day)"
    lines = [line]
    if f.overdue_now:
        lines.append(
            f"{plural(f.overdue_now, 'follow-up')} overdue now (pcrm follow-up list --overdue)"
        )
    return Part("follow-ups", "Follow-ups", lines)


def _slipping(digest: Digest, today: date) -> Part:
    s = digest.slipping
    if not s.total:
        return Part("slipping", "Who is slipping", ["Nobody is past their cadence."])
    rows = []
    for item in s.contacts:
        late = (today - date.fromisoformat(item.due_date)).days
        when = "due today" if late == 0 else f"{plural(late, 'day')} overdue"
        last = f"last {_local_day(item.last_contact)}" if item.last_contact else "never contacted"
        rows.append(
            [_name(item.contact.name), when, f"every {plural(item.cadence_days, 'day')}, {last}"]
        )
    more = s.total - len(s.contacts)
    return Part(
        "slipping",
        f"Who is slipping ({s.total})",
        [f"… and {more} more (pcrm agenda --all)"] if more else [],
        Table(["Contact", "Overdue", "Cadence"], rows),
    )


def _ahead(digest: Digest, today: date) -> Part:
    a = digest.ahead
    items: list[tuple[str, int, list[Cell]]] = []
    for item in a.planned:
        moment = to_local(from_iso(item.at))
        clock = "" if (moment.hour, moment.minute) == (0, 0) else f" {moment:%H:%M}"
        who = ", ".join(_name(link.name) for link in item.contacts)
        items.append(
            (
                moment.date().isoformat(),
                0,
                [
                    f"{day_label(moment.date().isoformat())}{clock}",
                    item.kind,
                    _name(item.text),
                    who,
                ],
            )
        )
    for task in a.follow_ups:
        who = " · ".join(
            _name(link.name) for link in (task.contact, task.company, task.deal) if link
        )
        items.append(
            (task.due_date, 1, [day_label(task.due_date), "follow-up", _name(task.title), who])
        )
    for occasion in a.occasions:
        if occasion.kind == "birthday":
            detail = f"turns {occasion.years}" if occasion.years else ""
        else:
            detail = plural(occasion.years, "year") if occasion.years else ""
        row: list[Cell] = [
            day_label(occasion.on),
            occasion.kind,
            _name(occasion.contact.name),
            detail,
        ]
        items.append((occasion.on, 2, row))
    for deal in a.closing:
        items.append(
            (
                deal.expected_close,
                3,
                [
                    day_label(deal.expected_close),
                    "closing",
                    _name(deal.deal.name),
                    (deal.value, deal.currency, deal.exponent),
                ],
            )
        )
    items.sort(key=lambda item: (item[0], item[1]))
    title_ = f"The coming week, {day_label(a.first_day)} – {day_label(a.last_day)}"
    part = Part("ahead", title_)
    if not items:
        part.lines.append("Nothing planned or due.")
        return part
    rows = _cells([cells for _, _, cells in items])
    # A deal's value is the detail of its row; plain text needs no padding there.
    part.table = Table(
        ["When", "What", "Subject", "Detail"], [[c.rstrip() for c in row] for row in rows]
    )
    for key, shown, total in (
        ("planned interactions", a.planned, a.planned_total),
        ("follow-ups", a.follow_ups, a.follow_ups_total),
        ("birthdays and anniversaries", a.occasions, a.occasions_total),
        ("deals closing", a.closing, a.closing_total),
    ):
        if total > len(shown):
            part.lines.append(f"… and {total - len(shown)} more {key}")
    return part


def parts(digest: Digest) -> list[Part]:
    today = date.fromisoformat(digest.ahead.first_day)
    return [
        *_interactions(digest),
        _contacts(digest),
        *_deals(digest),
        _follow_ups(digest),
        _slipping(digest, today),
        _ahead(digest, today),
    ]
