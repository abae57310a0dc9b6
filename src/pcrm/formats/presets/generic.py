"""Column names people and other tools commonly use, for files no preset recognises:
`auto` falls back to it. Not offered in --preset's help, but `--preset generic` works."""

from __future__ import annotations

from pcrm.formats.contact_presets import preset
from pcrm.formats.presets import Register

GENERIC = preset(
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
        **dict.fromkeys(["Fax", "Fax Number"], "fax"),
        **dict.fromkeys(["Nickname", "Nick Name"], "nickname"),
        **dict.fromkeys(["Website", "Web Page", "Web Site", "URL", "Homepage"], "url"),
        **dict.fromkeys(["Address", "Postal Address"], "address"),
        **dict.fromkeys(["Anniversary"], "anniversary"),
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


def register_presets(register: Register) -> None:
    register(
        GENERIC,
        fallback=True,
    )
