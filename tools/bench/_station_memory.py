"""Peak memory of the station for one large report, measured in a process of its own.

    python _station_memory.py make  OUT.json MB   # a valid WSJF report of about MB MiB
    python _station_memory.py submit HOME FILE      # `pywats-station submit FILE`
    python _station_memory.py upload URL TOKEN QUEUE_URL   # the uploader sends the queue

Prints one JSON object with two views of the peak: ``python_peak`` (tracemalloc: every
Python allocation, e.g. copies of the report's bytes, parsed objects) and ``rss_growth``
(the kernel's high-water mark ``ru_maxrss`` after the work minus before it, after every
import: also SQLite's and the allocator's own memory). Neither misses a moment between
two samples. ``submit`` adds ``worker_peak``: the high-water mark of the converter worker
process(es) it ran (``RUSAGE_CHILDREN``: the runner reaps its workers before ``submit``
returns), whole, imports included.
"""

from __future__ import annotations

import asyncio
import copy
import json
import os
import resource
import sys
import tracemalloc
import uuid
from pathlib import Path
from typing import Any

EXAMPLE = Path("olreppe-pyWATS") / "virinco-examples" / "WATS - WSJF UUT Example file.json"


def _peak_bytes(who: int = resource.RUSAGE_SELF) -> int:
    peak = resource.getrusage(who).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024  # Linux reports KiB


def _renumber(step: dict[str, Any], counter: list[int]) -> None:
    counter[0] += 1
    step["id"] = counter[0]
    for child in step.get("steps") or ():
        _renumber(child, counter)


def make(out: Path, megabytes: float) -> None:
    """Virinco's UUT example with its sequences repeated (ids renumbered) up to the size."""
    reference = Path(os.environ.get("PYWATS_REFERENCE_DIR", "../shared/reference"))
    document = json.loads((reference / EXAMPLE).read_text(encoding="utf-8-sig"))
    document["id"] = str(uuid.uuid4())
    document["sn"] = "BENCH-BIG"
    template = document["root"]["steps"]
    one_copy = len(json.dumps(template))
    copies = max(1, int(megabytes * 1024 * 1024 / one_copy))
    steps = [copy.deepcopy(step) for _ in range(copies) for step in template]
    counter = [document["root"]["id"]]
    for step in steps:
        _renumber(step, counter)
    document["root"]["steps"] = steps
    out.write_text(json.dumps(document), encoding="utf-8")


def submit(home: str, file: str) -> dict[str, Any]:
    import runpy

    import pywats.report  # noqa: F401 - imported before the baseline, as `submit` does
    import pywats_station  # noqa: F401

    before = _peak_bytes()
    tracemalloc.start()
    sys.argv = ["pywats-station", "--home", home, "submit", file]
    try:
        runpy.run_module("pywats_station", run_name="__main__")
        code = 0
    except SystemExit as exc:
        code = exc.code
    python_peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    if code != 0:
        raise SystemExit(f"submit failed with exit code {code}")
    return {
        "peak_before": before,
        "peak_after": _peak_bytes(),
        "python_peak": python_peak,
        "worker_peak": _peak_bytes(resource.RUSAGE_CHILDREN),
    }


async def _upload(url: str, token: str, queue_url: str) -> dict[str, Any]:
    import pywats
    from pywats_queue import AsyncQueue
    from pywats_station import Uploader

    queue = await AsyncQueue.open(queue_url)
    async with pywats.AsyncWATS(url, token) as client:
        await client.app.version()  # connection and imports warm
        uploader = Uploader(queue, client)
        before = _peak_bytes()
        tracemalloc.start()
        counts = await uploader.drain()
        python_peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    await queue.close()
    if counts.acked != 1:
        raise SystemExit(f"the report was not delivered: {counts}")
    return {"peak_before": before, "peak_after": _peak_bytes(), "python_peak": python_peak}


def main(argv: list[str]) -> None:
    command, *args = argv
    if command == "make":
        make(Path(args[0]), float(args[1]))
        return
    if command == "submit":
        result = submit(*args)
    elif command == "upload":
        result = asyncio.run(_upload(*args))
    else:
        raise SystemExit(f"unknown command {command!r}")
    result["rss_growth"] = result["peak_after"] - result["peak_before"]
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1:])
