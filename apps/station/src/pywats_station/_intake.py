"""Intake: the one path from a source file to durable queue items.

For every file — from a watched folder, ``submit``, or a reconvert — in this order:

1. convert it in the isolated runner (validated reports, or a failure with its cause);
2. put every report into the queue, keyed by its report id, in one durable batch;
3. record the outcome in ``files.db``;
4. let go of the source: archive, ``Done/`` or delete; a failed file goes to ``Error/``
   with its reason beside it.

Crash argument: until step 4 the file stays where it was, so a crash at any point means
the file is handled again at the next start. Report ids are stable (taken from the file,
or derived from its content by the SDK), and the queue keeps every key it has seen —
waiting, delivered or dead — for days, so handling a file again queues nothing twice. A
file is let go of only after its reports are durable, so nothing is lost.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pywats_converters.runner import ContextInfo, ConversionFailed, FailureCause, Runner
from pywats_queue import AsyncQueue, ItemNotFoundError, QueueError, State
from pywats_station._filelog import FileLog, FileRecord
from pywats_station._folders import FolderSection
from pywats_station._printable import printable
from pywats_station._reportitem import ReportItem
from pywats_station._settle import settle_converted, settle_failed

__all__ = ["Intake", "IntakeError", "SUBMIT_FOLDER"]

log = logging.getLogger(__name__)

#: The folder name files submitted by hand are recorded under.
SUBMIT_FOLDER = "(submit)"

# Causes that say nothing about the file: leave it where it is and try again later.
_NOT_THE_FILES_FAULT = frozenset({FailureCause.RUNNER_CLOSED})


class IntakeError(Exception):
    """A ``files`` operation cannot be done (unknown record, file gone, nothing to requeue)."""


@dataclass(frozen=True)
class _Settings:
    converter: str
    settings: Mapping[str, Any]


class Intake:
    """Turns source files into queue items; shared by the watcher, ``submit`` and ``files``."""

    def __init__(
        self,
        *,
        queue: AsyncQueue,
        runner: Runner,
        context: ContextInfo,
        file_log: FileLog,
        archive_dir: Path,
        on_handled: Any = None,
    ) -> None:
        self._queue = queue
        self._runner = runner
        self._context = context
        self._log = file_log
        self._archive_dir = archive_dir
        self._on_handled = on_handled

    async def take(self, folder: FolderSection, path: Path) -> FileRecord | None:
        """Handle one settled file of a watched folder (the watcher's ``take``)."""
        return await self._handle(
            path,
            folder_name=str(folder.path),
            converter=folder.converter,
            settings=folder.settings,
            folder=folder,
        )

    async def submit(
        self, path: Path, converter: str, settings: Mapping[str, Any] | None = None
    ) -> FileRecord | None:
        """Queue the reports of a file given by hand; the file itself is left alone."""
        return await self._handle(
            path, folder_name=SUBMIT_FOLDER, converter=converter, settings=settings or {}
        )

    async def reconvert(
        self, record_id: int, folders: Mapping[str, FolderSection]
    ) -> FileRecord | None:
        """Convert an archived or ``Error/`` file again, with its folder's current settings."""
        record = self._record(record_id)
        if not record.location or not await asyncio.to_thread(Path(record.location).is_file):
            raise IntakeError(f"file record {record_id}: the file is no longer kept (deleted)")
        folder = folders.get(record.folder)
        if folder is None:
            return await self.submit(Path(record.location), record.converter)
        return await self._handle(
            Path(record.location),
            folder_name=record.folder,
            converter=folder.converter,
            settings=folder.settings,
            folder=folder,
            original=Path(record.source),
        )

    async def requeue(self, record_id: int) -> list[str]:
        """Send a file's reports again: dead items go back to waiting; returns their ids."""
        record = self._record(record_id)
        if record.outcome != "queued":
            raise IntakeError(f"file record {record_id} produced no reports (it failed)")
        requeued = []
        for item_id in record.items:
            try:
                item = await self._queue.get(item_id)
            except ItemNotFoundError:
                continue
            if item.state is State.DEAD:
                await self._queue.requeue(item_id)
                requeued.append(item_id)
        if not requeued:
            raise IntakeError(
                f"file record {record_id}: none of its reports is a dead letter; "
                "delivered reports are sent again with `files reconvert` after a fix"
            )
        return requeued

    def _record(self, record_id: int) -> FileRecord:
        record = self._log.get(record_id)
        if record is None:
            raise IntakeError(f"no file record {record_id}")
        return record

    async def _handle(
        self,
        path: Path,
        *,
        folder_name: str,
        converter: str,
        settings: Mapping[str, Any],
        folder: FolderSection | None = None,
        original: Path | None = None,
    ) -> FileRecord | None:
        # as WSJF bytes from the worker: this process never holds a parsed (large) report
        result = await asyncio.to_thread(
            self._runner.convert, path, converter, dict(settings), self._context, as_wsjf=True
        )
        if isinstance(result, ConversionFailed):
            return await self._failed(path, folder_name, folder, result, original)
        items = [ReportItem.from_wsjf(r, source=str(original or path)) for r in result.wsjf]
        try:
            item_ids = await self._queue.put_many([i.new_item() for i in items])
        except QueueError as exc:  # e.g. disk full: keep the file, try again later
            log.error(
                "file %s kept in place: the queue refused its reports (%s)",
                printable(path),
                exc,
            )
            return None
        record_id = self._log.add(
            folder=folder_name,
            source=original or path,
            converter=result.converter,
            outcome="queued",
            reports=[i.report_id for i in items],
            items=item_ids,
            duration=result.duration,
        )
        location = await self._let_go(path, folder, result.converter, items)
        self._log.moved(record_id, location)
        log.info(
            "file %s: %d report(s) queued by %s", printable(path), len(items), result.converter
        )
        return self._handled(record_id)

    async def _failed(
        self,
        path: Path,
        folder_name: str,
        folder: FolderSection | None,
        result: ConversionFailed,
        original: Path | None,
    ) -> FileRecord | None:
        if result.cause in _NOT_THE_FILES_FAULT:
            return None
        # A watched folder's failure is news; `submit` tells its user itself.
        level = logging.WARNING if folder is not None else logging.INFO
        log.log(level, "file %s failed: %s", printable(path), printable(result.message))
        if result.detail:
            log.debug("file %s: %s", printable(path), result.detail)
        record_id = self._log.add(
            folder=folder_name,
            source=original or path,
            converter=result.converter,
            outcome="failed",
            cause=result.cause.value,
            message=result.message,
        )
        location = await asyncio.to_thread(self._move_to_error, path, folder, result)
        self._log.moved(record_id, location)
        return self._handled(record_id)

    @staticmethod
    def _move_to_error(
        path: Path, folder: FolderSection | None, result: ConversionFailed
    ) -> Path | None:
        """Move a failed file to ``Error/`` (watched folders only); where it is now."""
        if not path.exists():
            return None
        if folder is None:
            return path  # submitted by hand: the file stays the user's
        try:
            return settle_failed(
                folder,
                path,
                converter=result.converter,
                cause=result.cause.value,
                message="\n".join(filter(None, [result.message, result.detail])),
            )
        except OSError as exc:
            log.error("file %s could not be moved to Error/: %s", printable(path), exc)
            return path

    async def _let_go(
        self, path: Path, folder: FolderSection | None, converter: str, items: list[ReportItem]
    ) -> Path | None:
        if folder is None:
            return path  # submitted by hand: the file stays the user's
        try:
            return await asyncio.to_thread(
                settle_converted,
                folder,
                path,
                archive_dir=self._archive_dir,
                converter=converter,
                report_ids=[i.report_id for i in items],
            )
        except OSError as exc:
            # Its reports are queued; the file is handled again later and queues nothing new.
            log.error(
                "file %s: reports queued, but the file could not be moved: %s", printable(path), exc
            )
            return path

    def _handled(self, record_id: int) -> FileRecord | None:
        record = self._log.get(record_id)
        if record is not None and self._on_handled is not None:
            self._on_handled(record)
        return record
