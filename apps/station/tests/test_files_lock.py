"""``files reconvert`` moves a file a station handles, so it holds the station's lock.

Real processes: ``pywats-station run`` against the fake WATS server, and the CLI. While a
station runs, ``files reconvert`` is refused and names it (its console reconverts); while a
``files reconvert`` runs, ``run`` and a second reconvert are refused and name it.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from pywats_station import lock_holder, resolve_home
from pywats_station._filelog import FileLog

sys.path.insert(0, str(Path(__file__).parent))  # --import-mode=importlib: no implicit path
from hold_support import configure, install_hold


def _records(station_home: Path) -> list[Any]:
    file_log = FileLog(resolve_home(station_home).data_dir / "files.db")
    try:
        return file_log.recent()
    finally:
        file_log.close()


def _wait_until(condition: Any, what: str, timeout: float = 180.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"never happened: {what}"
        time.sleep(0.05)


def test_reconvert_is_refused_while_a_station_runs_naming_it_and_its_console(
    registered: Any, station: Any, station_home: Path, tmp_path: Path, write_report: Any
) -> None:
    configure(station_home, console={"port": 0})
    running = station()
    console = ""
    while not console:  # the lines `run` prints after its banner
        line = running.proc.stdout.readline()
        assert line, "the station stopped before its console listened"
        if line.startswith("console at "):
            console = line.removeprefix("console at ").strip()
    broken, _ = write_report(tmp_path, "SN-BROKEN", broken=True)
    assert registered("submit", str(broken)).returncode == 1  # submit works beside a station
    (record,) = _records(station_home)

    refused = registered("files", "reconvert", str(record.id))

    assert refused.returncode == 3, refused
    assert "a station is running with this home" in refused.stderr
    assert f"pid {running.proc.pid} on " in refused.stderr
    assert f"{console}files/{record.id}" in refused.stderr
    assert "Traceback" not in refused.stderr
    assert [r.id for r in _records(station_home)] == [record.id]  # nothing was converted
    assert broken.exists()
    assert running.proc.poll() is None
    assert running.terminate()[0] == 0


def test_run_and_a_second_reconvert_are_refused_while_a_reconvert_holds_the_home(
    registered: Any, station_home: Path, tmp_path: Path
) -> None:
    install_hold(station_home, tmp_path, time_limit=900.0)  # held as long as the test needs
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    source = inbox / "run.txt"
    source.write_text("not yet")
    assert registered("submit", "--converter", "hold", str(source)).returncode == 1
    (record,) = _records(station_home)
    source.write_text("hold")
    lock_file = resolve_home(station_home).lock_file

    command = ["files", "reconvert", str(record.id)]
    reconvert = subprocess.Popen(
        [sys.executable, "-m", "pywats_station", "--home", str(station_home), *command],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
        env={k: v for k, v in os.environ.items() if not k.startswith("PYWATS_")},
    )
    try:
        _wait_until(lambda: (tmp_path / "converting").exists(), "the reconvert converting")
        holder = lock_holder(lock_file)
        assert holder is not None, "the reconvert does not hold the station lock"
        assert holder["pid"] == reconvert.pid
        assert holder["command"] == f"files reconvert {record.id}"
        holds = f"another `pywats-station files reconvert {record.id}` (pid {reconvert.pid} on "

        station = registered("run", timeout=120)
        assert station.returncode == 3, station
        assert holds in station.stderr
        assert "running as" not in station.stdout

        second = registered("files", "reconvert", str(record.id), timeout=120)
        assert second.returncode == 3, second
        assert holds in second.stderr

        status = registered("status", timeout=120)
        assert f"`pywats-station files reconvert {record.id}` (pid {reconvert.pid} on " in (
            status.stdout
        )
    finally:
        (tmp_path / "release").touch()
        out, err = reconvert.communicate(timeout=120)
    assert reconvert.returncode == 1, (out, err)  # the converter failed it again
    assert "failed again: run.txt: converter 'hold': conversion error" in out
    assert lock_holder(lock_file) is None
    assert len(_records(station_home)) == 2  # the one reconvert recorded its outcome
