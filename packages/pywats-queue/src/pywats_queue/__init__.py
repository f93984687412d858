"""pywats-queue: a crash-safe durable queue for WATS reports (file or SQLite storage).

>>> from pywats_queue import open_queue
>>> with open_queue("sqlite:///tmp/reports.db") as queue:  # doctest: +SKIP
...     queue.put(b"...", key="0d8f...")
"""

from ._migrate import MigrationResult, RecoveryResult, migrate, recover
from ._model import (
    InvalidStateError,
    Item,
    ItemNotFoundError,
    LeaseLostError,
    NewItem,
    QueueCorruptError,
    QueueError,
    QueueNotFoundError,
    QueueStats,
    State,
    UnsupportedQueueError,
)
from ._queue import DEFAULT_ACKED_RETENTION, AsyncQueue, Queue, Storage, open_queue
from ._version import __version__

__all__ = [
    "open_queue", "Queue", "AsyncQueue", "Item", "NewItem", "State", "QueueStats",
    "DEFAULT_ACKED_RETENTION", "Storage", "migrate", "MigrationResult", "recover",
    "RecoveryResult", "QueueError", "QueueNotFoundError", "QueueCorruptError",
    "UnsupportedQueueError", "ItemNotFoundError", "LeaseLostError", "InvalidStateError",
    "__version__",
]  # fmt: skip
