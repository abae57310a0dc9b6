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
        "Fax Number": "fax",
        "Website URL": "url",
        "LinkedIn Profile": "url:linkedin",
        "Street Address": "address_street",
        "City": "address_locality",
        "State/Region": "address_region",
        "Postal Code": "address_postcode",
        "Country/Region": "address_country",
        "Lifecycle Stage": "stage",
    },
    # HubSpot's lifecycle stages as pcrm's default stages (docs/import-export.md)
    stage_names={
        "subscriber": "lead",
        "lead": "lead",
        "marketing qualified lead": "mql",
        "sales qualified lead": "sql",
        "opportunity": "opportunity",  # pcrm has the stage (docs/lifecycle.md)
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
            # "Record ID - Contact" when the export holds associated companies
            some=frozenset({"Record ID", "Record ID - Contact"}),
        ),
    )
