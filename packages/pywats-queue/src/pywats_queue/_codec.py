"""The on-disk form of one item in the file backend: framed, length-checked, checksummed.

Layout: ``MAGIC | header_len (u32) | payload_len (u64) | header JSON | payload | sha256``
where the SHA-256 covers everything before it. A torn write (short file), an extended
file or any flipped bit is detected before a single field is trusted.
"""

from __future__ import annotations

import hashlib
import json
import os
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


# -- packs ---------------------------------------------------------------------------
#
# ``put_many`` writes its whole batch as one *pack*: one file, one fsync, instead of one
# file and one flush per item. Each item of the pack is then hard-linked into ``ready/``
# and ``keys/`` under its own name, so every later state change stays a rename of that
# item's own link, exactly as for single files. A link is read by picking its member.
#
# Layout: ``PACK_MAGIC | pack id (16 bytes) | count (u32) | index | sha256(all before) |
# frame | frame ...``; while the pack is being linked it is ``tmp/<pack id>``.
# The index has one fixed record per member, sorted by id:
# ``id (16 bytes) | sha256(key) (32 bytes) | offset (u64) | length (u64)``, pointing at a
# frame in the item format above (which carries its own checksum).

PACK_MAGIC = b"PWQP1\n"
_COUNT = struct.Struct(">16sI")
_RECORD = struct.Struct(">16s32sQQ")
_PACK_PREFIX = len(PACK_MAGIC) + _COUNT.size


def encode_pack(pack_id: str, members: list[tuple[str, str, bytes]]) -> bytes:
    """One pack of ``(item_id, key_sha256_hex, frame)`` members (frames from :func:`encode`)."""
    members = sorted(members)
    offset = _PACK_PREFIX + _RECORD.size * len(members) + _DIGEST
    records = []
    for item_id, key_hash, frame in members:
        records.append(
            _RECORD.pack(bytes.fromhex(item_id), bytes.fromhex(key_hash), offset, len(frame))
        )
        offset += len(frame)
    head = b"".join((PACK_MAGIC, _COUNT.pack(bytes.fromhex(pack_id), len(members)), *records))
    return b"".join((head, hashlib.sha256(head).digest(), *(f for _i, _k, f in members)))


def read_frame(
    fd: int, *, item_id: str | None = None, key_hash: str | None = None
) -> tuple[bytes, str | None]:
    """The item frame in the open file ``fd`` and the id of its pack: the whole file and
    ``None`` for a single item; for a pack, the member with ``item_id`` (or with
    ``key_hash``, the SHA-256 of its key). Raises :class:`CorruptItemError` if the pack is
    damaged or lacks that member."""
    start = os.pread(fd, _PACK_PREFIX, 0)
    if not start.startswith(PACK_MAGIC):
        return _read_all(fd), None
    if len(start) < _PACK_PREFIX:
        raise CorruptItemError("truncated pack: its header is cut short")
    pack_id, count = _COUNT.unpack_from(start, len(PACK_MAGIC))
    index_len = _RECORD.size * count
    # The count is not covered by a checksum yet: check it against the file's size
    # before trusting it with a read (a flipped bit could ask for gigabytes).
    if _PACK_PREFIX + index_len + _DIGEST > os.fstat(fd).st_size:
        raise CorruptItemError(f"truncated pack: too short for the {count} members it lists")
    rest = _pread_exact(fd, index_len + _DIGEST, _PACK_PREFIX)
    if len(rest) != index_len + _DIGEST:
        raise CorruptItemError("truncated pack: its index is cut short")
    index = rest[:index_len]
    if hashlib.sha256(start + index).digest() != rest[index_len:]:
        raise CorruptItemError("pack index checksum mismatch (the pack was altered)")
    record = _find_record(index, count, item_id, key_hash)
    if record is None:
        wanted = f"item {item_id}" if item_id is not None else f"key hash {key_hash}"
        raise CorruptItemError(f"the pack has no member for {wanted}")
    _id, _key, offset, length = record
    frame = _pread_exact(fd, length, offset)
    if len(frame) != length:
        raise CorruptItemError(f"truncated pack: member at {offset} is cut short")
    return frame, pack_id.hex()


def _pread_exact(fd: int, length: int, offset: int) -> bytes:
    """Up to ``length`` bytes at ``offset``, fewer only at the end of the file. Read in
    1 MiB steps: one ``pread`` returns at most about 2 GiB on Linux, and each call first
    allocates as much as it asks for."""
    chunks: list[bytes] = []
    while length > 0:
        chunk = os.pread(fd, min(length, 1 << 20), offset)
        if not chunk:
            break
        chunks.append(chunk)
        length -= len(chunk)
        offset += len(chunk)
    return b"".join(chunks)


def _read_all(fd: int) -> bytes:
    return _pread_exact(fd, 1 << 62, 0)  # everything up to the end of the file


def _find_record(
    index: bytes, count: int, item_id: str | None, key_hash: str | None
) -> tuple[bytes, bytes, int, int] | None:
    size = _RECORD.size
    if item_id is not None:
        try:
            wanted = bytes.fromhex(item_id)
        except ValueError:
            return None
        low, high = 0, count  # records are sorted by id: bisect
        while low < high:
            mid = (low + high) // 2
            if index[mid * size : mid * size + 16] < wanted:
                low = mid + 1
            else:
                high = mid
        if low < count and index[low * size : low * size + 16] == wanted:
            record: tuple[bytes, bytes, int, int] = _RECORD.unpack_from(index, low * size)
            return record
        return None
    if key_hash is None:
        return None
    try:
        wanted = bytes.fromhex(key_hash)
    except ValueError:
        return None
    at = index.find(wanted)
    while at != -1:
        if at % size == 16:  # the key field of a record, not bytes that happen to match
            found: tuple[bytes, bytes, int, int] = _RECORD.unpack_from(index, at - 16)
            return found
        at = index.find(wanted, at + 1)
    return None
