"""The value readers every standard converter shares: numbers, timestamps, comparisons and
the step status measurements make."""

from __future__ import annotations

import math
import time
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pywats.report import MeasurementStatus, StepStatus
from pywats_converters.standard._values import (
    NUMERIC_OPS,
    SINGLE_LIMIT_OPS,
    STRING_OPS,
    TWO_LIMIT_OPS,
    default_comp_op,
    parse_float,
    parse_timestamp_text,
    step_status_from,
)


@pytest.mark.parametrize(
    ("low", "high", "expected"),
    [(1.0, 2.0, "GELE"), (1.0, None, "GE"), (None, 2.0, "LE"), (None, None, "LOG")],
)
def test_limits_without_a_named_comparison_stand_for_one(
    low: float | None, high: float | None, expected: str
) -> None:
    assert default_comp_op(low, high) == expected


def test_a_zero_limit_is_a_limit() -> None:
    assert default_comp_op(0.0, None) == "GE"


@pytest.mark.parametrize(
    ("statuses", "expected"),
    [
        ({MeasurementStatus.PASSED, MeasurementStatus.FAILED}, StepStatus.FAILED),
        ({MeasurementStatus.PASSED, MeasurementStatus.SKIPPED}, StepStatus.PASSED),
        ({MeasurementStatus.SKIPPED}, StepStatus.SKIPPED),
    ],
)
def test_a_step_takes_the_status_its_measurements_make(
    statuses: set[MeasurementStatus], expected: StepStatus
) -> None:
    assert step_status_from(statuses) is expected


def test_the_comparison_sets_split_every_wats_comparison_by_its_limits() -> None:
    assert SINGLE_LIMIT_OPS | TWO_LIMIT_OPS | {"LOG"} == NUMERIC_OPS
    assert not SINGLE_LIMIT_OPS & TWO_LIMIT_OPS
    assert {"CASESENSIT", "IGNORECASE"} <= STRING_OPS


@pytest.mark.parametrize("text", ["NaN", "-nan", "IND", "-nan(ind)"])
def test_not_a_number_is_read_however_it_is_spelt(text: str) -> None:
    value = parse_float(text)
    assert value is not None
    assert math.isnan(value)


@pytest.mark.parametrize(("text", "expected"), [("Infinity", math.inf), ("-INF", -math.inf)])
def test_infinities_are_read_however_they_are_spelt(text: str, expected: float) -> None:
    assert parse_float(text) == expected


@pytest.mark.parametrize("text", [None, "", "   "])
def test_blank_is_no_number(text: str | None) -> None:
    assert parse_float(text) is None


def test_text_that_is_no_number_is_refused() -> None:
    with pytest.raises(ValueError, match="12 V"):
        parse_float("12 V")


@settings(max_examples=200, deadline=None)
@given(number=st.floats(allow_nan=False, allow_infinity=False))
def test_a_decimal_comma_reads_the_same_number(number: float) -> None:
    written = repr(number)
    assert parse_float(written) == number
    assert parse_float(written.replace(".", ","), decimal=",") == number


def test_a_timestamp_keeps_its_offset() -> None:
    moment = parse_timestamp_text("2024-03-05T07:08:09.25+02:00")
    assert moment == datetime(2024, 3, 5, 7, 8, 9, 250000, timezone(timedelta(hours=2)))
    assert moment is not None
    assert moment.utcoffset() == timedelta(hours=2)


def test_a_timestamp_in_z_is_utc() -> None:
    moment = parse_timestamp_text("2024-03-05 07:08Z")
    assert moment is not None
    assert moment.utcoffset() == timedelta(0)


def test_a_timestamp_without_offset_is_the_station_s_local_time() -> None:
    moment = parse_timestamp_text("2024-03-05T07:08:09")
    assert moment == datetime(2024, 3, 5, 7, 8, 9).astimezone()


@pytest.mark.parametrize(
    "text",
    [
        None,
        "",
        "05.03.2024 07:08",
        "2024-02-30T07:08:09",
        "2024-03-05T07:08:09+24:00",  # an offset of a day or more: no time zone
        "2024-03-05T07:08:09-99:59",
    ],
)
def test_what_is_no_timestamp_reads_as_none(text: str | None) -> None:
    assert parse_timestamp_text(text) is None


@pytest.mark.skipif(not hasattr(time, "tzset"), reason="time.tzset is POSIX only")
@pytest.mark.parametrize("zone", ["Asia/Tokyo", "America/New_York"])
@pytest.mark.parametrize("text", ["0001-01-01T00:00:00", "9999-12-31T23:59:59"])
def test_a_local_time_at_the_ends_of_the_calendar_reads_as_none(
    monkeypatch: pytest.MonkeyPatch, zone: str, text: str
) -> None:
    """Local time beyond year 1..9999 once shifted to the station's zone: no timestamp."""
    monkeypatch.setenv("TZ", zone)
    time.tzset()
    try:
        assert parse_timestamp_text(text) is None
    finally:
        monkeypatch.undo()
        time.tzset()
