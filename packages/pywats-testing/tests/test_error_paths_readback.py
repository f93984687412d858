"""Reading a report back from the fake over loopback: the refusals (an id that is no
GUID or no report, a detail level or flag that is not one) and what the read-back copy
changes (docs/wire-facts.md#reading-reports-back)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest


@pytest.fixture
def stored(api: httpx.Client, make_report: Callable[..., dict[str, Any]]) -> dict[str, Any]:
    report = make_report(id=str(uuid.uuid4()))
    report["miscInfos"] = [{"description": "Fixture", "text": "F-9", "numeric": 0}]
    report["binaryData"] = []
    assert api.post("/api/Report/WSJF", json=report).status_code == 200, report
    return report


@pytest.mark.parametrize(
    ("query", "reason"),
    [
        ({"detailLevel": "x"}, "The request is invalid."),
        ({"includeChartdata": "maybe"}, "not valid for includeChartdata"),
        ({"includeAttachments": "maybe"}, "not valid for includeAttachments"),
    ],
)
def test_a_bad_readback_parameter_is_a_400(
    api: httpx.Client, stored: dict[str, Any], query: dict[str, str], reason: str
) -> None:
    answer = api.get(f"/api/Report/Wsjf/{stored['id']}", params=query)
    assert answer.status_code == 400, answer.text
    assert reason in answer.json()["Message"]


@pytest.mark.parametrize("report_id", ["not-a-guid", "5b0e8f5e-2222-4c2d-8e9f-0a1b2c3d4e5f"])
def test_an_unknown_report_is_a_404(api: httpx.Client, report_id: str) -> None:
    answer = api.get(f"/api/Report/Wsjf/{report_id}")
    assert answer.status_code == 404
    assert answer.json() == {"Message": "Report not found."}


def test_the_readback_drops_what_the_server_does_not_echo(
    api: httpx.Client, stored: dict[str, Any]
) -> None:
    doc = api.get(f"/api/Report/Wsjf/{stored['id']}", params={"includeChartdata": "false"}).json()
    assert "binaryData" not in doc
    assert doc["miscInfos"][0]["text"] == "F-9"
    assert "numeric" not in doc["miscInfos"][0]
    assert doc["assetStats"] == []
    assert doc["root"]["steps"][0]["numericMeas"][0]["value"] == 5.0
