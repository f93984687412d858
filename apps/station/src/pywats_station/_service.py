"""The headless station service: wires the parts together and stops in order.

Start: lock (by the caller) → queue → client → breaker, connection service, metrics →
uploader and status reporter. Stop (SIGTERM, Ctrl-C or ``stop``): stop claiming → let
in-flight uploads finish within the grace period, handing back the rest → final
``status.json`` → close the queue → disconnect → (the caller releases the lock).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys
from collections.abc import Iterator

from pywats import AsyncWATS, RateLimiter
from pywats_queue import AsyncQueue
from pywats_station._breaker import CircuitBreaker
from pywats_station._config import StationConfig
from pywats_station._connection import ConnectionService
from pywats_station._credentials import StationCredentials
from pywats_station._home import StationHome
from pywats_station._metrics import StationMetrics
from pywats_station._retry import RetryPolicy
from pywats_station._status import StatusReporter, collect_status
from pywats_station._uploader import Uploader

__all__ = ["queue_url", "retry_policy", "run_service", "stop_on_signals"]

log = logging.getLogger(__name__)


def queue_url(home: StationHome, config: StationConfig) -> str:
    """The queue's URL: ``[queue] url``, else a file queue in ``<home>/queue``."""
    return config.queue.url or home.queue_dir.absolute().as_uri()


def retry_policy(config: StationConfig) -> RetryPolicy:
    r = config.retry
    return RetryPolicy(
        base_delay=r.base_delay,
        max_delay=r.max_delay,
        multiplier=r.multiplier,
        max_attempts=r.max_attempts,
        max_age=r.max_age,
        max_retry_after=r.max_retry_after,
    )


@contextlib.contextmanager
def stop_on_signals(stop: asyncio.Event) -> Iterator[None]:
    """Set ``stop`` on SIGTERM and SIGINT (Ctrl-C) while the block runs."""
    loop = asyncio.get_running_loop()
    signals = [signal.SIGTERM, signal.SIGINT]
    if sys.platform == "win32":  # pragma: no cover - no add_signal_handler on Windows
        previous = {
            s: signal.signal(s, lambda *_: loop.call_soon_threadsafe(stop.set)) for s in signals
        }
        try:
            yield
        finally:
            for s, handler in previous.items():
                signal.signal(s, handler)
        return
    for s in signals:
        loop.add_signal_handler(s, stop.set)
    try:
        yield
    finally:
        for s in signals:
            loop.remove_signal_handler(s)


async def run_service(
    home: StationHome,
    config: StationConfig,
    credentials: StationCredentials,
    stop: asyncio.Event,
) -> dict[str, object]:
    """Run until ``stop`` is set; returns the final status. The caller holds the lock."""
    queue = await AsyncQueue.open(queue_url(home, config))
    try:
        async with AsyncWATS(
            credentials.server_url,
            credentials.token().reveal(),
            verify=config.server.verify_tls,
            rate_limiter=RateLimiter(config.upload.requests_per_minute, 60.0),
        ) as client:
            metrics = StationMetrics()
            breaker = CircuitBreaker(config.breaker.failure_threshold, config.breaker.reset_timeout)
            breaker.subscribe(metrics.on_breaker_change)
            connection = ConnectionService.for_client(
                client, breaker=breaker, probe_interval=config.connection.probe_interval
            )
            connection.subscribe(metrics.on_connection_change)
            uploader = Uploader(
                queue,
                client,
                policy=retry_policy(config),
                breaker=breaker,
                connection=connection,
                metrics=metrics,
                concurrency=config.upload.concurrency,
                lease_seconds=config.upload.lease,
            )

            async def refresh_depth() -> None:
                depth = (await queue.stats()).depth
                metrics.set_queue_depth({k: v for k, v in depth.items() if k != "acked"})

            reporter = StatusReporter(
                home.status_file,
                lambda: collect_status(metrics, connection, breaker),
                interval=config.status.interval,
                refresh=refresh_depth,
            )
            connection_stop = asyncio.Event()
            log.info(
                "station %s running: server %s, queue %s",
                credentials.identifier,
                credentials.server_url,
                queue_url(home, config),
            )
            connection_task = asyncio.create_task(connection.run(connection_stop))
            reporter_stop = asyncio.Event()
            reporter_task = asyncio.create_task(reporter.run(reporter_stop))
            try:
                await uploader.run(stop, grace=config.upload.shutdown_grace)
            finally:
                log.info("stopping: uploads finished or handed back")
                connection_stop.set()
                await connection_task
                reporter_stop.set()
                await reporter_task  # the final status.json, with the final numbers
                connection.close()
            return collect_status(metrics, connection, breaker)
    finally:
        await queue.close()
        log.info("stopped: queue closed, disconnected")
