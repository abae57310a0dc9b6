"""Content lines as vCard (RFC 6350, RFC 2426) and iCalendar (RFC 5545) write them: the
small serializer behind `pcrm export contacts --format vcard` and `export agenda`.

vobject and icalendar build a tree of objects per card or event and fold character by
character (~0.5 ms a record); the exports write plain text line by line instead. What they
write means the same as the libraries' output: tests/test_export_streamed.py parses both
with vobject and icalendar and compares every property, parameter and value.

- TEXT values escape `\\`, `;`, `,` and line breaks (`\\n`); a CR LF, a lone CR or LF is
  one line break.
- A parameter value holding `,`, `;` or `:` is double-quoted; a double quote or a line
  break cannot be written in one (RFC 6350 has no escape for them in vCard 3), so a double
  quote becomes `'` and a line break or other control character a space.
- Lines end in CR LF and are folded at 75 octets, counting the folded line's leading space,
  between whole UTF-8 characters and never right after a backslash (so an escape such as
  `\\,` stays on one line, which some readers need).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

LIMIT = 75  # octets on a line, CR LF not counted
CRLF = "\r\n"

_TEXT_ESCAPES = str.maketrans({"\\": "\\\\", ";": "\\;", ",": "\\,", "\n": "\\n", "\r": "\\n"})
_QUOTE_IN = re.compile(r"[,;:]")
_PARAM_CONTROLS = re.compile(r"[\x00-\x1f\x7f]")


def text(value: str) -> str:
    """A TEXT value escaped: backslash, semicolon, comma and line breaks."""
    if "\r" in value:
        value = value.replace("\r\n", "\n")
    return value.translate(_TEXT_ESCAPES)


def texts(values: Iterable[str], separator: str = ",") -> str:
    """Several TEXT values, each escaped, joined by `separator` (`,` a list, `;` fields)."""
    return separator.join(map(text, values))


def param(values: str | Iterable[str]) -> str:
    """A parameter's value (or several, joined by commas), quoted when it needs to be."""
    if isinstance(values, str):
        values = (values,)
    out = []
    for value in values:
        if '"' in value or not value.isprintable():
            value = _PARAM_CONTROLS.sub(" ", value.replace('"', "'"))
        out.append(f'"{value}"' if _QUOTE_IN.search(value) else value)
    return ",".join(out)


def fold(line: str) -> str:
    """One content line folded at 75 octets, with its CR LF."""
    if len(line) <= LIMIT and (line.isascii() or len(line.encode()) <= LIMIT):
        return line + CRLF
    pieces: list[str] = []
    start = 0
    size = 0  # octets on the current physical line
    room = LIMIT  # the first line has no leading space
    for index, char in enumerate(line):
        width = 1 if char < "\x80" else len(char.encode())
        if size + width > room:
            cut = index
            if line[cut - 1] == "\\" and cut - 1 > start:
                cut -= 1  # keep an escape whole
            pieces.append(line[start:cut])
            start = cut
            size = len(line[cut:index].encode())
            room = LIMIT - 1
        size += width
    pieces.append(line[start:])
    return "\r\n ".join(pieces) + CRLF
