"""Google CSV exports (Google Contacts, 2022 and later, and the legacy layout)."""

from __future__ import annotations

from pcrm.formats.contact_presets import preset
from pcrm.formats.presets import Register, Signature

GOOGLE = preset(
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
    title="Google",
)


def register_presets(register: Register) -> None:
    register(
        GOOGLE,
        order=10,
        signature=Signature(
            some=frozenset(
                {
                    "E-mail 1 - Value",
                    "Labels",
                    "Organization Name",
                    "Group Membership",
                    "Given Name",
                }
            )
        ),
    )
