"""The on-disk form of one item in the file backend: framed, length-checked, checksummed.

Layout: ``MAGIC | header_len (u32) | payload_len (u64) | header JSON | payload | sha256``
where the SHA-256 covers everything before it. A torn write (short file), an extended
file or any flipped bit is detected before a single field is trusted.
"""

from __future__ import annotations

import hashlib
import json
import struct
from typing import Any

MAGIC = b"PWQF1\n"
_LENGTHS = struct.Struct(">IQ")
_DIGEST = 32
_MIN_SIZE = len(MAGIC) + _LENGTHS.size + _DIGEST

_HEADER_TYPES: dict[str, tuple[type, ...]] = {
    "id": (str,),
    "key": (str,),
    "meta": (dict,),
    "created_at": (int, float),
    "attempts": (int,),
    "last_error": (str, type(None)),
    "next_attempt_at": (int, float),
    "revision": (int,),
    "finished_at": (int, float, type(None)),
}


class CorruptItemError(ValueError):
    """The bytes are not a complete, intact item; the message says why."""


def encode(header: dict[str, Any], payload: bytes) -> bytes:
    head = json.dumps(header, separators=(",", ":"), sort_keys=True).encode("utf-8")
    body = b"".join((MAGIC, _LENGTHS.pack(len(head), len(payload)), head, payload))
    return body + hashlib.sha256(body).digest()


def decode_lengths(data: bytes) -> tuple[int, int]:
    if len(data) < _MIN_SIZE:
        raise CorruptItemError(f"truncated: {len(data)} bytes, the smallest item is {_MIN_SIZE}")
    if not data.startswith(MAGIC):
        raise CorruptItemError("not a pywats-queue item (bad magic bytes)")
    head_len, payload_len = _LENGTHS.unpack_from(data, len(MAGIC))
    expected = _MIN_SIZE + head_len + payload_len
    if len(data) != expected:
        raise CorruptItemError(f"torn or extended: {len(data)} bytes, the frame says {expected}")
    return head_len, payload_len


def decode(data: bytes) -> tuple[dict[str, Any], bytes]:
    """Return (header, payload); raise :class:`CorruptItemError` on any damage."""
    head_len, payload_len = decode_lengths(data)
    if hashlib.sha256(data[:-_DIGEST]).digest() != data[-_DIGEST:]:
        raise CorruptItemError("checksum mismatch (the content was altered or partly written)")
    start = len(MAGIC) + _LENGTHS.size
    try:
        header = json.loads(data[start : start + head_len].decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CorruptItemError(f"unreadable header: {exc}") from None
    if not isinstance(header, dict):
        raise CorruptItemError("header is not an object")
    for name, types in _HEADER_TYPES.items():
        if not isinstance(header.get(name), types) or isinstance(header.get(name), bool):
            raise CorruptItemError(f"header field {name!r} is missing or has the wrong type")
    payload = data[start + head_len : start + head_len + payload_len]
    return header, payload
