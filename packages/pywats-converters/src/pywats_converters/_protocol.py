"""Frames between the runner and a worker: an 8-byte length, then a pickle.

The runner and its workers are the same installed code talking over private pipes; pickle
carries ``Report`` objects without re-validating them. Frames above ``MAX_FRAME`` are refused
so that a corrupted length never makes the reader allocate gigabytes.
"""

from __future__ import annotations

import pickle
import struct
from typing import IO, Any

__all__ = ["MAX_FRAME", "ProtocolError", "read_frame", "write_frame"]

MAX_FRAME = 1 << 31
_HEADER = struct.Struct("<Q")


class ProtocolError(Exception):
    """The other side sent something that is not a frame (it died mid-write, or is not ours)."""


def write_frame(stream: IO[bytes], message: Any) -> None:
    payload = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    # Two writes, not header + payload: that would copy a large report's frame once more.
    stream.write(_HEADER.pack(len(payload)))
    stream.write(payload)
    stream.flush()


def read_frame(stream: IO[bytes]) -> Any:
    """The next message, or ``None`` at a clean end of stream."""
    header = _read_exactly(stream, _HEADER.size)
    if not header:
        return None
    (size,) = _HEADER.unpack(header)
    if size > MAX_FRAME:
        raise ProtocolError(f"frame of {size} bytes announced")
    payload = _read_exactly(stream, size)
    if len(payload) != size:
        raise ProtocolError("stream ended inside a frame")
    return pickle.loads(payload)  # noqa: S301 - our own worker, over a private pipe


def _read_exactly(stream: IO[bytes], size: int) -> bytearray:
    """Up to ``size`` bytes (fewer only at the end of the stream), appended to one buffer
    as they come: a list of pipe-sized pieces joined at the end would hold a large frame
    twice, and a buffer made at the announced size would trust that size before any data."""
    data = bytearray()
    while len(data) < size:
        chunk = stream.read(size - len(data))
        if not chunk:
            break
        data += chunk
    if data and len(data) < _HEADER.size and size == _HEADER.size:
        raise ProtocolError("stream ended inside a frame header")
    return data
