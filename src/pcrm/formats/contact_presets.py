"""Which column of an exported file holds which contact field: presets and --map.

A preset names the columns of one exporter (Google, Outlook, LinkedIn, HubSpot, pcrm's
own); `auto` picks the preset whose tell-tale columns the header has, else matches common
column names. `--map "Column=field"` adds or overrides one column. Matching ignores case
and runs of spaces. The mappings are listed in docs/import-export.md.
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
PRESETS = ("auto", "google", "outlook", "linkedin", "hubspot", "pcrm")
_SHOWN = {
    "google": "Google",
    "outlook": "Outlook",
    "linkedin": "LinkedIn",
    "hubspot": "HubSpot",
    "pcrm": "pcrm",
    "generic": "generic",
    "map": "--map",
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
    name: str
    columns: dict[str, Target] = field(default_factory=dict)  # keyed by column_key()
    patterns: list[tuple[re.Pattern[str], str]] = field(default_factory=list)
    blanks: dict[str, frozenset[str]] = field(default_factory=dict)  # values meaning "empty"
    source: str | None = None  # the default --source
    pcrm_layout: bool = False  # pcrm's export: formulas neutralised, values `; `-joined
    stage_names: dict[str, str] = field(default_factory=dict)  # exporter's stage -> pcrm's

    @property
    def shown(self) -> str:
        return _SHOWN.get(self.name, self.name)

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
    if arg and kind not in ("email", "phone"):
        raise InvalidInput(f'"{spec}": only email and phone take a label (email:work)')
    return Target(kind, arg.lower() or None)


def _preset(name: str, columns: dict[str, str], **extra: Any) -> Preset:
    patterns = [(re.compile(p), spec) for p, spec in extra.pop("patterns", {}).items()]
    return Preset(
        name, {column_key(c): parse_target(t) for c, t in columns.items()}, patterns, **extra
    )


_GOOGLE = _preset(
    "google",
    {
        # Google CSV (2022 and later)
        "First Name": "first_name",
        "Middle Name": "middle_name",
        "Last Name": "last_name",
        "Name Suffix": "name_suffix",
        "File As": "ignore",  # derived from the name
        "Organization Name": "company",
        "Organization Title": "title",
        "Birthday": "birthday",
        "Notes": "note",
        "Labels": "tags",
        # legacy Google CSV
        "Name": "name",
        "Given Name": "first_name",
        "Additional Name": "middle_name",
        "Family Name": "last_name",
        "Group Membership": "tags",
        "Organization 1 - Name": "company",
        "Organization 1 - Title": "title",
        "Organization 1 - Type": "ignore",
    },
    patterns={
        r"e-mail (\d+) - (?:label|type)": "email_label",
        r"e-mail (\d+) - value": "email",
        r"phone (\d+) - (?:label|type)": "phone_label",
        r"phone (\d+) - value": "phone",
    },
)

_OUTLOOK = _preset(
    "outlook",
    {
        "First Name": "first_name",
        "Middle Name": "middle_name",
        "Last Name": "last_name",
        "Suffix": "name_suffix",
        "E-mail Address": "email",
        "E-mail 2 Address": "email",
        "E-mail 3 Address": "email",
        "Home Phone": "phone:home",
        "Home Phone 2": "phone:home",
        "Business Phone": "phone:work",
        "Business Phone 2": "phone:work",
        "Mobile Phone": "phone:mobile",
        "Other Phone": "phone:other",
        "Primary Phone": "phone",
        "Car Phone": "phone:car",
        "Company": "company",
        "Job Title": "title",
        "Birthday": "birthday",
        "Notes": "note",
        "Categories": "tags",
        # what Outlook derives from other columns or writes in every row
        "E-mail Type": "ignore",
        "E-mail Display Name": "ignore",
        "E-mail 2 Type": "ignore",
        "E-mail 2 Display Name": "ignore",
        "E-mail 3 Type": "ignore",
        "E-mail 3 Display Name": "ignore",
        "Initials": "ignore",
    },
    blanks={
        column_key(c): frozenset(v)
        for c, v in {
            "Birthday": {"0/0/00"},
            "Anniversary": {"0/0/00"},
            "Gender": {"Unspecified"},
            "Priority": {"Normal"},
            "Sensitivity": {"Normal"},
            "Private": {"False"},
        }.items()
    },
)

_LINKEDIN = _preset(
    "linkedin",
    {
        "First Name": "first_name",
        "Last Name": "last_name",
        "Email Address": "email",
        "Company": "company",
        "Position": "title",
    },
    source="LinkedIn",
)

_HUBSPOT = _preset(
    "hubspot",
    {
        "First Name": "first_name",
        "Last Name": "last_name",
        "Email": "email",
        "Additional email addresses": "email",
        "Phone Number": "phone",
        "Mobile Phone Number": "phone:mobile",
        "Company Name": "company",
        "Associated Company": "company",
        "Job Title": "title",
        "Original Source": "source",
        "Date of birth": "birthday",
        "Lifecycle Stage": "stage",
    },
    # HubSpot's lifecycle stages as pcrm's default stages (docs/import-export.md)
    stage_names={
        "subscriber": "lead",
        "lead": "lead",
        "marketing qualified lead": "mql",
        "sales qualified lead": "sql",
        "opportunity": "opportunity",
        "customer": "customer",
        "evangelist": "customer",
        "other": "",
    },
)

# Column names people and other tools commonly use, for files no preset recognises.
_GENERIC = _preset(
    "generic",
    {
        **dict.fromkeys(["Name", "Full Name", "Display Name", "Contact", "Contact Name"], "name"),
        **dict.fromkeys(["First Name", "First", "Given Name", "Firstname"], "first_name"),
        **dict.fromkeys(["Middle Name"], "middle_name"),
        **dict.fromkeys(["Last Name", "Last", "Surname", "Family Name", "Lastname"], "last_name"),
        **dict.fromkeys(
            ["Email", "E-mail", "Email Address", "E-mail Address", "Mail", "Emails"], "email"
        ),
        **dict.fromkeys(["Phone", "Telephone", "Tel", "Phone Number", "Phones"], "phone"),
        **dict.fromkeys(["Mobile", "Mobile Phone", "Cell", "Cell Phone"], "phone:mobile"),
        **dict.fromkeys(
            ["Company", "Organization", "Organisation", "Org", "Company Name", "Employer"],
            "company",
        ),
        **dict.fromkeys(["Title", "Job Title", "Position", "Role"], "title"),
        **dict.fromkeys(["Birthday", "Birth Date", "Date of Birth", "DOB"], "birthday"),
        **dict.fromkeys(["Note", "Notes", "Comment", "Comments"], "note"),
        **dict.fromkeys(["Tags", "Tag", "Labels", "Groups", "Categories"], "tags"),
        **dict.fromkeys(["Source", "Lead Source"], "source"),
        **dict.fromkeys(["UID"], "uid"),
    },
)

# The columns that tell an exporter's file apart: all of the first set, one of the second.
_SIGNATURES: dict[str, tuple[set[str], set[str]]] = {
    "linkedin": ({"connected on", "position"}, {"first name", "url"}),
    "hubspot": ({"record id"}, {"lifecycle stage", "contact owner", "create date", "email"}),
    "outlook": ({"e-mail address"}, {"business phone", "job title", "mobile phone", "company"}),
    "google": (
        set(),
        {"e-mail 1 - value", "labels", "organization name", "group membership", "given name"},
    ),
}


def preset_named(name: str) -> Preset:
    presets = {p.name: p for p in (_GOOGLE, _OUTLOOK, _LINKEDIN, _HUBSPOT, _GENERIC)}
    if name == "pcrm":
        return pcrm_preset()
    if name not in presets:
        raise InvalidInput(f'unknown preset "{name}"', hint="presets: " + ", ".join(PRESETS))
    return presets[name]


def detect(header: list[str]) -> Preset:
    """The preset whose tell-tale columns this header has; else common column names."""
    keys = {column_key(column) for column in header}
    pcrm = pcrm_preset()
    if pcrm.columns and keys >= _PCRM_SIGNATURE:
        return pcrm
    for name, (every, some) in _SIGNATURES.items():
        if every <= keys and (not some or some & keys):
            return preset_named(name)
    return _GENERIC


# -- pcrm's own export (docs/import-export.md) ----------------------------------------------

_PCRM_SIGNATURE = {"uid", "name", "emails"}


def pcrm_preset() -> Preset:
    return _preset(
        "pcrm",
        {
            "uid": "uid",
            "name": "name",
            "emails": "email",
            "phones": "phone",
            "company": "company",
            "title": "title",
            "source": "source",
            "lifecycle_stage": "stage",
            "birthday": "birthday",
            "anniversary": "anniversary",
            "cadence_days": "cadence",
            "tags": "tags",
            "note": "note",
            "created_at": "created_at",
            "updated_at": "updated_at",
        },
        patterns={r"field:(.+)": "custom"},
        pcrm_layout=True,
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
    )
