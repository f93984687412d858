"""The queue API over either backend, its URL opener and the asyncio wrapper."""

from __future__ import annotations

import asyncio
import functools
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from types import TracebackType
from typing import Any, ParamSpec, TypeVar
from urllib.parse import unquote, urlsplit

from ._file import FileStorage
from ._model import (
    InvalidStateError,
    Item,
    ItemNotFoundError,
    NewItem,
    QueueError,
    QueueStats,
    State,
    UnsupportedQueueError,
    check_put_args,
)
from ._sqlite import SqliteStorage, sqlite_error
from ._storage import Storage

DEFAULT_ACKED_RETENTION = 3 * 24 * 3600.0  # long enough for a person to see what was sent
_PURGE_INTERVAL = 60.0

_P = ParamSpec("_P")
_T = TypeVar("_T")


def _path_from_url(url: str) -> tuple[str, Path]:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ("file", "sqlite"):
        raise UnsupportedQueueError(
            f"unsupported queue URL {url!r}: use file:///path/to/dir or sqlite:///path/to/file.db"
        )
    if parts.netloc not in ("", "localhost"):
        raise UnsupportedQueueError(
            f"queue URL {url!r} names host {parts.netloc!r}; the queue must be local: "
            f"write {scheme}:///absolute/path (three slashes)"
        )
    raw = unquote(parts.path)
    if not raw:
        raise UnsupportedQueueError(f"queue URL {url!r} has no path")
    return scheme, Path(raw)


class Queue:
    """A durable queue of payloads with idempotency keys, leases and dead letters.

    Thread-safe; several processes may open the same queue. Open one with
    :func:`open_queue`.
    """

    def __init__(
        self,
        storage: Storage,
        *,
        acked_retention: float = DEFAULT_ACKED_RETENTION,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._storage = storage
        self._lock = threading.RLock()
        self._clock = clock
        self._closed = False
        self.acked_retention = acked_retention
        self._last_purge = float("-inf")
        self._maybe_purge()

    @property
    def url(self) -> str:
        return self._storage.url

    def __repr__(self) -> str:
        return f"Queue({self.url!r})"

    def _call(self, func: Callable[..., _T], *args: Any) -> _T:
        with self._lock:
            if self._closed:
                raise QueueError(f"queue {self.url} is closed")
            try:
                return func(*args, self._clock())
            except sqlite3.DatabaseError as exc:
                raise sqlite_error(self.url, exc) from exc

    def _maybe_purge(self) -> None:
        now = time.monotonic()
        if now - self._last_purge >= _PURGE_INTERVAL:
            self._last_purge = now
            self.purge()

    # -- producing ----------------------------------------------------------------

    def put(self, payload: bytes, *, key: str, meta: Mapping[str, Any] | None = None) -> str:
        """Store ``payload`` durably; return its id (the existing id if ``key`` is known)."""
        return self.put_item(payload, key=key, meta=meta).id

    def put_item(self, payload: bytes, *, key: str, meta: Mapping[str, Any] | None = None) -> Item:
        """Like :meth:`put` but return the stored (or already existing) item."""
        clean = check_put_args(payload, key, meta)
        return self._call(self._storage.put, bytes(payload), key, clean)

    def put_many(self, entries: Iterable[NewItem | tuple[bytes, str]]) -> list[str]:
        """Store many payloads in one durable commit; return their ids in order."""
        batch: list[tuple[bytes, str, dict[str, Any]]] = []
        for entry in entries:
            if isinstance(entry, NewItem):
                payload, key, meta = entry.payload, entry.key, entry.meta
            else:
                payload, key = entry
                meta = None
            batch.append((bytes(payload), key, check_put_args(payload, key, meta)))
        if not batch:
            return []
        return self._call(self._storage.put_many, batch)

    # -- consuming ----------------------------------------------------------------

    def claim(self, lease_seconds: float = 60.0) -> Item | None:
        """Lease the oldest ready item whose retry time has come, or return None."""
        if not lease_seconds > 0:
            raise ValueError("lease_seconds must be positive")
        return self._call(self._storage.claim, lease_seconds)

    def ack(self, item: Item) -> Item:
        """Record successful delivery of a claimed item."""
        done = self._call(self._storage.ack, item)
        with self._lock:
            self._maybe_purge()
        return done

    def nack(self, item: Item, error: str, retry_at: float | None = None) -> Item:
        """Record a failed attempt; the item becomes ready again at ``retry_at`` (Unix s)."""
        return self._call(
            lambda now: self._storage.nack(item, error, now if retry_at is None else retry_at, now)
        )

    def release(self, item: Item, retry_at: float | None = None) -> Item:
        """Give a claim back without counting an attempt (re-auth, shutdown)."""
        return self._call(lambda now: self._storage.release(item, retry_at, now))

    def dead(self, item: Item, reason: str, *, attempted: bool = False) -> Item:
        """Move a claimed item to the dead letters, keeping ``reason``; not retried.

        ``attempted=True``: the claim ended in a failed delivery attempt (e.g. the server
        refused the payload), so ``attempts`` goes up by one, as with :meth:`nack`.
        """
        return self._call(lambda now: self._storage.dead(item, reason, now, attempted))

    # -- a person's controls ------------------------------------------------------

    def requeue(self, item_id: str) -> Item:
        """Make a dead (or acknowledged) item ready again now; attempts are kept."""
        return self._call(self._storage.requeue, item_id)

    def discard(self, item_id: str) -> Item:
        """Delete an item that is not leased; return what was deleted."""
        return self._call(self._storage.discard, item_id)

    def get(self, item_id: str) -> Item:
        item = self._call(self._storage.get, item_id)
        if item is None:
            raise ItemNotFoundError(f"no item with id {item_id!r} in {self.url}")
        return item

    def list(self, state: State | str, *, limit: int | None = None) -> list[Item]:
        """Items in ``state``, oldest first."""
        try:
            wanted = State(state)
        except ValueError:
            names = ", ".join(s.value for s in State)
            raise InvalidStateError(f"unknown state {state!r}; use one of {names}") from None
        return self._call(lambda now: self._storage.list(wanted, now, limit))

    def items(self) -> Iterator[Item]:
        """Every item, state by state (each state read in one locked call).

        Expired leases are returned to ready once, before the first state is read, so
        that no item moves between states during the iteration on account of the queue
        itself; other consumers working meanwhile can still move items.
        """
        self._call(self._storage.sweep)
        for state in State:
            yield from self._call(
                lambda now, state=state: self._storage.list(state, now, None, sweep=False)
            )

    def stats(self) -> QueueStats:
        return self._call(self._storage.stats)

    def purge(self) -> int:
        """Remove acknowledged items older than the retention period; return how many."""
        return self._call(lambda now: self._storage.purge_acked(now - self.acked_retention))

    def import_items(self, items: Iterable[Item]) -> int:
        """Store items exactly as given (for migration); skip ids already present."""
        batch = list(items)
        with self._lock:
            try:
                return self._storage.import_items(batch)
            except sqlite3.DatabaseError as exc:
                raise sqlite_error(self.url, exc) from exc

    def close(self) -> None:
        with self._lock:
            if not self._closed:
                self._closed = True
                self._storage.close()

    def __enter__(self) -> Queue:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def open_queue(
    url: str,
    *,
    acked_retention: float = DEFAULT_ACKED_RETENTION,
    clock: Callable[[], float] = time.time,
    create: bool = True,
) -> Queue:
    """Open ``file:///dir`` or ``sqlite:///file.db``, creating it unless ``create=False``."""
    scheme, path = _path_from_url(url)
    if not create and not path.exists():
        raise ItemNotFoundError(f"no queue at {path} (from {url!r})")
    storage: Storage = FileStorage(path, clock()) if scheme == "file" else SqliteStorage(path)
    try:
        return Queue(storage, acked_retention=acked_retention, clock=clock)
    except BaseException:
        storage.close()
        raise


class AsyncQueue:
    """The same queue for asyncio code: every call runs in a worker thread."""

    def __init__(self, queue: Queue) -> None:
        self.queue = queue

    @classmethod
    async def open(cls, url: str, **kwargs: Any) -> AsyncQueue:
        return cls(await asyncio.to_thread(functools.partial(open_queue, url, **kwargs)))

    async def _run(self, func: Callable[_P, _T], *args: _P.args, **kwargs: _P.kwargs) -> _T:
        return await asyncio.to_thread(func, *args, **kwargs)

    async def put(self, payload: bytes, *, key: str, meta: Mapping[str, Any] | None = None) -> str:
        return await self._run(self.queue.put, payload, key=key, meta=meta)

    async def put_many(self, entries: Iterable[NewItem | tuple[bytes, str]]) -> list[str]:
        return await self._run(self.queue.put_many, list(entries))

    async def claim(self, lease_seconds: float = 60.0) -> Item | None:
        return await self._run(self.queue.claim, lease_seconds)

    async def ack(self, item: Item) -> Item:
        return await self._run(self.queue.ack, item)

    async def nack(self, item: Item, error: str, retry_at: float | None = None) -> Item:
        return await self._run(self.queue.nack, item, error, retry_at)

    async def release(self, item: Item, retry_at: float | None = None) -> Item:
        return await self._run(self.queue.release, item, retry_at)

    async def dead(self, item: Item, reason: str, *, attempted: bool = False) -> Item:
        return await self._run(self.queue.dead, item, reason, attempted=attempted)

    async def requeue(self, item_id: str) -> Item:
        return await self._run(self.queue.requeue, item_id)

    async def discard(self, item_id: str) -> Item:
        return await self._run(self.queue.discard, item_id)

    async def get(self, item_id: str) -> Item:
        return await self._run(self.queue.get, item_id)

    async def list(self, state: State | str, *, limit: int | None = None) -> list[Item]:
        return await self._run(self.queue.list, state, limit=limit)

    async def stats(self) -> QueueStats:
        return await self._run(self.queue.stats)

    async def close(self) -> None:
        await self._run(self.queue.close)

    async def __aenter__(self) -> AsyncQueue:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()
