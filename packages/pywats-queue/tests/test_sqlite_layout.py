"""The SQLite layout: packs, rowids from ids, the claim cursor, schema migrations."""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import pytest

from pywats_queue import Item, QueueCorruptError, State, open_queue
from pywats_queue._sqlite import (
    CHECKPOINT_BYTES,
    MIGRATIONS,
    PACK_BYTES,
    PACK_MEMBERS,
    PAGE_SIZE,
    SCHEMA_VERSION,
)


def _rows(path: Path, sql: str) -> list[tuple[object, ...]]:
    db = sqlite3.connect(path)
    try:
        return db.execute(sql).fetchall()
    finally:
        db.close()


def test_a_batch_shares_pack_rows_and_every_payload_reads_back(tmp_path: Path) -> None:
    path = tmp_path / "q.db"
    payloads = [bytes([n % 251]) * (100 + n) for n in range(300)]
    with open_queue(f"sqlite://{path}") as queue:
        ids = queue.put_many([(p, f"k{n}") for n, p in enumerate(payloads)])
        packs = _rows(path, "SELECT id, length(data) FROM packs ORDER BY id")
        members = _rows(path, "SELECT pack, COUNT(*) FROM items GROUP BY pack ORDER BY pack")
        # Packs respect both limits and hold exactly the batch's bytes.
        assert sum(size for _, size in packs) == sum(map(len, payloads))  # type: ignore[misc]
        assert all(size <= PACK_BYTES for _, size in packs)  # type: ignore[operator]
        assert all(count <= PACK_MEMBERS for _, count in members)  # type: ignore[operator]
        assert len(packs) >= 2
        assert _rows(path, "SELECT COUNT(*) FROM items WHERE payload IS NOT NULL") == [(0,)]
        assert [queue.get(i).payload for i in ids] == payloads
        claimed = [queue.claim(30) for _ in payloads]
        assert [c.payload for c in claimed if c] == payloads


def test_a_payload_larger_than_a_pack_is_stored_in_its_own_row(tmp_path: Path) -> None:
    path = tmp_path / "q.db"
    big = b"x" * (PACK_BYTES + 1)
    with open_queue(f"sqlite://{path}") as queue:
        ids = queue.put_many([(b"a", "a"), (big, "big"), (b"b", "b")])
        assert _rows(path, "SELECT key, pack IS NULL FROM items ORDER BY rowid") == [
            ("a", 1),
            ("big", 1),
            ("b", 1),
        ]
        assert [queue.get(i).payload for i in ids] == [b"a", big, b"b"]


def test_packs_are_freed_with_their_last_item(tmp_path: Path) -> None:
    path = tmp_path / "q.db"
    now = [time.time()]
    with open_queue(f"sqlite://{path}", acked_retention=0, clock=lambda: now[0]) as queue:
        first = queue.put_many([(b"p%d" % n, f"a{n}") for n in range(10)])
        queue.put_many([(b"q%d" % n, f"b{n}") for n in range(10)])
        assert _rows(path, "SELECT COUNT(*) FROM packs") == [(2,)]
        for item_id in first[:9]:
            queue.discard(item_id)
        assert _rows(path, "SELECT COUNT(*) FROM packs") == [(2,)]  # one member left
        assert queue.get(first[9]).payload == b"p9"
        queue.discard(first[9])
        assert _rows(path, "SELECT COUNT(*) FROM packs") == [(1,)]
        while (item := queue.claim(30)) is not None:
            queue.ack(item)
        now[0] += 0.01  # acked strictly before the purge's cut-off
        assert queue.purge() == 10
        assert _rows(path, "SELECT COUNT(*) FROM packs") == [(0,)]


def test_a_batch_of_keys_already_present_leaves_no_pack_behind(tmp_path: Path) -> None:
    path = tmp_path / "q.db"
    with open_queue(f"sqlite://{path}") as queue:
        ids = queue.put_many([(b"one", "k1"), (b"two", "k2")])
        assert queue.put_many([(b"other", "k1"), (b"other", "k2")]) == ids
        assert _rows(path, "SELECT COUNT(*) FROM packs") == [(1,)]
        assert [queue.get(i).payload for i in ids] == [b"one", b"two"]


def test_a_lost_pack_fails_the_claim_without_a_trace_then_becomes_a_dead_letter(
    tmp_path: Path,
) -> None:
    path = tmp_path / "q.db"
    with open_queue(f"sqlite://{path}") as queue:
        lost = queue.put_many([(b"one", "k1"), (b"two", "k2")])
        kept = queue.put(b"three", key="k3")
        db = sqlite3.connect(path)
        db.execute("DELETE FROM packs")
        db.commit()
        db.close()
        with pytest.raises(QueueCorruptError, match=f"payload of item {lost[0]} is missing"):
            queue.claim(30)
        # the failed claim changed nothing: the item is not left leased
        assert _rows(path, "SELECT state, lease_token FROM items WHERE key = 'k1'") == [
            ("new", None)  # stored as never claimed
        ]
    with open_queue(f"sqlite://{path}") as queue:  # open moves them aside, saying why
        for item_id in lost:
            item = queue.get(item_id)
            assert item.state is State.DEAD
            assert item.payload == b""
            assert item.last_error is not None
            assert item.last_error.startswith("payload lost: its pack row is missing")
        claimed = queue.claim(30)
        assert claimed is not None
        assert (claimed.id, claimed.payload) == (kept, b"three")
        assert queue.discard(lost[0]).key == "k1"


def test_a_batch_with_keys_already_stored_packs_only_the_new_payloads(tmp_path: Path) -> None:
    path = tmp_path / "q.db"
    with open_queue(f"sqlite://{path}") as queue:
        first = queue.put_many([(b"a" * 100, "k1"), (b"b" * 100, "k2")])
        again = queue.put_many([(b"x" * 100, "k1"), (b"c" * 100, "k3"), (b"d" * 100, "k4")])
        assert again[0] == first[0]
        assert _rows(path, "SELECT length(data) FROM packs ORDER BY id") == [(200,), (200,)]
        assert [queue.get(i).payload for i in again] == [b"a" * 100, b"c" * 100, b"d" * 100]


def test_a_returned_item_is_claimed_before_younger_fresh_items(tmp_path: Path) -> None:
    with open_queue(f"sqlite://{tmp_path / 'q.db'}") as queue:
        a, b, c = (queue.put(b"p", key=k) for k in "abc")
        first = queue.claim(30)
        assert first is not None
        assert first.id == a
        queue.release(first)
        again = queue.claim(30)
        assert again is not None
        assert again.id == a  # older than b and c
        queue.nack(again, "503", retry_at=time.time() + 3600)
        assert [i.id for i in iter(lambda: queue.claim(30), None)] == [b, c]
        assert [i.id for i in queue.list(State.READY)] == [a]


def test_list_ready_is_in_id_order_after_releases(tmp_path: Path) -> None:
    with open_queue(f"sqlite://{tmp_path / 'q.db'}") as queue:
        ids = [queue.put(b"p", key=f"k{n}") for n in range(6)]
        claimed = [queue.claim(30) for _ in range(3)]
        assert None not in claimed
        assert claimed[0] is not None
        assert claimed[2] is not None
        queue.release(claimed[0])  # ids[0] ready again, through the ready index
        queue.release(claimed[2])  # ids[2]
        assert [i.id for i in queue.list(State.READY)] == [ids[0], ids[2], ids[3], ids[4], ids[5]]
        assert [i.id for i in queue.list(State.READY, limit=2)] == [ids[0], ids[2]]
        assert len(queue.list(State.READY, limit=-1)) == 5  # as SQL's LIMIT -1: all
        assert queue.stats().depth == {"ready": 5, "leased": 1, "acked": 0, "dead": 0}


def _item(item_id: str, key: str, state: State, **changes: object) -> Item:
    now = time.time()
    fields: dict[str, object] = {
        "id": item_id,
        "key": key,
        "payload": key.encode() * 3,
        "meta": {"key": key},
        "created_at": now - 60,
        "attempts": 0,
        "last_error": None,
        "next_attempt_at": now - 60,
        "state": state,
    }
    fields.update(changes)
    return Item(**fields)  # type: ignore[arg-type]


def _version_1_queue(path: Path, items: Sequence[tuple[object, ...]]) -> None:
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
    db.execute("INSERT INTO schema_version VALUES (1)")
    for statement in MIGRATIONS[0]:
        assert isinstance(statement, str)
        db.execute(statement)
    db.executemany(
        "INSERT INTO items (id, key, payload, meta, created_at, attempts, last_error, "
        "next_attempt_at, state, lease_token, lease_expires_at, finished_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        items,
    )
    db.commit()
    db.close()


def test_a_schema_1_queue_is_rebuilt_as_schema_2_keeping_every_item(tmp_path: Path) -> None:
    path = tmp_path / "q.db"
    now = time.time()
    ns = time.time_ns() - 10**10
    # state, key, attempts, last_error, next_attempt_at, lease_token, lease_expires_at, done
    plan = [
        ("ready", "ready", 0, None, now - 9, None, None, None),
        ("ready", "retry", 2, "503", now - 1, None, None, None),
        ("leased", "expired", 0, None, now - 7, "tok", now - 1, None),
        ("acked", "acked", 0, None, now - 6, None, None, now - 5),
        ("dead", "dead", 1, "400", now - 5, None, None, now - 4),
        ("ready", "later", 0, None, now + 3600, None, None, None),
    ]
    old = [
        (
            f"{ns + n:016x}{n:016x}",
            key,
            key.encode(),
            json.dumps({"n": n}),
            now - 10 + n,
            attempts,
            error,
            due,
            state,
            token,
            expires,
            done,
        )
        for n, (state, key, attempts, error, due, token, expires, done) in enumerate(plan)
    ]
    _version_1_queue(path, old)
    with open_queue(f"sqlite://{path}") as queue:
        assert _rows(path, "SELECT version FROM schema_version") == [(SCHEMA_VERSION,)]
        for row in old:
            item = queue.get(str(row[0]))
            assert (item.key, item.payload, dict(item.meta), item.attempts, item.last_error) == (
                row[1],
                row[2],
                json.loads(str(row[3])),
                row[5],
                row[6],
            )
        states = {i.key: i.state for i in queue.items()}
        assert states == {
            "ready": State.READY,
            "retry": State.READY,
            "expired": State.READY,  # its lease had run out
            "acked": State.ACKED,
            "dead": State.DEAD,
            "later": State.READY,
        }
        new = queue.put(b"n", key="new")
        order = [i.key for i in iter(lambda: queue.claim(30), None)]
        assert order == ["ready", "retry", "expired", "new"]  # "later" waits an hour
        assert queue.get(new).state is State.LEASED


def test_empty_payloads_in_a_batch_read_back_empty(tmp_path: Path) -> None:
    with open_queue(f"sqlite://{tmp_path / 'q.db'}") as queue:
        batches = [[b"", b""], [b"", b"x", b""], [b"x", b""]]
        for n, batch in enumerate(batches):
            ids = queue.put_many([(p, f"k{n}-{m}") for m, p in enumerate(batch)])
            assert [queue.get(i).payload for i in ids] == batch


def test_a_schema_1_file_from_an_early_build_without_every_index_opens(tmp_path: Path) -> None:
    path = tmp_path / "q.db"
    early = [st for st in MIGRATIONS[0] if isinstance(st, str) and "items_settled" not in st]
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
    db.execute("INSERT INTO schema_version VALUES (1)")
    for statement in early:
        db.execute(statement)
    db.execute(
        "INSERT INTO items (id, key, payload, meta, created_at, next_attempt_at, state) "
        "VALUES (?, 'k', x'01', '{}', 1, 1, 'ready')",
        (f"{time.time_ns():016x}{0:016x}",),
    )
    db.commit()
    db.close()
    with open_queue(f"sqlite://{path}") as queue:
        assert [(i.key, i.payload) for i in queue.list(State.READY)] == [("k", b"\x01")]


_NO_SPACE_CHILD = """
import resource, signal, sys
from pywats_queue import QueueError, open_queue
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # writes past the limit fail with EFBIG
hard = resource.getrlimit(resource.RLIMIT_FSIZE)[1]
resource.setrlimit(resource.RLIMIT_FSIZE, (int(sys.argv[2]), hard))
try:
    open_queue("sqlite://" + sys.argv[1]).close()
except QueueError as exc:
    print(type(exc).__name__, exc)
"""


@pytest.mark.skipif(not hasattr(signal, "SIGXFSZ"), reason="needs RLIMIT_FSIZE (POSIX)")
def test_an_upgrade_without_disk_space_says_so_and_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "q.db"
    _version_1_queue(
        path,
        [
            (
                f"{n:032x}",
                f"k{n}",
                bytes([n % 256]) * 2000,
                "{}",
                1.0,
                0,
                None,
                1.0,
                "ready",
                None,
                None,
                None,
            )
            for n in range(2000)
        ],
    )
    size = path.stat().st_size
    # The rebuild needs about the file's size again; allow a tenth of it.
    child = subprocess.run(
        [sys.executable, "-c", _NO_SPACE_CHILD, str(path), str(size + size // 10)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert child.returncode == 0, child.stderr
    assert child.stdout.startswith("QueueError"), child.stdout
    assert f"upgrading its schema from version 1 to {SCHEMA_VERSION} failed" in child.stdout
    assert "the file is unchanged" in child.stdout
    assert "damaged" not in child.stdout
    assert _rows(path, "SELECT version FROM schema_version") == [(1,)]
    with open_queue(f"sqlite://{path}") as queue:  # with room, the upgrade completes
        assert queue.stats().depth["ready"] == 2000
        assert queue.get(f"{7:032x}").payload == bytes([7]) * 2000


def test_ids_are_rowids_and_sort_by_creation_across_two_connections(tmp_path: Path) -> None:
    path = tmp_path / "q.db"
    with open_queue(f"sqlite://{path}") as one, open_queue(f"sqlite://{path}") as two:
        ids = []
        for n in range(20):
            queue = one if n % 2 else two
            if n % 3:
                ids.append(queue.put(b"p", key=f"k{n}"))
            else:
                ids.extend(queue.put_many([(b"p", f"k{n}a"), (b"p", f"k{n}b")]))
        assert ids == sorted(ids)
        rows = _rows(path, "SELECT rowid, id FROM items ORDER BY rowid")
        assert [int(i[:16], 16) for _, i in rows] == [r for r, _ in rows]  # type: ignore[index]
        assert [c.id for c in iter(lambda: one.claim(30), None)] == ids


def test_imported_items_are_found_by_id_whatever_their_id(tmp_path: Path) -> None:
    path = tmp_path / "q.db"
    prefix = f"{time.time_ns() - 10**9:016x}"
    twins = [
        _item(prefix + "0" * 16, "twin-a", State.READY),
        _item(prefix + "f" * 16, "twin-b", State.DEAD, finished_at=time.time()),
        _item("f" * 32, "too-big", State.READY),  # beyond any rowid an id may give
    ]
    with open_queue(f"sqlite://{path}") as queue:
        assert queue.import_items(twins) == 3
        assert queue.import_items(twins) == 0  # found by id, aliases included
        # all below the rowids of put items, out of the way of claims and puts
        assert _rows(path, "SELECT COUNT(*) FROM items WHERE rowid < 0") == [(3,)]
        for item in twins:
            assert queue.get(item.id).key == item.key
        queue.requeue(twins[1].id)
        claimed = [queue.claim(30) for _ in range(3)]
        assert sorted(c.id for c in claimed if c) == sorted(t.id for t in twins)
        for item in claimed:
            assert item is not None
            queue.ack(item)
        queue.discard(twins[1].id)
        assert _rows(path, "SELECT COUNT(*) FROM items WHERE rowid < 0") == [(2,)]


def test_imported_items_never_sit_among_fresh_ones(tmp_path: Path) -> None:
    path = tmp_path / "q.db"
    now = time.time()
    with open_queue(f"sqlite://{path}") as queue:
        fresh = queue.put(b"p", key="fresh")
        ahead = time.time_ns() + 10**12  # ids from a clock 1000 s ahead
        queue.import_items(
            _item(f"{ahead + n:016x}{n:016x}", f"old{n}", State.ACKED, finished_at=now)
            for n in range(50)
        )
        assert _rows(path, "SELECT COUNT(*) FROM items WHERE rowid > 0") == [(1,)]
        later = queue.put(b"p", key="later")
        assert int(later[:16], 16) < ahead  # puts keep their own time
        assert [i.id for i in iter(lambda: queue.claim(30), None)] == [fresh, later]
        assert queue.get(f"{ahead:016x}{0:016x}").key == "old0"


def test_a_put_never_lands_below_the_claim_cursor(tmp_path: Path) -> None:
    """A put whose time is already behind the cursor (another process took a later item
    first, or the clock stepped back) is placed above it and can still be claimed."""
    path = tmp_path / "q.db"
    with open_queue(f"sqlite://{path}") as one, open_queue(f"sqlite://{path}") as two:
        ahead = time.time_ns() + 60 * 10**9  # a batch from a clock one minute ahead
        two.import_items([])  # nothing; both connections are open on the same file
        db = sqlite3.connect(path)
        db.execute("UPDATE claim_cursor SET after = ?", (ahead,))
        db.commit()
        db.close()
        late = one.put(b"late", key="late")
        assert int(late[:16], 16) > ahead
        taken = two.claim(30)
        assert taken is not None
        assert taken.id == late


def test_deleting_the_newest_items_does_not_hide_later_puts(tmp_path: Path) -> None:
    path = tmp_path / "q.db"
    with open_queue(f"sqlite://{path}") as queue:
        first = queue.put(b"a", key="a")
        newest = queue.put(b"b", key="b")
        item = queue.claim(30)
        assert item is not None
        assert item.id == first
        queue.discard(newest)  # the highest rowid is gone; the cursor is at `first`
        queue.ack(item)
        again = queue.put(b"c", key="c")
        taken = queue.claim(30)
        assert taken is not None
        assert taken.id == again


def _version_2_queue(path: Path) -> dict[str, tuple[object, ...]]:
    """A schema 2 file (before fresh items and the claim cursor), made by running the
    migrations up to 2, with a packed batch and items in every state."""
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
    db.execute("INSERT INTO schema_version VALUES (2)")
    for steps in MIGRATIONS[:2]:
        for statement in steps:
            assert isinstance(statement, str)
            db.execute(statement)
    now = time.time()
    ns = time.time_ns() - 10**10
    db.execute("INSERT INTO packs (id, data) VALUES (1, ?)", (b"onetwo",))
    rows = {
        # id: key, payload, state, pack, start, size, attempts, lease_token, lease_expires_at
        f"{ns + 1:016x}{1:016x}": ("p1", None, "ready", 1, 0, 3, 0, None, None),
        f"{ns + 2:016x}{2:016x}": ("p2", None, "leased", 1, 3, 3, 0, "tok", now + 600),
        f"{ns + 3:016x}{3:016x}": ("inline", b"three", "ready", None, None, None, 2, None, None),
        f"{ns + 4:016x}{4:016x}": ("gone", b"four", "acked", None, None, None, 0, None, None),
        f"{ns + 5:016x}{5:016x}": ("bad", b"five", "dead", None, None, None, 1, None, None),
    }
    for item_id, (key, payload, state, pack, start, size, attempts, token, expires) in rows.items():
        db.execute(
            "INSERT INTO items (id, key, payload, meta, created_at, attempts, next_attempt_at, "
            "state, lease_token, lease_expires_at, finished_at, pack, pack_start, pack_size) "
            "VALUES (?, ?, ?, '{}', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                item_id,
                key,
                payload,
                now - 10,
                attempts,
                now - 10,
                state,
                token,
                expires,
                now - 5 if state in ("acked", "dead") else None,
                pack,
                start,
                size,
            ),
        )
    db.commit()
    db.close()
    return rows


def test_a_schema_2_queue_becomes_schema_3_keeping_packs_and_states(tmp_path: Path) -> None:
    path = tmp_path / "q.db"
    rows = _version_2_queue(path)
    payloads = {"p1": b"one", "p2": b"two", "inline": b"three", "gone": b"four", "bad": b"five"}
    with open_queue(f"sqlite://{path}") as queue:
        assert _rows(path, "SELECT version FROM schema_version") == [(SCHEMA_VERSION,)]
        for item_id, (key, *_rest) in rows.items():
            item = queue.get(item_id)
            assert (item.key, item.payload) == (key, payloads[str(key)])
        assert {i.key: i.state for i in queue.items()} == {
            "p1": State.READY,
            "p2": State.LEASED,
            "inline": State.READY,
            "gone": State.ACKED,
            "bad": State.DEAD,
        }
        new = queue.put(b"new", key="new")
        order = [i.key for i in iter(lambda: queue.claim(30), None)]
        assert order == ["p1", "inline", "new"]  # p2 is still leased
        assert queue.get(new).state is State.LEASED


def test_new_files_get_small_pages_and_older_files_keep_theirs(tmp_path: Path) -> None:
    fresh, older = tmp_path / "fresh.db", tmp_path / "older.db"
    db = sqlite3.connect(older)
    db.execute("PRAGMA page_size = 4096")
    db.execute("CREATE TABLE made_elsewhere (x)")  # fixes the page size, as any write does
    db.commit()
    db.close()
    for path, pages in ((fresh, PAGE_SIZE), (older, 4096)):
        with open_queue(f"sqlite://{path}") as queue:
            queue.put(b"x" * 3000, key="k")
            storage_db = queue._storage._db  # type: ignore[attr-defined]
            assert storage_db.execute("PRAGMA page_size").fetchone()[0] == pages
            # The WAL is written back at the same size whatever the page size.
            checkpoint = storage_db.execute("PRAGMA wal_autocheckpoint").fetchone()[0]
            assert checkpoint * pages == CHECKPOINT_BYTES
            assert queue.claim(30).payload == b"x" * 3000  # type: ignore[union-attr]
        assert _rows(path, "PRAGMA page_size") == [(pages,)]
    assert PAGE_SIZE != 4096  # else this test would not tell the two cases apart


def _filled_queue(path: Path) -> list[str]:
    """3 single puts and a batch of 5, the first item delivered: the claim cursor sits
    on the first row and seven items were never claimed. Returns the ids in put order."""
    with open_queue(f"sqlite://{path}") as queue:
        ids = [queue.put(b"single %d" % n, key=f"s{n}") for n in range(3)]
        ids += queue.put_many([(b"batch %d" % n, f"b{n}") for n in range(5)])
        first = queue.claim(60)
        assert first is not None
        assert first.id == ids[0]
        queue.ack(first)
    return ids


def _assert_every_waiting_item_is_reachable(path: Path, ids: list[str]) -> None:
    with open_queue(f"sqlite://{path}") as queue:
        assert [item.id for item in queue.list(State.READY)] == ids[1:]
        assert all(queue.get(item_id).state is State.READY for item_id in ids[1:])
        assert queue.put(b"again", key="s1") == ids[1]  # the key still finds its item
        claimed = [queue.claim(60) for _ in ids[1:]]
        assert [item.id for item in claimed if item] == ids[1:]  # oldest first
        assert queue.claim(60) is None
        later = queue.put(b"later", key="later")
        assert queue.claim(60).id == later  # type: ignore[union-attr]


def test_a_queue_dumped_as_sql_and_loaded_again_keeps_every_item_reachable(
    tmp_path: Path,
) -> None:
    ids = _filled_queue(tmp_path / "q.db")
    source = sqlite3.connect(tmp_path / "q.db")
    restored = sqlite3.connect(tmp_path / "restored.db")
    restored.executescript("\n".join(source.iterdump()))
    source.close()
    restored.close()
    open_queue(f"sqlite://{tmp_path / 'restored.db'}").close()
    # The row numbers survived, so nothing needed repair: the seven are still fresh.
    assert _rows(tmp_path / "restored.db", "SELECT count(*) FROM items WHERE state = 'new'") == [
        (7,)
    ]
    _assert_every_waiting_item_is_reachable(tmp_path / "restored.db", ids)


def test_items_renumbered_by_a_tool_are_found_again_at_open(tmp_path: Path) -> None:
    path = tmp_path / "q.db"
    ids = _filled_queue(path)
    db = sqlite3.connect(path)
    # What a rebuild that numbers rows afresh does: every row moves to 1, 2, 3 ...
    columns = ", ".join(r[1] for r in db.execute("PRAGMA table_info(items)") if r[1] != "seq")
    db.execute("CREATE TEMP TABLE copy AS SELECT * FROM items ORDER BY seq")
    db.execute("DELETE FROM items")
    db.execute(f"INSERT INTO items ({columns}) SELECT {columns} FROM copy ORDER BY seq")  # noqa: S608
    assert db.execute("SELECT min(seq), max(seq) FROM items").fetchone() == (1, 8)
    db.commit()
    db.close()
    _assert_every_waiting_item_is_reachable(path, ids)


def test_a_lost_claim_cursor_row_is_rebuilt_at_open(tmp_path: Path) -> None:
    path = tmp_path / "q.db"
    ids = _filled_queue(path)
    db = sqlite3.connect(path)
    db.execute("DELETE FROM claim_cursor")
    db.commit()
    db.close()
    _assert_every_waiting_item_is_reachable(path, ids)
    assert _rows(path, "SELECT count(*) FROM claim_cursor") == [(1,)]


def test_a_put_after_the_clock_stepped_back_skips_a_batch_in_one_step(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "q.db"
    with open_queue(f"sqlite://{path}") as producer:
        ids = producer.put_many([(b"x", f"b{n}") for n in range(5000)])
    first = int(ids[0][:16], 16)
    with open_queue(f"sqlite://{path}") as queue:
        assert queue.claim(60).id == ids[0]  # type: ignore[union-attr]
        inserts: list[str] = []
        queue._storage._db.set_trace_callback(  # type: ignore[attr-defined]
            lambda sql: inserts.append(sql) if sql.startswith("INSERT") else None
        )
        # The clock steps back to just after the cursor, into the batch's rowids.
        monkeypatch.setattr(time, "time_ns", lambda: first + 1)
        new = queue.put(b"y", key="single")
        # A second producer, which has not put anything yet, puts a small batch.
        with open_queue(f"sqlite://{path}") as other:
            selects: list[str] = []
            other._storage._db.set_trace_callback(  # type: ignore[attr-defined]
                lambda sql: selects.append(sql) if sql.startswith("SELECT") else None
            )
            pair = other.put_many([(b"p", "p1"), (b"q", "p2")])
        monkeypatch.undo()
        assert len(inserts) <= 3  # not one attempt per taken rowid
        assert len(selects) <= 8  # nor one look per taken rowid for a batch
        assert ids[-1] < new < pair[0] < pair[1]
        claimed = [queue.claim(60).id for _ in range(5002)]  # type: ignore[union-attr]
        assert claimed[-3:] == [new, *pair]
