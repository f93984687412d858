"""The storage protocol every backend implements.

The :class:`~pywats_queue.Queue` validates arguments, holds the thread lock, supplies the
clock and runs retention; a storage only stores. Each method is one durable step: when
it returns, its effect survives a crash or power loss (claims and releases excepted:
losing one of those only returns the item to ``ready`` early).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from ._model import Item, QueueStats, State


class Storage(Protocol):
    url: str

    def put(self, payload: bytes, key: str, meta: dict[str, Any], now: float) -> Item:
        """Store one new item durably and return it, or return the item that already
        has ``key`` (and store nothing)."""
        ...

    def put_many(
        self, entries: Sequence[tuple[bytes, str, dict[str, Any]]], now: float
    ) -> list[str]:
        """Store new items in one durable commit; return the id for each entry, in order
        (the existing item's id where its key is already stored)."""
        ...

    def claim(self, lease_seconds: float, now: float) -> Item | None: ...

    def ack(self, item: Item, now: float) -> Item: ...

    def nack(self, item: Item, error: str, retry_at: float, now: float) -> Item: ...

    def release(self, item: Item, retry_at: float | None, now: float) -> Item: ...

    def dead(self, item: Item, reason: str, now: float, attempted: bool = False) -> Item: ...

    def requeue(self, item_id: str, now: float) -> Item: ...

    def discard(self, item_id: str, now: float) -> Item: ...

    def get(self, item_id: str, now: float) -> Item | None: ...

    def sweep(self, now: float) -> None:
        """Return items whose lease has expired to ready."""
        ...

    def list(
        self, state: State, now: float, limit: int | None, *, sweep: bool = True
    ) -> list[Item]: ...

    def import_items(self, items: Sequence[Item]) -> int:
        """Store items exactly as given (state, attempts, times); skip ids already here."""
        ...

    def purge_acked(self, before: float) -> int: ...

    def stats(self, now: float) -> QueueStats: ...

    def close(self) -> None: ...
