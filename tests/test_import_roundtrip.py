"""`import contacts --preset pcrm` reads pcrm's CSV layout (docs/import-export.md) back
exactly: any set of contacts, written in that layout with formats/pcrm_csv.py's joining and
neutralisation, imports into an empty database as the same records, and again as nothing."""

from __future__ import annotations

import csv
import io
import json
import string
from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pcrm.formats import pcrm_csv
from test_import_presets import ok

# Characters that stress the layout: the separator and its escape, quotes, commas, the
# formula starts a spreadsheet runs, accents, line breaks inside notes.
_TRICKY = "; \\ , \" ' = + - @ é ß ☃"
_words = st.text(alphabet=string.ascii_letters + _TRICKY.replace(" ", ""), min_size=1, max_size=8)
_line = st.lists(_words, min_size=1, max_size=3).map(" ".join)
_label = st.sampled_from([None, "work", "home", "mobile", "other place"])
_COMPANIES = ["Analytical Engines", "=cmd|' /C calc'!A0", "Société; Générale", "+Plus & Co"]


@st.composite
def contact(draw, index: int) -> dict:
    emails = [
        (draw(_label), f"p{index}.{n}@example{n}.org")
        for n in range(draw(st.integers(min_value=0, max_value=3)))
    ]
    phones = [
        (draw(_label), f"+44 20 7946 {index:02d}{n:02d}")
        for n in range(draw(st.integers(min_value=0, max_value=2)))
    ]
    tags = draw(st.lists(_words.filter(lambda t: "," not in t and t.strip("#")), max_size=3))
    tags = list({t.strip().lstrip("#").casefold(): t.strip().lstrip("#") for t in tags}.values())
    note_lines = draw(st.lists(_line, max_size=3))
    day = draw(st.dates(min_value=date(1900, 1, 1), max_value=date(2025, 12, 31)))
    return {
        "uid": f"00000000-0000-4000-8000-{index:012d}",
        "name": f"{draw(_line)} {index}",
        "emails": emails,
        "phones": phones,
        "company": draw(st.sampled_from([None, *_COMPANIES])),
        "title": draw(st.one_of(st.none(), _line)),
        "source": draw(st.one_of(st.none(), _line)),
        "birthday": draw(st.sampled_from([None, day.isoformat(), f"--{day:%m-%d}"])),
        "tags": tags,
        "note": "\n".join(note_lines) or None,
        "created_at": f"2025-0{index % 9 + 1}-1{index % 10}T0{index % 10}:30:00Z",
        "updated_at": "2026-11-23T10:00:00Z",
    }


@st.composite
def address_book(draw) -> list[dict]:
    size = draw(st.integers(min_value=1, max_value=6))
    people = [draw(contact(index)) for index in range(1, size + 1)]
    # pcrm keeps one spelling per tag (tags are unique COLLATE NOCASE and shared by every
    # record; the first spelling written wins), so "L" and "l" on two people are one tag.
    first: dict[str, str] = {}
    for person in people:
        person["tags"] = [first.setdefault(_nocase(tag), tag) for tag in person["tags"]]
    return people


def _labelled(pairs: list[tuple[str | None, str]]) -> str:
    return pcrm_csv.join_values(f"{label}: {value}" if label else value for label, value in pairs)


def pcrm_layout(people: list[dict]) -> str:
    """The CSV the layout describes: header by name, `; `-joined values, neutralised cells."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(pcrm_csv.CONTACT_COLUMNS)
    for person in people:
        cells = {
            **{key: person[key] or "" for key in ("uid", "name", "company", "title", "source")},
            "emails": _labelled(person["emails"]),
            "phones": _labelled(person["phones"]),
            "birthday": person["birthday"] or "",
            "tags": pcrm_csv.join_values(person["tags"]),
            "note": person["note"] or "",
            "created_at": person["created_at"],
            "updated_at": person["updated_at"],
        }
        # Columns this test does not generate (lifecycle_stage, anniversary...) stay empty.
        writer.writerow(pcrm_csv.neutralise(cells.get(c, "")) for c in pcrm_csv.CONTACT_COLUMNS)
    return out.getvalue()


def _nocase(tag: str) -> str:
    """pcrm lists tags ORDER BY name COLLATE NOCASE: only ASCII letters fold, the rest
    compare by code point (so "T" comes before "ß", which casefold would put first)."""
    return "".join(char.lower() if char.isascii() else char for char in tag)


def as_stored(person: dict) -> dict:
    """What `contact list --json` shows for the person."""
    return {
        "uid": person["uid"],
        "name": person["name"],
        "emails": [{"email": e, "label": label} for label, e in person["emails"]],
        "phones": [{"phone": p, "label": label} for label, p in person["phones"]],
        "company": person["company"],
        "title": person["title"],
        "source": person["source"],
        "birthday": person["birthday"],
        "tags": sorted(person["tags"], key=_nocase),
        "note": person["note"],
        "created_at": person["created_at"],
        "updated_at": person["updated_at"],
    }


def listed(cli) -> list[dict]:
    found = json.loads(ok(cli("contact", "list", "--json", "--limit", "0", "--sort", "created")))
    keys = ("uid", "name", "emails", "phones", "title", "source", "birthday", "tags", "note")
    return sorted(
        (
            {
                **{key: c[key] for key in keys},
                "company": c["company"]["name"] if c["company"] else None,
                "created_at": c["created_at"],
                "updated_at": c["updated_at"],
            }
            for c in found
        ),
        key=lambda c: c["uid"],
    )


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(people=address_book())
def test_pcrm_layout_imports_back_exactly(cli, tmp_path, people):
    path = tmp_path / "export.csv"
    path.write_text(pcrm_layout(people), encoding="utf-8", newline="")
    database = tmp_path / "roundtrip.db"
    database.unlink(missing_ok=True)
    lines = ok(cli("--db", str(database), "import", "contacts", str(path))).splitlines()
    assert lines[0].endswith(f": pcrm CSV, UTF-8, comma-separated, {len(people)} rows") or (
        len(people) == 1
    )
    assert lines[1].startswith(f"created {len(people)}, merged 0,"), lines
    assert listed_in(cli, database) == sorted(map(as_stored, people), key=lambda c: c["uid"])
    again = ok(cli("--db", str(database), "import", "contacts", str(path))).splitlines()
    assert again[1].startswith(f"created 0, merged 0, updated 0, unchanged {len(people)},")


def listed_in(cli, database) -> list[dict]:
    def run(*args: str):
        return cli("--db", str(database), *args)

    return listed(run)
