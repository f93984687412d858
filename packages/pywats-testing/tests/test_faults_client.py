"""Every fault mode, driven through the pywats client over real loopback HTTP."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest

import pywats
from pywats_testing import FakeWatsServer

pytestmark = pytest.mark.anyio


def client(
    fake: FakeWatsServer, *, read: float = 10.0, token: str | None = None
) -> pywats.AsyncWATS:
    return pywats.AsyncWATS(
        fake.url,
        token=token or fake.token,
        timeouts=pywats.Timeouts(connect=2.0, read=read, write=5.0, pool=5.0, upload_read=read),
    )


async def test_503_with_retry_after_is_a_retryable_server_error(fake_wats: FakeWatsServer) -> None:
    fake_wats.fail("GET /api/App/Version", status=503, retry_after=7)
    async with client(fake_wats) as wats:
        with pytest.raises(pywats.ServerError) as caught:
            await wats.app.version()
        assert caught.value.status_code == 503
        assert caught.value.retry_after == 7
        assert caught.value.retryable
        # Only the next request was armed: the one after it succeeds.
        assert await wats.app.version() == "2026.1.5.324"
    assert fake_wats.request_count("GET /api/App/Version") == 2


async def test_429_with_retry_after_is_rate_limited(fake_wats: FakeWatsServer) -> None:
    fake_wats.fail("/api/app/version", status=429, retry_after=3, times=2)
    async with client(fake_wats) as wats:
        for _ in range(2):
            with pytest.raises(pywats.RateLimitedError) as caught:
                await wats.app.version()
            assert caught.value.retry_after == 3
        assert await wats.app.version() == "2026.1.5.324"


@pytest.mark.parametrize("shape", ["text", "json-string", "message-object"])
async def test_each_error_body_shape_reaches_the_client_as_the_server_message(
    fake_wats: FakeWatsServer, shape: Any
) -> None:
    fake_wats.fail(status=500, body="database is on fire", body_shape=shape)
    async with client(fake_wats) as wats:
        with pytest.raises(pywats.ServerError) as caught:
            await wats.app.version()
    assert caught.value.server_message == "database is on fire"


async def test_latency_delays_but_answers(fake_wats: FakeWatsServer) -> None:
    fake_wats.add_latency("GET /api/App/Version", seconds=0.2, times=1)
    async with client(fake_wats) as wats:
        assert await wats.app.version() == "2026.1.5.324"
    assert fake_wats.faults.active() == []  # the one-shot latency was used


async def test_latency_beyond_the_client_timeout_is_a_timeout(fake_wats: FakeWatsServer) -> None:
    fake_wats.add_latency("GET /api/App/Version", seconds=1.0, times=1)
    async with client(fake_wats, read=0.3) as wats:
        with pytest.raises(pywats.TimeoutError) as caught:
            await wats.app.version()
    assert caught.value.retryable


async def test_hang_until_the_client_times_out(
    fake_wats: FakeWatsServer, make_report: Callable[..., dict[str, Any]]
) -> None:
    fake_wats.hang("POST /api/Report/WSJF")
    report = make_report()
    async with client(fake_wats, read=0.3) as wats:
        with pytest.raises(pywats.TimeoutError):
            await wats.report.submit_wsjf(report)
    # The client gave up while the server held the request: nothing was committed.
    assert fake_wats.request_count("POST /api/Report/WSJF") == 1
    assert fake_wats.commits(report["id"]) == 0


async def test_reset_before_processing_is_a_connection_error(
    fake_wats: FakeWatsServer, make_report: Callable[..., dict[str, Any]]
) -> None:
    fake_wats.reset_before("POST /api/Report/WSJF")
    report = make_report()
    async with client(fake_wats) as wats:
        with pytest.raises(pywats.ConnectionError) as caught:
            await wats.report.submit_wsjf(report)
        assert caught.value.retryable
    assert fake_wats.commits(report["id"]) == 0


def _read_until_closed(sock: socket.socket) -> bytes:
    received = b""
    while data := sock.recv(4096):
        received += data
    return received


def test_reset_is_a_real_tcp_rst(fake_wats: FakeWatsServer) -> None:
    """recv() on a connection the peer reset raises ECONNRESET; an orderly close gives b''."""
    fake_wats.reset_before("GET /api/App/Version")
    with socket.create_connection(("127.0.0.1", fake_wats.port), timeout=5) as sock:
        sock.sendall(
            b"GET /api/App/Version HTTP/1.1\r\nHost: x\r\n"
            + f"Authorization: Basic {fake_wats.token}\r\n\r\n".encode()
        )
        with pytest.raises(ConnectionResetError):
            _read_until_closed(sock)


async def test_reset_after_commit_loses_the_answer_but_not_the_report(
    fake_wats: FakeWatsServer, make_report: Callable[..., dict[str, Any]]
) -> None:
    fake_wats.reset_after_commit("POST /api/Report/WSJF")
    report = make_report()
    async with client(fake_wats) as wats:
        with pytest.raises(pywats.ConnectionError):
            await wats.report.submit_wsjf(report)
    assert fake_wats.commits(report["id"]) == 1
    assert fake_wats.report(report["id"])["sn"] == "SN-1"  # type: ignore[index]


async def test_expired_credential_is_an_authentication_error(fake_wats: FakeWatsServer) -> None:
    async with client(fake_wats) as wats:
        assert await wats.app.version() == "2026.1.5.324"
        fake_wats.expire_credential()
        with pytest.raises(pywats.AuthenticationError) as caught:
            await wats.app.version()
        assert caught.value.status_code == 401
        assert caught.value.server_message == "Authorization has been denied for this request."
        assert not caught.value.retryable
        with pytest.raises(pywats.AuthenticationError):
            await wats.app.version()  # "from now on", not once
    fake_wats.add_token("rotated-token")
    async with client(fake_wats, token="rotated-token") as wats:
        assert await wats.app.version() == "2026.1.5.324"


async def test_outage_refuses_connections_until_it_ends(fake_wats: FakeWatsServer) -> None:
    async with client(fake_wats) as wats:
        assert await wats.app.version() == "2026.1.5.324"  # keeps a pooled connection open
        fake_wats.outage()
        with pytest.raises(pywats.ConnectionError):
            await wats.app.version()
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection(("127.0.0.1", fake_wats.port), timeout=5).close()
        fake_wats.end_outage()
        assert await wats.app.version() == "2026.1.5.324"


async def test_outage_in_reset_mode_drops_every_connection(fake_wats: FakeWatsServer) -> None:
    fake_wats.outage(mode="reset")
    async with client(fake_wats) as wats:
        for _ in range(2):
            with pytest.raises(pywats.ConnectionError):
                await wats.app.version()
        fake_wats.end_outage()
        assert await wats.app.version() == "2026.1.5.324"


async def test_a_reset_outage_counts_the_connections_it_drops(
    fake_wats: FakeWatsServer,
) -> None:
    assert fake_wats.outage_connections() == 0
    fake_wats.outage(mode="reset")
    async with client(fake_wats) as wats:
        for _ in range(3):
            with pytest.raises(pywats.ConnectionError):
                await wats.app.version()
        fake_wats.end_outage()
        assert await wats.app.version() == "2026.1.5.324"  # not counted: no outage now
    assert fake_wats.outage_connections() == 3
    assert fake_wats.request_count("GET /api/App/Version") == 1  # only the answered one
    async with httpx.AsyncClient(base_url=fake_wats.url) as admin:
        stats = (await admin.get("/_fake/stats")).json()
    assert stats["outage_connections"] == 3


def test_outage_window_over_http_ends_by_itself(fake_wats: FakeWatsServer) -> None:
    with httpx.Client(base_url=fake_wats.url) as admin:
        answer = admin.post("/_fake/outage", json={"seconds": 0.5, "mode": "refuse"})
    assert answer.status_code == 202
    headers = {"Authorization": f"Basic {fake_wats.token}"}
    saw_refusal = False
    # Bounded polling for the window's start and end; no timing is asserted.
    for _ in range(1000):
        try:
            status = httpx.get(f"{fake_wats.url}/api/App/Version", headers=headers).status_code
        except httpx.ConnectError:
            saw_refusal = True
        else:
            if saw_refusal:
                assert status == 200
                break
        time.sleep(0.01)
    else:
        pytest.fail("the outage window never began and ended")
    assert saw_refusal


def test_probability_faults_repeat_with_the_same_seed() -> None:
    def pattern(seed: int) -> list[int]:
        with (
            FakeWatsServer(seed=seed) as fake,
            httpx.Client(
                base_url=fake.url, headers={"Authorization": f"Basic {fake.token}"}
            ) as http,
        ):
            fake.fail("GET /api/App/Version", status=503, times=None, probability=0.5)
            return [http.get("/api/App/Version").status_code for _ in range(24)]

    first, again, other = pattern(7), pattern(7), pattern(8)
    assert first == again
    assert {200, 503} <= set(first)  # both outcomes happen at p = 0.5
    assert first != other
