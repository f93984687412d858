"""One station process per home: an OS file lock that dies with its process."""

from __future__ import annotations

import json
import os
import socket
import sys
import time
from pathlib import Path
from typing import IO, Any

__all__ = ["InstanceLock", "InstanceLockedError", "describe_holder", "lock_holder"]


def describe_holder(holder: dict[str, Any] | None) -> str:
    """``pid 12 on host, started …`` from a lock note (empty without one): what the
    messages of a refused command and ``status`` say about the process holding a home."""
    if not holder:
        return ""
    text = f"pid {holder.get('pid')} on {holder.get('host')}"
    if holder.get("started"):
        text += f", started {holder['started']}"
    return text


class InstanceLockedError(RuntimeError):
    """Another station process already holds the lock on this home."""

    def __init__(self, path: Path, holder: dict[str, Any] | None) -> None:
        self.path = path
        self.holder = holder
        who = "pywats-station"
        if holder and holder.get("command"):
            who = f"`pywats-station {holder['command']}`"
        if holder:
            who += f" ({describe_holder(holder)})"
        super().__init__(
            f"another {who} is already running with this station home; "
            f"stop it first, or use a different --home. Lock file: {path}"
        )


def _try_lock(handle: IO[str]) -> bool:
    if sys.platform == "win32":  # pragma: no cover - Windows
        import msvcrt

        try:
            handle.seek(0)
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _unlock(handle: IO[str]) -> None:
    if sys.platform == "win32":  # pragma: no cover - Windows
        import msvcrt

        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)
        return
    import fcntl

    fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def lock_holder(path: Path) -> dict[str, Any] | None:
    """Who holds the lock now (its note; empty if it has none yet), or ``None`` if nobody
    does.

    Reads the holder's note only when the lock is really held, so a note left behind by a
    killed process is not mistaken for a running station.
    """
    try:
        handle = open(path, encoding="utf-8")  # noqa: SIM115
    except FileNotFoundError:
        return None
    with handle:
        if _try_lock(handle):
            _unlock(handle)
            return None
        return _read_note(path) or {}


def _read_note(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8") or "null")
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


class InstanceLock:
    """An exclusive lock on ``path`` (``flock``/``LockFileEx``), held until released or
    until the process exits, whichever is first; the OS releases it on any death, so a
    crash never leaves a stale lock. The file holds a note (pid, host, start time, and
    the ``command`` holding it when given) for the message a second instance shows.
    """

    def __init__(self, path: Path, *, command: str | None = None) -> None:
        self.path = path
        self.command = command
        self._handle: IO[str] | None = None
        self._note: dict[str, Any] = {}

    @property
    def held(self) -> bool:
        return self._handle is not None

    def acquire(self) -> None:
        """Take the lock or raise :class:`InstanceLockedError` at once (never waits)."""
        if self._handle is not None:
            raise RuntimeError("this InstanceLock is already held")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # Read-write without truncating (the holder's note stays readable); not append
        # mode, in which every write would go to the end.
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        handle = os.fdopen(fd, "r+", encoding="utf-8")
        if not _try_lock(handle):
            handle.close()
            raise InstanceLockedError(self.path, _read_note(self.path))
        self._handle = handle
        self._note = {
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        }
        if self.command:
            self._note["command"] = self.command
        try:
            self._write_note()
        except OSError:
            self.release()
            raise

    def annotate(self, **fields: str) -> None:
        """Add ``fields`` to the note while the lock is held (e.g. the console's URL,
        known only once it listens), for what others tell their user."""
        if self._handle is None:
            raise RuntimeError("this InstanceLock is not held")
        self._note.update(fields)
        self._write_note()

    def _write_note(self) -> None:
        assert self._handle is not None
        # Written over the old note, then cut to length: a reader never sees an empty file.
        self._handle.seek(0)
        self._handle.write(json.dumps(self._note))
        self._handle.truncate()
        self._handle.flush()

    def release(self) -> None:
        """Release the lock (idempotent)."""
        handle, self._handle = self._handle, None
        if handle is None:
            return
        try:
            handle.seek(0)
            handle.truncate()
            handle.flush()
            _unlock(handle)
        finally:
            handle.close()

    def __enter__(self) -> InstanceLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()

    def __repr__(self) -> str:
        return f"InstanceLock({str(self.path)!r}, held={self.held})"
