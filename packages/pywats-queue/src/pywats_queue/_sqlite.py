"""SQLite backend: one table, one claim index, every change one transaction.

On disk: one SQLite file in WAL mode with ``synchronous=FULL``, ``PRAGMA user_version``
1 and this schema::

    items (seq INTEGER PRIMARY KEY, nonce, key, state, due, claims, attempts,
           lease_token, created_at, finished_at, last_error, meta, checksum, payload)
    UNIQUE INDEX items_key ON items (key) WHERE state != 'quarantined'
    INDEX items_claim ON items (due) WHERE state IN ('ready', 'leased')

An id is ``seq`` and a random ``nonce`` in hex (16 + 16 digits): the nonce keeps an id
from naming a later item that reuses a freed ``seq``. ``due`` is when the item may next
be claimed: its retry time while ready, its lease expiry while leased; so a claim takes,
through the one index, whichever has been due longest, a ready item or a lease that ran
out (its claimant died). ``checksum`` (SHA-256 of key, meta, payload) is checked at every
read; a mismatch moves the item to ``quarantined`` with the reason, freeing its key.

Crash argument: every call is one SQLite transaction (a batch included), committed
before the call returns. SQLite makes a transaction all or nothing whatever line a kill
or a power cut interrupts, so after a crash each item is in the state of the last call
that returned for it (or of a call cut short after its commit). Commits fsync the WAL
(``synchronous=FULL``), except a claim's (``NORMAL``): a claim lost to a power cut only
returns the item to where it was, and the next FULL commit makes it durable with itself.
A kill loses no commit at all. Nothing is cached in the process between calls.
"""

# SQL text is assembled only from this module's constants; every value is a bound parameter.
# ruff: noqa: S608

from __future__ import annotations

import contextlib
import json
import secrets
import sqlite3
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from ._model import (
    Entry,
    InvalidStateError,
    Item,
    ItemNotFoundError,
    QueueCorruptError,
    QueueError,
    QueueStats,
    State,
    UnsupportedQueueError,
    checksum,
    lease_lost,
    meta_text,
)

MIN_SQLITE = (3, 35, 0)  # UPDATE ... RETURNING
SCHEMA = 1
BUSY_TIMEOUT_MS = 30_000
_COLUMNS = (
    "seq, nonce, key, state, due, claims, attempts, lease_token, created_at, finished_at, "
    "last_error, meta, checksum, payload"
)
_CREATE = (
    """CREATE TABLE items (
        seq INTEGER PRIMARY KEY,
        nonce INTEGER NOT NULL,
        key TEXT NOT NULL,
        state TEXT NOT NULL
            CHECK (state IN ('ready', 'leased', 'acked', 'dead', 'quarantined')),
        due REAL NOT NULL,
        claims INTEGER NOT NULL DEFAULT 0,
        attempts INTEGER NOT NULL DEFAULT 0,
        lease_token TEXT,
        created_at REAL NOT NULL,
        finished_at REAL,
        last_error TEXT,
        meta TEXT NOT NULL,
        checksum BLOB NOT NULL,
        payload BLOB NOT NULL
    )""",
    "CREATE UNIQUE INDEX items_key ON items (key) WHERE state != 'quarantined'",
    "CREATE INDEX items_claim ON items (due) WHERE state IN ('ready', 'leased')",
    f"PRAGMA user_version = {SCHEMA}",
)
_INSERT = (
    "INSERT INTO items (nonce, key, state, due, claims, attempts, lease_token, created_at, "
    "finished_at, last_error, meta, checksum, payload) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
    "ON CONFLICT (key) WHERE state != 'quarantined' DO NOTHING"
)
_BY_KEY = "key = ? AND state != 'quarantined'"  # a quarantined item frees its key
_BY_ID = "seq = :seq AND nonce = :nonce"


def check_sqlite_version(version: str = sqlite3.sqlite_version) -> None:
    if tuple(int(p) for p in version.split(".")[:3]) < MIN_SQLITE:
        raise UnsupportedQueueError(
            f"the SQLite queue needs SQLite >= {'.'.join(map(str, MIN_SQLITE))} "
            f"(for UPDATE ... RETURNING); this Python links SQLite {version}. Use the "
            "file backend (file:///...) or a Python built with a newer SQLite."
        )


def _id_params(item_id: str) -> dict[str, int]:
    """``seq`` and ``nonce`` of an id; an id of another form matches no row."""
    with contextlib.suppress(ValueError):
        seq, nonce = int(item_id[:16], 16), int(item_id[16:], 16)
        if len(item_id) == 32 and max(seq, nonce) < 1 << 63:
            return {"seq": seq, "nonce": nonce}
    return {"seq": -1, "nonce": -1}


def _damage(row: Sequence[Any]) -> str | None:
    """Why a row's stored bytes cannot be trusted, or None."""
    key, meta, stored, payload = row[2], row[11], row[12], row[13]
    if not isinstance(key, str) or not isinstance(meta, str) or not isinstance(payload, bytes):
        return "a stored column has the wrong type (the file was damaged or edited)"
    if checksum(key, meta, payload) != stored:
        return "checksum mismatch: the stored key, meta or payload changed on disk"
    return None


def _item(row: Sequence[Any]) -> Item:
    seq, nonce, key, state, due, claims, attempts, token, created, finished, error = row[:11]
    try:
        meta = json.loads(row[11])
    except (TypeError, ValueError):
        meta = {}  # only for an item already found damaged
    payload = bytes(row[13]) if isinstance(row[13], bytes) else b""
    return Item(
        f"{seq:016x}{nonce:016x}", str(key), payload, meta, created, attempts, error, due,
        State(state), token, due if state == State.LEASED.value else None, finished, claims,
    )  # fmt: skip


class SqliteStorage:
    """The SQLite backend. One connection; :class:`Queue` serialises calls on it."""

    def __init__(self, path: Path) -> None:
        check_sqlite_version()
        self.url = "sqlite://" + str(path)
        self._path = path
        if not path.parent.is_dir():
            raise QueueError(f"directory {path.parent} for the SQLite queue does not exist")
        try:
            self._db = sqlite3.connect(
                str(path), BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False
            )
        except sqlite3.Error as exc:
            raise QueueError(f"cannot open SQLite queue {path}: {exc}") from None
        try:
            self._open()
        except BaseException as exc:
            self._db.close()
            if isinstance(exc, sqlite3.Error):
                raise self._error(exc) from None
            raise

    def _open(self) -> None:
        db = self._db
        db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        # The switch to WAL needs the file to itself, and SQLite answers "locked" at once
        # while another process opens the same new queue: wait here instead.
        deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
        while True:
            try:
                mode = str(db.execute("PRAGMA journal_mode = WAL").fetchone()[0])
                break
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() > deadline:
                    raise
            time.sleep(0.01)
        db.execute("PRAGMA synchronous = FULL")
        if mode.lower() != "wal" or db.execute("PRAGMA synchronous").fetchone()[0] != 2:
            raise QueueError(
                f"SQLite queue {self._path}: WAL mode with synchronous=FULL could not be set "
                "(is the file on a network share or read-only?)"
            )
        problems = [str(r[0]) for r in db.execute("PRAGMA quick_check(3)")]
        if problems != ["ok"]:
            raise self._corrupt("; ".join(" ".join(p.split()) for p in problems))
        with self._tx() as tx:
            version = int(tx.execute("PRAGMA user_version").fetchone()[0])
            tables = tx.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
            if version == 0 and tables == 0:
                for statement in _CREATE:
                    tx.execute(statement)
            elif version != SCHEMA:
                raise UnsupportedQueueError(
                    f"{self._path} is not a pywats-queue SQLite file of schema {SCHEMA} (its "
                    f"user_version is {version}); open it with the version that wrote it"
                )

    def _corrupt(self, detail: str) -> QueueCorruptError:
        return QueueCorruptError(
            f"the SQLite queue {self._path} is damaged ({detail}); nothing was changed. "
            "Way out: stop every process using it, then copy every readable item into a "
            f"new queue with `pywats-queue recover sqlite://{self._path} "
            f"sqlite://{self._path.with_suffix('.recovered.db')}` and use the new one."
        )

    def _error(self, exc: sqlite3.Error) -> QueueError:
        text = str(exc)
        if any(word in text for word in ("malformed", "not a database", "corrupt")):
            return self._corrupt(text)
        locked = "locked" in text or "busy" in text
        why = f" stayed locked by another process for {BUSY_TIMEOUT_MS // 1000} s" if locked else ""
        return QueueError(f"SQLite queue {self._path}{why}: {text}")

    @contextlib.contextmanager
    def _tx(self, synchronous: str = "FULL") -> Iterator[sqlite3.Connection]:
        """One write transaction; SQLite failures leave it as this package's errors."""
        db = self._db
        try:
            try:
                if synchronous != "FULL":  # FULL is the connection's setting between calls
                    db.execute(f"PRAGMA synchronous = {synchronous}")
                db.execute("BEGIN IMMEDIATE")
                yield db
                db.execute("COMMIT")
            except BaseException:
                if db.in_transaction:
                    with contextlib.suppress(sqlite3.Error):
                        db.execute("ROLLBACK")
                raise
            finally:
                if synchronous != "FULL":
                    db.execute("PRAGMA synchronous = FULL")
        except sqlite3.Error as exc:
            raise self._error(exc) from None

    def _checked(self, db: sqlite3.Connection, row: Sequence[Any], now: float) -> Item:
        """The item in ``row``; quarantined first, with the reason, if it is damaged."""
        reason = _damage(row)
        if reason is None or row[3] == State.QUARANTINED.value:
            return _item(row)
        db.execute(
            "UPDATE items SET state = 'quarantined', last_error = ?, finished_at = ?, "
            "lease_token = NULL WHERE seq = ?",
            (reason, now, row[0]),
        )
        fixed = list(row)
        fixed[3], fixed[7], fixed[9], fixed[10] = State.QUARANTINED.value, None, now, reason
        return _item(fixed)

    # -- storage protocol ---------------------------------------------------------

    def put_many(self, entries: Sequence[Entry], now: float) -> list[Item]:
        items: list[Item] = []
        with self._tx() as db:
            for payload, key, meta in entries:
                text, nonce = meta_text(meta), secrets.randbits(63)
                row = (nonce, key, "ready", now, 0, 0, None, now, None, None, text,
                       checksum(key, text, payload), payload)  # fmt: skip
                if not (cursor := db.execute(_INSERT, row)).rowcount:  # the key is stored
                    found = db.execute(f"SELECT {_COLUMNS} FROM items WHERE {_BY_KEY}", (key,))
                    if (
                        old := self._checked(db, found.fetchone(), now)
                    ).state is not State.QUARANTINED:
                        items.append(old)  # (perhaps stored earlier in this batch)
                        continue
                    cursor = db.execute(_INSERT, row)  # it was damaged and set aside: key free
                item_id = f"{cursor.lastrowid:016x}{nonce:016x}"
                items.append(Item(item_id, key, payload, meta, now, 0, None, now, State.READY))
        return items

    def claim(self, count: int, lease_seconds: float, now: float) -> list[Item]:
        token = secrets.token_hex(8)
        claimed: list[Item] = []
        with self._tx("NORMAL") as db:  # see the crash argument at the top
            while len(claimed) < count:
                rows = db.execute(
                    "UPDATE items SET state = 'leased', due = ?, lease_token = ?, "
                    "claims = claims + 1 WHERE seq IN (SELECT seq FROM items "
                    "WHERE state IN ('ready', 'leased') AND due <= ? ORDER BY due, seq "
                    f"LIMIT ?) RETURNING {_COLUMNS}",
                    (now + lease_seconds, token, now, count - len(claimed)),
                ).fetchall()
                if not rows:
                    break
                for row in sorted(rows):  # by seq; damaged ones are set aside
                    item = self._checked(db, row, now)
                    if item.state is State.LEASED:
                        claimed.append(item)
        return claimed

    def _settle(self, items: Sequence[Item], change: str, **params: Any) -> list[Item]:
        """End claims, all in one transaction or none (a lease that is gone)."""
        done = []
        with self._tx() as db:
            for item in items:
                row = db.execute(
                    f"UPDATE items SET {change}, lease_token = NULL, claims = 0 WHERE {_BY_ID} "
                    f"AND state = 'leased' AND lease_token = :token RETURNING {_COLUMNS}",
                    {**params, **_id_params(item.id), "token": item.lease_token},
                ).fetchone()
                if row is None:
                    raise lease_lost(item.id)
                done.append(_item(row))
        return done

    def ack(self, items: Sequence[Item], now: float) -> list[Item]:
        return self._settle(items, "state = 'acked', finished_at = :now", now=now)

    def nack(self, item: Item, error: str, retry_at: float, now: float) -> Item:
        change = "state = 'ready', due = :due, attempts = attempts + 1, last_error = :error"
        return self._settle([item], change, due=retry_at, error=error)[0]

    def release(self, item: Item, retry_at: float, now: float) -> Item:
        return self._settle([item], "state = 'ready', due = :due", due=retry_at)[0]

    def dead(self, item: Item, reason: str, attempted: bool, now: float) -> Item:
        change = "state = 'dead', attempts = attempts + :n, last_error = :why, finished_at = :now"
        return self._settle([item], change, n=int(attempted), why=reason, now=now)[0]

    def _state_of(self, db: sqlite3.Connection, item_id: str) -> State:
        row = db.execute(f"SELECT state FROM items WHERE {_BY_ID}", _id_params(item_id)).fetchone()
        if row is None:
            raise ItemNotFoundError(f"no item with id {item_id!r} in {self.url}")
        return State(row[0])

    def requeue(self, item_id: str, now: float) -> Item:
        with self._tx() as db:
            row = db.execute(
                "UPDATE items SET state = 'ready', due = :now, finished_at = NULL, claims = 0 "
                f"WHERE {_BY_ID} AND state IN ('dead', 'acked') RETURNING {_COLUMNS}",
                {**_id_params(item_id), "now": now},
            ).fetchone()
            if row is None:
                state = self._state_of(db, item_id)
                raise InvalidStateError(
                    f"item {item_id} is {state.value}; only dead or acked items can be requeued"
                )
            return self._checked(db, row, now)

    def discard(self, item_id: str, now: float) -> Item:
        with self._tx() as db:
            row = db.execute(
                f"DELETE FROM items WHERE {_BY_ID} AND state != 'leased' RETURNING {_COLUMNS}",
                _id_params(item_id),
            ).fetchone()
            if row is None:
                self._state_of(db, item_id)
                raise InvalidStateError(
                    f"item {item_id} is being delivered (leased); discard it after its lease ends"
                )
            return _item(row)

    def get(self, item_id: str, now: float) -> Item | None:
        with self._tx() as db:
            found = db.execute(f"SELECT {_COLUMNS} FROM items WHERE {_BY_ID}", _id_params(item_id))
            return None if (row := found.fetchone()) is None else self._checked(db, row, now)

    def list(self, state: State, limit: int | None, now: float) -> list[Item]:
        order = "due, seq" if state in (State.READY, State.LEASED) else "seq"
        if state is State.QUARANTINED:
            order = "finished_at DESC, seq DESC"  # the latest first
        with self._tx() as db:
            rows = db.execute(
                f"SELECT {_COLUMNS} FROM items WHERE state = ? ORDER BY {order} LIMIT ?",
                (state.value, -1 if limit is None else limit),
            ).fetchall()
            items = [self._checked(db, row, now) for row in rows]
        return [item for item in items if item.state is state]

    def import_items(self, items: Sequence[Item]) -> int:
        added = 0
        with self._tx() as db:
            for item in items:
                if item.state is State.QUARANTINED:
                    raise QueueError(f"item {item.id} is quarantined; it cannot be imported")
                text, payload = meta_text(item.meta), bytes(item.payload)
                leased = item.state is State.LEASED
                due = (item.lease_expires_at or 0.0) if leased else item.next_attempt_at
                token = (item.lease_token or secrets.token_hex(8)) if leased else None
                row = (secrets.randbits(63), item.key, item.state.value, due, item.claims,
                       item.attempts, token, item.created_at, item.finished_at, item.last_error,
                       text, checksum(item.key, text, payload), payload)  # fmt: skip
                added += db.execute(_INSERT, row).rowcount
        return added

    def purge_acked(self, before: float) -> int:
        with self._tx() as db:
            cursor = db.execute(
                "DELETE FROM items WHERE state = 'acked' AND finished_at < ?", (before,)
            )
            return cursor.rowcount

    def stats(self, now: float) -> QueueStats:
        depth = {s.value: 0 for s in State}
        oldest: dict[str, float | None] = {s.value: None for s in State}
        with self._tx() as db:
            for state, count, created in db.execute(
                "SELECT state, count(*), min(created_at) FROM items GROUP BY state"
            ):
                depth[state], oldest[state] = count, max(0.0, now - created)
            attempts = db.execute(
                "SELECT attempts, count(*) FROM items "
                "WHERE state IN ('ready', 'leased', 'dead') GROUP BY attempts"
            ).fetchall()
            latest = db.execute(
                "SELECT last_error FROM items WHERE state = 'quarantined' "
                "ORDER BY finished_at DESC LIMIT 1"
            ).fetchone()
        quarantined, _ = depth.pop(State.QUARANTINED.value), oldest.pop(State.QUARANTINED.value)
        return QueueStats(depth, oldest, dict(attempts), quarantined, latest and latest[0])

    def close(self) -> None:
        with contextlib.suppress(sqlite3.Error):
            self._db.close()


def salvage(path: Path) -> tuple[list[Item], list[str]]:
    """Every intact item a possibly damaged queue file still yields, and a line for each
    row that could not be read. Reads only. Each ``seq`` is asked for on its own, so only
    the rows on damaged pages are lost."""
    items: list[Item] = []
    lost: list[str] = []
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise QueueError(f"cannot open {path} to recover it: {exc}") from None
    try:
        try:
            top = int(db.execute("SELECT coalesce(max(seq), 0) FROM items").fetchone()[0])
        except sqlite3.DatabaseError as exc:
            if "malformed" not in str(exc):
                raise QueueError(f"{path}: nothing to recover ({exc})") from None
            top = -1  # unknown: go on until 10,000 numbers in a row hold nothing
        seq, misses, bad = 0, 0, list[tuple[int, str]]()
        while seq < top or (top < 0 and misses < 10_000):
            seq += 1
            try:
                row = db.execute(f"SELECT {_COLUMNS} FROM items WHERE seq = ?", (seq,)).fetchone()
            except sqlite3.Error as exc:
                bad.append((seq, str(exc)))
                misses += 1
                continue
            misses = 0 if row else misses + 1
            reason = row and (_damage(row) or (row[10] if row[3] == "quarantined" else None))
            if reason:
                lost.append(f"item {row[0]:016x}{row[1]:016x} (key {row[2]!r}): {reason}")
            elif row:
                items.append(_item(row))
    finally:
        db.close()
    for n, (seq, error) in enumerate(bad):  # consecutive numbers as one range
        if n == 0 or bad[n - 1][0] != seq - 1:
            first = seq
        if n + 1 == len(bad) or bad[n + 1][0] != seq + 1:
            span = f"row {seq}" if first == seq else f"rows {first}-{seq}"
            lost.append(f"{span} (numbers that never held an item included): {error}")
    return items, lost
