"""What report calls put on the wire, observed through a scripted transport."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any

import pytest

import pywats

Call = Callable[..., Any]


def test_submit_sends_bytes_verbatim_with_the_report_id_as_idempotency_key(
    scripted: Any, call: Call
) -> None:
    rid = str(uuid.uuid4())
    content = ('{"id":"' + rid + '","type":"T","sn":"caf\u00e9","value":1.50}').encode()
    scripted.json("POST", "/api/Report/WSJF", {"ID": rid.upper(), "uuid": rid, "Report_ID": 7})
    result = call(lambda w: w.report.submit_wsjf(content))
    sent = scripted.requests[-1]
    assert sent.body == content  # not parsed and re-serialised
    assert sent.headers["idempotency-key"] == rid
    assert sent.headers["content-type"].startswith("application/json")
    assert result.id == rid.upper()
    assert result.report_id == 7


@pytest.mark.parametrize("shape", ["list", "string"])
def test_submit_accepts_tolerated_answer_shapes(scripted: Any, call: Call, shape: str) -> None:
    rid = str(uuid.uuid4())
    answer: Any = [{"ID": rid, "uuid": rid}] if shape == "list" else rid
    scripted.json("POST", "/api/Report/WSJF", answer)
    result = call(lambda w: w.report.submit_wsjf({"id": rid, "type": "T"}))
    assert result.id == rid


def test_submit_refuses_an_acknowledgement_for_another_report(scripted: Any, call: Call) -> None:
    rid, other = str(uuid.uuid4()), str(uuid.uuid4())
    scripted.json("POST", "/api/Report/WSJF", {"ID": other})
    with pytest.raises(pywats.PyWATSError, match="acknowledged report"):
        call(lambda w: w.report.submit_wsjf({"id": rid}))


def test_submit_without_an_id_is_refused_locally(scripted: Any, call: Call) -> None:
    with pytest.raises(ValueError, match="no top-level 'id'"):
        call(lambda w: w.report.submit_wsjf(b'{"type": "T"}'))
    with pytest.raises(ValueError, match="not valid JSON"):
        call(lambda w: w.report.submit_wsjf(b"{oops"))
    assert scripted.requests == []


def test_query_by_misc_info(scripted: Any, call: Call) -> None:
    rid = str(uuid.uuid4())
    scripted.json(
        "GET",
        "/api/Report/Query/HeaderByMiscInfo",
        [
            {
                "uuid": rid,
                "serialNumber": "SN1",
                "partNumber": "PN1",
                "result": "Passed",
                "processCode": 10,
                "miscData": [{"description": "FW", "data": "1.2"}],
            }
        ],
    )
    rows = call(lambda w: w.report.query_by_misc_info(description="FW", data="1.2"))
    assert scripted.requests[-1].query == {"description": ["FW"], "data": ["1.2"]}
    assert rows[0].uuid == rid
    assert rows[0].misc_data[0].data == "1.2"


def test_read_options_use_the_specs_parameter_names(scripted: Any, call: Call) -> None:
    rid = str(uuid.uuid4())
    scripted.reply("GET", f"/api/Report/Wsxf/{rid}", 200, b"<Reports/>")
    xml = call(
        lambda w: w.report.get_wsxf(
            rid, detail_level=0, include_chart_data=False, include_indexes=True
        )
    )
    assert xml == b"<Reports/>"
    assert scripted.requests[-1].query == {
        "detailLevel": ["0"],
        "includeChartdata": ["false"],
        "includeIndexes": ["true"],
    }
    assert json.dumps(scripted.requests[-1].headers["accept"]) == '"application/xml"'
