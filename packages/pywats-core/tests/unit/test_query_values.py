"""The values that name a serial-number lookup and a step list: what they send, what they refuse."""

from __future__ import annotations

import pytest

from pywats import SerialNumberQuery, StepFilters


def test_a_serial_number_query_sends_the_wire_names() -> None:
    query = SerialNumberQuery("MAC", "000000000001", "0000000000FF", start_date="2026-01-01")
    assert query.params() == {
        "serialNumberType": "MAC",
        "startAddress": "000000000001",
        "endAddress": "0000000000FF",
        "startDate": "2026-01-01",
        "endDate": None,
    }


@pytest.mark.parametrize("field", ["serial_number_type", "start_address", "end_address"])
def test_a_serial_number_query_refuses_an_empty_field_by_name(field: str) -> None:
    values = {"serial_number_type": "MAC", "start_address": "1", "end_address": "9", field: ""}
    with pytest.raises(ValueError, match=rf"SerialNumberQuery\.{field} must be a non-empty"):
        SerialNumberQuery(**values)


def test_step_filters_send_both_filters() -> None:
    filters = StepFilters(steps="<s/>", sequences="<q/>")
    assert filters.params() == {"stepFilters": "<s/>", "sequenceFilters": "<q/>"}


def test_step_filters_refuse_a_missing_sequence_filter() -> None:
    with pytest.raises(ValueError, match=r"StepFilters\.sequences must be a non-empty string"):
        StepFilters(steps="<s/>", sequences="")
