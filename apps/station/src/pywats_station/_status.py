"""The periodically written ``status.json``: metrics, connectivity and breaker in one file."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import time
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path
from typing import Any

from pywats_station._breaker import CircuitBreaker
from pywats_station._connection import ConnectionService
from pywats_station._files import write_status
from pywats_station._metrics import StationMetrics
from pywats_station._version import __version__

__all__ = ["StatusReporter", "collect_status"]

log = logging.getLogger(__name__)


def collect_status(
    metrics: StationMetrics,
    connection: ConnectionService | None = None,
    breaker: CircuitBreaker | None = None,
) -> dict[str, Any]:
    """One status snapshot; refreshes the offline-time gauge from the connection service."""
    status: dict[str, Any] = {}
    if connection is not None:
        metrics.set_offline_seconds(connection.offline_for())
        status["connection"] = connection.snapshot()
    if breaker is not None:
        status["breaker"] = {
            "state": breaker.state.value,
            "consecutive_failures": breaker.consecutive_failures,
            "retry_in_seconds": round(breaker.retry_in(), 3),
        }
    status["metrics"] = metrics.snapshot()
    return status


class StatusReporter:
    """Writes ``status.json`` every ``interval`` seconds while :meth:`run` runs, and once
    more when it stops, so the file always ends with the final numbers.

    ``refresh`` (async, optional) runs before each write, e.g. to read the queue depth;
    ``collect`` returns the body; the reporter adds ``written_at`` (Unix time), ``pid``
    and ``version``. Each write is atomic (temporary file, fsync, rename) and runs in a
    worker thread so the fsync never stalls the event loop. A failed write is logged and
    retried at the next interval; it never stops the station.
    """

    def __init__(
        self,
        path: Path,
        collect: Callable[[], Mapping[str, Any]],
        *,
        interval: float = 10.0,
        refresh: Callable[[], Awaitable[None]] | None = None,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        if not interval > 0:
            raise ValueError(f"interval must be > 0, got {interval}")
        self.path = path
        self.interval = interval
        self._collect = collect
        self._refresh = refresh
        self._wall_clock = wall_clock
        self.writes = 0
        self.failures = 0

    def _body(self) -> dict[str, Any]:
        body = dict(self._collect())
        body.update(written_at=self._wall_clock(), pid=os.getpid(), version=__version__)
        return body

    async def _write(self) -> None:
        if self._refresh is not None:
            try:
                await self._refresh()
            except Exception as exc:  # stale numbers beat no status file
                log.warning("could not refresh the status: %s", exc)
        body = self._body()  # collected on the loop: the metrics are not thread-safe
        try:
            await asyncio.to_thread(write_status, self.path, body)
        except (OSError, ValueError, TypeError) as exc:
            self.failures += 1
            log.warning("could not write %s: %s", self.path, exc)
        else:
            self.writes += 1

    async def run(self, stop: asyncio.Event) -> None:
        """Write every ``interval`` seconds until ``stop`` is set, then write once more."""
        while not stop.is_set():
            await self._write()
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=self.interval)
        await self._write()
