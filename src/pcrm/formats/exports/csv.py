"""pcrm's CSV layout (formats/pcrm_csv.py): one layout per kind of record, re-importable
with `pcrm import contacts --preset pcrm`."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any, TextIO

from pcrm.formats import pcrm_csv
from pcrm.formats.exports import ExportFormat, ExportOptions

# kind -> (its columns, its row maker); custom fields follow as field:NAME columns
LAYOUTS: dict[str, tuple[Sequence[str], Callable[..., list[str]]]] = {
    "contact": (pcrm_csv.CONTACT_COLUMNS, pcrm_csv.contact_row),
    "company": (pcrm_csv.COMPANY_COLUMNS, pcrm_csv.company_row),
    "deal": (pcrm_csv.DEAL_COLUMNS, pcrm_csv.deal_row),
    "interaction": (pcrm_csv.INTERACTION_COLUMNS, pcrm_csv.interaction_row),
}


def write(stream: TextIO, records: Iterable[Any], options: ExportOptions) -> int:
    header, row_of = LAYOUTS[options.kind]
    names = options.field_names
    if options.kind == "interaction":  # no custom fields
        rows = (row_of(item) for item in records)
    else:
        rows = (row_of(item, names) for item in records)
    columns = [*header, *pcrm_csv.field_columns(names)]
    return pcrm_csv.write_rows(stream, columns, rows, raw=options.raw)


def register_export_formats(register: Callable[[ExportFormat], None]) -> None:
    register(ExportFormat("csv", frozenset(LAYOUTS), write, order=10, bom=True))
