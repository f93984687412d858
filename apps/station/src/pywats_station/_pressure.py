"""One back-pressure for the whole station: every worker holds, then sending resumes gently.

A 429 (with or without ``Retry-After``) or an open circuit breaker is about the server
or this station's token, never about one report, so it holds every worker until the
wait is over, not only the one that met it. Afterwards sending resumes gradually: one
upload at a time, one more worker admitted after each success, until all of them send
again (a new refusal starts over at one).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Callable

__all__ = ["Backpressure"]

log = logging.getLogger(__name__)


class Backpressure:
    """Admits workers to send: not before :attr:`hold_until`, at most :attr:`window` at once."""

    def __init__(self, concurrency: int, *, clock: Callable[[], float] = time.monotonic) -> None:
        if concurrency < 1:
            raise ValueError(f"concurrency must be >= 1, got {concurrency}")
        self.concurrency = concurrency
        self.window = concurrency
        """How many workers may send at once now (1 after a hold, growing with successes)."""
        self._clock = clock
        self._hold_until = 0.0
        self.reason: str | None = None
        """Why the station holds (or last held); ``None`` if it never did."""
        self.holds = 0
        """How many holds began (429s and breaker openings that were not already held)."""
        self._sending = 0
        self._waiting = 0
        self._changed = asyncio.Condition()

    # -- what happened -----------------------------------------------------------------

    def hold(self, seconds: float, reason: str) -> None:
        """Hold every worker for ``seconds`` (a longer hold already running stays)."""
        until = self._clock() + max(0.0, seconds)
        if until > self._hold_until:
            if self._hold_until <= self._clock():
                self.holds += 1
                log.warning("holding all uploads for %.1f s: %s", seconds, reason)
            self._hold_until = until
            self.reason = reason
        self.window = 1
        self._notify()

    def succeeded(self) -> None:
        """An upload got through: admit one more worker, up to all of them."""
        if self.window < self.concurrency:
            self.window += 1
            self._notify()

    def hold_remaining(self) -> float:
        return max(0.0, self._hold_until - self._clock())

    def snapshot(self) -> dict[str, object]:
        return {
            "hold_seconds": round(self.hold_remaining(), 3),
            "reason": self.reason,
            "holds": self.holds,
            "window": self.window,
            "concurrency": self.concurrency,
        }

    # -- admission ---------------------------------------------------------------------

    def _notify(self) -> None:
        if not self._waiting:
            return  # nobody to wake: the common case, one task fewer per upload

        async def wake() -> None:
            async with self._changed:
                self._changed.notify_all()

        with contextlib.suppress(RuntimeError):  # no loop: nobody can be waiting
            asyncio.get_running_loop().create_task(wake())

    @contextlib.asynccontextmanager
    async def admit(self, stop: asyncio.Event) -> AsyncIterator[bool]:
        """Wait for a turn to send; yields False if ``stop`` was set meanwhile."""
        while not stop.is_set():
            wait = self.hold_remaining()
            if wait <= 0 and self._sending < self.window:
                break
            self._waiting += 1
            try:
                async with self._changed:
                    # Wake at the end of the hold, on any change, or on stop (polled).
                    with contextlib.suppress(asyncio.TimeoutError):
                        await asyncio.wait_for(
                            self._changed.wait(), timeout=min(wait, 0.25) if wait > 0 else 0.25
                        )
            finally:
                self._waiting -= 1
        if stop.is_set():
            yield False
            return
        self._sending += 1
        try:
            yield True
        finally:
            self._sending -= 1
            self._notify()
