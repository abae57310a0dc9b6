"""The digest, four ways from one model (render/digest_parts.py): Rich sections on a
terminal (bars for the kinds, a sparkline of the days), plain text for mail and pipes
(fixed columns, no colour, nothing cut), Markdown for notes apps (headings and tables),
and JSON (the core's dataclasses, by cli/output.emit). Rich is imported only where the
terminal view is drawn; Rich gets names as Text, never markup, and Markdown escapes its
own characters.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from datetime import datetime
from typing import TYPE_CHECKING

from pcrm.render.digest_parts import Part, Table, day_label, parts, title
from pcrm.render.report_activity import BAR

if TYPE_CHECKING:
    from rich.console import RenderableType

    from pcrm.core.reports.digest import Digest

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
            first, last = day_label(digest.period.first_day), day_label(digest.period.last_day)
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
