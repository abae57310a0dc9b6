"""Money: ISO 4217 currencies, and amounts as typed ("12k", "12,500.50", "€1.5m") turned
into integer minor units.

A currency is checked against the `iso4217` package the first time it is used, and its
code, minor-unit exponent and name are kept in the `currencies` table; every later read
(`pcrm deal list`, the board) uses the table, so that the package's slow import is paid
once per currency, never by a listing.

Amounts are never scaled by a guess (docs/deals.md has the table of cases). With the
`number_style` setting, "1.234,56" or "1,234.56", one mark groups thousands and the other
is the decimal mark. Without it, whatever reads only one way is read: "1,234.56",
"1.234,56", "1.234.567", "12,5", "40.00"; a point followed by exactly three digits
("40.000": 40 or 40000?) is refused, and so is a comma followed by three digits in a
currency with three decimals ("1,234 KWD"). A k or m suffix multiplies by a thousand or a
million. A currency symbol or code before or after the number ("€1,200", "12k USD") names
the currency; it must agree with --currency when both are given.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from pcrm.errors import InvalidInput
from pcrm.store.db import Database

_CODE = re.compile(r"[A-Z]{3}", re.ASCII)
_CODE_HINT = "use an ISO 4217 code such as EUR, USD or GBP"
_AMOUNT_HINT = "try 12000, 12,500.50, 12k or 1.5m"
_MAX_MAJOR = 10**12  # a trillion of any currency: far above any deal, far below int64

# [currency] number [k|m] [currency]; the currencies are checked apart.
_MONEY = re.compile(
    r"(?P<before>[^\d\s.,]*?)\s*(?P<number>\d[\d,.]*)\s*"
    r"(?P<scale>[km](?![a-z]))?\s*(?P<after>\D*)",
    re.IGNORECASE | re.ASCII,
)
# A point (or comma) after 1-3 digits, not a lone 0, then exactly three: it reads two ways.
TWO_WAYS = re.compile(r"(?P<lead>[1-9]\d{0,2})[.,](?P<tail>\d{3})", re.ASCII)
STYLE_HINT = "set a number style: pcrm config set number-style 1.234,56"
_SCALES = {"": 1, "k": 1_000, "m": 1_000_000}
_DOLLARS = ("USD", "CAD", "AUD", "NZD", "SGD", "HKD", "MXN", "ARS", "CLP", "COP", "TWD")
# What a symbol typed with an amount may mean (display symbols live in render/money.py).
SYMBOLS: dict[str, tuple[str, ...]] = {
    "€": ("EUR",),
    "£": ("GBP",),
    "¥": ("JPY", "CNY"),
    "$": _DOLLARS,
    "US$": ("USD",),
    "C$": ("CAD",),
    "CA$": ("CAD",),
    "A$": ("AUD",),
    "AU$": ("AUD",),
    "NZ$": ("NZD",),
    "HK$": ("HKD",),
    "S$": ("SGD",),
    "R$": ("BRL",),
    "₹": ("INR",),
    "₩": ("KRW",),
    "₪": ("ILS",),
    "₺": ("TRY",),
    "₽": ("RUB",),
    "₴": ("UAH",),
    "₦": ("NGN",),
    "₱": ("PHP",),
    "₫": ("VND",),
    "฿": ("THB",),
}


@dataclass(frozen=True)
class Currency:
    code: str
    exponent: int  # digits of the minor unit: 2 for EUR, 0 for JPY, 3 for BHD
    name: str


@dataclass(frozen=True)
class Money:
    value: int  # minor units
    currency: Currency


def cached_currency(db: Database, code: str) -> Currency | None:
    """A currency already in the table, else None; never imports iso4217."""
    row = db.execute(
        "SELECT code, exponent, name FROM currencies WHERE code = ?", [code.strip().upper()]
    ).fetchone()
    return Currency(*row) if row else None


def check_currency(db: Database, text: str) -> Currency:
    """The ISO 4217 currency `text` names (any case), added to the table on first use."""
    code = text.strip().upper()
    if not _CODE.fullmatch(code):
        raise InvalidInput(f'"{text.strip()}" is not a currency code', hint=_CODE_HINT)
    known = cached_currency(db, code)
    if known is not None:
        return known
    import iso4217  # slow (~0.2 s): only when a currency is used for the first time

    try:
        found = iso4217.Currency(code)
    except ValueError:
        raise InvalidInput(f'unknown currency "{code}"', hint=_CODE_HINT) from None
    if found.exponent is None:  # gold, SDRs, test codes: units of account, not money
        raise InvalidInput(
            f"{code} ({found.currency_name}) is not a currency deals can be valued in",
            hint=_CODE_HINT,
        )
    currency = Currency(code, found.exponent, found.currency_name)
    db.execute(
        "INSERT INTO currencies(code, exponent, name) VALUES (?, ?, ?)",
        [currency.code, currency.exponent, currency.name],
    )
    return currency


@dataclass(frozen=True)
class Amount:
    """An amount as typed: its exact value in major units, and the currencies its symbol or
    code may mean (empty when it has none). `decimal` is the other reading of a comma
    followed by three digits ("1,234": 1.234), which only a currency with three decimals
    can hold; None when there is none."""

    major: Decimal
    currencies: tuple[str, ...]
    decimal: Decimal | None = None


def read_amount(text: str, style: str | None = None) -> Amount:
    """Parse "12k", "12000", "12,500.50", "1.5m", "€1,200", "12k USD"; no currency checks.

    `style` is the number_style setting ("1.234,56", "1,234.56" or None)."""
    s = " ".join(text.split())
    if not s:
        raise InvalidInput("no value given", hint=_AMOUNT_HINT)
    match = _MONEY.fullmatch(s)
    if match is None:
        if re.match(r"[^\d]*[-−]\s*\d", s):
            raise InvalidInput(f'the value cannot be negative: "{s}"', hint="give 0 or more")
        raise InvalidInput(f'cannot read "{s}" as an amount', hint=_hint_for(s, style))
    before, after = match["before"].strip(), match["after"].strip()
    if before.endswith(("-", "−")) or after.startswith(("-", "−")):
        raise InvalidInput(f'the value cannot be negative: "{s}"', hint="give 0 or more")
    number, scale = match["number"], (match["scale"] or "").lower()
    decimal: Decimal | None = None
    group, point = _marks(number, style, s, scale)
    if not _grouped(group, point).fullmatch(number):
        raise InvalidInput(f'cannot read "{s}" as an amount', hint=_hint_for(number, style))
    if before and after:
        raise InvalidInput(f'"{s}" names its currency twice', hint="keep one: €1,200 or 1,200 EUR")
    major = Decimal(number.replace(group, "").replace(point, ".")) * _SCALES[scale]
    if style is None and group == "," and TWO_WAYS.fullmatch(number):
        decimal = Decimal(number.replace(",", ".")) * _SCALES[scale]
    return Amount(major, _currencies_named(before or after, s), decimal)


def _marks(number: str, style: str | None, shown: str, scale: str) -> tuple[str, str]:
    """The thousands mark and the decimal mark of `number`: the style's, else the only
    reading it has; a point followed by exactly three digits has two."""
    if style is not None:
        return (".", ",") if style.startswith("1.") else (",", ".")
    if "." in number and "," in number:  # the last mark is the decimal one
        return (",", ".") if number.rindex(".") > number.rindex(",") else (".", ",")
    if number.count(".") > 1:
        return ".", ","
    two_ways = TWO_WAYS.fullmatch(number)
    # "1,500k" is 1.5k to whoever writes a decimal comma: with a scale, either is an amount.
    if two_ways and ("." in number or scale):
        as_decimal, grouped, written = two_readings(number.replace(",", "."))
        raise InvalidInput(
            f'"{shown}" is ambiguous: {as_decimal}{scale} or {grouped}{scale}?',
            hint=f"write {grouped}{scale} or {written}{scale}, or {STYLE_HINT}",
        )
    if number.count(",") == 1 and not two_ways:  # "12,5", "0,125": a decimal comma
        return ".", ","
    return ",", "."


def two_readings(number: str) -> tuple[str, str, str]:
    """A point and three digits ("40.000", "1.234") read as a decimal ("40", "1.234"), as
    thousands ("40000", "1234"), and the decimal written so it reads one way ("40",
    "1.2340")."""
    lead, tail = number.split(".")
    as_decimal = f"{Decimal(f'{lead}.{tail}').normalize():f}"
    written = as_decimal + ("0" if tail[-1] != "0" else "")
    return as_decimal, lead + tail, written


def _grouped(group: str, point: str) -> re.Pattern[str]:
    g, p = re.escape(group), re.escape(point)
    return re.compile(rf"(?:\d{{1,3}}(?:{g}\d{{3}})+|\d+)(?:{p}\d+)?", re.ASCII)


def _hint_for(text: str, style: str | None) -> str:
    if style == "1.234,56" and any(mark in text for mark in ".,"):
        return "number style 1.234,56: a point groups thousands, a comma marks decimals"
    if style is not None and any(mark in text for mark in ".,"):
        return "number style 1,234.56: a comma groups thousands, a point marks decimals"
    return _AMOUNT_HINT


def _currencies_named(mark: str, s: str) -> tuple[str, ...]:
    if not mark:
        return ()
    if mark in SYMBOLS:
        return SYMBOLS[mark]
    if _CODE.fullmatch(mark.upper()):
        return (mark.upper(),)
    raise InvalidInput(f'cannot read "{s}" as an amount', hint=_AMOUNT_HINT)


def to_minor(amount: Amount, currency: Currency, shown: str) -> int:
    """The amount in minor units of `currency`; more decimals than it has is an error."""
    if amount.major >= _MAX_MAJOR:
        raise InvalidInput(f'the value "{shown}" is too large', hint="at most 999,999,999,999")
    minor = amount.major.scaleb(currency.exponent)
    if minor != minor.to_integral_value():
        allowed = f"{currency.exponent} decimals" if currency.exponent else "no decimals"
        raise InvalidInput(
            f'"{shown}" has more decimals than {currency.code} allows ({allowed})',
            hint="round it",
        )
    return int(minor)


def parse_money(
    db: Database, text: str, *, currency: str | None, default: str, style: str | None = None
) -> Money:
    """A deal's value: `text` as typed, in `currency` (--currency) if given, else in the
    currency its symbol or code names, else in `default` (the `currency` setting); read
    in `style` (the number_style setting, None when not set).

    A symbol shared by several currencies ("$") means the default when that is one of
    them; otherwise the user must say which.
    """
    shown = " ".join(text.split())
    amount = read_amount(text, style)
    if currency is not None:
        chosen = check_currency(db, currency)
        if amount.currencies and chosen.code not in amount.currencies:
            raise InvalidInput(
                f'"{shown}" is not in {chosen.code}',
                hint=f"drop the symbol, or use --currency {amount.currencies[0]}",
            )
    elif not amount.currencies or default in amount.currencies:
        chosen = check_currency(db, default)
    elif len(amount.currencies) == 1:
        chosen = check_currency(db, amount.currencies[0])
    else:
        raise InvalidInput(
            f'"{shown}" could be in ' + ", ".join(amount.currencies),
            hint=f"say which, e.g. --currency {amount.currencies[0]}",
        )
    if amount.decimal is not None and chosen.exponent == 3:
        # "1,234" in dinars: 1234, or 1.234 written with a decimal comma?
        raise InvalidInput(
            f'"{shown}" is ambiguous in {chosen.code} (3 decimals):'
            f" {amount.decimal:f} or {amount.major:f}?",
            hint=f"write {amount.major:f} or {amount.decimal:f}0, or {STYLE_HINT}",
        )
    return Money(to_minor(amount, chosen, shown), chosen)


def rescale(value: int, old: Currency, new: Currency) -> int:
    """The same amount in major units, in a currency with another exponent (EUR -> JPY)."""
    shift = new.exponent - old.exponent
    scale: int = 10 ** abs(shift)  # to mypy int ** int is Any: a negative power makes a float
    if shift >= 0:
        return value * scale
    if value % scale:
        raise InvalidInput(
            f"the value has cents that {new.code} cannot hold",
            hint=f"give the value in {new.code} with --value",
        )
    return value // scale
