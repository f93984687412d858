"""SQLite backend: one table, WAL, ``synchronous=FULL``, claims in one UPDATE ... RETURNING."""

# SQL text is assembled only from this module's constants; every value is a bound parameter.
# ruff: noqa: S608

from __future__ import annotations

import contextlib
import heapq
import itertools
import json
import secrets
import sqlite3
import time
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from ._model import (
    STATES,
    InvalidStateError,
    Item,
    ItemNotFoundError,
    LeaseLostError,
    QueueCorruptError,
    QueueError,
    QueueStats,
    State,
    UnsupportedQueueError,
    id_tail,
)

MIN_SQLITE = (3, 35, 0)  # UPDATE ... RETURNING
BUSY_TIMEOUT_MS = 30_000
# put_many stores up to this many payloads, of up to this many bytes in all, in one
# ``packs`` row: a batch then writes its payloads densely instead of a page per item.
PACK_MEMBERS = 128
PACK_BYTES = 64 * 1024
# Page size of new queue files. A put writes every page it touches to the WAL before its
# commit's fsync; with 2 KiB pages an item's row, its overflow and its two index entries
# come to about 9 KB there instead of 17 KB (docs/queue.md has the measurement).
# Files made with another page size keep it: SQLite fixes it when a file is created.
PAGE_SIZE = 2048
# The WAL is written back into the file once it holds this many bytes (SQLite's default,
# 1,000 pages of 4 KiB). SQLite counts pages, so the count follows the file's page size;
# with 2 KiB pages and the default count, batches paid for twice as many write-backs.
CHECKPOINT_BYTES = 4 * 1024 * 1024
# A packed item has payload NULL and its bytes in its pack. (Not ``pack IS NULL``: SQLite
# 3.40 answers IS NULL wrongly inside RETURNING; coalesce is unaffected.)
_PAYLOAD = (
    "coalesce(payload, (SELECT substr(packs.data, items.pack_start + 1, items.pack_size) "
    "FROM packs WHERE packs.id = items.pack))"
)
_COLUMNS = (
    f"id, key, {_PAYLOAD}, meta, created_at, attempts, last_error, next_attempt_at, state, "
    "lease_token, lease_expires_at, finished_at"
)
_STORED = (
    "id, key, payload, meta, created_at, attempts, last_error, next_attempt_at, state, "
    "lease_token, lease_expires_at, finished_at"
)
_INDEXES = (
    # Ids are unique by construction (time + 64 random bits) and checked on import.
    # They are indexed in two halves so that a put writes one index fewer: ready
    # items through items_ready, all others through items_settled. Lookups by id
    # therefore name the state condition of one of the two indexes.
    "CREATE INDEX items_ready ON items (id, next_attempt_at) WHERE state = 'ready'",
    "CREATE INDEX items_settled ON items (id) WHERE state != 'ready'",
    "CREATE INDEX items_leased ON items (lease_expires_at) WHERE state = 'leased'",
    "CREATE INDEX items_acked ON items (finished_at) WHERE state = 'acked'",
)

# Forward migrations: index i brings the schema from version i to i + 1.
MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (
        """CREATE TABLE items (
            id TEXT NOT NULL,
            key TEXT NOT NULL UNIQUE,
            payload BLOB NOT NULL,
            meta TEXT NOT NULL,
            created_at REAL NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            last_error TEXT,
            next_attempt_at REAL NOT NULL,
            state TEXT NOT NULL CHECK (state IN ('ready', 'leased', 'acked', 'dead')),
            lease_token TEXT,
            lease_expires_at REAL,
            finished_at REAL
        )""",
        *_INDEXES,
    ),
    # 2: packs. The payload column becomes nullable, so the table is rebuilt. The old
    # table's indexes (whichever a schema 1 build made) go with it when it is dropped.
    (
        "ALTER TABLE items RENAME TO items_v1",
        """CREATE TABLE items (
            id TEXT NOT NULL,
            key TEXT NOT NULL UNIQUE,
            payload BLOB CHECK ((payload IS NULL) = (pack IS NOT NULL)),
            meta TEXT NOT NULL,
            created_at REAL NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            last_error TEXT,
            next_attempt_at REAL NOT NULL,
            state TEXT NOT NULL CHECK (state IN ('ready', 'leased', 'acked', 'dead')),
            lease_token TEXT,
            lease_expires_at REAL,
            finished_at REAL,
            pack INTEGER,
            pack_start INTEGER,
            pack_size INTEGER
        )""",
        f"INSERT INTO items (rowid, {_STORED}) SELECT rowid, {_STORED} FROM items_v1",
        "DROP TABLE items_v1",
        *_INDEXES,
        "CREATE INDEX items_pack ON items (pack) WHERE pack IS NOT NULL",
        "CREATE TABLE packs (id INTEGER PRIMARY KEY, data BLOB NOT NULL)",
    ),
    # 3: items put and never claimed are in state 'new' and in no index but the key's,
    # so a put writes two B-trees, not three. Each has the rowid its id begins with
    # (nanoseconds) and lies above the claim cursor; a claim finds the first of them
    # by rowid from there. Every other item is found by id through the two id indexes.
    # The row number is a declared column (seq), so that a dump and reload or a VACUUM
    # keeps it. The payload is the last column: SQLite reads a column stored after a
    # long value by walking that value's overflow pages, so scans of state or pack
    # would read every payload if it came first.
    (
        "ALTER TABLE items RENAME TO items_v2",
        """CREATE TABLE items (
            seq INTEGER PRIMARY KEY,
            id TEXT NOT NULL,
            key TEXT NOT NULL UNIQUE,
            state TEXT NOT NULL
                CHECK (state IN ('new', 'ready', 'leased', 'acked', 'dead')),
            next_attempt_at REAL NOT NULL,
            created_at REAL NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            lease_token TEXT,
            lease_expires_at REAL,
            finished_at REAL,
            pack INTEGER,
            pack_start INTEGER,
            pack_size INTEGER,
            meta TEXT NOT NULL,
            last_error TEXT,
            payload BLOB CHECK ((payload IS NULL) = (pack IS NOT NULL))
        )""",
        f"INSERT INTO items (rowid, {_STORED}, pack, pack_start, pack_size) "
        f"SELECT rowid, {_STORED}, pack, pack_start, pack_size FROM items_v2",
        "DROP TABLE items_v2",
        "CREATE INDEX items_ready ON items (id, next_attempt_at) WHERE state = 'ready'",
        "CREATE INDEX items_settled ON items (id) WHERE state NOT IN ('new', 'ready')",
        "CREATE INDEX items_leased ON items (lease_expires_at) WHERE state = 'leased'",
        "CREATE INDEX items_acked ON items (finished_at) WHERE state = 'acked'",
        "CREATE INDEX items_pack ON items (pack) WHERE pack IS NOT NULL",
        "CREATE TABLE claim_cursor (after INTEGER NOT NULL)",
        "INSERT INTO claim_cursor (after) SELECT coalesce(max(rowid), 0) FROM items",
    ),
)
SCHEMA_VERSION = len(MIGRATIONS)
_BY_ID = (
    "SELECT {columns} FROM items WHERE rowid = :rowid AND id = :id AND state = 'new' "
    "UNION ALL SELECT {columns} FROM items WHERE id = :id AND state = 'ready' "
    "UNION ALL SELECT {columns} FROM items WHERE id = :id AND state NOT IN ('new', 'ready')"
)
# A put inserts only above the claim cursor, so that claims, which look for fresh items
# above it, cannot miss it. The write lock makes the check and the insert one step.
_PUT = (
    "INSERT INTO items (rowid, id, key, payload, meta, created_at, attempts, "
    "next_attempt_at, state) SELECT ?1, ?2, ?3, ?4, ?5, ?6, 0, ?6, 'new' "
    "WHERE ?1 > (SELECT after FROM claim_cursor) ON CONFLICT (key) DO NOTHING"
)


def _id_params(item_id: str) -> dict[str, Any]:
    """Parameters of ``_BY_ID``: the id, and the rowid it has while it is 'new'."""
    try:
        rowid = int(item_id[:16], 16)
    except ValueError:
        rowid = -1
    return {"id": item_id, "rowid": rowid if 0 < rowid < 1 << 63 else -1}


def _row_item(row: sqlite3.Row | tuple[Any, ...], *, missing_ok: bool = False) -> Item:
    """The item in a row of ``_COLUMNS``. A payload whose pack row is gone raises
    (inside the caller's transaction, which then rolls back) unless ``missing_ok``."""
    if row[2] is None and not missing_ok:
        raise QueueCorruptError(
            f"the payload of item {row[0]} is missing: its pack row is gone (the queue "
            "file was damaged or changed by hand). Open the queue again: on open, items "
            "whose payload is lost are moved to the dead letters with the reason"
        )
    return Item(
        id=row[0],
        key=row[1],
        payload=b"" if row[2] is None else bytes(row[2]),
        meta=json.loads(row[3]),
        created_at=row[4],
        attempts=row[5],
        last_error=row[6],
        next_attempt_at=row[7],
        state=State.READY if row[8] == "new" else State(row[8]),
        lease_token=row[9],
        lease_expires_at=row[10],
        finished_at=row[11],
    )


def check_sqlite_version(version: str = sqlite3.sqlite_version) -> None:
    parts = tuple(int(p) for p in version.split(".")[:3])
    if parts < MIN_SQLITE:
        raise UnsupportedQueueError(
            f"the SQLite queue needs SQLite >= {'.'.join(map(str, MIN_SQLITE))} "
            f"(for UPDATE ... RETURNING); this Python links SQLite {version}. Use the "
            "file backend (file:///...) or a Python built with a newer SQLite."
        )


def _corrupt(path: Path, detail: str) -> QueueCorruptError:
    return QueueCorruptError(
        f"the SQLite queue {path} is damaged ({detail}); nothing was changed. Way out: "
        "stop every process using it, keep a copy of the file (with its -wal and -shm "
        f"files), then recover what is readable with `sqlite3 {path} .recover | "
        f"sqlite3 {path.name}.recovered` and open the recovered file, or restore a backup."
    )


def sqlite_error(url: str, exc: sqlite3.DatabaseError) -> QueueError:
    """A SQLite failure during use, as a queue error a person can act on."""
    text = str(exc)
    if "malformed" in text or "not a database" in text:
        return _corrupt(Path(url.removeprefix("sqlite://")), text)
    if "locked" in text or "busy" in text:
        return QueueError(
            f"SQLite queue {url} stayed locked by another process for "
            f"{BUSY_TIMEOUT_MS // 1000} s: {text}"
        )
    return QueueError(f"SQLite queue {url}: {text}")


class SqliteStorage:
    """The SQLite backend. One connection; :class:`Queue` serialises calls on it."""

    def __init__(self, path: Path) -> None:
        check_sqlite_version()
        self.url = "sqlite://" + str(path)
        self._path = path
        self._last_rowid = 0  # the rowid of this connection's last put (ids grow)
        if not path.parent.is_dir():
            raise QueueError(f"directory {path.parent} for the SQLite queue does not exist")
        try:
            self._db = sqlite3.connect(
                str(path),
                timeout=BUSY_TIMEOUT_MS / 1000,
                isolation_level=None,
                check_same_thread=False,
            )
        except sqlite3.Error as exc:
            raise QueueError(f"cannot open SQLite queue {path}: {exc}") from None
        try:
            self._configure()
            self._check_integrity()
            self._migrate()
            self._mark_lost_payloads(time.time())
            self._reveal_hidden_fresh_items()
        except sqlite3.DatabaseError as exc:
            self._db.close()
            if isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc):
                raise QueueError(f"SQLite queue {path} is locked: {exc}") from None
            raise _corrupt(path, str(exc)) from None
        except BaseException:
            self._db.close()
            raise

    def _configure(self) -> None:
        db = self._db
        db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        db.execute(f"PRAGMA page_size = {PAGE_SIZE}")  # takes effect only on a new file
        mode = self._enter_wal()
        db.execute("PRAGMA synchronous = FULL")
        page_size = int(db.execute("PRAGMA page_size").fetchone()[0])
        db.execute(f"PRAGMA wal_autocheckpoint = {CHECKPOINT_BYTES // page_size}")
        checks = {
            "journal_mode": (mode.lower(), "wal"),
            "synchronous": (db.execute("PRAGMA synchronous").fetchone()[0], 2),
            "busy_timeout": (db.execute("PRAGMA busy_timeout").fetchone()[0], BUSY_TIMEOUT_MS),
        }
        for name, (actual, wanted) in checks.items():
            if actual != wanted:
                raise QueueError(
                    f"SQLite queue {self._path}: PRAGMA {name} is {actual!r}, needed "
                    f"{wanted!r} (is the file on a network share or read-only?)"
                )

    def _enter_wal(self) -> str:
        """Switch to WAL (a no-op once the file is WAL). The switch needs the file to
        itself and SQLite answers "locked" at once, without the busy timeout, while
        another process opens the same new queue: so wait here instead."""
        deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
        while True:
            try:
                return str(self._db.execute("PRAGMA journal_mode = WAL").fetchone()[0])
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() > deadline:
                    raise
            time.sleep(0.01)

    def _check_integrity(self) -> None:
        rows = [r[0] for r in self._db.execute("PRAGMA quick_check").fetchall()]
        if rows != ["ok"]:
            lines = [
                line.strip()
                for row in rows
                for line in str(row).splitlines()
                if line.strip() and not line.startswith("***")
            ]
            more = f" and {len(lines) - 3} more" if len(lines) > 3 else ""
            raise _corrupt(self._path, "quick_check: " + "; ".join(lines[:3]) + more)

    def _migrate(self) -> None:
        db = self._db
        db.execute("BEGIN IMMEDIATE")
        try:
            db.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
            row = db.execute("SELECT version FROM schema_version").fetchone()
            version = 0 if row is None else int(row[0])
            if version > SCHEMA_VERSION:
                raise UnsupportedQueueError(
                    f"SQLite queue {self._path} has schema version {version}, written by a "
                    f"newer pywats-queue; this version understands up to {SCHEMA_VERSION}"
                )
            try:
                for steps in MIGRATIONS[version:]:
                    for statement in steps:
                        db.execute(statement)
            except sqlite3.OperationalError as exc:
                if "locked" in str(exc) or "malformed" in str(exc):
                    raise
                if version == 0:
                    raise QueueError(
                        f"SQLite queue {self._path}: creating its tables failed ({exc}); "
                        "is the disk full?"
                    ) from None
                raise QueueError(
                    f"SQLite queue {self._path}: upgrading its schema from version {version} "
                    f"to {SCHEMA_VERSION} failed ({exc}); the file is unchanged. The upgrade "
                    "rewrites the items table and needs free space of about the "
                    f"file's size ({self._path.stat().st_size // 2**20 + 1} MiB) on its "
                    "disk: make room, then open the queue again"
                ) from None
            if row is None:
                db.execute("INSERT INTO schema_version (version) VALUES (?)", (SCHEMA_VERSION,))
            elif version != SCHEMA_VERSION:
                db.execute("UPDATE schema_version SET version = ?", (SCHEMA_VERSION,))
            db.execute("COMMIT")
        except BaseException:
            with contextlib.suppress(sqlite3.Error):
                db.execute("ROLLBACK")
            raise

    def _mark_lost_payloads(self, now: float) -> None:
        """Move items whose pack row is gone to the dead letters, saying so.

        Packs are only deleted with their last item, so this finds something only in a
        file that was damaged or edited by hand; the rest of the queue carries on.
        """
        self._db.execute(
            "UPDATE items SET state = 'dead', payload = x'', pack = NULL, pack_start = NULL, "
            "pack_size = NULL, lease_token = NULL, lease_expires_at = NULL, finished_at = ?, "
            "last_error = 'payload lost: its pack row is missing from the queue file "
            "(damaged or edited by hand); the item is kept for its key and metadata' "
            "WHERE pack IS NOT NULL "
            "AND NOT EXISTS (SELECT 1 FROM packs WHERE packs.id = items.pack)",
            (now,),
        )

    def _reveal_hidden_fresh_items(self) -> None:
        """Make sure claims can see every item never claimed, whatever became of the file.

        Such an item is found by its row number, which is the time its id begins with,
        above the claim cursor. A file rebuilt by a tool that renumbers rows, or one that
        lost its cursor row, would hide items: they become 'ready', found by their id.
        """
        db = self._db
        cursor_rows = db.execute("SELECT count(*) FROM claim_cursor").fetchone()[0]
        hidden = (
            "state = 'new' AND (seq <= (SELECT after FROM claim_cursor) "
            "OR printf('%016x', seq) != substr(id, 1, 16))"
        )
        if cursor_rows == 1 and not db.execute(f"SELECT 1 FROM items WHERE {hidden}").fetchone():
            return
        with self._write():
            if db.execute("SELECT count(*) FROM claim_cursor").fetchone()[0] != 1:
                db.execute("DELETE FROM claim_cursor")
                db.execute(
                    "INSERT INTO claim_cursor (after) SELECT coalesce(max(seq), 0) FROM items"
                )
            db.execute(f"UPDATE items SET state = 'ready' WHERE {hidden}")

    @contextlib.contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        """One snapshot for several reads, without taking the write lock (WAL)."""
        db = self._db
        db.execute("BEGIN")
        try:
            yield db
        finally:
            with contextlib.suppress(sqlite3.Error):
                db.execute("COMMIT")

    @contextlib.contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        db = self._db
        db.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            with contextlib.suppress(sqlite3.Error):
                db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    # -- storage protocol ---------------------------------------------------------

    def put_many(
        self, entries: Sequence[tuple[bytes, str, dict[str, Any]]], now: float
    ) -> list[str]:
        if len(entries) == 1:
            return [self.put(*entries[0], now).id]
        wanted: dict[str, tuple[bytes, dict[str, Any]]] = {}
        for payload, key, meta in entries:
            wanted.setdefault(key, (payload, meta))  # the same key twice: one item
        with self._write() as db:
            # Keys already stored are looked up first, so that their payloads are not
            # written into a pack again (the write lock is held: nothing changes between).
            ids = self._ids_with_keys(list(wanted))
            new = [(key, *value) for key, value in wanted.items() if key not in ids]
            rowid = self._free_rowids(db, len(new))
            self._last_rowid = max(self._last_rowid, rowid + len(new) - 1)
            # Rows are built directly, without Item objects: a batch's cost per item is
            # a few microseconds, and making an Item would be a good part of it.
            rows: list[tuple[Any, ...]] = []
            for start, end in _pack_groups([len(payload) for _key, payload, _meta in new]):
                group = new[start:end]
                pack: int | None = None
                if len(group) > 1:
                    data = b"".join(payload for _key, payload, _meta in group)
                    pack = db.execute("INSERT INTO packs (data) VALUES (?)", (data,)).lastrowid
                offset = 0
                for key, payload, meta in group:
                    ids[key] = item_id = f"{rowid:016x}{id_tail()}"
                    size = len(payload)
                    meta_text = json.dumps(meta) if meta else "{}"
                    if pack is None:
                        rows.append(
                            (rowid, item_id, key, payload, meta_text, now, None, None, None)
                        )
                    else:
                        rows.append((rowid, item_id, key, None, meta_text, now, pack, offset, size))
                    offset += size
                    rowid += 1
            db.executemany(
                "INSERT INTO items (rowid, id, key, payload, meta, created_at, attempts, "
                "next_attempt_at, state, pack, pack_start, pack_size) "
                "VALUES (?1, ?2, ?3, ?4, ?5, ?6, 0, ?6, 'new', ?7, ?8, ?9)",
                rows,
            )
        return [ids[key] for _payload, key, _meta in entries]

    def _free_rowids(self, db: sqlite3.Connection, count: int) -> int:
        """The first of ``count`` free rowids for new items, chosen as a single put
        chooses one (by time, above the claim cursor), so that a batch and a single put
        made after it are claimed in the order they were made."""
        cursor = int(db.execute("SELECT after FROM claim_cursor").fetchone()[0])
        first = max(time.time_ns(), self._last_rowid + 1, cursor + 1)
        while True:
            taken = db.execute(
                "SELECT max(rowid) FROM items WHERE rowid BETWEEN ? AND ?",
                (first, first + count - 1),
            ).fetchone()[0]
            if taken is None:
                return first
            first = self._end_of_taken_run(int(taken)) + 1

    def put(self, payload: bytes, key: str, meta: dict[str, Any], now: float) -> Item:
        """One put as one autocommit statement: the cheapest durable commit there is."""
        meta_text = json.dumps(meta) if meta else "{}"
        while True:
            rowid = max(time.time_ns(), self._last_rowid + 1)
            item_id = f"{rowid:016x}{id_tail()}"
            item = Item(item_id, key, payload, meta, now, 0, None, now, State.READY)
            self._last_rowid = rowid
            try:
                inserted = self._db.execute(
                    _PUT, (rowid, item.id, key, payload, meta_text, now)
                ).rowcount
            except sqlite3.IntegrityError:
                # The rowid is taken (by another process, or by a batch after the clock
                # stepped back): go past the whole run of taken rowids at once.
                self._last_rowid = self._end_of_taken_run(rowid)
                continue
            if inserted == 1:
                return item
            existing = self._item_with_key(key)
            if existing is not None:
                return existing
            # No such key, so the guard refused: a claim has moved the cursor past this
            # rowid since the time was read (or the clock stepped back). Go above it.
            cursor = self._db.execute("SELECT after FROM claim_cursor").fetchone()[0]
            self._last_rowid = max(self._last_rowid, int(cursor))

    def _end_of_taken_run(self, rowid: int) -> int:
        """The last rowid of the run of consecutive taken rowids from ``rowid``."""
        end = self._db.execute(
            "SELECT min(seq) FROM items AS a WHERE seq >= ? AND NOT EXISTS "
            "(SELECT 1 FROM items AS b WHERE b.seq = a.seq + 1)",
            (rowid,),
        ).fetchone()[0]
        return rowid if end is None else int(end)

    def _ids_with_keys(self, keys: Sequence[str]) -> dict[str, str]:
        found: dict[str, str] = {}
        for start in range(0, len(keys), 500):  # under SQLite's variable limit
            chunk = keys[start : start + 500]
            marks = ", ".join("?" * len(chunk))
            found.update(
                self._db.execute(f"SELECT key, id FROM items WHERE key IN ({marks})", chunk)
            )
        return found

    def _item_with_key(self, key: str) -> Item | None:
        row = self._db.execute(f"SELECT {_COLUMNS} FROM items WHERE key = ?", (key,)).fetchone()
        return None if row is None else _row_item(row)

    def _free_packs(self, packs: Iterable[int | None]) -> None:
        """Delete the packs that no item points into any more."""
        for pack in {p for p in packs if p is not None}:
            self._db.execute(
                "DELETE FROM packs WHERE id = ?1 AND NOT EXISTS "
                "(SELECT 1 FROM items WHERE pack = ?1)",
                (pack,),
            )

    def claim(self, lease_seconds: float, now: float) -> Item | None:
        token = secrets.token_hex(8)
        # A claim alone need not survive power loss: losing it only returns the item to
        # ready. So its commit skips the WAL fsync; the next FULL commit (the ack, nack,
        # ...) syncs the WAL up to and including it. Every other write stays FULL.
        self._db.execute("PRAGMA synchronous = NORMAL")
        try:
            return self._claim(token, lease_seconds, now)
        finally:
            self._db.execute("PRAGMA synchronous = FULL")

    def _claim(self, token: str, lease_seconds: float, now: float) -> Item | None:
        with self._write() as db:
            self._sweep(now)
            # Two candidates, the older wins: the first never-claimed item above the
            # cursor, and the first due item that came back to ready.
            fresh = db.execute(
                "SELECT rowid, id FROM items WHERE rowid > (SELECT after FROM claim_cursor) "
                "AND state = 'new' ORDER BY rowid LIMIT 1"
            ).fetchone()
            back = db.execute(
                "SELECT rowid, id FROM items WHERE state = 'ready' AND next_attempt_at <= ? "
                "ORDER BY id LIMIT 1",
                (now,),
            ).fetchone()
            if back is not None and (fresh is None or back[1] < fresh[1]):
                chosen = back[0]
            elif fresh is not None:
                chosen = fresh[0]
                db.execute("UPDATE claim_cursor SET after = ?", (chosen,))
            else:
                # Nothing above the cursor is 'new': move it past whatever is there (say,
                # imported items) so that later claims do not step over them again.
                db.execute(
                    "UPDATE claim_cursor SET after = ?1 WHERE after < ?1",
                    (db.execute("SELECT coalesce(max(rowid), 0) FROM items").fetchone()[0],),
                )
                return None
            row = db.execute(
                "UPDATE items SET state = 'leased', lease_token = ?, lease_expires_at = ? "
                "WHERE rowid = ? RETURNING " + _COLUMNS,
                (token, now + lease_seconds, chosen),
            ).fetchall()
            return _row_item(row[0])

    def _leased_update(self, item: Item, assignments: str, params: dict[str, Any]) -> Item:
        if item.lease_token is None:
            raise InvalidStateError(f"item {item.id} was not claimed (it has no lease)")
        with self._write() as db:
            row = db.execute(
                f"UPDATE items SET {assignments}, lease_token = NULL, lease_expires_at = NULL "
                "WHERE id = :id AND state NOT IN ('new', 'ready') AND state = 'leased' "
                "AND lease_token = :token RETURNING " + _COLUMNS,
                {**params, "id": item.id, "token": item.lease_token},
            ).fetchall()
            if not row:
                raise LeaseLostError(
                    f"the lease on item {item.id} is gone: it expired and the item was "
                    "released or claimed again; this result was not recorded"
                )
            return _row_item(row[0])

    def ack(self, item: Item, now: float) -> Item:
        return self._leased_update(item, "state = 'acked', finished_at = :now", {"now": now})

    def nack(self, item: Item, error: str, retry_at: float, now: float) -> Item:
        return self._leased_update(
            item,
            "state = 'ready', attempts = attempts + 1, last_error = :error, "
            "next_attempt_at = :retry_at",
            {"error": error, "retry_at": retry_at},
        )

    def release(self, item: Item, retry_at: float | None, now: float) -> Item:
        return self._leased_update(
            item,
            "state = 'ready', next_attempt_at = :retry_at",
            {"retry_at": now if retry_at is None else retry_at},
        )

    def dead(self, item: Item, reason: str, now: float, attempted: bool = False) -> Item:
        return self._leased_update(
            item,
            "state = 'dead', attempts = attempts + :more, last_error = :reason, finished_at = :now",
            {"more": int(attempted), "reason": reason, "now": now},
        )

    def _state_of(self, item_id: str) -> State:
        row = self._db.execute(_BY_ID.format(columns="state"), _id_params(item_id)).fetchone()
        if row is None:
            raise ItemNotFoundError(f"no item with id {item_id!r} in {self.url}")
        return State.READY if row[0] == "new" else State(row[0])

    def requeue(self, item_id: str, now: float) -> Item:
        with self._write() as db:
            row = db.execute(
                "UPDATE items SET state = 'ready', next_attempt_at = :now, finished_at = NULL "
                "WHERE id = :id AND state NOT IN ('new', 'ready') AND state IN ('dead', 'acked') "
                "RETURNING " + _COLUMNS,
                {"id": item_id, "now": now},
            ).fetchall()
            if not row:
                state = self._state_of(item_id)
                raise InvalidStateError(
                    f"item {item_id} is {state.value}; only dead or acked items can be requeued"
                )
            return _row_item(row[0])

    def discard(self, item_id: str, now: float) -> Item:
        with self._write() as db:
            row = db.execute(
                "DELETE FROM items WHERE rowid IN (" + _BY_ID.format(columns="rowid") + ") "
                f"AND state != 'leased' RETURNING {_COLUMNS}, pack",
                _id_params(item_id),
            ).fetchall()
            if not row:
                self._state_of(item_id)
                raise InvalidStateError(
                    f"item {item_id} is being delivered (leased); discard it after its lease ends"
                )
            self._free_packs([row[0][12]])
            return _row_item(row[0], missing_ok=True)

    def _sweep(self, now: float) -> None:
        self._db.execute(
            "UPDATE items SET state = 'ready', next_attempt_at = lease_expires_at, "
            "lease_token = NULL, lease_expires_at = NULL "
            "WHERE state = 'leased' AND lease_expires_at <= ?",
            (now,),
        )

    def get(self, item_id: str, now: float) -> Item | None:
        self._sweep(now)
        row = self._db.execute(_BY_ID.format(columns=_COLUMNS), _id_params(item_id)).fetchall()
        return _row_item(row[0]) if row else None

    def sweep(self, now: float) -> None:
        self._sweep(now)

    def list(
        self, state: State, now: float, limit: int | None, *, sweep: bool = True
    ) -> list[Item]:
        if sweep:
            self._sweep(now)
        most = -1 if limit is None else limit
        if state is not State.READY:
            rows = self._db.execute(
                f"SELECT {_COLUMNS} FROM items WHERE state NOT IN ('new', 'ready') "
                "AND state = ? ORDER BY id LIMIT ?",
                (state.value, most),
            ).fetchall()
            return [_row_item(r) for r in rows]
        with self._read() as db:  # one snapshot for both halves
            back = db.execute(
                f"SELECT {_COLUMNS} FROM items WHERE state = 'ready' ORDER BY id LIMIT ?",
                (most,),
            ).fetchall()
            fresh = db.execute(
                f"SELECT {_COLUMNS} FROM items WHERE rowid > (SELECT after FROM claim_cursor) "
                "AND state = 'new' ORDER BY rowid LIMIT ?",
                (most,),
            ).fetchall()
            merged = heapq.merge(back, fresh, key=lambda r: str(r[0]))
            return [_row_item(r) for r in itertools.islice(merged, None if most < 0 else most)]

    def import_items(self, items: Sequence[Item]) -> int:
        added = 0
        with self._write() as db:
            for item in items:
                if db.execute(_BY_ID.format(columns="1"), _id_params(item.id)).fetchone():
                    continue  # copied by an earlier run
                try:
                    # Below every rowid a put uses: a claim's scan for fresh items never
                    # steps over it, and it never moves where puts go.
                    db.execute(
                        f"INSERT INTO items (rowid, {_STORED}) SELECT "
                        "min(coalesce((SELECT min(rowid) FROM items), 0), 0) - 1, "
                        "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?",
                        (
                            item.id,
                            item.key,
                            bytes(item.payload),
                            json.dumps(dict(item.meta)),
                            item.created_at,
                            item.attempts,
                            item.last_error,
                            item.next_attempt_at,
                            item.state.value,
                            item.lease_token
                            or (secrets.token_hex(8) if item.state is State.LEASED else None),
                            item.lease_expires_at,
                            item.finished_at,
                        ),
                    )
                except sqlite3.IntegrityError:
                    row = db.execute("SELECT id FROM items WHERE key = ?", (item.key,)).fetchone()
                    if row is None:
                        raise
                    raise QueueError(
                        f"key {item.key!r} of item {item.id} is already used by item "
                        f"{row[0]} in {self.url}"
                    ) from None
                added += 1
        return added

    def purge_acked(self, before: float) -> int:
        with self._write() as db:
            packs = [
                row[0]
                for row in db.execute(
                    "DELETE FROM items WHERE state = 'acked' AND finished_at < ? RETURNING pack",
                    (before,),
                )
            ]
            self._free_packs(packs)
        return len(packs)

    def stats(self, now: float) -> QueueStats:
        self._sweep(now)
        depth = {state.value: 0 for state in STATES}
        oldest: dict[str, float | None] = {state.value: None for state in STATES}
        for stored, count, created in self._db.execute(
            "SELECT state, COUNT(*), MIN(created_at) FROM items GROUP BY state"
        ):
            state = "ready" if stored == "new" else stored
            depth[state] += count
            age = max(0.0, now - created)
            oldest[state] = max(age, oldest[state] or 0.0)
        attempts = dict(
            self._db.execute(
                "SELECT attempts, COUNT(*) FROM items WHERE state != 'acked' GROUP BY attempts"
            )
        )
        return QueueStats(depth, oldest, attempts, 0)

    def close(self) -> None:
        with contextlib.suppress(sqlite3.Error):
            self._db.close()


def _pack_groups(sizes: Sequence[int]) -> Iterator[tuple[int, int]]:
    """Consecutive runs ``[start, end)`` of payloads (given by size) that share a pack row."""
    start = 0
    while start < len(sizes):
        end = start + 1
        size = sizes[start]
        while end < len(sizes) and end - start < PACK_MEMBERS and size + sizes[end] <= PACK_BYTES:
            size += sizes[end]
            end += 1
        if size == 0:  # SQLite reads any part of an empty BLOB as NULL: no empty packs
            end = start + 1
        yield start, end
        start = end
