"""Roundcube's own contacts CSV: Outlook's English column names plus Roundcube's ("Email
Home", "Phone Video", "Website Blog", "IM Jabber"), as listed in Roundcube's
program/localization/en_US/csv2vcard.inc. Its "Title" is the name's prefix (Mr., Dr.),
which pcrm has no field for, so it is left unmapped (and reported); the job title is
"Job Title". Found by `auto` from its email columns; not listed in --preset's help (like
outlook-de), but `--preset roundcube` works."""

from __future__ import annotations

from pcrm.formats.contact_presets import preset
from pcrm.formats.presets import Register, Signature

_ADDRESS = {
    "home": {
        "address_street": ("Home Street",),
        "address_locality": ("Home City",),
        "address_region": ("Home State",),
        "address_postcode": ("Home Zip", "Home Postal Code", "Home ZipCode"),
        "address_country": ("Home Country", "Home Country/Region"),
    },
    "work": {
        "address_street": ("Business Street", "Work Street"),
        "address_locality": ("Work City", "Business City"),
        "address_region": ("Work State", "Business State"),
        "address_postcode": ("Work Zip", "Business Postal Code", "Work ZipCode"),
        "address_country": ("Work Country", "Business Country/Region"),
    },
    "other": {
        "address_street": ("Other Street",),
        "address_locality": ("Other City",),
        "address_region": ("Other State",),
        "address_postcode": ("Other Postal Code", "Other Zip"),
        "address_country": ("Other Country/Region", "Other Country"),
    },
}

ROUNDCUBE = preset(
    "roundcube",
    {
        "Display Name": "name",
        "First Name": "first_name",
        "Middle Name": "middle_name",
        "Last Name": "last_name",
        "Suffix": "name_suffix",
        "Nickname": "nickname",
        "Company": "company",
        "Job Title": "title",
        "Email Home": "email:home",
        "Email Work": "email:work",
        "Email Other": "email:other",
        "Home Phone": "phone:home",
        "Home Phone 2": "phone:home",
        "Business Phone": "phone:work",
        "Business Phone 2": "phone:work",
        "Home Mobile": "phone:mobile",
        "Primary Phone": "phone:main",
        "Car Phone": "phone:car",
        "Pager": "phone:pager",
        "Phone Video": "phone",  # unlabelled, as a vCard's TYPE=VIDEO is read: what it can do
        "Assistant's Phone": "phone:assistant",
        "Other Phone": "phone:other",
        "Home Fax": "fax:home",
        "Business Fax": "fax:work",
        **{
            column: f"{target}:{label}"
            for label, parts in _ADDRESS.items()
            for target, columns in parts.items()
            for column in columns
        },
        "Birthday": "birthday",
        "Anniversary": "anniversary",
        "Notes": "note",
        "Categories": "tags",
        "Website Blog": "url:blog",
        "Website Home Page": "url:homepage",
        "Website Other": "url:other",
        "Website Profile": "url:profile",
        "Website Work": "url:work",
    },
    title="Roundcube",
)


def register_presets(register: Register) -> None:
    register(
        ROUNDCUBE,
        signature=Signature(some=frozenset({"Email Home", "Email Work", "Email Other"})),
    )
