"""Any set of contacts -> `pcrm export contacts` (CSV, JSON, vCard 3.0 and 4.0) -> `pcrm import
contacts` into an empty database -> the same records (hypothesis); importing the export
again changes nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import NOW, dump
from pcrm.core.people import fields
from pcrm.core.people.contacts import ContactForm, add_contact
from pcrm.store.db import session
from test_import_presets import ok
from test_import_roundtrip import address_book

FIELDS = (("budget", "number", ()), ("plan", "choice", ("free", "pro")), ("renewal", "date", ()))
_field_values = st.fixed_dictionaries(
    {},
    optional={
        "budget": st.sampled_from(["5000", "-3", "12.5", "1e6"]),
        "plan": st.sampled_from(["free", "pro"]),
        "renewal": st.sampled_from(["2027-01-31", "1999-12-31"]),
    },
)


def build(path: Path, people: list[dict], values: list[dict]) -> None:
    """The source database, written through core as `contact add --set` would."""
    with session(path, write=True) as db:
        for name, type_, choices in FIELDS:
            fields.add_field(db, NOW, "contact", name, type_, choices)
        for person, person_values in zip(people, values, strict=True):
            form = ContactForm(
                name=person["name"],
                emails=[f"{label}: {e}" if label else e for label, e in person["emails"]],
                phones=[f"{label}: {p}" if label else p for label, p in person["phones"]],
                company=person["company"],
                title=person["title"],
                source=person["source"],
                tags=person["tags"],
                birthday=person["birthday"],
                note=person["note"],
            )
            saved = add_contact(db, NOW, form)
            fields.set_values(db, NOW, "contact", saved.contact.id, person_values)


def listed(cli, database: Path, *, times: bool) -> list[dict]:
    found = json.loads(ok(cli("--db", str(database), "contact", "list", "--json", "--limit", "0")))
    for contact in found:
        if not times:  # vCard has no creation time: the import's is now
            del contact["created_at"], contact["updated_at"]
    return sorted(found, key=lambda contact: contact["uid"])


@pytest.mark.parametrize(
    ("form", "options", "times"),
    [
        ("csv", ["--format", "csv"], True),
        ("json", ["--format", "json"], True),
        ("vcard3", ["--format", "vcard"], False),
        ("vcard4", ["--format", "vcard", "--vcard-version", "4"], False),
    ],
)
@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_export_then_import_gives_the_same_records(cli, tmp_path, form, options, times, data):
    people = data.draw(address_book())
    values = [data.draw(_field_values) for _ in people]
    source, target, exported = tmp_path / "a.db", tmp_path / "b.db", tmp_path / f"out.{form}"
    for path in (source, target, exported):
        path.unlink(missing_ok=True)
    build(source, people, values)
    ok(cli("--db", str(source), "export", "contacts", "-o", str(exported), *options))
    for name, type_, choices in FIELDS:
        extra = ["--choices", ",".join(choices)] if choices else []
        ok(cli("--db", str(target), "field", "add", name, "--type", type_, *extra))

    lines = ok(cli("--db", str(target), "import", "contacts", str(exported))).splitlines()
    assert lines[1].startswith(f"created {len(people)}, merged 0,"), lines
    assert listed(cli, target, times=times) == listed(cli, source, times=times)

    before = dump(target)
    again = ok(cli("--db", str(target), "import", "contacts", str(exported))).splitlines()
    assert again[1].startswith(f"created 0, merged 0, updated 0, unchanged {len(people)},")
    assert dump(target) == before
