"""The readable text forms `pcrm contact edit`, `company edit` and `interaction edit` open
in $EDITOR.

One `key: value` per line; emails and phones repeat their key, one value a line, with an
optional label (`email: work: ada@example.org`); tags are one comma-separated line; the
note continues on lines indented by two spaces; lines starting with # are comments. An
empty value clears the field; so does deleting its line.

Parsing returns plain dicts. The caller passes `check(key, value)` (core's validation of
one field) so that a bad email or birthday is reported with its line number too.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from pcrm.errors import InvalidInput

if TYPE_CHECKING:
    from pcrm.core.activity.models import Interaction
    from pcrm.core.people.models import Company, Contact

Check = Callable[[str, str], object]

_HELP = """\
# Lines starting with # are ignored. Save and quit to apply; quit without saving to cancel.
# Repeat email: and phone: for several values; an optional label goes first
# (email: work: ada@example.org). Tags are separated by commas. An empty value clears
# a field. The note goes on; indent each further line by two spaces.
"""

CONTACT_KEYS = (
    "name", "email", "phone", "company", "title", "source", "birthday", "anniversary", "every",
    "tags", "note", "nickname",
)  # fmt: skip
COMPANY_KEYS = ("name", "domain", "website", "industry", "size", "tags", "note")
_REPEATED = ("email", "phone")
_INDENT = "  "


class FormError(InvalidInput):
    """A problem in the edited form, at a line the user can find."""

    def __init__(self, line: int, message: str, hint: str | None = None) -> None:
        super().__init__(f"line {line}: {message}", hint)
        self.line = line


def _labelled(value: str, label: str | None) -> str:
    return f"{label}: {value}" if label else value


def _note_lines(note: str | None) -> list[str]:
    lines = (note or "").splitlines() or [""]
    return [f"note: {lines[0]}", *(f"{_INDENT}{line}".rstrip() for line in lines[1:])]


def contact_form(contact: Contact) -> str:
    lines = [f"# Editing contact {contact.id}.", _HELP, f"name: {contact.name}"]
    lines += [f"email: {_labelled(e.email, e.label)}" for e in contact.emails] or ["email: "]
    lines += [f"phone: {_labelled(p.phone, p.label)}" for p in contact.phones] or ["phone: "]
    lines += [
        f"company: {contact.company.name if contact.company else ''}",
        f"title: {contact.title or ''}",
        f"source: {contact.source or ''}",
        f"birthday: {contact.birthday or ''}",
        f"anniversary: {contact.anniversary or ''}",
        f"every: {f'{contact.cadence_days}d' if contact.cadence_days else ''}",
        f"tags: {', '.join(contact.tags)}",
        *_note_lines(contact.note),
    ]
    if contact.nickname:  # a line of its own only when there is one (add it to set one)
        lines.append(f"nickname: {contact.nickname}")
    return "\n".join(lines) + "\n"


def company_form(company: Company) -> str:
    lines = [f"# Editing company {company.id}.", _HELP, f"name: {company.name}"]
    lines += [
        f"{key}: {getattr(company, key) or ''}" for key in ("domain", "website", "industry", "size")
    ]
    lines += [f"tags: {', '.join(company.tags)}", *_note_lines(company.note)]
    return "\n".join(lines) + "\n"


def _note_continuation(raw: str) -> str:
    """A further note line without the form's indent; deeper indentation is the user's."""
    if raw.startswith(_INDENT):
        return raw[len(_INDENT) :].rstrip()
    return raw[1:].rstrip()  # one space or one tab


def _parse(text: str, keys: tuple[str, ...], check: Check | None) -> dict[str, Any]:
    values: dict[str, Any] = {key: [] for key in _REPEATED if key in keys}
    name_line = 0
    last_key = None
    for number, raw in enumerate(text.splitlines(), start=1):
        if raw.startswith("#"):
            continue
        if not raw.strip():
            if last_key == "note":
                values["note"] += "\n"
            continue
        if raw.startswith((" ", "\t")):
            if last_key != "note":
                raise FormError(
                    number,
                    "only the note may go on over several lines",
                    hint="start the line with a field name, or remove its indent",
                )
            values["note"] += "\n" + _note_continuation(raw)
            continue
        key, sep, value = raw.partition(":")
        key = key.strip().lower()
        if not sep:
            raise FormError(number, f'expected "field: value", got "{raw[:40]}"')
        if key not in keys:
            raise FormError(
                number, f'unknown field "{key[:40]}"', hint="fields: " + ", ".join(keys)
            )
        value = value.strip()
        if key not in _REPEATED and key in values:
            raise FormError(number, f'"{key}" appears twice', hint="keep one of the two lines")
        if value and check is not None:
            try:
                check(key, value)
            except InvalidInput as exc:
                raise FormError(number, exc.message, exc.hint) from exc
        if key in _REPEATED:
            if value:
                values[key].append(value)
        else:
            values[key] = value
        if key == "name":
            name_line = number
        last_key = key
    if "name" not in values:
        raise InvalidInput('the form has no "name:" line', hint="add one, e.g. name: Ada Lovelace")
    if not values["name"]:
        raise FormError(name_line, "the name cannot be empty", hint="give a name")
    if "note" in values:
        values["note"] = values["note"].strip("\n")
    values["tags"] = [values["tags"]] if values.get("tags") else []
    return values


def parse_contact_form(text: str, check: Check | None = None) -> dict[str, Any]:
    """Keyword arguments for core's ContactForm."""
    values = _parse(text, CONTACT_KEYS, check)
    values["emails"] = values.pop("email")
    values["phones"] = values.pop("phone")
    if "every" in values:  # the stay-in-touch cadence, as `contact edit --every` takes it
        values["cadence"] = values.pop("every")
    return values


def parse_company_form(text: str, check: Check | None = None) -> dict[str, Any]:
    """Keyword arguments for core's CompanyForm."""
    return _parse(text, COMPANY_KEYS, check)


# -- an interaction (`pcrm interaction edit ID` without options) --------------------------

_INTERACTION_HELP = """\
# Lines starting with # are ignored. Save and quit to apply; quit without saving to cancel.
# at: local time, or any WHEN (yesterday 3pm, 2026-11-20 14:00). One with: line per
# person: their id (the name after it is only for reading) or a REF. deal: an id or a
# title; empty for none. The text goes last; indent each further line by two spaces.
"""
INTERACTION_KEYS = ("kind", "at", "with", "deal", "text")


def interaction_form(item: Interaction) -> str:
    from pcrm.dates import format_local, from_iso

    lines = [f"# Editing interaction {item.id}.", _INTERACTION_HELP, f"kind: {item.kind}"]
    lines.append(f"at: {format_local(from_iso(item.at))}")
    lines += [f"with: {link.id} {link.name}" for link in item.contacts] or ["with: "]
    lines.append(f"deal: {f'{item.deal.id} {item.deal.name}' if item.deal else ''}")
    text = item.text.splitlines() or [""]
    lines += [f"text: {text[0]}", *(f"{_INDENT}{line}".rstrip() for line in text[1:])]
    return "\n".join(lines) + "\n"


def parse_interaction_form(text: str) -> dict[str, Any]:
    """{"kind", "at", "deal", "text": str, "with": [str, ...]}; a line left out is ""."""
    values: dict[str, Any] = {"with": []}
    last_key = None
    for number, raw in enumerate(text.splitlines(), start=1):
        if raw.startswith("#"):
            continue
        if not raw.strip():
            if last_key == "text":
                values["text"] += "\n"
            continue
        if raw.startswith((" ", "\t")):
            if last_key != "text":
                raise FormError(
                    number,
                    "only the text may go on over several lines",
                    hint="start the line with a field name, or remove its indent",
                )
            values["text"] += "\n" + _note_continuation(raw)
            continue
        key, sep, value = raw.partition(":")
        key = key.strip().lower()
        if not sep:
            raise FormError(number, f'expected "field: value", got "{raw[:40]}"')
        if key not in INTERACTION_KEYS:
            raise FormError(
                number, f'unknown field "{key[:40]}"', hint="fields: " + ", ".join(INTERACTION_KEYS)
            )
        value = value.strip()
        if key == "with":
            if value:
                values["with"].append(value)
        elif key in values:
            raise FormError(number, f'"{key}" appears twice', hint="keep one of the two lines")
        else:
            values[key] = value
        last_key = key
    for key in ("kind", "at", "deal", "text"):
        values.setdefault(key, "")
    values["text"] = values["text"].strip("\n")
    return values
