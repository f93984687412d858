"""The paced rate limiter under mixed async and thread load."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from pywats import RateLimiter

LIMIT = 10
WINDOW = 0.6


def _ahead_of_schedule(times: list[float], started: float, interval: float) -> list[int]:
    """The places (in time order) of requests that went before the paced schedule lets
    them: the k-th request may go ``k * interval`` after the start at the earliest.

    A busy machine can only make a request later than its slot, never earlier, so this
    holds however loaded the machine is; a limiter that lets requests burst breaks it.
    Pacing by ``window / limit`` keeps any window at ``limit`` requests (see
    ``RateLimiter._reserve``)."""
    return [k for k, moment in enumerate(sorted(times)) if moment < started + k * interval - 1e-9]


def test_tasks_and_threads_sharing_one_limiter_never_exceed_it() -> None:
    limiter = RateLimiter(max_requests=LIMIT, window_seconds=WINDOW)
    times: list[float] = []
    lock = threading.Lock()

    def record() -> None:
        with lock:
            times.append(time.monotonic())

    def worker_thread() -> None:
        for _ in range(5):
            limiter.sync_acquire()
            record()

    async def worker_task() -> None:
        for _ in range(3):
            await limiter.async_acquire()
            record()

    async def main() -> None:
        threads = [threading.Thread(target=worker_thread) for _ in range(4)]
        for thread in threads:
            thread.start()
        await asyncio.gather(*(worker_task() for _ in range(20)))
        await asyncio.to_thread(lambda: [t.join() for t in threads])

    started = time.monotonic()
    asyncio.run(main())

    assert len(times) == 20 * 3 + 4 * 5
    # Paced, not bursting: the 80 requests went no faster than one per interval.
    assert _ahead_of_schedule(times, started, limiter.interval) == []
    stats = limiter.stats()
    assert stats.total_requests == 80
    # Everything after the first few waited for its turn.
    assert stats.throttle_count >= 80 - LIMIT
    assert stats.total_wait_time > 0


def test_a_backlog_leaves_evenly_instead_of_in_a_burst() -> None:
    limiter = RateLimiter(max_requests=LIMIT, window_seconds=WINDOW)
    times = []
    started = time.monotonic()
    for _ in range(2 * LIMIT):
        limiter.sync_acquire()
        times.append(time.monotonic())
    # A burst would send a whole window's LIMIT requests at its first instant; paced,
    # each one waits its interval after the one before.
    assert _ahead_of_schedule(times, started, limiter.interval) == []


def test_the_check_itself_detects_a_burst() -> None:
    # Guard against a vacuous check: a burst of LIMIT + 1 at the start is caught (all
    # but the first went early), and the same requests paced one interval apart are not.
    interval = WINDOW / LIMIT
    burst = [0.0] * (LIMIT + 1)
    assert _ahead_of_schedule(burst, 0.0, interval) == list(range(1, LIMIT + 1))
    assert _ahead_of_schedule([k * interval for k in range(LIMIT + 1)], 0.0, interval) == []


def test_waiting_task_does_not_block_the_event_loop() -> None:
    limiter = RateLimiter(max_requests=1, window_seconds=0.5)
    ticks: list[float] = []

    async def ticker(stop: asyncio.Event) -> None:
        while not stop.is_set():
            ticks.append(time.monotonic())
            await asyncio.sleep(0.01)

    async def main() -> tuple[float, float]:
        stop = asyncio.Event()
        tick_task = asyncio.create_task(ticker(stop))
        await limiter.async_acquire()  # takes the only slot
        began = time.monotonic()
        await limiter.async_acquire()  # must wait ~0.5 s for its slot
        ended = time.monotonic()
        stop.set()
        await tick_task
        return began, ended

    began, ended = asyncio.run(main())
    assert ended - began >= 0.45
    during = [t for t in ticks if began < t < ended]
    # A blocking wait would leave no ticks at all; a free loop ticks ~every 10 ms.
    assert len(during) >= 10


def test_thread_waiting_does_not_block_tasks() -> None:
    limiter = RateLimiter(max_requests=1, window_seconds=0.5)
    limiter.sync_acquire()
    ticks: list[float] = []

    async def main() -> tuple[float, float]:
        began = time.monotonic()
        waiter = asyncio.create_task(asyncio.to_thread(limiter.sync_acquire))
        while not waiter.done():
            ticks.append(time.monotonic())
            await asyncio.sleep(0.01)
        return began, time.monotonic()

    began, ended = asyncio.run(main())
    assert ended - began >= 0.4
    assert len(ticks) >= 10


@pytest.mark.parametrize(("requests", "window"), [(0, 1.0), (1, 0.0), (5, -1.0)])
def test_rejects_nonsense_settings(requests: int, window: float) -> None:
    with pytest.raises(ValueError, match="must be"):
        RateLimiter(max_requests=requests, window_seconds=window)
