"""The uploader against the fake WATS server, with a real SQLite queue."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

import pywats
import pywats.report as report_module
import pywats_queue
from pywats_station import (
    BreakerState,
    CircuitBreaker,
    CircuitOpenError,
    ConnectionService,
    ConnectionState,
    CredentialKeeper,
    CredentialState,
    RetryPolicy,
    StationMetrics,
    Uploader,
    UploadOutcome,
)

FAST = RetryPolicy(base_delay=0.001, max_delay=0.001, max_attempts=5)
WSJF_ROUTE = "POST /api/Report/WSJF"


def make_report(sn: str, process_code: int = 10) -> tuple[str, bytes]:
    builder = report_module.UUTBuilder(
        pn="PN-1",
        sn=sn,
        rev="A",
        process_code=process_code,
        machine_name="ST-1",
        location="Lab",
        purpose="Test",
    )
    builder.root.numeric("Voltage", 5.01, "GELE", low=4.9, high=5.1, unit="V")
    report = builder.build()
    return str(report.id), report_module.dumps_wsjf(report)


@pytest.fixture
async def queue(tmp_path: Path) -> AsyncIterator[Any]:
    q = await pywats_queue.AsyncQueue.open(f"sqlite:///{tmp_path / 'queue.db'}")
    yield q
    await q.close()


@pytest.fixture
async def client(fake_wats: Any) -> AsyncIterator[pywats.AsyncWATS]:
    passcode = fake_wats.register_station("ST-UPLOAD")
    token = fake_wats.station_credential("ST-UPLOAD", passcode)
    async with pywats.AsyncWATS(fake_wats.url, token) as c:
        yield c


async def enqueue(queue: Any, count: int, **kwargs: Any) -> list[str]:
    ids = []
    for i in range(count):
        report_id, payload = make_report(f"SN-{i}", **kwargs)
        await queue.put(payload, key=report_id, meta={"format": "wsjf"})
        ids.append(report_id)
    return ids


async def depth(queue: Any) -> dict[str, int]:
    return dict((await queue.stats()).depth)


async def settle(uploader: Uploader, queue: Any) -> Any:
    """Drain until nothing is left to retry (retries are due a moment later)."""
    total = None
    for _ in range(500):
        counts = await uploader.drain()
        total = counts if total is None else _sum(total, counts)
        stats = await depth(queue)
        if stats["ready"] == 0 and stats["leased"] == 0:
            return total
        await asyncio.sleep(0.005)
    raise AssertionError(f"queue did not settle: {await depth(queue)}")


def _sum(a: Any, b: Any) -> Any:
    return type(a)(a.acked + b.acked, a.retry + b.retry, a.released + b.released, a.dead + b.dead)


@pytest.mark.anyio
async def test_drains_the_queue_once_per_report(
    queue: Any, client: pywats.AsyncWATS, fake_wats: Any
) -> None:
    metrics = StationMetrics()
    ids = await enqueue(queue, 5)
    uploader = Uploader(queue, client, policy=FAST, metrics=metrics)
    counts = await uploader.drain()
    assert counts.acked == 5
    assert (await depth(queue))["acked"] == 5
    assert (await depth(queue))["ready"] == 0
    for report_id in ids:
        assert fake_wats.commits(report_id) == 1
        stored = fake_wats.report(report_id)
        assert stored is not None
        assert stored["id"] == report_id
    assert metrics.snapshot()["uploads"] == {"succeeded": 5, "failed": 0, "retried": 0}
    assert metrics.snapshot()["last_successful_upload"] is not None


@pytest.mark.anyio
async def test_a_lost_answer_is_retried_with_the_same_idempotency_key(
    queue: Any, client: pywats.AsyncWATS, fake_wats: Any
) -> None:
    (report_id,) = await enqueue(queue, 1)
    fake_wats.reset_after_commit(WSJF_ROUTE)  # stored, but the answer never arrives
    uploader = Uploader(queue, client, policy=FAST)
    counts = await settle(uploader, queue)
    assert (counts.retry, counts.acked) == (1, 1)
    assert fake_wats.commits(report_id) == 1  # no duplicate
    assert fake_wats.replays(report_id) == 1  # the server recognised the retry by its key
    item = (await queue.list("acked"))[0]
    assert item.key == report_id
    assert item.attempts == 1


@pytest.mark.anyio
async def test_a_rejected_report_becomes_a_dead_letter_with_the_servers_message(
    queue: Any, client: pywats.AsyncWATS, fake_wats: Any
) -> None:
    metrics = StationMetrics()
    (report_id,) = await enqueue(queue, 1, process_code=4242)  # no such process
    uploader = Uploader(queue, client, policy=FAST, metrics=metrics)
    counts = await uploader.drain()
    assert counts.dead == 1
    (dead,) = await queue.list("dead")
    assert dead.key == report_id
    assert "HTTP 400" in (dead.last_error or "")
    assert dead.last_error == (
        "HTTP 400: the server rejected the request as invalid: "
        "report: processCode 4242 is not a known process."
    )
    assert fake_wats.request_count(WSJF_ROUTE) == 1  # never retried
    assert metrics.snapshot()["uploads"]["failed"] == 1


@pytest.mark.anyio
async def test_retry_after_sets_the_next_attempt(
    queue: Any, client: pywats.AsyncWATS, fake_wats: Any
) -> None:
    await enqueue(queue, 1)
    fake_wats.fail(WSJF_ROUTE, status=503, retry_after=120)
    now = time.time()
    uploader = Uploader(queue, client, policy=FAST, wall_clock=lambda: now)
    assert await uploader.upload_one() is UploadOutcome.RETRY
    (item,) = await queue.list("ready")
    assert item.attempts == 1
    assert item.next_attempt_at == now + 120
    assert "HTTP 503" in (item.last_error or "")
    assert await uploader.upload_one() is None  # not due yet: nothing claimed


@pytest.mark.anyio
async def test_gives_up_after_max_attempts(
    queue: Any, client: pywats.AsyncWATS, fake_wats: Any
) -> None:
    await enqueue(queue, 1)
    fake_wats.fail(WSJF_ROUTE, status=502, times=None)
    policy = RetryPolicy(base_delay=0.001, max_delay=0.001, max_attempts=3)
    uploader = Uploader(queue, client, policy=policy, breaker=CircuitBreaker(failure_threshold=100))
    counts = await settle(uploader, queue)
    assert (counts.retry, counts.dead) == (2, 1)
    (dead,) = await queue.list("dead")
    assert dead.last_error is not None
    assert dead.last_error.startswith("gave up after 3 attempts; last error: HTTP 502")


@pytest.mark.anyio
async def test_an_outage_opens_the_breaker_and_stops_claims(
    queue: Any, client: pywats.AsyncWATS, fake_wats: Any
) -> None:
    await enqueue(queue, 10)
    breaker = CircuitBreaker(failure_threshold=3, reset_timeout=3600)
    connection = ConnectionService(client.app.version, breaker=breaker)
    await connection.connect()
    fake_wats.outage()
    uploader = Uploader(queue, client, policy=FAST, breaker=breaker, connection=connection)
    counts = await uploader.drain()
    assert breaker.state is BreakerState.OPEN
    assert connection.state is ConnectionState.OFFLINE
    assert counts.retry == 3  # exactly the threshold; then nothing more is tried
    with pytest.raises(CircuitOpenError):
        await uploader.upload_one()
    stats = await depth(queue)
    assert stats["ready"] == 10
    assert stats["leased"] == 0


@pytest.mark.anyio
async def test_refused_credentials_renew_once_and_nothing_is_claimed_meanwhile(
    queue: Any, client: pywats.AsyncWATS, fake_wats: Any
) -> None:
    await enqueue(queue, 3)
    renewed = asyncio.Event()
    renewals = 0
    fresh: list[pywats.AsyncWATS] = []

    async def renew() -> pywats.AsyncWATS:
        nonlocal renewals
        renewals += 1
        await renewed.wait()  # the test decides when the renewal ends
        passcode = fake_wats.register_station("ST-UPLOAD")  # the old passcode is void now
        new = pywats.AsyncWATS(fake_wats.url, fake_wats.station_credential("ST-UPLOAD", passcode))
        fresh.append(new)
        return new

    keeper = CredentialKeeper(client, renew, policy=FAST)
    fake_wats.expire_credential("ST-UPLOAD")
    uploader = Uploader(queue, keeper=keeper, policy=FAST)
    assert await uploader.upload_one() is UploadOutcome.RELEASED
    await asyncio.sleep(0)  # the renewal task starts
    assert keeper.state is CredentialState.RENEWING
    # While the renewal runs nothing is claimed or sent, and nothing is counted.
    assert await uploader.upload_one() is None
    assert fake_wats.answer_count(WSJF_ROUTE, 401) == 1
    assert all(item.attempts == 0 for item in await queue.list("ready"))

    renewed.set()
    stop = asyncio.Event()
    assert await keeper.wait_valid(stop)
    assert renewals == 1
    assert uploader.client is fresh[0]
    counts = await uploader.drain()
    assert counts.acked == 3
    assert fake_wats.answer_count(WSJF_ROUTE, 401) == 1
    for new in fresh:
        await new.aclose()


@pytest.mark.anyio
async def test_wsxf_items_go_to_the_wsxf_route(
    queue: Any, client: pywats.AsyncWATS, fake_wats: Any
) -> None:
    report_id, payload = make_report("SN-X")
    report = report_module.parse_wsjf(payload)
    await queue.put(report_module.dumps_wsxf(report), key=report_id, meta={"format": "wsxf"})
    assert await Uploader(queue, client).upload_one() is UploadOutcome.ACKED
    assert fake_wats.request_count("POST /api/Report/WSXF") == 1
    assert fake_wats.commits(report_id) == 1


@pytest.mark.anyio
async def test_run_delivers_concurrently_and_stops_cleanly(
    queue: Any, client: pywats.AsyncWATS, fake_wats: Any
) -> None:
    ids = await enqueue(queue, 20)
    uploader = Uploader(queue, client, policy=FAST, concurrency=3, idle_interval=0.01)
    stop = asyncio.Event()
    task = asyncio.create_task(uploader.run(stop))
    for _ in range(1000):
        if (await depth(queue))["acked"] == 20:
            break
        await asyncio.sleep(0.01)
    stop.set()
    await asyncio.wait_for(task, 30)
    assert (await depth(queue))["acked"] == 20
    assert all(fake_wats.commits(i) == 1 for i in ids)


@pytest.mark.anyio
async def test_stop_with_an_upload_in_flight_leaves_nothing_claimed(
    queue: Any, client: pywats.AsyncWATS, fake_wats: Any
) -> None:
    await enqueue(queue, 1)
    fake_wats.hang(WSJF_ROUTE)
    uploader = Uploader(queue, client, policy=FAST, idle_interval=0.01)
    stop = asyncio.Event()
    task = asyncio.create_task(uploader.run(stop, grace=0.2))
    for _ in range(1000):
        if fake_wats.request_count(WSJF_ROUTE) == 1:
            break
        await asyncio.sleep(0.01)
    assert (await depth(queue))["leased"] == 1
    stop.set()
    await asyncio.wait_for(task, 30)
    stats = await depth(queue)
    assert stats["leased"] == 0
    (item,) = await queue.list("ready")
    assert item.attempts == 0  # a shutdown is not a failed attempt
    assert uploader.counts.released == 1


@pytest.mark.anyio
async def test_a_malformed_item_is_a_dead_letter_and_says_nothing_about_the_server(
    queue: Any, client: pywats.AsyncWATS, fake_wats: Any
) -> None:
    _, payload = make_report("SN-BADKEY")
    await queue.put(payload, key="not-a-report-id", meta={"format": "wsjf"})
    connection = ConnectionService(client.app.version)
    await connection.connect()
    uploader = Uploader(queue, client, connection=connection)
    assert await uploader.upload_one() is UploadOutcome.DEAD
    (dead,) = await queue.list("dead")
    assert dead.last_error == "ValueError: report_id: 'not-a-report-id' is not a report id (a UUID)"
    assert connection.state is ConnectionState.ONLINE
    assert fake_wats.request_count(WSJF_ROUTE) == 0


@pytest.mark.anyio
async def test_uploads_wait_for_the_clients_rate_limiter(queue: Any, fake_wats: Any) -> None:
    await enqueue(queue, 3)
    passcode = fake_wats.register_station("ST-RATE")
    limiter = pywats.RateLimiter(max_requests=2, window_seconds=2.0)
    async with pywats.AsyncWATS(
        fake_wats.url, fake_wats.station_credential("ST-RATE", passcode), rate_limiter=limiter
    ) as limited:
        counts = await Uploader(queue, limited).drain()
    assert counts.acked == 3
    stats = limiter.stats()
    assert stats.total_requests == 3
    # Paced at one per second (two per two seconds): the second and third waited.
    assert stats.throttle_count == 2
    assert stats.total_wait_time > 0
