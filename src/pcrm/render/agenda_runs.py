"""`pcrm agenda runs`: the recorded `agenda --cron` runs, as a table on a terminal (with
--items, each run and what it showed) and as tab-separated lines when piped."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from pcrm.dates import from_iso, to_local
from pcrm.render.safe import clean

if TYPE_CHECKING:
    from rich.console import Group
    from rich.text import Text

    from pcrm.core.activity.runs import AgendaRun
    from pcrm.render.fit import FittedTable

STATUS_STYLE = {"delivered": "good", "silent": "muted", "failed": "bad"}


def ran_local(run: AgendaRun) -> str:
    """When it ran, in the local zone now: 2026-12-07 07:30."""
    return to_local(from_iso(run.ran_at)).strftime("%Y-%m-%d %H:%M")


def shown_words(run: AgendaRun) -> str:
    """How many items each section showed: "missed 1, overdue 2"; "nothing" when none."""
    counts = run.counts
    return ", ".join(f"{section} {count}" for section, count in counts.items()) or "nothing"


def _status(run: AgendaRun) -> str:
    """The status, with a failed run's exit status: "failed (exit 3)"."""
    if run.status == "failed":
        return f"failed (exit {run.exit_code})" if run.exit_code is not None else "failed"
    return run.status


def runs_view(runs: list[AgendaRun], items: bool) -> FittedTable | Group | Text:
    from rich.console import Group
    from rich.text import Text

    from pcrm.render.cells import t
    from pcrm.render.fit import Column, FittedTable

    if not runs:
        return Text("No agenda --cron runs recorded yet.", "muted")
    if items:
        blocks: list[Text] = []
        for index, run in enumerate(runs):
            heading = Text(("\n" if index else "") + f"run {run.id}  ", "heading")
            heading.append(f"{ran_local(run)}  for {run.day}  ")
            heading.append(_status(run), STATUS_STYLE.get(run.status, ""))
            blocks.append(heading)
            blocks.append(Text("  via ", "muted") + t(run.delivery, "muted"))
            if run.error:
                blocks.append(Text("  error: ", "bad") + t(run.error))
            for item in run.shown:
                if item.more:
                    blocks.append(Text(f"  {item.section}  … and {item.more} more", "muted"))
                else:
                    line = Text(f"  {item.section}  {item.day}  ")
                    line.append_text(t(item.what, "name"))
                    line.append(f"  {item.ref}", "id")
                    blocks.append(line)
            if not run.shown:
                blocks.append(Text("  nothing shown", "muted"))
        return Group(*blocks)
    columns = [
        Column("ID", [Text(str(run.id)) for run in runs], True, False, "right", "id"),
        Column("Ran", [Text(ran_local(run)) for run in runs], True, False),
        Column("Day", [Text(run.day) for run in runs], shrink=False),
        Column(
            "Status",
            [Text(_status(run), STATUS_STYLE.get(run.status, "")) for run in runs],
            True,
            False,
        ),
        Column("Shown", [Text(shown_words(run)) for run in runs], room=40),
        Column("Delivery", [t(run.delivery) for run in runs], style="muted"),
        Column("Error", [t(run.error) for run in runs], style="bad"),
    ]
    return FittedTable(columns, ["Shown", "Error", "Delivery", "Day"])


def runs_lines(runs: list[AgendaRun], items: bool) -> Iterator[str]:
    """Tab-separated, no header. A line a run: id, ran (local), day, status, delivery,
    shown per section, error. With --items a line an item: run id, run's day, section,
    item's day, what, record (a cut section: "… and N more" and no record)."""
    for run in runs:
        if not items:
            values = (
                str(run.id),
                ran_local(run),
                run.day,
                run.status,
                run.delivery,
                shown_words(run),
                run.error or "",
            )
            yield "\t".join(clean(value, one_line=True) for value in values)
            continue
        for item in run.shown:
            what = f"… and {item.more} more" if item.more else item.what
            cells = (str(run.id), run.day, item.section, item.day, what, item.ref)
            yield "\t".join(clean(value, one_line=True) for value in cells)
