"""The console served by a real ``pywats-station run``: refusals, secrets, health, metrics."""

from __future__ import annotations

import base64
import http.client
import os
import re
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from prometheus_client.parser import text_string_to_metric_families

from pywats_station import CredentialStore, resolve_home

sys.path.insert(0, str(Path(__file__).parent))  # --import-mode=importlib: no implicit path
from console_support import (
    ConsoleStation,
    cookie_and_token,
    post_form,
    raw,
    register,
    running_console,
    write_report,
)

WSJF_ROUTE = "POST /api/Report/WSJF"


@pytest.fixture
def console(cli: Any, fake_wats: Any, station_home: Path) -> Iterator[ConsoleStation]:
    with running_console(cli, fake_wats, station_home) as running:
        yield running


def _port(console: ConsoleStation) -> int:
    port = urllib.parse.urlsplit(console.url).port
    assert port
    return port


def test_run_prints_the_console_url_on_loopback(console: ConsoleStation) -> None:
    assert console.url.startswith("http://localhost:")
    status, _headers, body = console.get("/")
    assert status == 200
    assert "Dashboard" in body


@pytest.mark.parametrize(
    "host",
    ["evil.example", "evil.example:{port}", "127.0.0.1.nip.io:{port}", "localhost.evil.example"],
)
def test_a_foreign_or_rebinding_host_is_refused(console: ConsoleStation, host: str) -> None:
    port = _port(console)
    status, _, body = raw(console.url, "GET", "/", {"Host": host.format(port=port)})
    assert status == 421
    assert "Dashboard" not in body


@pytest.mark.parametrize("host", ["localhost:{port}", "127.0.0.1:{port}", "LOCALHOST"])
def test_the_own_host_names_are_accepted_with_or_without_port(
    console: ConsoleStation, host: str
) -> None:
    status, _, _ = raw(console.url, "GET", "/health", {"Host": host.format(port=_port(console))})
    assert status in (200, 503)  # answered, ok or degraded


@pytest.mark.parametrize("token", [None, "wrong", "forged.token"])
def test_a_post_without_or_with_a_wrong_csrf_token_is_403(
    console: ConsoleStation, token: str | None
) -> None:
    cookie, _ = cookie_and_token(console)
    form = "ids=x&back_state=dead" + ("" if token is None else f"&_csrf_token={token}")
    status, _, _ = raw(
        console.url,
        "POST",
        "/queue/retry",
        {
            "Host": "localhost",
            "Cookie": cookie,
            "Content-Type": "application/x-www-form-urlencoded",
        },
        form,
    )
    assert status == 403


def test_a_post_with_the_token_in_the_htmx_header_is_accepted(console: ConsoleStation) -> None:
    cookie, token = cookie_and_token(console)
    status, _, body = raw(
        console.url,
        "POST",
        "/queue/retry",
        {
            "Host": "localhost",
            "Cookie": cookie,
            "X-CSRFToken": token,
            "HX-Request": "true",
            "Content-Type": "application/x-www-form-urlencoded",
        },
        "ids=no-such-item&back_state=dead",
    )
    assert status == 200
    assert "1 refused" in body  # the action ran, and says why nothing changed


def test_metrics_parse_and_carry_the_station_metrics(console: ConsoleStation) -> None:
    status, _headers, body = console.get("/metrics")
    assert status == 200
    names = {family.name for family in text_string_to_metric_families(body)}
    for name in (
        "pywats_station_uploads_succeeded",
        "pywats_station_queue_depth",
        "pywats_station_breaker_state",
        "pywats_station_connection_state",
    ):
        assert name in names, names


def test_health_turns_degraded_when_the_breaker_opens_and_back_when_it_closes(
    console: ConsoleStation, fake_wats: Any, cli: Any, tmp_path: Path
) -> None:
    console.wait_for(lambda: console.health()["status"] == "ok", "healthy at start")
    fake_wats.outage()
    try:
        degraded = console.wait_for(
            lambda: (
                (h := console.health())["status"] == "degraded"
                and any("circuit breaker" in r for r in h["reasons"])
                and h
            ),
            "degraded with the breaker open",
        )
        assert console.get("/health")[0] == 503
    finally:
        fake_wats.end_outage()
    assert degraded["reasons"]
    console.wait_for(lambda: console.health()["status"] == "ok", "healthy again")


def _links(body: str) -> set[str]:
    return set(re.findall(r'(?:href|hx-get|sse-connect)="(/[^"]*)"', body))


def test_no_secret_in_any_page_fragment_or_header(
    console: ConsoleStation, fake_wats: Any, cli: Any, station_home: Path, tmp_path: Path
) -> None:
    # Something in every page: a delivered report, a dead letter, log lines.
    path, _ = write_report(tmp_path, "SN-CRAWL")
    dead, _ = write_report(tmp_path, "SN-CRAWL-DEAD", process_code=4242)
    assert cli("submit", str(path), str(dead)).returncode == 0
    console.drop("dropped.json", path.read_bytes())  # archived, its report known already
    console.drop("broken.json", b"{ not a report")  # Error/ with its reason
    console.wait_for(
        lambda: 'id="depth-dead">1<' in console.get("/fragments/dashboard")[2], "a dead letter"
    )
    console.wait_for(lambda: len(console.records()) >= 4, "the dropped files handled")
    stored = CredentialStore(resolve_home(station_home), "file").load()
    assert stored is not None
    passcode = stored.token().reveal()  # base64 of identifier:passcode, as sent to WATS
    identifier_pass = base64.b64decode(passcode).decode()
    secret_password = identifier_pass.split(":", 1)[1]
    secrets = {
        fake_wats.registration_token,
        base64.b64encode(fake_wats.registration_token.encode()).decode(),
        secret_password,
        base64.b64encode(secret_password.encode()).decode(),
        passcode,
    }
    seen: set[str] = set()
    todo = ["/", "/queue", "/log", "/settings", "/health", "/metrics", "/fragments/dashboard"]
    todo += ["/files", "/fragments/files", "/files?outcome=failed", "/converters"]
    todo += [f"/queue?state={s}" for s in ("ready", "leased", "dead", "quarantined")]
    todo += [f"/fragments/queue?state={s}" for s in ("ready", "leased", "dead", "quarantined")]
    todo += [f"/log?level={lvl}" for lvl in ("DEBUG", "INFO", "WARNING", "ERROR")]
    while todo:
        link = todo.pop()
        if link in seen or link.startswith(("/events", "/static")):
            continue
        seen.add(link)
        status, headers, body = console.get(link)
        assert status in (200, 503), (link, status)
        everything = body + "\n".join(f"{k}: {v}" for k, v in headers.items())
        for secret in secrets:
            assert secret not in everything, f"a secret in {link}"
        todo += sorted(_links(body) - seen)
    assert any(link.startswith("/queue/items/") for link in seen)
    assert sum(re.fullmatch(r"/files/\d+", link) is not None for link in seen) >= 4
    assert any(link.startswith("/files?folder=") for link in seen)
    assert len(seen) >= 20


def test_a_bad_setting_is_refused_naming_the_key_and_nothing_is_written(
    console: ConsoleStation, station_home: Path
) -> None:
    before = (station_home / "station.toml").read_bytes()
    status, _, body = post_form(console, "/settings", {"station.name": "x" * 300})
    assert status == 422
    assert "station.name" in body
    assert (station_home / "station.toml").read_bytes() == before
    assert not (station_home / "station.toml.bak").exists()


def test_a_setting_is_saved_atomically_keeping_a_backup(
    console: ConsoleStation, station_home: Path
) -> None:
    before = (station_home / "station.toml").read_text()
    status, _headers, _ = post_form(
        console, "/settings", {"station.name": "Line 7 ICT", "station.location": "Hall B"}
    )
    assert status == 303
    assert (station_home / "station.toml.bak").read_text() == before
    saved = (station_home / "station.toml").read_text()
    assert 'name = "Line 7 ICT"' in saved
    assert 'location = "Hall B"' in saved
    assert "Line 7 ICT" in console.get("/settings")[2]


def test_registering_again_from_the_settings_page_stores_new_credentials(
    console: ConsoleStation, fake_wats: Any, station_home: Path
) -> None:
    home = resolve_home(station_home)
    old = CredentialStore(home, "file").load()
    assert old is not None
    status, headers, body = post_form(
        console,
        "/settings/register",
        {"server_url": fake_wats.url, "registration_token": fake_wats.registration_token},
    )
    assert status == 303, body
    assert fake_wats.registration_token not in body + str(headers)
    new = CredentialStore(home, "file").load()
    assert new is not None
    assert new.passcode.reveal() != old.passcode.reveal()
    shown = console.get("/settings?saved=registered")[2]
    assert fake_wats.registration_token not in shown
    assert "registered" in shown
    log = (station_home / "logs" / "station.log").read_text()
    assert fake_wats.registration_token not in log


def test_a_wrong_registration_token_is_refused_without_echoing_it(
    console: ConsoleStation, fake_wats: Any
) -> None:
    wrong = "WrongToken-" + "q" * 20
    status, headers, body = post_form(
        console, "/settings/register", {"server_url": fake_wats.url, "registration_token": wrong}
    )
    assert status == 422
    assert "registration failed" in body
    assert wrong not in body + str(headers)


def test_sigterm_with_a_live_event_stream_open_stops_the_station_cleanly(
    console: ConsoleStation,
) -> None:
    parts = urllib.parse.urlsplit(console.url)
    conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=60)
    conn.request("GET", "/events", headers={"Host": "localhost"})
    stream = conn.getresponse()
    assert stream.status == 200
    assert stream.getheader("content-type", "").startswith("text/event-stream")
    assert stream.readline().startswith(b"event: dashboard")  # a named event first
    started = time.monotonic()
    assert console.stop() == 0
    assert time.monotonic() - started < 30  # the stream ended; it did not hold the stop
    conn.close()


def test_a_console_that_cannot_keep_its_secret_is_left_out_and_the_station_runs(
    cli: Any, fake_wats: Any, station_home: Path
) -> None:
    register(cli, fake_wats, station_home)
    secret = resolve_home(station_home).data_dir / "console.secret"
    secret.mkdir(parents=True)  # a directory where the secret file belongs
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYWATS_")}
    station = subprocess.Popen(
        [sys.executable, "-m", "pywats_station", "--home", str(station_home), "run"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        text=True,
        env=env,
    )
    try:
        assert station.stdout is not None
        said: list[str] = []
        for line in station.stdout:
            said.append(line)
            if "console not started" in line:
                break
        assert "cannot keep its secret in" in said[-1], said
        assert str(secret) in said[-1]
        # Delivering reports matters more than watching them: the station runs on.
        assert station.poll() is None, said
    finally:
        station.terminate()
        station.wait(timeout=60)
    assert station.returncode == 0
