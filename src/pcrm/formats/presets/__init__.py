"""The registry of CSV presets: one module per exporter in this package.

Each module defines `register_presets(register)` and calls `register(...)` for its preset
(the shape of llm's plugin hooks, without pluggy). The modules are found and loaded the
first time a preset is asked for, so only `pcrm import` pays for them. A new preset is one
new module here (with its fixture and test): `--preset`, its help and `auto` pick it up.
"""

from __future__ import annotations

from dataclasses import dataclass

from pcrm.errors import InvalidInput
from pcrm.formats.contact_presets import Preset, column_key
from pcrm.formats.hooks import call_hooks, either


@dataclass(frozen=True)
class Signature:
    """The columns that tell an exporter's file apart: all of `every`, and one of `some`
    (when it names any). Given as written in the header; compared by column_key()."""

    every: frozenset[str] = frozenset()
    some: frozenset[str] = frozenset()

    def matches(self, keys: set[str]) -> bool:
        every = {column_key(column) for column in self.every}
        some = {column_key(column) for column in self.some}
        return every <= keys and (not some or bool(some & keys))


@dataclass(frozen=True)
class Registered:
    preset: Preset
    order: int | None  # place in --preset's help and hints; None: not listed
    signature: Signature | None  # how `auto` recognises the file; None: by name only
    fallback: bool  # what `auto` takes when no signature matches


class Register:
    """What a preset module's register_presets() is given: call it once per preset."""

    def __init__(self) -> None:
        self.found: dict[str, Registered] = {}

    def __call__(
        self,
        preset: Preset,
        *,
        order: int | None = None,
        signature: Signature | None = None,
        fallback: bool = False,
    ) -> None:
        if preset.name in self.found or preset.name == "auto":
            raise ValueError(f"preset {preset.name!r} registered twice")
        self.found[preset.name] = Registered(preset, order, signature, fallback)


_registry: dict[str, Registered] | None = None


def registry() -> dict[str, Registered]:
    """Every preset, by name, from this package's modules (loaded once)."""
    global _registry
    if _registry is None:
        register = Register()
        call_hooks(__name__, __path__, "register_presets", register)
        _registry = register.found
    return _registry


def listed() -> list[str]:
    """The names users are offered, in order (auto comes first, and is not a preset)."""
    shown = [entry for entry in registry().values() if entry.order is not None]
    return ["auto", *(entry.preset.name for entry in sorted(shown, key=_by_order))]


def _by_order(entry: Registered) -> int:
    return entry.order or 0


def help_text() -> str:
    """`--preset`'s help, e.g. "auto (from the header), google, ... or pcrm"."""
    first, *rest = listed()
    return f"{first} (from the header), " + either(rest)


def preset_named(name: str) -> Preset:
    """The preset --preset NAME names (not auto: see detect())."""
    entry = registry().get(name)
    if entry is None:
        raise InvalidInput(f'unknown preset "{name}"', hint="presets: " + ", ".join(listed()))
    return entry.preset


def detect(header: list[str]) -> Preset:
    """The preset whose tell-tale columns this header has; else the fallback (common column
    names). A signature that asks for more columns is more telling, so it is tried first."""
    keys = {column_key(column) for column in header}
    for entry in sorted(registry().values(), key=_most_telling):
        if entry.signature is not None and entry.signature.matches(keys):
            return entry.preset
    return next(entry.preset for entry in registry().values() if entry.fallback)


def _most_telling(entry: Registered) -> tuple[int, str]:
    every = len(entry.signature.every) if entry.signature else 0
    return -every, entry.preset.name
