"""Generated reports survive WSJF -> model -> WSXF -> model -> WSJF unchanged."""

from __future__ import annotations

import base64
from datetime import datetime, timedelta, timezone
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pywats.report import (
    dump_wsjf,
    dumps_wsjf,
    dumps_wsxf,
    format_timestamp,
    parse_wsjf,
    parse_wsxf,
)

# Everything WSXF can carry. Excluded by construction (documented format-inherent
# differences): null values, empty strings, empty lists, report additionalData/assetStats.
TEXT = st.text(
    alphabet=st.characters(codec="utf-8", categories=("L", "N", "P", "S", "Zs")),
    min_size=1,
    max_size=12,
)
INT = st.integers(min_value=-(2**31), max_value=2**31 - 1)
FLOAT = st.floats(allow_nan=False, allow_infinity=False)
NUMBER = st.one_of(FLOAT, st.sampled_from(["NaN", "Infinity", "-Infinity"]))
NUM_OPS = [
    "LOG",
    "EQ",
    "NE",
    "GT",
    "GE",
    "LT",
    "LE",
    "GTLT",
    "GTLE",
    "GELT",
    "GELE",
    "LTGT",
    "LTGE",
    "LEGT",
    "LEGE",
]
STR_OPS = ["LOG", "EQ", "NE", "CASESENSIT", "IGNORECASE"]


def _some(required: dict[str, Any], optional: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    """Dicts with all ``required`` keys and any subset of ``optional`` ones."""
    return st.fixed_dictionaries(required, optional=optional)


numeric = _some(
    {"compOp": st.sampled_from(NUM_OPS), "status": st.sampled_from("PFS"), "value": NUMBER},
    {"name": TEXT, "unit": TEXT, "lowLimit": NUMBER, "highLimit": NUMBER},
)
string = _some(
    {"compOp": st.sampled_from(STR_OPS), "status": st.sampled_from("PFS")},
    {"name": TEXT, "value": TEXT, "limit": TEXT},
)
boolean = _some({"status": st.sampled_from("PFS")}, {"name": TEXT})
loop = st.one_of(
    _some({"idx": st.integers(0, 1000)}, {}),
    _some(
        {"num": st.integers(0, 1000)},
        {
            "endingIndex": st.integers(0, 1000),
            "passed": st.integers(0, 1000),
            "failed": st.integers(0, 1000),
        },
    ),
)
series = _some(
    {"name": TEXT, "dataType": st.just("XYG")},
    {
        "xdata": st.lists(FLOAT, min_size=1, max_size=4).map(lambda xs: ";".join(map(repr, xs))),
        "ydata": st.lists(FLOAT, min_size=1, max_size=4).map(lambda ys: ";".join(map(repr, ys))),
    },
)
payloads = st.one_of(
    st.just({}),
    st.lists(numeric, min_size=1, max_size=3).map(lambda m: {"numericMeas": m}),
    st.lists(string, min_size=1, max_size=3).map(lambda m: {"stringMeas": m}),
    st.lists(boolean, min_size=1, max_size=3).map(lambda m: {"booleanMeas": m}),
    _some({}, {"exitCode": FLOAT}).map(lambda c: {"callExe": c}),
    _some({}, {"response": TEXT, "button": INT}).map(lambda p: {"messagePopup": p}),
    st.tuples(
        _some(
            {"chartType": st.sampled_from(["Line", "LineLogX"])},
            {"label": TEXT, "xLabel": TEXT, "xUnit": TEXT, "yLabel": TEXT, "yUnit": TEXT},
        ),
        st.lists(series, min_size=1, max_size=3),
        st.lists(numeric, max_size=2),
    ).map(lambda t: {"chart": {**t[0], "series": t[1]}, **({"numericMeas": t[2]} if t[2] else {})}),
    st.tuples(TEXT, st.binary(min_size=1, max_size=30)).map(
        lambda t: {
            "attachment": {
                "name": t[0],
                "contentType": "application/octet-stream",
                "data": base64.b64encode(t[1]).decode(),
            }
        }
    ),
)
moments = st.datetimes(
    min_value=datetime(2000, 1, 1),
    max_value=datetime(2090, 1, 1),
    timezones=st.sampled_from(
        [timezone.utc, timezone(timedelta(hours=1)), timezone(timedelta(hours=-7, minutes=-30))]
    ),
)

step_header = _some(
    {"id": st.integers(0, 10_000), "name": TEXT, "status": st.sampled_from("PFDSETU")},
    {
        "group": st.sampled_from("SMC"),
        "stepType": TEXT,
        "loop": loop,
        "errorCode": INT,
        "errorMessage": TEXT,
        "tsGuid": TEXT,
        "totTime": FLOAT,
        "causedUUTFailure": st.booleans(),
        "causedSeqFailure": st.booleans(),
        "reportText": TEXT,
        "start": moments.map(format_timestamp),
        "interactiveExeNum": INT,
    },
)


def _leaf() -> st.SearchStrategy[dict[str, Any]]:
    return st.tuples(step_header, payloads).map(lambda t: {**t[0], **t[1]})


def _with_children(
    children: st.SearchStrategy[list[dict[str, Any]]],
) -> st.SearchStrategy[dict[str, Any]]:
    seq = _some({}, {"path": TEXT, "name": TEXT, "version": TEXT})
    return st.tuples(step_header, seq, children).map(
        lambda t: {**t[0], "seqCall": t[1], "steps": t[2]}
    )


steps = st.recursive(
    _leaf(), lambda inner: _with_children(st.lists(inner, min_size=1, max_size=4)), max_leaves=10
)

reports = st.tuples(
    _some(
        {
            "type": st.just("T"),
            "id": st.uuids().map(str),
            "pn": TEXT,
            "sn": TEXT,
            "rev": TEXT,
            "processCode": INT,
            "result": st.sampled_from("PFET"),
            "machineName": TEXT,
            "location": TEXT,
            "purpose": TEXT,
            "start": moments.map(format_timestamp),
            "startUTC": moments.map(lambda m: format_timestamp(m.astimezone(timezone.utc))),
        },
        {"processName": TEXT, "origin": TEXT, "productName": TEXT},
    ),
    _some(
        {},
        {
            "user": TEXT,
            "batchSN": TEXT,
            "testSocketIndex": INT,
            "execTime": FLOAT,
            "fixtureId": TEXT,
            "errorCode": INT,
            "errorMessage": TEXT,
            "comment": TEXT,
            "batchFailCount": INT,
            "batchLoopIndex": INT,
            "stepIdCausedUUTFailure": INT,
        },
    ),
    st.lists(
        st.one_of(
            _some({"description": TEXT, "text": TEXT}, {"typedef": TEXT, "numeric": INT}),
            _some({"description": TEXT, "numeric": INT}, {"typedef": TEXT}),
        ),
        max_size=3,
    ),
    st.lists(
        _some({"pn": TEXT, "sn": TEXT, "rev": TEXT}, {"partType": TEXT, "position": INT}),
        max_size=3,
    ),
    steps,
)


def _assemble(parts: tuple[Any, ...]) -> dict[str, Any]:
    header, uut, misc, units, root = parts
    doc = {**header, "root": root, "uut": uut}
    if misc:
        doc["miscInfos"] = misc
    if units:
        doc["subUnits"] = units
    return doc


binary = _some(
    {"name": TEXT, "contentType": TEXT},
    {
        "id": st.uuids().map(str),
        "data": st.binary(min_size=1, max_size=20).map(lambda b: base64.b64encode(b).decode()),
    },
)
failure = _some(
    {"category": TEXT, "code": TEXT},
    {
        "comment": TEXT,
        "comRef": TEXT,
        "funcBlock": TEXT,
        "refStepId": INT,
        "refStepName": TEXT,
        "artNumber": TEXT,
        "artRev": TEXT,
        "artVendor": TEXT,
        "artDescription": TEXT,
        "attachments": st.lists(binary, min_size=1, max_size=2),
    },
)
uur_reports = st.tuples(
    _some(
        {
            "type": st.just("R"),
            "id": st.uuids().map(str),
            "pn": TEXT,
            "sn": TEXT,
            "rev": TEXT,
            "processCode": INT,
            "result": st.sampled_from("PFET"),
            "machineName": TEXT,
            "location": TEXT,
            "purpose": TEXT,
            "start": moments.map(format_timestamp),
            "startUTC": moments.map(lambda m: format_timestamp(m.astimezone(timezone.utc))),
        },
        {"processName": TEXT},
    ),
    _some(
        {},
        {
            "user": TEXT,
            "comment": TEXT,
            "processCode": INT,
            "processName": TEXT,
            "refUUT": st.uuids().map(str),
            "confirmDate": moments.map(format_timestamp),
            "finalizeDate": moments.map(format_timestamp),
            "execTime": FLOAT,
            "parent": st.uuids().map(str),
        },
    ),
    st.lists(
        _some(
            {"pn": TEXT, "sn": TEXT, "rev": TEXT, "idx": st.integers(0, 50)},
            {
                "partType": TEXT,
                "parentIdx": st.integers(0, 50),
                "replacedIdx": st.integers(0, 50),
                "failures": st.lists(failure, min_size=1, max_size=2),
            },
        ),
        min_size=1,
        max_size=4,
    ),
    st.lists(binary, max_size=2),
).map(lambda t: {**t[0], "uur": t[1], "subUnits": t[2], **({"binaryData": t[3]} if t[3] else {})})


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(uur_reports)
def test_uur_wsjf_wsxf_wsjf_is_unchanged(doc: dict[str, Any]) -> None:
    model = parse_wsjf(doc)
    through_xml = parse_wsxf(dumps_wsxf(model))
    assert through_xml == model
    assert dump_wsjf(through_xml) == _json_form(doc)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(reports.map(_assemble))
def test_wsjf_wsxf_wsjf_is_unchanged(doc: dict[str, Any]) -> None:
    model = parse_wsjf(doc)
    through_xml = parse_wsxf(dumps_wsxf(model))
    assert through_xml == model
    assert dump_wsjf(through_xml) == dump_wsjf(model) == _json_form(doc)


def _json_form(doc: dict[str, Any]) -> dict[str, Any]:
    """What the input means as JSON (numbers as floats where WSJF says double)."""
    import json

    return json.loads(json.dumps(doc))


@settings(max_examples=25, deadline=None)
@given(reports.map(_assemble))
def test_wsjf_bytes_round_trip(doc: dict[str, Any]) -> None:
    model = parse_wsjf(doc)
    assert parse_wsjf(dumps_wsjf(model)) == model
    assert dump_wsjf(parse_wsjf(dumps_wsjf(model))) == dump_wsjf(model)
