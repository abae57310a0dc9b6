"""Comparing phone numbers however they are written: one E.164 key per number.

"+44 20 7946 0018", "+44 (0)20 7946 0018" and, with the phone_region setting at GB,
"020 7946 0018" are one number. Without a region, a number written without its country
code can only be compared by its digits.
"""

from __future__ import annotations

from functools import lru_cache

from pcrm.dates import LazyPattern
from pcrm.errors import InvalidInput

# Fewer digits than this is an extension or a typo, not a number two people could share.
MIN_DIGITS = 5
# "+44 (0)20 ...": the trunk prefix some people write inside an international number.
_TRUNK_MARK = LazyPattern(r"\(\s*0\s*\)")
_PUNCTUATION = LazyPattern(r"[\s().\-/]+")


def check_region(value: str) -> str:
    """A phone_region setting: an ISO 3166 region code phonenumbers knows, or "none"."""
    import phonenumbers

    region = value.strip().upper()
    if region in ("", "NONE"):
        return "none"
    if region not in phonenumbers.SUPPORTED_REGIONS:
        raise InvalidInput(
            f'unknown phone region "{value.strip()}"',
            hint="use a two-letter country code such as GB, US or DE, or none",
        )
    return region


@lru_cache(maxsize=65536)
def phone_key(number: str, region: str = "") -> str | None:
    """The number in E.164 form ("+442079460018"); its digits when it cannot be read as a
    full number; None when it is too short to identify anyone."""
    digits = "".join(filter(str.isdigit, number))  # as a generator, but twice as fast
    if len(digits) < MIN_DIGITS:
        return None
    # Written with its country code and nothing but punctuation: that already is E.164,
    # and this shortcut keeps 100 000 numbers from costing seconds in phonenumbers.
    bare: str = _PUNCTUATION.sub("", _TRUNK_MARK.sub("", number.strip()))
    if bare.startswith("+") and bare[1:].isdigit():
        return bare
    import phonenumbers

    try:
        parsed = phonenumbers.parse(number, region or None)
    except phonenumbers.NumberParseException:
        return digits
    if not phonenumbers.is_possible_number(parsed):
        return digits
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


# A REF or a search that is a phone number: digits and the punctuation numbers are written
# with, and enough digits to name one number ("555-1234" is left to the name rules).
_WRITTEN_NUMBER = LazyPattern(r"^\s*\+?[0-9\s().\-/]+$")
NUMBER_MIN_DIGITS = 8


def number_digits(text: str) -> str:
    """The digits that identify a number however it is written: "+49 (0)171 1234567",
    "0049 171 1234567" and "0171 1234567" -> "491711234567", "491711234567" and
    "1711234567" (no trunk mark, no leading zeros of an international or trunk prefix)."""
    return "".join(ch for ch in _TRUNK_MARK.sub("", text) if "0" <= ch <= "9").lstrip("0")


def typed_number(text: str) -> str | None:
    """number_digits() of text that is a phone number and nothing else; None otherwise."""
    if not _WRITTEN_NUMBER.match(text):
        return None
    digits = number_digits(text)
    return digits if len(digits) >= NUMBER_MIN_DIGITS else None


def same_number(typed: str, stored: str) -> bool:
    """Whether two numbers' digits (number_digits) name one number: one ends with the other,
    so a national "171 1234567" is the international "+49 171 1234567"."""
    short, long = sorted((typed, stored), key=len)
    return len(short) >= NUMBER_MIN_DIGITS and long.endswith(short)
