"""Fixtures: a small WATS stand-in over real loopback HTTP, station homes, CLI runner.

The stand-in implements only the routes the station's building blocks use (register,
server info, app version), checks Basic credentials the way WATS does, records every
request it sees, and can fail on demand (status codes, dropped connections).
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import subprocess
import sys
import threading
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@dataclass
class Fault:
    status: int | None  # None: drop the connection without answering
    body: str = ""
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Seen:
    method: str
    path: str
    query: dict[str, str]
    authorization: str | None
    headers: dict[str, str]


class FakeWats:
    """State of the stand-in server; tests read ``seen`` and set ``faults``."""

    def __init__(self) -> None:
        self.registration_token = "RegTok-" + secrets.token_urlsafe(24)
        self.users = {"installer": "pw-" + secrets.token_urlsafe(12)}
        self.version = "2026.1.5.324"
        self.passcodes: dict[str, str] = {}
        self.seen: list[Seen] = []
        self.faults: list[Fault] = []
        self.lock = threading.Lock()
        self.url = ""

    def fail_next(
        self,
        status: int | None,
        body: str = "",
        headers: dict[str, str] | None = None,
        times: int = 1,
    ) -> None:
        """Answer the next ``times`` requests with ``status`` (None: drop the connection)."""
        with self.lock:
            self.faults.extend(Fault(status, body, dict(headers or {})) for _ in range(times))

    def station_token(self, identifier: str) -> str:
        raw = f"{identifier}:{self.passcodes[identifier]}".encode()
        return base64.b64encode(raw).decode()

    def paths(self) -> list[str]:
        return [s.path.lower() for s in self.seen]

    def _registration_ok(self, auth: str | None) -> bool:
        if auth == f"Basic {self.registration_token}":
            return True
        for user, password in self.users.items():
            if auth == "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode():
                return True
        return False

    def _station_ok(self, auth: str | None) -> bool:
        return any(
            auth == "Basic " + self.station_token(identifier) for identifier in self.passcodes
        )

    def handle(self, seen: Seen) -> tuple[int, Any]:
        path = seen.path.lower()
        if path == "/api/internal/client/register" and seen.method == "POST":
            if not self._registration_ok(seen.authorization):
                return 401, {"Message": "Authorization has been denied for this request."}
            if not seen.query.get("mac") or not seen.query.get("name"):
                return 400, {"Message": "mac and name are required"}
            passcode = "pc-" + secrets.token_urlsafe(18)
            self.passcodes[seen.query["mac"]] = passcode
            return 200, passcode
        if path == "/api/internal/client/serverinfo" and seen.method == "GET":
            if not self._station_ok(seen.authorization):
                return 401, {"Message": "Authorization has been denied for this request."}
            return 200, {"Version": self.version, "ServerName": "fake"}
        if path == "/api/app/version" and seen.method == "GET":
            if not self._station_ok(seen.authorization):
                return 401, {"Message": "Authorization has been denied for this request."}
            return 200, self.version
        return 404, {"Message": f"No HTTP resource was found that matches {seen.path}"}


def _handler_for(state: FakeWats) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _serve(self) -> None:
            parts = urllib.parse.urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            if length:
                self.rfile.read(length)
            seen = Seen(
                self.command,
                parts.path,
                dict(urllib.parse.parse_qsl(parts.query, keep_blank_values=True)),
                self.headers.get("Authorization"),
                {k.lower(): v for k, v in self.headers.items()},
            )
            with state.lock:
                state.seen.append(seen)
                fault = state.faults.pop(0) if state.faults else None
            if fault is not None and fault.status is None:
                self.close_connection = True
                self.connection.shutdown(2)
                return
            if fault is not None:
                status, body, headers = fault.status, fault.body.encode(), fault.headers
            else:
                status, payload = state.handle(seen)
                body, headers = json.dumps(payload).encode(), {}
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            for key, value in headers.items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(body)

        do_GET = _serve
        do_POST = _serve

    return Handler


@pytest.fixture
def wats() -> Iterator[FakeWats]:
    """A WATS stand-in on a free loopback port."""
    state = FakeWats()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(state))
    server.daemon_threads = True
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


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

    def __init__(self, workdir: Path) -> None:
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
                "7",
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
def fake_wats_process(tmp_path: Path) -> Iterator[FakeWatsProcess]:
    """The fake WATS server in its own process, on a free loopback port."""
    fake = FakeWatsProcess(tmp_path)
    try:
        yield fake
    finally:
        fake.stop()
