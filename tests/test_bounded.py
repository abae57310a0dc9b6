"""Time and memory in proportion (issue 14, items 9 and 10): a huge note, a huge query, a
huge picture in a vCard or a huge CSV line each get a bounded answer.

The costly commands run in a subprocess under resource limits: an address-space limit
(RLIMIT_AS), so a regression fails by MemoryError, and a CPU-time limit (RLIMIT_CPU), so a
quadratic one fails in seconds instead of hanging the suite.
"""

from __future__ import annotations

import base64
import os
import resource
import subprocess
import sys
from pathlib import Path

from conftest import dump, ok, one_line_error

MEMORY = 1 << 30  # 1 GiB of address space for the whole pcrm process
CPU_SECONDS = 20
MiB = 1 << 20


def limited(db: Path, *args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[str]:
    """`pcrm --db DB ARGS...` in a subprocess under the memory and CPU limits."""

    def limits() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))
        resource.setrlimit(resource.RLIMIT_CPU, (CPU_SECONDS, CPU_SECONDS))

    env = {**os.environ, "TZ": "UTC", "PCRM_NOW": "2026-11-23T10:00:00Z", "COLUMNS": "100"}
    result = subprocess.run(
        [sys.executable, "-c", "from pcrm.cli.main import run; run()", "--db", str(db), *args],
        input=stdin.decode() if stdin is not None else None,
        capture_output=True,
        text=True,
        env=env,
        preexec_fn=limits,
        timeout=120,
        check=False,
    )
    return result


# -- search ------------------------------------------------------------------------------


def test_search_over_a_1_mib_note_answers_with_a_bounded_snippet(cli, db_path):
    ok(cli("contact", "add", "Ada Lovelace"))
    # 1 MiB of one word: FTS5's snippet() scores every match against every other one
    ok(cli("log", "ada", "-", input="zeta " * (MiB // 5)))
    result = limited(db_path, "search", "zeta")
    assert (result.returncode, result.stderr) == (0, ""), result.stderr[-500:]
    [line] = result.stdout.splitlines()
    kind, id_, name, snippet, _at = line.split("\t")
    assert (kind, id_, name) == ("interaction", "1", "note with Ada Lovelace")
    assert snippet.startswith("zeta zeta")
    assert len(snippet) <= 200


def test_a_huge_word_gives_a_bounded_snippet(cli, db_path):
    ok(cli("contact", "add", "Ada Lovelace"))
    # one "word" of a mebibyte, after the one searched for: snippet() would show it whole
    ok(cli("log", "ada", "-", input="found " + "x" * MiB + " end"))
    result = limited(db_path, "search", "found", "--json")
    assert result.returncode == 0, result.stderr[-500:]
    import json

    [hit] = json.loads(result.stdout)
    assert hit["snippet"].startswith("found x")
    assert len(hit["snippet"]) <= 200
    # the table on a terminal shows the same bounded snippet
    table = ok(cli("search", "found", terminal=True))
    assert max(len(line) for line in table.splitlines()) <= 100
    assert len(table) < 2000


def test_the_match_is_shown_where_it_is_in_a_long_note(cli, db_path):
    ok(cli("contact", "add", "Ada Lovelace", "--note", "alpha " * 50_000 + "needle omega"))
    result = limited(db_path, "search", "needle")
    assert result.returncode == 0, result.stderr[-500:]
    [line] = result.stdout.splitlines()
    snippet = line.split("\t")[3]
    assert "needle omega" in snippet
    assert snippet.startswith("…")
    assert len(snippet) <= 200


def test_a_query_of_2000_terms_is_one_clear_error(cli, db_path):
    ok(cli("contact", "add", "Ada Lovelace"))
    before = dump(db_path)
    words = [f"w{i}" for i in range(2000)]
    message = one_line_error(cli("search", *words))
    assert message.startswith(
        "pcrm: error: the query has 2000 terms; at most 64 are allowed (search for fewer"
    ), message
    assert dump(db_path) == before
    # operators and parentheses do not count; 64 terms are searched
    ok(cli("search", "(", *[f"a{i} OR" for i in range(63)], "ada", ")"))
    message = one_line_error(cli("search", *(["ada"] * 65)))
    assert "the query has 65 terms; at most 64" in message


# -- import: vCard -----------------------------------------------------------------------


def _folded(line: str) -> str:
    """A content line folded at 75 characters, as exporters write it."""
    pieces = [line[:75]] + [" " + line[i : i + 74] for i in range(75, len(line), 74)]
    return "\r\n".join(pieces) + "\r\n"


def test_a_5_mib_photo_imports_within_the_memory_limit(cli, db_path, tmp_path):
    photo = base64.b64encode(os.urandom(5 * MiB)).decode()
    card = tmp_path / "photo.vcf"
    card.write_text(
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ada Lovelace\r\nEMAIL:ada@example.org\r\n"
        + _folded("PHOTO;ENCODING=b;TYPE=JPEG:" + photo)
        + "NOTE:kept\r\nEND:VCARD\r\n"
        + "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Grace Hopper\r\nEND:VCARD\r\n",
        newline="",
    )
    result = limited(db_path, "import", "contacts", str(card))
    assert (result.returncode, result.stderr) == (0, ""), result.stderr[-500:]
    assert "created 2," in result.stdout
    assert "PHOTO (1 card)" in result.stdout
    shown = ok(cli("contact", "show", "ada", "--json"))
    assert '"note": "kept"' in shown


def test_a_vcard_over_the_card_limit_is_rejected_with_its_line(cli, db_path, tmp_path):
    card = tmp_path / "big.vcf"
    with card.open("w", newline="") as out:
        out.write("BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ada Lovelace\r\nEND:VCARD\r\n")
        out.write("BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Big Note\r\n")
        out.write("NOTE:" + "word " * (MiB // 2) + "\r\n")  # 2.5 MiB on one line
        out.write("END:VCARD\r\n")
        out.write("BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Folded Note\r\n")
        out.write(_folded("NOTE:" + "word " * (MiB // 2)))  # the same, folded
        out.write("END:VCARD\r\n")
        out.write("BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Grace Hopper\r\nEND:VCARD\r\n")
    rejects = tmp_path / "rejects.vcf"
    result = limited(db_path, "import", "contacts", str(card), "--rejects", str(rejects))
    assert result.returncode == 0, result.stderr[-500:]
    assert "created 2," in result.stdout
    assert "rejected 2" in result.stdout
    assert "  line 5: the card is larger than 1 MiB" in result.stdout
    assert "  line 10: the card is larger than 1 MiB" in result.stdout
    names = ok(cli("contact", "list")).splitlines()
    assert [line.split("\t")[1] for line in names] == ["Ada Lovelace", "Grace Hopper"]


# -- import: CSV -------------------------------------------------------------------------


def test_a_200_mib_csv_line_is_rejected_with_its_line_number(cli, db_path, tmp_path):
    source = tmp_path / "huge.csv"
    with source.open("w", newline="") as out:  # streamed: the test holds 1 MiB at a time
        out.write("Name,Email,Notes\r\nAda Lovelace,ada@example.org,first\r\n")
        out.write("Big Row,big@example.org,")
        for _ in range(200):
            out.write("x" * MiB)
        out.write("\r\nGrace Hopper,grace@example.org,last\r\n")
    rejects = tmp_path / "rejects.csv"
    result = limited(db_path, "import", "contacts", str(source), "--rejects", str(rejects))
    assert result.returncode == 0, result.stderr[-500:]
    assert "created 2," in result.stdout
    assert "rejected 1" in result.stdout
    assert "  line 3: the row is longer than 16 MiB" in result.stdout
    names = ok(cli("contact", "list")).splitlines()
    assert [line.split("\t")[1] for line in names] == ["Ada Lovelace", "Grace Hopper"]


def test_a_csv_cell_that_never_ends_is_refused_in_bounded_memory(cli, db_path, tmp_path):
    # an unclosed quote makes the rest of the file one cell, over many short lines
    source = tmp_path / "unclosed.csv"
    with source.open("w", newline="") as out:
        out.write('Name,Email,Notes\r\nAda Lovelace,ada@example.org,"never closed\r\n')
        for _ in range(20):
            out.write(("x" * 99 + "\r\n") * (MiB // 100))
    ok(cli("contact", "add", "Grace Hopper"))
    before = dump(db_path)
    result = limited(db_path, "import", "contacts", str(source))
    assert result.returncode == 1, result.stderr[-500:]
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1, result.stderr[-500:]
    assert result.stderr.startswith(f"pcrm: error: {source}, line 2: the row is longer than 16 MiB")
    assert dump(db_path) == before


def test_vcard_2_1_pictures_are_left_out_whatever_their_folding(cli, tmp_path):
    data = base64.b64encode(bytes(range(256)) * 4).decode()
    lines = [data[i : i + 76] for i in range(0, len(data), 76)]
    card = tmp_path / "old.vcf"
    card.write_text(
        # Nokia and Outlook: unindented base64 lines, ended by a blank line
        "BEGIN:VCARD\r\nVERSION:2.1\r\nFN:Ada Lovelace\r\nPHOTO;ENCODING=BASE64;TYPE=JPEG:\r\n"
        + "\r\n".join(lines)
        + "\r\n\r\nEMAIL;INTERNET:ada@example.org\r\nEND:VCARD\r\n"
        # Android: indented base64 lines, a grouped property
        + "BEGIN:VCARD\r\nVERSION:2.1\r\nFN:Grace Hopper\r\nitem1.LOGO;ENCODING=BASE64:"
        + "".join(f"\r\n  {line}" for line in lines)
        + "\r\nEMAIL:grace@example.org\r\nEND:VCARD\r\n",
        newline="",
    )
    out = ok(cli("import", "contacts", str(card), "--keep-unmapped"))
    assert "created 2," in out
    assert "PHOTO (1 card), LOGO (1 card)" in out
    listed = ok(cli("contact", "list")).splitlines()
    assert [line.split("\t")[1:3] for line in listed] == [
        ["Ada Lovelace", "ada@example.org"],
        ["Grace Hopper", "grace@example.org"],
    ]
    assert '"note": null' in ok(cli("contact", "show", "ada", "--json"))
