"""Station throughput: reports per second through the whole delivery path.

Ours: 1,000 copies of Virinco's WSJF UUT example (each with a fresh report id and serial
number) are put into the station's durable queue one by one (fsync'd) while the
station's uploader (`pywats_station.Uploader`: claim → POST /api/Report/WSJF with
Idempotency-Key → ack, through the circuit breaker and retry policy) delivers them to
the fake WATS server, which runs in its own process (`python -m pywats_testing serve`)
over loopback. Measured from the first enqueue to the last acknowledgement; both queue
backends, one, two and four upload workers (`[upload] concurrency`; the default is two).

Peer: the published `pywats-api` package (its own venv, cache off, throttle off, no
retries) posting the same 1,000 documents directly (no queue, no durability, no
idempotency key), sequentially, against the same fake in the same run.

Why the Virinco example and not `uut-wsjf-export.json`: the fake, like WATS, refuses that
server export on re-import because of its loop summaries, and `serve` has no switch to
relax that.

Also measured, in the same run: where the time of one delivery goes (each durable queue
step and the POST on its own, per report), and the peak memory of `submit` and of the
uploader for one report of about 50 MB (`_station_memory.py`, a process each). For `submit`
also its converter worker's growth: the worker's peak minus its peak for a small report;
`submit_with_worker_x_report` adds the two growths (an upper bound: the peaks need not
coincide).
Prints one JSON object as its last line.
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from _peers import peer_python

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
REPORTS = 1000
ROUNDS = 3
TOKEN = "YmVuY2g6c3RhdGlvbg=="  # a made-up API token for the fake
EXAMPLE = Path("olreppe-pyWATS") / "virinco-examples" / "WATS - WSJF UUT Example file.json"

PEER_SCRIPT = """
import json, sys, time
from pywats import pyWATS
from pywats.core.throttle import configure_throttling
configure_throttling(enabled=False)
url, token, path = sys.argv[1], sys.argv[2], sys.argv[3]
documents = [json.loads(line) for line in open(path, encoding="utf-8")]
api = pyWATS(base_url=url, token=token, enable_cache=False, retry_enabled=False)
assert api.analytics.get_version() == "2026.1.5.324"
t = time.perf_counter()
for document in documents:
    assert api.report.submit_report(document) is not None
print(json.dumps({"seconds": time.perf_counter() - t, "reports": len(documents)}))
"""


def _reference_dir() -> Path:
    return Path(os.environ.get("PYWATS_REFERENCE_DIR", ROOT.parent / "shared" / "reference"))


def _documents(template: dict[str, Any], tag: str) -> list[dict[str, Any]]:
    documents = []
    for i in range(REPORTS):
        document = dict(template)
        document["id"] = str(uuid.uuid4())
        document["sn"] = f"BENCH-{tag}-{i:05d}"
        documents.append(document)
    return documents


class Fake:
    """The fake WATS server in its own process."""

    def __init__(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "pywats_testing", "serve", "--port", "0", "--token", TOKEN],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            stdin=subprocess.DEVNULL,
        )
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline().decode()
        if "listening on " not in line:
            self.stop()
            raise RuntimeError(f"the fake did not start: {line!r}")
        self.url = line.split("listening on ", 1)[1].strip()

    def stats(self) -> dict[str, Any]:
        import httpx

        return dict(httpx.get(f"{self.url}/_fake/stats", timeout=10).json())

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(20)


async def _ours(
    url: str, queue_url: str, documents: list[bytes], keys: list[str], workers: int
) -> float:
    import pywats
    from pywats_queue import AsyncQueue
    from pywats_station import CircuitBreaker, RetryPolicy, Uploader

    queue = await AsyncQueue.open(queue_url)
    client = pywats.AsyncWATS(url, TOKEN, rate_limiter=pywats.RateLimiter(10**9, 60))
    assert await client.app.version() == "2026.1.5.324"  # connection warm, like the peer's
    uploader = Uploader(
        queue,
        client,
        policy=RetryPolicy(),
        breaker=CircuitBreaker(),
        concurrency=workers,
        idle_interval=0.005,
    )
    stop = asyncio.Event()
    started = time.perf_counter()
    runner = asyncio.create_task(uploader.run(stop))
    for payload, key in zip(documents, keys, strict=True):
        await queue.put(payload, key=key, meta={"format": "wsjf"})
        uploader.wake()
    while uploader.counts.acked < len(documents):
        if runner.done():
            runner.result()
        await asyncio.sleep(0.002)
    seconds = time.perf_counter() - started
    stop.set()
    await runner
    depth = (await queue.stats()).depth
    await queue.close()
    await client.aclose()
    counts = uploader.counts
    if depth["acked"] != len(documents) or counts.dead or counts.retry:
        raise RuntimeError(f"not a clean run: queue {depth}, outcomes {counts}")
    return seconds


PROFILE_REPORTS = 300


async def _profile(url: str, queue_url: str, documents: list[bytes], keys: list[str]) -> Any:
    """Milliseconds per report of each step of a delivery, each step timed on its own:
    the three durable queue commits (put, claim, ack) and the POST."""
    import pywats
    from pywats_queue import AsyncQueue

    queue = await AsyncQueue.open(queue_url)
    client = pywats.AsyncWATS(url, TOKEN, rate_limiter=pywats.RateLimiter(10**9, 60))
    await client.app.version()
    n = len(documents)
    t = time.perf_counter()
    for payload, key in zip(documents, keys, strict=True):
        await queue.put(payload, key=key, meta={"format": "wsjf"})
    put = time.perf_counter() - t
    t = time.perf_counter()
    items = [await queue.claim(300.0) for _ in range(n)]
    claim = time.perf_counter() - t
    t = time.perf_counter()
    for item in items:
        assert item is not None
        await client.report.submit_wsjf(item.payload, report_id=item.key)
    post = time.perf_counter() - t
    t = time.perf_counter()
    for item in items:
        assert item is not None
        await queue.ack(item)
    ack = time.perf_counter() - t
    await queue.close()
    await client.aclose()
    return {
        step: round(1000 * sec / n, 3)
        for step, sec in (("put", put), ("claim", claim), ("post", post), ("ack", ack))
    }


def _memory(url: str, tmp: Path) -> dict[str, Any]:
    """Peak memory of `submit` and of the uploader for one report of about 50 MB."""
    helper = str(HERE / "_station_memory.py")

    def run(*args: str) -> dict[str, Any]:
        out = subprocess.run(
            [sys.executable, helper, *args], capture_output=True, text=True, check=True
        )
        result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
        return result

    big, small = tmp / "big.json", tmp / "small.json"
    for path, megabytes in ((big, "50"), (small, "0.01")):
        subprocess.run([sys.executable, helper, "make", str(path), megabytes], check=True)
    size = big.stat().st_size
    home = tmp / "memory-home"
    # The worker's peak with a small report: its own size (interpreter, imports).
    worker_idle = run("submit", str(tmp / "memory-home-small"), str(small))["worker_peak"]
    runs: dict[str, Any] = {}
    for name, args in (
        ("submit", ["submit", str(home), str(big)]),
        ("upload", ["upload", url, TOKEN, "sqlite:///" + str(home / "queue.db")]),
    ):
        measured = run(*args)
        runs[name] = {
            "python_peak_mb": round(measured["python_peak"] / 2**20, 1),
            "python_peak_x_report": round(measured["python_peak"] / size, 2),
            "rss_growth_mb": round(measured["rss_growth"] / 2**20, 1),
            "rss_growth_x_report": round(measured["rss_growth"] / size, 2),
        }
        if "worker_peak" in measured:
            worker = measured["worker_peak"] - worker_idle
            runs[name]["worker_rss_growth_mb"] = round(worker / 2**20, 1)
            runs[name]["worker_rss_growth_x_report"] = round(worker / size, 2)
            runs[name]["submit_with_worker_x_report"] = round(
                (measured["rss_growth"] + worker) / size, 2
            )
    return {"report_mb": round(size / 2**20, 1), **runs}


def main() -> None:
    example = _reference_dir() / EXAMPLE
    template = json.loads(example.read_text(encoding="utf-8-sig"))
    peer = str(peer_python("pywats-api", ["pywats-api"]))
    fake = Fake()
    rates: dict[str, list[float]] = {}
    try:
        with tempfile.TemporaryDirectory() as tmp:
            for round_number in range(ROUNDS):  # interleaved, so drift hits all alike
                # The peer, direct.
                documents = _documents(template, f"peer{round_number}")
                lines = Path(tmp) / "peer.jsonl"
                lines.write_text("\n".join(json.dumps(d) for d in documents), encoding="utf-8")
                out = subprocess.run(
                    [peer, "-c", PEER_SCRIPT, fake.url, TOKEN, str(lines)],
                    capture_output=True,
                    text=True,
                    check=False,
                )
                if out.returncode == 0:
                    peer_run = json.loads(out.stdout.strip().splitlines()[-1])
                    rates.setdefault("pywats_api_direct", []).append(
                        peer_run["reports"] / peer_run["seconds"]
                    )
                else:
                    print(out.stderr[-3000:], file=sys.stderr)
                # Ours, durable: each backend, one and two workers.
                for backend in ("sqlite", "file"):
                    for workers in (1, 2, 4):
                        tag = f"{backend}{workers}-{round_number}"
                        documents = _documents(template, tag)
                        payloads = [json.dumps(d).encode() for d in documents]
                        keys = [d["id"] for d in documents]
                        where = Path(tmp) / tag
                        queue_url = (
                            f"sqlite:///{where}.db" if backend == "sqlite" else where.as_uri()
                        )
                        seconds = asyncio.run(_ours(fake.url, queue_url, payloads, keys, workers))
                        name = f"station_{backend}_queue_{workers}_worker" + (
                            "s" if workers > 1 else ""
                        )
                        rates.setdefault(name, []).append(REPORTS / seconds)
            documents = _documents(template, "profile")[:PROFILE_REPORTS]
            profile = asyncio.run(
                _profile(
                    fake.url,
                    f"sqlite:///{Path(tmp) / 'profile.db'}",
                    [json.dumps(d).encode() for d in documents],
                    [d["id"] for d in documents],
                )
            )
            memory = _memory(fake.url, Path(tmp))
        stats = fake.stats()
    finally:
        fake.stop()

    median = {name: round(statistics.median(values), 1) for name, values in rates.items()}
    expected = REPORTS * ROUNDS * (1 + 6) if "pywats_api_direct" in median else REPORTS * ROUNDS * 6
    expected += PROFILE_REPORTS + 1  # the profile's reports and the 50 MB one
    peer_rate = median.get("pywats_api_direct")
    result = {
        "what": (
            "reports/s: durable enqueue -> station uploader -> fake WATS (own process, "
            "loopback), from first enqueue to last ack; peer posts the same reports directly"
        ),
        "report": "Virinco 'WATS - WSJF UUT Example file.json', fresh id and sn per copy",
        "report_bytes": len(json.dumps(template).encode()),
        "reports_per_round": REPORTS,
        "rounds": ROUNDS,
        "reports_per_second": median,
        "ratios_vs_pywats_api_direct": {
            name: round(rate / peer_rate, 3) for name, rate in median.items() if peer_rate
        },
        "ms_per_report_by_step_sqlite": profile,
        "memory_one_large_report": memory,
        "server_stored_reports": stats["reports"],
        "server_stored_expected": expected,
        "durable": "ours: every enqueue fsync'd; peer: none",
        "idempotent": "ours: Idempotency-Key = report id on every upload; peer: none",
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
