"""Damaged storage: torn and garbled item files are quarantined; a bad SQLite file is named."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import time
from collections import Counter
from pathlib import Path

import pytest

from pywats_queue import QueueCorruptError, State, UnsupportedQueueError, open_queue
from pywats_queue._sqlite import check_sqlite_version


def _ready_files(root: Path) -> list[Path]:
    return sorted((root / "ready").iterdir())


def _reasons(root: Path) -> list[str]:
    notes = sorted((root / "quarantine").glob("*.reason"))
    return [json.loads(p.read_text())["reason"] for p in notes]


def test_torn_and_garbled_files_are_quarantined_on_open(tmp_path: Path) -> None:
    root = tmp_path / "q"
    with open_queue(f"file://{root}") as queue:
        ids = [queue.put(b"payload %d" % i * 50, key=f"k{i}") for i in range(10)]
    files = _ready_files(root)
    truncated, garbled, emptied = files[2], files[5], files[7]
    truncated.write_bytes(truncated.read_bytes()[:40])
    data = bytearray(garbled.read_bytes())
    data[len(data) // 2] ^= 0xFF
    garbled.write_bytes(bytes(data))
    emptied.write_bytes(b"")
    (root / "ready" / "not-an-item.tmp").write_bytes(b"junk")
    damaged = {p.name.partition("~")[0] for p in (truncated, garbled, emptied)}

    with open_queue(f"file://{root}") as queue:
        stats = queue.stats()
        assert stats.quarantined == 4
        assert stats.depth["ready"] == 7
        reasons = _reasons(root)
        assert sum("truncated" in r or "torn" in r for r in reasons) == 2
        assert sum("checksum" in r for r in reasons) == 1
        assert sum("unrecognised file name" in r for r in reasons) == 1
        claimed = []
        while (item := queue.claim(30)) is not None:
            claimed.append(item.id)
            queue.ack(item)
        assert claimed == [i for i in ids if i not in damaged]
        # the rest of the queue keeps working
        new_id = queue.put(b"after", key="after")
        assert queue.get(new_id).state is State.READY


def test_damage_found_on_read_skips_to_the_next_item(tmp_path: Path) -> None:
    root = tmp_path / "q"
    with open_queue(f"file://{root}") as queue:
        first = queue.put(b"a" * 100, key="a")
        second = queue.put(b"b" * 100, key="b")
        path = next(p for p in _ready_files(root) if p.name.startswith(first))
        path.write_bytes(path.read_bytes()[:-10])  # damaged while the queue is open
        item = queue.claim(30)
        assert item is not None
        assert item.id == second
        assert queue.stats().quarantined == 1
        assert any("torn" in r for r in _reasons(root))
        with pytest.raises(KeyError):
            queue.get(first)


def test_item_damaged_while_leased_is_still_nacked_from_the_claim(tmp_path: Path) -> None:
    root = tmp_path / "q"
    with open_queue(f"file://{root}") as queue:
        item_id = queue.put(b"payload", key="k", meta={"m": 1})
        item = queue.claim(30)
        assert item is not None
        leased = next((root / "leased").iterdir())
        leased.write_bytes(b"garbage")
        queue.nack(item, "503", retry_at=0)
        again = queue.claim(30)
        assert again is not None
        assert (again.id, again.payload, again.attempts) == (item_id, b"payload", 1)
        assert again.meta == {"m": 1}
        assert queue.stats().quarantined == 1


def _sqlite_with_items(path: Path, count: int) -> None:
    with open_queue(f"sqlite://{path}") as queue:
        queue.put_many([(os.urandom(500), f"k{i}") for i in range(count)])


def test_sqlite_file_that_is_not_a_database_gives_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "q.db"
    _sqlite_with_items(path, 10)
    data = bytearray(path.read_bytes())
    data[0:16] = b"definitely nope!"
    path.write_bytes(bytes(data))
    with pytest.raises(QueueCorruptError) as info:
        open_queue(f"sqlite://{path}")
    message = str(info.value)
    assert str(path) in message
    assert ".recover" in message
    assert path.read_bytes() == bytes(data)  # nothing was silently changed


def test_sqlite_damaged_page_is_caught_by_quick_check(tmp_path: Path) -> None:
    path = tmp_path / "q.db"
    _sqlite_with_items(path, 200)
    assert not Path(f"{path}-wal").exists() or Path(f"{path}-wal").stat().st_size == 0
    page_size = 4096
    with path.open("r+b") as fh:
        for page in (2, 3):
            fh.seek(page * page_size)
            fh.write(b"\xa5" * page_size)
    before = path.read_bytes()
    with pytest.raises(QueueCorruptError, match=r"damaged .*Way out") as info:
        open_queue(f"sqlite://{path}")
    assert str(path) in str(info.value)
    assert path.read_bytes() == before


def test_sqlite_settings_are_applied(tmp_path: Path) -> None:
    path = tmp_path / "q.db"
    with open_queue(f"sqlite://{path}") as queue:
        queue.put(b"p", key="k")
        item = queue.claim(30)
        assert item is not None
        queue.ack(item)
        own = queue._storage._db  # type: ignore[attr-defined]
        # claims relax the WAL fsync for their own commit only; FULL is restored after
        assert own.execute("PRAGMA synchronous").fetchone()[0] == 2
        assert own.execute("PRAGMA busy_timeout").fetchone()[0] > 0
        other = sqlite3.connect(path)
        assert other.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert other.execute("SELECT version FROM schema_version").fetchone()[0] == 3
        other.close()


def test_sqlite_older_than_3_35_is_refused_with_the_reason() -> None:
    with pytest.raises(UnsupportedQueueError, match=r"3\.35.*RETURNING.*3\.34\.1"):
        check_sqlite_version("3.34.1")
    check_sqlite_version("3.35.0")


def test_sqlite_schema_from_a_newer_version_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "q.db"
    _sqlite_with_items(path, 1)
    db = sqlite3.connect(path)
    db.execute("UPDATE schema_version SET version = 99")
    db.commit()
    db.close()
    with pytest.raises(UnsupportedQueueError, match="newer pywats-queue"):
        open_queue(f"sqlite://{path}")


def test_sqlite_empty_database_is_migrated_forward(tmp_path: Path) -> None:
    path = tmp_path / "q.db"
    sqlite3.connect(path).close()  # an existing file at schema version 0
    with open_queue(f"sqlite://{path}") as queue:
        queue.put(b"p", key="k")
        assert queue.stats().depth["ready"] == 1


def test_file_queue_refuses_a_foreign_directory(tmp_path: Path) -> None:
    (tmp_path / "photos").mkdir()
    (tmp_path / "photos" / "cat.jpg").write_bytes(b"x")
    with pytest.raises(Exception, match="not a pywats-queue directory"):
        open_queue(f"file://{tmp_path / 'photos'}")
    assert (tmp_path / "photos" / "cat.jpg").read_bytes() == b"x"


def _pack_batch(root: Path, count: int) -> tuple[list[str], list[bytes], Path]:
    """``put_many`` of ``count`` items into a file queue: their ids, payloads, and one of
    the pack's links (all members share one file)."""
    payloads = [b"member %03d " % i * 40 for i in range(count)]
    with open_queue(f"file://{root}") as queue:
        ids = queue.put_many([(p, f"pk{i}") for i, p in enumerate(payloads)])
    links = [p for p in _ready_files(root) if p.name.partition("~")[0] in ids]
    assert len(links) == count
    assert len({p.stat().st_ino for p in links}) == 1  # one file for the whole batch
    assert links[0].stat().st_nlink == 2 * count  # a ready/ and a keys/ link per member
    return ids, payloads, links[0]


def test_a_garbled_pack_member_is_quarantined_alone(tmp_path: Path) -> None:
    root = tmp_path / "q"
    ids, payloads, pack = _pack_batch(root, 10)
    data = bytearray(pack.read_bytes())
    data[data.index(payloads[3]) + 5] ^= 0xFF  # inside member 3's frame only
    pack.write_bytes(bytes(data))

    with open_queue(f"file://{root}") as queue:
        assert queue.stats().quarantined == 1
        assert "checksum" in _reasons(root)[0]
        claimed = []
        while (item := queue.claim(30)) is not None:
            claimed.append((item.id, item.payload))
            queue.ack(item)
        assert claimed == [
            (i, p) for n, (i, p) in enumerate(zip(ids, payloads, strict=True)) if n != 3
        ]


def test_a_truncated_pack_loses_only_the_members_it_cut(tmp_path: Path) -> None:
    root = tmp_path / "q"
    with open_queue(f"file://{root}") as queue:
        single = queue.put(b"single", key="single")
    ids, payloads, pack = _pack_batch(root, 10)
    data = pack.read_bytes()
    cut = data.index(payloads[6])  # members 0-5 stay whole, 6-9 lose their bytes
    pack.write_bytes(data[:cut])

    with open_queue(f"file://{root}") as queue:
        reasons = _reasons(root)
        assert len(reasons) == 4
        assert all("truncated pack" in r for r in reasons)
        claimed = []
        while (item := queue.claim(30)) is not None:
            claimed.append(item.id)
            queue.ack(item)
        assert claimed == [single, *ids[:6]]


def test_a_pack_with_a_damaged_index_is_quarantined_member_by_member(tmp_path: Path) -> None:
    root = tmp_path / "q"
    _ids, _payloads, pack = _pack_batch(root, 5)
    data = bytearray(pack.read_bytes())
    data[30] ^= 0x01  # in the index
    pack.write_bytes(bytes(data))
    with open_queue(f"file://{root}") as queue:
        assert queue.stats().depth["ready"] == 0
        assert queue.stats().quarantined == 5
        assert all("index checksum" in r for r in _reasons(root))
        assert queue.put(b"after", key="after")  # the rest of the queue works
        item = queue.claim(30)
        assert item is not None
        assert item.payload == b"after"


def test_a_pack_is_deleted_with_its_last_member(tmp_path: Path) -> None:
    root = tmp_path / "q"
    ids, payloads, pack = _pack_batch(root, 3)
    assert list((root / "tmp").iterdir()) == []  # the pack's own name is gone
    with open_queue(f"file://{root}", acked_retention=0) as queue:
        first = queue.claim(30)
        assert first is not None
        retried = queue.nack(first, "503", retry_at=0)  # rewritten as a file of its own
        assert retried.attempts == 1
        for _ in range(3):
            item = queue.claim(30)
            assert item is not None
            assert item.payload == payloads[ids.index(item.id)]
            queue.ack(item)
        assert queue.purge() == 3
    leftovers = [
        p for d in ("ready", "leased", "acked", "dead", "keys", "tmp") for p in (root / d).iterdir()
    ]
    assert leftovers == []
    assert not pack.exists()


def test_a_format_1_directory_is_read_and_marked_format_2(tmp_path: Path) -> None:
    root = tmp_path / "q"
    with open_queue(f"file://{root}") as queue:
        kept = queue.put(b"written before packs", key="old")
    (root / "FORMAT").write_text("pywats-queue file backend 1\n", encoding="utf-8")
    with open_queue(f"file://{root}") as queue:
        # marked before anything new is written, so that a version without packs
        # refuses the directory instead of quarantining what it cannot read
        assert (root / "FORMAT").read_text(encoding="utf-8") == "pywats-queue file backend 2\n"
        assert queue.get(kept).payload == b"written before packs"
        queue.put_many([(b"a", "a"), (b"b", "b")])
        assert queue.stats().depth["ready"] == 3


def test_a_newer_file_format_is_refused(tmp_path: Path) -> None:
    root = tmp_path / "q"
    open_queue(f"file://{root}").close()
    (root / "FORMAT").write_text("pywats-queue file backend 3\n", encoding="utf-8")
    with pytest.raises(UnsupportedQueueError, match=r"backend 3.*reads up to.*backend 2"):
        open_queue(f"file://{root}")


def test_a_large_batch_is_split_into_packs_of_128(tmp_path: Path) -> None:
    root = tmp_path / "q"
    with open_queue(f"file://{root}") as queue:
        ids = queue.put_many([(b"p%d" % i, f"k{i}") for i in range(300)])
        sizes = sorted(Counter(p.stat().st_ino for p in _ready_files(root)).values())
        assert sizes == [44, 128, 128]
        claimed = []
        while (item := queue.claim(30)) is not None:
            assert item.payload == b"p%d" % ids.index(item.id)
            claimed.append(item.id)
        assert claimed == ids


def test_items_that_left_their_pack_do_not_keep_it_and_keep_their_keys(tmp_path: Path) -> None:
    root = tmp_path / "q"
    ids, _payloads, pack = _pack_batch(root, 4)
    pack_inode = pack.stat().st_ino
    with open_queue(f"file://{root}", acked_retention=0) as queue:
        claimed = [queue.claim(30) for _ in range(4)]
        assert [c.id if c else None for c in claimed] == ids
        retried, dead, acked, also_acked = (c for c in claimed if c is not None)
        queue.nack(retried, "503", retry_at=time.time() + 3600)  # waits, in ready/
        queue.dead(dead, "refused")  # kept until a person acts
        queue.ack(acked)
        queue.ack(also_acked)
        assert queue.purge() == 2
        # The waiting and the dead item are files of their own now, and their key links
        # moved with them: nothing in the queue keeps the pack (and the purged payloads).
        inodes = {p.lstat().st_ino for p in root.rglob("*") if p.is_file()}
        assert pack_inode not in inodes
        for key in ("pk0", "pk1"):
            key_link = root / "keys" / hashlib.sha256(key.encode()).hexdigest()
            (item_file,) = [
                p
                for d in ("ready", "dead")
                for p in (root / d).iterdir()
                if p.name.startswith(ids[int(key[-1])])
            ]
            assert key_link.stat().st_ino == item_file.stat().st_ino
        # ... so their keys still find them.
        assert queue.put(b"again", key="pk0") == ids[0]
        assert queue.put(b"again", key="pk1") == ids[1]
        assert queue.stats().depth == {"ready": 1, "leased": 0, "acked": 0, "dead": 1}


def test_open_moves_a_key_link_left_on_an_older_file_to_the_current_one(tmp_path: Path) -> None:
    root = tmp_path / "q"
    with open_queue(f"file://{root}") as queue:
        item_id = queue.put(b"payload", key="k")
        key_link = next((root / "keys").iterdir())
        first_revision = tmp_path / "first-revision"
        os.link(key_link, first_revision)
        claimed = queue.claim(30)
        assert claimed is not None
        queue.nack(claimed, "503", retry_at=0)
    (current,) = _ready_files(root)
    assert key_link.stat().st_ino == current.stat().st_ino  # nack moved it along
    # as a crash between writing the new revision and moving the key link would leave it
    key_link.unlink()
    os.link(first_revision, key_link)
    with open_queue(f"file://{root}") as queue:
        assert key_link.stat().st_ino == current.stat().st_ino
        assert first_revision.stat().st_nlink == 1  # nothing in the queue keeps it
        assert queue.put(b"payload", key="k") == item_id
