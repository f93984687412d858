"""The one interface between the console and the station: :class:`ConsoleBackend`.

Pages never touch the station's parts; they ask the backend for plain, read-only views
(snapshots, queue pages, log lines) and ask it to act (retry, discard). The station
implements it with :class:`StationBackend` over its real parts; everything the console
shows passes through here, which is also where secrets are kept out.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import json
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from pywats_queue import AsyncQueue, Item
from pywats_station._breaker import BreakerChange, BreakerState, CircuitBreaker
from pywats_station._connection import ConnectionChange, ConnectionService, ConnectionState
from pywats_station._metrics import StationMetrics
from pywats_station.web._converters import ConvertersView, SaveResult, StationConverters
from pywats_station.web._settings import SettingsView, StationSettings

if TYPE_CHECKING:
    from pywats_station.web._files import FileConsole

__all__ = [
    "ActionResult",
    "ConsoleBackend",
    "FolderView",
    "ItemView",
    "LogLine",
    "QueuePage",
    "Snapshot",
    "StationBackend",
    "UploadRate",
    "LIST_STATES",
]

log = logging.getLogger("pywats_station.console")

# The queue states the console lists (acknowledged items are delivered, not queued).
LIST_STATES = ("ready", "leased", "dead", "quarantined")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


@dataclass(frozen=True)
class FolderView:
    """One watched folder's health. Times are wall-clock stamps (never "n s ago"), so
    that an unchanged folder compares equal from one sample to the next."""

    path: str
    state: str  # "ok", "unreachable" or "not watched"
    detail: str = ""  # why it is not ok
    since: float | None = None  # in this state since
    converter: str = ""
    watching: str = ""  # "events", "polling" or "rescan only"
    waiting: int = 0  # files seen, settling or next in line
    oldest_waiting: float | None = None  # when the oldest of them was first seen
    converting: str = ""  # the file being converted now
    last_record: int | None = None  # the last file taken: its files.db record ...
    last_file: str = ""
    last_outcome: str = ""  # ... what became of it ("archived", "error", ...)
    last_reason: str = ""
    last_at: float | None = None


@dataclass(frozen=True)
class Snapshot:
    """What the dashboard shows, taken at one moment."""

    taken_at: float
    connection: str
    connection_reason: str
    connection_since: float | None
    breaker: str
    breaker_failures: int
    queue_depth: dict[str, int]
    uploads_per_minute: list[int]  # oldest first, the last hour
    uploads_succeeded: int
    uploads_failed: int
    last_success: float | None
    last_error: str | None
    last_error_at: float | None
    clock_skew: float | None  # server minus station, seconds; None when unknown
    server_version: str | None
    paused: str | None
    folders: list[FolderView] = field(default_factory=list)


@dataclass(frozen=True)
class ItemView:
    id: str
    key: str
    state: str
    attempts: int
    last_error: str | None
    created_at: float
    finished_at: float | None
    next_attempt_at: float
    sn: str
    pn: str
    process: str
    result: str
    format: str
    source: str


@dataclass(frozen=True)
class QueuePage:
    state: str
    items: list[ItemView]
    offset: int
    limit: int
    total: int  # items in this state (before the filter)
    filter: str
    has_more: bool


@dataclass(frozen=True)
class ActionResult:
    done: list[str]
    refused: list[str]  # "<id>: why"


@dataclass(frozen=True)
class LogLine:
    level: str
    text: str


class ConsoleBackend(Protocol):
    """What the console needs from a station. Implementations must never return a
    secret (registration token, passcode) in anything they give back."""

    files: FileConsole | None
    """The Files page's source files and actions; None where there is no intake."""

    async def snapshot(self) -> Snapshot: ...

    async def health(self) -> tuple[bool, list[str]]: ...

    def metrics_text(self) -> bytes: ...

    async def queue_page(
        self, state: str, *, offset: int, limit: int, text: str = ""
    ) -> QueuePage: ...

    async def item(self, item_id: str) -> ItemView | None: ...

    async def retry(self, item_ids: Sequence[str]) -> ActionResult: ...

    async def discard(self, item_ids: Sequence[str]) -> ActionResult: ...

    def log_tail(self, *, lines: int, level: str) -> list[LogLine]: ...

    def changes(self, stop: asyncio.Event) -> AsyncIterator[int]: ...

    async def settings(self) -> SettingsView | None: ...

    async def update_settings(self, values: dict[str, str]) -> list[str]: ...

    async def register(self, url: str, token: str) -> tuple[bool, str]: ...

    async def converters(
        self, form: tuple[int, SaveResult] | None = None
    ) -> ConvertersView | None: ...

    async def update_converter_settings(
        self, index: int, path: str, typed: Mapping[str, str]
    ) -> SaveResult: ...


class UploadRate:
    """Uploads per minute over the last hour, from the monotonic success counter.

    Sampled by the backend's ticker: the difference since the previous sample goes into
    the bucket of the current minute. Cheap and independent of the uploader."""

    def __init__(self, minutes: int = 60, *, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        self._buckets: collections.deque[tuple[int, int]] = collections.deque(maxlen=minutes)
        self._minutes = minutes
        self._last_total: int | None = None

    def sample(self, total: int) -> None:
        minute = int(self._clock() // 60)
        added = 0 if self._last_total is None else max(0, total - self._last_total)
        self._last_total = total
        if self._buckets and self._buckets[-1][0] == minute:
            self._buckets[-1] = (minute, self._buckets[-1][1] + added)
        else:
            self._buckets.append((minute, added))

    def series(self) -> list[int]:
        now = int(self._clock() // 60)
        counts = dict(self._buckets)
        return [counts.get(m, 0) for m in range(now - self._minutes + 1, now + 1)]


def _text(meta: Any, *names: str) -> str:
    for name in names:
        value = meta.get(name) if hasattr(meta, "get") else None
        if value not in (None, ""):
            return str(value)
    return ""


_PAYLOAD_FIELDS = {"sn": "sn", "pn": "pn", "process": "processCode", "result": "result"}


def _from_payload(item: Item) -> dict[str, Any]:
    """SN/PN/process/result read from a WSJF payload, for items whose metadata does not
    carry them (items queued by ``submit`` before the intake's metadata)."""
    if len(item.payload) > 2_000_000 or not item.payload.lstrip().startswith(b"{"):
        return {}
    try:
        document = json.loads(item.payload)
    except ValueError:
        return {}
    if not isinstance(document, dict):
        return {}
    return {ours: document.get(theirs) for ours, theirs in _PAYLOAD_FIELDS.items()}


def item_view(item: Item) -> ItemView:
    meta: Any = item.meta
    if not all(meta.get(k) for k in ("sn", "pn")):
        meta = {**_from_payload(item), **{k: v for k, v in meta.items() if v not in (None, "")}}
    return ItemView(
        id=item.id,
        key=item.key,
        state=str(item.state),
        attempts=item.attempts,
        last_error=item.last_error,
        created_at=item.created_at,
        finished_at=item.finished_at,
        next_attempt_at=item.next_attempt_at,
        sn=_text(meta, "sn", "serial_number"),
        pn=_text(meta, "pn", "part_number"),
        process=_text(meta, "process", "process_code"),
        result=_text(meta, "result", "status"),
        format=_text(meta, "format"),
        source=_text(meta, "source"),
    )


def _matches(view: ItemView, text: str) -> bool:
    needle = text.lower()
    fields = (view.id, view.key, view.sn, view.pn, view.process, view.source, view.last_error)
    return any(needle in (f or "").lower() for f in fields)


class ChangeFeed:
    """A version number that goes up when something the console shows changed; any
    number of waiters (one per open SSE stream) wake on it. No per-client queues: a slow
    client just sees the newest version when it gets round to it."""

    def __init__(self) -> None:
        self.version = 0
        self._changed = asyncio.Event()

    def bump(self) -> None:
        self.version += 1
        changed, self._changed = self._changed, asyncio.Event()
        changed.set()

    async def wait(self, seen: int, stop: asyncio.Event, timeout: float) -> int:
        if self.version == seen:
            changed = asyncio.ensure_future(self._changed.wait())
            stopped = asyncio.ensure_future(stop.wait())
            try:
                await asyncio.wait(
                    {changed, stopped}, timeout=timeout, return_when="FIRST_COMPLETED"
                )
            finally:
                changed.cancel()
                stopped.cancel()
        return self.version


class StationBackend:
    """:class:`ConsoleBackend` over the station's real parts."""

    def __init__(
        self,
        *,
        queue: AsyncQueue,
        metrics: StationMetrics,
        connection: ConnectionService,
        breaker: CircuitBreaker,
        log_file: Path,
        paused: Callable[[], str | None] = lambda: None,
        wake_uploader: Callable[[], None] = lambda: None,
        folders: Callable[[], list[FolderView]] = list,
        refresh_depth: Callable[[], Awaitable[None]] | None = None,
        settings: StationSettings | None = None,
        converters: StationConverters | None = None,
        files: FileConsole | None = None,
        tick: float = 1.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.queue = queue
        self.metrics = metrics
        self.connection = connection
        self.breaker = breaker
        self.log_file = log_file
        self._paused = paused
        self._wake_uploader = wake_uploader
        self._folders = folders
        self._refresh_depth = refresh_depth
        self._settings = settings
        self._converters = converters
        self.files = files
        self._tick = tick
        self._clock = clock
        self.rate = UploadRate(clock=clock)
        self.feed = ChangeFeed()
        self._connection_since: float | None = clock()
        self._last_error: tuple[str, float] | None = None
        self._last_seen: tuple[object, ...] = ()
        breaker.subscribe(self._on_breaker)
        connection.subscribe(self._on_connection)

    # -- following the station --------------------------------------------------------

    def _on_breaker(self, change: BreakerChange) -> None:
        if change.new is BreakerState.OPEN:
            self._last_error = (f"circuit breaker opened: {change.reason}", self._clock())
        self.feed.bump()

    def _on_connection(self, change: ConnectionChange) -> None:
        self._connection_since = self._clock()
        if change.reason and self.connection.state is not ConnectionState.ONLINE:
            self._last_error = (change.reason, self._clock())
        self.feed.bump()

    async def run(self, stop: asyncio.Event) -> None:
        """Sample the upload rate and queue depth every tick; bump the feed on change."""
        while not stop.is_set():
            await self.sample()
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=self._tick)

    async def sample(self) -> None:
        if self._refresh_depth is not None:
            with contextlib.suppress(Exception):
                await self._refresh_depth()
        snap = self.metrics.snapshot()
        uploads = snap["uploads"]
        assert isinstance(uploads, dict)
        self.rate.sample(int(uploads["succeeded"]))
        seen = (repr(uploads), repr(snap["queue_depth"]), self._paused(), repr(self._folders()))
        if seen != self._last_seen:
            self._last_seen = seen
            self.feed.bump()

    # -- ConsoleBackend -----------------------------------------------------------------

    async def snapshot(self) -> Snapshot:
        stats = await self.queue.stats()
        depth = {s: int(stats.depth.get(s, 0)) for s in ("ready", "leased", "dead")}
        depth["quarantined"] = int(stats.quarantined)
        snap = self.metrics.snapshot()
        uploads = snap["uploads"]
        assert isinstance(uploads, dict)
        last = snap["last_successful_upload"]
        server_time = getattr(self.connection, "clock_skew", None)
        return Snapshot(
            taken_at=self._clock(),
            connection=self.connection.state.value,
            connection_reason=self.connection.reason,
            connection_since=self._connection_since,
            breaker=self.breaker.state.value,
            breaker_failures=self.breaker.consecutive_failures,
            queue_depth=depth,
            uploads_per_minute=self.rate.series(),
            uploads_succeeded=int(uploads["succeeded"]),
            uploads_failed=int(uploads["failed"]),
            last_success=float(last) if isinstance(last, (int, float)) else None,
            last_error=self._last_error[0] if self._last_error else None,
            last_error_at=self._last_error[1] if self._last_error else None,
            clock_skew=float(server_time) if isinstance(server_time, (int, float)) else None,
            server_version=self.connection.server_version,
            paused=self._paused(),
            folders=self._folders(),
        )

    async def health(self) -> tuple[bool, list[str]]:
        reasons: list[str] = []
        if self.breaker.state is not BreakerState.CLOSED:
            reasons.append(f"circuit breaker {self.breaker.state.value}")
        if self.connection.state is not ConnectionState.ONLINE:
            reasons.append(f"connection {self.connection.state.value}: {self.connection.reason}")
        paused = self._paused()
        if paused:
            reasons.append(f"uploads paused: {paused}")
        reasons += [
            f"folder {f.path}: {f.state}" + (f" ({f.detail})" if f.detail else "")
            for f in self._folders()
            if f.state != "ok"
        ]
        return (not reasons, reasons)

    def metrics_text(self) -> bytes:
        return self.metrics.exposition()

    async def queue_page(self, state: str, *, offset: int, limit: int, text: str = "") -> QueuePage:
        stats = await self.queue.stats()
        total = int(stats.quarantined if state == "quarantined" else stats.depth.get(state, 0))
        offset = min(offset, total)  # past the end is the end (and within SQLite's integers)
        if state == "quarantined":
            views: list[ItemView] = []  # quarantined files are not items any more
        else:
            # The queue lists from the start; the console pages over that list. Bounded
            # by what a person can page through (offset + limit + 1).
            items = await self.queue.list(state, limit=None if text else offset + limit + 1)
            views = [item_view(i) for i in items]
        if text:
            views = [v for v in views if _matches(v, text)]
        page = views[offset : offset + limit]
        return QueuePage(
            state=state,
            items=page,
            offset=offset,
            limit=limit,
            total=total,
            filter=text,
            has_more=len(views) > offset + limit,
        )

    async def item(self, item_id: str) -> ItemView | None:
        try:
            return item_view(await self.queue.get(item_id))
        except (KeyError, LookupError, ValueError):
            return None

    async def _act(
        self, item_ids: Sequence[str], verb: str, action: Callable[[str], Awaitable[Item]]
    ) -> ActionResult:
        done: list[str] = []
        refused: list[str] = []
        for item_id in item_ids:
            try:
                before = await self.queue.get(item_id)
                after = await action(item_id)
            except Exception as exc:  # the queue's own words go back to the person
                refused.append(f"{item_id}: {exc}")
                log.warning("console: %s of item %s refused: %s", verb, item_id, exc)
                continue
            done.append(item_id)
            log.info(
                "console: %s item %s (report %s): %s -> %s",
                verb,
                item_id,
                after.key,
                before.state,
                after.state,
            )
        if done:
            self._wake_uploader()
            await self.sample()
        return ActionResult(done, refused)

    async def retry(self, item_ids: Sequence[str]) -> ActionResult:
        return await self._act(item_ids, "retried", self.queue.requeue)

    async def discard(self, item_ids: Sequence[str]) -> ActionResult:
        return await self._act(item_ids, "discarded", self.queue.discard)

    def log_tail(self, *, lines: int, level: str) -> list[LogLine]:
        return read_log_tail(self.log_file, lines=lines, level=level)

    async def changes(self, stop: asyncio.Event) -> AsyncIterator[int]:
        """Yield the feed's version now and after every change, until ``stop``; at
        least every 15 s so that a dead connection is noticed."""
        seen = -1
        while not stop.is_set():
            version = await self.feed.wait(seen, stop, timeout=15.0)
            if stop.is_set():
                return
            seen = version
            yield version

    async def settings(self) -> SettingsView | None:
        return None if self._settings is None else await self._settings.view()

    async def update_settings(self, values: dict[str, str]) -> list[str]:
        if self._settings is None:
            return ["settings: not available in this console"]
        return await self._settings.update(values)

    async def register(self, url: str, token: str) -> tuple[bool, str]:
        if self._settings is None:
            return False, "registration: not available in this console"
        return await self._settings.register(url, token)

    async def converters(self, form: tuple[int, SaveResult] | None = None) -> ConvertersView | None:
        return None if self._converters is None else await self._converters.view(form)

    async def update_converter_settings(
        self, index: int, path: str, typed: Mapping[str, str]
    ) -> SaveResult:
        if self._converters is None:
            return SaveResult(["converters: not available in this console"])
        return await self._converters.update(index, path, typed)


def read_log_tail(path: Path, *, lines: int, level: str) -> list[LogLine]:
    """The last ``lines`` lines of the station log at ``level`` or above (lines of a
    traceback belong to the record above them)."""
    minimum = LOG_LEVELS.index(level) if level in LOG_LEVELS else 0
    try:
        with path.open("rb") as fh:
            fh.seek(0, 2)
            size = fh.tell()
            fh.seek(max(0, size - 512 * 1024))
            raw = fh.read().decode("utf-8", errors="replace").splitlines()
    except OSError:
        return []
    out: list[LogLine] = []
    current = "INFO"
    for line in raw:
        parts = line.split(" ", 3)
        if len(parts) > 2 and parts[2] in LOG_LEVELS:
            current = parts[2]
        if LOG_LEVELS.index(current) >= minimum:
            out.append(LogLine(current, line))
    return out[-lines:]
