"""Equipment converters: files per second per converter on its largest reference sample.

For each converter of pywats-converters-equipment, its largest sample (a file, or for the
Klippel folder converter a DUT folder) is converted again and again:

* ``in_process``: ``SourceFile.from_path`` + ``convert`` + ``validate`` of every report,
  in this process;
* ``runner``: ``Runner.convert`` on one warm worker (what a station does), when this
  pywats-converters has the isolated runner; otherwise ``null`` with the reason.

Rounds alternate between the two sides so that a busy machine slows both alike; each rate is
the median over the rounds. Prints one JSON object.
"""

from __future__ import annotations

import json
import os
import socket
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pywats_converters import ConversionContext, Converter, SourceFile, StationInfo, validate
from pywats_converters_equipment import (
    XJTAG,
    KlippelQC,
    ListenSoundCheck,
    SakiAOI,
    SigmaQuestUnitReport,
    SpeaICT3030,
    StepWize,
    TakayaFlyingProbe,
    TeradyneGR228X,
    TeradyneSpectrum,
)

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
REFERENCE = Path(os.environ.get("PYWATS_REFERENCE_DIR", str(ROOT.parent / "shared" / "reference")))
ROUNDS = 3
SECONDS_PER_ROUND = 0.5
PREFIX = "Virinco-WATS-Client-Converter-"

# converter -> reference globs of its samples (the largest is benchmarked)
SAMPLES: list[tuple[type[Converter[Any]], tuple[str, ...]]] = [
    (TeradyneGR228X, ("Teradyne-ICT-GR228X/*.LOG",)),
    (TeradyneSpectrum, ("Terradyne-ICT-Spectrum/*.txt",)),
    (SpeaICT3030, ("Spea-ICT-3030/*.csv",)),
    (TakayaFlyingProbe, ("TAKAYA-Flying-Probe/*.ATD", "TAKAYA-Flying-Probe/*/*.ATD")),
    (XJTAG, ("JTAG/*.xjlog", "JTAG/*.xml")),
    (SakiAOI, ("Saki-XML/*.xml",)),
    (SigmaQuestUnitReport, ("SigmaQuest-XML/testdata_*.xml",)),
    (StepWize, ("StepWize/*.XSPC",)),
    (KlippelQC, ("Klippel/Log/DUT *",)),
    (ListenSoundCheck, ("Listen/*/*.txt",)),
]


# Klippel logs name no part number: the converter needs it set.
SETTINGS: dict[str, dict[str, Any]] = {"klippel-qc": {"part_number": "LS-100"}}


def _size(path: Path) -> int:
    if path.is_dir():
        return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
    return path.stat().st_size


def _largest(converter: type[Converter[Any]], globs: tuple[str, ...]) -> Path | None:
    folders = converter.source_kind == "folder"
    found = [
        p
        for pattern in globs
        for p in REFERENCE.glob(PREFIX + pattern)
        if (p.is_dir() if folders else p.is_file())
    ]
    return max(found, key=_size) if found else None


def _rate(work: Callable[[], int], seconds: float) -> float:
    count = 0
    started = time.perf_counter()
    while True:
        work()
        count += 1
        elapsed = time.perf_counter() - started
        if elapsed >= seconds and count >= 3:
            return count / elapsed


def _runner() -> tuple[Any, Any, str | None]:
    try:
        from pywats_converters.runner import ContextInfo, Runner
    except ImportError as exc:
        return None, None, f"no isolated runner in this pywats-converters ({exc})"
    return Runner, ContextInfo, None


def _bench(
    converter: type[Converter[Any]], path: Path, runner: Any, context_info: Any
) -> dict[str, Any]:
    station = StationInfo(machine_name=socket.gethostname(), location="bench", purpose="bench")
    settings = SETTINGS.get(converter.name, {})
    instance = converter.configure(settings)

    def in_process() -> int:
        source = SourceFile.from_path(path)
        context = ConversionContext(station=station, source=source, default_process_code=10)
        reports = instance.convert(source, context)
        for report in reports:
            if validate(report):
                raise RuntimeError(f"{path.name}: invalid report {report.sn}")
        return len(reports)

    def isolated() -> int:
        info = context_info(station=station, default_process_code=10)
        result = runner.convert(path, converter.name, settings, info)
        if not result.ok:
            raise RuntimeError(result.message)
        return 0

    reports = in_process()
    local_rates: list[float] = []
    runner_rates: list[float] = []
    if runner is not None:
        isolated()  # the worker imports the converter once
    for _ in range(ROUNDS):
        local_rates.append(_rate(in_process, SECONDS_PER_ROUND))
        if runner is not None:
            runner_rates.append(_rate(isolated, SECONDS_PER_ROUND))
    local = statistics.median(local_rates)
    remote = statistics.median(runner_rates) if runner_rates else None
    return {
        "converter": converter.name,
        "sample": str(path.relative_to(REFERENCE)),
        "bytes": _size(path),
        "reports_per_file": reports,
        "in_process_files_per_s": round(local, 2),
        "runner_files_per_s": round(remote, 2) if remote is not None else None,
        "runner_overhead": round(local / remote - 1, 3) if remote else None,
    }


def main() -> int:
    runner_class, context_info, missing = _runner()
    results: list[dict[str, Any]] = []
    absent: list[str] = []
    runner = runner_class(workers=1) if runner_class is not None else None
    try:
        for converter, globs in SAMPLES:
            path = _largest(converter, globs)
            if path is None:
                absent.append(converter.name)
                continue
            results.append(_bench(converter, path, runner, context_info))
    finally:
        if runner is not None:
            runner.close()
    print(
        json.dumps(
            {
                "converters": results,
                "no_sample": absent,
                "runner": missing or "isolated runner, one warm worker",
                "python": sys.version.split()[0],
                "load_average_1min": round(os.getloadavg()[0], 2)
                if hasattr(os, "getloadavg")
                else None,
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
