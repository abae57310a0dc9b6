"""Money: ISO 4217 currencies, and amounts as typed ("12k", "12,500.50", "€1.5m") turned
into integer minor units.

A currency is checked against the `iso4217` package the first time it is used, and its
code, minor-unit exponent and name are kept in the `currencies` table; every later read
(`pcrm deal list`, the board) uses the table, so that the package's slow import is paid
once per currency, never by a listing.

Amounts: "," only separates thousands and "." is the decimal point, so "12,5" is refused
rather than guessed. A k or m suffix multiplies by a thousand or a million. A currency
symbol or code before or after the number ("€1,200", "12k USD") names the currency; it
must agree with --currency when both are given.
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
    r"(?P<before>[^\d\s.,]*?)\s*(?P<number>\d[\d,]*(?:\.\d*)?)\s*"
    r"(?P<scale>[km](?![a-z]))?\s*(?P<after>\D*)",
    re.IGNORECASE | re.ASCII,
)
_GROUPED = re.compile(r"\d{1,3}(?:,\d{3})*(?:\.\d+)?|\d+(?:\.\d+)?", re.ASCII)
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
    code may mean (empty when it has none)."""

    major: Decimal
    currencies: tuple[str, ...]


def read_amount(text: str) -> Amount:
    """Parse "12k", "12000", "12,500.50", "1.5m", "€1,200", "12k USD"; no currency checks."""
    s = " ".join(text.split())
    if not s:
        raise InvalidInput("no value given", hint=_AMOUNT_HINT)
    match = _MONEY.fullmatch(s)
    if match is None:
        if re.match(r"[^\d]*[-−]\s*\d", s):
            raise InvalidInput(f'the value cannot be negative: "{s}"', hint="give 0 or more")
        raise InvalidInput(f'cannot read "{s}" as an amount', hint=_hint_for(s))
    before, after = match["before"].strip(), match["after"].strip()
    if before.endswith(("-", "−")) or after.startswith(("-", "−")):
        raise InvalidInput(f'the value cannot be negative: "{s}"', hint="give 0 or more")
    number = match["number"]
    if not _GROUPED.fullmatch(number):
        raise InvalidInput(f'cannot read "{s}" as an amount', hint=_hint_for(number))
    if before and after:
        raise InvalidInput(f'"{s}" names its currency twice', hint="keep one: €1,200 or 1,200 EUR")
    major = Decimal(number.replace(",", "")) * _SCALES[(match["scale"] or "").lower()]
    return Amount(major, _currencies_named(before or after, s))


def _hint_for(text: str) -> str:
    if "," in text:
        return '"," only separates thousands, as in 12,500; decimals take a point: 12.5'
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


def parse_money(db: Database, text: str, *, currency: str | None, default: str) -> Money:
    """A deal's value: `text` as typed, in `currency` (--currency) if given, else in the
    currency its symbol or code names, else in `default` (the `currency` setting).

    A symbol shared by several currencies ("$") means the default when that is one of
    them; otherwise the user must say which.
    """
    shown = " ".join(text.split())
    amount = read_amount(text)
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
