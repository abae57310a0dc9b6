"""Normalising what people type: name keys for matching, emails, labels."""

from __future__ import annotations

import re
import unicodedata

from pcrm.errors import InvalidInput

# A pragmatic address check: one @, no spaces, a dot in the domain. Mail servers decide the rest.
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")
_LABEL_PREFIX = re.compile(r"^(?P<label>[A-Za-z][\w -]{0,30}):\s*(?P<value>.+)$")


def name_key(text: str) -> str:
    """Case- and accent-insensitive form of a name: 'Zoë  Müller' -> 'zoe muller'."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.split())


def normalise_email(text: str) -> str:
    email = text.strip().lower()
    if not _EMAIL.match(email):
        raise InvalidInput(
            f'invalid email address "{text.strip()}"', hint="expected name@domain.tld"
        )
    return email


def split_label(text: str) -> tuple[str | None, str]:
    """'work: ada@example.org' -> ('work', 'ada@example.org'); no prefix -> (None, text)."""
    match = _LABEL_PREFIX.match(text.strip())
    if match and "@" not in match["label"]:
        return match["label"].strip().lower(), match["value"].strip()
    return None, text.strip()


def clean_optional(text: str | None) -> str | None:
    """Strip a value; an empty string means 'no value'."""
    if text is None:
        return None
    text = text.strip()
    return text or None


def require_name(text: str, what: str = "name") -> str:
    cleaned = " ".join(text.split())
    if not cleaned:
        raise InvalidInput(f"{what} cannot be empty")
    return cleaned
