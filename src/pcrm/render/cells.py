"""The two cell helpers every renderer shares, in a module that does not import Rich.

Plain-text output (piped, cron, --json) must not pay for importing Rich (~40 ms): the
renderers import it inside the functions that draw for a terminal, and `t` only when it
makes a Text. tests/test_cli_main.py checks that piped views do not load it.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from pcrm.dates import from_iso, humanize
from pcrm.render.safe import clean

if TYPE_CHECKING:
    from rich.text import Text


def t(text: str | None, style: str = "") -> Text:
    """Untrusted text as a Rich Text: one line, controls made visible, never markup."""
    from rich.text import Text

    return Text(clean(text, one_line=True), style=style)


def when(stamp: str | None, now: datetime) -> str:
    return humanize(from_iso(stamp), now) if stamp else ""
