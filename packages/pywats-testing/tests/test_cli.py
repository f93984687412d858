"""``python -m pywats_testing serve`` as a real process: start, request, SIGTERM, exit."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest


def _start(*args: str) -> tuple[subprocess.Popen[str], str, str]:
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "pywats_testing",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            "0",
            *args,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert process.stdout is not None
    first = process.stdout.readline()
    found = re.search(r"listening on (http://\S+)", first)
    if found is None:
        process.kill()
        pytest.fail(f"no URL on the first line: {first!r}; stderr: {process.communicate()[1]}")
    banner = first
    while "stop with" not in banner.splitlines()[-1]:
        banner += process.stdout.readline()
    return process, found.group(1), banner


def _stop(process: subprocess.Popen[str]) -> tuple[int, str, str]:
    process.send_signal(signal.SIGTERM)
    out, err = process.communicate(timeout=30)
    return process.returncode, out, err


def test_serve_answers_and_stops_cleanly_on_sigterm() -> None:
    process, url, banner = _start("--token", "cli-token", "--seed", "3")
    try:
        version = httpx.get(f"{url}/api/App/Version", headers={"Authorization": "Basic cli-token"})
        denied = httpx.get(f"{url}/api/App/Version", headers={"Authorization": "Basic other"})
    finally:
        code, out, err = _stop(process)
    assert version.status_code == 200
    assert version.json() == "2026.1.5.324"
    assert denied.status_code == 401
    assert code == 0
    assert "token:              cli-token" in banner
    assert "stopping" in out
    assert "Traceback" not in err


def test_serve_keeps_reports_in_the_database_across_restarts(tmp_path: Path) -> None:
    db = tmp_path / "fake.sqlite"
    report = {
        "type": "T",
        "id": "7d3c2b1a-0000-4000-8000-000000000001",
        "pn": "P",
        "sn": "S",
        "rev": "A",
        "processCode": 10,
        "result": "P",
        "machineName": "m",
        "location": "l",
        "purpose": "p",
        "start": "2026-01-01T10:00:00+01:00",
        "startUTC": "2026-01-01T09:00:00Z",
        "uut": {"user": "op"},
        "root": {
            "id": 1,
            "group": "M",
            "stepType": "SequenceCall",
            "name": "Main",
            "status": "P",
            "steps": [],
        },
    }
    auth = {"Authorization": "Basic t"}
    process, url, _ = _start("--token", "t", "--db", str(db))
    try:
        assert httpx.post(f"{url}/api/Report/WSJF", json=report, headers=auth).status_code == 200
    finally:
        assert _stop(process)[0] == 0
    process, url, _ = _start("--token", "t", "--db", str(db))
    try:
        again = httpx.get(f"{url}/api/Report/Wsjf/{report['id']}", headers=auth)
        stats = httpx.get(f"{url}/_fake/reports").json()
    finally:
        assert _stop(process)[0] == 0
    assert again.status_code == 200
    assert again.json()["sn"] == "S"
    assert stats[0]["commits"] == 1


def test_a_busy_port_is_a_clear_error_not_a_traceback() -> None:
    process, url, _ = _start("--token", "t")
    port = url.rsplit(":", 1)[1]
    try:
        second = subprocess.run(
            [sys.executable, "-m", "pywats_testing", "serve", "--port", port],
            capture_output=True,
            text=True,
            timeout=60,
        )
    finally:
        _stop(process)
    assert second.returncode == 2
    assert f"cannot listen on 127.0.0.1:{port}" in second.stderr
    assert "Traceback" not in second.stderr
