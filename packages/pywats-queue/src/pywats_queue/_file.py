"""File backend: one checksummed file per item, one directory per state, one lock.

On disk, under the queue directory::

    FORMAT                        "pywats-queue file backend 1"
    lock                          flock'd by every call; holds the ready/ generation
    tmp/<id>                      new content, fsync'd here before it is renamed into place
    keys/<sha256(key)>            a symlink whose target is the id of the item with that key
    ready/<due_ns>_<id>_<claims>  due_ns (20 digits): when it may be claimed
    leased/<id>_<token>           token = <expiry_ns>_<random>_<claims>
    acked/<id>_<finished_ns>      dead/<id>_<finished_ns>
    quarantine/<state>_<name>     a damaged file, and <state>_<name>.reason (JSON)

Each item file is a frame (below): id, key, meta, created time, attempts, last error and
payload under a SHA-256, verified at every read; a damaged file goes to ``quarantine/``
with the reason. Names carry what a claim needs: ``ready/`` sorted by name is the claim
order (longest due first, then oldest id); ``claims`` counts claims since the last outcome.

Every call runs under an exclusive ``flock`` on ``lock``, so calls of different
processes never interleave (threads are serialised by the :class:`Queue`). Each process
caches ``ready/``'s sorted names; a call that changes ``ready/`` first increments the
generation number in ``lock``, and a cache of an older generation is read again.

Crash argument (a kill at any line; the lock dies with the process):

* A put writes and fsyncs ``tmp/<id>``, points ``keys/<hash>`` at the id (``symlink``)
  and renames the file into ``ready/``, then fsyncs ``ready/``. Killed before the
  rename, it leaves a key that names no item: a put of that key finds no item and
  takes the key over, and ``tmp/`` is emptied at open. ``keys/`` is not fsync'd (that
  would cost a second disk flush per put): open points each item's key at it again.
* Every state change is one ``rename`` of the item's single file, so an item is in
  exactly one state. nack and dead first replace the leased file's content (written and
  fsync'd in ``tmp/``) with ``os.replace``, then rename it: killed between, the item is
  still leased, with its new attempts, and becomes claimable when the lease runs out.
* A call returns only after fsyncing the directories it changed, claims excepted: a
  claim lost to a power cut returns the item to ``ready/`` (a kill loses nothing).
"""

from __future__ import annotations

import bisect
import contextlib
import dataclasses
import fcntl
import hashlib
import json
import os
import secrets
import struct
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from ._model import (
    LIFE_STATES,
    Entry,
    InvalidStateError,
    Item,
    ItemNotFoundError,
    QueueError,
    QueueStats,
    State,
    UnsupportedQueueError,
    lease_lost,
    new_ids,
)

FORMAT_TEXT = "pywats-queue file backend 1\n"
_DIRS = ("tmp", "keys", "quarantine", *(s.value for s in LIFE_STATES))
_GENERATION = 8  # bytes of the ready/ generation number at the start of ``lock``


# The item file: MAGIC | header length (u32) | payload length (u64) | header JSON |
# payload | SHA-256 of everything before it. A torn (short), extended or altered file is
# refused before a single field is trusted.
MAGIC = b"PWQF1\n"
_LENGTHS = struct.Struct(">IQ")
_START = len(MAGIC) + _LENGTHS.size
_FIELDS: dict[str, type | tuple[type, ...]] = {"id": str, "key": str, "meta": dict,
    "created_at": (int, float), "attempts": int, "last_error": (str, type(None))}  # fmt: skip


class CorruptItemError(ValueError):
    """The bytes are not an intact item; ``header`` is what its header seemed to say."""

    def __init__(self, reason: str, header: dict[str, Any] | None = None) -> None:
        super().__init__(reason)
        self.header = header


def encode(header: dict[str, Any], payload: bytes) -> bytes:
    head = json.dumps(header, separators=(",", ":"), sort_keys=True).encode("utf-8")
    body = b"".join((MAGIC, _LENGTHS.pack(len(head), len(payload)), head, payload))
    return body + hashlib.sha256(body).digest()


def _json(data: bytes) -> dict[str, Any] | None:
    with contextlib.suppress(UnicodeDecodeError, json.JSONDecodeError):
        if isinstance(header := json.loads(data.decode("utf-8")), dict):
            return header
    return None


def decode(data: bytes) -> tuple[dict[str, Any], bytes]:
    """(header, payload) of an item file; :class:`CorruptItemError` on any damage."""
    if len(data) < _START + 32 or not data.startswith(MAGIC):
        raise CorruptItemError(f"truncated or not an item file ({len(data)} bytes)")
    head_len, payload_len = _LENGTHS.unpack_from(data, len(MAGIC))
    if len(data) != (expected := _START + head_len + payload_len + 32):
        raise CorruptItemError(f"truncated or extended: {len(data)} bytes, framed {expected}")
    header = _json(data[_START : _START + head_len])
    if hashlib.sha256(data[:-32]).digest() != data[-32:]:
        raise CorruptItemError("checksum mismatch (the content was altered on disk)", header)
    if header is None or any(
        not isinstance(header.get(k), t) or isinstance(header.get(k), bool)
        for k, t in _FIELDS.items()
    ):
        raise CorruptItemError("the header lacks a field or has one of the wrong type")
    return header, data[_START + head_len : -32]


def read_key(path: Path) -> str | None:
    """The key in an item file's header, unverified (None if unreadable): only to rebuild
    keys/, which the checksum check of every read backs up."""
    with contextlib.suppress(OSError, struct.error), path.open("rb") as fh:
        start = fh.read(_START)
        head_len = _LENGTHS.unpack_from(start, len(MAGIC))[0] if start.startswith(MAGIC) else 0
        key = (_json(fh.read(min(head_len, 1 << 20))) or {}).get("key")
        return key if isinstance(key, str) else None
    return None


def _ns(seconds: float) -> int:
    return max(0, round(seconds * 1e9))


def _key_name(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def _parse(state: State, name: str) -> tuple[str, int, int] | None:
    """(id, time in ns, claims) from a well-formed name in ``state``'s directory."""
    parts = name.split("_")
    if state is State.READY and len(parts) == 3 and len(parts[0]) == 20:
        item_id, ns, claims = parts[1], parts[0], parts[2]
    elif state is State.LEASED and len(parts) == 4 and parts[2].isalnum():
        item_id, ns, claims = parts[0], parts[1], parts[3]
    elif state in (State.ACKED, State.DEAD) and len(parts) == 2:
        item_id, ns, claims = parts[0], parts[1], "0"
    else:
        return None
    if len(item_id) != 32 or not ns.isdigit() or not claims.isdigit():
        return None
    return item_id, int(ns), int(claims)


def _ready_name(due_ns: int, item_id: str, claims: int = 0) -> str:
    return f"{due_ns:020d}_{item_id}_{claims}"


def _write(path: Path, data: bytes) -> None:
    """Create ``path`` (for its owner's group only) with ``data``, not yet fsync'd."""
    with open(path, "xb", opener=lambda p, flags: os.open(p, flags, 0o640)) as fh:
        fh.write(data)  # on failure (disk full) the caller removes what is left


def _fsync(*paths: Path) -> None:
    for path in paths:
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _unlink(*paths: Path) -> None:
    for path in paths:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


def _header(item: Item) -> dict[str, Any]:
    return {"id": item.id, "key": item.key, "meta": dict(item.meta),
            "created_at": item.created_at, "attempts": item.attempts,
            "last_error": item.last_error}  # fmt: skip


class FileStorage:
    """The file backend. Not thread-safe by itself; :class:`Queue` serialises calls."""

    def __init__(self, root: Path) -> None:
        self.url = "file://" + str(root)
        self._root = root
        self._dir = {name: root / name for name in _DIRS}
        self._lock_fd = -1
        self._names: list[str] = []  # ready/ sorted, as of generation self._generation
        self._generation = -1
        try:
            self._prepare()
        except BaseException as exc:
            self.close()
            if isinstance(exc, OSError):
                raise QueueError(f"cannot open file queue {root}: {exc}") from None
            raise

    def _prepare(self) -> None:
        root, marker = self._root, self._root / "FORMAT"
        root.mkdir(parents=True, exist_ok=True)
        if not marker.exists() and set(os.listdir(root)) - {*_DIRS, "lock"}:
            raise QueueError(
                f"{root} is not empty and is not a pywats-queue directory "
                f"(found {', '.join(sorted(os.listdir(root))[:5])}); choose an empty directory"
            )
        self._lock_fd = os.open(root / "lock", os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o640)
        with self._locked():
            if marker.exists():
                text = marker.read_text(encoding="utf-8", errors="replace")
                if text != FORMAT_TEXT:
                    raise UnsupportedQueueError(
                        f"{marker} says {text.strip()!r}; this pywats-queue reads "
                        f"{FORMAT_TEXT.strip()!r} only (use the version that wrote it)"
                    )
            for path in self._dir.values():
                path.mkdir(exist_ok=True)
            for name in os.listdir(self._dir["tmp"]):  # left by calls that were killed
                (self._dir["tmp"] / name).unlink()
            self._restore_keys()
            if not marker.exists():
                _write(tmp := self._dir["tmp"] / "FORMAT", FORMAT_TEXT.encode())
                _fsync(tmp)
                os.replace(tmp, marker)
                _fsync(root)

    def _restore_keys(self) -> None:
        """Point every item's key at it again: keys/ is not fsync'd by puts, so a power
        cut may lose a key (or its replacement) that was made with an item."""
        for state in LIFE_STATES:
            for name in os.listdir(self._dir[state.value]):
                parsed, key = _parse(state, name), read_key(self._dir[state.value] / name)
                if parsed is not None and key is not None:
                    with contextlib.suppress(FileNotFoundError):
                        if os.readlink(self._dir["keys"] / _key_name(key)) == parsed[0]:
                            continue
                    self._link_key(key, parsed[0])
        _fsync(self._dir["keys"])

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        """The whole call under the queue's flock; ``OSError`` becomes a queue error."""
        try:
            fcntl.flock(self._lock_fd, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(self._lock_fd, fcntl.LOCK_UN)
        except OSError as exc:
            raise QueueError(f"file queue {self._root}: {exc}") from None

    def _stored_generation(self) -> int:
        return int.from_bytes(os.pread(self._lock_fd, _GENERATION, 0) or b"\0", "big")

    def _ready_names(self) -> list[str]:
        """The sorted names in ready/, re-read if another call changed it."""
        if (generation := self._stored_generation()) != self._generation:
            names = []
            for name in os.listdir(self._dir["ready"]):
                if _parse(State.READY, name) is None:
                    self._quarantine(State.READY, name, "unrecognised file name")
                else:
                    names.append(name)
            self._names = sorted(names)
            self._generation = generation
        return self._names

    def _changing_ready(self, *, keep_cache: bool = False) -> None:
        """Call before changing ready/ (under the lock). With ``keep_cache`` the caller
        brings this process's sorted names up to date itself."""
        if keep_cache:
            self._ready_names()
        generation = self._stored_generation() + 1
        os.pwrite(self._lock_fd, generation.to_bytes(_GENERATION, "big"), 0)
        self._generation = generation if keep_cache else -1

    def _item(self, state: State, name: str, header: dict[str, Any], payload: bytes) -> Item:
        item_id, ns, claims = _parse(state, name) or ("", 0, 0)
        at, leased, done = ns / 1e9, state is State.LEASED, state in (State.ACKED, State.DEAD)
        return Item(
            item_id, header["key"], payload, header["meta"], float(header["created_at"]),
            header["attempts"], header["last_error"], at, state,
            lease_token=name.partition("_")[2] if leased else None,
            lease_expires_at=at if leased else None, finished_at=at if done else None,
            claims=claims,
        )  # fmt: skip

    def _read(self, state: State, name: str) -> Item | None:
        """The item in ``state/name``, verified; None if it is gone or was damaged
        (then it is in quarantine, with the reason)."""
        try:
            header, payload = decode((self._dir[state.value] / name).read_bytes())
        except FileNotFoundError:
            return None
        except CorruptItemError as exc:
            self._quarantine(state, name, str(exc), exc.header)
            return None
        if (_parse(state, name) or ("",))[0] != header["id"]:
            self._quarantine(state, name, f"the name does not match the item id {header['id']}")
            return None
        return self._item(state, name, header, payload)

    def _quarantine(
        self, state: State, name: str, reason: str, header: dict[str, Any] | None = None
    ) -> None:
        """Move a damaged file aside with a note of the reason (never deleted)."""
        target = f"{state.value}_{name}"
        if state is State.READY:
            self._changing_ready()
        try:
            os.rename(self._dir[state.value] / name, self._dir["quarantine"] / target)
        except FileNotFoundError:
            return
        parsed, key = _parse(state, name), (header or {}).get("key")
        note = {"reason": reason, "quarantined_at": time.time(), "from": f"{state.value}/{name}"}
        note |= {"id": parsed[0] if parsed else name, "key": key if isinstance(key, str) else ""}
        _unlink(tmp := self._dir["tmp"] / f"{target}.reason")
        _write(tmp, json.dumps(note, indent=2).encode())
        _fsync(tmp)
        os.replace(tmp, self._dir["quarantine"] / f"{target}.reason")
        _fsync(self._dir["quarantine"], self._dir[state.value])

    def _quarantined(self, item_id: str = "") -> list[Item]:
        """Quarantined items (with ``item_id`` in their name) from their notes, latest first."""
        items = []
        for name in os.listdir(self._dir["quarantine"]):
            if not name.endswith(".reason") or item_id not in name:
                continue
            with contextlib.suppress(OSError, ValueError, KeyError, TypeError):
                note = json.loads((self._dir["quarantine"] / name).read_text(encoding="utf-8"))
                at = float(note["quarantined_at"])
                items.append(
                    Item(str(note["id"]), str(note["key"]), b"", {}, at, 0, str(note["reason"]),
                         at, State.QUARANTINED, finished_at=at)
                )  # fmt: skip
        return sorted(items, key=lambda i: i.finished_at or 0.0, reverse=True)

    def _find(self, item_id: str) -> tuple[State, str] | None:
        for state in LIFE_STATES:
            for name in os.listdir(self._dir[state.value]):
                if (_parse(state, name) or ("",))[0] == item_id:
                    return state, name
        return None

    def _located(self, item_id: str) -> tuple[State, str]:
        if (found := self._find(item_id)) is None:
            raise ItemNotFoundError(f"no item with id {item_id!r} in {self.url}")
        return found

    def _by_key(self, key: str) -> Item | None:
        """The stored item with ``key``, or None (also for a key left by a killed put)."""
        with contextlib.suppress(FileNotFoundError):
            if found := self._find(os.readlink(self._dir["keys"] / _key_name(key))):
                return self._read(*found)
        return None

    def _link_key(self, key: str, item_id: str) -> None:
        """Point ``keys/<hash>`` at ``item_id``, replacing a key that names no item."""
        try:
            os.symlink(item_id, self._dir["keys"] / _key_name(key))
        except FileExistsError:
            os.symlink(item_id, tmp := self._dir["tmp"] / f"key.{item_id}")
            os.replace(tmp, self._dir["keys"] / _key_name(key))

    def _unlink_key(self, key: str, item_id: str) -> None:
        with contextlib.suppress(OSError):
            if os.readlink(path := self._dir["keys"] / _key_name(key)) == item_id:
                path.unlink()

    def _place(self, new: Sequence[tuple[Item, str, str]]) -> None:
        """Write and fsync each (item, state dir, name), link its key, rename it into
        place, then fsync each directory once."""
        tmps = [self._dir["tmp"] / item.id for item, _dir, _name in new]
        try:
            for tmp, (item, _dir, _name) in zip(tmps, new, strict=True):
                _write(tmp, encode(_header(item), item.payload))
            _fsync(*tmps)
            if any(d == "ready" for _i, d, _n in new):
                self._changing_ready(keep_cache=True)
            for tmp, (item, directory, name) in zip(tmps, new, strict=True):
                self._link_key(item.key, item.id)
                os.rename(tmp, self._dir[directory] / name)
                if directory == "ready":
                    bisect.insort(self._names, name)
            _fsync(*(self._dir[d] for d in sorted({d for _i, d, _n in new})))
        finally:
            _unlink(*tmps)  # those left by a failure; the others are in place

    # -- storage protocol ---------------------------------------------------------

    def put_many(self, entries: Sequence[Entry], now: float) -> list[Item]:
        with self._locked():
            results: dict[str, Item] = {}
            new: list[tuple[Item, str, str]] = []
            for (payload, key, meta), item_id in zip(entries, new_ids(len(entries)), strict=True):
                if key in results:
                    continue
                existing = self._by_key(key)
                if existing is None:
                    existing = Item(item_id, key, payload, meta, now, 0, None, now, State.READY)
                    new.append((existing, "ready", _ready_name(_ns(now), item_id)))
                results[key] = existing
            self._place(new)
            return [results[key] for _payload, key, _meta in entries]

    def claim(self, count: int, lease_seconds: float, now: float) -> list[Item]:
        now_ns, expiry_ns = _ns(now), _ns(now + lease_seconds)
        claimed: list[Item] = []
        with self._locked():
            leased = self._dir["leased"]
            for name in os.listdir(leased):  # leases that ran out become claimable
                parsed = _parse(State.LEASED, name)
                if parsed is None:
                    self._quarantine(State.LEASED, name, "unrecognised file name")
                elif parsed[1] <= now_ns:
                    self._changing_ready()
                    ready_name = _ready_name(parsed[1], parsed[0], parsed[2])
                    os.rename(leased / name, self._dir["ready"] / ready_name)
            names = self._ready_names()
            if names and int(names[0][:20]) <= now_ns:
                self._changing_ready(keep_cache=True)
            while names and len(claimed) < count and int(names[0][:20]) <= now_ns:
                name = names.pop(0)
                _due, item_id, claims = name.split("_")
                target = f"{item_id}_{expiry_ns}_{secrets.token_hex(4)}_{int(claims) + 1}"
                try:
                    os.rename(self._dir["ready"] / name, leased / target)
                except FileNotFoundError:  # removed by hand: read ready/ again next time
                    self._generation = -1
                    continue
                item = self._read(State.LEASED, target)
                if item is not None:
                    claimed.append(item)
        return claimed

    def _leased(self, item: Item) -> Path:
        # an item never claimed has no token: "<id>_None" names no file
        if not (path := self._dir["leased"] / f"{item.id}_{item.lease_token}").exists():
            raise lease_lost(item.id)
        return path

    def ack(self, items: Sequence[Item], now: float) -> list[Item]:
        done = []
        with self._locked():
            paths = [self._leased(item) for item in items]  # all held, or nothing changes
            for item, path in zip(items, paths, strict=True):
                name = f"{item.id}_{_ns(now)}"
                os.rename(path, self._dir["acked"] / name)
                done.append(self._item(State.ACKED, name, _header(item), item.payload))
            _fsync(self._dir["acked"], self._dir["leased"])
        return done

    def _settle(self, item: Item, state: State, name: str, **changes: Any) -> Item:
        """End a claim: new content (if ``changes``) under the lease, then one rename."""
        with self._locked():
            path = self._leased(item)
            header = _header(item) | changes
            if changes:
                tmp = self._dir["tmp"] / item.id
                try:
                    _write(tmp, encode(header, item.payload))
                    _fsync(tmp)
                    os.replace(tmp, path)
                finally:
                    _unlink(tmp)
            if state is State.READY:
                self._changing_ready()
            os.rename(path, self._dir[state.value] / name)
            _fsync(self._dir[state.value], self._dir["leased"])
        return self._item(state, name, header, item.payload)

    def nack(self, item: Item, error: str, retry_at: float, now: float) -> Item:
        name = _ready_name(_ns(retry_at), item.id)
        return self._settle(item, State.READY, name, attempts=item.attempts + 1, last_error=error)

    def release(self, item: Item, retry_at: float, now: float) -> Item:
        return self._settle(item, State.READY, _ready_name(_ns(retry_at), item.id))

    def dead(self, item: Item, reason: str, attempted: bool, now: float) -> Item:
        name = f"{item.id}_{_ns(now)}"
        attempts = item.attempts + int(attempted)
        return self._settle(item, State.DEAD, name, attempts=attempts, last_error=reason)

    def requeue(self, item_id: str, now: float) -> Item:
        with self._locked():
            state, name = self._located(item_id)
            if state not in (State.DEAD, State.ACKED):
                raise InvalidStateError(
                    f"item {item_id} is {state.value}; only dead or acked items can be requeued"
                )
            target = _ready_name(_ns(now), item_id)
            self._changing_ready()
            os.rename(self._dir[state.value] / name, self._dir["ready"] / target)
            _fsync(self._dir["ready"], self._dir[state.value])
            item = self._read(State.READY, target)
        if item is None:
            raise QueueError(f"item {item_id} was damaged and has been quarantined")
        return item

    def discard(self, item_id: str, now: float) -> Item:
        with self._locked():
            if not self._find(item_id) and (set_aside := self._quarantined(item_id)):
                names = [n for n in os.listdir(self._dir["quarantine"]) if item_id in n]
                _unlink(*(self._dir["quarantine"] / n for n in names))
                _fsync(self._dir["quarantine"])
                return set_aside[0]
            state, name = self._located(item_id)
            if state is State.LEASED:
                raise InvalidStateError(
                    f"item {item_id} is being delivered (leased); discard it after its lease ends"
                )
            item = self._read(state, name)
            if item is None:
                raise QueueError(f"item {item_id} was damaged and has been quarantined")
            if state is State.READY:
                self._changing_ready()
            (self._dir[state.value] / name).unlink()
            self._unlink_key(item.key, item_id)
            _fsync(self._dir[state.value])
        return item

    def get(self, item_id: str, now: float) -> Item | None:
        with self._locked():
            return self._read(*found) if (found := self._find(item_id)) else None

    def list(self, state: State, limit: int | None, now: float) -> list[Item]:
        with self._locked():
            if state is State.QUARANTINED:
                return self._quarantined()[:limit]
            items: list[Item] = []
            for name in sorted(os.listdir(self._dir[state.value])):
                if limit is not None and len(items) >= limit:
                    break
                item = self._read(state, name) if _parse(state, name) else None
                if item is not None:
                    items.append(item)
            return items

    def import_items(self, items: Sequence[Item]) -> int:
        with self._locked():
            new: list[tuple[Item, str, str]] = []
            keys: set[str] = set()
            for item, item_id in zip(items, new_ids(len(items)), strict=True):
                if item.key in keys or self._by_key(item.key) is not None:
                    continue
                keys.add(item.key)
                if item.state is State.QUARANTINED:
                    raise QueueError(f"item {item.id} is quarantined; it cannot be imported")
                name = f"{item_id}_{_ns(item.finished_at or item.created_at)}"  # acked, dead
                if item.state is State.READY:
                    name = _ready_name(_ns(item.next_attempt_at), item_id, item.claims)
                elif item.state is State.LEASED:
                    expiry = _ns(item.lease_expires_at or 0.0)
                    name = f"{item_id}_{expiry}_{secrets.token_hex(4)}_{item.claims}"
                new.append((dataclasses.replace(item, id=item_id), item.state.value, name))
            self._place(new)
            return len(new)

    def purge_acked(self, before: float) -> int:
        removed = 0
        with self._locked():
            for name in os.listdir(self._dir["acked"]):
                if (_parse(State.ACKED, name) or ("", 1 << 64))[1] < _ns(before):
                    self._unlink_key(read_key(self._dir["acked"] / name) or "", name[:32])
                    (self._dir["acked"] / name).unlink()
                    removed += 1
            _fsync(self._dir["acked"])
        return removed

    def stats(self, now: float) -> QueueStats:
        depth: dict[str, int] = {}
        oldest: dict[str, float | None] = {}
        attempts: Counter[int] = Counter()
        with self._locked():
            for state in LIFE_STATES:
                names = [n for n in os.listdir(self._dir[state.value]) if _parse(state, n)]
                items = [self._read(state, n) for n in names] if state is not State.ACKED else []
                attempts.update(item.attempts for item in items if item)
                # ids begin with their creation time in ns
                created = [int(n.split("_")[state is State.READY][:16], 16) for n in names]
                depth[state.value] = len(names)
                oldest[state.value] = max(0.0, now - min(created) / 1e9) if created else None
            quarantined = self._quarantined()
        reason = quarantined[0].last_error if quarantined else None
        return QueueStats(depth, oldest, dict(attempts), len(quarantined), reason)

    def close(self) -> None:
        if self._lock_fd >= 0:
            os.close(self._lock_fd)
        self._lock_fd = -1
