"""Thunderbird's address book as CSV (Tools > Export, "Comma Separated"), in English and
as German Thunderbird writes its headers (names as Roundcube's de_DE csv2vcard.inc lists
them). Birth Year, Birth Month and Birth Day make one birthday."""

from __future__ import annotations

from pcrm.formats.contact_presets import Target, column_key, preset
from pcrm.formats.presets import Register, Signature

_ADDRESS = {
    "address_street": ("Address", "Address 2"),
    "address_locality": ("City",),
    "address_region": ("State",),
    "address_postcode": ("ZipCode",),
    "address_country": ("Country",),
}

THUNDERBIRD = preset(
    "thunderbird",
    {
        "First Name": "first_name",
        "Last Name": "last_name",
        "Display Name": "name",
        "Nickname": "nickname",
        "Primary Email": "email",
        "Secondary Email": "email",
        "Work Phone": "phone:work",
        "Home Phone": "phone:home",
        "Fax Number": "fax",
        "Pager Number": "phone:pager",
        "Mobile Number": "phone:mobile",
        **{
            f"{place} {part}": f"{target}:{label}"
            for place, label in (("Home", "home"), ("Work", "work"))
            for target, parts in _ADDRESS.items()
            for part in parts
        },
        "Job Title": "title",
        "Organization": "company",
        "Web Page 1": "url",
        "Web Page 2": "url",
        "Notes": "note",
        # German Thunderbird
        "Vorname": "first_name",
        "Nachname": "last_name",
        "Anzeigename": "name",
        "Spitzname": "nickname",
        "Primäre E-Mail-Adresse": "email",
        "Sekundäre E-Mail-Adresse": "email",
        "Tel. dienstlich": "phone:work",
        "Tel. privat": "phone:home",
        "Fax-Nummer": "fax",
        "Pager-Nummer": "phone:pager",
        "Mobil-Tel.-Nr.": "phone:mobile",
        "Privat: Adresse": "address_street:home",
        "Privat: Adresse 2": "address_street:home",
        "Privat: Ort": "address_locality:home",
        "Privat: Bundesland": "address_region:home",
        "Privat: PLZ": "address_postcode:home",
        "Privat: Land": "address_country:home",
        "Dienstlich: Adresse": "address_street:work",
        "Dienstlich: Adresse 2": "address_street:work",
        "Dienstlich: Ort": "address_locality:work",
        "Dienstlich: Bundesland": "address_region:work",
        "Dienstlich: PLZ": "address_postcode:work",
        "Dienstlich: Land": "address_country:work",
        "Arbeitstitel": "title",
        "Organisation": "company",
        "Webseite 1": "url",
        "Webseite 2": "url",
        "Notizen": "note",
    },
    title="Thunderbird",
)
# The three birthday columns (parse_target takes no part names: they are built here).
for _column, _part in (
    ("Birth Year", "year"),
    ("Birth Month", "month"),
    ("Birth Day", "day"),
    ("Geburtsjahr", "year"),
    ("Geburtsmonat", "month"),
    ("Geburtstag", "day"),
):
    THUNDERBIRD.columns[column_key(_column)] = Target("birthday", _part)


def register_presets(register: Register) -> None:
    register(
        THUNDERBIRD,
        order=25,
        signature=Signature(some=frozenset({"Primary Email", "Primäre E-Mail-Adresse"})),
    )
