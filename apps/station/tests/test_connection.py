from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest

import pywats
from pywats_station import (
    BreakerState,
    CircuitBreaker,
    ConnectionChange,
    ConnectionService,
    ConnectionState,
)

S = ConnectionState


class FakeClock:
    def __init__(self) -> None:
        self.now = 500.0

    def __call__(self) -> float:
        return self.now


VERSION = "GET /api/App/Version"


@pytest.fixture
async def client(fake_wats: Any) -> AsyncIterator[pywats.AsyncWATS]:
    passcode = fake_wats.register_station("ST-1")
    async with pywats.AsyncWATS(fake_wats.url, fake_wats.station_credential("ST-1", passcode)) as c:
        yield c


def _probes(fake_wats: Any) -> int:
    return fake_wats.request_count(VERSION)


@pytest.mark.anyio
async def test_connect_goes_online_and_probes_uncached(
    fake_wats: Any, client: pywats.AsyncWATS
) -> None:
    changes: list[ConnectionChange] = []
    service = ConnectionService.for_client(client)
    service.subscribe(changes.append)
    assert service.state is S.DISCONNECTED
    assert await service.connect() is S.ONLINE
    assert [(c.old, c.new) for c in changes] == [
        (S.DISCONNECTED, S.CONNECTING),
        (S.CONNECTING, S.ONLINE),
    ]
    assert service.server_version == "2026.1.5.324"
    assert service.last_online_at is not None
    await service.probe()
    await service.probe()
    assert _probes(fake_wats) == 3  # every probe reaches the server
    assert len(changes) == 2  # no change, no notification
    service.disconnect()
    assert changes[-1].new is S.DISCONNECTED


@pytest.mark.anyio
async def test_offline_then_back_tracks_offline_time(
    fake_wats: Any, client: pywats.AsyncWATS
) -> None:
    clock = FakeClock()
    service = ConnectionService.for_client(client, clock=clock)
    await service.connect()
    assert service.offline_for() == 0

    fake_wats.reset_before(VERSION)  # the connection drops
    assert await service.probe() is S.OFFLINE
    assert "could not talk to" in service.reason
    clock.now += 40
    assert service.offline_for() == 40

    fake_wats.fail(VERSION, status=503, body="down for maintenance", body_shape="message-object")
    assert await service.probe() is S.OFFLINE
    assert "down for maintenance" in service.reason
    clock.now += 20
    assert service.offline_for() == 60  # one stretch, not restarted by the second failure

    assert await service.probe() is S.ONLINE
    assert service.offline_for() == 0
    assert service.total_offline() == 60

    fake_wats.fail(VERSION, status=429, retry_after=5, body="")
    assert await service.probe() is S.OFFLINE  # rate limited: stop and retry later
    clock.now += 5
    assert service.total_offline() == 65
    assert service.snapshot()["offline_seconds"] == 5


@pytest.mark.anyio
async def test_refused_credentials_mean_error(fake_wats: Any) -> None:
    async with pywats.AsyncWATS(fake_wats.url, "bm90OnJlZ2lzdGVyZWQ=") as bad:
        service = ConnectionService.for_client(bad)
        assert await service.connect() is S.ERROR
    assert "HTTP 401" in service.reason
    assert service.offline_for() >= 0


@pytest.mark.anyio
async def test_nothing_listening_means_offline(free_url: str) -> None:
    async with pywats.AsyncWATS(free_url, "dG9rZW4=") as client:
        service = ConnectionService.for_client(client)
        assert await service.connect() is S.OFFLINE


@pytest.mark.anyio
async def test_the_breaker_feeds_the_state_and_gates_probes(
    fake_wats: Any, client: pywats.AsyncWATS
) -> None:
    clock = FakeClock()
    breaker = CircuitBreaker(failure_threshold=2, reset_timeout=30, clock=clock)
    service = ConnectionService.for_client(client, breaker=breaker, clock=clock)
    changes: list[ConnectionChange] = []
    service.subscribe(changes.append)
    await service.connect()

    # Uploads (not probes) fail through the same breaker: the service follows it.
    for _ in range(2):
        assert service.state is S.ONLINE
        breaker.record(breaker.acquire(), pywats.ConnectionError("upload: refused"))
    assert breaker.state is BreakerState.OPEN
    assert service.state is S.OFFLINE
    assert changes[-1].old is S.ONLINE
    assert "circuit breaker open" in changes[-1].reason
    assert "upload: refused" in changes[-1].reason

    sent = _probes(fake_wats)
    assert await service.probe() is S.OFFLINE
    assert _probes(fake_wats) == sent  # refused by the open breaker: nothing sent
    assert "circuit open" in service.reason

    clock.now += 30
    assert await service.probe() is S.ONLINE  # the one half-open probe
    assert breaker.state is BreakerState.CLOSED
    assert _probes(fake_wats) == sent + 1
    assert service.total_offline() == 30

    fake_wats.fail(VERSION, status=500, times=2)  # failing probes count towards the breaker too
    await service.probe()
    assert (breaker.state, service.state) == (BreakerState.CLOSED, S.OFFLINE)
    await service.probe()
    assert (breaker.state, service.state) == (BreakerState.OPEN, S.OFFLINE)


@pytest.mark.anyio
async def test_failures_reported_by_the_uploader_elsewhere(client: pywats.AsyncWATS) -> None:
    service = ConnectionService.for_client(client)
    service.report(pywats.ConnectionError("ignored before connect"))
    assert service.state is S.DISCONNECTED
    await service.connect()
    service.report(pywats.ValidationError("bad report", status_code=400))
    assert service.state is S.ONLINE  # a 400 proves the server is up
    service.report(pywats.AuthenticationError("refused", status_code=401))
    assert service.state is S.ERROR
    service.report(None)
    assert service.state is S.ONLINE


@pytest.mark.anyio
async def test_run_probes_until_stopped_then_disconnects(
    fake_wats: Any, client: pywats.AsyncWATS
) -> None:
    service = ConnectionService.for_client(client, probe_interval=0.01)
    stop = asyncio.Event()
    task = asyncio.create_task(service.run(stop))
    for _ in range(500):
        if _probes(fake_wats) >= 3:
            break
        await asyncio.sleep(0.01)
    assert _probes(fake_wats) >= 3
    assert service.state is S.ONLINE
    stop.set()
    await asyncio.wait_for(task, 10)
    assert service.state is S.DISCONNECTED


@pytest.mark.anyio
async def test_a_failing_subscriber_does_not_stop_the_others(client: pywats.AsyncWATS) -> None:
    seen: list[ConnectionState] = []

    def broken(change: ConnectionChange) -> None:
        raise RuntimeError("subscriber bug")

    service = ConnectionService.for_client(client)
    service.subscribe(broken)
    unsubscribe = service.subscribe(lambda c: seen.append(c.new))
    await service.connect()
    assert seen == [S.CONNECTING, S.ONLINE]
    unsubscribe()
    service.disconnect()
    assert seen == [S.CONNECTING, S.ONLINE]


@pytest.mark.anyio
async def test_probe_before_connect_is_an_error(client: pywats.AsyncWATS) -> None:
    with pytest.raises(RuntimeError, match="connect"):
        await ConnectionService.for_client(client).probe()
