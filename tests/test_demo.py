"""The README's main job runs and shows what it promises (as a real subprocess)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_demo_runs_against_the_fake_server() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "demo.py"), "--once"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "server version: 2026.1.5.324" in out
    assert out.count("uploaded SN-") == 5
    assert "retryable=True" in out
    assert "commits=1, replays=1 (one report, not two)" in out
    assert "reports on the server: 7" in out
    # The station part: every queued file delivered once, through dropped answers.
    assert "dropped 40 report files and one garbled file into the folder" in out
    assert "station delivered 40/40 reports, each stored once" in out
    assert "stopped with exit code 0" in out
    assert "set aside in Error/ with a reason: garbled.json.error.txt" in out
    assert "ready 0, leased 0, acked 40, dead 0" in out
    assert "console at http://" in out
