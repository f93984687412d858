"""Why idempotency matters, and the Idempotency-Key semantics of the IETF draft."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest

import pywats
from pywats_testing import FakeWatsServer

pytestmark = pytest.mark.anyio


async def submit_without_key(wats: pywats.AsyncWATS, report: dict[str, Any]) -> Any:
    """POST through the client's HTTP layer without an Idempotency-Key (an older client)."""
    response = await wats.http.request(
        "POST",
        "api/Report/WSJF",
        content=json.dumps(report).encode(),
        headers={"Content-Type": "application/json"},
        idempotency_key=None,
    )
    return wats.error_handler.handle(response, "POST /api/Report/WSJF")


async def test_a_naive_retry_under_a_new_id_duplicates_the_report(
    fake_wats: FakeWatsServer, make_report: Callable[..., dict[str, Any]]
) -> None:
    fake_wats.reset_after_commit("POST /api/Report/WSJF")
    report = make_report()
    async with pywats.AsyncWATS(fake_wats.url, token=fake_wats.token) as wats:
        with pytest.raises(pywats.ConnectionError):
            await wats.report.submit_wsjf(report)
        # The naive client thinks the upload failed and builds the report again.
        retry = {**report, "id": str(uuid.uuid4())}
        result = await wats.report.submit_wsjf(retry)
    assert result.id == retry["id"]
    stored = fake_wats.reports()
    assert len(stored) == 2  # one unit test, two reports on the server
    assert {r.document["sn"] for r in stored} == {"SN-1"}


async def test_same_id_and_key_after_reset_leaves_one_commit_and_one_replay(
    fake_wats: FakeWatsServer, make_report: Callable[..., dict[str, Any]]
) -> None:
    fake_wats.reset_after_commit("POST /api/Report/WSJF")
    report = make_report()
    async with pywats.AsyncWATS(fake_wats.url, token=fake_wats.token) as wats:
        with pytest.raises(pywats.ConnectionError):
            await wats.report.submit_wsjf(report)  # sends Idempotency-Key = report id
        result = await wats.report.submit_wsjf(report)
    assert (result.id, result.uuid, result.report_id) == (report["id"], report["id"], 1)
    assert len(fake_wats.reports()) == 1
    assert fake_wats.commits(report["id"]) == 1
    assert fake_wats.replays(report["id"]) == 1
    assert fake_wats.request_count("POST /api/Report/WSJF") == 2


async def test_same_id_without_a_key_is_upserted_not_duplicated(
    fake_wats: FakeWatsServer, make_report: Callable[..., dict[str, Any]]
) -> None:
    fake_wats.reset_after_commit("POST /api/Report/WSJF")
    report = make_report()
    async with pywats.AsyncWATS(fake_wats.url, token=fake_wats.token) as wats:
        with pytest.raises(pywats.ConnectionError):
            await submit_without_key(wats, report)
        await submit_without_key(wats, {**report, "result": "F"})
    assert len(fake_wats.reports()) == 1
    assert fake_wats.commits(report["id"]) == 2  # WATS upserts by report id
    assert fake_wats.report(report["id"])["result"] == "F"  # type: ignore[index]


async def test_same_key_different_body_is_422(
    fake_wats: FakeWatsServer, make_report: Callable[..., dict[str, Any]]
) -> None:
    report = make_report()
    async with pywats.AsyncWATS(fake_wats.url, token=fake_wats.token) as wats:
        await wats.report.submit_wsjf(report)
        with pytest.raises(pywats.ValidationError) as caught:
            await wats.report.submit_wsjf({**report, "sn": "SN-2"})  # same id, same key
    assert caught.value.status_code == 422
    assert "MUST not be reused" in (caught.value.server_message or "")
    assert fake_wats.commits(report["id"]) == 1


async def test_same_key_while_the_first_is_in_flight_is_409(
    fake_wats: FakeWatsServer, make_report: Callable[..., dict[str, Any]]
) -> None:
    fake_wats.hang("POST /api/Report/WSJF")
    report = make_report()
    async with pywats.AsyncWATS(fake_wats.url, token=fake_wats.token) as wats:
        first = asyncio.ensure_future(wats.report.submit_wsjf(report))
        for _ in range(500):  # wait until the server holds the first request
            if fake_wats.request_count("POST /api/Report/WSJF") == 1:
                break
            await asyncio.sleep(0.01)
        with pytest.raises(pywats.ConflictError) as caught:
            await wats.report.submit_wsjf(report)
        assert caught.value.status_code == 409
        fake_wats.release_hung()
        result = await first
    assert result.id == report["id"]
    assert fake_wats.commits(report["id"]) == 1


def test_replayed_response_is_marked_and_identical(
    fake_wats: FakeWatsServer, make_report: Callable[..., dict[str, Any]]
) -> None:
    report = make_report()
    headers = {"Authorization": f"Basic {fake_wats.token}", "Idempotency-Key": '"k-9"'}
    with httpx.Client(base_url=fake_wats.url, headers=headers) as http:
        first = http.post("/api/Report/WSJF", json=report)
        second = http.post("/api/report/wsjf", json=report)
    assert first.status_code == second.status_code == 200
    assert first.content == second.content
    assert "idempotent-replayed" not in first.headers
    assert second.headers["idempotent-replayed"] == "true"
    assert fake_wats.commits(report["id"]) == 1
    assert fake_wats.replays(report["id"]) == 1


def test_a_failed_attempt_does_not_burn_the_key(
    fake_wats: FakeWatsServer, make_report: Callable[..., dict[str, Any]]
) -> None:
    fake_wats.fail("POST /api/Report/WSJF", status=503)
    report = make_report()
    headers = {"Authorization": f"Basic {fake_wats.token}", "Idempotency-Key": "k-1"}
    with httpx.Client(base_url=fake_wats.url, headers=headers) as http:
        assert http.post("/api/Report/WSJF", json=report).status_code == 503
        assert http.post("/api/Report/WSJF", json=report).status_code == 200
    assert fake_wats.commits(report["id"]) == 1
    assert fake_wats.replays(report["id"]) == 0


def test_keys_are_scoped_per_credential(
    fake_wats: FakeWatsServer, make_report: Callable[..., dict[str, Any]]
) -> None:
    fake_wats.add_token("second-token")
    report = make_report()
    for token in (fake_wats.token, "second-token"):
        answer = httpx.post(
            f"{fake_wats.url}/api/Report/WSJF",
            json=report,
            headers={"Authorization": f"Basic {token}", "Idempotency-Key": "shared"},
        )
        assert answer.status_code == 200
    assert fake_wats.commits(report["id"]) == 2
