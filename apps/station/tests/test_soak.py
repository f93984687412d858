"""No loss, no duplicates: many reports through a faulty server, and through a killed station."""

from __future__ import annotations

import asyncio
import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

import pywats
import pywats.report as report_module
import pywats_queue
from pywats_station import (
    CircuitBreaker,
    RetryPolicy,
    StationMetrics,
    Uploader,
    read_status,
    resolve_home,
)

WSJF_ROUTE = "POST /api/Report/WSJF"


def make_report(sn: str) -> tuple[str, bytes]:
    builder = report_module.UUTBuilder(
        pn="PN-SOAK",
        sn=sn,
        rev="A",
        process_code=10,
        machine_name="ST-1",
        location="Lab",
        purpose="Test",
    )
    builder.root.numeric("Voltage", 5.01, "GELE", low=4.9, high=5.1, unit="V")
    report = builder.build()
    return str(report.id), report_module.dumps_wsjf(report)


@pytest.mark.slow
@pytest.mark.anyio
async def test_every_report_arrives_exactly_once_through_a_faulty_server(
    seeded_fake_wats: Any, tmp_path: Path, test_seed: int
) -> None:
    fake_wats = seeded_fake_wats
    count = 120
    queue = await pywats_queue.AsyncQueue.open(f"sqlite:///{tmp_path / 'queue.db'}")
    sent: dict[str, bytes] = {}
    for i in range(count):
        report_id, payload = make_report(f"SN-{i:04d}")
        sent[report_id] = payload
        await queue.put(payload, key=report_id, meta={"format": "wsjf"})

    fake_wats.fail(WSJF_ROUTE, status=503, times=None, probability=0.15)
    fake_wats.fail(WSJF_ROUTE, status=429, retry_after=0, times=None, probability=0.05)
    fake_wats.reset_after_commit(WSJF_ROUTE, times=None, probability=0.1)
    fake_wats.reset_before(WSJF_ROUTE, times=None, probability=0.05)

    passcode = fake_wats.register_station("ST-SOAK")
    metrics = StationMetrics()
    async with pywats.AsyncWATS(
        fake_wats.url, fake_wats.station_credential("ST-SOAK", passcode)
    ) as client:
        uploader = Uploader(
            queue,
            client,
            policy=RetryPolicy(base_delay=0.002, max_delay=0.02, max_attempts=1000),
            breaker=CircuitBreaker(failure_threshold=4, reset_timeout=0.02),
            metrics=metrics,
            concurrency=4,
            idle_interval=0.01,
            rng=random.Random(test_seed),
        )
        stop = asyncio.Event()
        task = asyncio.create_task(uploader.run(stop))
        for _ in range(6000):
            if (await queue.stats()).depth["acked"] == count:
                break
            await asyncio.sleep(0.01)
        stop.set()
        await asyncio.wait_for(task, 60)
    depth = (await queue.stats()).depth
    await queue.close()

    assert depth == {"ready": 0, "leased": 0, "acked": count, "dead": 0}
    stored = {r.id: r for r in fake_wats.reports()}
    assert sorted(stored) == sorted(sent)
    for report_id, payload in sent.items():
        assert stored[report_id].commits == 1, report_id  # never twice
        assert stored[report_id].raw == payload  # the queued bytes, not re-serialised
    uploads = metrics.snapshot()["uploads"]
    assert uploads["succeeded"] == count
    assert uploads["failed"] == 0
    assert uploads["retried"] > 0  # the faults really happened
    assert sum(fake_wats.replays(i) for i in sent) > 0  # lost answers were replayed by key


@pytest.mark.slow
def test_a_killed_station_loses_and_duplicates_nothing(
    cli: Any, seeded_fake_wats: Any, station_home: Path, tmp_path: Path
) -> None:
    fake_wats = seeded_fake_wats
    count = 30
    (station_home / "station.toml").write_text(
        "[status]\ninterval = 0.05\n\n[upload]\nlease = 2.5\nconcurrency = 2\n\n"
        "[server]\nconnect_timeout = 0.5\nupload_timeout = 1.0\n\n"
        "[retry]\nbase_delay = 0.01\nmax_delay = 0.05\n"
    )
    registered = cli(
        "register",
        "--url",
        fake_wats.url,
        "--identifier",
        "ST-CRASH",
        "--key-store",
        "file",
        env={"PYWATS_REGISTRATION_TOKEN": fake_wats.registration_token},
    )
    assert registered.returncode == 0, registered.stderr
    ids = []
    files = []
    for i in range(count):
        report_id, payload = make_report(f"SN-CRASH-{i}")
        path = tmp_path / f"{i}.json"
        path.write_bytes(payload)
        ids.append(report_id)
        files.append(str(path))
    assert cli("submit", *files).returncode == 0
    fake_wats.add_latency(WSJF_ROUTE, 0.05)  # keep uploads in flight when the kill comes
    fake_wats.reset_after_commit(WSJF_ROUTE, times=None, probability=0.2)

    env = {k: v for k, v in os.environ.items() if not k.startswith("PYWATS_")}
    command = [sys.executable, "-m", "pywats_station", "--home", str(station_home), "run"]
    status_file = resolve_home(station_home).status_file

    def committed() -> int:
        return sum(1 for i in ids if fake_wats.commits(i) > 0)

    # Kill the station twice while it is uploading, then let a third run finish.
    for _ in range(2):
        before = committed()
        proc = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        for _ in range(3000):
            if committed() >= before + 3 or proc.poll() is not None:
                break
            time.sleep(0.01)
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=30)
        assert proc.returncode == -signal.SIGKILL
    assert 0 < committed() < count

    proc = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        for _ in range(6000):
            status = read_status(status_file) or {}
            depth = status.get("metrics", {}).get("queue_depth", {})
            if committed() == count and depth.get("ready") == 0 and depth.get("leased") == 0:
                break
            assert proc.poll() is None
            time.sleep(0.01)
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert b"stopped:" in out

    assert committed() == count  # nothing lost
    assert all(fake_wats.commits(i) == 1 for i in ids)  # nothing twice
    listing = json.loads(cli("queue", "list", "--json").stdout)
    assert listing == []  # nothing waiting, in flight or dead
