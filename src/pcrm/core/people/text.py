"""Normalising what people type: name keys for matching, emails, labels, one-line fields."""

from __future__ import annotations

import re
import unicodedata

from pcrm.dates import LazyPattern
from pcrm.errors import InvalidInput

# A pragmatic address check: one @, no spaces, a dot in the domain. Mail servers decide the rest.
_EMAIL = LazyPattern(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")
# `work: ada@example.org`, `mobile:+44 20 1234`: a short word, a colon, the value.
_LABEL_PREFIX = LazyPattern(r"^(?P<label>[^\W\d_][\w -]{0,30}):\s*(?P<value>.+)$")
# Letters that carry no combining accent in Unicode, spelled the way people type them.
_FOLD = str.maketrans(
    {"ø": "o", "æ": "ae", "œ": "oe", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "ı": "i"}
)


def name_key(text: str) -> str:
    """Case- and accent-insensitive form of a name: 'Zoë  Müller' -> 'zoe muller'."""
    decomposed = unicodedata.normalize("NFKD", text.casefold().translate(_FOLD))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.split())


# German transliteration: "Müller" is written "Mueller" where there are no umlauts, and
# "Straße" "Strasse". A name key already reads ü as u and ß as ss (casefold), so folding
# ue/oe/ae to u/o/a makes Müller, Mueller and Muller one key.
_TRANSLITERATED = (("ue", "u"), ("oe", "o"), ("ae", "a"))
# The same fold in SQL, over a name key column (lowercase already): see folded_key().
FOLDED_KEY_SQL = "replace(replace(replace({column}, 'ue', 'u'), 'oe', 'o'), 'ae', 'a')"


def folded_key(key: str) -> str:
    """A name key with German transliterations folded: 'mueller' and 'muller' -> 'muller'."""
    for written, folded in _TRANSLITERATED:
        key = key.replace(written, folded)
    return key


_TO_ASCII = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue"})
_TO_UMLAUT = LazyPattern(r"(?<![qQ])([aouAOU])([eE])(?=\w)")
_UMLAUTS = {"a": "ä", "o": "ö", "u": "ü", "A": "Ä", "O": "Ö", "U": "Ü"}
_DOUBLE_S = LazyPattern("ss", re.IGNORECASE)


def german_spellings(text: str) -> list[str]:
    """The ways a word may be written in German: as typed, with ä/ö/ü/ß spelled ae/oe/ue/ss,
    and with ae/oe/ue/ss written ä/ö/ü/ß. 'Mueller' -> ['Mueller', 'Müller'].

    An ae/oe/ue that ends a word, or follows a q, is left as it is: "blue", "Zoe" and
    "queen" are never umlauts, and "blü" would find every "blu…"."""
    spellings = [text, text.translate(_TO_ASCII).replace("ß", "ss")]
    umlauts = _TO_UMLAUT.sub(lambda m: _UMLAUTS[m[1]], text)
    spellings += [umlauts, _DOUBLE_S.sub("ß", umlauts), _DOUBLE_S.sub("ß", text)]
    return list(dict.fromkeys(spellings))


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
    if match:
        return " ".join(match["label"].split()).lower(), match["value"].strip()
    return None, text.strip()


def clean_optional(text: str | None) -> str | None:
    """Strip a value; an empty string means 'no value'. Inner line breaks stay (notes)."""
    if text is None:
        return None
    text = text.strip()
    return text or None


def clean_line(text: str | None) -> str | None:
    """A one-line field (title, source, industry...): runs of whitespace, line breaks
    included, become one space, so every value fits on one line of the editor form.
    An empty string means 'no value'."""
    if text is None:
        return None
    return " ".join(text.split()) or None


def require_name(text: str, what: str = "name") -> str:
    cleaned = " ".join(text.split())
    if not cleaned:
        raise InvalidInput(f"the {what} cannot be empty", hint=f"give a {what}")
    return cleaned
