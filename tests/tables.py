"""Reading a Rich list table back, as a person reads it, for tests that check layout."""

from __future__ import annotations


def headers(line: str) -> list[str]:
    """Column titles of a header line (titles are separated by at least two spaces)."""
    return [part.strip() for part in line.split("  ") if part.strip()]


def table_rows(output: str) -> list[dict[str, str]]:
    """Each row of a borderless Rich table as {title: cell}, a folded cell's pieces joined
    by spaces. Columns are cut at their titles' positions, which holds while each title is
    at least as wide as a right-aligned column's values."""
    lines = output.splitlines()
    titles = headers(lines[0])
    starts, position = [], 0
    for title in titles:
        position = lines[0].index(title, position)
        starts.append(position)
        position += len(title)
    starts[0] = 0
    ends = [*starts[1:], None]
    rows: list[dict[str, str]] = []
    for line in lines[1:]:
        cells = {title: line[a:b].strip() for title, a, b in zip(titles, starts, ends, strict=True)}
        if cells[titles[0]]:
            rows.append(cells)
        else:  # a continuation line of the row above
            for title, value in cells.items():
                if value:
                    rows[-1][title] = f"{rows[-1][title]} {value}".strip()
    return rows


def squeeze(text: str) -> str:
    """Text without any whitespace: a folded word's pieces compare equal to the word."""
    return "".join(text.split())
