"""The OData subset of Query/Header: parser properties (Hypothesis) and the HTTP route."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pywats_testing import FakeWatsServer
from pywats_testing._odata import ODataError, evaluate, format_literal, parse_filter

FIELDS: dict[str, Any] = {
    "serialNumber": "string",
    "processCode": "int",
    "start": "datetime",
    "measuresDeleted": "bool",
}
texts = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12)
moments = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2030, 1, 1), timezones=st.just(timezone.utc)
).map(lambda d: d.replace(microsecond=0))
rows = st.fixed_dictionaries(
    {
        "serialNumber": st.one_of(st.none(), texts),
        "processCode": st.one_of(st.none(), st.integers(-5, 5)),
        "start": st.one_of(st.none(), moments),
        "measuresDeleted": st.booleans(),
    }
)

_OPS: dict[str, Callable[[Any, Any], bool]] = {
    "eq": lambda a, b: a == b,
    "ne": lambda a, b: a != b,
    "gt": lambda a, b: a > b,
    "ge": lambda a, b: a >= b,
    "lt": lambda a, b: a < b,
    "le": lambda a, b: a <= b,
}


def _oracle_compare(op: str, left: Any, right: Any) -> bool:
    if left is None or right is None:
        return {"eq": left is right, "ne": left is not right}.get(op, False)
    return _OPS[op](left, right)


# A filter is generated together with an independent Python oracle for it.
Filter = tuple[str, Callable[[dict[str, Any]], bool]]


@st.composite
def comparisons(draw: st.DrawFn) -> Filter:
    field = draw(st.sampled_from(sorted(FIELDS)))
    kind = FIELDS[field]
    if kind == "string":
        choice = draw(st.sampled_from(["cmp", "contains", "startswith"]))
        value = draw(texts)
        if choice != "cmp":
            return (
                f"{choice}({field},{format_literal(value)})",
                lambda row, f=field, v=value, c=choice: (
                    row[f] is not None
                    and (v in row[f] if c == "contains" else row[f].startswith(v))
                ),
            )
        op = draw(st.sampled_from(sorted(_OPS)))
    else:
        op = draw(st.sampled_from(["eq", "ne"] if kind == "bool" else sorted(_OPS)))
        value = draw({"int": st.integers(-5, 5), "datetime": moments, "bool": st.booleans()}[kind])
    return (
        f"{field} {op} {format_literal(value)}",
        lambda row, f=field, o=op, v=value: _oracle_compare(o, row[f], v),
    )


def _combine(children: st.SearchStrategy[Filter]) -> st.SearchStrategy[Filter]:
    def both(pair: tuple[Filter, Filter], word: str) -> Filter:
        (lt, lf), (rt, rf) = pair
        if word == "and":
            return f"({lt}) and ({rt})", lambda row: lf(row) and rf(row)
        return f"({lt}) or ({rt})", lambda row: lf(row) or rf(row)

    return st.one_of(
        st.tuples(children, children).map(lambda p: both(p, "and")),
        st.tuples(children, children).map(lambda p: both(p, "or")),
        children.map(lambda c: (f"not ({c[0]})", lambda row, f=c[1]: not f(row))),
    )


filters = st.recursive(comparisons(), _combine, max_leaves=6)


@settings(max_examples=300, deadline=None)
@given(filters, st.lists(rows, min_size=1, max_size=5))
def test_parsed_filters_agree_with_an_independent_oracle(
    case: Filter, sample: list[dict[str, Any]]
) -> None:
    text, oracle = case
    node = parse_filter(text, FIELDS)
    for row in sample:
        assert evaluate(node, row) == oracle(row), text


@given(texts)
def test_string_literals_round_trip_with_quote_escaping(value: str) -> None:
    node = parse_filter(f"serialNumber eq {format_literal(value)}", FIELDS)
    assert evaluate(node, {"serialNumber": value})
    assert not evaluate(node, {"serialNumber": value + "x"})


@settings(max_examples=300)
@given(st.text(max_size=40))
def test_any_garbage_is_a_clear_odata_error_or_a_filter(text: str) -> None:
    try:
        parse_filter(text, FIELDS)
    except ODataError as exc:
        message = str(exc)
    else:
        message = "parsed"
    assert message


@pytest.mark.parametrize("literal", ["2026-01-02T03:04:05.1Z", "2026-01-02T03:04:05.1234567+01:00"])
def test_datetime_literals_with_any_fraction(literal: str) -> None:
    node = parse_filter(f"start lt {literal}", FIELDS)
    assert evaluate(node, {"start": datetime(2026, 1, 1, tzinfo=timezone.utc)})


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("bogus eq 1", "Could not find a property named 'bogus'"),
        ("serialNumber eq 5", "incompatible types"),
        ("start ge '2024-01-01'", "'Edm.DateTimeOffset' and 'Edm.String'"),
        ("serialNumber eq 'open", "unterminated string literal"),
        ("length(serialNumber) add 1 eq 2", "'add' operator is not allowed"),
        ("frobnicate(serialNumber)", "unknown function with name 'frobnicate'"),
        ("serialNumber", "must evaluate to a single boolean value"),
        ("", "Syntax error"),
    ],
)
def test_rejections_name_the_problem(text: str, message: str) -> None:
    with pytest.raises(ODataError, match=message.replace("(", r"\(")):
        parse_filter(text, FIELDS)


# -- over HTTP ------------------------------------------------------------------------
@pytest.fixture
def twelve(
    fake_wats: FakeWatsServer, api: httpx.Client, make_report: Callable[..., dict[str, Any]]
) -> list[str]:
    """Twelve reports, one a day from 2026-01-01, serials SN-00..SN-11; SN-03 failed."""
    ids = []
    base = datetime(2026, 1, 1, 12, tzinfo=timezone.utc)
    for n in range(12):
        moment = base + timedelta(days=n)
        report = make_report(
            id=str(uuid.UUID(int=n + 1)),
            sn=f"SN-{n:02d}",
            result="F" if n == 3 else "P",
            start=moment.isoformat(),
            startUTC=moment.isoformat().replace("+00:00", "Z"),
        )
        assert api.post("/api/Report/WSJF", json=report).status_code == 200
        ids.append(report["id"])
    return ids


def _query(api: httpx.Client, **params: str) -> httpx.Response:
    return api.get("/api/Report/Query/Header", params={f"${k}": v for k, v in params.items()})


def test_default_top_is_ten_newest_first(api: httpx.Client, twelve: list[str]) -> None:
    found = _query(api).json()
    assert [h["serialNumber"] for h in found] == [f"SN-{n:02d}" for n in range(11, 1, -1)]


def test_top_skip_orderby_and_filters(api: httpx.Client, twelve: list[str]) -> None:
    page = _query(api, top="3", skip="3", orderby="start asc").json()
    assert [h["serialNumber"] for h in page] == ["SN-03", "SN-04", "SN-05"]
    failed = _query(api, filter="result eq 'Failed'").json()
    assert [h["serialNumber"] for h in failed] == ["SN-03"]
    since = _query(api, filter="start ge 2026-01-10T00:00:00Z and startswith(serialNumber,'SN-1')")
    assert sorted(h["serialNumber"] for h in since.json()) == ["SN-10", "SN-11"]
    quoted = _query(api, filter="serialNumber eq 'O''Brien' or uuid eq " + twelve[0]).json()
    assert [h["uuid"] for h in quoted] == [twelve[0]]
    chosen = _query(api, select="uuid,serialNumber", top="1").json()
    assert chosen == [{"uuid": twelve[11], "serialNumber": "SN-11"}]
    listed = _query(api, filter="serialNumber in ('SN-01','SN-02')", orderby="serialNumber desc")
    assert [h["serialNumber"] for h in listed.json()] == ["SN-02", "SN-01"]


def test_expand_names_are_case_insensitive(
    api: httpx.Client, make_report: Callable[..., dict[str, Any]]
) -> None:
    report = make_report(
        subUnits=[{"partType": "PCBA  ", "pn": "SUB", "sn": "S1", "rev": "B "}],
        miscInfos=[{"description": "fw", "text": "1.2.3"}],
    )
    assert api.post("/api/Report/WSJF", json=report).status_code == 200
    header = _query(api, expand="subunits,miscinfo").json()[0]
    assert header["subUnits"] == [
        {"partType": "PCBA  ", "serialNumber": "S1", "partNumber": "SUB", "revision": "B "}
    ]
    assert header["miscInfo"] == [{"description": "fw", "value": "1.2.3"}]
    assert "uurSubUnits" not in header


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"top": "10001"}, "The limit of '10000' for Top query has been exceeded."),
        ({"orderby": "partNumber"}, "Order by 'partNumber' is not allowed."),
        ({"expand": "steps"}, "Could not find a property named 'steps'"),
        ({"filter": "partnumber eq"}, "Syntax error"),
        ({"count": "true"}, "'Count' is not allowed"),
    ],
)
def test_invalid_queries_are_400_with_the_odata_text(
    api: httpx.Client, params: dict[str, str], message: str
) -> None:
    answer = _query(api, **params)
    assert answer.status_code == 400
    assert answer.json()["Message"].startswith("The query specified in the URI is not valid. ")
    assert message in answer.json()["Message"]


def test_top_of_exactly_ten_thousand_is_allowed(api: httpx.Client) -> None:
    assert _query(api, top="10000").json() == []
