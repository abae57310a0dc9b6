"""Outlook CSV exports ("Export to a file" in Outlook and Outlook.com)."""

from __future__ import annotations

from pcrm.formats.contact_presets import column_key, preset
from pcrm.formats.presets import Register, Signature

OUTLOOK = preset(
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
    title="Outlook",
)


def register_presets(register: Register) -> None:
    register(
        OUTLOOK,
        order=20,
        signature=Signature(
            every=frozenset({"E-mail Address"}),
            some=frozenset({"Business Phone", "Job Title", "Mobile Phone", "Company"}),
        ),
    )
