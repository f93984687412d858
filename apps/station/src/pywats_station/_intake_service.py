"""The intake part of a running station: the converter runner, ``files.db`` and one
watcher per ``[[folders]]`` entry, started and stopped as one.

Before a folder is watched, its converter must be installed and compatible and its
settings must validate; a folder that fails these checks is reported on its status (and
in the log) and left alone, and the other folders work.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import AsyncIterator, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from pywats_converters import StationInfo
from pywats_converters.runner import ContextInfo, Runner
from pywats_queue import AsyncQueue
from pywats_station._config import StationConfig
from pywats_station._filelog import FileLog, FileRecord
from pywats_station._folders import FolderSection, FolderStatus, FolderWatcher
from pywats_station._home import StationHome
from pywats_station._intake import Intake

__all__ = [
    "IntakeService",
    "context_info",
    "make_runner",
    "running_intake",
    "station_intake",
    "watch_folders",
]

log = logging.getLogger(__name__)


def make_runner(config: StationConfig) -> Runner:
    """The converter runner as ``[intake]`` and ``[queue] max_report_mb`` configure it."""
    return Runner(
        workers=config.intake.workers,
        time_limit=config.intake.time_limit,
        max_file_bytes=int(config.queue.max_report_mb * 1024 * 1024),
        converters=config.intake.converters,
        python_path=config.intake.python_path,
    )


def context_info(home: StationHome, config: StationConfig) -> ContextInfo:
    """What every conversion is told: the station's identity and known process codes.

    Process codes come from ``processes.json`` in the home's data directory (name → code)
    when present, so that converters resolve process names without the server.
    """
    station = config.station
    processes: dict[str, int] = {}
    cache = home.processes_file
    with contextlib.suppress(OSError, ValueError, TypeError):
        processes = {str(k): int(v) for k, v in json.loads(cache.read_text()).items()}
    return ContextInfo(
        station=StationInfo(station.name, location=station.location, purpose=station.purpose),
        processes=processes,
    )


class _IntakeMetrics:
    """Files seen, converted and failed per folder and converter; conversion time; folders."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.files = Counter(
            "pywats_station_files",
            "Source files handled, by folder, converter and outcome (queued, failed)",
            ["folder", "converter", "outcome"],
            registry=registry,
        )
        self.conversion_seconds = Histogram(
            "pywats_station_conversion_seconds",
            "Seconds a converter took per file",
            ["converter"],
            registry=registry,
        )
        self.folder_reachable = Gauge(
            "pywats_station_folder_reachable",
            "1 when the watched folder can be read, else 0",
            ["folder"],
            registry=registry,
        )
        self.oldest_unsettled = Gauge(
            "pywats_station_folder_oldest_unsettled_seconds",
            "Age of the oldest file waiting in the folder (0 when none)",
            ["folder"],
            registry=registry,
        )

    def handled(self, record: FileRecord) -> None:
        self.files.labels(record.folder, record.converter, record.outcome).inc()
        if record.outcome == "queued":
            self.conversion_seconds.labels(record.converter).observe(record.duration)

    def folders(self, statuses: list[FolderStatus]) -> None:
        now = time.time()
        for status in statuses:
            name = str(status.path)
            self.folder_reachable.labels(name).set(1 if status.reachable else 0)
            oldest = status.oldest_pending
            self.oldest_unsettled.labels(name).set(0 if oldest is None else now - oldest)


@dataclass
class IntakeService:
    """A running intake: what ``status``, ``files`` and the console read and call."""

    intake: Intake
    file_log: FileLog
    runner: Runner
    watchers: list[FolderWatcher] = field(default_factory=list)
    refused: list[FolderStatus] = field(default_factory=list)
    """Folders not watched because their converter or settings are not usable."""
    metrics: _IntakeMetrics | None = None

    @property
    def folders(self) -> dict[str, FolderSection]:
        return {str(w.folder.path): w.folder for w in self.watchers}

    def retune(self, path: Path, settings: Mapping[str, Any]) -> bool:
        """Use ``settings`` for the watched folder at ``path`` from its next file on;
        False when that folder is not watched (refused at start, or added since)."""
        for watcher in self.watchers:
            if watcher.folder.path == path:
                watcher.folder = watcher.folder.model_copy(update={"settings": dict(settings)})
                return True
        return False

    def snapshot(self) -> list[dict[str, object]]:
        """Each folder's state for ``status.json``."""
        statuses = [w.status for w in self.watchers] + self.refused
        if self.metrics is not None:
            self.metrics.folders(statuses)
        return [{**asdict(s), "path": str(s.path)} for s in statuses]


@contextlib.asynccontextmanager
async def running_intake(
    home: StationHome,
    config: StationConfig,
    queue: AsyncQueue,
    registry: CollectorRegistry,
    stop: asyncio.Event,
) -> AsyncIterator[IntakeService]:
    """Start the runner and the folder watchers; on exit (or ``stop``) stop them, in order."""
    async with (
        station_intake(home, config, queue, registry=registry) as service,
        watch_folders(service, config, stop),
    ):
        yield service


@contextlib.asynccontextmanager
async def station_intake(
    home: StationHome,
    config: StationConfig,
    queue: AsyncQueue,
    *,
    registry: CollectorRegistry | None = None,
) -> AsyncIterator[IntakeService]:
    """The station's one intake (converter runner, ``files.db``, :class:`Intake`) without
    folder watchers: what ``submit``, ``files`` and the running station each build on.
    With a ``registry``, every file handled is counted there. Closes the runner and
    ``files.db`` on exit."""
    metrics = None if registry is None else _IntakeMetrics(registry)
    file_log = FileLog(home.file_log_file)  # first: a damaged one stops nothing
    runner = make_runner(config)
    intake = Intake(
        queue=queue,
        runner=runner,
        context=context_info(home, config),
        file_log=file_log,
        archive_dir=home.archive_dir,
        on_handled=None if metrics is None else metrics.handled,
    )
    try:
        yield IntakeService(intake=intake, file_log=file_log, runner=runner, metrics=metrics)
    finally:
        await asyncio.to_thread(runner.close)
        file_log.close()


@contextlib.asynccontextmanager
async def watch_folders(
    service: IntakeService, config: StationConfig, stop: asyncio.Event
) -> AsyncIterator[None]:
    """One watcher task per usable folder; all cancelled on exit or when ``stop`` is set."""
    runner, intake = service.runner, service.intake
    tasks: list[asyncio.Task[None]] = []
    try:
        for folder in config.folders:
            problems = await asyncio.to_thread(_folder_problems, runner, folder)
            if problems:
                reason = f"converter {folder.converter!r}: " + "; ".join(problems)
                log.error("folder %s is not watched: %s", folder.path, reason)
                service.refused.append(
                    FolderStatus(folder.path, reachable=False, reason=reason, since=time.time())
                )
                continue

            watcher = _watcher(intake, folder)
            service.watchers.append(watcher)
            tasks.append(asyncio.create_task(watcher.run(), name=f"watch {folder.path}"))
            log.info("watching %s for %s", folder.path, folder.converter)
        stopper = asyncio.create_task(_cancel_on(stop, tasks))
        try:
            yield
        finally:
            stopper.cancel()
    finally:
        # Stop taking files first; a conversion in flight fails as "runner closed" and its
        # file stays where it is, to be taken at the next start.
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


def _watcher(intake: Intake, folder: FolderSection) -> FolderWatcher:
    async def take(path: Path) -> None:
        # The folder as it is now: settings the console changed apply to the next file.
        await intake.take(watcher.folder, path)

    watcher = FolderWatcher(folder, take)
    return watcher


async def _cancel_on(stop: asyncio.Event, tasks: list[asyncio.Task[None]]) -> None:
    await stop.wait()
    for task in tasks:
        task.cancel()


def _folder_problems(runner: Runner, folder: FolderSection) -> list[str]:
    """Why a folder cannot be served: an unknown or unusable converter, bad settings."""
    if folder.converter not in runner.converters():
        known = ", ".join(sorted(runner.converters())) or "none"
        return [f"not installed (installed: {known})"]
    (info,) = runner.describe([folder.converter])
    if info.status != "ok":
        return [f"{info.status}: {info.error}" if info.error else info.status]
    return runner.check_settings(folder.converter, folder.settings)
