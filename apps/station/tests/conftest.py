"""Fixtures: station homes, the CLI as a subprocess, the fake WATS server in a process.

The server is always pywats-testing's fake: in this process through its pytest plugin
(``fake_wats``, ``fake_wats_factory``), or as ``python -m pywats_testing serve`` in its
own process (``fake_wats_process``). Tests count with its own counters.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

import pywats.report as report_module
from pywats_station import read_status
from pywats_testing import FakeWatsServer


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


SEED_ENV_VAR = "PYWATS_TEST_SEED"


@pytest.fixture
def test_seed() -> int:
    """The seed of a randomised test: ``$PYWATS_TEST_SEED``, else a fresh one. Printed,
    so a failure's captured output says how to replay it."""
    raw = os.environ.get(SEED_ENV_VAR, "").strip()
    seed = int(raw) if raw else secrets.randbelow(2**31)
    print(f"random seed {seed} (replay: {SEED_ENV_VAR}={seed})")
    return seed


@pytest.fixture
def seeded_fake_wats(fake_wats_factory: Any, test_seed: int) -> FakeWatsServer:
    """The in-process fake with its fault draws seeded by :func:`test_seed`."""
    server: FakeWatsServer = fake_wats_factory(seed=test_seed)
    return server


@pytest.fixture
def installer(fake_wats: FakeWatsServer) -> tuple[str, str]:
    """A user and password the fake accepts for ``Client/Register``.

    WATS takes ``Basic base64(user:password)`` there; the fake knows registration tokens
    verbatim, so the encoded pair is added as one."""
    user, password = "installer", "pw-" + secrets.token_urlsafe(12)
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    fake_wats.add_token(token, registration=True)
    return user, password


@pytest.fixture
def free_url() -> str:
    """A loopback URL where nothing listens (connection refused)."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


@pytest.fixture
def station_home(tmp_path: Path) -> Path:
    home = tmp_path / "home"
    home.mkdir()
    return home


@dataclass
class CliResult:
    returncode: int
    stdout: str
    stderr: str


class CliRunner:
    """Runs ``python -m pywats_station`` as a real subprocess and keeps every output."""

    def __init__(self, home: Path) -> None:
        self.home = home
        self.outputs: list[str] = []

    def __call__(
        self, *args: str, env: dict[str, str] | None = None, timeout: float = 60
    ) -> CliResult:
        full_env = {k: v for k, v in os.environ.items() if not k.startswith("PYWATS_")}
        full_env.update(env or {})
        proc = subprocess.run(
            [sys.executable, "-m", "pywats_station", "--home", str(self.home), *args],
            capture_output=True,
            text=True,
            env=full_env,
            timeout=timeout,
            stdin=subprocess.DEVNULL,
            check=False,
        )
        self.outputs += [proc.stdout, proc.stderr]
        return CliResult(proc.returncode, proc.stdout, proc.stderr)


@pytest.fixture
def cli(station_home: Path) -> CliRunner:
    return CliRunner(station_home)


class FakeWatsProcess:
    """``python -m pywats_testing serve`` as a real process, steered over ``/_fake/``."""

    def __init__(self, workdir: Path, seed: int = 7) -> None:
        self.token = "soak-api-" + secrets.token_urlsafe(12)
        self.registration_token = "soak-reg-" + secrets.token_urlsafe(12)
        self._stdout = (workdir / "fake-wats.out").open("w+b")
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "pywats_testing",
                "serve",
                "--port",
                "0",
                "--seed",
                str(seed),
                "--token",
                self.token,
                "--registration-token",
                self.registration_token,
            ],
            stdout=subprocess.PIPE,
            stderr=self._stdout,
            stdin=subprocess.DEVNULL,
        )
        assert self.proc.stdout is not None
        first = self.proc.stdout.readline().decode()
        if "listening on " not in first:
            self.stop()
            raise RuntimeError(f"the fake WATS server did not start: {first!r}")
        self.url = first.split("listening on ", 1)[1].strip()
        # Keep reading its output so it never blocks on a full pipe.
        threading.Thread(target=self.proc.stdout.read, daemon=True).start()

    def admin(self, method: str, path: str, body: Any = None, timeout: float = 10) -> Any:
        import urllib.request

        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            f"{self.url}/_fake/{path.lstrip('/')}",
            data=data,
            method=method,
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            text = answer.read()
        return json.loads(text) if text else None

    def arm(self, **fault: Any) -> Any:
        return self.admin("POST", "faults", fault)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._stdout.close()


@pytest.fixture
def fake_wats_process(tmp_path: Path, test_seed: int) -> Iterator[FakeWatsProcess]:
    """The fake WATS server in its own process, on a free loopback port; its fault draws
    are seeded by :func:`test_seed`."""
    fake = FakeWatsProcess(tmp_path, test_seed)
    try:
        yield fake
    finally:
        fake.stop()


# -- a registered station home and `pywats-station run` as a process ---------------


def _write_report(
    directory: Path, sn: str, *, process_code: int = 10, broken: bool = False
) -> tuple[Path, str]:
    builder = report_module.UUTBuilder(
        pn="PN-1",
        sn=sn,
        rev="A",
        process_code=process_code,
        machine_name="ST-1",
        location="Lab",
        purpose="Test",
    )
    builder.root.numeric("Voltage", 5.01, "GELE", low=4.9, high=5.1, unit="V")
    report = builder.build()
    document = json.loads(report_module.dumps_wsjf(report))
    if broken:
        document["root"]["steps"][0]["numericMeas"][0]["status"] = "F"
    path = directory / f"{sn}.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    return path, str(report.id)


@pytest.fixture
def write_report() -> Any:
    """``write_report(directory, sn, *, process_code=10, broken=False) -> (path, report
    id)``: a valid WSJF report file (``broken``: one the validator refuses)."""
    return _write_report


@pytest.fixture
def registered(cli: Any, fake_wats: Any, station_home: Path) -> Any:
    (station_home / "station.toml").write_text(
        "[status]\ninterval = 0.05\n\n[connection]\nprobe_interval = 0.2\n\n"
        "[upload]\nshutdown_grace = 0.5\n\n[retry]\nbase_delay = 0.01\nmax_delay = 0.01\n"
    )
    result = cli(
        "register",
        "--url",
        fake_wats.url,
        "--identifier",
        "ST-RUN",
        "--key-store",
        "file",
        env={"PYWATS_REGISTRATION_TOKEN": fake_wats.registration_token},
    )
    assert result.returncode == 0, result.stderr
    return cli


class Station:
    """``pywats-station run`` in a subprocess."""

    def __init__(self, home: Path) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PYWATS_")}
        self.home = home
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "pywats_station", "--home", str(home), "run"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            text=True,
            env=env,
        )
        assert self.proc.stdout is not None
        self.banner = self.proc.stdout.readline()
        self.output = ""

    def status(self) -> dict[str, Any]:
        return read_status(self.home / "status.json") or {}

    def wait_for(self, predicate: Any, what: str, timeout: float = 180.0) -> dict[str, Any]:
        """Poll ``status.json`` until ``predicate`` holds; generous, for a busy machine."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            status = self.status()
            if status and predicate(status):
                return status
            assert self.proc.poll() is None, self.proc.communicate()
            time.sleep(0.02)
        log_file = self.home / "logs" / "station.log"
        log = log_file.read_text(encoding="utf-8")[-4000:] if log_file.exists() else ""
        raise AssertionError(
            f"station never reached: {what}; last status {self.status()}\nlog tail:\n{log}"
        )

    def terminate(self, stop_signal: signal.Signals = signal.SIGTERM) -> tuple[int, str, str]:
        self.proc.send_signal(stop_signal)
        out, err = self.proc.communicate(timeout=60)
        self.output = self.banner + out + err
        return self.proc.returncode, out, err


@pytest.fixture
def station(registered: Any, station_home: Path) -> Iterator[Any]:
    started: list[Station] = []

    def start() -> Station:
        s = Station(station_home)
        started.append(s)
        return s

    yield start
    for s in started:
        if s.proc.poll() is None:
            s.proc.kill()
            s.proc.communicate(timeout=30)
