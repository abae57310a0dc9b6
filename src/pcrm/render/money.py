"""Money for people: minor units and an ISO code shown as "€12,500.50", "¥1,200" or
"12,500.50 CHF". English-style grouping ("," thousands, "." decimals) whatever the locale,
unless the user chose the number style 1.234,56 (`use_style`, set by cli for a terminal
only: piped lines and JSON keep one form for scripts). A currency gets a symbol in front
only when the symbol is its own in common use; any other shows its code after the amount
("$" is the US dollar; a Canadian dollar is "1,200.00 CAD", never a bare "$").
"""

from __future__ import annotations

SYMBOLS = {
    "EUR": "€",
    "USD": "$",
    "GBP": "£",
    "JPY": "¥",
    "INR": "₹",
    "KRW": "₩",
    "ILS": "₪",
    "NGN": "₦",
    "PHP": "₱",
    "VND": "₫",
    "UAH": "₴",
    "THB": "฿",
    "TRY": "₺",
    "RUB": "₽",
}

_style = {"decimal_comma": False}  # the number_style setting, for grouped amounts


def use_style(style: str | None) -> None:
    """Show grouped amounts in the user's number style ("1.234,56": '12.500,50')."""
    _style["decimal_comma"] = style == "1.234,56"


def amount(value: int, exponent: int, *, grouped: bool = True) -> str:
    """Minor units as a decimal number: 1250050, 2 -> '12,500.50' ('12500.50' ungrouped)."""
    sign = "-" if value < 0 else ""
    whole, minor = divmod(abs(value), 10**exponent)
    text = f"{whole:,}" if grouped else str(whole)
    point = "."
    if grouped and _style["decimal_comma"]:
        text, point = text.replace(",", "."), ","
    if exponent:
        text += point + str(minor).rjust(exponent, "0")
    return sign + text


def parts(value: int, currency: str, exponent: int) -> tuple[str, str]:
    """The amount with its symbol in front, and the code to put after it ('' with a symbol)."""
    symbol = SYMBOLS.get(currency)
    number = amount(value, exponent)
    if symbol:
        return symbol + number, ""
    return number, currency


def money(value: int, currency: str, exponent: int) -> str:
    """'€12,500.50', '¥1,200', '12,500.50 CHF'."""
    text, code = parts(value, currency, exponent)
    return f"{text} {code}" if code else text


def aligned(items: list[tuple[int, str, int]], *, zero: str | None = None) -> list[str]:
    """Amounts (value, currency, exponent) as cells of one width, numbers ending in line:
    those shown with a symbol get trailing room for the others' codes. `zero`, if given,
    stands for a zero amount. Print them left-justified (a right-justified cell loses its
    trailing spaces)."""
    split = [(zero, "") if zero is not None and item[0] == 0 else parts(*item) for item in items]
    room = max((len(code) for _, code in split), default=0)
    cells = [f"{text} {code.ljust(room)}" if room else text for text, code in split]
    width = max((len(cell) for cell in cells), default=0)
    return [cell.rjust(width) for cell in cells]


def plain(value: int, exponent: int) -> str:
    """For scripts: '12500.50', no grouping, no symbol (the code goes in its own field)."""
    return amount(value, exponent, grouped=False)
