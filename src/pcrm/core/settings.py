"""User settings (`pcrm config`), kept in the database's `settings` table.

Each setting has a default used until it is set, and a check that runs before it is saved,
so the table never holds a value pcrm cannot use.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pcrm.errors import InvalidInput, PcrmError

if TYPE_CHECKING:
    from pathlib import Path

    from pcrm.store.db import Database


@dataclass(frozen=True)
class Setting:
    key: str
    value: str
    is_default: bool
    help: str


def _check_currency(db: Database, value: str) -> str:
    from pcrm.core.deals.money import check_currency

    return check_currency(db, value).code


def _check_phone_region(db: Database, value: str) -> str:
    from pcrm.core.people.phones import check_region

    return check_region(value)


def _check_days(db: Database, value: str) -> str:
    text = value.strip()
    if not (text.isascii() and text.isdigit()) or int(text) > 366:
        raise InvalidInput(f'"{value}" is not a number of days from 0 to 366', hint="e.g. 7")
    return str(int(text))


_SWITCH = {"on": "on", "off": "off", "true": "on", "false": "off", "yes": "on", "no": "off",
           "1": "on", "0": "off"}  # fmt: skip


def _check_switch(db: Database, value: str) -> str:
    stored = _SWITCH.get(value.strip().lower())
    if stored is None:
        raise InvalidInput(f'expected on or off, not "{value.strip()}"', hint="on or off")
    return stored


def _check_date_order(db: Database, value: str) -> str:
    from pcrm.dates import DATE_ORDERS

    order = value.strip().lower()
    if order not in (*DATE_ORDERS, "none"):
        raise InvalidInput(
            f'date order "{value.strip()}" is not one of dmy, mdy, ymd',
            hint="dmy: 31/12/2027, mdy: 12/31/2027, ymd: 2027/12/31; none: ask when unclear",
        )
    return order


NUMBER_STYLES = ("1.234,56", "1,234.56")  # a point groups, or a comma groups


def _check_number_style(db: Database, value: str) -> str:
    text = value.strip().lower()
    if text in NUMBER_STYLES or text == "none":
        return text
    raise InvalidInput(
        f'"{value.strip()}" is not a number style', hint="1.234,56, 1,234.56 or none"
    )


PRINT = "print"  # agenda.deliver's default: cron mails what `agenda --cron` prints


def _check_command(db: Database, value: str) -> str:
    text = value.strip()
    if "\n" in text or "\r" in text or "\0" in text:
        raise InvalidInput(
            "the delivery command must be one line",
            hint="e.g. mail -s 'pcrm agenda' you@example.org",
        )
    return PRINT if text in ("", PRINT, "none") else text


def _check_emails(db: Database, value: str) -> str:
    from pcrm.core.people.text import normalise_email

    parts = [part for part in value.replace(";", ",").replace(" ", ",").split(",") if part]
    if value.strip().lower() == "none":
        return "none"
    emails = list(dict.fromkeys(normalise_email(part) for part in parts))
    return ",".join(emails) if emails else "none"


# key -> (default, one-line help, check that returns the value to store)
_KNOWN: dict[str, tuple[str, str, Callable[[Database, str], str]]] = {
    "currency": (
        "EUR",
        "currency of new deals when --currency is not given (ISO 4217 code)",
        _check_currency,
    ),
    "phone_region": (
        "none",
        "country of phone numbers written without their +country code, for duplicate"
        " matching (GB, US...; none: compare their digits)",
        _check_phone_region,
    ),
    "reminder_days": (
        "7",
        "days ahead that `pcrm agenda` shows birthdays and anniversaries (0: on the day only)",
        _check_days,
    ),
    "date_order": (
        "none",
        "how slash dates are read: dmy (31/12/2027), mdy (12/31/2027) or ymd (2027/12/31);"
        " none: a date that reads both ways is refused",
        _check_date_order,
    ),
    "lifecycle.customer_on_win": (
        "on",
        "winning a deal moves its contacts and company to the customer stage (on or off)",
        _check_switch,
    ),
    "number_style": (
        "none",
        "how amounts are written: 1.234,56 or 1,234.56 (none: a point followed by exactly"
        " three digits, as in 40.000, is refused as ambiguous)",
        _check_number_style,
    ),
    "agenda.deliver": (
        PRINT,
        "command that `pcrm agenda --cron` pipes its text to (run by sh -c), e.g."
        " mail -s 'pcrm agenda' you@example.org; print: print it (cron mails it)",
        _check_command,
    ),
    "me.emails": (
        "none",
        "your own addresses, comma-separated: captured mail from them is outgoing, and they"
        " are never contacts (none: no address is yours)",
        _check_emails,
    ),
}

KEYS = tuple(_KNOWN)


def check_key(key: str) -> str:
    """The setting's name as stored; an unknown one is an error listing the known ones."""
    name = key.strip().lower()
    if name not in _KNOWN and name.replace("-", "_") in _KNOWN:
        name = name.replace("-", "_")  # number-style, date-order: as people type them
    if name not in _KNOWN:
        raise InvalidInput(f'unknown setting "{key}"', hint="settings: " + ", ".join(KEYS))
    return name


def get_setting(db: Database, key: str) -> Setting:
    key = check_key(key)
    default, help_text, _check = _KNOWN[key]
    row = db.execute("SELECT value FROM settings WHERE key = ?", [key]).fetchone()
    if row is None:
        return Setting(key, default, True, help_text)
    return Setting(key, row[0], False, help_text)


def set_setting(db: Database, key: str, value: str) -> Setting:
    key = check_key(key)
    stored = _KNOWN[key][2](db, value)
    db.execute(
        "INSERT INTO settings(key, value) VALUES (?, ?)"
        " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        [key, stored],
    )
    return get_setting(db, key)


def list_settings(db: Database) -> list[Setting]:
    return [get_setting(db, key) for key in KEYS]


def default_currency(db: Database) -> str:
    return get_setting(db, "currency").value


def phone_region(db: Database) -> str:
    """The region phone numbers are read in; "" when none is set."""
    value = get_setting(db, "phone_region").value
    return "" if value == "none" else value


def number_style(db: Database) -> str | None:
    """The number style amounts are read (and shown) in; None when none is set."""
    value = get_setting(db, "number_style").value
    return None if value == "none" else value


def reminder_days(db: Database) -> int:
    return int(get_setting(db, "reminder_days").value)


def is_on(db: Database, key: str) -> bool:
    """A switch setting (on/off) read as a bool."""
    return get_setting(db, key).value == "on"


def stored_date_order(path: Path) -> str | None:
    """The date-order setting in the database file at `path` ("dmy", "mdy", "ymd"), None
    when not set. Read on its own connection, when a slash date needs it (dates.py)."""
    import sqlite3

    from pcrm.store.db import read_only_connection

    if not path.is_file():
        return None
    try:
        conn = read_only_connection(path)
    except (sqlite3.Error, PcrmError):
        return None
    try:
        row = conn.execute("SELECT value FROM settings WHERE key = 'date_order'").fetchone()
    except sqlite3.Error:  # a file from before settings, or not pcrm's
        return None
    finally:
        conn.close()
    return None if row is None or row[0] == "none" else str(row[0])


def agenda_delivery(db: Database) -> str | None:
    """The command `agenda --cron` delivers through; None: it prints."""
    value = get_setting(db, "agenda.deliver").value
    return None if value == PRINT else value


def my_emails(db: Database) -> frozenset[str]:
    """The user's own addresses (me.emails), lower case."""
    value = get_setting(db, "me.emails").value
    return frozenset() if value == "none" else frozenset(value.split(","))
