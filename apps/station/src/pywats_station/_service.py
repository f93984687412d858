"""The headless station as one composition: each part entered in order, stopped in reverse.

``run_service`` holds one :class:`contextlib.AsyncExitStack`. Parts are entered in the
order they depend on each other, and the stack stops them in the reverse order:

1. the instance lock (one station per home)
2. the queue
3. the WATS clients (the credential keeper's, and those it replaced)
4. intake's base: the converter runner and ``files.db``
5. the status reporter (its last write, with the final numbers, comes after every part
   it reports on has stopped)
6. the connection service (probes; stopping it marks the station disconnected)
7. the credentials watcher (a person's ``register`` while the station runs)
8. the uploader
9. the folder watchers
10. the console and its backend

The body waits for the uploader, which returns once ``stop`` is set (SIGTERM, Ctrl-C or
the console's ``stop``) and its in-flight uploads have finished within the grace period
(the rest handed back). By then the folder watchers have stopped taking files (a
conversion in flight leaves its file in place). Then the stack unwinds: console, watchers,
connection (disconnected), final ``status.json``, runner, clients, queue, lock.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys
from collections.abc import Callable, Coroutine, Iterator
from typing import TYPE_CHECKING, Any

from pywats import RateLimiter
from pywats_queue import AsyncQueue
from pywats_station._breaker import CircuitBreaker
from pywats_station._clients import StationClients, retry_policy
from pywats_station._config import StationConfig
from pywats_station._connection import ConnectionService, ConnectionState
from pywats_station._credentials import StationCredentials
from pywats_station._home import StationHome
from pywats_station._intake_service import station_intake, watch_folders
from pywats_station._lock import InstanceLock
from pywats_station._metrics import StationMetrics
from pywats_station._status import StatusReporter, collect_status
from pywats_station._uploader import Uploader
from pywats_station.web import StationBackend, StationConverters, StationSettings
from pywats_station.web._files import StationFiles

if TYPE_CHECKING:
    from pywats_station.web._server import ConsoleServer

__all__ = ["queue_url", "run_service", "stop_on_signals"]

log = logging.getLogger(__name__)


def queue_url(home: StationHome, config: StationConfig) -> str:
    """The queue's URL: ``[queue] url``, else a SQLite queue at ``<home>/queue.db``.

    SQLite is the default because it moves reports faster than one-file-per-item at the
    same durability (WAL, synchronous=FULL); ``file:///dir`` remains available.
    """
    file_uri = home.queue_file.absolute().as_uri()  # file:///..., percent-encoded
    return config.queue.url or "sqlite:" + file_uri.removeprefix("file:")


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


def _background(
    stack: contextlib.AsyncExitStack,
    run: Callable[[asyncio.Event], Coroutine[Any, Any, None]],
    name: str,
) -> None:
    """Start ``run(stop)`` as a task; when the stack unwinds, set its ``stop`` and wait."""
    stop = asyncio.Event()
    task = asyncio.create_task(run(stop), name=name)

    async def finish() -> None:
        stop.set()
        try:
            await task
        except Exception:
            log.exception("%s failed", name)

    stack.push_async_callback(finish)


async def run_service(
    home: StationHome,
    config: StationConfig,
    credentials: StationCredentials,
    stop: asyncio.Event,
    announce: Callable[[str], None] | None = None,
) -> dict[str, object]:
    """Run until ``stop`` is set; returns the final status.

    Raises :class:`InstanceLockedError` at once when another station holds the home.
    ``announce`` receives lines for the person who started the station (that it runs,
    the console's URL, or why the console did not start)."""
    say = announce or (lambda line: None)
    async with contextlib.AsyncExitStack() as stack:
        lock = stack.enter_context(InstanceLock(home.lock_file, command="run"))

        queue = await AsyncQueue.open(queue_url(home, config))
        stack.callback(log.info, "stopped: queue closed, disconnected")
        stack.push_async_callback(queue.close)

        clients = StationClients(
            home, config, credentials, RateLimiter(config.upload.requests_per_minute, 60.0)
        )
        stack.push_async_callback(clients.aclose)
        keeper = clients.keeper

        metrics = StationMetrics()
        intake = await stack.enter_async_context(
            station_intake(home, config, queue, registry=metrics.registry)
        )
        say(  # only now: a damaged queue.db or files.db has stopped the station by here
            f"pywats-station running as {credentials.identifier} against "
            f"{credentials.server_url}; status in {home.status_file}. Stop with Ctrl-C."
        )

        breaker = CircuitBreaker(config.breaker.failure_threshold, config.breaker.reset_timeout)
        breaker.subscribe(metrics.on_breaker_change)
        connection = ConnectionService(
            clients.probe, breaker=breaker, probe_interval=config.connection.probe_interval
        )
        connection.subscribe(metrics.on_connection_change)
        uploader = Uploader(
            queue,
            keeper=keeper,
            policy=retry_policy(config),
            breaker=breaker,
            connection=connection,
            metrics=metrics,
            concurrency=config.upload.concurrency,
            lease_seconds=config.upload.lease,
            max_unfinished_claims=config.upload.max_unfinished_claims,
        )
        quarantine = _QuarantineWatch(queue, metrics)

        def status() -> dict[str, object]:
            return {
                **collect_status(metrics, connection, breaker),
                "folders": intake.snapshot(),
                "quarantine": quarantine.snapshot(),
                "credentials": keeper.snapshot(),
                "backpressure": uploader.pressure.snapshot(),
                "uploader": {
                    "paused": None if keeper.is_valid else keeper.reason,
                    "reregistrations": keeper.renewals,
                },
            }

        reporter = StatusReporter(
            home.status_file, status, interval=config.status.interval, refresh=quarantine.refresh
        )
        _background(stack, reporter.run, "status reporter")

        stack.callback(connection.close)
        probes = _Probes(connection)
        stack.callback(probes.cancel)
        keeper.on_valid = probes.now
        _background(stack, connection.run, "connection service")
        _background(
            stack,
            lambda done: clients.watch(done, config.connection.probe_interval),
            "credentials watcher",
        )

        uploading = asyncio.create_task(
            uploader.run(stop, grace=config.upload.shutdown_grace), name="uploader"
        )
        stack.push_async_callback(_finished, uploading)
        stack.callback(log.info, "stopping: intake stopped, uploads finished or handed back")

        await stack.enter_async_context(watch_folders(intake, config, stop))
        log.info(
            "station %s running: server %s, queue %s",
            credentials.identifier,
            credentials.server_url,
            queue_url(home, config),
        )
        files = StationFiles(
            intake, queue=queue, archive_dir=home.archive_dir, after_action=uploader.wake
        )
        station_settings = StationSettings(home, config.credentials.key_store)
        backend = StationBackend(
            queue=queue,
            metrics=metrics,
            connection=connection,
            breaker=breaker,
            log_file=home.log_dir / "station.log",
            paused=lambda: None if keeper.is_valid else keeper.reason,
            wake_uploader=uploader.wake,
            refresh_depth=quarantine.refresh,
            settings=station_settings,
            folders=files.folder_views,
            files=files,
            converters=StationConverters(station_settings, intake),
        )
        _background(stack, backend.run, "console backend")
        console = await _open_console(home, config, backend, announce)
        if console is not None:
            stack.push_async_callback(console.stop)
            lock.annotate(console=console.url)  # where `files reconvert` sends its user

        await uploading  # returns once `stop` is set and in-flight uploads are done
    return status()


async def _finished(task: asyncio.Task[None]) -> None:
    """The uploader's exit: nothing to do after a normal stop (the body awaited it and
    met any error); cancelled when another part failed to start."""
    if not task.done():
        task.cancel()
    await asyncio.wait({task})


async def _open_console(
    home: StationHome,
    config: StationConfig,
    backend: StationBackend,
    announce: Callable[[str], None] | None,
) -> ConsoleServer | None:
    """The console as ``[console]`` configures it, or None (disabled, or it could not start)."""
    if not config.console.enabled:
        return None
    # Imported here: the web framework loads only for a station that serves it.
    from pywats_station.web._server import open_console

    return await open_console(
        backend, config.console, csrf_secret_file=home.console_secret_file, announce=announce
    )


class _Probes:
    """Probes asked for out of turn: fresh credentials are shown in the connection state
    at once."""

    def __init__(self, connection: ConnectionService) -> None:
        self._connection = connection
        self._tasks: set[asyncio.Task[object]] = set()

    def now(self) -> None:
        if self._connection.state is not ConnectionState.DISCONNECTED:
            task = asyncio.get_running_loop().create_task(self._connection.probe())
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    def cancel(self) -> None:
        for task in list(self._tasks):
            task.cancel()


class _QuarantineWatch:
    """Refreshes the queue-depth gauges and says loudly when items were quarantined
    (damaged bytes on disk: the report is set aside, never sent)."""

    def __init__(self, queue: AsyncQueue, metrics: StationMetrics) -> None:
        self._queue = queue
        self._metrics = metrics
        self.count = 0
        self.latest_reason: str | None = None

    async def refresh(self) -> None:
        stats = await self._queue.stats()
        depth = {k: v for k, v in stats.depth.items() if k != "acked"}
        self._metrics.set_queue_depth({**depth, "quarantined": stats.quarantined})
        if stats.quarantined > self.count:
            log.error(
                "%d queue item(s) quarantined (stored bytes damaged); latest: %s; see "
                "`pywats-station queue list --state quarantined`",
                stats.quarantined,
                stats.quarantine_reason,
            )
        self.count, self.latest_reason = stats.quarantined, stats.quarantine_reason

    def snapshot(self) -> dict[str, object]:
        return {"count": self.count, "latest_reason": self.latest_reason}
