"""A card's own types and groups on the numbers, emails, addresses and URLs pcrm still holds
as the card said them (formats/vcard.py, _KeptEntries): an iPhone's `pref` and VOICE, and
the `itemN.` group that ties a custom label to its number, go back out with the card (a
vCard export, a vdir for vdirsyncer), with pcrm's own value; an entry changed in pcrm is
written by pcrm. On the real iPhone card of ez-vcard's test suite."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from conftest import Result

Cli = Callable[..., Result]
IPHONE = Path(__file__).parent / "fixtures" / "real" / "ez-vcard" / "John_Doe_IPHONE.vcf"


def ok(cli: Cli, *args: str) -> str:
    result = cli(*args)
    assert result.exit_code == 0, result.stderr
    return result.stdout


def exported(cli: Cli) -> list[str]:
    """The exported card's logical lines (unfolded)."""
    card = ok(cli, "export", "contacts", "--format", "vcard")
    return re.sub(r"\r?\n[ \t]", "", card).splitlines()


ENTRIES = [
    "TEL;type=CELL;type=VOICE;type=pref:905-555-1234",
    "TEL;type=HOME;type=VOICE:905-666-1234",
    "TEL;type=WORK;type=VOICE:905-777-1234",
    "TEL;type=HOME;type=FAX:905-888-1234",
    "TEL;type=WORK;type=FAX:905-999-1234",
    "TEL;type=PAGER:905-111-1234",
    "item1.EMAIL;type=INTERNET;type=pref:john.doe@ibm.com",
    "item2.TEL:905-222-1234",
    "item2.X-ABLabel:_$!<AssistantPhone>!$_",
    "item5.URL;type=pref:http://www.ibm.com",  # the card's `http\://`, escaped as it should be
    "item5.X-ABLabel:_$!<HomePage>!$_",
    "item3.ADR;type=HOME;type=pref:;;Silicon Alley 5\\,;New York;New York;12345;United States"
    " of America",  # the card's bare comma escaped: it is part of the street
    "item3.X-ABADR:Silicon Alley",
]


def test_the_card_s_own_types_and_groups_go_back_out(cli: Cli) -> None:
    ok(cli, "import", "contacts", str(IPHONE))
    lines = exported(cli)
    for line in ENTRIES:
        assert lines.count(line) == 1, line
    # Each property once: the raw card's lines stand in for pcrm's, never beside them.
    assert sum(line.startswith(("TEL", "item2.TEL")) for line in lines) == 7
    assert sum("EMAIL" in line for line in lines) == 1
    # The work address's street was read with its line breaks as spaces: pcrm's value,
    # so pcrm writes the line (without the card's group).
    assert "ADR;TYPE=work:;;Street4 Building 6 Floor 8;New York;;12345;USA" in lines


def test_an_entry_changed_in_pcrm_is_written_by_pcrm_and_the_others_stay(cli: Cli) -> None:
    ok(cli, "import", "contacts", str(IPHONE))
    ok(cli, "contact", "edit", "1", "--rm-phone", "905-666-1234", "--rm-phone", "905-222-1234",
       "--phone", "mobile:+1 905 555 0000")  # fmt: skip
    lines = exported(cli)
    assert "TEL;TYPE=mobile:+1 905 555 0000" in lines
    assert not any("905-666-1234" in line or "905-222-1234" in line for line in lines)
    # The assistant's number is gone, and with it its group's label.
    assert not any(line.startswith("item2.") for line in lines)
    kept = [line for line in ENTRIES if "905-666" not in line and not line.startswith("item2.")]
    for line in kept:
        assert line in lines, line


def test_a_card_of_another_version_gives_no_heads(cli: Cli, tmp_path: Path) -> None:
    card = tmp_path / "v4.vcf"
    card.write_text(
        "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Grace Hopper\r\n"
        "TEL;VALUE=uri;TYPE=cell:tel:+1-555-0100\r\nEND:VCARD\r\n"
    )
    ok(cli, "import", "contacts", str(card))
    lines = exported(cli)  # vCard 3.0: a 4.0 card's parameters are not 3.0's
    assert not any("VALUE=uri" in line for line in lines)
    assert any(line.startswith("TEL") and "555-0100" in line for line in lines)
