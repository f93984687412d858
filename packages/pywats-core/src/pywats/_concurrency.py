"""Async-only primitives with their hand-written sync twins, and the rate limiter.

The sync API is generated from the async source by renaming tokens (``tools/codegen.py``):
``async_sleep`` becomes ``sync_sleep`` and ``async_acquire`` becomes ``sync_acquire``.
Each pair lives here, side by side, so the two halves cannot drift apart.
"""

from __future__ import annotations

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
    """Paced limit: at most ``max_requests`` in any ``window_seconds``, spread evenly.

    WATS limits requests per token per minute without publishing the figure; the
    default, 500 per 60 s, is the one olreppe/pyWATS used
    (docs/wire-facts.md#rate-limiting). Requests are spaced ``window_seconds /
    max_requests`` apart (0.12 s by default) instead of going out in a burst that spends
    a whole window's budget at once and then stalls: a backlog leaves at a steady rate,
    and any ``window_seconds`` holds at most ``max_requests`` of them. One limiter
    belongs to one client instance and is shared by all its threads and tasks. Several
    processes using one token each have their own limiter: give each
    ``max_requests / n_processes``.

    Fairness and correctness come from *reserving* a slot: a caller is handed the
    earliest instant that keeps the spacing, and that instant is recorded before the
    caller sleeps. The bookkeeping is guarded by a thread lock held only for that
    arithmetic, never while waiting, so async waits never block the event loop and
    threads never block tasks. A cancelled waiter keeps its reserved slot (the limiter
    errs on the side of sending less).
    """

    __slots__ = (
        "_interval",
        "_lock",
        "_max",
        "_next",
        "_throttled",
        "_total",
        "_waited",
        "_window",
    )

    def __init__(self, max_requests: int = 500, window_seconds: float = 60.0) -> None:
        if max_requests < 1:
            raise ValueError(f"max_requests must be at least 1, not {max_requests}")
        if window_seconds <= 0:
            raise ValueError(f"window_seconds must be positive, not {window_seconds}")
        self._max = max_requests
        self._window = float(window_seconds)
        self._interval = self._window / max_requests
        self._next = float("-inf")  # the earliest instant the next request may start
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

    @property
    def interval(self) -> float:
        """Seconds between two requests: ``window_seconds / max_requests``."""
        return self._interval

    def _reserve(self) -> float:
        """Record the next slot and return the monotonic instant it starts."""
        with self._lock:
            now = time.monotonic()
            start = max(now, self._next)
            # Spacing of ``interval`` keeps any window of ``window_seconds`` at
            # ``max_requests``: n+1 slots span at least n intervals, one whole window.
            self._next = start + self._interval
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
