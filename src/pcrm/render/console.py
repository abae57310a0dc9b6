"""The Rich consoles pcrm draws on: no markup, no emoji codes, no guessing at highlights."""

from __future__ import annotations

import sys
from typing import IO

from rich.console import Console
from rich.theme import Theme

# Colour guides the eye; it never carries meaning alone (text says it too).
THEME = Theme(
    {
        "muted": "dim",
        "heading": "bold",
        "name": "bold",
        "kind": "cyan",
        "id": "dim",
        "warn": "yellow",
        "bad": "red",
        "good": "green",
        "match": "bold yellow",
        "tag": "magenta",
        "cancelled": "dim strike",  # a cancelled interaction; the word "cancelled" says it too
    }
)


def make_console(
    file: IO[str] | None = None,
    *,
    width: int | None = None,
    plain: bool = False,
    terminal: bool | None = None,
) -> Console:
    """plain: no colour or styles whatever the environment says (cron mail, captured text).
    terminal=True: draw as on a terminal (live bars too); the caller's Env has said so."""
    return Console(
        file=file or sys.stdout,
        width=width,
        color_system=None if plain else "auto",
        force_terminal=False if plain else terminal,
        theme=THEME,
        markup=False,
        emoji=False,
        highlight=False,
    )
