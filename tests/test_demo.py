"""The README's main job runs and shows what it promises (as a real subprocess)."""

from __future__ import annotations

import os
import signal
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


def _default_sigint() -> None:
    """A terminal's Ctrl-C: SIGINT with its default meaning, even where a background job
    inherited it ignored."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def test_ctrl_c_stops_the_running_demo_cleanly() -> None:
    demo = subprocess.Popen(
        [sys.executable, str(ROOT / "tools" / "demo.py")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group, as in a terminal
        preexec_fn=_default_sigint,
    )
    try:
        assert demo.stdout is not None
        seen: list[str] = []
        for line in demo.stdout:  # ends at EOF if the demo dies before the station runs
            seen.append(line)
            if line.startswith("console at http://"):
                break
        assert seen, "the demo printed nothing"
        assert seen[-1].startswith("console at"), "".join(seen)
        os.killpg(demo.pid, signal.SIGINT)  # Ctrl-C reaches the demo and its station
        out, err = demo.communicate(timeout=180)
    finally:
        if demo.poll() is None:
            os.killpg(demo.pid, signal.SIGKILL)
            demo.wait()
    assert demo.returncode == 0, err
    assert "Traceback" not in err, err
    assert "Ctrl-C: stopping the station" in out
    assert "stopped: " in out  # the station's own last word, relayed
    assert "stopped with exit code 0" in out
