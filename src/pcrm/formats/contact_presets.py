"""Which column of an exported file holds which contact field: what a preset is, and --map.

A preset names the columns of one exporter; the presets themselves are modules of
formats/presets/, one each, found by its registry. `--map "Column=field"` adds or
overrides one column. Matching ignores case and runs of spaces. The mappings are listed in
docs/import-export.md.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pcrm.errors import InvalidInput

# What a column can be mapped to (`--map "Column=TARGET"`).
FIELDS = (
    "name",
    "first_name",
    "middle_name",
    "last_name",
    "name_suffix",
    "email",
    "email_label",
    "phone",
    "phone_label",
    "fax",
    "nickname",
    "url",
    "url_label",
    "address",  # a whole address in one cell (Google's "Address 1 - Formatted")
    "address_street",
    "address_locality",
    "address_region",
    "address_postcode",
    "address_country",
    "address_label",
    "company",
    "title",
    "birthday",
    "anniversary",
    "cadence",
    "note",
    "tags",
    "source",
    "uid",
    "created_at",
    "updated_at",
    "stage",
    "ignore",
)


# Targets that take a fixed label (`phone:mobile`, Outlook's `address_street:work`).
_LABELLED = {"email", "phone", "fax", "url", "address"} | {
    name for name in FIELDS if name.startswith("address_") and name != "address_label"
}


@dataclass(frozen=True)
class Target:
    """Where one column goes. `arg` is a custom field's name (field "custom"), or the fixed
    label of an email/phone column; `slot` pairs a label column with its value column
    (Google's "E-mail 2 - Label" labels "E-mail 2 - Value")."""

    field: str
    arg: str | None = None
    slot: str | None = None


@dataclass
class Preset:
    name: str  # as given to --preset
    columns: dict[str, Target] = field(default_factory=dict)  # keyed by column_key()
    patterns: list[tuple[re.Pattern[str], str]] = field(default_factory=list)
    blanks: dict[str, frozenset[str]] = field(default_factory=dict)  # values meaning "empty"
    source: str | None = None  # the default --source
    pcrm_layout: bool = False  # pcrm's export: formulas neutralised, values `; `-joined
    stage_names: dict[str, str] = field(default_factory=dict)  # exporter's stage -> pcrm's
    title: str | None = None  # as shown in the summary ("LinkedIn CSV"); else the name

    @property
    def shown(self) -> str:
        return self.title or self.name

    def target(self, column: str) -> Target | None:
        key = column_key(column)
        if key in self.columns:
            return self.columns[key]
        for pattern, spec in self.patterns:
            if m := pattern.fullmatch(key):
                if spec == "custom":  # "field:Budget": the name as written in the header
                    return Target("custom", column.partition(":")[2].strip())
                target = parse_target(spec)
                return Target(target.field, target.arg, m.group(1))
        return None


def column_key(column: str) -> str:
    return " ".join(column.replace("\ufeff", "").split()).casefold()


def parse_target(spec: str) -> Target:
    """`email`, `email:work`, `phone:mobile`, `field:budget` -> a Target."""
    text = spec.strip()
    kind, _, arg = text.partition(":")
    kind = kind.strip().lower().replace("-", "_").replace(" ", "_")
    arg = arg.strip()
    if kind == "field":
        if not arg:
            raise InvalidInput(f'"{spec}" names no custom field', hint="write field:NAME")
        return Target("custom", arg)
    if kind not in FIELDS:
        raise InvalidInput(
            f'unknown field "{text}" in --map',
            hint="fields: " + ", ".join(FIELDS) + ", or field:NAME for a custom field",
        )
    if arg and kind not in _LABELLED:
        raise InvalidInput(
            f'"{spec}": only email, phone, fax, url and address parts take a label (email:work)'
        )
    return Target(kind, arg.lower() or None)


def preset(name: str, columns: dict[str, str], **extra: Any) -> Preset:
    """A preset from readable specs: column name -> "field" (or "phone:mobile"...), and
    `patterns`: regular expression over column_key() -> spec."""
    patterns = [(re.compile(p), spec) for p, spec in extra.pop("patterns", {}).items()]
    return Preset(
        name, {column_key(c): parse_target(t) for c, t in columns.items()}, patterns, **extra
    )


# -- --map and --map-file -----------------------------------------------------------------


def parse_map_entry(entry: str, where: str = "--map") -> tuple[str, Target]:
    """`Column Name=field` -> (column key, Target). The column is the text before the
    last `=` that is followed by a known field, so a column name may contain `=`."""
    column, sep, spec = entry.rpartition("=")
    if not sep or not column.strip():
        raise InvalidInput(
            f'{where}: "{entry}" is not COLUMN=FIELD', hint='e.g. --map "Work Email=email"'
        )
    return column_key(column), parse_target(spec)


def read_map_file(path: str) -> list[tuple[str, Target]]:
    """A map file: one `Column Name=field` a line, as for --map; `#` starts a comment line."""
    try:
        text = Path(path).expanduser().read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InvalidInput(f"cannot read map file {path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"cannot read map file {path}: {exc}") from None
    entries = []
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip() and not line.lstrip().startswith("#"):
            entries.append(parse_map_entry(line, where=f"{path}, line {number}"))
    return entries


def with_map(preset: Preset, entries: list[tuple[str, Target]]) -> Preset:
    """The preset with --map entries added on top (a mapped column overrides the preset)."""
    if not entries:
        return preset
    columns = {**preset.columns, **dict(entries)}
    return Preset(
        preset.name,
        columns,
        preset.patterns,
        preset.blanks,
        preset.source,
        preset.pcrm_layout,
        preset.stage_names,
        preset.title,
    )
