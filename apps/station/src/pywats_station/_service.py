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
from pywats_station._credentials import CredentialsError, CredentialStore, StationCredentials
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


class _Clients:
    """The station's current client, replaced when the stored credentials change.

    A person may run ``register`` again while the station runs (credentials rotated or
    revoked). On a 401/403 the uploader asks for one re-authentication, and a watcher
    looks at the credentials file every probe interval: if the stored credentials differ,
    a new client takes over; old clients are closed at shutdown, so uploads in flight on
    them finish normally.
    """

    def __init__(
        self,
        home: StationHome,
        config: StationConfig,
        credentials: StationCredentials,
        rate_limiter: RateLimiter,
    ) -> None:
        self.home = home
        self.config = config
        self.credentials = credentials
        self.rate_limiter = rate_limiter
        self.client = self._client_for(credentials)
        self.retired: list[AsyncWATS] = []
        self.uploader: Uploader | None = None
        self._stamp = self._file_stamp()

    def _client_for(self, credentials: StationCredentials) -> AsyncWATS:
        return AsyncWATS(
            credentials.server_url,
            credentials.token().reveal(),
            verify=self.config.server.verify_tls,
            rate_limiter=self.rate_limiter,
        )

    def _file_stamp(self) -> tuple[int, int] | None:
        try:
            st = self.home.credentials_file.stat()
        except OSError:
            return None
        return (st.st_mtime_ns, st.st_size)

    async def probe(self) -> str:
        return await self.client.app.version()

    async def reload(self) -> bool:
        """Use the stored credentials if they changed; returns whether the client changed."""
        self._stamp = self._file_stamp()
        try:
            fresh = await asyncio.to_thread(
                CredentialStore(self.home, self.config.credentials.key_store).load
            )
        except CredentialsError as exc:
            log.warning("re-authentication: the stored credentials cannot be used: %s", exc)
            return False
        if fresh is None or fresh == self.credentials:
            log.info("re-authentication: the stored credentials are unchanged")
            return False
        if fresh.server_url != self.credentials.server_url:
            log.error(
                "the station was registered with another server (%s); restart the station "
                "to use it",
                fresh.server_url,
            )
            return False
        log.info("re-authentication: using the newly stored credentials of %s", fresh.identifier)
        self.retired.append(self.client)
        self.credentials = fresh
        self.client = self._client_for(fresh)
        if self.uploader is not None:
            self.uploader.client = self.client
            self.uploader.credentials_changed()
        return True

    async def watch(self, stop: asyncio.Event, interval: float) -> None:
        """Reload whenever the credentials file changes, until ``stop`` is set."""
        while not stop.is_set():
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=interval)
            if not stop.is_set() and self._file_stamp() != self._stamp:
                await self.reload()

    async def aclose(self) -> None:
        for client in [*self.retired, self.client]:
            await client.aclose()


async def run_service(
    home: StationHome,
    config: StationConfig,
    credentials: StationCredentials,
    stop: asyncio.Event,
) -> dict[str, object]:
    """Run until ``stop`` is set; returns the final status. The caller holds the lock."""
    queue = await AsyncQueue.open(queue_url(home, config))
    clients = _Clients(
        home, config, credentials, RateLimiter(config.upload.requests_per_minute, 60.0)
    )
    try:
        metrics = StationMetrics()
        breaker = CircuitBreaker(config.breaker.failure_threshold, config.breaker.reset_timeout)
        breaker.subscribe(metrics.on_breaker_change)
        connection = ConnectionService(
            clients.probe, breaker=breaker, probe_interval=config.connection.probe_interval
        )
        connection.subscribe(metrics.on_connection_change)

        async def reauthenticate() -> None:
            if await clients.reload():
                await connection.probe()

        uploader = Uploader(
            queue,
            clients.client,
            policy=retry_policy(config),
            breaker=breaker,
            connection=connection,
            metrics=metrics,
            concurrency=config.upload.concurrency,
            lease_seconds=config.upload.lease,
            reauthenticate=reauthenticate,
        )
        clients.uploader = uploader

        async def refresh_depth() -> None:
            depth = (await queue.stats()).depth
            metrics.set_queue_depth({k: v for k, v in depth.items() if k != "acked"})

        reporter = StatusReporter(
            home.status_file,
            lambda: collect_status(metrics, connection, breaker),
            interval=config.status.interval,
            refresh=refresh_depth,
        )
        log.info(
            "station %s running: server %s, queue %s",
            credentials.identifier,
            credentials.server_url,
            queue_url(home, config),
        )
        helpers_stop = asyncio.Event()
        connection_task = asyncio.create_task(connection.run(helpers_stop))
        watcher_task = asyncio.create_task(
            clients.watch(helpers_stop, config.connection.probe_interval)
        )
        reporter_stop = asyncio.Event()
        reporter_task = asyncio.create_task(reporter.run(reporter_stop))
        try:
            await uploader.run(stop, grace=config.upload.shutdown_grace)
        finally:
            log.info("stopping: uploads finished or handed back")
            helpers_stop.set()
            await asyncio.gather(connection_task, watcher_task, return_exceptions=True)
            reporter_stop.set()
            await reporter_task  # the final status.json, with the final numbers
            connection.close()
        return collect_status(metrics, connection, breaker)
    finally:
        await clients.aclose()
        await queue.close()
        log.info("stopped: queue closed, disconnected")
