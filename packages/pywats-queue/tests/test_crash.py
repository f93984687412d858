"""SIGKILL a working producer/consumer at random moments; the queue must stay exact.

After every kill the queue is reopened and checked: every put that returned is present
exactly once, every ack that returned is still acknowledged, no item is in two states,
and no lease outlives its expiry (expired leases are claimable again).
"""

from __future__ import annotations

import multiprocessing
import os
import random
import signal
import time
from collections import Counter
from pathlib import Path

import pytest

from pywats_queue import State, open_queue
from pywats_queue._file import REWRITE_GUARD_SECONDS

LEASE = 0.25
KILLS_PER_BACKEND = 100
ROUNDS_PER_QUEUE = 10  # a fresh queue now and then keeps each check quick
_STATE_DIRS = ("ready", "leased", "acked", "dead")


def _worker(url: str, write_fd: int, seed: int) -> None:
    """Child: random puts, claims, acks, nacks, dead letters and releases, forever.

    Each line is written to the pipe only after the call returned, so the parent learns
    exactly which operations completed. Pipe contents survive the writer's SIGKILL.
    """
    rnd = random.Random(seed)
    queue = open_queue(url)
    payload = os.urandom(2048)

    def report(line: str) -> None:
        os.write(write_fd, (line + "\n").encode())

    n = 0
    while True:
        roll = rnd.random()
        if roll < 0.35:
            key = f"{seed}-{n}"
            n += 1
            report(f"P {key} {queue.put(payload + key.encode(), key=key)}")
        elif roll < 0.45:
            keys = [f"{seed}-{n + i}" for i in range(rnd.randint(2, 8))]
            n += len(keys)
            ids = queue.put_many([(payload + k.encode(), k) for k in keys])
            for key, item_id in zip(keys, ids, strict=True):
                report(f"P {key} {item_id}")
        else:
            item = queue.claim(LEASE)
            if item is None:
                continue
            action = rnd.random()
            if action < 0.5:
                queue.ack(item)
                report(f"A {item.id}")
            elif action < 0.75:
                queue.nack(item, "transient", time.time() + rnd.random() * 0.1)
            elif action < 0.82:
                queue.dead(item, "invalid")
                report(f"D {item.id}")
            elif action < 0.92:
                queue.release(item)
            # else: keep the lease and let it expire


def _raw_file_states(root: Path) -> Counter[str]:
    """How many state files each id has on disk (must be exactly one)."""
    seen: Counter[str] = Counter()
    for state in _STATE_DIRS:
        for name in os.listdir(root / state):
            seen[name.partition("~")[0]] += 1
    return seen


def _check(
    url: str,
    root: Path | None,
    puts: dict[str, str],
    acked: set[str],
    dead: set[str],
    check_leases: bool,
) -> tuple[int, int]:
    with open_queue(url) as queue:
        items = list(queue.items())
        by_key = Counter(i.key for i in items)
        assert [k for k, c in by_key.items() if c > 1] == [], "duplicate keys"
        by_id = {i.id: i for i in items}
        assert len(by_id) == len(items), "an id appears twice"
        if root is not None:
            raw = _raw_file_states(root)
            assert [i for i, c in raw.items() if c > 1] == [], "an item is in two states"
            assert set(raw) == set(by_id)
        for key, item_id in puts.items():
            assert item_id in by_id, f"put {key} -> {item_id} returned but the item is lost"
            assert by_id[item_id].key == key
            assert by_id[item_id].payload.endswith(key.encode())
        for item_id in acked:
            assert by_id[item_id].state is State.ACKED, f"acked {item_id} is not acked"
        for item_id in dead:
            assert by_id[item_id].state in (State.DEAD, State.ACKED)
        now = time.time()
        leased = [i for i in items if i.state is State.LEASED]
        for item in leased:
            assert item.lease_expires_at is not None
            # a lease is its length, or the short renewal a nack/dead rewrite takes
            limit = now + max(LEASE, REWRITE_GUARD_SECONDS) + 1.0
            assert item.lease_expires_at <= limit, "lease set beyond its length"
        if check_leases and leased:
            last_expiry = max(i.lease_expires_at or 0 for i in leased)
            time.sleep(max(0.0, last_expiry - time.time() + 0.01))  # may have passed already
            taken = []
            while (item := queue.claim(30)) is not None:
                taken.append(item)
            assert {i.id for i in leased} <= {i.id for i in taken}, "an expired lease is stuck"
            for item in taken:
                queue.release(item)
        return len(items), queue.stats().quarantined


def _run_crashes(backend: str, base: Path, seed: int) -> dict[str, int]:
    ctx = multiprocessing.get_context("fork")
    rnd = random.Random(seed)
    totals = Counter[str]()
    for generation in range(KILLS_PER_BACKEND // ROUNDS_PER_QUEUE):
        if backend == "file":
            root: Path | None = base / f"{backend}-{generation}"
            url = f"file://{root}"
        else:
            root = None
            url = f"sqlite://{base / f'{backend}-{generation}.db'}"
        puts: dict[str, str] = {}
        acked: set[str] = set()
        dead: set[str] = set()
        items = 0
        for round_no in range(ROUNDS_PER_QUEUE):
            read_fd, write_fd = os.pipe()
            child = ctx.Process(
                target=_worker, args=(url, write_fd, seed * 1000 + generation * 100 + round_no)
            )
            child.start()
            os.close(write_fd)
            time.sleep(rnd.uniform(0.02, 0.15))
            os.kill(child.pid or 0, signal.SIGKILL)
            child.join()
            assert child.exitcode == -signal.SIGKILL, "the child died on its own"
            chunks = []
            while data := os.read(read_fd, 65536):
                chunks.append(data)
            os.close(read_fd)
            for line in b"".join(chunks).decode().splitlines():
                kind, *rest = line.split()
                if kind == "P":
                    key, item_id = rest
                    assert puts.setdefault(key, item_id) == item_id
                elif kind == "A":
                    acked.add(rest[0])
                elif kind == "D":
                    dead.add(rest[0])
            totals["kills"] += 1
            items, quarantined = _check(url, root, puts, acked, dead, round_no % 4 == 3)
        totals["items"] += items
        totals["puts_confirmed"] += len(puts)
        totals["acks_confirmed"] += len(acked)
        totals["quarantined"] += quarantined
    return dict(totals)


@pytest.mark.slow
@pytest.mark.timeout(400)
@pytest.mark.skipif(not hasattr(os, "fork"), reason="the crash test forks its workers")
def test_sigkill_at_random_moments_loses_and_duplicates_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], random_seed: int
) -> None:
    seed = random_seed % 10**6  # PYWATS_TEST_SEED replays the kill moments
    results = {}
    for backend in ("file", "sqlite"):
        results[backend] = _run_crashes(backend, tmp_path, seed)
    with capsys.disabled():
        print(f"\ncrash test (seed {seed}): {results}")
    total_kills = sum(r["kills"] for r in results.values())
    assert total_kills >= 200
    for result in results.values():
        assert result["puts_confirmed"] > 0
        assert result["acks_confirmed"] > 0
