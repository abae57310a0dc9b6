"""pcrm's own CSV export (`pcrm export contacts`, docs/import-export.md): imports back
without loss, custom fields included."""

from __future__ import annotations

from pcrm.formats.contact_presets import preset
from pcrm.formats.presets import Register, Signature

PCRM = preset(
    "pcrm",
    {
        "uid": "uid",
        "name": "name",
        "emails": "email",
        "phones": "phone",
        "company": "company",
        "title": "title",
        "source": "source",
        "lifecycle_stage": "stage",
        "birthday": "birthday",
        "anniversary": "anniversary",
        "cadence_days": "cadence",
        "tags": "tags",
        "note": "note",
        "created_at": "created_at",
        "updated_at": "updated_at",
        "nickname": "nickname",
        "faxes": "fax",
        "addresses": "address",
        "urls": "url",
    },
    patterns={r"field:(.+)": "custom"},
    pcrm_layout=True,
)


def register_presets(register: Register) -> None:
    register(PCRM, order=50, signature=Signature(every=frozenset({"uid", "name", "emails"})))
