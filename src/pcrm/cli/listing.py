"""The options every list shares: tags, --sort's companions --reverse and --offset.

How repeated filters combine is one rule for every list (docs/guide.md, "Filters"): a
value a record has several of (tags, a deal's contacts) must all match; a value it has
one of (company, stage, source) may be any of those given."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from pcrm.store.db import Database

TagFilter = Annotated[
    list[str] | None,
    typer.Option(
        "--tag",
        "-t",
        metavar="TAG",
        help="Only those with every tag given; repeatable, or separated by commas.",
    ),
]
AnyTagFilter = Annotated[
    list[str] | None,
    typer.Option(
        "--any-tag",
        metavar="TAG",
        help="Only those with at least one of these tags; repeatable, or separated by commas.",
    ),
]
NoTagFilter = Annotated[
    list[str] | None,
    typer.Option(
        "--no-tag",
        metavar="TAG",
        help="Only those with none of these tags; repeatable, or separated by commas.",
    ),
]
ReverseOption = Annotated[bool, typer.Option("--reverse", help="The --sort order backwards.")]
OffsetOption = Annotated[
    int,
    typer.Option(
        "--offset",
        metavar="N",
        min=0,
        help="Skip the first N rows (with --limit, to page through a list).",
    ),
]


def note_page(shown: int, total: int, offset: int) -> None:
    """On stderr, in every mode: which rows of how many a page shows, when not all."""
    from pcrm.cli.output import note, note_truncation

    if offset == 0:
        note_truncation(shown, total, json_mode=False)
    elif shown == 0:
        note(f"showing none of {total}: --offset {offset} is past the end")
    else:
        after = offset + shown
        more = f" (--offset {after} for the next)" if after < total else ""
        note(f"showing {offset + 1}-{after} of {total}{more}")


def resolve_each(
    db: Database, refs: list[str] | None, resolve: Callable[[Database, str], int], option: str
) -> list[int]:
    """The ids of a repeatable REF filter. A REF is a name, and names may hold commas
    ("Smith, Jones & Co"), so a REF is never split: one that matches nothing because it
    lists several says to repeat the option."""
    from pcrm.errors import NotFound

    ids = []
    for ref in refs or []:
        try:
            ids.append(resolve(db, ref))
        except NotFound as exc:
            if "," not in ref:
                raise
            raise NotFound(exc.message, hint=f"for several, repeat {option}") from None
    return ids
