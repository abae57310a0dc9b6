"""Issue 15's corpus: real contact files from other projects' test suites
(tests/fixtures/real/, sources and licences in its SOURCES.md), each imported into a fresh
database as a new user would and compared with `<file>.expected.json` beside it, which says
what must arrive (written by reading the file, not by running pcrm).

An expected contact is found in `pcrm export contacts --format json` by its name (several of
one name: in order), or, when it lists no name, by its first email or phone. Only the keys it
lists are checked. Emails compare case-insensitively (pcrm keeps them lower-case); phones,
notes and address parts compare with runs of whitespace collapsed; emails, phones, faxes,
urls and addresses compare as lists in file order, each item on the keys it lists;
`note_contains` are substrings of the note.

Then over the whole corpus: importing the same file again changes nothing, and pcrm's own
JSON, CSV and vCard exports imported into an empty database give the same contacts again
(ids and created/updated times aside).

A case that fails today is in KNOWN*, marked xfail(strict=True) with the issue item that
fixes it: a fix elsewhere makes it pass, strict xfail turns that into a failure, and the
entry must go.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from conftest import Result

CORPUS = Path(__file__).parent / "fixtures" / "real"
FILES = sorted(
    path.relative_to(CORPUS).as_posix()[: -len(".expected.json")]
    for path in CORPUS.glob("*/*.expected.json")
)

# file -> why it fails today. Item N is issue 15's "What was found" item N; "contacts hold"
# is its second part (addresses, urls, nickname, faxes kept as their own kind).
KNOWN: dict[str, str] = {
    "open-xchange/jpcontact.csv": (
        "item 8: no Japanese Outlook preset (German, French and Spanish exist); the import"
        " is refused naming the columns and --map"
    ),
}

# Importing the same file a second time changes the database or creates contacts.
KNOWN_REIMPORT: dict[str, str] = {
    "open-xchange/jpcontact.csv": KNOWN["open-xchange/jpcontact.csv"],
}

# Export -> import into an empty database -> export again loses or changes something.
KNOWN_ROUNDTRIP: dict[str, str] = {
    "open-xchange/jpcontact.csv": KNOWN["open-xchange/jpcontact.csv"],
}

Cli = Callable[..., Result]


def _marked(known: dict[str, str]) -> list[Any]:
    return [
        pytest.param(name, marks=pytest.mark.xfail(strict=True, reason=known[name]))
        if name in known
        else name
        for name in FILES
    ]


def _expected(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(
        (CORPUS / f"{name}.expected.json").read_text(encoding="utf-8")
    )
    return loaded


def _import(cli: Cli, name: str, env: dict[str, str] | None = None) -> dict[str, Any]:
    args = _expected(name)["args"]
    result = cli("import", "contacts", str(CORPUS / name), "--json", *args, env=env)
    assert result.exception is None, result.exception
    assert result.exit_code == 0, (result.stdout, result.stderr)
    summary: dict[str, Any] = json.loads(result.stdout)
    return summary


def _export(cli: Cli, fmt: str = "json", env: dict[str, str] | None = None) -> str:
    result = cli("export", "contacts", "--format", fmt, env=env)
    assert result.exception is None, result.exception
    assert result.exit_code == 0, (result.stdout, result.stderr)
    return result.stdout


def _spaced(text: object) -> str:
    return " ".join(str(text).split())


def _same(key: str, expected: Any, actual: Any) -> bool:
    if key == "email":
        return str(expected).casefold() == str(actual).casefold()
    if isinstance(expected, str) and isinstance(actual, str):
        return _spaced(expected) == _spaced(actual)
    return bool(expected == actual)


def _differences(expected: dict[str, Any], actual: dict[str, Any]) -> list[str]:
    problems = []
    for key, want in expected.items():
        if key == "note_contains":
            note = _spaced(actual.get("note") or "")
            problems += [f"note lacks {part!r}" for part in want if _spaced(part) not in note]
            continue
        if key not in actual:
            problems.append(f"no {key!r} in the export (want {want!r})")
            continue
        have = actual[key]
        if key == "company" and isinstance(have, dict):
            have = have.get("name")
        if isinstance(want, list) and want and isinstance(want[0], dict):
            if (
                not isinstance(have, list)
                or len(have) != len(want)
                or not all(
                    isinstance(h, dict) and all(k in h and _same(k, v, h[k]) for k, v in w.items())
                    for w, h in zip(want, have, strict=False)
                )
            ):
                problems.append(f"{key}: want {want!r}, have {have!r}")
        elif key == "tags":
            if sorted(t.casefold() for t in want) != sorted(str(t).casefold() for t in have):
                problems.append(f"tags: want {want!r}, have {have!r}")
        elif not _same(key, want, have) and not (want == [] and have in ([], None)):
            problems.append(f"{key}: want {want!r}, have {have!r}")
    return problems


def _find(wanted: dict[str, Any], contacts: list[dict[str, Any]], used: set[int]) -> int | None:
    for index, contact in enumerate(contacts):
        if index in used:
            continue
        if "name" in wanted:
            if _spaced(contact.get("name") or "") == _spaced(wanted["name"]):
                return index
        elif wanted.get("emails"):
            first = wanted["emails"][0]["email"].casefold()
            if any(e["email"].casefold() == first for e in contact.get("emails", [])):
                return index
        elif wanted.get("phones"):
            first = _spaced(wanted["phones"][0]["phone"])
            if any(_spaced(p["phone"]) == first for p in contact.get("phones", [])):
                return index
    return None


@pytest.mark.parametrize("name", _marked(KNOWN))
def test_real_file_arrives_whole(cli: Cli, name: str) -> None:
    expected = _expected(name)
    summary = _import(cli, name)
    report = summary["report"]
    problems = [
        f"{count}: want {want}, have {report[count]}"
        for count, want in expected["counts"].items()
        if report[count] != want
    ]
    said = json.dumps([report["warnings"], report["rejects"]], ensure_ascii=False)
    problems += [f"no warning naming {w!r}" for w in expected.get("warnings", []) if w not in said]
    contacts = json.loads(_export(cli))
    used: set[int] = set()
    for wanted in expected["contacts"]:
        index = _find(wanted, contacts, used)
        if index is None:
            problems.append(f"not found: {wanted.get('name') or wanted}")
            continue
        used.add(index)
        label = wanted.get("name") or contacts[index]["name"]
        problems += [f"{label}: {p}" for p in _differences(wanted, contacts[index])]
    assert not problems, "\n".join([name, *problems, f"warnings/rejects: {said}"])


@pytest.mark.parametrize("name", _marked(KNOWN_REIMPORT))
def test_real_file_reimported_changes_nothing(cli: Cli, name: str) -> None:
    _import(cli, name)
    before = _export(cli)
    again = _import(cli, name)["report"]
    assert (again["created"], again["updated"], again["merged"]) == (0, 0, 0), again
    assert _export(cli) == before


# Left out of the round-trip comparison: the database's own ids and the created/updated
# times (the second database is written at the same pinned clock, but ids follow insertion).
_VOLATILE = ("id", "created_at", "updated_at")


def _comparable(exported: str) -> list[str]:
    contacts = json.loads(exported)
    for contact in contacts:
        for key in _VOLATILE:
            contact.pop(key, None)
        if isinstance(contact.get("company"), dict):
            contact["company"].pop("id", None)
    return sorted(json.dumps(c, ensure_ascii=False, sort_keys=True) for c in contacts)


@pytest.mark.parametrize("name", _marked(KNOWN_ROUNDTRIP))
def test_real_file_round_trips_through_every_export(cli: Cli, name: str, tmp_path: Path) -> None:
    _import(cli, name)
    original = _export(cli)
    if json.loads(original) == []:
        pytest.skip("nothing imported, nothing to round-trip")
    lost = []
    for fmt, suffix in (("json", "json"), ("csv", "csv"), ("vcard", "vcf")):
        exported = tmp_path / f"export.{suffix}"
        written = cli("export", "contacts", "--format", fmt, "-o", str(exported))
        assert written.exit_code == 0, (written.stdout, written.stderr)
        env = {"PCRM_DB": str(tmp_path / f"roundtrip-{fmt}.db")}
        result = cli("import", "contacts", str(exported), "--json", env=env)
        assert result.exception is None, result.exception
        assert result.exit_code == 0, (fmt, result.stdout, result.stderr)
        again = _comparable(_export(cli, env=env))
        if again != _comparable(original):
            mine, theirs = set(_comparable(original)), set(again)
            lost.append(f"{fmt}: lost {sorted(mine - theirs)}\n  got {sorted(theirs - mine)}")
    assert not lost, "\n".join(lost)


def test_every_corpus_file_is_in_sources() -> None:
    # SOURCES.md here; a part's own SOURCES-<part>.md beside the files it adds.
    sources = "".join(p.read_text(encoding="utf-8") for p in CORPUS.rglob("SOURCES*.md"))
    assert len(FILES) >= 40
    assert len({name.split("/")[0] for name in FILES}) >= 8
    assert [name for name in FILES if f"`{name}`" not in sources] == []
