"""HubSpot's contact exports."""

from __future__ import annotations

from pcrm.formats.contact_presets import preset
from pcrm.formats.presets import Register, Signature

HUBSPOT = preset(
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
    title="HubSpot",
)


def register_presets(register: Register) -> None:
    register(
        HUBSPOT,
        order=40,
        signature=Signature(
            every=frozenset({"Record ID"}),
            some=frozenset({"Lifecycle Stage", "Contact Owner", "Create Date", "Email"}),
        ),
    )
