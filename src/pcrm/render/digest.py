"""The digest, four ways from one model: Rich sections on a terminal (bars for the kinds, a
sparkline of the days), plain text for mail and pipes (fixed columns, no colour, nothing
cut), Markdown for notes apps (headings and tables), and JSON (the core's dataclasses, by
cli/output.emit).

Each section is a `Part`: a title, sentences, and at most one table of cells, so the
three text outputs say the same thing. Names are cleaned (render/safe.py) where the model
is built; Rich gets them as Text, never markup; Markdown escapes its own characters.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING

from pcrm.dates import from_iso, plural, to_local
from pcrm.render.money import aligned
from pcrm.render.report_activity import BAR
from pcrm.render.safe import clean

if TYPE_CHECKING:
    from rich.console import RenderableType

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


def _day(day: str) -> str:
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
                f"last {_day(_local_day(m.last))}",
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
    start = _day(digest.period.first_day)
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
                [f"{_day(moment.date().isoformat())}{clock}", item.kind, _name(item.text), who],
            )
        )
    for task in a.follow_ups:
        who = " · ".join(
            _name(link.name) for link in (task.contact, task.company, task.deal) if link
        )
        items.append((task.due_date, 1, [_day(task.due_date), "follow-up", _name(task.title), who]))
    for occasion in a.occasions:
        if occasion.kind == "birthday":
            detail = f"turns {occasion.years}" if occasion.years else ""
        else:
            detail = plural(occasion.years, "year") if occasion.years else ""
        row: list[Cell] = [_day(occasion.on), occasion.kind, _name(occasion.contact.name), detail]
        items.append((occasion.on, 2, row))
    for deal in a.closing:
        items.append(
            (
                deal.expected_close,
                3,
                [
                    _day(deal.expected_close),
                    "closing",
                    _name(deal.deal.name),
                    (deal.value, deal.currency, deal.exponent),
                ],
            )
        )
    items.sort(key=lambda item: (item[0], item[1]))
    title_ = f"The coming week, {_day(a.first_day)} – {_day(a.last_day)}"
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


# -- plain text ----------------------------------------------------------------------------


WIDTH = 78  # plain lines (after their indent of 2) longer than this put the last cell below


def _columns(table: Table, room: int = WIDTH) -> list[str]:
    """The table's rows in aligned columns. A row longer than `room` keeps its last cell
    whole on the next line, under the cell before it, and leaves the other rows their
    alignment: nothing is cut, and mail reads at 80 columns."""
    count = len(table.headers)
    rows = table.rows

    def width(i: int, among: list[list[str]]) -> int:
        return max((len(row[i]) for row in among), default=0)

    def line(row: list[str], widths: list[int]) -> str:
        cells = [
            cell.rjust(widths[i]) if i in table.right else cell.ljust(widths[i])
            for i, cell in enumerate(row)
        ]
        return "  ".join(cells).rstrip()

    long: set[int] = set()
    while True:
        inline = [row for i, row in enumerate(rows) if i not in long]
        # The leading columns line up across every row; the one before the last only
        # across the rows that stay on one line.
        widths = [width(i, rows if i < count - 2 else inline) for i in range(count)]
        over = [i for i, row in enumerate(rows) if i not in long and len(line(row, widths)) > room]
        if count < 3 or not over:
            break
        # The row that widens the others most goes below first; the rest may then fit.
        long.add(max(over, key=lambda i: (len(rows[i][-2]) + len(rows[i][-1]), -i)))
    out = []
    for i, row in enumerate(rows):
        if i not in long or not row[-1].strip():
            out.append(line(row, widths))
            continue
        head = line([*row[:-2], row[-2], ""], [*widths[:-2], 0, 0])
        indent = sum(widths[: count - 2]) + 2 * (count - 2)
        out += [head, " " * indent + row[-1].strip()]
    return out


def digest_lines(digest: Digest) -> Iterator[str]:
    """Plain text: for mail (--cron) and pipes. Fixed columns, nothing cut."""
    yield title(digest)
    for part in parts(digest):
        yield ""
        yield part.title
        before = [line for line in part.lines if not line.startswith("…")]
        for line in before:
            yield f"  {line}"
        if part.table:
            for line in _columns(part.table):
                yield f"  {line}"
        for line in part.lines[len(before) :]:
            yield f"  {line}"


def digest_text(digest: Digest) -> str:
    return "".join(line + "\n" for line in digest_lines(digest))


# -- Markdown ------------------------------------------------------------------------------

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|~]|&(?=#?\w+;))")


def md(text: str) -> str:
    """Text as Markdown shows it literally (every punctuation mark that could mean
    something escaped)."""
    return _MD_SPECIAL.sub(r"\\\1", text)


def digest_markdown(digest: Digest) -> str:
    out = [f"# {md(title(digest))}"]
    for part in parts(digest):
        out += ["", f"## {md(part.title)}"]
        before = [line for line in part.lines if not line.startswith("…")]
        after = [line for line in part.lines if line.startswith("…")]
        if before:
            out += [""] + [
                f"{md(line)}  " if i < len(before) - 1 else md(line)
                for i, line in enumerate(before)
            ]
        if part.table:
            table = part.table
            out += ["", "| " + " | ".join(md(h) for h in table.headers) + " |"]
            out.append(
                "|"
                + "|".join("---:" if i in table.right else "---" for i in range(len(table.headers)))
                + "|"
            )
            for row in table.rows:
                out.append("| " + " | ".join(md(cell.strip()) for cell in row) + " |")
        if after:
            out += [""] + [md(line) for line in after]
    return "\n".join(out) + "\n"


# -- Rich ----------------------------------------------------------------------------------


def digest_view(digest: Digest, now: datetime) -> RenderableType:
    from rich.console import Group
    from rich.text import Text

    from pcrm.render.fit import FitWidth
    from pcrm.render.report_activity import sparkline

    shown: list[RenderableType] = [Text(title(digest), style="heading")]
    for part in parts(digest):
        shown += [Text(""), Text(part.title, style="heading")]
        before = [line for line in part.lines if not line.startswith("…")]
        shown += [Text(line) for line in before]
        if part.table:
            shown.append(FitWidth(functools.partial(_grid, part)))
        if part.spark:
            first, last = _day(digest.period.first_day), _day(digest.period.last_day)
            line = Text(f"Per day, {first} – {last}  ")
            line.append(sparkline(part.spark), style="kind")
            shown.append(line)
        shown += [Text(line, style="muted") for line in part.lines[len(before) :]]
    return Group(*shown)


NAMED = ("most", "least", "slipping")  # parts whose first column names a contact


def _grid(part: Part, width: int) -> RenderableType:
    """The part's table as an aligned grid, or, when a row is too wide for the terminal, as
    the plain text's lines (the last cell of a long row below it): nothing is cut."""
    from rich.cells import cell_len
    from rich.console import Group
    from rich.table import Table as RichTable
    from rich.text import Text

    from pcrm.render.report_activity import bar

    table = part.table
    assert table is not None
    natural = [max(cell_len(row[i]) for row in table.rows) for i in range(len(table.headers))]
    if not table.bars and sum(natural) + 2 * (len(natural) - 1) > width:
        # Too narrow for every cell whole: the plain layout, details below, nothing cut.
        return Group(*(Text(line) for line in _columns(table, width)))
    grid = RichTable.grid(padding=(0, 2))
    for i in range(len(table.headers)):
        name = (i == 0 and part.key in NAMED) or (i == 2 and part.key == "ahead")
        grid.add_column(
            justify="right" if i in table.right else "left",
            no_wrap=True,
            style="name" if name else "",
        )
    if table.bars:
        grid.add_column(style="kind", no_wrap=True)
    largest = max(table.bars or [0])
    for i, row in enumerate(table.rows):
        extra = [bar(table.bars[i], largest, BAR)] if table.bars else []
        grid.add_row(*(Text(cell) for cell in row), *extra)
    return grid
