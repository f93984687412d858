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
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

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
