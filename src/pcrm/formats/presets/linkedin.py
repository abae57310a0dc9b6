"""LinkedIn's Connections.csv (from "Get a copy of your data")."""

from __future__ import annotations

from pcrm.formats.contact_presets import preset
from pcrm.formats.presets import Register, Signature

LINKEDIN = preset(
    "linkedin",
    {
        "First Name": "first_name",
        "Last Name": "last_name",
        "Email Address": "email",
        "Company": "company",
        "Position": "title",
        "URL": "url:linkedin",  # the member's profile
        "Profile URL": "url:linkedin",
    },
    source="LinkedIn",
    title="LinkedIn",
)


def register_presets(register: Register) -> None:
    register(
        LINKEDIN,
        order=30,
        signature=Signature(
            every=frozenset({"Connected On", "Position"}),
            some=frozenset({"First Name", "URL"}),
        ),
    )
