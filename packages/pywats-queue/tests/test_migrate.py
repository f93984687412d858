"""Migration between backends keeps every item and state; an interrupted run can be rerun."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from pywats_queue import Item, State, migrate, open_queue

COUNT = 4_000  # each file item costs an fsync: enough to interrupt a run midway
# items acknowledged, dead-lettered, retried later and left leased, then ready again
ACKED, DEAD, LATER, LEASED, AGAIN = 600, 320, 360, 200, 120
STATES = {"acked": ACKED, "dead": DEAD, "leased": LEASED, "ready": COUNT - ACKED - DEAD - LEASED}


def _fingerprint(item: Item) -> tuple[object, ...]:
    return (
        item.state,
        item.attempts,
        item.claims,
        item.last_error,
        item.payload,
        dict(item.meta),
        round(item.created_at, 3),
        round(item.next_attempt_at, 3) if item.state is State.READY else None,
        round(item.lease_expires_at or 0, 3),
        round(item.finished_at or 0, 3),
    )


def _build(url: str) -> dict[str, tuple[object, ...]]:
    """COUNT items: ready, retried (attempts 1), leased, acked and dead; by key."""
    with open_queue(url) as queue:
        for start in range(0, COUNT, 1000):
            queue.put_many(
                [(os.urandom(64) + b"%d" % i, f"report-{i}") for i in range(start, start + 1000)]
            )
        later = time.time() + 3600
        for n in range(ACKED + DEAD + LATER + LEASED):
            item = queue.claim(3600)
            assert item is not None
            if n < ACKED:
                queue.ack(item)
            elif n < ACKED + DEAD:
                queue.dead(item, f"400 bad report {n}")
            elif n < ACKED + DEAD + LATER:
                queue.nack(item, "503", retry_at=later + n)
            # the last LEASED stay leased
        for _ in range(AGAIN):
            item = queue.claim(3600)
            assert item is not None
            queue.nack(item, "timeout", retry_at=time.time())  # ready now, attempts 1
        snapshot = {item.key: _fingerprint(item) for item in queue.items()}
    states = Counter(fp[0] for fp in snapshot.values())
    assert {str(state): n for state, n in states.items()} == STATES
    return snapshot


@pytest.fixture(scope="module")
def sources(
    tmp_path_factory: pytest.TempPathFactory,
) -> dict[str, tuple[str, dict[str, tuple[object, ...]]]]:
    base = tmp_path_factory.mktemp("sources")
    built = {}
    for backend, url in (
        ("file", f"file://{base / 'src'}"),
        ("sqlite", f"sqlite://{base / 'src.db'}"),
    ):
        built[backend] = (url, _build(url))
    return built


def _snapshot(url: str) -> dict[str, tuple[object, ...]]:
    with open_queue(url) as queue:
        items = list(queue.items())
    fingerprints = {item.key: _fingerprint(item) for item in items}
    assert len(fingerprints) == len(items), "a key is stored twice"
    return fingerprints


@pytest.mark.slow
@pytest.mark.timeout(600)
@pytest.mark.parametrize(("src_backend", "dst_backend"), [("file", "sqlite"), ("sqlite", "file")])
def test_migration_of_thousands_of_items_preserves_items_and_states(
    sources: dict[str, tuple[str, dict[str, tuple[object, ...]]]],
    tmp_path: Path,
    src_backend: str,
    dst_backend: str,
) -> None:
    src_url, expected = sources[src_backend]
    dst_url = (
        f"file://{tmp_path / 'dst'}" if dst_backend == "file" else f"sqlite://{tmp_path / 'dst.db'}"
    )
    with open_queue(src_url) as src, open_queue(dst_url) as dst:
        result = migrate(src, dst)
        assert result.copied == COUNT
        assert result.by_state == STATES
        again = migrate(src, dst)  # a rerun copies nothing new
        assert (again.copied, again.already_present) == (0, COUNT)
    assert _snapshot(dst_url) == expected
    assert _snapshot(src_url) == expected  # the source is left as it was


def _count_in(dst_url: str, dst_path: Path) -> int:
    if dst_url.startswith("file"):
        # The child may have made the queue directory but not yet its state directories.
        states = [dst_path / s for s in ("ready", "leased", "acked", "dead")]
        return sum(len(os.listdir(s)) for s in states if s.is_dir())
    try:
        db = sqlite3.connect(f"file:{dst_path}?mode=ro", uri=True, timeout=5)
        try:
            return int(db.execute("SELECT COUNT(*) FROM items").fetchone()[0])
        finally:
            db.close()
    except sqlite3.Error:
        return 0


@pytest.mark.slow
@pytest.mark.timeout(600)
@pytest.mark.parametrize(("src_backend", "dst_backend"), [("file", "sqlite"), ("sqlite", "file")])
def test_interrupted_migration_rerun_completes_without_duplicates(
    sources: dict[str, tuple[str, dict[str, tuple[object, ...]]]],
    tmp_path: Path,
    src_backend: str,
    dst_backend: str,
) -> None:
    src_url, expected = sources[src_backend]
    dst_path = tmp_path / ("dst" if dst_backend == "file" else "dst.db")
    dst_url = f"{dst_backend}://{dst_path}"
    command = [sys.executable, "-m", "pywats_queue", "migrate", src_url, dst_url]
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    copied_at_kill = 0
    while proc.poll() is None:
        if dst_path.exists():
            copied_at_kill = _count_in(dst_url, dst_path)
            if copied_at_kill >= 1000:
                proc.send_signal(signal.SIGKILL)
                break
        time.sleep(0.005)
    proc.communicate()
    assert proc.returncode == -signal.SIGKILL, "the migration finished before it could be killed"
    assert 0 < copied_at_kill < COUNT
    rerun = subprocess.run(command, capture_output=True, text=True, check=False)
    assert rerun.returncode == 0, rerun.stderr
    assert "all verified" in rerun.stdout
    assert _snapshot(dst_url) == expected
