"""Reading real vCard files (issue 15, tests/fixtures/real/vcardread/SOURCES-vcardread.md):
whole text values, QUOTED-PRINTABLE and CHARSET, vCard 2.1's bare types, faxes, addresses,
URLs, anniversaries, the raw card kept, and nothing printed by the reader.

What the database holds today is checked through the CLI; the parts of a contact that the
storage of issue 15 adds (addresses, URLs, nickname, faxes, raw card) and the reader's
warnings are checked on what the reader hands to the importer (ParsedContact), from the
same real files."""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path

from conftest import ok
from pcrm.core.importing.models import ParsedContact
from pcrm.core.people.models import Address
from pcrm.formats.contact_file import ROW_LIMIT, MiB, open_source, vcard_texts
from pcrm.formats.vcard_rows import VcardMapper

REAL = Path(__file__).parent / "fixtures" / "real" / "vcardread"


def read(path: Path) -> tuple[list[ParsedContact], dict[str, int]]:
    """The cards of a file as the reader hands them to the importer, and the unmapped
    properties it counted."""
    source = open_source(str(path))
    try:
        mapper = VcardMapper(source.codec)
        cards = [mapper.contact(card) for card in vcard_texts(source)]
    finally:
        source.close()
    return cards, dict(mapper.unmapped_counts)


def one(name: str) -> ParsedContact:
    cards, _ = read(REAL / name)
    assert len(cards) == 1
    return cards[0]


def imported(cli, name: str | Path) -> str:
    path = name if isinstance(name, Path) else REAL / name
    result = cli("import", "contacts", str(path))
    assert result.stderr == ""  # nothing printed by the reader (vobject's "Skipped line")
    return ok(result)


def listed(cli) -> dict[str, dict]:
    found = {}
    for contact in json.loads(ok(cli("contact", "list", "--json", "--limit", "0"))):
        contact["company"] = contact["company"]["name"] if contact["company"] else None
        contact["phones"] = [(p["label"], p["phone"]) for p in contact["phones"]]
        contact["emails"] = [(e["label"], e["email"]) for e in contact["emails"]]
        found[contact["name"]] = contact
    return found


# -- 1. unescaped commas -------------------------------------------------------------


def test_unescaped_commas_are_part_of_the_text(cli):
    imported(cli, "../ez-vcard/John_Doe_MS_OUTLOOK.vcf")  # vCard 2.1 (Outlook)
    imported(cli, "../gammu/se-1.vcf")  # vCard 2.1 (a Sony Ericsson phone)
    found = listed(cli)
    outlook = found["Mr. John Richter James Doe Sr."]
    assert outlook["note"].startswith(
        "THIS SOFTWARE IS PROVIDED BY GEORGE EL-HADDAD ''AS IS'' AND ANY EXPRESS OR IMPLIED"
        " WARRANTIES, INCLUDING, BUT NOT LIMITED TO, THE IMPLIED WARRANTIES"
    )
    assert outlook["note"].endswith("EVEN IF ADVISED OF THE POSSIBILITY OF SUCH DAMAGE.")
    assert (outlook["company"], outlook["title"]) == ("IBM", "Money Counter")
    # the ADR's street: "5, Chemin du Marais" in one part
    assert one("../gammu/se-1.vcf").addresses[0] == Address(
        "home", "5, Chemin du Marais", "Grenoble", None, "38100", "France"
    )


def test_fn_org_and_nickname_are_read_whole():
    assert one("../ez-vcard/outlook-2003.vcf").company == "Company, The"  # ORG:Company, The;Dept
    ximian = one("../kcontacts/vcard4.vcf")
    assert ximian.company == "Ximian, Inc."
    assert one("kcontacts-vcard5.vcf").name == "Mustermann, Heiko"
    assert one("l0b0-maximal.vcf").nickname == "Johnny,Dr Q"  # NICKNAME: the whole text
    assert one("../ez-vcard/John_Doe_EVOLUTION.vcf").name == "Mr. John Richter, James Doe Sr."


# -- 2, 3. QUOTED-PRINTABLE, CHARSET ------------------------------------------------------


def test_quoted_printable_soft_line_breaks_are_joined(cli):
    out = imported(cli, "../ez-vcard/John_Doe_ANDROID.vcf")
    assert "Skipped" not in out
    imported(cli, "../gammu/quoted-printable-new-line.vcf")
    imported(cli, "gammu-quoted-printable-empty-new-line.vcf")
    imported(cli, "../kcontacts/vcard10.vcf")
    found = listed(cli)
    android = found["Ñ Ñ Ñ Ñ Ñ Ñ Ñ Ñ Ñ Ñ Ñ"]  # a QP name over two lines
    assert android["phones"] == [
        ("mobile", "123456"),
        ("home", "234567"),
        ("mobile", "3456789"),
        ("home", "45678901"),
    ]
    # two NOTE lines, each over three lines: both kept
    assert android["note"] == (
        "Ñ Ñ Ñ Ñ Ñ Ñ Ñ ÑÑ Ñ Ñ Ñ Ñ Ñ Ñ ÑÑ Ñ Ñ Ñ Ñ\n\nÑ Ñ Ñ Ñ Ñ Ñ Ñ ÑÑ Ñ Ñ Ñ Ñ Ñ Ñ ÑÑ Ñ Ñ Ñ Ñ"
    )
    assert "ПОРКС - PRIMA" in found  # N: "- PRIMA;ПОРКС", the soft break inside a byte
    assert "Joseph Hörmann" in found  # a soft break before a blank line
    doctor = found["Dr. med. Surname Name"]
    assert doctor["title"] == "Facharzt für Allgemeinmedizin"
    assert doctor["note"] == (
        "Sprechzeiten:\nMo   8–12, 15–18\nDi     8–12\nMi    8–12, 14–15\nDo 14–19\nFr     8–12"
    )


def test_a_quoted_printable_address_is_decoded_with_its_charset():
    work = one("../gammu/se-1.vcf").addresses[1]
    assert work == Address("work", "100 rue des Maths", "Saint Martin d'Hères", None, "38402")
    broken, _ = read(REAL / "../kcontacts/vcard10.vcf")
    assert broken[1].addresses == [
        Address("home", "AAAAAAA-AäAAAAA 11", "Urt", None, "00000", None)
    ]
    assert broken[1].urls == [(None, "http://some-webseite.com")]  # not swallowed by ADR


def test_8_bit_values_are_decoded_with_their_charset(cli):
    out = imported(cli, "roundcube-thebat-8bit-derived.vcf")
    assert "1 card" in out.splitlines()[0]
    assert "Piotr Iksiński" in listed(cli)  # CHARSET=ISO-8859-2, not the file's Windows-1252


def test_quoted_printable_without_charset_that_is_not_utf8_is_a_warning():
    card = one("../roundcube/thebat.vcf")
    assert card.name == "Piotr Iksiñski"
    assert card.warnings == [
        'N "Iksiñski;Piotr": no CHARSET and not UTF-8, read as Windows-1252',
        'FN "Piotr Iksiñski": no CHARSET and not UTF-8, read as Windows-1252',
    ]


def test_an_unknown_charset_is_a_warning_naming_the_value(tmp_path):
    card = tmp_path / "nope.vcf"
    text = (REAL / "gammu-quoted-printable-normal.vcf").read_bytes()
    card.write_bytes(text.replace(b"CHARSET=UTF-8", b"CHARSET=NOPE"))
    (parsed,), _ = read(card)
    assert parsed.name == "Bc. Zdeněk Žák"
    assert parsed.warnings == ['N "Bc. Zdeněk Žák": unknown charset "NOPE", read as UTF-8']


# -- 4. types and labels ---------------------------------------------------------------


def test_bare_vcard_2_1_types_are_labels_and_faxes_are_faxes(cli):
    imported(cli, "../gammu/types.vcf")
    imported(cli, "../gammu/se-1.vcf")
    found = listed(cli)
    assert found["Nikdovic Nikdo"]["phones"] == [  # TEL;PREF;CELL, TEL;CELL;PREF, TEL;WORK
        ("mobile", "444444444"),
        ("mobile", "333333333"),
        ("mobile", "132456"),
        ("work", "555555555"),
        ("work", "97897987"),
    ]
    # EMAIL;TYPE=PREF, EMAIL;PREF: no label
    assert [label for label, _ in found["Nikdovic Nikdo"]["emails"]] == [None, None, None]
    yves = found["Yves Laurent"]
    assert yves["phones"] == [  # TEL;FAX is not among them
        ("home", "+33476629472"),
        ("work", "+33476514460"),
        ("mobile", "+33608270080"),
        (None, "+33950326470"),
    ]
    assert [label for label, _ in yves["emails"]] == [None, None, None]  # INTERNET;PREF
    assert one("../gammu/se-1.vcf").faxes == [(None, "+33476635611")]
    assert one("../ez-vcard/outlook-2003.vcf").faxes == [("work", "BusinessFaxPhone")]
    assert one("l0b0-maximal.vcf").faxes == [("work", "+0123456789")]  # TYPE=FAX;TYPE=WORK
    android, _ = read(REAL / "../ez-vcard/John_Doe_ANDROID.vcf")
    assert android[4].faxes == [("work", "123456")]  # TEL;WORK;FAX
    assert android[4].emails[0] == ("work", "bob@company.com")  # EMAIL;PREF;WORK


def test_apple_labels_and_faxes():
    iphone = one("../ez-vcard/John_Doe_IPHONE.vcf")
    assert iphone.phones == [
        ("mobile", "905-555-1234"),
        ("home", "905-666-1234"),
        ("work", "905-777-1234"),
        ("pager", "905-111-1234"),
        ("assistantphone", "905-222-1234"),  # item2.X-ABLabel:_$!<AssistantPhone>!$_
    ]
    assert iphone.faxes == [("home", "905-888-1234"), ("work", "905-999-1234")]
    assert iphone.emails == [(None, "john.doe@ibm.com")]  # type=INTERNET;type=pref
    assert iphone.urls == [("homepage", "http://www.ibm.com")]  # http\://, Apple's label
    # the PHOTO after \r\r\n line ends is left out whole: BDAY stays a date
    assert iphone.birthday == "2012-06-06"


def test_vcard_4_tel_uris_lose_their_scheme():
    simon = one("../ez-vcard/rfc6350-example.vcf")
    assert simon.phones == [("work", "+1-418-656-9254 ext. 102"), ("work", "+1-418-262-6501")]
    assert simon.urls == [("home", "http://nomis80.org")]


# -- 5. the start of the file, PROFILE, second ORG and TITLE -----------------------------


def test_lines_before_the_first_card_still_make_a_vcard_file(cli, tmp_path):
    card = tmp_path / "export.txt"
    text = (REAL / "../gammu/se-1.vcf").read_bytes()
    card.write_bytes(b"\xef\xbb\xbf\r\n\r\nMy phone's contacts\r\nexported 2009\r\n\r\n" + text)
    out = imported(cli, card)
    assert out.splitlines()[0] == f"{card}: vCard, UTF-8 with BOM, 1 card"
    assert "Yves Laurent" in listed(cli)
    (parsed,), _ = read(card)
    assert parsed.line == 6
    assert parsed.warnings == [
        'line 3: left out "My phone\'s contacts" and 1 more, before BEGIN:VCARD'
    ]


def test_lines_after_the_last_card_are_a_warning(tmp_path):
    card = tmp_path / "two.vcf"
    text = (REAL / "../ez-vcard/rfc2426-example.vcf").read_bytes()
    card.write_bytes(text + b"\r\n-- end of export --\r\n")
    (frank, tim), _ = read(card)
    assert (frank.name, frank.warnings) == ("Frank Dawson", [])
    assert tim.name == "Tim Howes"
    assert tim.warnings == ['line 24: left out "-- end of export --", after the last END:VCARD']


def test_profile_vcard_does_not_reject_the_card(cli):
    out = imported(cli, "l0b0-maximal.vcf")  # PROFILE:VCARD, RFC 2426
    assert "created 1," in out
    john = listed(cli)["John Doe"]
    assert (john["company"], john["title"]) == ("Example Organization", "Assistant assessor")
    assert john["note"] == (
        "Who is this guy anyway? He looks like a double agent from the eighties, talks like"
        " a loon, and reads comics when he should be working."
    )


def test_a_second_org_or_title_is_kept_in_the_note(cli):
    imported(cli, "ezvcard-fullcontact.vcf")
    contact = listed(cli)["Prefix FirstName MiddleName LastName Suffix"]
    assert (contact["company"], contact["title"]) == ("Organization1", "Title1")
    assert contact["note"] == "Notes line 1\nNotes line 2\n\nORG: Organization2\n\nTITLE: Title2"
    parsed = one("ezvcard-fullcontact.vcf")
    assert parsed.warnings == [
        'a second ORG "Organization2" kept in the note ("Organization1" is the company)',
        'a second TITLE "Title2" kept in the note ("Title1" is the title)',
    ]  # BDAY;ALTID=1 twice: two forms of one birthday, not a second one
    assert parsed.birthday == "20160801"


def test_a_line_that_is_not_a_property_is_a_warning():
    ximian = one("../kcontacts/vcard4.vcf")  # "FN" alone on its line
    assert ximian.warnings == ['left out a line that is not a property: "FN"']
    assert ximian.emails == [(None, "hello@ximian.com")]


def test_mac_line_ends(cli):
    imported(cli, "l0b0-line_ending_mac.vcf")
    assert "John Doe" in listed(cli)


# -- 6. nickname, addresses, urls, anniversaries, pcrm's own properties --------------------


def test_anniversaries_from_every_exporter(cli):
    imported(cli, "../ez-vcard/John_Doe_MS_OUTLOOK.vcf")  # X-MS-ANNIVERSARY:20110113
    found = listed(cli)
    assert found["Mr. John Richter James Doe Sr."]["anniversary"] == "2011-01-13"
    assert one("../ez-vcard/John_Doe_EVOLUTION.vcf").anniversary == "1980-03-22"
    assert one("kcontacts-vcard5.vcf").anniversary == "1982-07-07"  # X-KADDRESSBOOK-X-...
    assert one("../ez-vcard/gmail-single.vcf").anniversary == "1970-06-02"  # X-ABDATE, labelled
    assert one("../ez-vcard/rfc6350-example.vcf").anniversary == "20090808T1430-0500"
    thunderbird = one("../ez-vcard/thunderbird-MoreFunctionsForAddressBook-extension.vcf")
    assert thunderbird.anniversary == "1990-04-30"  # X-ANNIVERSARY


def test_nickname_addresses_and_urls():
    outlook = one("../ez-vcard/John_Doe_MS_OUTLOOK.vcf")
    assert outlook.nickname == "Johny"
    assert outlook.addresses == [
        Address(
            "work", "Cresent moon drive", "Albaney", "New York", "12345", "United States of America"
        ),
        Address(
            "home", "Silicon Alley 5,", "New York", "New York", "12345", "United States of America"
        ),
    ]
    assert outlook.urls == [("work", "http://www.ibm.com")]
    # the PO box and the extended address go into the street, one per line
    assert one("l0b0-maximal.vcf").addresses == [
        Address(
            None,
            "Post office box 1\nWest wing\n1 Some Street",
            "Tinytown",
            "Schwarzwald",
            "12345",
            "Fantasia",
        )
    ]
    evolution = one("../ez-vcard/John_Doe_EVOLUTION.vcf")
    assert evolution.addresses[0].street == "ASB-123\n15 Crescent moon drive"
    assert evolution.addresses[0].country == "United States of America"  # folded mid-word
    gmail = one("../ez-vcard/gmail-single.vcf")
    assert gmail.urls == [("profile", "http://TheProfile.com")]
    assert gmail.addresses[1] == Address(
        "customadrtype", "321 Custom St", "Custom City", "TX", "98765", "USA"
    )


def test_social_profiles_and_pcrm_own_properties(tmp_path):
    card = tmp_path / "pcrm.vcf"
    card.write_text(
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ada Lovelace\r\nNICKNAME:Ada\r\nNICKNAME:Countess\r\n"
        "X-SOCIALPROFILE;type=linkedin:https://www.linkedin.com/in/ada\r\n"
        "X-ANNIVERSARY:1835-07-08\r\nX-PCRM-CADENCE:30\r\nX-PCRM-STAGE:customer\r\n"
        "X-PCRM-SOURCE:conference\r\nX-PCRM-FIELD;X-NAME=Team:Engines\\, analytical\r\n"
        "TEL;TYPE=FAX:+44 20 7946 0000\r\nEND:VCARD\r\n",
        newline="",
    )
    (parsed,), unmapped = read(card)
    assert parsed.urls == [("linkedin", "https://www.linkedin.com/in/ada")]
    assert parsed.nickname == "Ada, Countess"
    assert (parsed.anniversary, parsed.cadence, parsed.stage) == ("1835-07-08", "30", "customer")
    assert (parsed.source, parsed.fields) == ("conference", {"Team": "Engines, analytical"})
    assert parsed.faxes == [(None, "+44 20 7946 0000")]
    assert unmapped == {}


# -- 7, 8. the raw card, unmapped properties ---------------------------------------------


def test_the_raw_card_keeps_its_pictures_and_the_summary_says_so(cli):
    out = imported(cli, "kcontacts-vcard5.vcf")
    assert (
        "No field for these properties, kept in the contact's vCard: CLASS (1 card), GEO (1 card)"
        in out
    )
    assert "LOGO (1 card), PHOTO (1 card), SOUND (1 card)" in out
    parsed = one("kcontacts-vcard5.vcf")
    text = (REAL / "kcontacts-vcard5.vcf").read_text()
    assert parsed.vcard == text.rstrip("\n") + "\n"  # the whole card, as in the file
    assert "LOGO;ENCODING=b;TYPE=image/png:iVBORw0KGgo" in parsed.vcard
    assert "PHOTO" not in str(parsed.raw)  # the parse (and --rejects) leave pictures out
    assert ("X-KADDRESSBOOK-X-PROFESSION", "Clown") in parsed.unmapped


def test_a_corrupt_photo_never_rejects_a_card(cli, tmp_path):
    card = tmp_path / "corrupt.vcf"
    card.write_text(
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ada Lovelace\r\nEMAIL:ada@example.org\r\n"
        "PHOTO;ENCODING=b;TYPE=JPEG:!!! not base64 at all ===\r\n  more garbage ;:,\r\n"
        "END:VCARD\r\n",
        newline="",
    )
    out = imported(cli, card)
    assert "created 1," in out
    (parsed,), unmapped = read(card)
    assert parsed.vcard is not None and "!!! not base64 at all ===" in parsed.vcard
    assert unmapped == {"PHOTO": 1}


def test_a_card_over_16_mib_with_its_pictures_keeps_no_raw_card(tmp_path):
    photo = base64.b64encode(os.urandom(ROW_LIMIT // 4 * 3 + MiB)).decode()
    card = tmp_path / "huge.vcf"
    folded = "\r\n ".join(photo[i : i + 74] for i in range(0, len(photo), 74))
    card.write_text(
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ada Lovelace\r\nPHOTO;ENCODING=b:"
        + folded
        + "\r\nEMAIL:ada@example.org\r\nEND:VCARD\r\n",
        newline="",
    )
    (parsed,), _ = read(card)
    assert (parsed.name, parsed.emails) == ("Ada Lovelace", [(None, "ada@example.org")])
    assert parsed.vcard is None
    assert parsed.warnings == [
        "the card is larger than 16 MiB with its pictures: its PHOTO not kept"
    ]


def test_a_text_value_in_base64_is_decoded(tmp_path):
    card = tmp_path / "b.vcf"
    note = base64.b64encode("Met at the Café, twice".encode()).decode()
    card.write_text(
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ada Lovelace\r\n"
        f"NOTE;ENCODING=b:{note}\r\nTITLE;ENCODING=b:not base64!\r\nEND:VCARD\r\n",
        newline="",
    )
    (parsed,), _ = read(card)
    assert (parsed.note, parsed.title) == ("Met at the Café, twice", "not base64!")
    assert parsed.warnings == ['TITLE is marked base64 but is not: kept as written "not base64!"']
