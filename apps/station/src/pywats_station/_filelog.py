"""The record of every source file intake handled: what became of it, and where it is.

One row per handling of a file (``<home>/files.db``, SQLite): the folder, the converter,
the outcome (``queued`` or ``failed``), the report ids and queue items it produced, the
failure's cause and message, and where the file went (archive, ``Done/``, ``Error/``).
``files list|show|reconvert|requeue`` and the console read it.

It is written after the reports are durably queued and before the source file is moved;
a crash in between leaves the file where it was, and handling it again finds the same
report ids already queued (the queue keeps keys), so the record is an account of what
happened, never the thing that prevents a duplicate.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

__all__ = ["FileLog", "FileLogError", "FileRecord", "Outcome"]

Outcome = Literal["queued", "failed"]
_MIN_ID, _MAX_ID = -(2**63), 2**63 - 1  # SQLite's INTEGER range

_SCHEMA = """
CREATE TABLE IF NOT EXISTS files (
    id INTEGER PRIMARY KEY,
    handled REAL NOT NULL,
    folder TEXT NOT NULL,
    source TEXT NOT NULL,
    converter TEXT NOT NULL,
    outcome TEXT NOT NULL,
    cause TEXT NOT NULL DEFAULT '',
    message TEXT NOT NULL DEFAULT '',
    reports TEXT NOT NULL DEFAULT '[]',
    items TEXT NOT NULL DEFAULT '[]',
    location TEXT NOT NULL DEFAULT '',
    duration REAL NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS files_by_folder ON files (folder, id);
"""


class FileLogError(Exception):
    """``files.db`` cannot be opened or read; the message names it and the way out."""


@dataclass(frozen=True)
class FileRecord:
    """One handling of one source file."""

    id: int
    handled: float
    folder: str
    source: str
    converter: str
    outcome: Outcome
    cause: str
    message: str
    reports: tuple[str, ...]
    items: tuple[str, ...]
    location: str
    """Where the file is now: its archive or ``Error/`` path; empty when deleted."""
    duration: float


class FileLog:
    """Thread-safe access to ``files.db``."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        except (OSError, sqlite3.Error) as exc:
            raise FileLogError(f"cannot open the record of handled files {path}: {exc}") from exc
        try:
            self._db.row_factory = sqlite3.Row
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.executescript(_SCHEMA)
        except sqlite3.Error as exc:
            self._db.close()
            raise FileLogError(
                f"the record of handled files {path} cannot be used ({exc}); nothing was "
                "changed. It is an account only (the queue prevents duplicates): move it "
                "aside and a new one is started"
            ) from exc
        self._lock = threading.Lock()

    def add(
        self,
        *,
        folder: str,
        source: Path,
        converter: str,
        outcome: Outcome,
        cause: str = "",
        message: str = "",
        reports: Sequence[str] = (),
        items: Sequence[str] = (),
        duration: float = 0.0,
    ) -> int:
        """Record a handling before the file is moved; returns the record's id."""
        with self._lock:
            cursor = self._db.execute(
                "INSERT INTO files (handled, folder, source, converter, outcome, cause, message,"
                " reports, items, duration) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    time.time(),
                    folder,
                    str(source),
                    converter,
                    outcome,
                    cause,
                    message,
                    json.dumps(list(reports)),
                    json.dumps(list(items)),
                    duration,
                ),
            )
            assert cursor.lastrowid is not None
            return cursor.lastrowid

    def moved(self, record_id: int, location: Path | None) -> None:
        """Note where the file went once it has been moved (``None``: deleted)."""
        with self._lock:
            self._db.execute(
                "UPDATE files SET location = ? WHERE id = ?",
                ("" if location is None else str(location), record_id),
            )

    def get(self, record_id: int) -> FileRecord | None:
        if not _MIN_ID <= record_id <= _MAX_ID:
            return None  # beyond SQLite's integers: no such record (sqlite3 would raise)
        with self._lock:
            row = self._db.execute("SELECT * FROM files WHERE id = ?", (record_id,)).fetchone()
        return None if row is None else _record(row)

    def recent(
        self,
        *,
        folder: str | None = None,
        outcome: Outcome | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> list[FileRecord]:
        """The newest records first (skipping ``offset``), optionally of one folder or
        one outcome."""
        where: list[str] = []
        args: list[object] = []
        if folder is not None:
            where.append("folder = ?")
            args.append(folder)
        if outcome is not None:
            where.append("outcome = ?")
            args.append(outcome)
        sql = "SELECT * FROM files"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY id DESC LIMIT ? OFFSET ?"
        with self._lock:
            rows = self._db.execute(sql, (*args, *_bounds(limit, offset))).fetchall()
        return [_record(row) for row in rows]

    def counts(self) -> dict[tuple[str, str], int]:
        """How many records per (folder, outcome)."""
        with self._lock:
            rows = self._db.execute(
                "SELECT folder, outcome, count(*) FROM files GROUP BY folder, outcome"
            ).fetchall()
        return {(folder, outcome): n for folder, outcome, n in rows}

    def __iter__(self) -> Iterator[FileRecord]:
        with self._lock:
            rows = self._db.execute("SELECT * FROM files ORDER BY id").fetchall()
        return iter([_record(row) for row in rows])

    def close(self) -> None:
        with self._lock:
            self._db.close()


def _bounds(limit: int, offset: int) -> tuple[int, int]:
    """LIMIT and OFFSET within SQLite's integers (sqlite3 raises beyond them); a negative
    LIMIT keeps SQLite's meaning (no limit)."""
    return min(max(-1, limit), _MAX_ID), min(max(0, offset), _MAX_ID)


def _record(row: sqlite3.Row) -> FileRecord:
    return FileRecord(
        id=row["id"],
        handled=row["handled"],
        folder=row["folder"],
        source=row["source"],
        converter=row["converter"],
        outcome="queued" if row["outcome"] == "queued" else "failed",
        cause=row["cause"],
        message=row["message"],
        reports=tuple(json.loads(row["reports"])),
        items=tuple(json.loads(row["items"])),
        location=row["location"],
        duration=row["duration"],
    )
