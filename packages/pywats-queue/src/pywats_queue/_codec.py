"""The on-disk form of one item in the file backend: framed, length-checked, checksummed.

Layout: ``MAGIC | header_len (u32) | payload_len (u64) | header JSON | payload | sha256``
where the SHA-256 covers everything before it. A torn write (short file), an extended
file or any flipped bit is detected before a single field is trusted.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import struct
from pathlib import Path
from typing import Any

MAGIC = b"PWQF1\n"
_LENGTHS = struct.Struct(">IQ")
_DIGEST = 32
_START = len(MAGIC) + _LENGTHS.size
_MIN_SIZE = _START + _DIGEST
_HEADER_TYPES: dict[str, tuple[type, ...]] = {
    "id": (str,),
    "key": (str,),
    "meta": (dict,),
    "created_at": (int, float),
    "attempts": (int,),
    "last_error": (str, type(None)),
}


class CorruptItemError(ValueError):
    """The bytes are not a complete, intact item; the message says why. ``header`` is
    what the header seemed to say, if it could be parsed at all (not to be trusted)."""

    def __init__(self, reason: str, header: dict[str, Any] | None = None) -> None:
        super().__init__(reason)
        self.header = header


def encode(header: dict[str, Any], payload: bytes) -> bytes:
    head = json.dumps(header, separators=(",", ":"), sort_keys=True).encode("utf-8")
    body = b"".join((MAGIC, _LENGTHS.pack(len(head), len(payload)), head, payload))
    return body + hashlib.sha256(body).digest()


def _header(data: bytes, head_len: int) -> dict[str, Any] | None:
    try:
        header = json.loads(data[_START : _START + head_len].decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None
    return header if isinstance(header, dict) else None


def read_key(path: Path) -> str | None:
    """The key in an item file's header, unverified (None if it cannot be read): to
    rebuild the key index, which the checksum check at every read then backs up."""
    with contextlib.suppress(OSError, ValueError, struct.error), path.open("rb") as fh:
        start = fh.read(_START)
        head_len = _LENGTHS.unpack_from(start, len(MAGIC))[0] if start.startswith(MAGIC) else 0
        key = (_header(start + fh.read(min(head_len, 1 << 20)), head_len) or {}).get("key")
        return key if isinstance(key, str) else None
    return None


def decode(data: bytes) -> tuple[dict[str, Any], bytes]:
    """Return (header, payload); raise :class:`CorruptItemError` on any damage."""
    if len(data) < _MIN_SIZE:
        raise CorruptItemError(f"truncated: {len(data)} bytes, the smallest item is {_MIN_SIZE}")
    if not data.startswith(MAGIC):
        raise CorruptItemError("not a pywats-queue item (bad magic bytes)")
    head_len, payload_len = _LENGTHS.unpack_from(data, len(MAGIC))
    expected = _MIN_SIZE + head_len + payload_len
    if len(data) != expected:
        raise CorruptItemError(f"torn or extended: {len(data)} bytes, the frame says {expected}")
    header = _header(data, head_len)
    if hashlib.sha256(data[:-_DIGEST]).digest() != data[-_DIGEST:]:
        raise CorruptItemError(
            "checksum mismatch (the content was altered or partly written)", header
        )
    if header is None:
        raise CorruptItemError("unreadable header")
    for name, types in _HEADER_TYPES.items():
        if not isinstance(header.get(name), types) or isinstance(header.get(name), bool):
            raise CorruptItemError(f"header field {name!r} is missing or has the wrong type")
    return header, data[_START + head_len : _START + head_len + payload_len]
