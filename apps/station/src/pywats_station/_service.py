"""The headless station service: wires the parts together and stops in order.

Start: lock (by the caller) → queue → client → breaker, connection service, metrics →
intake (converter runner, folder watchers) → uploader and status reporter. Stop (SIGTERM,
Ctrl-C or ``stop``): stop taking files (a conversion in flight leaves its file in place) →
stop claiming → let in-flight uploads finish within the grace period, handing back the
rest → final ``status.json`` → close the queue → disconnect → (the caller releases the lock).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys
from collections.abc import Callable, Iterator

from pywats import AsyncWATS, RateLimiter, Timeouts
from pywats_queue import AsyncQueue
from pywats_station._breaker import CircuitBreaker
from pywats_station._config import StationConfig
from pywats_station._connection import ConnectionService, ConnectionState
from pywats_station._credentials import CredentialsError, CredentialStore, StationCredentials
from pywats_station._home import StationHome
from pywats_station._intake_service import running_intake
from pywats_station._keeper import CredentialKeeper, NeedsPerson
from pywats_station._lock import InstanceLock, InstanceLockedError
from pywats_station._metrics import StationMetrics
from pywats_station._register import StationInfo, register_station
from pywats_station._retry import RetryPolicy, describe_error, is_auth_error
from pywats_station._status import StatusReporter, collect_status
from pywats_station._uploader import Uploader
from pywats_station.web import StationBackend, StationConverters, StationSettings

__all__ = ["client_timeouts", "queue_url", "retry_policy", "run_service", "stop_on_signals"]

log = logging.getLogger(__name__)


def queue_url(home: StationHome, config: StationConfig) -> str:
    """The queue's URL: ``[queue] url``, else a SQLite queue at ``<home>/queue.db``.

    SQLite is the default because it moves reports faster than one-file-per-item at the
    same durability (WAL, synchronous=FULL); ``file:///dir`` remains available.
    """
    file_uri = home.queue_file.absolute().as_uri()  # file:///..., percent-encoded
    return config.queue.url or "sqlite:" + file_uri.removeprefix("file:")


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


def client_timeouts(config: StationConfig) -> Timeouts:
    """The client's timeouts from ``[server]``."""
    server = config.server
    return Timeouts(
        connect=server.connect_timeout,
        read=server.read_timeout,
        write=server.read_timeout,
        pool=server.connect_timeout,
        upload_read=server.upload_timeout,
    )


class _Clients:
    """The station's clients: the current one (the keeper's) and the ones it replaced.

    Credentials change two ways: a person runs ``register`` again while the station runs
    (a watcher looks at the credentials file every probe interval and takes the new
    ones), or the server refuses the passcode (401/403) and the keeper calls
    :meth:`renew_once`, which registers again with the stored registration token. Both
    hold ``register.lock`` while registering and storing, so a person's registration
    and the station's never cross. Old clients are closed at shutdown, so uploads in
    flight on them finish normally.
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
        self.retired: list[AsyncWATS] = []
        self.keeper = CredentialKeeper(
            self._client_for(credentials), self.renew_once, policy=retry_policy(config)
        )
        self._stamp = self._file_stamp()

    def _client_for(self, credentials: StationCredentials) -> AsyncWATS:
        return AsyncWATS(
            credentials.server_url,
            credentials.token().reveal(),
            timeouts=client_timeouts(self.config),
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
        """The connection probe, on the current client; it reports refusals and
        successes to the keeper like an upload does, so an idle station renews too."""
        client = self.keeper.client
        started = self.keeper.now()
        try:
            version = await client.app.version()
        except Exception as exc:
            if is_auth_error(exc):
                self.keeper.refused(client, describe_error(exc))
            raise
        self.keeper.confirmed(client, started)
        return version

    def _new_client(self, credentials: StationCredentials) -> AsyncWATS:
        self.retired.append(self.keeper.client)
        self.credentials = credentials
        return self._client_for(credentials)

    async def _load_stored(self) -> StationCredentials | None:
        try:
            return await asyncio.to_thread(
                CredentialStore(self.home, self.config.credentials.key_store).load
            )
        except CredentialsError as exc:
            log.warning("the stored credentials cannot be used: %s", exc)
            return None

    async def _stored_if_new(self) -> StationCredentials | None:
        """The stored credentials if a person changed them (and they fit this station)."""
        self._stamp = self._file_stamp()
        fresh = await self._load_stored()
        if fresh is None or fresh == self.credentials:
            return None
        if fresh.server_url != self.credentials.server_url:
            log.error(
                "the station was registered with another server (%s); restart the station "
                "to use it",
                fresh.server_url,
            )
            return None
        return fresh

    async def reload(self) -> bool:
        """Use the stored credentials if a person changed them; returns whether the
        client changed. Ends a wait for renewed credentials, whatever its state."""
        fresh = await self._stored_if_new()
        if fresh is None:
            log.info("the stored credentials are unchanged")
            return False
        log.info("using the newly stored credentials of %s", fresh.identifier)
        self.keeper.replace(self._new_client(fresh), "a person registered the station again")
        return True

    async def _take_register_lock(self) -> InstanceLock:
        """``register.lock``, waiting while a person's ``register`` holds it."""
        lock = InstanceLock(self.home.register_lock_file)
        while True:
            try:
                lock.acquire()
            except InstanceLockedError:
                await asyncio.sleep(0.2)
            else:
                return lock

    async def renew_once(self) -> AsyncWATS | None:
        """One renewal attempt for the keeper: prefer credentials a person stored
        meanwhile; else register again (same identifier) with the stored registration
        token, store the new passcode, and return the new client."""
        lock = await self._take_register_lock()
        try:
            fresh = await self._stored_if_new()
            if fresh is not None:
                log.info("using the newly stored credentials of %s", fresh.identifier)
                return self._new_client(fresh)
            token = self.credentials.registration_token
            if token is None:
                raise NeedsPerson(
                    "the server refused the station's passcode, and no registration token "
                    "is stored (the station was registered with a user and password); run "
                    "`pywats-station register` again"
                )
            station = self.config.station
            info = StationInfo(
                identifier=self.credentials.identifier,
                name=station.name,
                location=station.location,
                purpose=station.purpose,
            )
            log.warning("registering %s again with the stored token", info.identifier)
            credentials, _ = await register_station(
                self.credentials.server_url,
                info,
                registration_token=token,
                verify=self.config.server.verify_tls,
            )
            try:
                await asyncio.to_thread(
                    CredentialStore(self.home, self.config.credentials.key_store).save,
                    credentials,
                )
            except CredentialsError as exc:
                # The new passcode works for this run; say that it will be lost.
                log.error("the new passcode could not be stored (%s); using it for this run", exc)
            self._stamp = self._file_stamp()
            log.info("registered again as %s", credentials.identifier)
            return self._new_client(credentials)
        finally:
            lock.release()

    async def watch(self, stop: asyncio.Event, interval: float) -> None:
        """Reload whenever the credentials file changes, until ``stop`` is set."""
        while not stop.is_set():
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=interval)
            if not stop.is_set() and self._file_stamp() != self._stamp:
                await self.reload()

    async def aclose(self) -> None:
        await self.keeper.close()
        for client in [*self.retired, self.keeper.client]:
            await client.aclose()


async def run_service(
    home: StationHome,
    config: StationConfig,
    credentials: StationCredentials,
    stop: asyncio.Event,
    announce: Callable[[str], None] | None = None,
) -> dict[str, object]:
    """Run until ``stop`` is set; returns the final status. The caller holds the lock.

    ``announce`` receives lines for the person who started the station (the console's
    URL, or why it did not start)."""
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
        probes: set[asyncio.Task[object]] = set()

        def probe_now() -> None:
            # Fresh credentials: say so in the connection state at once.
            if connection.state is not ConnectionState.DISCONNECTED:
                task = asyncio.get_running_loop().create_task(connection.probe())
                probes.add(task)
                task.add_done_callback(probes.discard)

        clients.keeper.on_valid = probe_now

        uploader = Uploader(
            queue,
            keeper=clients.keeper,
            policy=retry_policy(config),
            breaker=breaker,
            connection=connection,
            metrics=metrics,
            concurrency=config.upload.concurrency,
            lease_seconds=config.upload.lease,
            max_unfinished_claims=config.upload.max_unfinished_claims,
        )

        quarantine: dict[str, object] = {"count": 0, "latest_reason": None}

        async def refresh_depth() -> None:
            stats = await queue.stats()
            depth = {k: v for k, v in stats.depth.items() if k != "acked"}
            metrics.set_queue_depth({**depth, "quarantined": stats.quarantined})
            if stats.quarantined > int(str(quarantine["count"])):
                # Damaged bytes on disk: the report is set aside, never sent; say so loudly.
                log.error(
                    "%d queue item(s) quarantined (stored bytes damaged); latest: %s; see "
                    "`pywats-station queue list --state quarantined`",
                    stats.quarantined,
                    stats.quarantine_reason,
                )
            quarantine.update(count=stats.quarantined, latest_reason=stats.quarantine_reason)

        # Intake starts before uploads and stops first (its exit runs before the rest of
        # the shutdown below): no new file is taken once the station is stopping.
        parts = contextlib.AsyncExitStack()
        intake = await parts.enter_async_context(
            running_intake(home, config, queue, metrics.registry, stop)
        )

        def status() -> dict[str, object]:
            keeper = clients.keeper
            return {
                **collect_status(metrics, connection, breaker),
                "folders": intake.snapshot(),
                "quarantine": dict(quarantine),
                "credentials": keeper.snapshot(),
                "backpressure": uploader.pressure.snapshot(),
                "uploader": {
                    "paused": None if keeper.is_valid else keeper.reason,
                    "reregistrations": keeper.renewals,
                },
            }

        reporter = StatusReporter(
            home.status_file,
            status,
            interval=config.status.interval,
            refresh=refresh_depth,
        )
        log.info(
            "station %s running: server %s, queue %s",
            credentials.identifier,
            credentials.server_url,
            queue_url(home, config),
        )
        station_settings = StationSettings(home, config.credentials.key_store)
        backend = StationBackend(
            queue=queue,
            metrics=metrics,
            connection=connection,
            breaker=breaker,
            log_file=home.log_dir / "station.log",
            paused=lambda: None if clients.keeper.is_valid else clients.keeper.reason,
            wake_uploader=uploader.wake,
            refresh_depth=refresh_depth,
            settings=station_settings,
            converters=StationConverters(station_settings, intake),
        )
        console_conf = config.console
        console = None
        if console_conf.enabled:
            # Imported here: the web framework loads only for a station that serves it.
            from pywats_station.web._server import open_console

            console = await open_console(
                backend,
                enabled=console_conf.enabled,
                host=console_conf.host,
                port=console_conf.port,
                allow_remote=console_conf.allow_remote,
                allowed_hosts=console_conf.allowed_hosts,
                csrf_secret_file=home.data_dir / "console.secret",
                announce=announce,
            )
        helpers_stop = asyncio.Event()
        backend_task = asyncio.create_task(backend.run(helpers_stop))
        connection_task = asyncio.create_task(connection.run(helpers_stop))
        watcher_task = asyncio.create_task(
            clients.watch(helpers_stop, config.connection.probe_interval)
        )
        reporter_stop = asyncio.Event()
        reporter_task = asyncio.create_task(reporter.run(reporter_stop))
        try:
            await uploader.run(stop, grace=config.upload.shutdown_grace)
        finally:
            await parts.aclose()
            log.info("stopping: intake stopped, uploads finished or handed back")
            if console is not None:
                await console.stop()
            helpers_stop.set()
            await asyncio.gather(
                connection_task, watcher_task, backend_task, return_exceptions=True
            )
            reporter_stop.set()
            await reporter_task  # the final status.json, with the final numbers
            for task in list(probes):
                task.cancel()
            connection.close()
        return status()
    finally:
        await clients.aclose()
        await queue.close()
        log.info("stopped: queue closed, disconnected")
