"""Station intake: files per second from drop to durable queue item, and what settling costs.

Ours: the station's real intake as ``pywats-station run`` starts it (``running_intake``: a
``FolderWatcher`` on one ``[[folders]]`` entry, the isolated converter runner with its
worker processes, ``Intake`` putting every report into the SQLite queue in one fsync'd
batch, ``files.db``, and the source file archived). A burst of files is dropped into the
folder (each written beside it and renamed in, as a tester does); the clock runs from the
first drop until the last file's reports are durably queued (intake counts a file only
after its batch is committed). ``settle = 0`` here: this measures the path, not the wait.

(a) small WSJF files (a report of ten numeric steps, about 2 KB, fresh id and serial each);
(b) the 200 KB ATML reference file ``TS2017_ATML2.02 - FATv1.XML`` (fresh uuid and serial;
    skipped with a reason when ``$PYWATS_REFERENCE_DIR`` does not hold it).

Beside it in the same run, on the same files (rounds interleaved, medians reported):

* ``submit``: ``Intake.submit`` on each file in turn, as ``pywats-station submit`` does —
  runner, queue, ``files.db`` — without the watcher and without moving the file;
* ``in_process``: the converter called in this process (read, convert, validate) — no
  isolation, no queue: the floor the rest is built on.

(c) the settle delay's added latency: one file at a time, drop → durably queued, with the
default ``settle = 2.0`` and with ``settle = 0``; the difference of the medians is what
settling adds (the settle time itself plus the watcher's look interval, settle/4 ≤ 0.5 s).

Target: >= 20 small files/s on a 2-core machine, runner in the path. Prints one JSON
object on its last line.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
REFERENCE = Path(os.environ.get("PYWATS_REFERENCE_DIR", str(ROOT.parent / "shared" / "reference")))
ATML = REFERENCE / "olreppe-pyWATS" / "atml" / "TS2017_ATML2.02 - FATv1.XML"
ATML_SETTINGS = {"default_part_number": "BENCH-PN", "operation": 60}
ROUNDS = 3
SMALL_FILES = 120
ATML_FILES = 20
LATENCY_SAMPLES = 5
TARGET_SMALL_PER_S = 20.0
POLL = 0.002

Files = list[tuple[str, bytes]]


def _small_wsjf(count: int, tag: str) -> Files:
    import pywats.report as report_module

    files = []
    for i in range(count):
        builder = report_module.UUTBuilder(
            pn="BENCH-PN",
            sn=f"BENCH-{tag}-{i:05d}",
            rev="A",
            process_code=10,
            machine_name="BENCH",
            location="Lab",
            purpose="Bench",
        )
        for step in range(10):
            builder.root.numeric(f"Voltage {step}", 5.01, "GELE", low=4.9, high=5.1, unit="V")
        files.append((f"r{i:05d}.json", report_module.dumps_wsjf(builder.build())))
    return files


def _atml(count: int, tag: str) -> Files:
    template = ATML.read_text(encoding="latin-1")
    files = []
    for i in range(count):
        text = re.sub(r'uuid="[^"]+"', f'uuid="{uuid.uuid4()}"', template, count=1)
        text = re.sub(
            r"(<tr:UUT[^>]*>\s*<c:SerialNumber>)[^<]*", rf"\g<1>BENCH-{tag}-{i:05d}", text, count=1
        )
        files.append((f"a{i:05d}.xml", text.encode("latin-1")))
    return files


def _config(inbox: Path, converter: str, settle: float, settings: Any) -> Any:
    from pywats_station import StationConfig

    return StationConfig.model_validate(
        {
            "station": {"name": "BENCH", "location": "Lab", "purpose": "Bench"},
            "folders": [
                {
                    "path": str(inbox),
                    "converter": converter,
                    "settle": settle,
                    "settings": settings,
                }
            ],
        }
    )


class _Station:
    """``running_intake`` over a fresh home and SQLite queue, one watched folder."""

    def __init__(self, where: Path, converter: str, settle: float, settings: Any) -> None:
        from pywats_station import StationHome

        self.inbox = where / "inbox"
        self.inbox.mkdir(parents=True)
        self.home = StationHome(config_dir=where, data_dir=where)
        self.config = _config(self.inbox, converter, settle, settings)
        self.converter = converter

    async def __aenter__(self) -> _Station:
        from prometheus_client import CollectorRegistry

        from pywats_queue import AsyncQueue
        from pywats_station._intake_service import running_intake
        from pywats_station._service import queue_url

        self.queue = await AsyncQueue.open(queue_url(self.home, self.config))
        self.registry = CollectorRegistry()
        self.stop = asyncio.Event()
        self._intake = running_intake(self.home, self.config, self.queue, self.registry, self.stop)
        self.service = await self._intake.__aenter__()
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.stop.set()
        await self._intake.__aexit__(None, None, None)
        await self.queue.close()

    def handled(self, outcome: str = "queued") -> int:
        value = self.registry.get_sample_value(
            "pywats_station_files_total",
            {"folder": str(self.inbox), "converter": self.converter, "outcome": outcome},
        )
        return int(value or 0)

    async def until_handled(self, count: int, timeout: float = 600.0) -> None:
        deadline = time.monotonic() + timeout
        while self.handled() < count:
            if self.handled("failed"):
                raise RuntimeError(f"a file failed: {self.service.file_log.recent(limit=1)}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"only {self.handled()} of {count} files were queued")
            await asyncio.sleep(POLL)

    def drop(self, name: str, data: bytes) -> None:
        part = self.inbox / f".{name}.part"
        part.write_bytes(data)
        part.rename(self.inbox / name)


async def _watched_rate(where: Path, converter: str, files: Files, settings: Any) -> float:
    """Files per second, first drop to last durable batch, after one warm-up file."""
    async with _Station(where, converter, 0.0, settings) as station:
        warm, rest = files[0], files[1:]
        station.drop(*warm)
        await station.until_handled(1)
        started = time.perf_counter()
        for name, data in rest:
            station.drop(name, data)
        await station.until_handled(len(files))
        seconds = time.perf_counter() - started
        depth = (await station.queue.stats()).depth
    if depth.get("ready", 0) != len(files):
        raise RuntimeError(f"expected {len(files)} waiting items, the queue holds {depth}")
    return len(rest) / seconds


async def _submit_rate(where: Path, converter: str, files: Files, settings: Any) -> float:
    """Files per second through ``Intake.submit`` (no watcher, the file stays)."""
    from pywats_queue import AsyncQueue
    from pywats_station import StationHome
    from pywats_station._intake_service import station_intake
    from pywats_station._service import queue_url

    home = StationHome(config_dir=where, data_dir=where)
    config = _config(where / "unused", converter, 0.0, settings)
    paths = []
    for name, data in files:
        path = where / name
        path.write_bytes(data)
        paths.append(path)
    queue = await AsyncQueue.open(queue_url(home, config))
    try:
        async with station_intake(home, config, queue) as service:
            await service.intake.submit(paths[0], converter, settings)  # warm-up
            started = time.perf_counter()
            for path in paths[1:]:
                record = await service.intake.submit(path, converter, settings)
                if record is None or record.outcome != "queued":
                    raise RuntimeError(f"submit failed: {record}")
            seconds = time.perf_counter() - started
    finally:
        await queue.close()
    return (len(paths) - 1) / seconds


def _in_process_rate(where: Path, converter: str, files: Files, settings: Any) -> float:
    """Files per second converted and validated in this process (no runner, no queue)."""
    import importlib

    from pywats.report import validate
    from pywats_converters import ConversionContext, SourceFile, StationInfo
    from pywats_converters.runner import Runner

    with Runner(workers=1) as runner:
        module, _, attribute = runner.converters()[converter].reference.partition(":")
    target: Any = importlib.import_module(module)
    for part in attribute.split("."):
        target = getattr(target, part)
    instance = target.configure(settings)
    station = StationInfo("BENCH", location="Lab", purpose="Bench")
    paths = []
    for name, data in files:
        path = where / name
        path.write_bytes(data)
        paths.append(path)

    def one(path: Path) -> None:
        source = SourceFile.from_path(path)
        context = ConversionContext(station=station, source=source, default_process_code=10)
        for report in instance.convert(source, context):
            validate(report)

    one(paths[0])
    started = time.perf_counter()
    for path in paths[1:]:
        one(path)
    return (len(paths) - 1) / (time.perf_counter() - started)


async def _latency(where: Path, settle: float, make: Callable[[int, str], Files]) -> list[float]:
    """Seconds from drop to durable queue item, one file at a time."""
    files = make(LATENCY_SAMPLES + 1, f"lat{settle}")
    samples = []
    async with _Station(where, "wsjf", settle, {}) as station:
        station.drop(*files[0])  # warm-up
        await station.until_handled(1)
        for n, (name, data) in enumerate(files[1:], 2):
            started = time.perf_counter()
            station.drop(name, data)
            await station.until_handled(n)
            samples.append(time.perf_counter() - started)
    return samples


def _kind(
    tmp: Path,
    label: str,
    converter: str,
    make: Callable[[int, str], Files],
    count: int,
    settings: Any,
) -> dict[str, Any]:
    rates: dict[str, list[float]] = {"watched_folder": [], "submit": [], "in_process": []}
    for round_number in range(ROUNDS):  # interleaved, so drift hits every side alike
        where = tmp / f"{label}-{round_number}"
        files = make(count, f"{label}{round_number}")
        rates["watched_folder"].append(
            asyncio.run(_watched_rate(where / "watched", converter, files, settings))
        )
        files = make(count, f"{label}{round_number}s")
        (where / "submit").mkdir(parents=True)
        rates["submit"].append(
            asyncio.run(_submit_rate(where / "submit", converter, files, settings))
        )
        (where / "local").mkdir(parents=True)
        rates["in_process"].append(_in_process_rate(where / "local", converter, files, settings))
    median = {side: round(statistics.median(values), 1) for side, values in rates.items()}
    return {
        "files_per_round": count,
        "bytes_per_file": len(make(1, "size")[0][1]),
        "files_per_second": median,
        "all_rounds": {side: [round(v, 1) for v in values] for side, values in rates.items()},
    }


def main() -> int:
    result: dict[str, Any] = {
        "what": (
            "files/s from drop into a watched folder to durable queue item (SQLite, fsync'd), "
            "through running_intake: watcher, isolated converter runner (default [intake]), "
            "Intake, files.db, archive; settle 0. Peers on the same files: Intake.submit "
            "(no watcher, no move), in-process convert+validate (no runner, no queue)"
        ),
        "rounds": ROUNDS,
        "target_small_files_per_s": TARGET_SMALL_PER_S,
    }
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        small = _kind(tmp, "small", "wsjf", _small_wsjf, SMALL_FILES, {})
        rate = small["files_per_second"]["watched_folder"]
        small["target_met"] = rate >= TARGET_SMALL_PER_S
        result["small_wsjf"] = small
        if ATML.is_file():
            result["atml_200kb"] = {
                "file": str(ATML.relative_to(REFERENCE)),
                **_kind(tmp, "atml", "atml", _atml, ATML_FILES, ATML_SETTINGS),
            }
        else:
            result["atml_200kb"] = {"skipped": f"reference file not found: {ATML}"}
        latency = {}
        for settle in (0.0, 2.0):
            samples = asyncio.run(_latency(tmp / f"latency-{settle}", settle, _small_wsjf))
            latency[f"settle_{settle:g}s"] = {
                "median_s": round(statistics.median(samples), 3),
                "max_s": round(max(samples), 3),
            }
        latency["added_by_settle_2s"] = round(
            latency["settle_2s"]["median_s"] - latency["settle_0s"]["median_s"], 3
        )
        result["drop_to_queued_latency_small_wsjf"] = latency
    result["python"] = sys.version.split()[0]
    result["load_average_1min"] = round(os.getloadavg()[0], 2)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
