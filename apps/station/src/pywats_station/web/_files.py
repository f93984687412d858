"""The Files page's work: what became of each source file, and acting on one.

Read from ``files.db`` (one record per handling of a file), the watchers (files waiting
in a folder, the one being converted) and the queue (the state of each report a file
produced). Reconvert and requeue go through the station's one intake path
(:class:`~pywats_station._intake.Intake`); each is logged with what it changed, and a
refusal comes back in words a person can act on.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Protocol

from pywats_queue import AsyncQueue, ItemNotFoundError
from pywats_station._filelog import FileLog, FileRecord
from pywats_station._folders import DONE_DIR, ERROR_DIR, FolderSection, FolderWatcher
from pywats_station._intake import Intake, IntakeError
from pywats_station._intake_service import IntakeService
from pywats_station._printable import printable
from pywats_station._settle import ERROR_SUFFIX
from pywats_station.web._backend import FolderView

__all__ = [
    "FileConsole",
    "FileDetail",
    "FileRow",
    "FilesPage",
    "FileAction",
    "PendingFile",
    "ReportState",
    "StationFiles",
]

log = logging.getLogger("pywats_station.console")

OutcomeFilter = Literal["", "queued", "failed"]
_REASON_BYTES = 16 * 1024  # an .error.txt shown on a page: its head is enough


@dataclass(frozen=True)
class FileRow:
    """One handling of one file, as the list shows it."""

    id: int
    handled: float
    folder: str
    name: str
    source: str
    converter: str
    outcome: str  # "archived", "done", "deleted", "kept", "error", "failed"
    reason: str  # the first line of why it failed ("" when it did not)
    reports: tuple[str, ...]
    location: str


@dataclass(frozen=True)
class PendingFile:
    """A file in a watched folder that intake has not finished with."""

    folder: str
    name: str
    path: str
    since: float  # first seen
    state: Literal["waiting", "converting"]


@dataclass(frozen=True)
class FolderCount:
    folder: str
    watched: bool
    queued: int
    failed: int


@dataclass(frozen=True)
class FilesPage:
    folder: str  # the filter ("" for every folder)
    outcome: OutcomeFilter
    folders: list[FolderCount]
    pending: list[PendingFile]
    rows: list[FileRow]
    offset: int
    limit: int
    total: int  # records matching the filter
    has_more: bool


@dataclass(frozen=True)
class ReportState:
    report_id: str
    item_id: str
    state: str  # the queue item's state; "gone" once purged
    attempts: int
    last_error: str


@dataclass(frozen=True)
class FileDetail:
    row: FileRow
    cause: str
    message: str
    duration: float
    present: bool  # the file is still at ``row.location``
    error_text: str  # ``<name>.error.txt`` beside a file in Error/ ("" when none)
    reports: list[ReportState]

    @property
    def can_reconvert(self) -> bool:
        return self.present

    @property
    def can_requeue(self) -> bool:
        return any(r.state == "dead" for r in self.reports)


@dataclass(frozen=True)
class FileAction:
    """What an action did: ``ok`` and a sentence; ``record`` is the record to show next
    (a reconvert's new record)."""

    ok: bool
    message: str
    record: int | None = None


class FileConsole(Protocol):
    """What the Files page needs; :class:`StationFiles` is the station's."""

    async def page(
        self, *, folder: str, outcome: OutcomeFilter, offset: int, limit: int
    ) -> FilesPage: ...

    async def detail(self, record_id: int) -> FileDetail | None: ...

    async def reconvert(self, record_id: int) -> FileAction: ...

    async def requeue(self, record_id: int) -> FileAction: ...

    def folder_views(self) -> list[FolderView]: ...


def _first_line(text: str) -> str:
    return next((line.strip() for line in text.splitlines() if line.strip()), "")


def _under(path: Path, directory: Path) -> bool:
    try:
        path.relative_to(directory)
    except ValueError:
        return False
    return True


def _outcome(record: FileRecord, archive_dir: Path) -> str:
    location = Path(record.location) if record.location else None
    if record.outcome == "failed":
        if location is not None and ERROR_DIR in location.parts[:-1]:
            return "error"
        return "failed"  # a submitted file (left where it was) or one that could not move
    if location is None:
        return "deleted"
    if _under(location, archive_dir):
        return "archived"
    if DONE_DIR in location.parts[:-1]:
        return "done"
    return "kept"


class StationFiles:
    """:class:`FileConsole` over a running station's intake, its ``files.db`` and queue."""

    def __init__(
        self,
        service: IntakeService,
        *,
        queue: AsyncQueue,
        archive_dir: Path,
        after_action: Callable[[], None] = lambda: None,
    ) -> None:
        self._service = service
        self._queue = queue
        self._archive_dir = archive_dir
        self._after_action = after_action
        self._lock = asyncio.Lock()  # one action at a time: each reads, then changes

    @property
    def _log(self) -> FileLog:
        return self._service.file_log

    @property
    def _intake(self) -> Intake:
        return self._service.intake

    def _row(self, record: FileRecord) -> FileRow:
        return FileRow(
            id=record.id,
            handled=record.handled,
            folder=record.folder,
            name=Path(record.source).name,
            source=record.source,
            converter=record.converter,
            outcome=_outcome(record, self._archive_dir),
            reason=_first_line(record.message) if record.outcome == "failed" else "",
            reports=record.reports,
            location=record.location,
        )

    # -- reading ---------------------------------------------------------------------

    def _watched(self) -> dict[str, FolderWatcher]:
        return {str(w.folder.path): w for w in self._service.watchers}

    def pending(self, folder: str = "") -> list[PendingFile]:
        out: list[PendingFile] = []
        for name, watcher in self._watched().items():
            if folder and name != folder:
                continue
            if watcher.taking is not None:
                taking = watcher.taking
                out.append(PendingFile(name, taking.name, str(taking), time.time(), "converting"))
            out += [PendingFile(name, p.name, str(p), t, "waiting") for p, t in watcher.waiting()]
        return out

    def _counts(self) -> list[FolderCount]:
        counts = self._log.counts()
        configured = [*self._watched(), *(str(s.path) for s in self._service.refused)]
        names = configured + sorted({f for f, _ in counts} - set(configured))
        return [
            FolderCount(
                folder=name,
                watched=name in self._watched(),
                queued=counts.get((name, "queued"), 0),
                failed=counts.get((name, "failed"), 0),
            )
            for name in names
        ]

    async def page(
        self, *, folder: str, outcome: OutcomeFilter, offset: int, limit: int
    ) -> FilesPage:
        folders = await asyncio.to_thread(self._counts)
        records = await asyncio.to_thread(
            self._log.recent,
            folder=folder or None,
            outcome=outcome or None,
            limit=limit + 1,
            offset=offset,
        )
        shown = [f for f in folders if not folder or f.folder == folder]
        total = sum(
            (f.queued if outcome != "failed" else 0) + (f.failed if outcome != "queued" else 0)
            for f in shown
        )
        return FilesPage(
            folder=folder,
            outcome=outcome,
            folders=folders,
            pending=self.pending(folder),
            rows=[self._row(r) for r in records[:limit]],
            offset=offset,
            limit=limit,
            total=total,
            has_more=len(records) > limit,
        )

    async def detail(self, record_id: int) -> FileDetail | None:
        record = await asyncio.to_thread(self._log.get, record_id)
        if record is None:
            return None
        present, error_text = await asyncio.to_thread(self._look_at_file, record)
        return FileDetail(
            row=self._row(record),
            cause=record.cause,
            message=record.message,
            duration=record.duration,
            present=present,
            error_text=error_text,
            reports=[
                await self._report_state(report, item)
                for report, item in zip(record.reports, record.items, strict=False)
            ],
        )

    @staticmethod
    def _look_at_file(record: FileRecord) -> tuple[bool, str]:
        if not record.location:
            return False, ""
        location = Path(record.location)
        reason = location.with_name(location.name + ERROR_SUFFIX)
        try:
            with reason.open("rb") as fh:
                text = fh.read(_REASON_BYTES).decode("utf-8", errors="replace")
        except OSError:
            text = ""
        return location.is_file(), text

    async def _report_state(self, report_id: str, item_id: str) -> ReportState:
        try:
            item = await self._queue.get(item_id)
        except (ItemNotFoundError, KeyError, LookupError):
            return ReportState(report_id, item_id, "gone", 0, "")
        last_error = item.last_error or ""
        return ReportState(report_id, item_id, str(item.state), item.attempts, last_error)

    # -- acting ----------------------------------------------------------------------

    def _folders(self) -> dict[str, FolderSection]:
        return self._service.folders

    async def reconvert(self, record_id: int) -> FileAction:
        async with self._lock:
            record = await asyncio.to_thread(self._log.get, record_id)
            if record is None:
                return self._refused("reconvert", record_id, f"no file record {record_id}")
            where = record.location
            if not where or not await asyncio.to_thread(Path(where).is_file):
                why = (
                    f"file record {record_id}: the file is no longer at {where}"
                    if where
                    else f"file record {record_id}: the file was deleted after it was handled"
                )
                return self._refused("reconvert", record_id, why + "; nothing changed")
            try:
                new = await self._intake.reconvert(record_id, self._folders())
            except IntakeError as exc:
                return self._refused("reconvert", record_id, str(exc))
            if new is None:
                return self._refused(
                    "reconvert", record_id, "the converter runner is stopping; try again"
                )
            self._after_action()
        message = self._reconverted(record, new)
        return FileAction(ok=new.outcome == "queued", message=message, record=new.id)

    @staticmethod
    def _reconverted(old: FileRecord, new: FileRecord) -> str:
        name = printable(Path(old.source).name)
        moved = f"the file is now at {printable(new.location)}" if new.location else "deleted"
        if new.outcome == "queued":
            ids = ", ".join(new.reports) or "none"
            message = (
                f"reconverted {name} (record {old.id}) as record {new.id}: "
                f"{len(new.reports)} report(s) queued ({ids}); {moved}"
            )
        else:
            message = (
                f"reconverted {name} (record {old.id}) as record {new.id}: failed again "
                f"({new.cause}): {printable(_first_line(new.message))}; {moved}"
            )
        log.info("console: %s", message)
        return message

    async def requeue(self, record_id: int) -> FileAction:
        async with self._lock:
            try:
                requeued = await self._intake.requeue(record_id)
            except IntakeError as exc:
                return self._refused("requeue", record_id, str(exc))
            self._after_action()
        record = self._log.get(record_id)
        name = printable(Path(record.source).name) if record else "?"
        message = (
            f"requeued {len(requeued)} report(s) of {name} (record {record_id}): "
            f"items {', '.join(requeued)}: dead -> ready"
        )
        log.info("console: %s", message)
        return FileAction(ok=True, message=message, record=record_id)

    @staticmethod
    def _refused(verb: str, record_id: int, why: str) -> FileAction:
        log.warning("console: %s of file record %d refused: %s", verb, record_id, why)
        return FileAction(ok=False, message=f"{verb} refused: {why}", record=record_id)

    # -- the dashboard's folder health -------------------------------------------------

    def folder_views(self) -> list[FolderView]:
        views = [self._watched_view(w) for w in self._service.watchers]
        views += [
            FolderView(path=str(s.path), state="not watched", detail=s.reason, since=s.since)
            for s in self._service.refused
        ]
        return views

    def _watched_view(self, watcher: FolderWatcher) -> FolderView:
        status = watcher.status
        name = str(status.path)
        waiting = watcher.waiting()
        last = self._log.recent(folder=name, limit=1)
        row = self._row(last[0]) if last else None
        return FolderView(
            path=name,
            state="ok" if status.reachable else "unreachable",
            detail=status.reason,
            since=status.since,
            converter=watcher.folder.converter,
            watching=status.watching,
            waiting=len(waiting),
            oldest_waiting=waiting[0][1] if waiting else None,
            converting=watcher.taking.name if watcher.taking else "",
            last_record=row.id if row else None,
            last_file=row.name if row else "",
            last_outcome=row.outcome if row else "",
            last_reason=row.reason if row else "",
            last_at=row.handled if row else None,
        )
