"""How formats' registries find their entries: every module of a package defines one hook
function and is handed the registry's `register` (llm's plugin hooks, without pluggy)."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Iterable
from typing import Any


def call_hooks(package: str, path: Iterable[str], hook: str, register: Callable[..., Any]) -> None:
    """`module.<hook>(register)` for each module of the package, by name; modules whose
    name starts with `_` are the registry's own."""
    for module in sorted(pkgutil.iter_modules(path), key=lambda found: found.name):
        if not module.name.startswith("_"):
            getattr(importlib.import_module(f"{package}.{module.name}"), hook)(register)


def either(names: Iterable[str]) -> str:
    """ "a, b or c", as help text lists choices."""
    *most, last = names
    return f"{', '.join(most)} or {last}" if most else last
