"""Outlook CSV exports ("Export to a file" in Outlook and Outlook.com), in English and as
German, French and Spanish Outlook write their headers (the localised names as listed by
Roundcube's program/localization/*/csv2vcard.inc, which reads these exports, and, for
German Outlook 2007 and later, the header of Open-Xchange's bug 9367 file: "Weiteres/r
Bundesland/Kanton", "Telefon Firma"...)."""

from __future__ import annotations

from pcrm.formats.contact_presets import column_key, preset
from pcrm.formats.presets import Register, Signature

_ENGLISH = {
    "Name": "name",
    "First Name": "first_name",
    "Middle Name": "middle_name",
    "Last Name": "last_name",
    "Suffix": "name_suffix",
    "Nickname": "nickname",
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
    "Company Main Phone": "phone:work",
    "Assistant's Phone": "phone:assistant",
    "Radio Phone": "phone:mobile",
    "Car Phone": "phone:car",
    "Pager": "phone:pager",
    "Business Fax": "fax:work",
    "Home Fax": "fax:home",
    "Other Fax": "fax:other",
    "Company": "company",
    "Job Title": "title",
    "Birthday": "birthday",
    "Anniversary": "anniversary",
    "Notes": "note",
    "Categories": "tags",
    "Web Page": "url",
    **{
        f"{place} {part}": f"{target}:{label}"
        for place, label in (("Business", "work"), ("Home", "home"), ("Other", "other"))
        for part, target in (
            ("Street", "address_street"),
            ("Street 2", "address_street"),
            ("Street 3", "address_street"),
            ("PO Box", "address_street"),
            ("City", "address_locality"),
            ("State", "address_region"),
            ("Postal Code", "address_postcode"),
            ("Country", "address_country"),
            ("Country/Region", "address_country"),
        )
    },
    # what Outlook derives from other columns or writes in every row
    "E-mail Type": "ignore",
    "E-mail Display Name": "ignore",
    "E-mail 2 Type": "ignore",
    "E-mail 2 Display Name": "ignore",
    "E-mail 3 Type": "ignore",
    "E-mail 3 Display Name": "ignore",
    "Initials": "ignore",
}

_GERMAN = {
    "Vorname": "first_name",
    "Weitere Vornamen": "middle_name",
    "Nachname": "last_name",
    "Firma": "company",
    "Position": "title",
    "E-Mail-Adresse": "email",
    "E-Mail 2: Adresse": "email",
    "E-Mail 3: Adresse": "email",
    "Telefon geschäftlich": "phone:work",
    "Telefon geschäftlich 2": "phone:work",
    "Telefon privat": "phone:home",
    "Telefon privat 2": "phone:home",
    "Telefon (privat)": "phone:home",  # as some German Outlook versions write them
    "Telefon (privat 2)": "phone:home",
    "Telefon Firma": "phone:work",
    "Telefon Assistent": "phone:assistant",
    "ISDN": "phone:isdn",
    "Mobiltelefon 2": "phone:mobile",
    "Mobiltelefon": "phone:mobile",
    "Weiteres Telefon": "phone:other",
    "Haupttelefon": "phone",
    "Autotelefon": "phone:car",
    "Fax geschäftlich": "fax:work",
    "Fax privat": "fax:home",
    "Weiteres Fax": "fax:other",
    "Geburtstag": "birthday",
    "Jahrestag": "anniversary",
    "Notizen": "note",
    "Kategorien": "tags",
    "Webseite": "url",
    "Straße geschäftlich": "address_street:work",
    "Straße geschäftlich 2": "address_street:work",
    "Straße geschäftlich 3": "address_street:work",
    "Adresse geschäftlich": "address_street:work",  # Outlook 365's first street line
    "Postfach geschäftlich": "address_street:work",
    "Ort geschäftlich": "address_locality:work",
    "Region geschäftlich": "address_region:work",
    "Bundesland/Kanton geschäftlich": "address_region:work",
    "Postleitzahl geschäftlich": "address_postcode:work",
    "Land geschäftlich": "address_country:work",
    "Land/Region geschäftlich": "address_country:work",
    "Straße privat": "address_street:home",
    "Straße privat 2": "address_street:home",
    "Straße privat 3": "address_street:home",
    "Adresse privat": "address_street:home",
    "Postfach privat": "address_street:home",
    "Ort privat": "address_locality:home",
    "Region privat": "address_region:home",
    "Bundesland/Kanton privat": "address_region:home",
    "Postleitzahl privat": "address_postcode:home",
    "Land privat": "address_country:home",
    "Land/Region privat": "address_country:home",
    "Weitere Straße": "address_street:other",
    "Weitere Straße 2": "address_street:other",
    "Weitere Straße 3": "address_street:other",
    "Weiteres Postfach": "address_street:other",
    "Weiterer Ort": "address_locality:other",
    "Weitere Region": "address_region:other",
    "Weitere Postleitzahl": "address_postcode:other",
    "Weiteres Land": "address_country:other",
    "Weiteres Land/Region": "address_country:other",
    "Weiteres/r Bundesland/Kanton": "address_region:other",  # Outlook 2007 and later
    "Weiteres/e Land/Region": "address_country:other",
    "E-Mail-Typ": "ignore",
    "E-Mail: Angezeigter Name": "ignore",
    "E-Mail 2: Typ": "ignore",
    "E-Mail 2: Angezeigter Name": "ignore",
    "E-Mail 3: Typ": "ignore",
    "E-Mail 3: Angezeigter Name": "ignore",
    "Initialen": "ignore",
}

_FRENCH = {
    "Prénom": "first_name",
    "Deuxième prénom": "middle_name",
    "Nom": "last_name",
    "Suffixe": "name_suffix",
    "Surnom": "nickname",
    "Société": "company",
    "Profession": "title",
    "Adresse de messagerie": "email",
    "Adresse de messagerie 2": "email",
    "Adresse de messagerie 3": "email",
    "Téléphone (bureau)": "phone:work",
    "Téléphone 2 (bureau)": "phone:work",
    "Téléphone (domicile)": "phone:home",
    "Téléphone 2 (domicile)": "phone:home",
    "Tél. mobile": "phone:mobile",
    "Téléphone (autre)": "phone:other",
    "Téléphone principal": "phone",
    "Téléphone (voiture)": "phone:car",
    "Récepteur de radiomessagerie": "phone:pager",
    "Télécopie (bureau)": "fax:work",
    "Télécopie (domicile)": "fax:home",
    "Télécopie (autre)": "fax:other",
    "Anniversaire": "birthday",
    "Anniversaire de mariage ou fête": "anniversary",
    "Catégories": "tags",
    "Page Web": "url",
    **{
        f"{part} ({place})": f"{target}:{label}"
        for place, label in (("bureau", "work"), ("domicile", "home"), ("autre", "other"))
        for part, target in (
            ("Rue", "address_street"),
            ("Ville", "address_locality"),
            ("Dép/Région", "address_region"),
            ("Code postal", "address_postcode"),
            ("Pays/Région", "address_country"),
        )
    },
}

_SPANISH = {
    "Nombre": "first_name",
    "Segundo nombre": "middle_name",
    "Apellidos": "last_name",
    "Organización": "company",
    "Puesto": "title",
    "Dirección de correo electrónico": "email",
    "Dirección de correo electrónico 2": "email",
    "Dirección del correo electrónico 3": "email",
    "Dirección de correo electrónico 3": "email",
    "Teléfono del trabajo": "phone:work",
    "Particular": "phone:home",
    "Teléfono móvil": "phone:mobile",
    "Otro teléfono": "phone:other",
    "Teléfono principal": "phone",
    "Otro fax": "fax:other",
    "Cumpleaños": "birthday",
    "Aniversario": "anniversary",
    "Notas": "note",
    "Categorías": "tags",
    "Página web": "url",
    "Calle del trabajo": "address_street:work",
    "Ciudad de trabajo": "address_locality:work",
    "Provincia o estado de trabajo": "address_region:work",
    "Código postal del trabajo": "address_postcode:work",
    "País o región del trabajo": "address_country:work",
    "País o región del domicilio": "address_country:home",
    "Otra calle": "address_street:other",
    "Otra ciudad": "address_locality:other",
    "Otra provincia o estado": "address_region:other",
    "Otro código postal": "address_postcode:other",
    "Otro país o región": "address_country:other",
}

# Outlook writes these in every row: they mean "no value".
_BLANKS = {
    column_key(c): frozenset(v)
    for c, v in {
        "Birthday": {"0/0/00"},
        "Anniversary": {"0/0/00"},
        "Geburtstag": {"0.0.00", "0/0/00"},
        "Jahrestag": {"0.0.00", "0/0/00"},
        "Anniversaire": {"0/0/00"},
        "Anniversaire de mariage ou fête": {"0/0/00"},
        "Cumpleaños": {"0/0/00"},
        "Aniversario": {"0/0/00"},
        "Gender": {"Unspecified"},
        "Priority": {"Normal"},
        "Sensitivity": {"Normal"},
        "Private": {"False"},
        "Priorität": {"Normal"},
        "Vertraulichkeit": {"Normal"},
        "Privat": {"Aus"},
    }.items()
}


OUTLOOK = preset(
    "outlook", {**_ENGLISH, **_GERMAN, **_FRENCH, **_SPANISH}, blanks=_BLANKS, title="Outlook"
)
OUTLOOK_DE = preset("outlook-de", {**_ENGLISH, **_GERMAN}, blanks=_BLANKS, title="Outlook (German)")
OUTLOOK_FR = preset("outlook-fr", {**_ENGLISH, **_FRENCH}, blanks=_BLANKS, title="Outlook (French)")
OUTLOOK_ES = preset(
    "outlook-es", {**_ENGLISH, **_SPANISH}, blanks=_BLANKS, title="Outlook (Spanish)"
)


def register_presets(register: Register) -> None:
    register(
        OUTLOOK,
        order=20,
        signature=Signature(
            every=frozenset({"E-mail Address"}),
            some=frozenset(
                {"Business Phone", "Job Title", "Mobile Phone", "Company", "E-mail 2 Address"}
            ),
        ),
    )
    for localised, email, some in (
        (OUTLOOK_DE, "E-Mail-Adresse", {"Vorname", "Nachname", "Firma", "Mobiltelefon"}),
        (OUTLOOK_FR, "Adresse de messagerie", {"Prénom", "Nom", "Société", "Tél. mobile"}),
        (OUTLOOK_ES, "Dirección de correo electrónico", {"Nombre", "Apellidos", "Puesto"}),
    ):
        register(localised, signature=Signature(every=frozenset({email}), some=frozenset(some)))
