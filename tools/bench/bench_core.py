"""Client throughput: sequential ``GET /api/App/Version`` calls per second over keep-alive.

Compared in one run against one loopback server: raw ``httpx.Client`` and
``httpx.AsyncClient``, our ``WATS`` and ``AsyncWATS`` (sequential and 10 concurrent
tasks), and the published ``pywats-api`` package's sync client (its own venv, cache and
throttle switched off). Also the memory cost of ``import pywats``. Prints one JSON object.
"""

from __future__ import annotations

import asyncio
import json
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from _peers import peer_python

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
CALLS = 2000
ROUNDS = 5
CONCURRENCY = 10
TOKEN = "YmVuY2g6YmVuY2g="  # a made-up token
HEADERS = {"Authorization": f"Basic {TOKEN}", "Accept": "application/json"}
# Effectively unlimited, so the benchmark measures the limiter's bookkeeping, not its waits.
NO_WAIT_LIMIT = 10**9

PEER_SCRIPT = """
import json, sys, time
from pywats import pyWATS
from pywats.core.throttle import configure_throttling
configure_throttling(enabled=False)
url, token, calls, rounds = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
api = pyWATS(base_url=url, token=token, enable_cache=False, retry_enabled=False)
for _ in range(200):
    assert api.analytics.get_version() == "2026.1.5.324"
rates = []
for _ in range(rounds):
    t = time.perf_counter()
    for _ in range(calls):
        api.analytics.get_version()
    rates.append(calls / (time.perf_counter() - t))
print(json.dumps(rates))
"""

# Resident set size after the import, from /proc (ru_maxrss would include the pre-exec
# peak of the forking parent).
IMPORT_RSS = (
    "{stmt}\n"
    "status = open('/proc/self/status').read().split('\\n')\n"
    "print(next(int(l.split()[1]) for l in status if l.startswith('VmRSS:')))\n"
)


ALL_DOMAINS = (
    "import pywats; w = pywats.WATS('http://127.0.0.1:9', 'dA==');"
    " [getattr(w, d) for d in ('app', 'report', 'product', 'production', 'asset', 'software',"
    " 'analytics', 'rootcause', 'scim', 'system', 'barcode', 'export', 'workflow', 'auth')];"
    " [getattr(w.internal, d) for d in ('process', 'production', 'product', 'software',"
    " 'manual_inspection', 'unit_flow', 'analytics', 'asset')]"
)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _start_server() -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    proc = subprocess.Popen([sys.executable, str(HERE / "_version_server.py"), str(port)])
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            httpx.get(url + "/api/App/Version", timeout=1).raise_for_status()
            return proc, url
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("benchmark server did not start")


def _rate_sync(call: Callable[[], Any]) -> float:
    start = time.perf_counter()
    for _ in range(CALLS):
        call()
    return CALLS / (time.perf_counter() - start)


async def _rate_async(call: Callable[[], Any], concurrency: int = 1) -> float:
    per_task = CALLS // concurrency

    async def worker() -> None:
        for _ in range(per_task):
            await call()

    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return per_task * concurrency / (time.perf_counter() - start)


def _rss_mib(python: str, stmt: str) -> float:
    out = subprocess.run(
        [python, "-c", IMPORT_RSS.format(stmt=stmt)], capture_output=True, text=True, check=True
    )
    return round(int(out.stdout.strip()) / 1024, 1)


def main() -> None:
    import pywats

    server, url = _start_server()
    try:
        rates: dict[str, list[float]] = {}

        raw = httpx.Client(base_url=url, headers=HEADERS)
        ours = pywats.WATS(url, TOKEN, rate_limiter=pywats.RateLimiter(NO_WAIT_LIMIT, 60))

        def raw_call() -> Any:
            response = raw.get("/api/App/Version")
            response.raise_for_status()
            return response.json()

        assert raw_call() == ours.app.version() == "2026.1.5.324"

        async def async_rounds() -> None:
            araw = httpx.AsyncClient(base_url=url, headers=HEADERS)
            aours = pywats.AsyncWATS(url, TOKEN, rate_limiter=pywats.RateLimiter(NO_WAIT_LIMIT, 60))

            async def araw_call() -> Any:
                response = await araw.get("/api/App/Version")
                response.raise_for_status()
                return response.json()

            assert await araw_call() == await aours.app.version() == "2026.1.5.324"
            for _ in range(ROUNDS):
                rates.setdefault("httpx_async", []).append(await _rate_async(araw_call))
                rates.setdefault("pywats_async", []).append(await _rate_async(aours.app.version))
                rates.setdefault("httpx_async_10_tasks", []).append(
                    await _rate_async(araw_call, CONCURRENCY)
                )
                rates.setdefault("pywats_async_10_tasks", []).append(
                    await _rate_async(aours.app.version, CONCURRENCY)
                )
            await araw.aclose()
            await aours.aclose()

        for _ in range(200):  # warm up both connections
            raw_call()
            ours.app.version()
        for _ in range(ROUNDS):  # interleaved, so drift hits both alike
            rates.setdefault("httpx_sync", []).append(_rate_sync(raw_call))
            rates.setdefault("pywats_sync", []).append(_rate_sync(ours.app.version))
        raw.close()
        ours.close()
        asyncio.run(async_rounds())

        peer = str(peer_python("pywats-api", ["pywats-api"]))
        out = subprocess.run(
            [peer, "-c", PEER_SCRIPT, url, TOKEN, str(CALLS), str(ROUNDS)],
            capture_output=True,
            text=True,
            check=False,
        )
        if out.returncode == 0:
            rates["pywats_api_sync"] = json.loads(out.stdout.strip().splitlines()[-1])
        else:
            print(out.stderr[-3000:], file=sys.stderr)
    finally:
        server.terminate()
        server.wait(10)

    median = {name: round(statistics.median(values), 1) for name, values in rates.items()}

    def ratio(a: str, b: str) -> float | None:
        return round(median[a] / median[b], 3) if a in median and b in median else None

    # A user installs only pywats-core: measure imports in a venv holding just that, as
    # the peer's figure comes from a venv holding just pywats-api. (In the bench venv,
    # httpx also imports rich and click for its CLI, because other packages bring them.)
    core_only = str(peer_python("pywats-core-only", ["-e", str(ROOT / "packages/pywats-core")]))
    memory = {
        "python_baseline_mib": _rss_mib(core_only, "pass"),
        "httpx_mib": _rss_mib(core_only, "import httpx"),
        "pywats_mib": _rss_mib(core_only, "import pywats"),
        # Every API domain constructed (each loads its module, the generated models and
        # pydantic): what a script that touches all of them pays.
        "pywats_all_domains_loaded_mib": _rss_mib(core_only, ALL_DOMAINS),
        "pywats_api_mib": _rss_mib(peer, "import pywats"),
        "pywats_in_bench_venv_mib": _rss_mib(sys.executable, "import pywats"),
    }
    result = {
        "what": "sequential GET /api/App/Version calls/s over keep-alive on loopback (median)",
        "calls_per_round": CALLS,
        "rounds": ROUNDS,
        "calls_per_second": median,
        "ratios": {
            "pywats_sync_vs_httpx_sync": ratio("pywats_sync", "httpx_sync"),
            "pywats_sync_vs_pywats_api_sync": ratio("pywats_sync", "pywats_api_sync"),
            "pywats_async_vs_httpx_async": ratio("pywats_async", "httpx_async"),
            "pywats_async_10_tasks_vs_httpx_async_10_tasks": ratio(
                "pywats_async_10_tasks", "httpx_async_10_tasks"
            ),
            "pywats_api_sync_vs_httpx_sync": ratio("pywats_api_sync", "httpx_sync"),
        },
        "targets": {
            "pywats_sync_vs_httpx_sync": ">= 0.85",
            "pywats_sync_vs_pywats_api_sync": ">= 2",
            "pywats_async_vs_httpx_async": ">= 0.9",
            "pywats_import_mib": "<= 30",
        },
        "import_peak_rss": memory,
        "notes": [
            "pywats-api: cache off (enable_cache=False), throttle off "
            "(configure_throttling(enabled=False)), retries off; own venv and process",
            "pywats clients keep their rate limiter on, set to a limit that never waits",
        ],
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
