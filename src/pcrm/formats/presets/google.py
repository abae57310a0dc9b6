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
        "Nickname": "nickname",
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
        r"phone (\d+) - value": "phone",  # labelled "Work Fax", "Home Fax": a fax
        r"address (\d+) - (?:label|type)": "address_label",
        r"address (\d+) - formatted": "address",
        r"address (\d+) - (?:street|po box|extended address)": "address_street",
        r"address (\d+) - city": "address_locality",
        r"address (\d+) - region": "address_region",
        r"address (\d+) - postal code": "address_postcode",
        r"address (\d+) - country": "address_country",
        r"website (\d+) - (?:label|type)": "url_label",
        r"website (\d+) - value": "url",
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
