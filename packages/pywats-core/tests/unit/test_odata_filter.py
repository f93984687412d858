"""The OData filter builder: literals, escaping, combination, refusal of bad input."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pywats import Filter, odata_literal


def test_string_quotes_are_doubled() -> None:
    assert str(Filter.eq("serialNumber", "O'Brien's")) == "serialNumber eq 'O''Brien''s'"


@given(st.text())
def test_any_string_round_trips_through_odata_quoting(text: str) -> None:
    literal = odata_literal(text)
    assert literal.startswith("'")
    assert literal.endswith("'")
    inner = literal[1:-1]
    # Every quote inside is doubled, so no quote can end the literal early.
    assert "'" not in inner.replace("''", "")
    assert inner.replace("''", "'") == text


def test_literals_of_each_type() -> None:
    assert odata_literal(None) == "null"
    assert odata_literal(True) == "true"
    assert odata_literal(10) == "10"
    assert odata_literal(1.5) == "1.5"
    assert odata_literal(date(2024, 1, 2)) == "2024-01-02"
    guid = uuid.UUID("33a2d408-3fc8-480b-b554-6866c77fd91c")
    assert odata_literal(guid) == "33a2d408-3fc8-480b-b554-6866c77fd91c"
    cet = timezone(timedelta(hours=1))
    assert odata_literal(datetime(2024, 1, 1, 1, 0, tzinfo=cet)) == "2024-01-01T00:00:00Z"
    assert (
        odata_literal(datetime(2024, 1, 1, 0, 0, 0, 250000, tzinfo=timezone.utc))
        == "2024-01-01T00:00:00.250Z"
    )


def test_naive_datetime_and_nan_are_refused() -> None:
    with pytest.raises(ValueError, match="no time zone"):
        odata_literal(datetime(2024, 1, 1))
    with pytest.raises(ValueError, match="no literal"):
        odata_literal(float("nan"))
    with pytest.raises(TypeError, match="cannot use a list"):
        odata_literal([1])  # type: ignore[arg-type]


def test_combination_groups_compound_operands() -> None:
    sn = Filter.eq("serialNumber", "A")
    pn = Filter.eq("partNumber", "B")
    rev = Filter.ne("revision", "C")
    assert str(sn & pn) == "serialNumber eq 'A' and partNumber eq 'B'"
    assert str((sn | pn) & rev) == (
        "(serialNumber eq 'A' or partNumber eq 'B') and revision ne 'C'"
    )
    assert str(~(sn | pn)) == "not (serialNumber eq 'A' or partNumber eq 'B')"
    assert str(Filter.any_of(sn, pn, rev)) == (
        "(serialNumber eq 'A' or partNumber eq 'B') or revision ne 'C'"
    )


def test_functions_and_ranges() -> None:
    assert str(Filter.contains("serialNumber", "x'y")) == "contains(serialNumber,'x''y')"
    assert str(Filter.startswith("partNumber", "FAT")) == "startswith(partNumber,'FAT')"
    start = datetime(2024, 1, 1, tzinfo=timezone.utc)
    assert str(Filter.between("start", start, start + timedelta(days=1))) == (
        "start ge 2024-01-01T00:00:00Z and start lt 2024-01-02T00:00:00Z"
    )
    assert str(Filter.between("start", end=start)) == "start lt 2024-01-01T00:00:00Z"
    assert str(Filter.gt("a", 1) & Filter.le("b", 2) & Filter.lt("c", 3)) == (
        "(a gt 1 and b le 2) and c lt 3"
    )


@pytest.mark.parametrize("field", ["", "1abc", "sn eq 'x' or 1", "a b", "a//b"])
def test_field_names_are_checked(field: str) -> None:
    with pytest.raises(ValueError, match="not a valid OData field name"):
        Filter.eq(field, "x")


def test_empty_combinations_are_refused() -> None:
    with pytest.raises(ValueError, match="needs"):
        Filter.between("start")
    with pytest.raises(ValueError, match="at least one"):
        Filter.all_of()
