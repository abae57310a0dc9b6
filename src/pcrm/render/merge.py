"""What a merge or an undo did, in lines a person reads."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pcrm.render.safe import clean

if TYPE_CHECKING:
    from pcrm.core.base import Link
    from pcrm.core.dedupe.merge import MergeResult, Moved, UndoResult

# (table, column) -> (one, many); tables pcrm does not know are named as they are.
_NOUNS = {
    ("contact_emails", "contact_id"): ("email", "emails"),
    ("contact_phones", "contact_id"): ("phone", "phones"),
    ("contact_tags", "contact_id"): ("tag", "tags"),
    ("company_tags", "company_id"): ("tag", "tags"),
    ("interaction_contacts", "contact_id"): ("interaction", "interactions"),
    ("interactions", "company_id"): ("interaction", "interactions"),
    ("deal_contacts", "contact_id"): ("deal", "deals"),
    ("deals", "company_id"): ("deal", "deals"),
    ("tasks", "contact_id"): ("follow-up", "follow-ups"),
    ("tasks", "company_id"): ("follow-up", "follow-ups"),
    ("contacts", "company_id"): ("person", "people"),
    ("lifecycle_history", "contact_id"): ("lifecycle stage change", "lifecycle stage changes"),
    ("lifecycle_history", "company_id"): ("lifecycle stage change", "lifecycle stage changes"),
    ("contact_field_values", "contact_id"): ("custom field value", "custom field values"),
    ("company_field_values", "company_id"): ("custom field value", "custom field values"),
}


def _count(moved: Moved, number: int) -> str:
    one, many = _NOUNS.get(
        (moved.table, moved.column), (f"row of {moved.table}", f"rows of {moved.table}")
    )
    return f"{number} {one if number == 1 else many}"


def _counts(moves: list[Moved], attribute: str) -> str:
    parts = [_count(m, getattr(m, attribute)) for m in moves if getattr(m, attribute)]
    return ", ".join(parts) or "nothing"


def link(record: Link) -> str:
    return f"{record.kind} {record.id} {clean(record.name, one_line=True)}"


def merge_lines(result: MergeResult) -> list[str]:
    merged, moved, filled = (
        ("would merge", "would move", "would fill")
        if result.dry_run
        else (
            "merged",
            "moved",
            "filled",
        )
    )
    keep = f"{result.kind} {result.keep.id}"
    lines = [
        f"{merged} {link(result.other)} into {link(result.keep)}",
        f"{moved} to {keep}: {_counts(result.moves, 'moved')}",
    ]
    if any(m.already for m in result.moves):
        lines.append(f"already on {keep}, so dropped: {_counts(result.moves, 'already')}")
    fields = result.filled + [f"{name} (joined)" for name in result.joined]
    if fields:
        lines.append(f"{filled} from {result.kind} {result.other.id}: {', '.join(fields)}")
    if result.dry_run:
        lines.append("nothing changed (dry run)")
    else:
        lines.append(f"recorded as merge {result.id}; to reverse it: pcrm undo")
    return lines


def undo_lines(result: UndoResult) -> list[str]:
    if result.dry_run:
        return [
            f"would undo merge {result.id} of {link(result.other)} into {link(result.keep)}",
            f"would put back {result.rows} rows as they were before the merge",
            "nothing changed (dry run)",
        ]
    return [
        f"undid merge {result.id}: {link(result.other)} is back, apart from {link(result.keep)}",
        f"put back {result.rows} rows as they were before the merge",
    ]
