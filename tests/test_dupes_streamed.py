"""`pcrm dupes` reads its blocks one at a time from temporary tables (memory that does not
grow with the file): the blocking rules stay as they were. A name more than COMMON_NAME
people carry is compared within a company only, a phone or mailbox on more than
MAX_SHARED contacts is a switchboard, a pair found through several keys is one pair, and
the file is left as it was."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from conftest import Result, dump, ok


def _add(cli: Callable[..., Result], *args: str) -> None:
    ok(cli("contact", "add", *args))


def _pairs(out: str) -> list[tuple[str, str, str, str]]:
    """(score, first name, second name, reasons) of each pair line."""
    pairs = []
    for line in out.splitlines():
        _kind, _group, score, _a, name_a, _b, name_b, reasons = line.split("\t")
        pairs.append((score, name_a, name_b, reasons))
    return pairs


def test_a_common_name_is_compared_within_a_company_only(
    cli: Callable[..., Result], db_path: Path
) -> None:
    for _ in range(3):
        _add(cli, "Kim Park")  # 1-3: three carriers, not common: compared everywhere
    for _ in range(3):
        _add(cli, "Jo Bloggs")  # 4-6: with the two below, five carriers: common
    _add(cli, "Jo Bloggs", "-c", "Acme")  # 7
    _add(cli, "Bloggs, Jo", "-c", "Acme")  # 8
    pairs = _pairs(ok(cli("dupes", "--kind", "contact")))
    assert pairs == [
        ("90", "Jo Bloggs", "Bloggs, Jo", "same name at Acme"),
        ("60", "Kim Park", "Kim Park", "same name"),
        ("60", "Kim Park", "Kim Park", "same name"),
        ("60", "Kim Park", "Kim Park", "same name"),
    ]


def test_a_switchboard_number_links_no_one_and_a_pair_of_keys_is_one_pair(
    cli: Callable[..., Result], db_path: Path
) -> None:
    for n in range(11):  # one number on eleven people: a switchboard
        _add(cli, f"Person {chr(65 + n)}{n} Zed{n}", "-p", "+44 20 7946 0000")
    _add(cli, "Ada Lovelace", "-e", "ada@example.org", "-p", "+44 20 7946 1111")
    _add(cli, "Lovelace, Ada", "-e", "ADA+news@example.org", "-p", "+44 (0)20 7946 1111")
    before = dump(db_path)
    out = ok(cli("dupes", "--min-score", "0"))
    assert _pairs(out) == [
        (
            "99",
            "Ada Lovelace",
            "Lovelace, Ada",
            "same mailbox ada@example.org / ada+news@example.org; same phone +44 20 7946 1111;"
            " same name",
        )
    ]
    assert dump(db_path) == before
    # Run again (the work tables are made anew), and with both kinds in one connection.
    assert ok(cli("dupes", "--min-score", "0")) == out
    assert ok(cli("dupes", "--kind", "contact", "--min-score", "0")) == out
