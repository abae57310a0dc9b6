"""The readable text form `pcrm contact edit` / `company edit` open in $EDITOR.

One `key: value` per line; emails and phones repeat their key, one value a line, with an
optional label (`email: work: ada@example.org`); the note continues on lines indented by
two spaces; lines starting with # are comments. Parsing returns plain dicts that core
validates, and a line number with every error.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pcrm.errors import InvalidInput

if TYPE_CHECKING:
    from pcrm.core.models import Company, Contact

_HELP = """\
# Lines starting with # are ignored. Save and quit to apply; quit without saving to cancel.
# Repeat email: and phone: for several values; an optional label goes first
# (email: work: ada@example.org). The note goes on; indent each further line by two spaces.
"""

CONTACT_KEYS = ("name", "email", "phone", "company", "title", "source", "birthday", "tags", "note")
COMPANY_KEYS = ("name", "domain", "website", "industry", "size", "tags", "note")
_REPEATED = ("email", "phone")


class FormError(InvalidInput):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(f"line {line}: {message}")
        self.line = line


def _labelled(value: str, label: str | None) -> str:
    return f"{label}: {value}" if label else value


def _note_lines(note: str | None) -> list[str]:
    lines = (note or "").splitlines() or [""]
    return [f"note: {lines[0]}", *(f"  {line}" for line in lines[1:])]


def contact_form(contact: Contact) -> str:
    lines = [f"# Editing contact {contact.id}.", _HELP, f"name: {contact.name}"]
    lines += [f"email: {_labelled(e.email, e.label)}" for e in contact.emails] or ["email: "]
    lines += [f"phone: {_labelled(p.phone, p.label)}" for p in contact.phones] or ["phone: "]
    lines += [
        f"company: {contact.company.name if contact.company else ''}",
        f"title: {contact.title or ''}",
        f"source: {contact.source or ''}",
        f"birthday: {contact.birthday or ''}",
        f"tags: {', '.join(contact.tags)}",
        *_note_lines(contact.note),
    ]
    return "\n".join(lines) + "\n"


def company_form(company: Company) -> str:
    lines = [f"# Editing company {company.id}.", _HELP, f"name: {company.name}"]
    lines += [
        f"{key}: {getattr(company, key) or ''}" for key in ("domain", "website", "industry", "size")
    ]
    lines += [f"tags: {', '.join(company.tags)}", *_note_lines(company.note)]
    return "\n".join(lines) + "\n"


def _parse(text: str, keys: tuple[str, ...]) -> dict[str, Any]:
    values: dict[str, Any] = {key: [] for key in _REPEATED if key in keys}
    last_key = None
    for number, raw in enumerate(text.splitlines(), start=1):
        if raw.startswith("#") or not raw.strip():
            if last_key == "note" and not raw.strip():
                values["note"] += "\n"
            continue
        if raw.startswith((" ", "\t")):
            if last_key != "note":
                raise FormError(number, "only the note may go on over several lines")
            values["note"] += "\n" + raw.strip()
            continue
        key, sep, value = raw.partition(":")
        key = key.strip().lower()
        if not sep or key not in keys:
            raise FormError(
                number, f'expected one of {", ".join(keys)}, then ":" (got "{raw[:40]}")'
            )
        value = value.strip()
        if key in _REPEATED:
            if value:
                values[key].append(value)
        elif key in values:
            raise FormError(number, f'"{key}" appears twice')
        else:
            values[key] = value
        last_key = key
    if not values.get("name"):
        raise FormError(1, "the name cannot be empty")
    if "note" in values:
        values["note"] = values["note"].strip("\n")
    values["tags"] = [values.get("tags", "")] if values.get("tags") else []
    return values


def parse_contact_form(text: str) -> dict[str, Any]:
    values = _parse(text, CONTACT_KEYS)
    values["emails"] = values.pop("email")
    values["phones"] = values.pop("phone")
    return values


def parse_company_form(text: str) -> dict[str, Any]:
    return _parse(text, COMPANY_KEYS)
