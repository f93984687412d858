"""File backend: one checksummed file (or pack member) per item, one directory per state.

Names carry what a claim needs, so claiming never opens a file that is not taken:

* ``ready/<id>~<next_attempt_ns>``
* ``leased/<id>~<expiry_ns>-<random>`` (the part after ``~`` is the lease token)
* ``acked/<id>~<acked_ns>`` and ``dead/<id>~<dead_ns>``
* ``keys/<sha256(key)>``: a hard link to the item's first file; creating it with
  ``link()`` is the atomic, cross-process idempotency check.

Every new content is written to ``tmp/``, fsynced and renamed into place, then the
directory is fsynced. A ``put_many`` batch is written as one pack (see ``_codec``) and
each of its items is hard-linked into ``keys/`` and ``ready/`` under its own name; a
link is read by picking the item's member, and from then on the item lives by its link.
State changes that keep the content (claim, ack, release, requeue) are a single atomic
``rename``. Changes of content (nack, dead) bump a revision, write the new file and then
remove the old one; if a crash leaves both, the next open keeps the higher revision.
Ids sort by creation time, so ``ready/`` sorted by name is the queue order.
"""

from __future__ import annotations

import bisect
import contextlib
import ctypes
import dataclasses
import hashlib
import json
import os
import secrets
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from ._codec import CorruptItemError, decode, encode, encode_pack, read_frame
from ._model import (
    STATES,
    InvalidStateError,
    Item,
    ItemNotFoundError,
    LeaseLostError,
    QueueError,
    QueueStats,
    State,
    UnsupportedQueueError,
    id_created_at,
    is_valid_id,
    new_id,
    new_ids,
)

FORMAT_NAME = "FORMAT"
# Format 2 added packs (put_many batches in one file). It reads format 1 directories as
# they are and marks them 2 on open, so that a version without packs refuses them clearly.
FORMAT_TEXT = "pywats-queue file backend 2\n"
_OLDER_FORMATS = ("pywats-queue file backend 1\n",)
# A tmp file or key link this old belongs to a writer that died, not one still working.
_STALE_SECONDS = 60.0
# Another process's changes to ready/ can hide inside one coarse directory-mtime tick;
# a full rescan at this interval bounds how long such an item can go unseen.
_RESCAN_SECONDS = 1.0
# A nack/dead rewrite first renews the lease to at least this far ahead, so that no
# expired-lease sweeper can move the old copy while the new one is written. If the
# process dies mid-rewrite, the item is claimable again when this renewed lease ends.
REWRITE_GUARD_SECONDS = 3.0
# Items per pack: enough to make a batch one fsync per hundred items, few enough that
# reading one member (which verifies the whole pack index) stays cheap.
PACK_MEMBERS = 128
_STATE_RANK = {State.READY: 0, State.LEASED: 1, State.DEAD: 2, State.ACKED: 3}


def _ns(seconds: float) -> int:
    return round(seconds * 1e9)


def _key_hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def _read_file(
    path: Path, *, item_id: str | None = None, key_hash: str | None = None
) -> tuple[bytes, str | None]:
    """The item frame behind ``path`` (a single item's file or a pack member's link) and
    the id of its pack, if any."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
    try:
        return read_frame(fd, item_id=item_id, key_hash=key_hash)
    finally:
        os.close(fd)


def _touched(path: Path) -> float:
    """When ``path``'s file was last written or linked (a link changes its ctime)."""
    st = path.lstat()
    return max(st.st_mtime, st.st_ctime)


def _parse_name(state: State, name: str) -> tuple[str, str] | None:
    """(id, suffix) when ``name`` is a well-formed item name for ``state``."""
    item_id, sep, suffix = name.partition("~")
    if not sep or not is_valid_id(item_id):
        return None
    if state is State.LEASED:
        expiry, dash, rand = suffix.partition("-")
        ok = bool(dash) and expiry.isdigit() and rand.isalnum()
    else:
        ok = suffix.isdigit()
    return (item_id, suffix) if ok else None


def _lease_expiry_ns(token: str) -> int:
    return int(token.partition("-")[0])


def _load_syncfs() -> Callable[[int], int] | None:
    """``syncfs(2)`` through libc, to make a whole batch durable in one call (Linux)."""
    if not hasattr(os, "sched_getaffinity"):  # a cheap "is this Linux" test
        return None
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        func = libc.syncfs
    except (OSError, AttributeError):
        return None
    func.argtypes = [ctypes.c_int]
    func.restype = ctypes.c_int

    def call(fd: int) -> int:
        result: int = func(fd)
        return result

    return call


_SYNCFS = _load_syncfs()


class FileStorage:
    """The file backend. Not thread-safe by itself; :class:`Queue` serialises calls."""

    def __init__(self, root: Path, now: float) -> None:
        self.url = "file://" + str(root)
        self._root = root
        self._dirs = {state: root / state.value for state in STATES}
        self._ready_dir = str(self._dirs[State.READY])
        self._quarantine = root / "quarantine"
        self._keys = root / "keys"
        self._tmp = root / "tmp"
        self._prepare()
        self._dir_fds: dict[Path, int] = {}
        self._ready_names: list[str] = []
        self._ready_mtime = -1
        self._ready_scanned = 0.0
        self._recover(now)

    # -- setup and recovery -------------------------------------------------------

    def _prepare(self) -> None:
        try:
            self._root.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise QueueError(f"cannot create queue directory {self._root}: {exc}") from None
        if not self._root.is_dir():
            raise QueueError(f"queue path {self._root} exists and is not a directory")
        marker = self._root / FORMAT_NAME
        if marker.exists():
            text = marker.read_text(encoding="utf-8", errors="replace")
            if text != FORMAT_TEXT and text not in _OLDER_FORMATS:
                raise UnsupportedQueueError(
                    f"{marker} says {text.strip()!r}; this pywats-queue reads up to "
                    f"{FORMAT_TEXT.strip()!r}. Use the pywats-queue version that wrote it."
                )
        else:
            leftovers = [p.name for p in self._root.iterdir()]
            if leftovers and not set(leftovers) <= {s.value for s in STATES} | {
                "quarantine",
                "keys",
                "tmp",
            }:
                raise QueueError(
                    f"{self._root} is not empty and is not a pywats-queue directory "
                    f"(found {', '.join(sorted(leftovers)[:5])}); choose an empty directory"
                )
        for path in (*self._dirs.values(), self._quarantine, self._keys, self._tmp):
            path.mkdir(exist_ok=True)
        if not marker.exists() or marker.read_text(encoding="utf-8") != FORMAT_TEXT:
            tmp = self._write_tmp(f"FORMAT-{secrets.token_hex(4)}", FORMAT_TEXT.encode(), sync=True)
            os.replace(tmp, marker)
        self._fsync_dir_path(self._root)

    def _fsync_dir_path(self, path: Path) -> None:
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)

    def _fsync_dir(self, path: Path) -> None:
        fd = self._dir_fds.get(path)
        if fd is None:
            fd = os.open(path, os.O_RDONLY)
            self._dir_fds[path] = fd
        os.fsync(fd)

    def _recover(self, now: float) -> None:
        """Make the directories consistent after any crash; safe beside live processes."""
        wall = time.time()
        for path in self._tmp.iterdir():
            with contextlib.suppress(FileNotFoundError):
                if wall - _touched(path) > _STALE_SECONDS:
                    path.unlink()
        found: dict[str, list[tuple[int, State, str, dict[str, Any]]]] = {}
        for state, directory in self._dirs.items():
            for name in os.listdir(directory):
                if _parse_name(state, name) is None:
                    self._quarantine_file(directory / name, "unrecognised file name")
                    continue
                loaded = self._load(state, name)
                if loaded is not None:
                    header, _payload = loaded
                    found.setdefault(header["id"], []).append(
                        (header["revision"], state, name, header)
                    )
        expected_keys: dict[str, tuple[State, str]] = {}
        for copies in found.values():
            copies.sort(key=lambda c: (c[0], _STATE_RANK[c[1]]))
            _rev, state, name, header = copies[-1]
            for _r, old_state, old_name, _h in copies[:-1]:
                with contextlib.suppress(FileNotFoundError):
                    (self._dirs[old_state] / old_name).unlink()
            expected_keys[_key_hash(header["key"])] = (state, name)
        for key_name in os.listdir(self._keys):
            if key_name in expected_keys:
                continue
            path = self._keys / key_name
            with contextlib.suppress(FileNotFoundError):
                link = path.lstat()
                if wall - link.st_ctime <= _STALE_SECONDS:
                    continue  # a put in another process may still be completing
                owner = self._key_owner(path)
                # The scan above is a snapshot; another process may have moved the item
                # while it ran, so look again before calling the key an orphan.
                if owner is None or self._find(owner, passes=3) is None:
                    self._drop_orphan_key(path, link.st_ino)  # of a put that never ended
        present = set(os.listdir(self._keys))
        for key_name, (state, name) in expected_keys.items():
            path = self._dirs[state] / name
            with contextlib.suppress(FileNotFoundError, FileExistsError):
                if key_name not in present:  # lost with an unsynced directory entry
                    os.link(path, self._keys / key_name)
                elif (self._keys / key_name).lstat().st_ino != path.lstat().st_ino:
                    # left on an older revision or pack by a crash (or by format 1)
                    self._point_key(key_name, path)
        self._sweep_leases(_ns(now))

    # -- helpers ------------------------------------------------------------------

    def _load(self, state: State, name: str) -> tuple[dict[str, Any], bytes] | None:
        """Read and verify one file; quarantine it if damaged; None if gone or damaged."""
        path = self._dirs[state] / name
        item_id = name.partition("~")[0]
        try:
            header, payload = decode(_read_file(path, item_id=item_id)[0])
        except FileNotFoundError:
            return None
        except CorruptItemError as exc:
            self._quarantine_file(path, str(exc))
            return None
        if header["id"] != item_id:
            self._quarantine_file(path, f"file name says {item_id} but content says {header['id']}")
            return None
        return header, payload

    def _quarantine_file(self, path: Path, reason: str) -> None:
        dest = self._quarantine / f"{path.parent.name}~{path.name}~{time.time_ns()}"
        try:
            os.rename(path, dest)
        except FileNotFoundError:
            return  # another process moved or removed it first
        note = {"reason": reason, "source": str(path), "quarantined_at": time.time()}
        tmp = self._tmp / f"{dest.name}.reason"
        tmp.write_text(json.dumps(note, indent=2), encoding="utf-8")
        os.replace(tmp, dest.with_name(dest.name + ".reason"))
        self._fsync_dir(self._quarantine)
        self._fsync_dir(path.parent)
        self._ready_mtime = -1

    def _item(self, state: State, name: str, header: dict[str, Any], payload: bytes) -> Item:
        suffix = name.partition("~")[2]
        next_attempt_at = float(header["next_attempt_at"])
        lease_token: str | None = None
        lease_expires_at: float | None = None
        finished_at = header["finished_at"]
        if state is State.READY:
            next_attempt_at = int(suffix) / 1e9
        elif state is State.LEASED:
            lease_token = suffix
            lease_expires_at = _lease_expiry_ns(suffix) / 1e9
        elif state is State.ACKED:
            finished_at = int(suffix) / 1e9
        return Item(
            id=header["id"],
            key=header["key"],
            payload=payload,
            meta=header["meta"],
            created_at=float(header["created_at"]),
            attempts=header["attempts"],
            last_error=header["last_error"],
            next_attempt_at=next_attempt_at,
            state=state,
            lease_token=lease_token,
            lease_expires_at=lease_expires_at,
            finished_at=None if finished_at is None else float(finished_at),
        )

    def _read(self, state: State, name: str) -> Item | None:
        loaded = self._load(state, name)
        return None if loaded is None else self._item(state, name, *loaded)

    def _write_tmp(self, name: str, data: bytes, *, sync: bool) -> Path:
        path = self._tmp / name
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
        fd = os.open(path, flags, 0o640)  # reports are not for every local user
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            if sync:
                os.fsync(fd)
        except BaseException:
            os.close(fd)
            with contextlib.suppress(OSError):
                path.unlink()  # e.g. disk full: leave no partial file behind
            raise
        os.close(fd)
        return path

    def _sync_batch(self, paths: Sequence[Path]) -> None:
        """Make freshly written tmp files durable with as few flushes as possible."""
        if _SYNCFS is not None:
            fd = os.open(self._tmp, os.O_RDONLY)
            try:
                if _SYNCFS(fd) == 0:
                    return
            finally:
                os.close(fd)
        for path in paths:
            fd = os.open(path, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)

    def _find(self, item_id: str, passes: int = 2) -> tuple[State, str] | None:
        """Where the item is. Directories are listed one after another, so an item that
        another process moves from a not-yet-listed directory into an already-listed one
        is missed by one pass; a second pass sees the completed move."""
        prefix = item_id + "~"
        for attempt in range(passes):
            if attempt:
                time.sleep(0.001)
            for state, directory in self._dirs.items():
                for name in os.listdir(directory):
                    if name.startswith(prefix):
                        return state, name
        return None

    def _ready_changed(self, before: int) -> None:
        """Record ready/'s mtime after our own change if the cache was current before it."""
        if before == self._ready_mtime:
            self._ready_mtime = os.stat(self._dirs[State.READY]).st_mtime_ns
        else:
            self._ready_mtime = -1

    def _ready_mtime_now(self) -> int:
        return os.stat(self._ready_dir).st_mtime_ns

    def _into_ready(self, src: Path, item_id: str, next_ns: int) -> None:
        name = f"{item_id}~{next_ns}"
        before = self._ready_mtime_now()
        os.rename(src, os.path.join(self._ready_dir, name))
        bisect.insort(self._ready_names, name)
        self._ready_changed(before)

    def _sweep_leases(self, now_ns: int) -> None:
        leased = self._dirs[State.LEASED]
        for name in os.listdir(leased):
            parsed = _parse_name(State.LEASED, name)
            if parsed is None:
                self._quarantine_file(leased / name, "unrecognised file name")
                continue
            expiry = _lease_expiry_ns(parsed[1])
            if expiry <= now_ns:
                with contextlib.suppress(FileNotFoundError):  # its owner acked it meanwhile
                    self._into_ready(leased / name, parsed[0], expiry)

    def _ready_cache(self, force: bool) -> tuple[list[str], bool]:
        """The sorted names in ready/ and whether they were just read from disk."""
        mtime = self._ready_mtime_now()
        stale = time.monotonic() - self._ready_scanned > _RESCAN_SECONDS
        fresh = force or stale or mtime != self._ready_mtime
        if fresh:
            ready = self._dirs[State.READY]
            names = []
            for name in os.listdir(ready):
                if _parse_name(State.READY, name) is None:
                    self._quarantine_file(ready / name, "unrecognised file name")
                else:
                    names.append(name)
            names.sort()
            self._ready_names = names
            self._ready_mtime = mtime
            self._ready_scanned = time.monotonic()
        return self._ready_names, fresh

    def _key_owner(self, key_path: Path) -> str | None:
        try:
            owner: str = decode(_read_file(key_path, key_hash=key_path.name)[0])[0]["id"]
        except (FileNotFoundError, CorruptItemError):
            return None
        return owner

    def _point_key(self, key_hash: str, target: Path) -> None:
        """Make ``keys/<key_hash>`` a link to ``target``, replacing the old link at once."""
        link = self._tmp / f"key-{key_hash[:16]}-{secrets.token_hex(4)}"
        os.link(target, link)
        try:
            os.rename(link, self._keys / key_hash)
        finally:
            with contextlib.suppress(FileNotFoundError):
                link.unlink()

    def _drop_orphan_key(self, key_path: Path, inode: int) -> None:
        """Remove the key link judged orphaned (inode ``inode``), unless another put has
        replaced it meanwhile: then that put's fresh link stays."""
        moved = self._tmp / f"orphan-{key_path.name[:16]}-{secrets.token_hex(4)}"
        try:
            os.rename(key_path, moved)
        except FileNotFoundError:
            return
        try:
            if moved.lstat().st_ino != inode:
                with contextlib.suppress(FileExistsError):
                    os.link(moved, key_path)
        finally:
            moved.unlink()

    def _existing_for_key(self, key: str, key_path: Path) -> Item | None:
        """The item that holds ``key``, or None after clearing an orphaned key link."""
        for _ in range(2000):
            try:
                inode = key_path.lstat().st_ino
                frame, pack_id = _read_file(key_path, key_hash=key_path.name)
                header, _payload = decode(frame)
            except FileNotFoundError:
                return None
            except CorruptItemError:
                self._drop_orphan_key(key_path, inode)
                return None
            if header["key"] != key:
                raise QueueError(f"key index {key_path} holds another key; remove it to proceed")
            item_id = header["id"]
            # Look for the item first: a batch (pack) links each member into ready/ right
            # after its key, so waiting for the whole batch to finish instead could wait
            # on a batch that is itself waiting on ours.
            found = self._find(item_id, passes=3)
            if found is not None:
                item = self._read(*found)
                if item is not None:
                    self._fsync_dir(self._dirs[found[0]])  # we report it stored: make it so
                    return item
                continue
            tmp = self._tmp / (pack_id or item_id)  # where its writer builds it
            try:
                age = time.time() - _touched(tmp)  # a pack is touched by each link made
            except FileNotFoundError:
                age = None
            if age is not None and age < 5.0:
                time.sleep(0.001)  # its writer is between the two links
                continue
            # The put that made this link died before its item reached a state directory.
            self._drop_orphan_key(key_path, inode)
            if age is not None and pack_id is None:
                with contextlib.suppress(FileNotFoundError):
                    tmp.unlink()  # a pack's name is left to the stale-file cleanup on open
            return None
        raise QueueError(f"timed out waiting for a concurrent put of key {key!r}")

    # -- storage protocol ---------------------------------------------------------

    def put(self, payload: bytes, key: str, meta: dict[str, Any], now: float) -> Item:
        return self._put_entries([(payload, key, meta)], now)[0]

    def put_many(
        self, entries: Sequence[tuple[bytes, str, dict[str, Any]]], now: float
    ) -> list[str]:
        return [item.id for item in self._put_entries(entries, now)]

    def _put_entries(
        self, entries: Sequence[tuple[bytes, str, dict[str, Any]]], now: float
    ) -> list[Item]:
        """The item for each entry: the new one, or the one already stored with its key."""
        results: list[Item | None] = [None] * len(entries)
        first_of_key: dict[str, int] = {}
        fresh: list[tuple[int, Item, str, bytes]] = []
        ids = new_ids(len(entries))
        for index, (payload, key, meta) in enumerate(entries):
            if key in first_of_key:
                continue
            first_of_key[key] = index
            item = Item(ids[index], key, payload, meta, now, 0, None, now, State.READY)
            header = {
                "id": item.id,
                "key": key,
                "meta": meta,
                "created_at": now,
                "attempts": 0,
                "last_error": None,
                "next_attempt_at": now,
                "revision": 0,
                "finished_at": None,
            }
            fresh.append((index, item, _key_hash(key), encode(header, item.payload)))
        placed = False
        for start in range(0, len(fresh), PACK_MEMBERS):
            placed |= self._place(fresh[start : start + PACK_MEMBERS], results, _ns(now))
        if placed:
            self._fsync_dir(self._dirs[State.READY])
        for index, (_payload, key, _meta) in enumerate(entries):
            if results[index] is None:
                first = results[first_of_key[key]]
                assert first is not None
                results[index] = first
        return [r for r in results if r is not None]

    def _place(
        self,
        fresh: Sequence[tuple[int, Item, str, bytes]],
        results: list[Item | None],
        next_ns: int,
    ) -> bool:
        """Store ``fresh`` (index, item, key hash, frame) as one file, a single item or a
        pack, and link each item whose key is new into ready/; fills ``results``. The
        caller fsyncs ready/. Returns whether any item was placed."""
        if len(fresh) == 1:
            source = self._write_tmp(fresh[0][1].id, fresh[0][3], sync=True)
        else:
            # One file and one fsync for the batch; each item gets its own links below.
            pack_id = new_id()
            members = [(item.id, key_hash, frame) for _i, item, key_hash, frame in fresh]
            source = self._write_tmp(pack_id, encode_pack(pack_id, members), sync=True)
        # str paths and one look at ready/'s mtime per batch: a batch makes thousands of
        # links, and pathlib's joins or a stat per item would cost as much as the links.
        keys_dir, ready_dir = str(self._keys), self._ready_dir
        place = os.rename if len(fresh) == 1 else os.link
        before = self._ready_mtime_now()
        placed = False
        try:
            for index, item, key_hash, _frame in fresh:
                key_name = f"{keys_dir}/{key_hash}"
                while True:
                    try:
                        os.link(source, key_name)
                        break
                    except FileExistsError:
                        existing = self._existing_for_key(item.key, Path(key_name))
                        if existing is not None:
                            results[index] = existing
                            break
                if results[index] is None:
                    name = f"{item.id}~{next_ns}"
                    place(source, f"{ready_dir}/{name}")
                    bisect.insort(self._ready_names, name)
                    results[index] = item
                    placed = True
            if placed:
                self._ready_changed(before)
        finally:
            with contextlib.suppress(FileNotFoundError):
                source.unlink()  # the pack's own name, or a single item that was not placed
        return placed

    def claim(self, lease_seconds: float, now: float) -> Item | None:
        now_ns = _ns(now)
        self._sweep_leases(now_ns)
        expiry_ns = _ns(now + lease_seconds)
        names, fresh = self._ready_cache(force=False)
        item = self._take_first(names, now_ns, expiry_ns)
        if item is None and not fresh:  # the cache may miss another process's items
            names, _fresh = self._ready_cache(force=True)
            item = self._take_first(names, now_ns, expiry_ns)
        return item

    def _take_first(self, names: list[str], now_ns: int, expiry_ns: int) -> Item | None:
        ready = self._dirs[State.READY]
        leased = self._dirs[State.LEASED]
        index = 0
        while index < len(names):
            name = names[index]
            item_id, _sep, next_ns = name.partition("~")
            if int(next_ns) > now_ns:
                index += 1
                continue
            target = f"{item_id}~{expiry_ns}-{secrets.token_hex(6)}"
            mtime = self._ready_mtime_now()
            try:
                os.rename(ready / name, leased / target)
            except FileNotFoundError:
                del names[index]  # another consumer took it first
                self._ready_mtime = -1
                continue
            del names[index]
            self._ready_changed(mtime)
            item = self._read(State.LEASED, target)
            if item is not None:
                return item
        return None

    def _leased_path(self, item: Item) -> Path:
        if item.lease_token is None:
            raise InvalidStateError(f"item {item.id} was not claimed (it has no lease)")
        return self._dirs[State.LEASED] / f"{item.id}~{item.lease_token}"

    def _lease_lost(self, item: Item) -> LeaseLostError:
        return LeaseLostError(
            f"the lease on item {item.id} is gone: it expired and the item was released "
            "or claimed again; this result was not recorded"
        )

    def ack(self, item: Item, now: float) -> Item:
        src = self._leased_path(item)
        now_ns = _ns(now)
        try:
            os.rename(src, self._dirs[State.ACKED] / f"{item.id}~{now_ns}")
        except FileNotFoundError:
            raise self._lease_lost(item) from None
        self._fsync_dir(self._dirs[State.ACKED])
        self._fsync_dir(self._dirs[State.LEASED])
        return dataclasses.replace(
            item,
            state=State.ACKED,
            lease_token=None,
            lease_expires_at=None,
            finished_at=now_ns / 1e9,
        )

    def _rewrite(self, item: Item, now: float, changes: dict[str, Any], target: Path) -> Item:
        """Replace a leased item's content and move it to ``target`` (nack and dead)."""
        src = self._leased_path(item)
        expiry = max(_lease_expiry_ns(item.lease_token or "0"), _ns(now + REWRITE_GUARD_SECONDS))
        guard = f"{item.id}~{expiry}-{secrets.token_hex(6)}"
        guarded = self._dirs[State.LEASED] / guard
        try:
            os.rename(src, guarded)  # proves we still hold the lease, and keeps it for us
        except FileNotFoundError:
            raise self._lease_lost(item) from None
        loaded = self._load(State.LEASED, guard)
        if loaded is None:  # damaged under us and quarantined: rebuild from the claim
            header: dict[str, Any] = {
                "id": item.id,
                "key": item.key,
                "meta": dict(item.meta),
                "created_at": item.created_at,
                "attempts": item.attempts,
                "last_error": item.last_error,
                "next_attempt_at": item.next_attempt_at,
                "revision": 0,
                "finished_at": None,
            }
            payload = item.payload
        else:
            header, payload = loaded
        header.update(changes)
        header["revision"] += 1
        tmp = self._write_tmp(
            f"{item.id}.{secrets.token_hex(4)}", encode(header, payload), sync=True
        )
        # The key link follows the item to its new file, before anyone can claim it there,
        # so that the old revision (or the batch's pack) is not kept on disk for it.
        self._point_key(_key_hash(item.key), tmp)
        if target.parent == self._dirs[State.READY]:
            self._into_ready(tmp, item.id, int(target.name.partition("~")[2]))
        else:
            os.rename(tmp, target)
        self._fsync_dir(target.parent)
        with contextlib.suppress(FileNotFoundError):
            guarded.unlink()  # if a crash keeps it, the higher revision wins on open
        self._fsync_dir(self._dirs[State.LEASED])
        return self._item(State(target.parent.name), target.name, header, payload)

    def nack(self, item: Item, error: str, retry_at: float, now: float) -> Item:
        retry_ns = _ns(retry_at)
        changes = {
            "attempts": item.attempts + 1,
            "last_error": error,
            "next_attempt_at": retry_ns / 1e9,
        }
        target = self._dirs[State.READY] / f"{item.id}~{retry_ns}"
        return self._rewrite(item, now, changes, target)

    def dead(self, item: Item, reason: str, now: float, attempted: bool = False) -> Item:
        now_ns = _ns(now)
        changes = {
            "attempts": item.attempts + int(attempted),
            "last_error": reason,
            "finished_at": now_ns / 1e9,
        }
        target = self._dirs[State.DEAD] / f"{item.id}~{now_ns}"
        return self._rewrite(item, now, changes, target)

    def release(self, item: Item, retry_at: float | None, now: float) -> Item:
        src = self._leased_path(item)
        next_ns = _ns(now if retry_at is None else retry_at)
        try:
            self._into_ready(src, item.id, next_ns)
        except FileNotFoundError:
            raise self._lease_lost(item) from None
        return dataclasses.replace(
            item,
            state=State.READY,
            next_attempt_at=next_ns / 1e9,
            lease_token=None,
            lease_expires_at=None,
        )

    def _located(self, item_id: str, now: float) -> tuple[State, str]:
        self._sweep_leases(_ns(now))
        found = self._find(item_id)
        if found is None:
            raise ItemNotFoundError(f"no item with id {item_id!r} in {self.url}")
        return found

    def requeue(self, item_id: str, now: float) -> Item:
        state, name = self._located(item_id, now)
        if state not in (State.DEAD, State.ACKED):
            raise InvalidStateError(
                f"item {item_id} is {state.value}; only dead or acked items can be requeued"
            )
        src = self._dirs[state] / name
        next_ns = _ns(now)
        try:
            self._into_ready(src, item_id, next_ns)
        except FileNotFoundError:
            raise QueueError(f"item {item_id} changed while requeueing; try again") from None
        self._fsync_dir(self._dirs[State.READY])
        self._fsync_dir(self._dirs[state])
        item = self._read(State.READY, f"{item_id}~{next_ns}")
        if item is None:
            raise QueueError(f"item {item_id} was damaged and has been quarantined")
        return item

    def discard(self, item_id: str, now: float) -> Item:
        state, name = self._located(item_id, now)
        if state is State.LEASED:
            raise InvalidStateError(
                f"item {item_id} is being delivered (leased); discard it after its lease ends"
            )
        item = self._read(state, name)
        if item is None:
            raise QueueError(f"item {item_id} was damaged and has been quarantined")
        self._remove(state, name, item.key)
        return item

    def _remove(self, state: State, name: str, key: str) -> bool:
        item_id = name.partition("~")[0]
        grave = self._tmp / f"{item_id}.removed.{secrets.token_hex(4)}"
        try:
            os.rename(self._dirs[state] / name, grave)
        except FileNotFoundError:
            return False
        if state is State.READY:
            self._ready_mtime = -1
        key_path = self._keys / _key_hash(key)
        with contextlib.suppress(FileNotFoundError, CorruptItemError):
            if decode(_read_file(key_path, key_hash=key_path.name)[0])[0]["id"] == item_id:
                key_path.unlink()
        grave.unlink()
        self._fsync_dir(self._dirs[state])
        return True

    def get(self, item_id: str, now: float) -> Item | None:
        self._sweep_leases(_ns(now))
        found = self._find(item_id)
        return None if found is None else self._read(*found)

    def sweep(self, now: float) -> None:
        self._sweep_leases(_ns(now))

    def list(
        self, state: State, now: float, limit: int | None, *, sweep: bool = True
    ) -> list[Item]:
        if sweep:
            self._sweep_leases(_ns(now))
        items: list[Item] = []
        for name in sorted(os.listdir(self._dirs[state])):
            if limit is not None and len(items) >= limit:
                break
            if _parse_name(state, name) is None:
                continue
            item = self._read(state, name)
            if item is not None:
                items.append(item)
        return items

    def import_items(self, items: Sequence[Item]) -> int:
        present = {name.partition("~")[0] for d in self._dirs.values() for name in os.listdir(d)}
        todo: list[tuple[Item, Path, Path]] = []
        for item in items:
            if item.id in present or not is_valid_id(item.id):
                if not is_valid_id(item.id):
                    raise QueueError(f"item id {item.id!r} is not a pywats-queue id")
                continue
            present.add(item.id)
            header = {
                "id": item.id,
                "key": item.key,
                "meta": dict(item.meta),
                "created_at": item.created_at,
                "attempts": item.attempts,
                "last_error": item.last_error,
                "next_attempt_at": item.next_attempt_at,
                "revision": 0,
                "finished_at": item.finished_at,
            }
            if item.state is State.READY:
                suffix = str(_ns(item.next_attempt_at))
            elif item.state is State.LEASED:
                expiry = _ns(item.lease_expires_at or 0.0)
                suffix = f"{expiry}-{secrets.token_hex(6)}"
            else:
                suffix = str(_ns(item.finished_at or item.created_at))
            with contextlib.suppress(FileNotFoundError):
                (self._tmp / item.id).unlink()  # left by an interrupted import
            tmp = self._write_tmp(item.id, encode(header, item.payload), sync=False)
            todo.append((item, tmp, self._dirs[item.state] / f"{item.id}~{suffix}"))
        if not todo:
            return 0
        try:
            self._sync_batch([tmp for _item, tmp, _target in todo])
            for item, tmp, target in todo:
                key_path = self._keys / _key_hash(item.key)
                try:
                    os.link(tmp, key_path)
                except FileExistsError:
                    if self._key_owner(key_path) == item.id:  # left by an interrupted import
                        key_path.unlink()
                        os.link(tmp, key_path)
                        os.rename(tmp, target)
                        continue
                    existing = self._existing_for_key(item.key, key_path)
                    if existing is not None and existing.id != item.id:
                        raise QueueError(
                            f"key {item.key!r} of item {item.id} is already used by item "
                            f"{existing.id} in {self.url}"
                        ) from None
                    if existing is None:
                        os.link(tmp, key_path)
                os.rename(tmp, target)
            for directory in self._dirs.values():
                self._fsync_dir(directory)
        finally:
            for _item, tmp, _target in todo:
                with contextlib.suppress(FileNotFoundError):
                    tmp.unlink()
        self._ready_mtime = -1
        return len(todo)

    def purge_acked(self, before: float) -> int:
        before_ns = _ns(before)
        removed = 0
        acked = self._dirs[State.ACKED]
        for name in os.listdir(acked):
            parsed = _parse_name(State.ACKED, name)
            if parsed is None or int(parsed[1]) >= before_ns:
                continue
            loaded = self._load(State.ACKED, name)
            if loaded is not None and self._remove(State.ACKED, name, loaded[0]["key"]):
                removed += 1
        return removed

    def stats(self, now: float) -> QueueStats:
        self._sweep_leases(_ns(now))
        depth: dict[str, int] = {}
        oldest: dict[str, float | None] = {}
        attempts: dict[int, int] = {}
        for state, directory in self._dirs.items():
            names = [n for n in os.listdir(directory) if _parse_name(state, n) is not None]
            depth[state.value] = len(names)
            oldest[state.value] = max(0.0, now - id_created_at(min(names))) if names else None
            if state is State.ACKED:
                continue
            for name in names:
                loaded = self._load(state, name)
                if loaded is not None:
                    count = loaded[0]["attempts"]
                    attempts[count] = attempts.get(count, 0) + 1
        quarantined = sum(1 for n in os.listdir(self._quarantine) if not n.endswith(".reason"))
        return QueueStats(depth, oldest, attempts, quarantined)

    def close(self) -> None:
        for fd in self._dir_fds.values():
            with contextlib.suppress(OSError):
                os.close(fd)
        self._dir_fds.clear()
