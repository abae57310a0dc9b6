"""Matching deals to a bare REF (the prefix is core/refs.py's business): an id, or a piece
of the title, by the same rules as a name (core/matching.py)."""

from __future__ import annotations

from pcrm.core.matching import Matcher, close_names, is_id, name_ids, one, row_id
from pcrm.core.people.text import name_key
from pcrm.errors import NotFound
from pcrm.store.db import Database

_LIST_HINT = "see: pcrm deal list --status all"  # closed deals too: a REF finds those


def match_deal(db: Database, ref: str) -> int:
    if is_id(ref):
        found = row_id(db, "deals", ref)
        if found is None:
            raise NotFound(f"no deal has id {ref}", hint=_LIST_HINT)
        return found
    return one(
        db,
        "deal",
        ref,
        name_ids(db, "deals", "title_key", ref, "give an id or a piece of the title"),
        describe_deals,
        none_hint=_LIST_HINT,
        narrow_hint="use the id or more of the title",
        closest=lambda: _close_deals(db, ref),
    )


def describe_deals(db: Database, ids: list[int]) -> list[str]:
    """One line per deal for an ambiguity message: id, title, company, stage or status."""
    lines = []
    for deal_id in ids:
        _id, title, company, stage, status = db.execute(
            "SELECT d.id, d.title, co.name, s.name, d.status FROM deals d"
            " JOIN stages s ON s.id = d.stage_id"
            " LEFT JOIN companies co ON co.id = d.company_id WHERE d.id = ?",
            [deal_id],
        ).fetchone()
        where = stage if status == "open" else status
        parts = [str(_id), title, f"({company})" if company else "", where]
        lines.append("  ".join(part for part in parts if part))
    return lines


def _whole_deal(db: Database, deal_id: int, ref: str) -> bool:
    row = db.execute(
        "SELECT 1 FROM deals WHERE id = ? AND title_key = ?", [deal_id, name_key(ref)]
    ).fetchone()
    return row is not None


def _close_deals(db: Database, ref: str) -> list[str]:
    return close_names(db, "deals", "title_key", "title", ref)


DEALS = Matcher("deal", match_deal, _whole_deal, describe_deals, _close_deals)
