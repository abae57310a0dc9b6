"""JSON output: core's dataclasses as plain objects with stable keys (ISO times, money as
integer minor units plus a currency code, fractions to four decimals)."""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Iterable
from typing import Any


def plain(value: Any) -> Any:
    """Dataclasses (nested, in lists) as dicts; everything else as it is. A field with
    metadata {"json": False} is left out (a contact's raw vCard)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            f.name: plain(getattr(value, f.name))
            for f in dataclasses.fields(value)
            if f.metadata.get("json", True)
        }
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, float):
        # Rates and averages to four decimals: core keeps them exact, so a percentage drawn
        # from them is rounded once (14/17 is 82.4%, not 82.3% from a rounded 0.8235).
        return round(value, 4)
    return value


# json escapes C0 controls itself; these pass through raw with ensure_ascii=False, and a
# terminal may act on them (0x9b is an 8-bit CSI; bidi overrides reorder what is read).
_UNSAFE = re.compile(r"[\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def dumps(value: Any) -> str:
    text = json.dumps(plain(value), indent=2, ensure_ascii=False)
    # They can only occur inside strings, where a four-hex-digit \u escape means the same.
    return _UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def write_array(stream: Any, items: Iterable[Any]) -> int:
    """Write a JSON array item by item, exactly as dumps(list(items)) would print it, so a
    long export never holds every item in memory. Returns the number of items."""
    count = 0
    for item in items:
        stream.write("[\n  " if count == 0 else ",\n  ")
        stream.write(dumps(item).replace("\n", "\n  "))
        count += 1
    stream.write("\n]\n" if count else "[]\n")
    return count
