"""Damaged storage: a damaged item is quarantined with a reason and the next one served;
a damaged SQLite file is named at open, and ``recover`` salvages its readable items."""

from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path

import pytest

from pywats_queue import (
    QueueCorruptError,
    QueueError,
    State,
    UnsupportedQueueError,
    open_queue,
    recover,
)
from pywats_queue._sqlite import check_sqlite_version


def _ready_files(root: Path) -> list[Path]:
    return sorted((root / "ready").iterdir())


def _drain(queue_url: str) -> list[str]:
    with open_queue(queue_url) as queue:
        claimed = []
        while (item := queue.claim(30)) is not None:
            claimed.append(item.id)
            queue.ack(item)
        return claimed


def _flip_byte_on_disk(path: Path, inside: bytes) -> None:
    data = bytearray(path.read_bytes())
    at = data.index(inside)
    assert data.find(inside, at + 1) == -1, "the marker must be unique in the file"
    data[at + len(inside) // 2] ^= 0x20
    path.write_bytes(bytes(data))


def test_one_flipped_byte_in_a_stored_payload_quarantines_that_item_only(
    queue_url: str, backend: str, tmp_path: Path
) -> None:
    payloads = [b"<report serial='SN-%04d'>" % i + os.urandom(300) for i in range(5)]
    with open_queue(queue_url) as queue:
        ids = [queue.put(p, key=f"report-{i}") for i, p in enumerate(payloads)]
    if backend == "file":
        (damaged,) = [p for p in _ready_files(tmp_path / "q") if ids[2] in p.name]
    else:
        damaged = tmp_path / "q.db"
        assert not Path(f"{damaged}-wal").exists()  # closed: everything is in the main file
    _flip_byte_on_disk(damaged, b"SN-0002")

    assert _drain(queue_url) == [ids[0], ids[1], ids[3], ids[4]]
    with open_queue(queue_url) as queue:
        (bad,) = queue.list(State.QUARANTINED)
        assert bad.id == ids[2]
        assert bad.key == "report-2"
        assert bad.last_error is not None
        assert "checksum mismatch" in bad.last_error
        stats = queue.stats()
        assert (stats.quarantined, stats.quarantine_reason) == (1, bad.last_error)
        assert stats.depth == {"ready": 0, "leased": 0, "acked": 4, "dead": 0}
        # the key is free again: the report can be submitted anew
        assert queue.discard(bad.id).id == bad.id  # a person may drop the damaged one
        assert queue.list(State.QUARANTINED) == []
        fresh = queue.put(payloads[2], key="report-2")
        assert fresh != ids[2]
        claimed = queue.claim(30)
        assert claimed is not None
        assert (claimed.id, claimed.payload) == (fresh, payloads[2])


def test_torn_emptied_and_misnamed_files_are_quarantined_with_reasons(tmp_path: Path) -> None:
    root = tmp_path / "q"
    url = f"file://{root}"
    with open_queue(url) as queue:
        ids = [queue.put(b"payload %d" % i * 50, key=f"k{i}") for i in range(6)]
    files = _ready_files(root)
    files[1].write_bytes(files[1].read_bytes()[:40])
    files[4].write_bytes(b"")
    (root / "ready" / "not-an-item.tmp").write_bytes(b"junk")

    assert _drain(url) == [ids[0], ids[2], ids[3], ids[5]]
    with open_queue(url) as queue:
        reasons = sorted(str(i.last_error) for i in queue.list(State.QUARANTINED))
        assert len(reasons) == 3
        assert sum("truncated" in r for r in reasons) == 2
        assert sum("unrecognised file name" in r for r in reasons) == 1
        assert queue.stats().quarantined == 3
    assert len(list((root / "quarantine").glob("*.reason"))) == 3  # kept, never deleted


def test_damage_found_while_open_skips_to_the_next_item(tmp_path: Path) -> None:
    root = tmp_path / "q"
    with open_queue(f"file://{root}") as queue:
        first = queue.put(b"a" * 100, key="a")
        second = queue.put(b"b" * 100, key="b")
        (path,) = [p for p in _ready_files(root) if first in p.name]
        path.write_bytes(path.read_bytes()[:-10])  # damaged while the queue is open
        item = queue.claim(30)
        assert item is not None
        assert item.id == second
        assert queue.stats().quarantined == 1
        with pytest.raises(KeyError):
            queue.get(first)


def test_item_damaged_while_leased_is_still_nacked_from_the_claim(tmp_path: Path) -> None:
    root = tmp_path / "q"
    with open_queue(f"file://{root}") as queue:
        item_id = queue.put(b"payload", key="k", meta={"m": 1})
        item = queue.claim(30)
        assert item is not None
        (leased,) = (root / "leased").iterdir()
        leased.write_bytes(b"garbage")
        queue.nack(item, "503", retry_at=0)  # rewritten from the verified claim
        again = queue.claim(30)
        assert again is not None
        assert (again.id, again.payload, again.attempts) == (item_id, b"payload", 1)
        assert again.meta == {"m": 1}


def _sqlite_with_items(path: Path, count: int) -> list[str]:
    with open_queue(f"sqlite://{path}") as queue:
        return queue.put_many([(b"%05d" % i + os.urandom(500), f"k{i}") for i in range(count)])


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
    assert "pywats-queue recover" in message
    assert path.read_bytes() == bytes(data)  # nothing was silently changed


def _table_leaf_pages(path: Path) -> tuple[list[int], int]:
    """Page numbers (0-based offsets / page size) of the items table's leaf pages."""
    db = sqlite3.connect(path)
    page_size = db.execute("PRAGMA page_size").fetchone()[0]
    db.close()
    data = path.read_bytes()
    return [
        n
        for n in range(1, len(data) // page_size)
        if data[n * page_size] == 0x0D  # b-tree page type: table leaf
    ], page_size


def test_a_damaged_page_is_named_at_open_and_recover_salvages_the_rest(tmp_path: Path) -> None:
    path = tmp_path / "q.db"
    ids = _sqlite_with_items(path, 300)
    with open_queue(f"sqlite://{path}") as queue:
        for _ in range(20):
            item = queue.claim(30)
            assert item is not None
            queue.nack(item, "503", retry_at=time.time() + 3600)  # recover keeps attempts
    leaves, page_size = _table_leaf_pages(path)
    assert len(leaves) > 10
    victim = leaves[len(leaves) // 2]
    with path.open("r+b") as fh:
        fh.seek(victim * page_size)
        fh.write(b"\xa5" * page_size)
    before = path.read_bytes()
    with pytest.raises(QueueCorruptError, match=r"damaged .*pywats-queue recover"):
        open_queue(f"sqlite://{path}")
    assert path.read_bytes() == before

    with open_queue(f"sqlite://{tmp_path / 'new.db'}") as new:
        result = recover(f"sqlite://{path}", new)
        salvaged = {item.key: item for item in new.items()}
    assert path.read_bytes() == before  # recovery only reads
    assert result.copied == len(salvaged)
    assert 300 - 30 < len(salvaged) < 300  # only the rows of one leaf page are lost
    assert result.unreadable
    assert "malformed" in " ".join(result.unreadable)
    assert sum(1 for i in salvaged.values() if i.attempts == 1) >= 10
    for key, item in salvaged.items():
        assert item.payload.startswith(b"%05d" % int(key[1:]))
        assert item.state is State.READY
    assert len(ids) == 300


def test_sqlite_settings_and_schema_version(tmp_path: Path) -> None:
    path = tmp_path / "q.db"
    with open_queue(f"sqlite://{path}") as queue:
        queue.put(b"p", key="k")
        other = sqlite3.connect(path)
        assert other.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert other.execute("PRAGMA user_version").fetchone()[0] == 1
        tables = [r[0] for r in other.execute("SELECT name FROM sqlite_master")]
        assert sorted(tables) == ["items", "items_claim", "items_key"]
        other.close()


def test_sqlite_older_than_3_35_is_refused_with_the_reason() -> None:
    with pytest.raises(UnsupportedQueueError, match=r"3\.35.*RETURNING.*3\.34\.1"):
        check_sqlite_version("3.34.1")
    check_sqlite_version("3.35.0")


def test_sqlite_file_of_another_schema_or_program_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "q.db"
    _sqlite_with_items(path, 1)
    db = sqlite3.connect(path)
    db.execute("PRAGMA user_version = 2")
    db.close()
    with pytest.raises(
        UnsupportedQueueError,
        match=r"not a pywats-queue SQLite file of schema 1 \(its user_version is 2\)",
    ):
        open_queue(f"sqlite://{path}")
    foreign = tmp_path / "other.db"
    db = sqlite3.connect(foreign)
    db.execute("CREATE TABLE photos (name TEXT)")
    db.close()
    with pytest.raises(UnsupportedQueueError, match="user_version is 0"):
        open_queue(f"sqlite://{foreign}")


def test_file_queue_refuses_a_foreign_directory_and_another_format(tmp_path: Path) -> None:
    (tmp_path / "photos").mkdir()
    (tmp_path / "photos" / "cat.jpg").write_bytes(b"x")
    with pytest.raises(QueueError, match="not a pywats-queue directory"):
        open_queue(f"file://{tmp_path / 'photos'}")
    assert (tmp_path / "photos" / "cat.jpg").read_bytes() == b"x"
    root = tmp_path / "q"
    open_queue(f"file://{root}").close()
    (root / "FORMAT").write_text("pywats-queue file backend 2\n", encoding="utf-8")
    with pytest.raises(UnsupportedQueueError, match=r"backend 2.*reads.*backend 1.* only"):
        open_queue(f"file://{root}")


def test_a_key_lost_with_a_power_cut_is_restored_at_open(tmp_path: Path) -> None:
    root = tmp_path / "q"
    with open_queue(f"file://{root}") as queue:
        item_id = queue.put(b"report", key="uuid-1")
        other_id = queue.put(b"other", key="uuid-2")
    (lost,) = [p for p in (root / "keys").iterdir() if os.readlink(p) == item_id]
    lost.unlink()  # keys/ is not fsync'd by puts: a power cut can undo its last changes
    stale = next(p for p in (root / "keys").iterdir() if os.readlink(p) == other_id)
    stale.unlink()
    stale.symlink_to("0" * 32)  # or leave an older target, of a put that was cut short
    with open_queue(f"file://{root}") as queue:
        assert queue.put(b"report again", key="uuid-1") == item_id
        assert queue.put(b"other again", key="uuid-2") == other_id
        assert queue.stats().depth["ready"] == 2


def test_a_put_of_a_key_whose_stored_item_is_damaged_stores_the_new_payload(
    queue_url: str, backend: str, tmp_path: Path
) -> None:
    with open_queue(queue_url) as queue:
        old_id = queue.put(b"<report serial='SN-0001'/>", key="report-1")
    if backend == "file":
        (damaged,) = _ready_files(tmp_path / "q")
    else:
        damaged = tmp_path / "q.db"
    _flip_byte_on_disk(damaged, b"SN-0001")
    with open_queue(queue_url) as queue:
        new_id = queue.put(b"<report serial='SN-0001'/> again", key="report-1")
        assert new_id != old_id
        item = queue.claim(30)
        assert item is not None
        assert (item.id, item.payload) == (new_id, b"<report serial='SN-0001'/> again")
        assert [i.id for i in queue.list(State.QUARANTINED)] == [old_id]
