"""A vCard whose line folds cut UTF-8 characters in two (KDE's kcontacts folds every 75
bytes, wherever that falls): the raw bytes are not valid UTF-8, the unfolded card is. pcrm
reads it as UTF-8, with the line numbers of the file as given, and still detects the code
page of a file that is not UTF-8 even so.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from conftest import Result, ok

Cli = Callable[..., Result]
CORPUS = Path(__file__).parent / "fixtures" / "real"
CHUNK = 1 << 20  # contact_file reads and mends a file in chunks of 1 MiB


def _import(cli: Cli, path: Path, *args: str) -> dict[str, Any]:
    summary: dict[str, Any] = json.loads(ok(cli("import", "contacts", str(path), "--json", *args)))
    return summary


def _contacts(cli: Cli) -> list[dict[str, Any]]:
    contacts: list[dict[str, Any]] = json.loads(ok(cli("export", "contacts", "--format", "json")))
    return contacts


def _card(*lines: bytes, eol: bytes = b"\r\n") -> bytes:
    return eol.join([b"BEGIN:VCARD", b"VERSION:3.0", *lines, b"END:VCARD", b""])


def test_kde_vcard9_imports_as_utf8(cli: Cli) -> None:
    name = "kcontacts/vcard9.vcf"
    raw = (CORPUS / name).read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")  # the file is what the test is about
    expected = json.loads((CORPUS / f"{name}.expected.json").read_text(encoding="utf-8"))

    summary = _import(cli, CORPUS / name)

    assert summary["format"] == "vCard"
    assert summary["encoding"] == "UTF-8"
    report = summary["report"]
    assert (report["created"], report["rejected"]) == (1, 0)
    assert report["warnings"] == []
    [contact] = _contacts(cli)
    [want] = expected["contacts"]
    assert contact["name"] == want["name"]
    assert " ".join(want["note_contains"][0].split()) in " ".join(contact["note"].split())
    assert contact["uid"] == "20140316T155019.877e370c11@martin"


def test_fold_inside_a_three_byte_character(cli: Cli, tmp_path: Path) -> None:
    # 東京 (e6 9d b1, e4 ba ac): the fold falls after the first byte of 京, and again
    # after its second byte in the note; a second card's warning keeps its physical line.
    path = tmp_path / "tokyo.vcf"
    path.write_bytes(
        _card(
            b"FN:\xe6\x9d\xb1\xe4\r\n \xba\xac Taro", b"NOTE:\xe6\x9d\xb1\xe4\xba\r\n \xac office"
        )
        + _card(b"FN:Bad Day", b"BDAY:notadate")
    )

    summary = _import(cli, path)

    assert summary["encoding"] == "UTF-8"
    assert summary["report"]["created"] == 2
    [warning] = summary["report"]["warnings"]
    assert warning["line"] == 8  # BEGIN:VCARD of the second card in the file as given
    first = next(c for c in _contacts(cli) if c["name"] != "Bad Day")
    assert first["name"] == "東京 Taro"
    assert first["note"] == "東京 office"


def test_four_byte_character_cut_by_two_folds_with_lf_and_tab(cli: Cli, tmp_path: Path) -> None:
    # 😀 is f0 9f 98 80: cut after its first and after its third byte; LF line ends, the
    # second fold a tab.
    path = tmp_path / "smile.vcf"
    path.write_bytes(_card(b"FN:Ann Lee", b"NOTE:hi \xf0\n \x9f\x98\n\t\x80 there", eol=b"\n"))

    summary = _import(cli, path)

    assert summary["encoding"] == "UTF-8"
    [contact] = _contacts(cli)
    assert contact["note"] == "hi 😀 there"


def test_utf8_with_bom_mended_too(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "bom.vcf"
    path.write_bytes(b"\xef\xbb\xbf" + _card(b"FN:\xd0\x98\xd0\r\n \xb2\xd0\xb0\xd0\xbd"))

    summary = _import(cli, path)

    assert summary["encoding"] == "UTF-8 with BOM"
    assert [c["name"] for c in _contacts(cli)] == ["Иван"]


def test_named_utf8_mended_too(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "named.vcf"
    path.write_bytes(_card(b"FN:\xd0\x98\xd0\r\n \xb2\xd0\xb0\xd0\xbd"))

    summary = _import(cli, path, "--encoding", "utf-8")

    assert summary["encoding"] == "utf-8"
    assert [c["name"] for c in _contacts(cli)] == ["Иван"]


def test_a_code_page_file_is_still_detected(cli: Cli, tmp_path: Path) -> None:
    # Windows-1252 with a fold after "é": moving bytes mends nothing, the code page is read.
    path = tmp_path / "western.vcf"
    path.write_bytes(_card(b"FN:Ren\xe9e Fran\xe7ois", b"NOTE:caf\xe9\r\n  cr\xe8me br\xfbl\xe9e"))

    summary = _import(cli, path)

    assert summary["encoding"] == "Windows-1252"
    [contact] = _contacts(cli)
    assert (contact["name"], contact["note"]) == ("Renée François", "café crème brûlée")


@pytest.mark.parametrize("cut", [1, 2, 3, 4, 5])
def test_fold_across_the_chunk_boundary(cli: Cli, tmp_path: Path, cut: int) -> None:
    # A picture (left out of the contact, never decoded) pads the card to just under 1 MiB;
    # then FN's `京` cut by a fold (e4 ba CR LF SP ac) lies across byte 1 MiB, the first
    # `cut` bytes of those six before it.
    head = b"BEGIN:VCARD\r\nVERSION:3.0\r\nPHOTO;ENCODING=b;TYPE=JPEG:" + b"QUFB" * 18 + b"\r\n"
    photo = b" " + b"QUFB" * 18 + b"\r\n"
    padding = head + photo * ((CHUNK - len(head) - 200) // len(photo))
    filler = CHUNK - cut - len(padding) - len(b"FN:Tokyo ")
    data = padding + b"FN:Tokyo " + b"x" * filler + b"\xe4\xba\r\n \xac\r\nEND:VCARD\r\n"
    assert data[CHUNK - cut : CHUNK - cut + 6] == b"\xe4\xba\r\n \xac"
    path = tmp_path / "big.vcf"
    path.write_bytes(data)

    summary = _import(cli, path)

    assert summary["encoding"] == "UTF-8"
    assert (summary["report"]["created"], summary["report"]["rejected"]) == (1, 0)
    [contact] = _contacts(cli)
    assert contact["name"] == "Tokyo " + "x" * filler + "京"
