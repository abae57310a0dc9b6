"""Untrusted text is data: strip what a terminal would execute, never parse markup.

Names, notes and CSV cells may hold ANSI escapes, other control characters or bidi overrides.
They are shown as visible escapes (`\\x1b`), so the text is still readable and nothing runs.
Rich markup needs no escaping here because every Console pcrm makes has markup=False and
every renderable gets Text objects, never markup strings.
"""

from __future__ import annotations

import functools
import re

# C0 and C1 controls (tab and newline handled apart), DEL, and bidi/format overrides that can
# reorder what the eye reads. Compiled on first use (~0.3 ms): plain ASCII never needs it.
_UNSAFE = r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]"


@functools.cache
def _unsafe() -> re.Pattern[str]:
    return re.compile(_UNSAFE)


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def clean(text: str | None, *, one_line: bool = False) -> str:
    """Text safe to print: controls made visible; with one_line, line breaks become ' ⏎ '."""
    if not text:
        return ""
    if text.isascii() and text.isprintable():  # nothing to escape, no line break, no tab
        return text.strip() if one_line else text
    text = _unsafe().sub(_escape, text)
    if one_line:
        text = " ⏎ ".join(part.strip() for part in text.splitlines() if part.strip())
        text = text.replace("\t", " ")
    return text
