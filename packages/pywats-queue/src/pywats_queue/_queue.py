"""The queue API over either backend, its URL opener and the asyncio wrapper.

The :class:`Queue` validates arguments, holds the thread lock, supplies the clock and
runs retention. A backend (``FileStorage``, ``SqliteStorage``: the same methods) only
stores: each method is one durable step, all or nothing, and translates its own
failures (``sqlite3.Error``, ``OSError``) into this package's errors.
"""

from __future__ import annotations

import asyncio
import functools
import threading
import time
from collections.abc import Callable, Coroutine, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, Concatenate, ParamSpec, TypeVar
from urllib.parse import unquote, urlsplit

from ._file import FileStorage
from ._model import (
    LIFE_STATES,
    Entry,
    InvalidStateError,
    Item,
    ItemNotFoundError,
    NewItem,
    QueueError,
    QueueNotFoundError,
    QueueStats,
    State,
    UnsupportedQueueError,
    check_put_args,
)
from ._sqlite import SqliteStorage

DEFAULT_ACKED_RETENTION = 3 * 24 * 3600.0  # long enough for a person to see what was sent
_PURGE_INTERVAL = 60.0

Storage = FileStorage | SqliteStorage
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
        self.url = storage.url
        self._lock = threading.RLock()
        self._clock = clock
        self._closed = False
        self.acked_retention = acked_retention
        self._last_purge = float("-inf")
        self._maybe_purge()

    def __repr__(self) -> str:
        return f"Queue({self.url!r})"

    def _call(self, func: Callable[..., _T], *args: Any) -> _T:
        with self._lock:
            if self._closed:
                raise QueueError(f"queue {self.url} is closed")
            return func(*args, self._clock())

    def _maybe_purge(self) -> None:
        with self._lock:
            if time.monotonic() - self._last_purge >= _PURGE_INTERVAL:
                self._last_purge = time.monotonic()
                self.purge()

    # -- producing ----------------------------------------------------------------

    def put(self, payload: bytes, *, key: str, meta: Mapping[str, Any] | None = None) -> str:
        """Store ``payload`` durably; return its id (the existing id if ``key`` is known)."""
        return self.put_many([NewItem(payload, key, meta)])[0]

    def put_many(self, entries: Iterable[NewItem | tuple[bytes, str]]) -> list[str]:
        """Store many payloads in one durable step; return their ids in order."""
        batch: list[Entry] = []
        for entry in entries:
            payload, key, meta = entry if isinstance(entry, NewItem) else (*entry, None)
            meta = check_put_args(payload, key, meta)  # before anything else touches them
            batch.append((bytes(payload), key, meta))
        if not batch:
            return []
        return [item.id for item in self._call(self._storage.put_many, batch)]

    # -- consuming ----------------------------------------------------------------

    def claim(self, lease_seconds: float = 60.0) -> Item | None:
        """Lease the item that has been claimable longest, or return None."""
        items = self.claim_many(1, lease_seconds)
        return items[0] if items else None

    def claim_many(self, count: int, lease_seconds: float = 60.0) -> list[Item]:
        """Lease up to ``count`` items in one step (oldest due first); [] if none."""
        if not lease_seconds > 0 or count < 1:
            raise ValueError("lease_seconds must be positive and count at least 1")
        return self._call(self._storage.claim, count, lease_seconds)

    def ack(self, item: Item) -> Item:
        """Record successful delivery of a claimed item."""
        return self.ack_many([item])[0]

    def ack_many(self, items: Sequence[Item]) -> list[Item]:
        """Acknowledge claimed items in one durable step: all of them, or none if any
        lease is gone (:class:`LeaseLostError`; then ack the others one by one)."""
        if not items:
            return []
        done = self._call(self._storage.ack, list(items))
        self._maybe_purge()
        return done

    def nack(self, item: Item, error: str, retry_at: float | None = None) -> Item:
        """Record a failed attempt; the item becomes ready again at ``retry_at`` (Unix s)."""
        return self._call(
            lambda now: self._storage.nack(item, error, now if retry_at is None else retry_at, now)
        )

    def release(self, item: Item, retry_at: float | None = None) -> Item:
        """Give a claim back without counting an attempt (re-auth, shutdown)."""
        return self._call(
            lambda now: self._storage.release(item, now if retry_at is None else retry_at, now)
        )

    def dead(self, item: Item, reason: str, *, attempted: bool = False) -> Item:
        """Move a claimed item to the dead letters, keeping ``reason``; not retried.

        ``attempted=True``: the claim ended in a failed delivery attempt (e.g. the server
        refused the payload), so ``attempts`` goes up by one, as with :meth:`nack`.
        """
        return self._call(self._storage.dead, item, reason, attempted)

    # -- a person's controls ------------------------------------------------------

    def requeue(self, item_id: str) -> Item:
        """Make a dead (or acknowledged) item ready again now; attempts are kept."""
        return self._call(self._storage.requeue, item_id)

    def discard(self, item_id: str) -> Item:
        """Delete an item that is not leased; return what was deleted."""
        return self._call(self._storage.discard, item_id)

    def get(self, item_id: str) -> Item:
        if (item := self._call(self._storage.get, item_id)) is None:
            raise ItemNotFoundError(f"no item with id {item_id!r} in {self.url}")
        return item

    def list(self, state: State | str, *, limit: int | None = None) -> list[Item]:
        """Items in ``state``, in queue order (quarantined: latest first)."""
        try:
            wanted = State(state)
        except ValueError:
            names = ", ".join(s.value for s in State)
            raise InvalidStateError(f"unknown state {state!r}; use one of {names}") from None
        return self._call(self._storage.list, wanted, limit)

    def items(self) -> Iterator[Item]:
        """Every item of every state of life (not the quarantined), state by state."""
        for state in LIFE_STATES:
            yield from self.list(state)

    def stats(self) -> QueueStats:
        return self._call(self._storage.stats)

    def purge(self) -> int:
        """Remove acknowledged items older than the retention period; return how many."""
        return self._call(lambda now: self._storage.purge_acked(now - self.acked_retention))

    def import_items(self, items: Iterable[Item]) -> int:
        """Store items as given (for migration and recovery); skip keys already here."""
        return self._call(lambda _now: self._storage.import_items(list(items)))

    def close(self) -> None:
        with self._lock:
            if not self._closed:
                self._closed = True
                self._storage.close()

    def __enter__(self) -> Queue:
        return self

    def __exit__(self, *_exc: object) -> None:
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
        raise QueueNotFoundError(f"no queue at {path} (from {url!r})")
    storage: Storage = FileStorage(path) if scheme == "file" else SqliteStorage(path)
    try:
        return Queue(storage, acked_retention=acked_retention, clock=clock)
    except BaseException:
        storage.close()
        raise


def _in_thread(
    method: Callable[Concatenate[Queue, _P], _T],
) -> Callable[Concatenate[AsyncQueue, _P], Coroutine[Any, Any, _T]]:
    async def run(self: AsyncQueue, /, *args: _P.args, **kwargs: _P.kwargs) -> _T:
        return await asyncio.to_thread(method, self.queue, *args, **kwargs)

    run.__doc__ = method.__doc__
    return run


class AsyncQueue:
    """The same queue for asyncio code: every call runs in a worker thread."""

    def __init__(self, queue: Queue) -> None:
        self.queue = queue

    @classmethod
    async def open(cls, url: str, **kwargs: Any) -> AsyncQueue:
        return cls(await asyncio.to_thread(functools.partial(open_queue, url, **kwargs)))

    put = _in_thread(Queue.put)
    put_many = _in_thread(Queue.put_many)
    claim = _in_thread(Queue.claim)
    claim_many = _in_thread(Queue.claim_many)
    ack = _in_thread(Queue.ack)
    ack_many = _in_thread(Queue.ack_many)
    nack = _in_thread(Queue.nack)
    release = _in_thread(Queue.release)
    dead = _in_thread(Queue.dead)
    requeue = _in_thread(Queue.requeue)
    discard = _in_thread(Queue.discard)
    get = _in_thread(Queue.get)
    list = _in_thread(Queue.list)
    stats = _in_thread(Queue.stats)
    close = _in_thread(Queue.close)

    async def __aenter__(self) -> AsyncQueue:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.close()
