"""The station's building blocks against pywats-testing's fake WATS server."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path
from typing import Any

import pytest

import pywats
from pywats_station import (
    BreakerState,
    CircuitBreaker,
    CircuitOpenError,
    ConnectionService,
    ConnectionState,
    RetryPolicy,
    Uploader,
)


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_register_and_probe_through_the_cli(cli: Any, fake_wats: Any) -> None:
    result = cli(
        "register",
        "--url",
        fake_wats.url,
        "--identifier",
        "4C5F70D62FF4",
        "--name",
        "ICT-07",
        "--key-store",
        "file",
        env={"PYWATS_REGISTRATION_TOKEN": fake_wats.registration_token},
    )
    assert result.returncode == 0, result.stderr
    assert fake_wats.request_count("POST /api/internal/Client/Register") == 1
    assert fake_wats.request_count("GET /api/internal/Client/ServerInfo") == 1

    online = json.loads(cli("status", "--json", "--probe").stdout)["connection"]
    assert online["state"] == "online"
    assert online["server_version"] == "2026.1.5.324"
    assert fake_wats.request_count("GET /api/App/Version") == 1

    fake_wats.expire_credential("4C5F70D62FF4")
    refused = json.loads(cli("status", "--json", "--probe").stdout)["connection"]
    assert refused["state"] == "error"
    assert "HTTP 401" in refused["reason"]

    fake_wats.restore_credential("4C5F70D62FF4")
    fake_wats.outage()
    down = json.loads(cli("status", "--json", "--probe").stdout)["connection"]
    assert down["state"] == "offline"


def test_wrong_registration_token_is_refused(cli: Any, fake_wats: Any) -> None:
    result = cli(
        "register",
        "--url",
        fake_wats.url,
        "--key-store",
        "file",
        env={"PYWATS_REGISTRATION_TOKEN": "not-the-token"},
    )
    assert result.returncode == 1
    assert "registration failed: the registration token" in result.stderr


@pytest.mark.anyio
async def test_outage_opens_the_breaker_and_one_probe_recovers(fake_wats: Any) -> None:
    passcode = fake_wats.register_station("ST-OUTAGE")
    token = fake_wats.station_credential("ST-OUTAGE", passcode)
    clock = FakeClock()
    breaker = CircuitBreaker(failure_threshold=2, reset_timeout=15, clock=clock)
    async with pywats.AsyncWATS(fake_wats.url, token) as client:
        service = ConnectionService.for_client(client, breaker=breaker, clock=clock)
        assert await service.connect() is ConnectionState.ONLINE

        fake_wats.outage()
        assert await service.probe() is ConnectionState.OFFLINE
        assert await service.probe() is ConnectionState.OFFLINE
        assert breaker.state is BreakerState.OPEN
        clock.now += 10
        assert service.offline_for() == 10

        fake_wats.end_outage()
        sent = fake_wats.request_count("GET /api/App/Version")
        assert await service.probe() is ConnectionState.OFFLINE  # still open: not sent
        assert fake_wats.request_count("GET /api/App/Version") == sent

        clock.now += 5
        assert await service.probe() is ConnectionState.ONLINE
        assert breaker.state is BreakerState.CLOSED
        assert service.total_offline() == 15


@pytest.mark.anyio
async def test_during_an_outage_the_server_sees_one_probe_per_reset_interval(
    fake_wats: Any, tmp_path: Path
) -> None:
    import pywats.report as report_module
    import pywats_queue

    queue = await pywats_queue.AsyncQueue.open(f"sqlite:///{tmp_path / 'queue.db'}")
    for i in range(5):
        builder = report_module.UUTBuilder(
            pn="PN-1", sn=f"SN-OUT-{i}", rev="A", process_code=10,
            machine_name="ST-1", location="Lab", purpose="Test",
        )  # fmt: skip
        report = builder.build()
        await queue.put(report_module.dumps_wsjf(report), key=str(report.id))
    clock = FakeClock()
    breaker = CircuitBreaker(failure_threshold=3, reset_timeout=10, clock=clock)
    async with pywats.AsyncWATS(fake_wats.url, fake_wats.token) as client:
        connection = ConnectionService.for_client(client, breaker=breaker, clock=clock)
        assert await connection.connect() is ConnectionState.ONLINE
        uploader = Uploader(
            queue,
            client,
            policy=RetryPolicy(base_delay=0.001, max_delay=0.001),
            breaker=breaker,
            connection=connection,
        )
        fake_wats.outage(mode="reset")  # every connection is accepted, counted and reset
        while breaker.state is not BreakerState.OPEN:
            await connection.probe()
        assert fake_wats.outage_connections() == 3  # the failures that opened it

        # Six reset intervals in which the uploader and the connection service both try
        # as often as they can: the breaker lets one probe through per interval.
        for _ in range(6):
            for _ in range(20):
                with contextlib.suppress(CircuitOpenError):
                    await uploader.upload_one()
                await connection.probe()
            clock.now += 10
        # The first interval had just opened the breaker; each later one sent one probe.
        assert fake_wats.outage_connections() == 3 + 5
        assert breaker.state is BreakerState.OPEN

        fake_wats.end_outage()
        assert await connection.probe() is ConnectionState.ONLINE  # the seventh probe
        assert breaker.state is BreakerState.CLOSED
    assert fake_wats.request_count("POST /api/Report/WSJF") == 0  # nothing got through
    await queue.close()
