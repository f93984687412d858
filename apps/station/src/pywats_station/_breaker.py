"""A circuit breaker that stops all uploads while the server is down.

CLOSED: calls go through; consecutive failures are counted. OPEN (after
``failure_threshold`` failures in a row): calls are refused at once, without touching the
network. HALF_OPEN (once ``reset_timeout`` seconds have passed): exactly one probe call goes
through, every other caller is refused while it is in flight; its success closes the
breaker, its failure opens it again.

Only transport errors and 5xx answers count as failures; any other answer (even a 400)
proves the server is up. The lock guards only the bookkeeping and is never held while the
call runs, and callbacks run after it is released.
"""

from __future__ import annotations

import enum
import logging
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from pywats import ConnectionError, PyWATSError, TimeoutError
from pywats_station._subscribers import Subscribers

__all__ = [
    "BreakerState",
    "BreakerChange",
    "CircuitBreaker",
    "CircuitOpenError",
    "Permit",
    "counts_as_breaker_failure",
]

log = logging.getLogger(__name__)
T = TypeVar("T")


class BreakerState(enum.Enum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


@dataclass(frozen=True)
class BreakerChange:
    """One state change, as passed to subscribers."""

    old: BreakerState
    new: BreakerState
    reason: str
    at: float
    """The breaker clock's reading (``time.monotonic`` by default)."""


class CircuitOpenError(Exception):
    """The breaker refused the call; nothing was sent. ``retry_in`` seconds until a probe
    may go (0 while another caller's probe is in flight)."""

    def __init__(self, state: BreakerState, retry_in: float) -> None:
        self.state = state
        self.retry_in = retry_in
        if state is BreakerState.HALF_OPEN:
            text = "circuit half-open: another call is probing the server"
        else:
            text = f"circuit open: the server is failing; next probe in {retry_in:.1f} s"
        super().__init__(text)


def counts_as_breaker_failure(error: BaseException) -> bool:
    """Transport errors (connection, timeout) and 5xx answers: the server is not there.

    Judged on pywats errors only: the client translates every transport failure."""
    if isinstance(error, (ConnectionError, TimeoutError)):
        return True
    return isinstance(error, PyWATSError) and (error.status_code or 0) >= 500


class Permit:
    """Permission for one call; give it back with :meth:`CircuitBreaker.record` or
    :meth:`CircuitBreaker.release`."""

    __slots__ = ("done", "generation", "probe")

    def __init__(self, generation: int, probe: bool) -> None:
        self.generation = generation
        self.probe = probe
        self.done = False

    def __repr__(self) -> str:
        return f"Permit(generation={self.generation}, probe={self.probe}, done={self.done})"


BreakerCallback = Callable[[BreakerChange], None]


class CircuitBreaker:
    def __init__(
        self,
        failure_threshold: int = 5,
        reset_timeout: float = 30.0,
        *,
        clock: Callable[[], float] = time.monotonic,
        counts_as_failure: Callable[[BaseException], bool] = counts_as_breaker_failure,
    ) -> None:
        if failure_threshold < 1:
            raise ValueError(f"failure_threshold must be >= 1, got {failure_threshold}")
        if not reset_timeout > 0:
            raise ValueError(f"reset_timeout must be > 0, got {reset_timeout}")
        self.failure_threshold = failure_threshold
        self.reset_timeout = reset_timeout
        self._clock = clock
        self._counts_as_failure = counts_as_failure
        self._lock = threading.Lock()
        self._state = BreakerState.CLOSED
        self._failures = 0
        self._opened_at = 0.0
        self._generation = 0
        self._probe_in_flight = False
        self._subscribers = Subscribers[BreakerChange]("circuit-breaker")

    # -- observation -------------------------------------------------------------------

    @property
    def state(self) -> BreakerState:
        return self._state

    @property
    def consecutive_failures(self) -> int:
        return self._failures

    def retry_in(self) -> float:
        """Seconds until a probe may go; 0 when CLOSED or already due."""
        with self._lock:
            if self._state is not BreakerState.OPEN:
                return 0.0
            return max(0.0, self._opened_at + self.reset_timeout - self._clock())

    def subscribe(self, callback: BreakerCallback) -> Callable[[], None]:
        """Call ``callback`` on every state change; returns a function that unsubscribes.

        Callbacks run in the thread or task that caused the change, after the breaker's
        lock is released; an exception in one is logged and does not reach the caller.
        """
        return self._subscribers.add(callback)

    # -- the protocol ------------------------------------------------------------------

    def _move(self, new: BreakerState, reason: str) -> BreakerChange:
        change = BreakerChange(self._state, new, reason, self._clock())
        self._state = new
        self._generation += 1
        if new is BreakerState.OPEN:
            self._opened_at = change.at
        if new is BreakerState.CLOSED:
            self._failures = 0
        return change

    def _notify(self, change: BreakerChange | None) -> None:
        if change is None:
            return
        log.info("circuit breaker %s -> %s: %s", change.old.value, change.new.value, change.reason)
        self._subscribers.notify(change)

    def acquire(self) -> Permit:
        """A permit for one call, or :class:`CircuitOpenError` if the call must not go."""
        change = None
        with self._lock:
            if self._state is BreakerState.CLOSED:
                return Permit(self._generation, probe=False)
            if self._state is BreakerState.OPEN:
                wait = self._opened_at + self.reset_timeout - self._clock()
                if wait > 0:
                    raise CircuitOpenError(BreakerState.OPEN, wait)
                change = self._move(BreakerState.HALF_OPEN, "reset timeout elapsed; probing")
            elif self._probe_in_flight:
                raise CircuitOpenError(BreakerState.HALF_OPEN, 0.0)
            self._probe_in_flight = True
            permit = Permit(self._generation, probe=True)
        self._notify(change)
        return permit

    def record(self, permit: Permit, error: BaseException | None = None) -> None:
        """Report how the permitted call ended: ``error=None`` for success."""
        change = None
        with self._lock:
            if permit.done:
                raise RuntimeError("this permit was already used")
            permit.done = True
            failed = error is not None and self._counts_as_failure(error)
            current = permit.generation == self._generation
            if permit.probe:
                if current:
                    self._probe_in_flight = False
                    if failed:
                        change = self._move(BreakerState.OPEN, f"probe failed: {error}")
                    else:
                        change = self._move(BreakerState.CLOSED, "probe succeeded")
            elif current and self._state is BreakerState.CLOSED:
                if not failed:
                    self._failures = 0
                else:
                    self._failures += 1
                    if self._failures >= self.failure_threshold:
                        change = self._move(
                            BreakerState.OPEN,
                            f"{self._failures} failures in a row; last: {error}",
                        )
            # Outcomes of calls permitted before the last state change are stale: they
            # say nothing about the server now, and must not close or open anything.
        self._notify(change)

    def release(self, permit: Permit) -> None:
        """Give back a permit whose call ended without an outcome (e.g. cancelled).

        A released probe lets the next caller probe instead.
        """
        with self._lock:
            if permit.done:
                return
            permit.done = True
            if permit.probe and permit.generation == self._generation:
                self._probe_in_flight = False

    async def call(self, fn: Callable[[], Awaitable[T]]) -> T:
        """Run ``await fn()`` under the breaker (raises :class:`CircuitOpenError`)."""
        permit = self.acquire()
        try:
            result = await fn()
        except Exception as exc:
            self.record(permit, exc)
            raise
        except BaseException:
            self.release(permit)
            raise
        self.record(permit, None)
        return result

    def __repr__(self) -> str:
        return (
            f"CircuitBreaker(state={self._state.value}, failures={self._failures}/"
            f"{self.failure_threshold}, reset_timeout={self.reset_timeout})"
        )
