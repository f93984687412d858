"""Watched folders: which files to take from where, and when a file is ready to take.

A :class:`FolderWatcher` finds the files of one ``[[folders]]`` entry that have
*settled* — size and modification time unchanged for ``settle`` seconds — and hands each
one to intake once. Events from ``watchdog`` make it quick; a scan at start and a
periodic rescan make it complete (files that arrived while the station was down,
overflowed event queues, shares that send no events). A folder that is unreachable is
reported on its status and tried again at every rescan; the other folders go on.
"""

from __future__ import annotations

import asyncio
import contextlib
import fnmatch
import logging
import os
import stat
import time
from collections.abc import Awaitable, Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator
from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver
from watchdog.observers.polling import PollingObserver

__all__ = ["DONE_DIR", "ERROR_DIR", "FolderSection", "FolderStatus", "FolderWatcher"]

log = logging.getLogger(__name__)

#: Subfolders of a watched folder that hold settled files; never taken as input.
DONE_DIR = "Done"
_UNREACHABLE_RETRY = 5.0  # seconds between looks at a folder that is gone
ERROR_DIR = "Error"

After = Literal["archive", "done", "delete"]


class FolderSection(BaseModel):
    """One ``[[folders]]`` entry of ``station.toml``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    path: Path
    """The folder: a local path or a mounted share."""
    converter: str = Field(min_length=1)
    """The name of an installed converter (``pywats-convert --list``)."""
    include: tuple[str, ...] = ("*",)
    """File-name patterns to take (``*.xml``); matched on the name, without case."""
    exclude: tuple[str, ...] = ()
    """File-name patterns to leave alone, even when ``include`` matches."""
    recursive: bool = False
    """Also take files from subfolders (never from ``Done/`` or ``Error/``)."""
    settle: float = Field(default=2.0, ge=0)
    """Seconds a file's size and modification time must stay unchanged before it is taken."""
    after: After = "archive"
    """What happens to a converted file: ``archive`` (into the station's archive),
    ``done`` (``<folder>/Done/``) or ``delete``."""
    polling: bool = False
    """Poll instead of waiting for file-system events (network shares that send none)."""
    rescan: float = Field(default=30.0, gt=0)
    """Seconds between full scans, which catch whatever events missed."""
    settings: dict[str, Any] = Field(default_factory=dict)
    """The converter's parameters, validated against its own settings model."""

    @field_validator("path")
    @classmethod
    def _absolute(cls, value: Path) -> Path:
        return value.expanduser().absolute()

    def takes(self, relative: Path) -> bool:
        """Whether a file at ``relative`` (to the folder) is input for this folder."""
        parts = relative.parts
        if len(parts) > 1 and (not self.recursive or parts[0] in (DONE_DIR, ERROR_DIR)):
            return False
        name = relative.name.casefold()
        if name.startswith(".") or name.endswith(".error.txt"):
            return False  # hidden and partial files, and our own reason files

        def matches(patterns: tuple[str, ...]) -> bool:
            return any(fnmatch.fnmatchcase(name, p.casefold()) for p in patterns)

        return matches(self.include) and not matches(self.exclude)


@dataclass
class FolderStatus:
    """What a person needs to know about one folder, for ``status`` and the console."""

    path: Path
    reachable: bool = True
    reason: str = ""
    since: float = 0.0
    watching: Literal["events", "polling", "rescan only"] = "rescan only"
    pending: int = 0
    oldest_pending: float | None = None
    """When the oldest file still waiting to settle or be taken was first seen."""


@dataclass
class _Candidate:
    size: int
    mtime_ns: int
    stable_since: float
    first_seen: float


class _Events(FileSystemEventHandler):
    """Forwards paths from watchdog's thread to the watcher's event loop."""

    def __init__(self, loop: asyncio.AbstractEventLoop, sink: Callable[[Path], None]) -> None:
        self._loop = loop
        self._sink = sink

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.is_directory:
            return
        target = getattr(event, "dest_path", "") or event.src_path
        path = Path(os.fsdecode(target))
        with contextlib.suppress(RuntimeError):  # the loop closed while shutting down
            self._loop.call_soon_threadsafe(self._sink, path)


class FolderWatcher:
    """Hands each settled file of one folder to ``take`` exactly once per appearance.

    ``take(path)`` is awaited one file at a time; when it returns, the file is expected
    to be gone from the folder (archived, moved to ``Done/`` or ``Error/``, or deleted).
    A file still there at the next scan is offered again, so nothing is dropped.
    """

    def __init__(
        self,
        folder: FolderSection,
        take: Callable[[Path], Awaitable[None]],
        *,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        self.folder = folder
        self._take = take
        self._clock = clock
        self._wall = wall_clock
        self._candidates: dict[Path, _Candidate] = {}
        self._observer: BaseObserver | None = None
        self._dirty: set[Path] = set()  # paths named by events, not looked at yet
        self._wakeup = asyncio.Event()
        self._taking: Path | None = None
        self.status = FolderStatus(path=folder.path, since=wall_clock())

    @property
    def taking(self) -> Path | None:
        """The file being handed to intake right now (converting), if any."""
        return self._taking

    def waiting(self) -> list[tuple[Path, float]]:
        """Files seen and not taken yet (settling, or settled and next in line), each
        with the wall-clock time it was first seen; oldest first."""
        return sorted(
            ((path, c.first_seen) for path, c in self._candidates.items()), key=lambda pc: pc[1]
        )

    async def run(self) -> None:
        """Scan, then watch until cancelled."""
        try:
            next_scan = 0.0
            while True:
                if self._clock() >= next_scan:
                    await self._scan()
                    next_scan = self._clock() + self._retry_interval()
                elif self._dirty or self._candidates:
                    await self._restat()
                await self._take_settled()
                self._publish()
                await self._sleep(min(self._tick(), max(0.0, next_scan - self._clock())))
        finally:
            self._stop_observer()

    async def _sleep(self, seconds: float) -> None:
        """Wait ``seconds`` or until an event arrives.

        Not ``asyncio.wait_for``: before Python 3.12 it can swallow a cancellation that
        arrives as the event fires, and the watcher would then never stop.
        """
        timer = asyncio.get_running_loop().call_later(seconds, self._wakeup.set)
        try:
            await self._wakeup.wait()
        finally:
            timer.cancel()
        self._wakeup.clear()

    # -- finding files ---------------------------------------------------------------
    # Listing and stat calls run in a thread: a hung network share must not stall the
    # station's event loop.

    async def _scan(self) -> None:
        listing = await asyncio.to_thread(self._list_files)
        if isinstance(listing, str):
            self._unreachable(listing)
            return
        self._dirty.clear()
        for path in list(self._candidates):  # gone since the last look
            if path not in listing:
                del self._candidates[path]
        self._update(listing)
        self._reachable()
        self._ensure_observer()

    async def _restat(self) -> None:
        paths = self._dirty | self._candidates.keys()
        self._dirty = set()
        stats = await asyncio.to_thread(_stat_files, paths)
        for path in paths - stats.keys():
            self._candidates.pop(path, None)
        self._update(stats)

    def _list_files(self) -> dict[Path, tuple[int, int]] | str:
        """Every input file with its size and mtime, or why the folder cannot be read."""
        root = self.folder.path
        try:
            if not root.is_dir():
                return "does not exist or is not a folder"
            return _stat_files(self._walk(root))
        except OSError as exc:
            return f"{exc.strerror or type(exc).__name__}: {exc.filename or root}"

    def _walk(self, root: Path) -> Iterator[Path]:
        stack = [root]
        while stack:
            directory = stack.pop()
            with os.scandir(directory) as entries:
                for entry in entries:
                    path = Path(entry.path)
                    if entry.is_dir(follow_symlinks=False):
                        if self.folder.recursive and (
                            directory != root or entry.name not in (DONE_DIR, ERROR_DIR)
                        ):
                            stack.append(path)
                    elif entry.is_file(follow_symlinks=False) and self.folder.takes(
                        path.relative_to(root)
                    ):
                        yield path

    def _on_event(self, path: Path) -> None:
        try:
            relative = path.relative_to(self.folder.path)
        except ValueError:
            return
        if self.folder.takes(relative):
            self._dirty.add(path)
            self._wakeup.set()

    def _update(self, stats: dict[Path, tuple[int, int]]) -> None:
        """Note each file's size and time; a change restarts its settle clock."""
        now = self._clock()
        for path, (size, mtime_ns) in stats.items():
            known = self._candidates.get(path)
            if known is None:
                self._candidates[path] = _Candidate(size, mtime_ns, now, self._wall())
            elif (known.size, known.mtime_ns) != (size, mtime_ns):
                known.size, known.mtime_ns, known.stable_since = size, mtime_ns, now

    async def _take_settled(self) -> None:
        now = self._clock()
        ready = [
            path
            for path, c in sorted(self._candidates.items(), key=lambda pc: pc[1].first_seen)
            if now - c.stable_since >= self.folder.settle
        ]
        for path in ready:
            del self._candidates[path]
            self._taking = path
            try:
                await self._take(path)
            finally:
                self._taking = None

    def _retry_interval(self) -> float:
        """Seconds to the next scan: sooner while the folder is unreachable."""
        if self.status.reachable:
            return self.folder.rescan
        return min(self.folder.rescan, _UNREACHABLE_RETRY)

    def _tick(self) -> float:
        """How long to sleep: short while files are settling, else until the next rescan."""
        if not self._candidates:
            return self.folder.rescan
        return max(0.05, min(self.folder.settle / 4, 0.5))

    # -- events ----------------------------------------------------------------------

    def _ensure_observer(self) -> None:
        if self._observer is not None and self._observer.is_alive():
            return
        self._stop_observer()
        observer: BaseObserver = PollingObserver() if self.folder.polling else Observer()
        handler = _Events(asyncio.get_running_loop(), self._on_event)
        try:
            observer.schedule(handler, str(self.folder.path), recursive=self.folder.recursive)
            observer.start()
        except OSError as exc:  # e.g. out of inotify watches: rescans still find files
            log.warning(
                "folder %s: no file-system events (%s); rescanning only",
                self.folder.path,
                exc.strerror or type(exc).__name__,
            )
            self.status.watching = "rescan only"
            return
        self._observer = observer
        self.status.watching = "polling" if self.folder.polling else "events"

    def _stop_observer(self) -> None:
        if self._observer is not None:
            self._observer.stop()
            with contextlib.suppress(RuntimeError):
                self._observer.join(timeout=5)
            self._observer = None

    # -- status ------------------------------------------------------------------------

    def _unreachable(self, reason: str) -> None:
        if self.status.reachable or self.status.reason != reason:
            self.status.reachable, self.status.reason = False, reason
            self.status.since = self._wall()
            log.warning(  # after the status: the retry interval is the unreachable one
                "folder %s is unreachable (%s); trying again every %g s",
                self.folder.path,
                reason,
                self._retry_interval(),
            )
        self._stop_observer()
        self.status.watching = "rescan only"

    def _reachable(self) -> None:
        if not self.status.reachable:
            log.info("folder %s is reachable again", self.folder.path)
            self.status.reachable, self.status.reason, self.status.since = True, "", self._wall()

    def _publish(self) -> None:
        self.status.pending = len(self._candidates)
        self.status.oldest_pending = min(
            (c.first_seen for c in self._candidates.values()), default=None
        )


def _stat_files(paths: Iterable[Path]) -> dict[Path, tuple[int, int]]:
    """Size and mtime of each path that is (still) a regular file."""
    stats = {}
    for path in paths:
        try:
            st = path.stat(follow_symlinks=False)
        except OSError:
            continue
        if stat.S_ISREG(st.st_mode):
            stats[path] = (st.st_size, st.st_mtime_ns)
    return stats
