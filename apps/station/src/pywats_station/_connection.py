"""The connection service: the one authority on whether the station is online.

Everything else (uploader, status, console) subscribes to its changes instead of deciding
for itself. It probes the server with an uncached ``GET /api/App/Version``, follows the
circuit breaker's state changes, and keeps track of how long the station has been offline.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pywats import PyWATSError, RateLimitedError
from pywats_station._breaker import (
    BreakerChange,
    BreakerState,
    CircuitBreaker,
    CircuitOpenError,
    counts_as_breaker_failure,
)
from pywats_station._retry import describe_error, is_auth_error
from pywats_station._subscribers import Subscribers

if TYPE_CHECKING:
    from pywats import AsyncWATS

__all__ = ["ConnectionState", "ConnectionChange", "ConnectionService"]

log = logging.getLogger(__name__)


class ConnectionState(enum.Enum):
    DISCONNECTED = "disconnected"
    """Not started, or stopped."""
    CONNECTING = "connecting"
    """Started; the first probe has not answered yet."""
    ONLINE = "online"
    """The server answers."""
    OFFLINE = "offline"
    """The server cannot be reached, fails (5xx) or rate-limits us; retried later."""
    ERROR = "error"
    """The server answers but refuses us (credentials) or answers nonsense; needs a person."""


_NOT_ONLINE = (ConnectionState.OFFLINE, ConnectionState.ERROR)


@dataclass(frozen=True)
class ConnectionChange:
    """One state change, as passed to subscribers."""

    old: ConnectionState
    new: ConnectionState
    reason: str
    at: float
    """Wall-clock time (``time.time()``) of the change."""


ConnectionCallback = Callable[[ConnectionChange], None]


class ConnectionService:
    """Decides and publishes the station's connectivity.

    ``probe`` is an async callable that asks the server something uncached and raises on
    failure; :meth:`for_client` uses ``client.app.version()``. With a ``breaker``, probes
    go through it (an OPEN breaker refuses them without network traffic) and its state
    changes move the connection state: OPEN → OFFLINE, CLOSED → ONLINE.
    """

    def __init__(
        self,
        probe: Callable[[], Awaitable[object]],
        *,
        breaker: CircuitBreaker | None = None,
        probe_interval: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        if not probe_interval > 0:
            raise ValueError(f"probe_interval must be > 0, got {probe_interval}")
        self._probe_fn = probe
        self.breaker = breaker
        self.probe_interval = probe_interval
        self._clock = clock
        self._wall_clock = wall_clock
        self._state = ConnectionState.DISCONNECTED
        self._reason = "not started"
        self._subscribers = Subscribers[ConnectionChange]("connection")
        self._offline_since: float | None = None
        self._offline_total = 0.0
        self.server_version: str | None = None
        self._last_answer = float("-inf")  # clock() of the last answer from the server
        self.last_online_at: float | None = None
        """Wall-clock time of the last moment the server was known to answer."""
        self._unsubscribe_breaker = breaker.subscribe(self._on_breaker) if breaker else None

    @classmethod
    def for_client(
        cls,
        client: AsyncWATS,
        *,
        breaker: CircuitBreaker | None = None,
        probe_interval: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
    ) -> ConnectionService:
        """A service that probes with ``GET /api/App/Version`` (never cached)."""
        return cls(
            client.app.version,
            breaker=breaker,
            probe_interval=probe_interval,
            clock=clock,
            wall_clock=wall_clock,
        )

    # -- observation -------------------------------------------------------------------

    @property
    def state(self) -> ConnectionState:
        return self._state

    @property
    def reason(self) -> str:
        """Why the service is in its current state (an error description when not online)."""
        return self._reason

    def offline_for(self) -> float:
        """Seconds of the current offline stretch (OFFLINE or ERROR); 0 when online."""
        if self._offline_since is None:
            return 0.0
        return max(0.0, self._clock() - self._offline_since)

    def total_offline(self) -> float:
        """Seconds spent offline since the service was created, the current stretch included."""
        return self._offline_total + self.offline_for()

    def subscribe(self, callback: ConnectionCallback) -> Callable[[], None]:
        """Call ``callback`` on every state change; returns a function that unsubscribes.

        An exception in a callback is logged and does not stop the others.
        """
        return self._subscribers.add(callback)

    # -- state changes -----------------------------------------------------------------

    def _set(self, new: ConnectionState, reason: str) -> None:
        old = self._state
        self._reason = reason
        if new is ConnectionState.ONLINE:
            self.last_online_at = self._wall_clock()
        if new is old:
            return
        now = self._clock()
        if new in _NOT_ONLINE and self._offline_since is None:
            self._offline_since = now
        elif (
            new in (ConnectionState.ONLINE, ConnectionState.DISCONNECTED)
            and self._offline_since is not None
        ):
            self._offline_total += max(0.0, now - self._offline_since)
            self._offline_since = None
        self._state = new
        change = ConnectionChange(old, new, reason, self._wall_clock())
        log.info("connection %s -> %s: %s", old.value, new.value, reason)
        self._subscribers.notify(change)

    def _on_breaker(self, change: BreakerChange) -> None:
        if self._state is ConnectionState.DISCONNECTED:
            return
        if change.new is BreakerState.OPEN:
            self._set(ConnectionState.OFFLINE, f"circuit breaker open: {change.reason}")
        elif change.new is BreakerState.CLOSED:
            self._set(ConnectionState.ONLINE, "circuit breaker closed")

    def report(self, error: BaseException | None) -> None:
        """Feed the outcome of a server call made elsewhere (``None`` for success)."""
        if self._state is ConnectionState.DISCONNECTED:
            return
        if error is None:
            self._last_answer = self._clock()
            self._set(ConnectionState.ONLINE, "the server answered")
        else:
            state = self._classify(error)
            if state is not None:
                self._set(state, describe_error(error))

    @staticmethod
    def _classify(error: BaseException) -> ConnectionState | None:
        """The state an error implies; ``None`` when it says nothing about connectivity."""
        if counts_as_breaker_failure(error) or isinstance(error, RateLimitedError):
            return ConnectionState.OFFLINE
        if is_auth_error(error):
            return ConnectionState.ERROR
        if isinstance(error, PyWATSError) and error.status_code is None:
            # No status: an answer we could not use (bad body, wrong id acknowledged).
            return ConnectionState.ERROR
        # A 400 about one report says the server is up and listening; an error raised
        # on our side (a malformed queued item) says nothing about the server at all.
        return None

    # -- actions -----------------------------------------------------------------------

    async def probe(self) -> ConnectionState:
        """Ask the server now (uncached) and update the state from the answer."""
        if self._state is ConnectionState.DISCONNECTED:
            raise RuntimeError("call connect() before probe()")
        try:
            if self.breaker is not None:
                answer = await self.breaker.call(self._probe_fn)
            else:
                answer = await self._probe_fn()
        except CircuitOpenError as exc:
            self._set(ConnectionState.OFFLINE, str(exc))
        except Exception as exc:
            state = self._classify(exc) or ConnectionState.ERROR
            self._set(state, describe_error(exc))
        else:
            if isinstance(answer, str):
                self.server_version = answer
            self._set(ConnectionState.ONLINE, "the server answered the probe")
        return self._state

    async def connect(self) -> ConnectionState:
        """Start: CONNECTING, then the first probe decides."""
        if self._state is ConnectionState.DISCONNECTED:
            self._set(ConnectionState.CONNECTING, "connecting")
        return await self.probe()

    def disconnect(self) -> None:
        """Stop: DISCONNECTED; later breaker changes are ignored until :meth:`connect`."""
        self._set(ConnectionState.DISCONNECTED, "disconnected")

    def close(self) -> None:
        """Disconnect and stop following the breaker."""
        self.disconnect()
        if self._unsubscribe_breaker is not None:
            self._unsubscribe_breaker()
            self._unsubscribe_breaker = None

    def _next_wait(self) -> float:
        wait = self.probe_interval
        if self.breaker is not None and self.breaker.state is BreakerState.OPEN:
            # Probe as soon as the breaker lets a probe through, if that is sooner.
            wait = min(wait, max(self.breaker.retry_in(), 0.01))
        return wait

    async def run(self, stop: asyncio.Event) -> None:
        """Connect, probe every ``probe_interval`` seconds until ``stop`` is set, disconnect.

        A probe is skipped while calls reported with :meth:`report` keep succeeding
        within the interval: they already prove the server answers, and a probe would
        only spend the token's request budget."""
        try:
            await self.connect()
            while not stop.is_set():
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout=self._next_wait())
                if stop.is_set():
                    break
                recent = self._clock() - self._last_answer < self.probe_interval
                if not (recent and self._state is ConnectionState.ONLINE):
                    await self.probe()
        finally:
            self.disconnect()

    def snapshot(self) -> dict[str, object]:
        """The state for status output."""
        return {
            "state": self._state.value,
            "reason": self._reason,
            "offline_seconds": round(self.offline_for(), 3),
            "total_offline_seconds": round(self.total_offline(), 3),
            "server_version": self.server_version,
            "last_online_at": self.last_online_at,
        }
