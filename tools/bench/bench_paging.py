"""Paging memory: does a 10,000-item list stream with flat memory?

Loads 10,000 products into the fake WATS server (its own process), then iterates
``wats.product.query(page_size=250)`` over 1,000 and over 10,000 items, discarding each,
and measures the client's peak Python allocation (tracemalloc) for each run; the same
10,000 collected into a list is the contrast. The public WATS API lists no units, so the
product list (an OData endpoint paged with ``$top``/``$skip`` like the others) stands in
for them. Prints one JSON object.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

import httpx

import pywats
from pywats.models import Product

TOKEN = "YmVuY2g6cGFnaW5n"  # a made-up token
TOTAL = 10_000
PAGE = 250


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _start_fake() -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    command = [sys.executable, "-m", "pywats_testing", "serve", "--port", str(port)]
    proc = subprocess.Popen([*command, "--token", TOKEN], stdout=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            httpx.get(url + "/api/App/Version", headers={"Authorization": f"Basic {TOKEN}"})
            return proc, url
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("the fake WATS server did not start")


def _peak_kib(run: Callable[[], Any]) -> tuple[float, Any, float]:
    tracemalloc.start()
    tracemalloc.reset_peak()
    started = time.perf_counter()
    result = run()
    seconds = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return round(peak / 1024, 1), result, round(seconds, 2)


def main() -> None:
    server, url = _start_fake()
    try:
        with pywats.WATS(url, TOKEN, rate_limiter=pywats.RateLimiter(10**9, 60)) as wats:
            for start in range(0, TOTAL, 1000):
                wats.product.save_many(
                    [
                        Product(part_number=f"P-{n:05}", name=f"Product {n}")
                        for n in range(start, start + 1000)
                    ]
                )

            def stream(count: int) -> int:
                seen = 0
                for _ in wats.product.query(page_size=PAGE, max_items=count):
                    seen += 1
                return seen

            def collect() -> int:
                return len(wats.product.query(page_size=PAGE).collect())

            stream(PAGE)  # warm up: imports, connection, pydantic schema
            peak_1k, seen_1k, _ = _peak_kib(lambda: stream(1000))
            peak_10k, seen_10k, seconds = _peak_kib(lambda: stream(TOTAL))
            peak_list, held, _ = _peak_kib(collect)
    finally:
        server.terminate()
        server.wait(10)
    assert (seen_1k, seen_10k, held) == (1000, TOTAL, TOTAL)
    print(
        json.dumps(
            {
                "what": "peak client allocation (tracemalloc, KiB) paging products, 250 a page",
                "stream_1000_kib": peak_1k,
                "stream_10000_kib": peak_10k,
                "collect_10000_kib": peak_list,
                "stream_10000_seconds": seconds,
                "ratios": {"stream_10000_vs_stream_1000": round(peak_10k / peak_1k, 3)},
                "targets": {"stream_10000_vs_stream_1000": "<= 1.5 (flat)"},
            }
        )
    )


if __name__ == "__main__":
    main()
