"""Async-only primitives with their hand-written sync twins, and the rate limiter.

The sync API is generated from the async source by renaming tokens (``tools/codegen.py``):
``async_sleep`` becomes ``sync_sleep`` and ``async_acquire`` becomes ``sync_acquire``.
Each pair lives here, side by side, so the two halves cannot drift apart.
"""

from __future__ import annotations

import collections
import threading
import time
from dataclasses import dataclass

import anyio

__all__ = [
    "async_sleep",
    "sync_sleep",
    "RateLimiter",
    "RateLimiterStats",
]


async def async_sleep(seconds: float) -> None:
    """Sleep without blocking the event loop (asyncio or trio)."""
    await anyio.sleep(seconds)


def sync_sleep(seconds: float) -> None:
    """Sleep the calling thread."""
    time.sleep(seconds)


@dataclass(frozen=True)
class RateLimiterStats:
    """Counters of one :class:`RateLimiter` since it was made."""

    total_requests: int
    total_wait_time: float
    throttle_count: int


class RateLimiter:
    """Sliding-window limit: at most ``max_requests`` in any ``window_seconds``.

    WATS limits requests per token per minute without publishing the figure; the
    default, 500 per 60 s, is the one olreppe/pyWATS used
    (docs/wire-facts.md#rate-limiting). One limiter belongs to one client instance and is
    shared by all its threads and tasks. Several processes using one token each have
    their own limiter: give each ``max_requests / n_processes``.

    Fairness and correctness come from *reserving* a slot: a caller is handed the
    earliest instant at which one more request keeps every window within the limit,
    and that instant is recorded before the caller sleeps. The bookkeeping is guarded
    by a thread lock held only for that arithmetic, never while waiting, so async waits
    never block the event loop and threads never block tasks. A cancelled waiter keeps
    its reserved slot (the limiter errs on the side of sending less).
    """

    __slots__ = ("_lock", "_max", "_slots", "_throttled", "_total", "_waited", "_window")

    def __init__(self, max_requests: int = 500, window_seconds: float = 60.0) -> None:
        if max_requests < 1:
            raise ValueError(f"max_requests must be at least 1, not {max_requests}")
        if window_seconds <= 0:
            raise ValueError(f"window_seconds must be positive, not {window_seconds}")
        self._max = max_requests
        self._window = float(window_seconds)
        self._slots: collections.deque[float] = collections.deque()
        self._lock = threading.Lock()
        self._total = 0
        self._waited = 0.0
        self._throttled = 0

    @property
    def max_requests(self) -> int:
        return self._max

    @property
    def window_seconds(self) -> float:
        return self._window

    def _reserve(self) -> float:
        """Record the next slot and return the monotonic instant it starts."""
        with self._lock:
            now = time.monotonic()
            slots = self._slots
            horizon = now - self._window
            while slots and slots[0] <= horizon:
                slots.popleft()
            start = now if len(slots) < self._max else max(now, slots[-self._max] + self._window)
            slots.append(start)
            self._total += 1
            if start > now:
                self._throttled += 1
                self._waited += start - now
            return start

    async def async_acquire(self) -> None:
        """Wait (without blocking the event loop) until one more request may go."""
        start = self._reserve()
        while (remaining := start - time.monotonic()) > 0:
            await async_sleep(remaining)

    def sync_acquire(self) -> None:
        """Block the calling thread until one more request may go."""
        start = self._reserve()
        while (remaining := start - time.monotonic()) > 0:
            sync_sleep(remaining)

    def stats(self) -> RateLimiterStats:
        with self._lock:
            return RateLimiterStats(self._total, self._waited, self._throttled)
