"""What every command that changes several records at once shares: its --dry-run and --yes
options, the preview it prints, and the confirmation it asks (docs/guide.md, "Changing
many at once").

A dry run prints what would change, every record (id and name), and changes nothing. A
change to several records asks on a terminal first, showing the count and the records
(the first PREVIEW of them); off a terminal it needs --yes. After the change: one line
per kind of change ("tagged 12 contacts vip (3 already had it)")."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Annotated

import typer

from pcrm.cli.env import Env
from pcrm.cli.output import fail, say

DryRunOpt = Annotated[
    bool, typer.Option("--dry-run", help="Print what would change, and change nothing.")
]
YesOpt = Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")]

PREVIEW = 20  # records listed above the question; --dry-run lists them all


@dataclass
class Section:
    """One kind of change: how a dry run says it, how it is said once done, and the
    records it changes (one line each)."""

    would: str
    done: str
    lines: list[str] = field(default_factory=list)


def counted(n: int, noun: str) -> str:
    """'1 contact', '3 contacts'."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def record_line(record_id: int, name: str, *extra: str) -> str:
    """'  12  Ada Lovelace' (and more columns), as the candidates of an ambiguous REF."""
    from pcrm.render.safe import clean

    return "  " + "  ".join(clean(part, one_line=True) for part in (str(record_id), name, *extra))


def print_dry_run(sections: Sequence[Section]) -> None:
    for section in sections:
        say(section.would + (":" if section.lines else ""))
        for line in section.lines:
            say(line)


def confirm_many(
    env: Env,
    sections: Sequence[Section],
    question: str,
    yes: bool,
    *,
    refusal: str,
    declined: str = "nothing changed",
) -> None:
    """Show what will change and ask; off a terminal, refuse without --yes (`refusal`
    says what was not done, e.g. "not tagging 12 contacts")."""
    if yes:
        return
    if not env.stdin_isatty:
        raise fail(f"{refusal} without confirmation", hint="add --yes; --dry-run lists them")
    for section in sections:
        say(section.would + (":" if section.lines else ""))
        for line in section.lines[:PREVIEW]:
            say(line)
        if len(section.lines) > PREVIEW:
            say(f"  … and {len(section.lines) - PREVIEW} more (--dry-run lists them all)")
    if not typer.confirm(question, default=False):
        raise fail(declined)


def print_done(sections: Sequence[Section]) -> None:
    for section in sections:
        say(section.done)
