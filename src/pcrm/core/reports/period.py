"""The period a report covers, from `--since WHEN` and `--until WHEN`.

A period is half-open, [start, end): an event at `start` is in, one at `end` is out. A WHEN
written as a day (no time) means that whole local day on both sides, so `--since 2026-10-01
--until 2026-10-31` is all of October: `--since DAY` starts at DAY's local midnight and
`--until DAY` ends at the next day's local midnight. A WHEN with a time is that moment.
Either side may be open (None). docs/reports.md says the same for users.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from pcrm.dates import from_iso, parse_when, resolve_imaginary, to_iso, to_local
from pcrm.errors import InvalidInput


@dataclass(frozen=True)
class Period:
    start: str | None  # UTC ISO, inclusive; None: from the beginning
    end: str | None  # UTC ISO, exclusive; None: no end

    def contains(self, stamp: str) -> bool:
        """Whether a stored UTC ISO time falls in the period (ISO text sorts as time does)."""
        return (self.start is None or stamp >= self.start) and (
            self.end is None or stamp < self.end
        )

    def sql(self, column: str) -> tuple[str, list[str]]:
        """A WHERE condition on a UTC ISO `column` (always true when unbounded) and its
        parameters."""
        parts, params = [], []
        if self.start is not None:
            parts.append(f"{column} >= ?")
            params.append(self.start)
        if self.end is not None:
            parts.append(f"{column} < ?")
            params.append(self.end)
        return (" AND ".join(parts) or "1"), params


EVER = Period(None, None)


def _next_day(moment: datetime) -> datetime:
    """Local midnight of the day after `moment`'s local day (DST-safe)."""
    day = to_local(moment).date() + timedelta(days=1)
    midnight = datetime(day.year, day.month, day.day, tzinfo=moment.tzinfo)
    return resolve_imaginary(midnight)


def parse_period(
    since: str | None,
    until: str | None,
    now: datetime,
    *,
    default_start: datetime | None = None,
    default_end: datetime | None = None,
) -> Period:
    """The period the user asked for; a side not given takes the default (None: open)."""
    start = parse_when(since, now, direction="past").moment if since is not None else default_start
    end = default_end
    if until is not None:
        when = parse_when(until, now)
        end = when.moment if when.has_time else _next_day(when.moment)
    if start is not None and end is not None and start >= end:
        raise InvalidInput(
            "--since must come before --until",
            hint=f"the period starts {to_iso(start)} and ends {to_iso(end)}",
        )
    return Period(to_iso(start) if start else None, to_iso(end) if end else None)


def local_days(period: Period) -> tuple[str | None, str | None]:
    """The period as local days [first, after), YYYY-MM-DD, for values stored as days (close
    dates, due days): a day counts when the period covers any part of it."""
    first = to_local(from_iso(period.start)).date().isoformat() if period.start else None
    after = None
    if period.end:
        end = to_local(from_iso(period.end))
        day = end.date() if end.time() == datetime.min.time() else end.date() + timedelta(days=1)
        after = day.isoformat()
    return first, after
