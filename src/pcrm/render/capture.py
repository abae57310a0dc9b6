"""What `pcrm capture mail|calendar` says: one summary line (and the problems it met), or
JSON."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pcrm.render.safe import clean

if TYPE_CHECKING:
    from pcrm.core.activity.capture import CaptureSummary

SHOWN_ADDRESSES = 10  # unknown addresses named in the summary line; --json has them all
_SKIPS = {"list": "mailing list", "bulk": "bulk", "auto": "automatic", "noreply": "noreply"}


def _plural(count: int, one: str, many: str | None = None) -> str:
    return f"{count} {one if count == 1 else (many or one + 's')}"


def capture_line(summary: CaptureSummary) -> str:
    """'captured 12 emails (3 already captured, 2 skipped as bulk) with 9 contacts; 3
    addresses not in pcrm: a@x, b@y, c@z — add them with --add-unknown'; for meetings
    also '; 2 updated, 1 cancelled'."""
    verb = "would capture" if summary.dry_run else "captured"
    line = f"{verb} {_plural(summary.captured, summary.noun)}"
    aside = []
    if summary.already:
        aside.append(f"{summary.already} already captured")
    for reason, count in summary.skipped.items():
        aside.append(f"{count} skipped as {_SKIPS.get(reason, reason)}")
    if summary.older:
        aside.append(f"{summary.older} older than --since")
    if summary.no_contact:
        aside.append(f"{summary.no_contact} with nobody in pcrm")
    if summary.cancelled_unseen:
        aside.append(f"{summary.cancelled_unseen} cancelled, never captured")
    if aside:
        line += " (" + ", ".join(aside) + ")"
    if summary.captured:
        line += f" with {_plural(summary.contacts, 'contact')}"
    if summary.linked_deals:
        line += f", {summary.linked_deals} linked to their thread's deal"
    changed = [
        (summary.updated, "updated", "to update"),
        (summary.cancelled, "cancelled", "to cancel"),
    ]
    said = [
        f"{count} {later if summary.dry_run else done}" for count, done, later in changed if count
    ]
    if said:
        line += "; " + ", ".join(said)
    if summary.added:
        verb_added = "would add" if summary.dry_run else "added"
        line += f"; {verb_added} {_plural(len(summary.added), 'contact')}: " + _some(summary.added)
    elif summary.unknown:
        line += (
            f"; {_plural(len(summary.unknown), 'address', 'addresses')} not in pcrm: "
            + _some(summary.unknown)
            + " — add them with --add-unknown"
        )
    return clean(line, one_line=True)


def _some(addresses: list[str]) -> str:
    shown = ", ".join(addresses[:SHOWN_ADDRESSES])
    more = len(addresses) - SHOWN_ADDRESSES
    return shown + (f" and {more} more" if more > 0 else "")


def problem_lines(summary: CaptureSummary) -> list[str]:
    return [clean(problem, one_line=True) for problem in summary.problems]


def capture_json(summary: CaptureSummary) -> dict[str, Any]:
    if summary.noun == "meeting":
        return {
            "dry_run": summary.dry_run,
            "read": summary.read,
            "captured": summary.captured,
            "already_captured": summary.already,
            "updated": summary.updated,
            "cancelled": summary.cancelled,
            "cancelled_not_captured": summary.cancelled_unseen,
            "no_contact": summary.no_contact,
            "contacts": summary.contacts,
            "unknown_addresses": summary.unknown,
            "added_contacts": summary.added,
            "interaction_ids": summary.ids,
            "problems": summary.problems,
        }
    return {
        "dry_run": summary.dry_run,
        "read": summary.read,
        "captured": summary.captured,
        "already_captured": summary.already,
        "skipped": summary.skipped,
        "older_than_since": summary.older,
        "no_contact": summary.no_contact,
        "contacts": summary.contacts,
        "unknown_addresses": summary.unknown,
        "added_contacts": summary.added,
        "linked_to_thread_deal": summary.linked_deals,
        "interaction_ids": summary.ids,
        "problems": summary.problems,
    }
