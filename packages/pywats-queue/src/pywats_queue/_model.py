"""Items, states, statistics and errors shared by every backend."""

from __future__ import annotations

import enum
import json
import os
import random
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


class State(str, enum.Enum):
    """Where an item is in its life."""

    READY = "ready"  # waiting; claimable once ``next_attempt_at`` has come
    LEASED = "leased"  # claimed by a consumer until ``lease_expires_at``
    ACKED = "acked"  # delivered; kept for the retention period, then removed
    DEAD = "dead"  # dead letter; kept until a person requeues or discards it

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class Item:
    """One queued payload and its delivery bookkeeping (times are Unix seconds)."""

    id: str
    key: str
    payload: bytes = field(repr=False)
    meta: Mapping[str, Any]
    created_at: float
    attempts: int
    last_error: str | None
    next_attempt_at: float
    state: State
    lease_token: str | None = None
    lease_expires_at: float | None = None
    finished_at: float | None = None  # when acknowledged or dead-lettered


@dataclass(frozen=True)
class QueueStats:
    """A snapshot of the queue for dashboards and the CLI."""

    depth: dict[str, int]  # items per state
    oldest_age: dict[str, float | None]  # seconds since the oldest item per state was put
    attempts: dict[int, int]  # attempts -> number of ready, leased or dead items
    quarantined: int  # damaged files moved aside (file backend; 0 for SQLite)

    def as_dict(self) -> dict[str, Any]:
        return {
            "depth": dict(self.depth),
            "oldest_age": dict(self.oldest_age),
            "attempts": {str(k): v for k, v in sorted(self.attempts.items())},
            "quarantined": self.quarantined,
        }


@dataclass(frozen=True)
class NewItem:
    """What ``put_many`` takes: one payload with its idempotency key."""

    payload: bytes
    key: str
    meta: Mapping[str, Any] | None = None


class QueueError(Exception):
    """Base class of every error this package raises."""


class QueueCorruptError(QueueError):
    """The queue's storage is damaged; the message names the file and the way out."""


class UnsupportedQueueError(QueueError):
    """The URL, the SQLite library or the stored format cannot be used."""


class ItemNotFoundError(QueueError, KeyError):
    """No item with that id exists."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "item not found"


class LeaseLostError(QueueError):
    """The caller's lease is gone (it expired and the item moved on, or was never held)."""


class InvalidStateError(QueueError):
    """The operation does not apply to the item's current state."""


STATES: tuple[State, ...] = (State.READY, State.LEASED, State.ACKED, State.DEAD)

_id_lock = threading.Lock()
_random = random.Random()  # seeded from os.urandom
if hasattr(os, "register_at_fork"):  # a forked child must not repeat its parent's ids
    os.register_at_fork(after_in_child=_random.seed)
_last_ns = 0


def new_id() -> str:
    """A 32-hex-digit id that sorts by creation time (ns) within and across processes."""
    global _last_ns
    with _id_lock:
        now = max(time.time_ns(), _last_ns + 1)
        _last_ns = now
        tail = _random.getrandbits(64)
    # Uniqueness, not secrecy: a per-process generator seeded from the OS is enough.
    return f"{now:016x}{tail:016x}"


def new_ids(count: int) -> list[str]:
    """``count`` ids as from :func:`new_id`, in order, drawn under one lock (batches)."""
    global _last_ns
    with _id_lock:
        first = max(time.time_ns(), _last_ns + 1)
        _last_ns = first + count - 1
        tails = [_random.getrandbits(64) for _ in range(count)]
    return [f"{first + n:016x}{tail:016x}" for n, tail in enumerate(tails)]


def id_tail() -> str:
    """The random second half of an id, for a backend that picks the time half itself."""
    return f"{_random.getrandbits(64):016x}"


def id_created_at(item_id: str) -> float:
    """Creation time encoded in an id made by :func:`new_id`."""
    return int(item_id[:16], 16) / 1e9


def is_valid_id(item_id: str) -> bool:
    return len(item_id) == 32 and all(c in "0123456789abcdef" for c in item_id)


def check_put_args(payload: object, key: object, meta: object) -> dict[str, Any]:
    """Validate put arguments; return meta as a plain JSON-safe dict."""
    if not isinstance(payload, (bytes, bytearray, memoryview)):
        raise TypeError(f"payload must be bytes, not {type(payload).__name__}")
    if not isinstance(key, str) or not key:
        raise ValueError("key must be a non-empty string (the idempotency key)")
    if len(key.encode("utf-8")) > 1024:
        raise ValueError("key is longer than 1024 bytes")
    if meta is None:
        return {}
    if not isinstance(meta, Mapping):
        raise TypeError(f"meta must be a dict, not {type(meta).__name__}")
    try:
        text = json.dumps(dict(meta), allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"meta must be JSON-serialisable: {exc}") from None
    loaded: dict[str, Any] = json.loads(text)
    return loaded
