"""The records core returns: plain dataclasses that render/ and formats/ turn into output.

Times are UTC ISO-8601 strings as stored; render/ shows them in local time.

`from pcrm.core.models import Deal` loads only the module that defines Deal (PEP 562):
building a dataclass costs ~0.5-1 ms, and `pcrm log` should not pay for the twenty it never
uses (docs/performance.md, start-up).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pcrm.core.models.activity import Interaction
    from pcrm.core.models.base import FieldValue, Link
    from pcrm.core.models.deals import (
        Deal,
        DealChange,
        DealContact,
        DealView,
        Pipeline,
        Stage,
        StageSpell,
    )
    from pcrm.core.models.lifecycle import LifecycleChange, LifecycleStage
    from pcrm.core.models.records import Company, Contact, Email, FieldDef, Phone
    from pcrm.core.models.views import (
        HIGHLIGHT_END,
        HIGHLIGHT_START,
        CompanyOverview,
        ContactOverview,
        ExportedInteraction,
        SearchHit,
        TimelineEvent,
    )

_HOME = {  # name -> the module under pcrm.core.models that defines it
    **dict.fromkeys(("FieldValue", "Link"), "base"),
    **dict.fromkeys(("Company", "Contact", "Email", "FieldDef", "Phone"), "records"),
    **dict.fromkeys(("Interaction",), "activity"),
    **dict.fromkeys(("ExportedInteraction",), "views"),
    **dict.fromkeys(("CompanyOverview", "ContactOverview", "SearchHit", "TimelineEvent"), "views"),
    **dict.fromkeys(("HIGHLIGHT_END", "HIGHLIGHT_START"), "views"),
    **dict.fromkeys(
        ("Deal", "DealChange", "DealContact", "DealView", "Pipeline", "Stage", "StageSpell"),
        "deals",
    ),
    **dict.fromkeys(("LifecycleChange", "LifecycleStage"), "lifecycle"),
}

__all__ = [
    "HIGHLIGHT_END",
    "HIGHLIGHT_START",
    "Company",
    "CompanyOverview",
    "Contact",
    "ContactOverview",
    "Deal",
    "DealChange",
    "DealContact",
    "DealView",
    "Email",
    "ExportedInteraction",
    "FieldDef",
    "FieldValue",
    "Interaction",
    "LifecycleChange",
    "LifecycleStage",
    "Link",
    "Phone",
    "Pipeline",
    "SearchHit",
    "Stage",
    "StageSpell",
    "TimelineEvent",
]


def __getattr__(name: str) -> object:
    home = _HOME.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{home}"), name)
    globals()[name] = value  # found once; later lookups skip this function
    return value
