"""A report's period (core/reports/period.py): half-open, a bare day meaning the whole local day on
either side, exact across daylight-saving changes; and how reports name it."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from conftest import NOW
from pcrm.core.reports.period import EVER, Period, local_days, parse_period
from pcrm.core.reports.wins import ratio
from pcrm.errors import InvalidInput, InvalidWhen
from pcrm.formats.json import dumps
from pcrm.render.reports import percent, period_text


@pytest.fixture
def berlin(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "Europe/Berlin")


def test_days_are_whole_local_days(berlin):
    # 25 October 2026 has 25 hours in Berlin: CEST (+2) until 03:00, then CET (+1).
    assert parse_period("2026-10-25", "2026-10-25", NOW) == Period(
        "2026-10-24T22:00:00Z", "2026-10-25T23:00:00Z"
    )
    # 29 March 2026 has 23 hours.
    assert parse_period("2026-03-29", "2026-03-29", NOW) == Period(
        "2026-03-28T23:00:00Z", "2026-03-29T22:00:00Z"
    )


def test_times_are_moments_and_either_side_may_be_open(berlin):
    assert parse_period("2026-11-01 12:00", None, NOW) == Period("2026-11-01T11:00:00Z", None)
    assert parse_period(None, "2026-11-01 12:00", NOW) == Period(None, "2026-11-01T11:00:00Z")
    assert parse_period(None, None, NOW) == EVER
    # Relative words count from now: "yesterday" is the whole of Sunday 22 November.
    assert parse_period("yesterday", "yesterday", NOW) == Period(
        "2026-11-21T23:00:00Z", "2026-11-22T23:00:00Z"
    )


def test_defaults_fill_the_missing_sides():
    start = datetime(2026, 1, 1, tzinfo=UTC)
    assert parse_period(None, None, NOW, default_start=start, default_end=NOW) == Period(
        "2026-01-01T00:00:00Z", "2026-11-23T10:00:00Z"
    )
    assert parse_period("2026-02-01", None, NOW, default_start=start) == Period(
        "2026-02-01T00:00:00Z", None
    )


def test_an_empty_or_reversed_period_is_refused():
    with pytest.raises(InvalidInput, match="--since must come before --until"):
        parse_period("2026-11-02", "2026-11-01", NOW)
    with pytest.raises(InvalidInput, match="--since must come before --until"):
        parse_period("2026-11-01 12:00", "2026-11-01 12:00", NOW)
    with pytest.raises(InvalidWhen):
        parse_period("soon", None, NOW)


def test_contains_and_sql_agree_on_both_bounds():
    period = Period("2026-11-01T00:00:00Z", "2026-11-02T00:00:00Z")
    assert period.contains("2026-11-01T00:00:00Z")
    assert period.contains("2026-11-01T23:59:59Z")
    assert not period.contains("2026-11-02T00:00:00Z")
    assert not period.contains("2026-10-31T23:59:59Z")
    assert period.sql("at") == (
        "at >= ? AND at < ?",
        ["2026-11-01T00:00:00Z", "2026-11-02T00:00:00Z"],
    )
    assert EVER.sql("at") == ("1", [])
    assert EVER.contains("1900-01-01T00:00:00Z")


def test_local_days_cover_any_part_of_a_day(berlin):
    assert local_days(parse_period("2026-10-25", "2026-10-25", NOW)) == (
        "2026-10-25",
        "2026-10-26",
    )
    # From noon on the 1st to 09:00 on the 3rd: the 1st, 2nd and 3rd.
    assert local_days(parse_period("2026-11-01 12:00", "2026-11-03 09:00", NOW)) == (
        "2026-11-01",
        "2026-11-04",
    )
    assert local_days(EVER) == (None, None)


def test_period_text_names_the_days_a_user_typed(berlin):
    assert period_text(parse_period("2026-10-01", "2026-10-31", NOW)) == "2026-10-01 to 2026-10-31"
    assert period_text(parse_period("2026-10-01", None, NOW)) == "since 2026-10-01"
    assert period_text(parse_period(None, "2026-10-31", NOW)) == "until 2026-10-31"
    assert (
        period_text(parse_period("2026-10-01 08:30", "2026-10-31 18:00", NOW))
        == "2026-10-01 08:30 up to 2026-10-31 18:00"
    )
    assert period_text(parse_period(None, "2026-10-31 18:00", NOW)) == "up to 2026-10-31 18:00"
    assert period_text(parse_period("2026-10-01", "2026-10-31", NOW), open_end=True) == (
        "since 2026-10-01"
    )
    assert period_text(EVER) == ""


def test_a_zero_denominator_is_a_dash_not_zero_percent():
    assert ratio(0, 0) is None and percent(ratio(0, 0)) == "–"
    assert percent(ratio(0, 3)) == "0.0%"
    assert percent(ratio(2, 3)) == "66.7%"
    # Rounded once, from the exact fraction: 14/17 is 82.35...%, never 82.3% from 0.8235.
    assert percent(ratio(14, 17)) == "82.4%"
    assert json.loads(dumps({"rate": ratio(2, 3)})) == {"rate": 0.6667}
