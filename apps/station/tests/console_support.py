"""A real ``pywats-station run`` with its console, against the in-process fake server."""

from __future__ import annotations

import http.client
import json
import os
import re
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pywats.report as report_module

CONSOLE_TOML = """
[status]
interval = 0.05
[connection]
probe_interval = 0.2
[upload]
shutdown_grace = 0.5
[retry]
base_delay = 0.05
max_delay = 0.5
max_attempts = 10000
[breaker]
failure_threshold = 2
reset_timeout = 0.5
[console]
port = 0
"""

# Every console station watches ``<tmp>/inbox`` (beside its home) with the WSJF converter.
INBOX_TOML = """
[[folders]]
path = {path}
converter = "wsjf"
include = ["*.json"]
settle = 0.3
rescan = 1.0
"""


def inbox_of(home: Path) -> Path:
    return home.parent / "inbox"


def write_report(directory: Path, sn: str, *, process_code: int = 10) -> tuple[Path, str]:
    builder = report_module.UUTBuilder(
        pn="PN-CONSOLE",
        sn=sn,
        rev="A",
        process_code=process_code,
        machine_name="ST-1",
        location="Lab",
        purpose="Test",
    )
    builder.root.numeric("Voltage", 5.01, "GELE", low=4.9, high=5.1, unit="V")
    report = builder.build()
    path = directory / f"{sn}.json"
    path.write_bytes(report_module.dumps_wsjf(report))
    return path, str(report.id)


def register(cli: Any, fake_wats: Any, home: Path) -> None:
    inbox = inbox_of(home)
    inbox.mkdir(exist_ok=True)
    (home / "station.toml").write_text(
        CONSOLE_TOML + INBOX_TOML.format(path=json.dumps(str(inbox)))
    )
    result = cli(
        "register",
        "--url",
        fake_wats.url,
        "--identifier",
        "ST-CONSOLE",
        "--key-store",
        "file",
        env={"PYWATS_REGISTRATION_TOKEN": fake_wats.registration_token},
    )
    assert result.returncode == 0, result.stderr


class ConsoleStation:
    """``pywats-station run`` in a subprocess; :attr:`url` is the console it printed."""

    def __init__(self, home: Path) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PYWATS_")}
        self.home = home
        self.inbox = inbox_of(home)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "pywats_station", "--home", str(home), "run"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            text=True,
            env=env,
        )
        assert self.proc.stdout is not None
        self.lines: list[str] = []
        deadline = time.monotonic() + 120
        self.url = ""
        while time.monotonic() < deadline:
            line = self.proc.stdout.readline()
            if not line:
                raise AssertionError(f"station ended: {self.proc.communicate()}")
            self.lines.append(line)
            found = re.search(r"console at (http://\S+)", line)
            if found:
                self.url = found.group(1).rstrip("/")
                break
        assert self.url, self.lines
        # Keep draining so the station never blocks on a full pipe.
        threading.Thread(target=self._drain, daemon=True).start()

    def _drain(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.append(line)

    def get(
        self, path: str, headers: dict[str, str] | None = None
    ) -> tuple[int, dict[str, str], str]:
        request = urllib.request.Request(self.url + path, headers=headers or {})
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:
                return answer.status, dict(answer.headers), answer.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, dict(exc.headers), exc.read().decode()

    def wait_for(self, check: Callable[[], Any], what: str, timeout: float = 120) -> Any:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = check()
            if value:
                return value
            assert self.proc.poll() is None, self.proc.communicate()
            time.sleep(0.05)
        raise AssertionError(f"never happened: {what}")

    def drop(self, name: str, data: bytes) -> Path:
        """Put a file into the watched folder at once (written hidden, then renamed)."""
        hidden = self.inbox / f".{name}.part"
        hidden.write_bytes(data)
        target = self.inbox / name
        os.replace(hidden, target)
        return target

    def records(self) -> list[Any]:
        """What files.db says, oldest first (read beside the running station)."""
        from pywats_station import resolve_home
        from pywats_station._filelog import FileLog

        file_log = FileLog(resolve_home(self.home).data_dir / "files.db")
        try:
            return list(file_log)
        finally:
            file_log.close()

    def health(self) -> dict[str, Any]:
        result: dict[str, Any] = json.loads(self.get("/health")[2])
        return result

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode


def raw(url: str, method: str, path: str, headers: dict[str, str], body: str = "") -> Any:
    """One request with exactly these headers (``Host`` included); status, headers, body."""
    parts = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=60)
    try:
        conn.request(method, path, body=body or None, headers=headers)
        answer = conn.getresponse()
        return answer.status, answer.getheaders(), answer.read().decode()
    finally:
        conn.close()


def cookie_and_token(console: ConsoleStation) -> tuple[str, str]:
    """The CSRF cookie and the form token of a page, as a browser would hold them."""
    status, headers, body = raw(console.url, "GET", "/queue", {"Host": "localhost"})
    assert status == 200
    cookie = next(v for k, v in headers if k.lower() == "set-cookie")
    assert "HttpOnly" in cookie
    assert "SameSite=strict" in cookie
    token = re.search(r'name="_csrf_token" value="([^"]+)"', body)
    assert token
    return cookie.split(";", 1)[0], token.group(1)


_PAGE_TOKEN = "the page's token"


def post_form(
    console: ConsoleStation, path: str, fields: dict[str, str], token: str | None = _PAGE_TOKEN
) -> Any:
    """POST a form as a browser without JavaScript does (``token=None``: without one)."""
    cookie, page_token = cookie_and_token(console)
    form = dict(fields)
    if token is not None:
        form["_csrf_token"] = page_token if token == _PAGE_TOKEN else token
    return raw(
        console.url,
        "POST",
        path,
        {
            "Host": "localhost",
            "Cookie": cookie,
            "Content-Type": "application/x-www-form-urlencoded",
        },
        urllib.parse.urlencode(form),
    )


@contextmanager
def running_console(cli: Any, fake_wats: Any, home: Path) -> Iterator[ConsoleStation]:
    """A station registered with the fake, running with its console, stopped after."""
    register(cli, fake_wats, home)
    running = ConsoleStation(home)
    try:
        yield running
    finally:
        running.stop()
