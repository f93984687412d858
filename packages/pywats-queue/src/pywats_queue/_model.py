"""Items, states, statistics, errors and the checksum shared by both backends."""

from __future__ import annotations

import dataclasses
import enum
import hashlib
import json
import secrets
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple


class State(str, enum.Enum):
    """Where an item is in its life."""

    READY = "ready"  # waiting; claimable once ``next_attempt_at`` has come
    LEASED = "leased"  # claimed by a consumer until ``lease_expires_at``
    ACKED = "acked"  # delivered; kept for the retention period, then removed
    DEAD = "dead"  # dead letter; kept until a person requeues or discards it
    QUARANTINED = "quarantined"  # stored bytes failed their checksum; ``last_error`` says why

    def __str__(self) -> str:
        return self.value


LIFE_STATES: tuple[State, ...] = (State.READY, State.LEASED, State.ACKED, State.DEAD)
Entry = tuple[bytes, str, dict[str, Any]]  # (payload, key, meta) of one new item


@dataclass(frozen=True)
class Item:
    """One queued payload and its delivery bookkeeping (times are Unix seconds)."""

    id: str
    key: str
    payload: bytes = field(repr=False)
    meta: Mapping[str, Any]
    created_at: float
    attempts: int  # failed deliveries (nack, or dead with attempted=True)
    last_error: str | None
    next_attempt_at: float
    state: State
    lease_token: str | None = None
    lease_expires_at: float | None = None
    finished_at: float | None = None  # when acknowledged, dead-lettered or quarantined
    # Claims since the last outcome (ack, nack, release, dead, requeue), this one included:
    # 2 on a claim means an earlier claim ended without any (its process died, say).
    claims: int = 0


@dataclass(frozen=True)
class QueueStats:
    """A snapshot of the queue for dashboards and the CLI."""

    depth: dict[str, int]  # items per state of life (ready, leased, acked, dead)
    oldest_age: dict[str, float | None]  # seconds since the oldest item per state was put
    attempts: dict[int, int]  # attempts -> number of ready, leased or dead items
    quarantined: int  # items set aside because their stored bytes are damaged
    quarantine_reason: str | None = None  # the reason of the latest of them

    def as_dict(self) -> dict[str, Any]:
        attempts = {str(k): v for k, v in sorted(self.attempts.items())}
        return dataclasses.asdict(self) | {"attempts": attempts}


class NewItem(NamedTuple):
    """What ``put_many`` takes: one payload with its idempotency key."""

    payload: bytes
    key: str
    meta: Mapping[str, Any] | None = None


class QueueError(Exception):
    """Base class of every error this package raises."""


class QueueNotFoundError(QueueError):
    """``open_queue(..., create=False)`` found no queue at the path."""


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


def lease_lost(item_id: str) -> LeaseLostError:
    return LeaseLostError(
        f"the lease on item {item_id} is gone (it ran out and the item was released or "
        "claimed again, or it was never claimed); this result was not recorded"
    )


def checksum(key: str, meta_text: str, payload: bytes) -> bytes:
    """SHA-256 over everything a delivery sends: the key, the meta and the payload."""
    digest = hashlib.sha256()
    for part in (key.encode("utf-8"), meta_text.encode("utf-8")):
        digest.update(len(part).to_bytes(8, "big") + part)
    digest.update(payload)
    return digest.digest()


def meta_text(meta: Mapping[str, Any]) -> str:
    return json.dumps(dict(meta), sort_keys=True, separators=(",", ":"))


_id_lock = threading.Lock()
_last_ns = 0


def new_ids(count: int) -> list[str]:
    """``count`` 32-hex-digit ids that sort by creation (ns) in and across processes."""
    global _last_ns
    with _id_lock:
        first = max(time.time_ns(), _last_ns + 1)
        _last_ns = first + count - 1
    return [f"{first + n:016x}{secrets.randbits(64):016x}" for n in range(count)]


def check_put_args(payload: object, key: object, meta: object) -> dict[str, Any]:
    """Validate put arguments; return meta as a plain JSON-safe dict."""
    if not isinstance(payload, (bytes, bytearray, memoryview)):
        raise TypeError(f"payload must be bytes, not {type(payload).__name__}")
    if not isinstance(key, str) or not key:
        raise ValueError("key must be a non-empty string (the idempotency key)")
    if len(key.encode("utf-8")) > 1024:
        raise ValueError("key is longer than 1024 bytes")
    if not isinstance(meta, Mapping | None):
        raise TypeError(f"meta must be a dict, not {type(meta).__name__}")
    try:
        loaded: dict[str, Any] = json.loads(json.dumps(dict(meta or {}), allow_nan=False))
    except (TypeError, ValueError) as exc:
        raise ValueError(f"meta must be JSON-serialisable: {exc}") from None
    return loaded
