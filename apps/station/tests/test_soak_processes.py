"""The issue's soak: 1,000 reports, a faulty fake WATS and a station killed 10 times.

Both the fake server (``python -m pywats_testing serve``) and the station
(``python -m pywats_station run``) are real processes over loopback; the test steers the
fake only through its ``/_fake/`` admin routes. Faults: ~20 % 503, answers slower than
the station's upload timeout, hangs, TCP resets before and after the commit, a 429 burst
and a 30-second outage; meanwhile the station is SIGKILLed and restarted 10 times.

At the end: the server holds exactly the 1,000 reports, each serial number under exactly
one id; every answer lost after a commit was followed by a replay or an upsert of the
same id; during the outage the fake saw no more than one probe per breaker reset
interval; the queue holds nothing but the deliberate dead letters (reports the server
refuses with 400), whose server text and counted attempt are visible.
"""

from __future__ import annotations

import json
import math
import os
import signal
import subprocess
import sys
import time
import urllib.error
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

import pywats.report as report_module
from pywats_station import read_status, resolve_home

WSJF_ROUTE = "POST /api/Report/WSJF"
GOOD = 1000
BAD = 3  # unknown process code: the server answers 400 and they become dead letters
KILLS = 10
OUTAGE_SECONDS = 30
RESET_TIMEOUT = 2.0
FAILURE_THRESHOLD = 5
CONCURRENCY = 4

CONFIG = f"""
[server]
connect_timeout = 1.0
read_timeout = 1.0
upload_timeout = 1.0

[upload]
concurrency = {CONCURRENCY}
lease = 4.0
shutdown_grace = 2.0
requests_per_minute = 1000000

[retry]
base_delay = 0.05
max_delay = 0.5
max_attempts = 1000
max_retry_after = 1.0

[breaker]
failure_threshold = {FAILURE_THRESHOLD}
reset_timeout = {RESET_TIMEOUT}

[connection]
probe_interval = 0.5

[status]
interval = 0.2
"""


def make_report(sn: str, process_code: int = 10) -> tuple[str, bytes]:
    builder = report_module.UUTBuilder(
        pn="PN-SOAK",
        sn=sn,
        rev="A",
        process_code=process_code,
        machine_name="ST-SOAK",
        location="Lab",
        purpose="Soak",
    )
    builder.root.numeric("Voltage", 5.01, "GELE", low=4.9, high=5.1, unit="V")
    report = builder.build()
    return str(report.id), report_module.dumps_wsjf(report)


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_soak_1000_reports_faults_outage_and_10_kills(
    cli: Any, fake_wats_process: Any, station_home: Path, tmp_path: Path, test_seed: int
) -> None:
    fake = fake_wats_process  # its fault draws follow `test_seed`
    (station_home / "station.toml").write_text(
        CONFIG + f'\n[queue]\nurl = "sqlite:///{tmp_path / "queue.db"}"\n'
    )
    registered = cli(
        "register",
        "--url",
        fake.url,
        "--identifier",
        "ST-SOAK",
        "--key-store",
        "file",
        env={"PYWATS_REGISTRATION_TOKEN": fake.registration_token},
    )
    assert registered.returncode == 0, registered.stderr

    # 1,000 good reports and 3 the server refuses, queued through `submit`.
    reports_dir = tmp_path / "reports"
    reports_dir.mkdir()
    good: dict[str, str] = {}  # report id -> serial number
    bad: set[str] = set()
    files = []
    for i in range(GOOD + BAD):
        is_bad = i % 300 == 150 and len(bad) < BAD
        sn = f"SN-SOAK-{i:05d}"
        report_id, payload = make_report(sn, process_code=777 if is_bad else 10)
        (bad.add(report_id) if is_bad else good.__setitem__(report_id, sn))
        path = reports_dir / f"{i:05d}.json"
        path.write_bytes(payload)
        files.append(str(path))
    assert len(good) == GOOD
    assert len(bad) == BAD
    submitted = cli("submit", *files, timeout=300)
    assert submitted.returncode == 0, submitted.stderr[-2000:]

    fault_ids = {
        "503": fake.arm(kind="status", route=WSJF_ROUTE, status=503, times=None, probability=0.2),
        "slow": fake.arm(
            kind="latency", route=WSJF_ROUTE, seconds=1.5, times=None, probability=0.02
        ),
        "hang": fake.arm(kind="hang", route=WSJF_ROUTE, times=None, probability=0.02),
        "reset_before": fake.arm(
            kind="reset_before", route=WSJF_ROUTE, times=None, probability=0.04
        ),
        "reset_after_commit": fake.arm(
            kind="reset_after_commit", route=WSJF_ROUTE, times=None, probability=0.05
        ),
    }

    env = {k: v for k, v in os.environ.items() if not k.startswith("PYWATS_")}
    command = [sys.executable, "-m", "pywats_station", "--home", str(station_home), "run"]
    station_log = (tmp_path / "station-stderr.log").open("ab")

    def start_station() -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            command, env=env, stdout=subprocess.PIPE, stderr=station_log, stdin=subprocess.DEVNULL
        )

    def stored() -> int:
        return int(fake.admin("GET", "stats")["reports"])

    def wait_for_stored(target: int, proc: subprocess.Popen[bytes]) -> None:
        for _ in range(6000):  # bounded: 10 minutes at most
            if stored() >= target:
                return
            assert proc.poll() is None, "the station exited by itself"
            time.sleep(0.1)
        pytest.fail(f"the server never reached {target} reports (has {stored()})")

    def kill(proc: subprocess.Popen[bytes]) -> None:
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=30)
        assert proc.returncode == -signal.SIGKILL

    started = time.monotonic()
    kills = 0
    step = GOOD // 14
    proc = start_station()
    # Kills 1-6 while the faults above hit; a 429 burst before the sixth.
    for n in range(6):
        if n == 5:
            fault_ids["429"] = fake.arm(
                kind="status", route=None, status=429, retry_after=1, times=40
            )
        wait_for_stored(step * (n + 1), proc)
        kill(proc)
        kills += 1
        proc = start_station()

    # The outage: nothing answers for 30 s; the station must not hammer the server.
    wait_for_stored(step * 7, proc)
    outage_start = fake.admin("GET", "stats")["outage_connections"]
    fake.admin("POST", "outage", {"seconds": OUTAGE_SECONDS, "mode": "reset"})
    # Wait for the outage to begin (the fake answers first), then for its end: our own
    # admin requests during it are knocks too, counted here and taken off below.
    own_knocks = 0
    began = False
    for _ in range(2 * (OUTAGE_SECONDS + 60)):  # bounded: polls every 0.5 s
        try:
            stats_now = fake.admin("GET", "stats", timeout=5)
        except (urllib.error.URLError, ConnectionError, OSError):
            own_knocks += 1
            began = True
        else:
            if began:
                outage_end = stats_now["outage_connections"]
                break
        time.sleep(0.5)
    else:
        pytest.fail("the outage never began or the fake never came back after it")
    outage_knocks = outage_end - outage_start - own_knocks
    # Before the breaker opens: at most `threshold` failures plus what was in flight and
    # the connection probe; after that one probe per reset interval.
    allowed = FAILURE_THRESHOLD + CONCURRENCY + 1 + math.ceil(OUTAGE_SECONDS / RESET_TIMEOUT) + 1
    assert 0 < outage_knocks <= allowed, (outage_knocks, allowed)

    # Kills 7-10 after the outage.
    for n in range(7, 11):
        wait_for_stored(step * (n + 1), proc)
        kill(proc)
        kills += 1
        proc = start_station()
    assert kills == KILLS

    status_file = resolve_home(station_home).status_file
    try:
        for _ in range(6000):
            status = read_status(status_file) or {}
            depth = status.get("metrics", {}).get("queue_depth", {})
            if (
                stored() == GOOD
                and depth.get("ready") == 0
                and depth.get("leased") == 0
                and depth.get("dead") == BAD
            ):
                break
            assert proc.poll() is None, "the station exited by itself"
            assert depth.get("dead", 0) <= BAD, cli("queue", "list", "--state", "dead").stdout
            time.sleep(0.1)
        else:
            pytest.fail(f"delivery did not finish: {stored()} stored, queue {depth}")
        finished = time.monotonic()
    finally:
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=60)
        station_log.close()
    assert proc.returncode == 0, (tmp_path / "station-stderr.log").read_text()[-3000:]
    assert b"stopped:" in out

    # Exactly the 1,000 good reports, each serial number under exactly one id.
    summaries = fake.admin("GET", "reports")
    by_id = {s["id"]: s for s in summaries}
    assert len(summaries) == GOOD
    assert set(by_id) == set(good)
    serials = Counter(s["sn"] for s in summaries)
    assert set(serials) == set(good.values())
    assert max(serials.values()) == 1
    assert all(s["origin"] == "ST-SOAK" for s in summaries)

    # Every answer lost after a commit was followed by a replay or an upsert of the same
    # id: each processing of an id is a commit or a replay, a lost answer is one of them,
    # and the station only stops when a later one answered. So per report
    # commits + replays >= 1 + (lost answers), summed: replays + extra commits >= lost.
    faults = {f["id"]: f for f in fake.admin("GET", "faults")}
    # A fault used up (times=N) is no longer listed: it hit N times.
    hits = {
        name: faults[fault["id"]]["hits"] if fault["id"] in faults else fault["times"]
        for name, fault in fault_ids.items()
    }
    replays = sum(s["replays"] for s in summaries)
    upserts = sum(s["commits"] - 1 for s in summaries)
    assert hits["reset_after_commit"] > 0
    assert hits["503"] > 0
    assert hits["429"] > 0
    assert replays + upserts >= hits["reset_after_commit"]

    # The queue: nothing waiting or in flight; only the deliberate dead letters, with
    # the server's text and the attempt counted.
    listing = json.loads(cli("queue", "list", "--json").stdout)
    assert {item["report_id"] for item in listing} == bad
    assert all(item["state"] == "dead" for item in listing)
    for item in listing:
        assert item["attempts"] >= 1
        assert "777" in item["last_error"]

    print(
        "\nsoak counts: "
        + json.dumps(
            {
                "reports_queued": GOOD + BAD,
                "reports_on_server": len(summaries),
                "distinct_serials": len(serials),
                "station_kills": kills,
                "fault_hits": hits,
                "replays": replays,
                "upserts_of_same_id": upserts,
                "outage_seconds": OUTAGE_SECONDS,
                "outage_connections": outage_knocks,
                "outage_connections_allowed": allowed,
                "dead_letters": len(listing),
                "seconds_from_first_start_to_empty_queue": round(finished - started, 1),
            },
            sort_keys=True,
        )
    )
