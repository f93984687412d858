"""Converter runner overhead: conversions per second in a worker process vs in-process.

For each (converter, reference file) pair, side by side in one run:

* ``in_process``: ``SourceFile.from_path`` + ``convert`` + ``validate`` of every report,
  calling the converter class directly in this process (what a runner without isolation does;
  the runner validates too, so both sides do the same work);
* ``runner``: ``Runner.convert`` on one warm worker (pipe, pickling, stray-process check).

Rounds alternate between the two sides so that a busy machine slows both alike; each side's
rate is the median over the rounds. ``overhead`` = in-process rate / runner rate - 1 (wall
clock); ``cpu_overhead`` = CPU time per conversion (this process + the worker, from
``/proc``) / in-process CPU time per conversion - 1, which other load on the machine does not
move. The target is <= 0.15 for files of 100 KB and more. The pairs are the ATML and TestStand XML
reference files when those converters are installed (entry points ``atml``,
``teststand-xml``), and the WSJF/WSXF reference files always.

``worker_startup``: seconds from starting a worker process until it answers (median of 5),
and the first conversion on a fresh worker (it imports the converter). Prints one JSON object.
"""

from __future__ import annotations

import importlib
import json
import os
import socket
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from pywats.report import validate
from pywats_converters import ConversionContext, SourceFile, StationInfo
from pywats_converters.runner import ContextInfo, Runner

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
REFERENCE = Path(os.environ.get("PYWATS_REFERENCE_DIR", str(ROOT.parent / "shared" / "reference")))
ROUNDS = 5
SECONDS_PER_ROUND = 0.6
TARGET = 0.15
BIG = 100 * 1024

# (converter, reference-file glob, settings): files that name no part number get one.
PAIRS: list[tuple[str, str, dict[str, Any]]] = [
    ("atml", "olreppe-pyWATS/atml/*.[xX][mM][lL]", {"default_part_number": "BENCH-PN"}),
    ("teststand-xml", "Virinco-TestStand-XML-Converter/*.xml", {}),
    ("wsxf", "olreppe-pyWATS/server-exports/uut-wsxf-export.xml", {}),
    ("wsxf", "olreppe-pyWATS/virinco-examples/uut-wsxf.xml", {}),
    ("wsjf", "olreppe-pyWATS/server-exports/uut-wsjf-export.json", {}),
]


def _load(reference: str) -> Any:
    module, _, attribute = reference.partition(":")
    target: Any = importlib.import_module(module)
    for part in attribute.split("."):
        target = getattr(target, part)
    return target


def _worker_cpu(pid: int | None) -> float:
    """CPU seconds (user + system) the worker process has used (Linux ``/proc``)."""
    if pid is None:
        return 0.0
    try:
        fields = Path(f"/proc/{pid}/stat").read_bytes().rpartition(b")")[2].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _round(work: Any, seconds: float, worker: int | None) -> tuple[float, float]:
    """(conversions per wall second, CPU seconds per conversion, this process + worker)."""
    count = 0
    cpu_started = time.process_time() + _worker_cpu(worker)
    started = time.perf_counter()
    while True:
        work()
        count += 1
        elapsed = time.perf_counter() - started
        if elapsed >= seconds and count >= 3:
            cpu = time.process_time() + _worker_cpu(worker) - cpu_started
            return count / elapsed, cpu / count


def _bench_pair(
    runner: Runner, name: str, reference: str, path: Path, settings: dict[str, Any]
) -> dict[str, Any]:
    station = StationInfo(machine_name=socket.gethostname(), location="bench", purpose="bench")
    info = ContextInfo(station=station, default_process_code=10)
    converter = _load(reference).configure(settings)

    def in_process() -> None:
        source = SourceFile.from_path(path)
        context = ConversionContext(station=station, source=source, default_process_code=10)
        for report in converter.convert(source, context):
            validate(report)

    def isolated() -> None:
        result = runner.convert(path, name, settings, info)
        if not result.ok:
            raise RuntimeError(result.message)

    try:
        isolated()  # the worker imports the converter once
    except RuntimeError as exc:
        return {"converter": name, "file": str(path.relative_to(REFERENCE)), "error": str(exc)}
    in_process()
    (worker,) = runner.worker_pids()
    local_rounds, runner_rounds = [], []
    for _ in range(ROUNDS):
        local_rounds.append(_round(in_process, SECONDS_PER_ROUND, None))
        runner_rounds.append(_round(isolated, SECONDS_PER_ROUND, worker))
    if runner.worker_pids() != [worker]:
        raise RuntimeError("the worker was replaced during the measurement")
    local = statistics.median(r[0] for r in local_rounds)
    remote = statistics.median(r[0] for r in runner_rounds)
    local_cpu = statistics.median(r[1] for r in local_rounds)
    remote_cpu = statistics.median(r[1] for r in runner_rounds)
    overhead = local / remote - 1
    cpu_overhead = remote_cpu / local_cpu - 1
    size = path.stat().st_size
    return {
        "converter": name,
        "file": str(path.relative_to(REFERENCE)),
        "bytes": size,
        "in_process_per_s": round(local, 1),
        "runner_per_s": round(remote, 1),
        "overhead": round(overhead, 3),
        "in_process_cpu_ms": round(local_cpu * 1000, 2),
        "runner_cpu_ms": round(remote_cpu * 1000, 2),
        "cpu_overhead": round(cpu_overhead, 3),
        "target_applies": size >= BIG,
        "meets_target": overhead <= TARGET if size >= BIG else None,
        "meets_target_cpu": cpu_overhead <= TARGET if size >= BIG else None,
    }


def _startup(runner_factory: Any) -> dict[str, float]:
    starts, firsts = [], []
    probe = REFERENCE / "olreppe-pyWATS/server-exports/uur_example.json"
    for _ in range(5):
        with runner_factory() as runner:
            starts.append(runner.start(1))
            began = time.perf_counter()
            result = runner.convert(probe, "wsjf")
            firsts.append(time.perf_counter() - began)
            if not result.ok:
                raise RuntimeError(result.message)
    return {
        "worker_ready_s": round(statistics.median(starts), 4),
        "first_conversion_on_fresh_worker_s": round(statistics.median(firsts), 4),
    }


def main() -> int:
    results: list[dict[str, Any]] = []
    # No recycling: the worker's CPU time is read from its pid, which must not change.
    with Runner(workers=1, recycle_after=None) as runner:
        installed = runner.converters()
        skipped = sorted({name for name, _, _ in PAIRS if name not in installed})
        for name, pattern, settings in PAIRS:
            if name not in installed:
                continue
            for path in sorted(REFERENCE.glob(pattern)):
                reference = installed[name].reference
                results.append(_bench_pair(runner, name, reference, path, settings))
    big = [r for r in results if r.get("target_applies")]
    summary = {
        "pairs": results,
        "not_installed": skipped,
        "worst_overhead_100kb_plus": max((r["overhead"] for r in big), default=None),
        "worst_cpu_overhead_100kb_plus": max((r["cpu_overhead"] for r in big), default=None),
        "target_overhead": TARGET,
        "worker_startup": _startup(lambda: Runner(workers=1)),
        "python": sys.version.split()[0],
        # other work on the machine slows the runner's hand-offs more than in-process calls
        "load_average_1min": round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else None,
    }
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
