"""A body that is not the JSON an operation takes is a 400 naming the problem, never a
500: the statistics and internal operations over loopback, with a real client."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from pywats_testing import FakeWatsServer

STATISTICS = [
    "/api/App/VolumeYield",
    "/api/App/WorstYield",
    "/api/App/TopFailed",
    "/api/App/UutReport",
    "/api/App/Measurements",
    "/api/App/DynamicYield",
    "/api/App/OeeAnalysis",
    "/api/internal/UnitFlow",
    "/api/internal/App/TopFailed",
]


@pytest.fixture(scope="module")
def client() -> Iterator[httpx.Client]:
    with (
        FakeWatsServer(seed=0) as fake,
        httpx.Client(
            base_url=fake.url, headers={"Authorization": f"Basic {fake.token}"}, timeout=60
        ) as http,
    ):
        yield http


@pytest.mark.parametrize("path", STATISTICS)
@pytest.mark.parametrize("body", [b"not json", b"[1, 2]", b"null", b"\xff\xfe"])
def test_a_body_that_is_not_a_json_object_is_400(
    client: httpx.Client, path: str, body: bytes
) -> None:
    answer = client.post(path, content=body, headers={"Content-Type": "application/json"})
    assert answer.status_code == 400, answer.text
    assert "The request is invalid." in answer.json()["Message"]


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/api/App/WorstYield", "topCount"),
        ("/api/App/UutReport", "topCount"),
        ("/api/App/TopFailed", "topCount"),
        ("/api/internal/App/TopFailed", "topCount"),
        ("/api/App/Measurements", "maxCount"),
        ("/api/App/DynamicYield", "dateGrouping"),
    ],
)
def test_a_count_that_is_not_a_number_is_400_naming_the_field(
    client: httpx.Client, path: str, field: str
) -> None:
    body = {field: "abc", "measurementPaths": "MainSequence Callback"}
    answer = client.post(path, json=body)
    assert answer.status_code == 400, answer.text
    assert f"{field} must be an integer, not 'abc'" in answer.json()["Message"]
