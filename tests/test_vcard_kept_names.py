"""A card's structured name (N) and organisation (ORG, with its department) go back out as
the card had them while pcrm still holds what they say (found while building `pcrm sync`:
an iPhone card came out with "Sr." as its family name and without its department)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from conftest import Result, ok

Cli = Callable[..., Result]
IPHONE = Path(__file__).parent / "fixtures" / "real" / "ez-vcard" / "John_Doe_IPHONE.vcf"


def card_lines(folder: Path) -> list[str]:
    (card,) = (folder / "contacts").glob("*.vcf")
    return card.read_bytes().decode().split("\r\n")


def test_n_and_org_of_the_card_are_kept_until_pcrm_changes_them(cli: Cli, tmp_path: Path) -> None:
    ok(cli("import", "contacts", str(IPHONE)))
    vdir = tmp_path / "vdir"
    ok(cli("vdir", "export", str(vdir)))
    lines = card_lines(vdir)
    assert "FN:Mr. John Richter James Doe Sr." in lines
    assert "N:Doe;John;Richter,James;Mr.;Sr." in lines
    assert "ORG:IBM;Accounting" in lines
    # The same through `pcrm export contacts --format vcard`.
    exported = ok(cli("export", "contacts", "--format", "vcard")).splitlines()
    assert "N:Doe;John;Richter,James;Mr.;Sr." in exported
    assert "ORG:IBM;Accounting" in exported
    # Renamed and moved in pcrm: pcrm's own name and company go out.
    ok(cli("contact", "edit", "1", "--name", "John Doe", "--company", "Acme"))
    ok(cli("vdir", "export", str(vdir)))
    lines = card_lines(vdir)
    assert "N:Doe;John;;;" in lines
    assert "ORG:Acme" in lines
    assert not [line for line in lines if line.startswith("ORG:IBM")]
