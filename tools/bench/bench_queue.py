"""pywats-queue throughput beside its floors and persist-queue, in one run (2 KB payloads).

Figures (items per second, higher is better):

* ``floor.file``: write + fsync + rename + directory fsync, the least a durable
  one-file-per-item put can cost; ``floor.sqlite``: one 2 KB INSERT + COMMIT in WAL mode
  with ``synchronous=FULL``, the least a durable SQLite put can cost.
* ``<backend>.put``: durable single puts; ``put_many_100``: items/s in batches of 100.
* ``<backend>.claim_ack_depth_100`` / ``_10000``: claim + ack with that many items
  waiting (the queue is topped up between timed rounds, outside the timing).
* ``<backend>.drain_2000``: claim + ack rate over the first and last 200 of a
  2,000-item drain (does the queue slow as it works?).
* ``persist_queue.*``: its ``SQLiteAckQueue`` (put; get + ack) and its file ``Queue``
  (put; get + task_done), with the durability settings they actually ran with.

Prints one JSON object as the last line.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

PAYLOAD = os.urandom(2048)
_counter = 0


def _key() -> str:
    global _counter
    _counter += 1
    return f"report-{_counter}"


def _rate(count: int, seconds: float) -> float:
    return round(count / seconds, 1) if seconds > 0 else float("inf")


class FileFloor:
    """write + fsync + rename + directory fsync per item: the durable one-file floor."""

    def __init__(self, base: Path) -> None:
        self.base = base
        self.target = base / "floor-file"
        self.target.mkdir()
        self.dir_fd = os.open(self.target, os.O_RDONLY)
        self.n = 0

    def put(self, _payload: bytes) -> None:
        self.n += 1
        tmp = self.base / f"floor-{self.n}.tmp"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        os.write(fd, PAYLOAD)
        os.fsync(fd)
        os.close(fd)
        os.rename(tmp, self.target / f"{self.n}")
        os.fsync(self.dir_fd)


class SqliteFloor:
    """One 2 KB INSERT + COMMIT in WAL mode with synchronous=FULL per item."""

    def __init__(self, base: Path) -> None:
        self.db = sqlite3.connect(base / "floor.db", isolation_level=None)
        self.db.execute("PRAGMA journal_mode = WAL")
        self.db.execute("PRAGMA synchronous = FULL")
        self.db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, payload BLOB)")
        self.synchronous = self.db.execute("PRAGMA synchronous").fetchone()[0]

    def put(self, payload: bytes) -> None:
        self.db.execute("BEGIN")
        self.db.execute("INSERT INTO t (payload) VALUES (?)", (payload,))
        self.db.execute("COMMIT")


def _median(values: list[float]) -> float:
    return round(statistics.median(values), 1)


def interleaved(
    rounds: int, contenders: dict[str, tuple[int, Callable[[], object]]]
) -> dict[str, list[float]]:
    """Time each contender's step ``count`` times per round, alternating, for ``rounds``;
    returns each contender's rate per round.

    The machine is shared, so rates drift; alternating short rounds compares contenders
    under the same conditions, and :func:`paired_ratio` compares them round by round.
    """
    rates: dict[str, list[float]] = {name: [] for name in contenders}
    order = list(contenders.items())
    for round_no in range(rounds):
        # reverse the order every other round, so that no contender always follows another
        for name, (count, step) in order if round_no % 2 == 0 else reversed(order):
            start = time.perf_counter()
            for _i in range(count):
                step()
            rates[name].append(_rate(count, time.perf_counter() - start))
    return rates


def paired_ratio(numerator: list[float], denominator: list[float]) -> float:
    """The median over rounds of the ratio within each round (drift cancels out); not
    rounded, so that targets are judged on the figure itself (it is rounded for output)."""
    return statistics.median(n / d for n, d in zip(numerator, denominator, strict=True))


def _fill(queue: Any, count: int) -> None:
    for start in range(0, count, 1000):
        queue.put_many([(PAYLOAD, _key()) for _ in range(min(1000, count - start))])


def _claim_ack(queue: Any) -> None:
    item = queue.claim(60)
    assert item is not None
    queue.ack(item)


def put_rates(
    base: Path, open_queue: Callable[[str], Any], peers: dict[str, Callable[[], object]]
) -> dict[str, Any]:
    file_q = open_queue(f"file://{base / 'put-file'}")
    sql_q = open_queue(f"sqlite://{base / 'put-sqlite.db'}")
    file_many = open_queue(f"file://{base / 'many-file'}")
    sql_many = open_queue(f"sqlite://{base / 'many-sqlite.db'}")
    file_floor, sql_floor = FileFloor(base), SqliteFloor(base)

    def many(queue: Any) -> Callable[[], object]:
        return lambda: queue.put_many([(PAYLOAD, _key()) for _ in range(100)])

    per_round = interleaved(
        20,
        {
            "floor_file": (80, lambda: file_floor.put(PAYLOAD)),
            "file_put": (80, lambda: file_q.put(PAYLOAD, key=_key())),
            "file_put_many_100_batches": (2, many(file_many)),
            "floor_sqlite": (250, lambda: sql_floor.put(PAYLOAD)),
            "sqlite_put": (250, lambda: sql_q.put(PAYLOAD, key=_key())),
            "sqlite_put_many_100_batches": (6, many(sql_many)),
            **{name: (250, step) for name, step in peers.items()},
        },
    )
    for queue in (file_q, sql_q, file_many, sql_many):
        queue.close()
    for backend in ("file", "sqlite"):
        batches = per_round.pop(f"{backend}_put_many_100_batches")
        per_round[f"{backend}_put_many_100"] = [rate * 100 for rate in batches]
    rates: dict[str, Any] = {name: _median(r) for name, r in per_round.items()}
    rates["floor_sqlite_synchronous"] = sql_floor.synchronous
    rates["paired"] = {
        "file_put_vs_file_floor": paired_ratio(per_round["file_put"], per_round["floor_file"]),
        "sqlite_put_vs_sqlite_floor": paired_ratio(
            per_round["sqlite_put"], per_round["floor_sqlite"]
        ),
        "file_put_many_vs_put": paired_ratio(per_round["file_put_many_100"], per_round["file_put"]),
        "sqlite_put_many_vs_put": paired_ratio(
            per_round["sqlite_put_many_100"], per_round["sqlite_put"]
        ),
    }
    return rates


def depth_rates(base: Path, open_queue: Callable[[str], Any], backend: str) -> dict[str, Any]:
    def url(name: str) -> str:
        return f"file://{base / name}" if backend == "file" else f"sqlite://{base / name}.db"

    shallow, deep = open_queue(url(f"{backend}-d100")), open_queue(url(f"{backend}-d10000"))
    _fill(shallow, 100)
    _fill(deep, 10_000)
    rates: dict[str, list[float]] = {"claim_ack_depth_100": [], "claim_ack_depth_10000": []}
    pair = [("claim_ack_depth_100", shallow), ("claim_ack_depth_10000", deep)]
    for round_no in range(10):
        # alternate which depth goes first, as ``interleaved`` does
        for name, queue in pair if round_no % 2 == 0 else reversed(pair):
            _fill(queue, 100)  # untimed top-up keeps the depth where it was
            start = time.perf_counter()
            for _i in range(100):
                _claim_ack(queue)
            rates[name].append(_rate(100, time.perf_counter() - start))
    shallow.close()
    deep.close()
    return {name: _median(r) for name, r in rates.items()} | {
        "depth_10000_vs_100": paired_ratio(
            rates["claim_ack_depth_10000"], rates["claim_ack_depth_100"]
        )
    }


def drains(base: Path, open_queue: Callable[[str], Any]) -> dict[str, Any]:
    """Drain 2,000 items from each queue, interleaved in slices of 200."""
    drainers: dict[str, Callable[[], None]] = {}
    for backend in ("file", "sqlite"):
        queue = open_queue(
            f"file://{base / 'drain-file'}"
            if backend == "file"
            else f"sqlite://{base / 'drain.db'}"
        )
        _fill(queue, 2000)
        drainers[backend] = lambda queue=queue: _claim_ack(queue)
    peer_note: dict[str, Any] = {}
    try:
        import persistqueue  # type: ignore[import-not-found, unused-ignore]

        pq = persistqueue.SQLiteAckQueue(str(base / "pq-drain"), auto_commit=True)
        for _ in range(2000):
            pq.put(PAYLOAD)

        def pq_get_ack() -> None:
            pq.ack(pq.get(block=False))

        drainers["persist_queue_sqlite_ack"] = pq_get_ack
    except ImportError:
        peer_note["persist_queue_sqlite_ack"] = "persist-queue is not installed"
    slices: dict[str, list[float]] = {name: [] for name in drainers}
    elapsed = dict.fromkeys(drainers, 0.0)
    for _ in range(10):
        for name, step in drainers.items():
            start = time.perf_counter()
            for _i in range(200):
                step()
            took = time.perf_counter() - start
            elapsed[name] += took
            slices[name].append(_rate(200, took))
    return {
        name: {
            "first_200": slices[name][0],
            "last_200": slices[name][-1],
            "overall": _rate(2000, elapsed[name]),
        }
        for name in drainers
    } | peer_note


def persist_queue_setup(base: Path) -> tuple[dict[str, Any], dict[str, Callable[[], object]]]:
    """persist-queue's SQLiteAckQueue and file Queue: their settings and their put steps."""
    try:
        import persistqueue  # type: ignore[import-not-found, unused-ignore]
    except ImportError:
        return {"error": "persist-queue is not installed (pip install persist-queue)"}, {}
    info: dict[str, Any] = {"version": getattr(persistqueue, "__version__", "?")}
    ack_queue = persistqueue.SQLiteAckQueue(str(base / "pq-sqlite"), auto_commit=True)
    conn = ack_queue._putter  # its settings as they are, to report them honestly
    info["sqlite_settings"] = {
        "journal_mode": conn.execute("PRAGMA journal_mode").fetchone()[0],
        "synchronous": conn.execute("PRAGMA synchronous").fetchone()[0],
        "auto_commit": True,
        "acked_rows": "kept (marked acked, never deleted unless clear_acked_data is called)",
    }
    file_queue = persistqueue.Queue(str(base / "pq-file"), tempdir=str(base))
    info["file_settings"] = {
        "chunksize": file_queue.info["chunksize"],
        "autosave": file_queue.autosave,
        "fsync": "data file only when a chunk of chunksize puts fills; the index file "
        "is renamed into place without fsync",
    }
    info["_file_queue"] = file_queue
    steps = {
        "persist_queue_sqlite_ack_put": lambda: ack_queue.put(PAYLOAD),
        "persist_queue_file_put": lambda: file_queue.put(PAYLOAD),
    }
    return info, steps


def persist_queue_file_gets(info: dict[str, Any]) -> None:
    file_queue = info.pop("_file_queue", None)
    if file_queue is None:
        return

    def get_done() -> None:
        file_queue.get(block=False)
        file_queue.task_done()

    info["file_get_task_done"] = interleaved(1, {"x": (1000, get_done)})["x"][0]


def main() -> int:
    from pywats_queue import open_queue

    base = Path(tempfile.mkdtemp(prefix="bench-queue-", dir=os.environ.get("BENCH_TMP")))
    result: dict[str, Any] = {
        "payload_bytes": len(PAYLOAD),
        "python": sys.version.split()[0],
        "sqlite_version": sqlite3.sqlite_version,
    }
    try:
        print("bench queue: puts ...", file=sys.stderr, flush=True)
        peer, peer_puts = persist_queue_setup(base)
        puts = put_rates(base, open_queue, peer_puts)
        for name in peer_puts:
            peer[name.removeprefix("persist_queue_")] = puts.pop(name)
        result["floor"] = {
            "file": puts["floor_file"],
            "sqlite": puts["floor_sqlite"],
            "sqlite_synchronous": puts["floor_sqlite_synchronous"],
        }
        for backend in ("file", "sqlite"):
            print(f"bench queue: {backend} claim+ack ...", file=sys.stderr, flush=True)
            result[backend] = {
                "put": puts[f"{backend}_put"],
                "put_many_100": puts[f"{backend}_put_many_100"],
                **depth_rates(base, open_queue, backend),
            }
        print("bench queue: drains and persist-queue ...", file=sys.stderr, flush=True)
        drained = drains(base, open_queue)
        for backend in ("file", "sqlite"):
            result[backend]["drain_2000"] = drained.pop(backend)
        persist_queue_file_gets(peer)
        if "persist_queue_sqlite_ack" in drained:
            peer["sqlite_ack_get_ack_drain_2000"] = drained["persist_queue_sqlite_ack"]
        result["persist_queue"] = peer
        f, s = result["file"], result["sqlite"]
        # Each ratio is the median of per-round ratios of two rates timed side by side.
        ratios: dict[str, Any] = {
            **puts["paired"],
            "file_claim_ack_depth_10000_vs_100": f.pop("depth_10000_vs_100"),
            "sqlite_claim_ack_depth_10000_vs_100": s.pop("depth_10000_vs_100"),
        }
        targets = {
            "file put >= 0.8 x file floor": ratios["file_put_vs_file_floor"] >= 0.8,
            "sqlite put >= 0.7 x sqlite floor": ratios["sqlite_put_vs_sqlite_floor"] >= 0.7,
            "file claim+ack at depth 10k within 20% of depth 100": (
                ratios["file_claim_ack_depth_10000_vs_100"] >= 0.8
            ),
            "sqlite claim+ack at depth 10k within 20% of depth 100": (
                ratios["sqlite_claim_ack_depth_10000_vs_100"] >= 0.8
            ),
            "file put_many(100) >= 2 x put per item": ratios["file_put_many_vs_put"] >= 2,
            "sqlite put_many(100) >= 5 x put per item": ratios["sqlite_put_many_vs_put"] >= 5,
        }
        if "sqlite_ack_get_ack_drain_2000" in peer:
            pq = peer["sqlite_ack_get_ack_drain_2000"]["overall"]
            ratios["sqlite_claim_ack_vs_persist_queue_get_ack"] = s["drain_2000"]["overall"] / pq
            ratios["sqlite_put_vs_persist_queue_sqlite_put"] = s["put"] / peer["sqlite_ack_put"]
            targets["sqlite claim+ack >= 3 x persist-queue get+ack (2,000-item drain)"] = (
                ratios["sqlite_claim_ack_vs_persist_queue_get_ack"] >= 3
            )
        result["ratios"] = {name: round(value, 3) for name, value in ratios.items()}
        result["targets_met"] = targets
    finally:
        shutil.rmtree(base, ignore_errors=True)
    print(json.dumps(result, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
