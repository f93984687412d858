from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from pywats_station import (
    InstanceLock,
    InstanceLockedError,
    StationMetrics,
    lock_holder,
    read_status,
    write_status,
)

HOLDER = """
import sys
from pathlib import Path
from pywats_station import InstanceLock
lock = InstanceLock(Path(sys.argv[1]))
lock.acquire()
print("locked", flush=True)
sys.stdin.read()  # hold until the parent closes stdin (or kills us)
lock.release()
print("released", flush=True)
"""


@pytest.fixture
def holder(tmp_path: Path) -> Iterator[subprocess.Popen[str]]:
    """Another process holding the instance lock of ``tmp_path/station.lock``."""
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(tmp_path / "station.lock")],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "locked"
    yield proc
    if proc.poll() is None:
        proc.kill()
    proc.wait(30)


def test_a_second_instance_is_refused_with_the_holders_pid(
    tmp_path: Path, holder: subprocess.Popen[str]
) -> None:
    lock = InstanceLock(tmp_path / "station.lock")
    with pytest.raises(InstanceLockedError) as info:
        lock.acquire()
    message = str(info.value)
    assert f"pid {holder.pid}" in message
    assert "already running with this station home" in message
    assert "--home" in message
    assert not lock.held
    assert lock_holder(tmp_path / "station.lock")["pid"] == holder.pid  # type: ignore[index]


def test_the_lock_is_free_once_the_holder_releases(
    tmp_path: Path, holder: subprocess.Popen[str]
) -> None:
    assert holder.stdin is not None
    assert holder.stdout is not None
    holder.stdin.close()
    assert holder.stdout.readline().strip() == "released"
    holder.wait(30)
    assert lock_holder(tmp_path / "station.lock") is None
    with InstanceLock(tmp_path / "station.lock") as lock:
        assert lock.held
        note = lock_holder(tmp_path / "station.lock")
        assert note is not None
        assert note["pid"] == os.getpid()
        assert note["started"].endswith("Z")
    assert lock_holder(tmp_path / "station.lock") is None


def test_a_killed_holder_leaves_no_stale_lock(
    tmp_path: Path, holder: subprocess.Popen[str]
) -> None:
    holder.send_signal(signal.SIGKILL)
    holder.wait(30)
    # Its note is still in the file, but the OS lock died with it.
    assert json.loads((tmp_path / "station.lock").read_text())["pid"] == holder.pid
    assert lock_holder(tmp_path / "station.lock") is None
    lock = InstanceLock(tmp_path / "station.lock")
    lock.acquire()
    assert lock.held
    lock.release()
    lock.release()  # idempotent
    assert not lock.held


def test_two_locks_in_one_process_also_exclude_each_other(tmp_path: Path) -> None:
    with InstanceLock(tmp_path / "station.lock"), pytest.raises(InstanceLockedError):
        InstanceLock(tmp_path / "station.lock").acquire()


def test_the_note_names_the_command_and_what_it_adds_while_holding(tmp_path: Path) -> None:
    path = tmp_path / "station.lock"
    path.write_text(json.dumps({"pid": 1, "host": "gone", "left": "x" * 500}))  # a dead holder's
    with InstanceLock(path, command="run") as lock:
        note = lock_holder(path)
        assert note is not None
        assert (note["pid"], note["command"], "left" in note) == (os.getpid(), "run", False)
        lock.annotate(console="http://localhost:8765/")
        assert lock_holder(path) == {**note, "console": "http://localhost:8765/"}
        with pytest.raises(InstanceLockedError) as info:
            InstanceLock(path, command="files reconvert 3").acquire()
        assert f"another `pywats-station run` (pid {os.getpid()} on " in str(info.value)


def test_status_round_trip_and_no_temp_files(tmp_path: Path) -> None:
    path = tmp_path / "status.json"
    assert read_status(path) is None
    write_status(path, {"state": "online", "n": 1})
    write_status(path, {"state": "offline", "n": 2})
    assert read_status(path) == {"state": "offline", "n": 2}
    assert [p.name for p in tmp_path.iterdir()] == ["status.json"]


def test_a_failed_status_write_keeps_the_previous_file(tmp_path: Path) -> None:
    path = tmp_path / "status.json"
    write_status(path, {"n": 1})
    with pytest.raises(ValueError, match="JSON compliant"):
        write_status(path, {"n": float("nan")})
    assert read_status(path) == {"n": 1}
    assert [p.name for p in tmp_path.iterdir()] == ["status.json"]


WRITER = """
import sys
from pathlib import Path
from pywats_station import write_status
path = Path(sys.argv[1])
for i in range(int(sys.argv[2])):
    write_status(path, {"i": i, "padding": "x" * (i % 5000)})
"""


def test_readers_never_see_a_partial_status_file(tmp_path: Path) -> None:
    path = tmp_path / "status.json"
    write_status(path, {"i": -1})
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(path), "400"])
    reads = 0
    last = -1
    try:
        while writer.poll() is None or reads == 0:
            text = path.read_text(encoding="utf-8")
            data = json.loads(text)  # a torn write would fail here
            assert data["i"] >= last
            last = data["i"]
            reads += 1
    finally:
        writer.wait(60)
    assert writer.returncode == 0
    assert read_status(path)["i"] == 399  # type: ignore[index]
    assert reads > 0


def test_metrics_snapshot_and_exposition() -> None:
    from pywats_station import BreakerChange, BreakerState, ConnectionChange, ConnectionState

    metrics = StationMetrics(wall_clock=lambda: 1_700_000_000.0)
    assert metrics.snapshot()["last_successful_upload"] is None
    metrics.upload_succeeded()
    metrics.upload_succeeded()
    metrics.upload_retried()
    metrics.upload_failed()
    metrics.set_queue_depth({"ready": 7, "dead": 2})
    metrics.set_offline_seconds(12.5)
    metrics.on_breaker_change(BreakerChange(BreakerState.CLOSED, BreakerState.OPEN, "x", 0))
    metrics.on_connection_change(
        ConnectionChange(ConnectionState.ONLINE, ConnectionState.OFFLINE, "x", 0)
    )
    snapshot = metrics.snapshot()
    assert snapshot == {
        "uploads": {"succeeded": 2, "failed": 1, "retried": 1},
        "queue_depth": {"ready": 7, "leased": 0, "dead": 2},
        "offline_seconds": 12.5,
        "last_successful_upload": 1_700_000_000.0,
        "breaker_state": "open",
        "connection_state": "offline",
    }
    text = metrics.exposition().decode()
    assert "pywats_station_uploads_succeeded_total 2.0" in text
    assert 'pywats_station_queue_depth{state="ready"} 7.0' in text
    assert 'pywats_station_breaker_transitions_total{state="open"} 1.0' in text
    with pytest.raises(ValueError, match="negative"):
        metrics.set_queue_depth({"ready": -1})
    # Separate registries: a second station in one process starts from zero.
    assert StationMetrics().snapshot()["uploads"] == {"succeeded": 0, "failed": 0, "retried": 0}


@pytest.mark.anyio
async def test_status_reporter_writes_periodically_and_once_more_at_stop(
    tmp_path: Path,
) -> None:
    import asyncio

    from pywats_station import (
        CircuitBreaker,
        ConnectionService,
        StatusReporter,
        collect_status,
    )

    async def probe() -> str:
        return "2026.1.5.324"

    metrics = StationMetrics()
    breaker = CircuitBreaker()
    connection = ConnectionService(probe, breaker=breaker)
    await connection.connect()
    path = tmp_path / "status.json"
    reporter = StatusReporter(
        path, lambda: collect_status(metrics, connection, breaker), interval=0.01
    )
    stop = asyncio.Event()
    task = asyncio.create_task(reporter.run(stop))
    for _ in range(500):
        if reporter.writes >= 3:
            break
        await asyncio.sleep(0.01)
    assert reporter.writes >= 3
    metrics.upload_succeeded()  # changed just before the stop: the final write has it
    stop.set()
    await asyncio.wait_for(task, 10)
    status = read_status(path)
    assert status is not None
    assert status["metrics"]["uploads"]["succeeded"] == 1
    assert status["connection"]["state"] == "online"
    assert status["connection"]["server_version"] == "2026.1.5.324"
    assert status["breaker"] == {
        "state": "closed",
        "consecutive_failures": 0,
        "retry_in_seconds": 0.0,
    }
    assert status["pid"] == os.getpid()
    assert os.listdir(tmp_path) == ["status.json"]  # no temporary files left behind


@pytest.mark.anyio
async def test_a_failed_status_write_is_logged_and_does_not_stop_the_reporter(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    import asyncio

    from pywats_station import StatusReporter

    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the status directory should be")
    reporter = StatusReporter(blocker / "status.json", dict, interval=0.01)
    stop = asyncio.Event()
    task = asyncio.create_task(reporter.run(stop))
    for _ in range(500):
        if reporter.failures >= 2:
            break
        await asyncio.sleep(0.01)
    stop.set()
    await asyncio.wait_for(task, 10)
    assert reporter.failures >= 2
    assert reporter.writes == 0
    assert "could not write" in caplog.text
