"""JSON output: core's dataclasses as plain objects with stable keys (ISO times, money as
integer minor units plus a currency code)."""

from __future__ import annotations

import dataclasses
import json
from typing import Any


def plain(value: Any) -> Any:
    """Dataclasses (nested, in lists) as dicts; everything else as it is."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    return value


def dumps(value: Any) -> str:
    return json.dumps(plain(value), indent=2, ensure_ascii=False)
