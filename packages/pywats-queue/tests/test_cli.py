"""``python -m pywats_queue`` run as a real subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from pywats_queue import State, open_queue


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pywats_queue", *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


@pytest.fixture
def filled(queue_url: str) -> dict[str, str]:
    """A queue with one ready, one dead and one acknowledged item."""
    with open_queue(queue_url) as queue:
        ids = {
            name: queue.put(f"<{name}/>".encode(), key=f"key-{name}", meta={"n": name})
            for name in ("dead", "acked", "ready")
        }
        first = queue.claim(30)
        assert first is not None
        queue.dead(first, "400 missing serial")
        second = queue.claim(30)
        assert second is not None
        queue.ack(second)
    return ids


def test_stats_json_and_text(queue_url: str, filled: dict[str, str]) -> None:
    result = cli("stats", queue_url, "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["depth"] == {"ready": 1, "leased": 0, "acked": 1, "dead": 1}
    assert data["attempts"] == {"0": 2}
    text = cli("stats", queue_url)
    assert text.returncode == 0
    assert "dead" in text.stdout
    assert "quarantined 0" in text.stdout


def test_list_and_show(queue_url: str, filled: dict[str, str]) -> None:
    listed = cli("list", queue_url, "--state", "dead")
    assert listed.returncode == 0, listed.stderr
    assert filled["dead"] in listed.stdout
    assert "400 missing serial" in listed.stdout
    assert filled["ready"] not in listed.stdout
    as_json = cli("list", queue_url, "--state", "acked", "--json")
    assert [json.loads(line)["id"] for line in as_json.stdout.splitlines()] == [filled["acked"]]
    shown = cli("show", queue_url, filled["ready"], "--payload")
    assert shown.returncode == 0, shown.stderr
    item = json.loads(shown.stdout)
    assert (item["key"], item["state"], item["payload"]) == ("key-ready", "ready", "<ready/>")
    assert item["meta"] == {"n": "ready"}
    assert item["claims"] == 0


def test_requeue_and_discard_change_the_queue(queue_url: str, filled: dict[str, str]) -> None:
    requeued = cli("requeue", queue_url, filled["dead"])
    assert requeued.returncode == 0, requeued.stderr
    assert "requeued" in requeued.stdout
    discarded = cli("discard", queue_url, filled["ready"])
    assert discarded.returncode == 0, discarded.stderr
    with open_queue(queue_url) as queue:
        assert queue.get(filled["dead"]).state is State.READY
        assert [i.id for i in queue.list("ready")] == [filled["dead"]]


def test_errors_are_messages_with_meaningful_exit_codes(
    queue_url: str, filled: dict[str, str], tmp_path: Path
) -> None:
    missing = cli("show", queue_url, "f" * 32)
    assert missing.returncode == 3
    assert "no item" in missing.stderr
    assert "Traceback" not in missing.stderr
    wrong_state = cli("requeue", queue_url, filled["ready"])
    assert wrong_state.returncode == 1
    assert "only dead or acked" in wrong_state.stderr
    no_queue = cli("stats", f"file://{tmp_path / 'nowhere'}")
    assert no_queue.returncode == 3
    assert "no queue at" in no_queue.stderr
    assert not (tmp_path / "nowhere").exists()  # inspecting never creates a queue
    bad_url = cli("stats", "ftp://example/q")
    assert bad_url.returncode == 1
    assert "unsupported queue URL" in bad_url.stderr
    usage = cli("list", queue_url, "--state", "sent")
    assert usage.returncode == 2
    assert "invalid choice" in usage.stderr


def test_damaged_sqlite_file_is_reported_not_traced(tmp_path: Path) -> None:
    path = tmp_path / "q.db"
    path.write_bytes(b"this is not a database" * 300)
    result = cli("stats", f"sqlite://{path}")
    assert result.returncode == 1
    assert "is damaged" in result.stderr
    assert str(path) in result.stderr
    assert "Traceback" not in result.stderr


def test_migrate_command_moves_everything_and_verifies(
    queue_url: str, filled: dict[str, str], tmp_path: Path, backend: str
) -> None:
    other = "sqlite" if backend == "file" else "file"
    dst = f"sqlite://{tmp_path / 'dst.db'}" if other == "sqlite" else f"file://{tmp_path / 'dst'}"
    result = cli("migrate", queue_url, dst)
    assert result.returncode == 0, result.stderr
    assert "migrated 3 item(s)" in result.stdout
    rerun = cli("migrate", queue_url, dst)
    assert rerun.returncode == 0
    assert "0 copied now, 3 already present" in rerun.stdout
    with open_queue(dst) as queue:
        states = {item.key: item.state for item in queue.items()}
    assert states == {"key-dead": State.DEAD, "key-acked": State.ACKED, "key-ready": State.READY}


def test_recover_copies_the_readable_items_of_a_damaged_sqlite_file(tmp_path: Path) -> None:
    src = tmp_path / "damaged.db"
    with open_queue(f"sqlite://{src}") as queue:
        queue.put_many([(b"report %d" % i * 40, f"k{i}") for i in range(200)])
    with src.open("r+b") as fh:  # the last page: the end of the items table
        fh.seek(-4096, os.SEEK_END)
        fh.write(b"\xa5" * 4096)
    refused = cli("stats", f"sqlite://{src}")
    assert refused.returncode == 1
    assert "pywats-queue recover" in refused.stderr
    dst = f"sqlite://{tmp_path / 'recovered.db'}"
    result = cli("recover", f"sqlite://{src}", dst)
    assert result.returncode == 0, result.stderr
    assert "could not read: row" in result.stdout
    with open_queue(dst) as queue:
        copied = queue.stats().depth["ready"]
    assert 100 < copied < 200
    assert f"recovered {copied} readable item(s)" in result.stdout
