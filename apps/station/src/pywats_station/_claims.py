"""Counts uploads that were started but never ended, per queue item.

The queue does not count an expired lease as an attempt, so a report that kills the
station every time it is uploaded would be claimed, lost with the process, and claimed
again for ever. The uploader notes each claim here and forgets it once the claim ends
in any outcome (acknowledged, retried, handed back, dead-lettered). A count that keeps
growing therefore means "the station died (or the lease ran out) while uploading this
one", and after ``limit`` such claims the uploader dead-letters the item with that reason.

A small SQLite file in the station's data directory. It only has to survive the station
process dying, not a power cut, so commits are not fsync'd (``synchronous=OFF``): a
lost count costs at most one more try.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from pywats_queue import AsyncQueue, ItemNotFoundError, State

__all__ = ["ClaimJournal"]


class ClaimJournal:
    """``started(id)`` before an upload, ``finished(id)`` after any outcome."""

    def __init__(self, path: Path | None) -> None:
        """``path=None`` keeps the counts in memory (they then only cover lease expiries)."""
        self._db = sqlite3.connect(":memory:" if path is None else str(path), isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=OFF")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS claims (item_id TEXT PRIMARY KEY, count INTEGER NOT NULL)"
        )

    def started(self, item_id: str) -> int:
        """Note one more claim of ``item_id``; returns the claims without an outcome so
        far, this one included."""
        row = self._db.execute(
            "INSERT INTO claims (item_id, count) VALUES (?, 1) "
            "ON CONFLICT (item_id) DO UPDATE SET count = count + 1 RETURNING count",
            (item_id,),
        ).fetchone()
        return int(row[0])

    def finished(self, item_id: str) -> None:
        self._db.execute("DELETE FROM claims WHERE item_id = ?", (item_id,))

    def item_ids(self) -> list[str]:
        return [row[0] for row in self._db.execute("SELECT item_id FROM claims")]

    async def prune(self, queue: AsyncQueue) -> int:
        """Forget counts of items that can no longer be claimed (acknowledged, dead or
        gone, e.g. by another station on the same queue or a person's ``discard``), so
        the file does not grow; returns how many. The station runs it at start."""
        pruned = 0
        for item_id in self.item_ids():
            try:
                item = await queue.get(item_id)
            except ItemNotFoundError:
                item = None
            if item is None or item.state in (State.ACKED, State.DEAD):
                self.finished(item_id)
                pruned += 1
        return pruned

    def unfinished(self, item_id: str) -> int:
        row = self._db.execute("SELECT count FROM claims WHERE item_id = ?", (item_id,)).fetchone()
        return 0 if row is None else int(row[0])

    def close(self) -> None:
        self._db.close()
