"""Auth as WATS does it, the rate limit, routing and the HTTP front."""

from __future__ import annotations

import base64
import socket
from collections.abc import Callable

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import pywats
from pywats_testing import FakeWatsServer

pytestmark = pytest.mark.anyio


def _basic(value: str) -> dict[str, str]:
    return {"Authorization": f"Basic {value}"}


def test_station_registration_flow(fake_wats: FakeWatsServer) -> None:
    url = fake_wats.url
    params = {"mac": "4C5F70D62FF4", "name": "ICT-1", "location": "Line 2", "utcOffset": "1"}
    # An API token is not a registration token.
    refused = httpx.post(
        f"{url}/api/internal/Client/Register", params=params, headers=_basic(fake_wats.token)
    )
    assert refused.status_code == 401
    answer = httpx.post(
        f"{url}/api/internal/Client/Register",
        params=params,
        headers=_basic(fake_wats.registration_token),
    )
    assert answer.status_code == 200
    passcode = answer.json()
    assert isinstance(passcode, str)
    assert len(passcode) >= 16
    station = base64.b64encode(f"4C5F70D62FF4:{passcode}".encode()).decode()
    info = httpx.get(f"{url}/api/internal/Client/ServerInfo", headers=_basic(station))
    assert info.status_code == 200
    assert info.json()["Version"] == "2026.1.5.324"
    ping = httpx.get(f"{url}/api/internal/Client/Ping", headers=_basic(station)).json()
    assert ping["ServerName"]
    assert ping["ServerTime"]
    wrong = base64.b64encode(b"4C5F70D62FF4:not-the-passcode").decode()
    assert httpx.get(f"{url}/api/internal/Client/Ping", headers=_basic(wrong)).status_code == 401
    # The registration token itself opens nothing but Register.
    assert (
        httpx.get(
            f"{url}/api/internal/Client/Ping", headers=_basic(fake_wats.registration_token)
        ).status_code
        == 401
    )
    # Expiring the station's identifier locks it out.
    fake_wats.expire_credential("4C5F70D62FF4")
    assert httpx.get(f"{url}/api/internal/Client/Ping", headers=_basic(station)).status_code == 401


def test_reports_from_a_station_carry_its_identifier_as_origin(
    fake_wats: FakeWatsServer, make_report: object
) -> None:
    passcode = fake_wats.register_station("4C5F70D62FF4", "ICT-1")
    station = fake_wats.station_credential("4C5F70D62FF4", passcode)
    report = make_report()  # type: ignore[operator]
    posted = httpx.post(f"{fake_wats.url}/api/Report/WSJF", json=report, headers=_basic(station))
    assert posted.status_code == 200
    back = httpx.get(f"{fake_wats.url}/api/Report/Wsjf/{report['id']}", headers=_basic(station))
    assert back.json()["origin"] == "4C5F70D62FF4"


@pytest.mark.parametrize(
    "authorization",
    [None, "", "Basic", "Bearer {token}", "Basic {token}x", "basic-{token}", "Basic ZmFrZTp4"],
)
def test_anything_but_basic_with_a_known_credential_is_401(
    fake_wats: FakeWatsServer, authorization: str | None
) -> None:
    headers = (
        {}
        if authorization is None
        else {"Authorization": authorization.format(token=fake_wats.token)}
    )
    answer = httpx.get(f"{fake_wats.url}/api/App/Version", headers=headers)
    assert answer.status_code == 401
    assert answer.json() == {"Message": "Authorization has been denied for this request."}


async def test_rate_limit_answers_429_with_retry_after(fake_wats: FakeWatsServer) -> None:
    fake_wats.set_rate_limit(3, per_seconds=60)
    async with pywats.AsyncWATS(fake_wats.url, token=fake_wats.token) as wats:
        for _ in range(3):
            assert await wats.app.version() == "2026.1.5.324"
        with pytest.raises(pywats.RateLimitedError) as caught:
            await wats.app.version()
    assert caught.value.retry_after is not None
    assert 1 <= caught.value.retry_after <= 60
    # The limit is per credential: another token still gets through.
    fake_wats.add_token("other")
    async with httpx.AsyncClient(base_url=fake_wats.url, headers=_basic("other")) as other:
        assert (await other.get("/api/App/Version")).status_code == 200


@pytest.mark.parametrize(
    "path", ["/api/app/version", "/API/APP/VERSION", "/api/App/Version/", "/Api/aPP/vErSiOn"]
)
def test_routes_match_case_insensitively(api: httpx.Client, path: str) -> None:
    assert api.get(path).json() == "2026.1.5.324"


def test_unknown_route_and_wrong_method(api: httpx.Client, fake_wats: FakeWatsServer) -> None:
    missing = api.get("/api/Report/UUT/123")
    assert missing.status_code == 404
    assert missing.json()["Message"].startswith("No HTTP resource was found that matches")
    wrong = api.delete("/api/App/Version")
    assert wrong.status_code == 405
    assert "does not support http method 'DELETE'" in wrong.json()["Message"]
    assert fake_wats.request_counts() == {}  # neither reached a route


async def test_a_path_prefix_like_wats(fake_wats_factory: Callable[..., FakeWatsServer]) -> None:
    fake = fake_wats_factory(path_prefix="/wats")
    assert fake.url.endswith("/wats")
    async with pywats.AsyncWATS(fake.url, token=fake.token) as wats:
        assert await wats.app.version() == "2026.1.5.324"
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{fake.port}") as root:
        bare = await root.get("/api/App/Version", headers=_basic(fake.token))
        assert bare.status_code == 404
        assert (await root.get("/_fake/routes")).status_code == 200


def test_keep_alive_and_chunked_bodies_on_one_connection(
    fake_wats: FakeWatsServer, make_report: object
) -> None:
    import json

    report = make_report()  # type: ignore[operator]
    body = json.dumps(report).encode()
    chunked = (
        b"".join(f"{len(part):x}\r\n".encode() + part + b"\r\n" for part in (body[:50], body[50:]))
        + b"0\r\n\r\n"
    )
    auth = f"Authorization: Basic {fake_wats.token}\r\n".encode()
    with socket.create_connection(("127.0.0.1", fake_wats.port), timeout=5) as sock:
        sock.sendall(
            b"POST /api/Report/WSJF HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
            + b"Content-Type: application/json\r\n"
            + auth
            + b"\r\n"
            + chunked
            + b"GET /api/App/Version HTTP/1.1\r\nHost: x\r\n"
            + auth
            + b"\r\n"
        )
        received = b""
        while received.count(b"HTTP/1.1 200 OK") < 2 or not received.endswith(b'"2026.1.5.324"'):
            data = sock.recv(65536)
            if not data:
                break
            received += data
    assert received.count(b"HTTP/1.1 200 OK") == 2
    assert fake_wats.commits(report["id"]) == 1


def test_admin_routes_steer_faults_over_http(fake_wats: FakeWatsServer, api: httpx.Client) -> None:
    admin = httpx.Client(base_url=f"{fake_wats.url}/_fake")
    created = admin.post(
        "/faults",
        json={
            "kind": "status",
            "route": "GET /api/App/Version",
            "status": 502,
            "times": 2,
            "body": "upstream",
            "body_shape": "json-string",
        },
    )
    assert created.status_code == 201
    assert [f["id"] for f in admin.get("/faults").json()] == [created.json()["id"]]
    first = api.get("/api/App/Version")
    assert (first.status_code, first.json()) == (502, "upstream")
    assert admin.delete("/faults").status_code == 204
    assert api.get("/api/App/Version").status_code == 200
    bad = admin.post("/faults", json={"kind": "explode"})
    assert bad.status_code == 400
    assert "unknown fault kind" in bad.text
    assert (
        admin.post("/credentials/expire", json={"credential": fake_wats.token}).status_code == 204
    )
    assert api.get("/api/App/Version").status_code == 401
    assert (
        admin.post("/credentials/restore", json={"credential": fake_wats.token}).status_code == 204
    )
    assert admin.put("/rate-limit", json={"requests": 1, "per_seconds": 60}).status_code == 204
    assert api.get("/api/App/Version").status_code == 200
    limited = api.get("/api/App/Version")
    assert limited.status_code == 429
    assert int(limited.headers["retry-after"]) >= 1
    stats = admin.get("/stats").json()
    counts = {(r["method"], r["path"]): r["count"] for r in stats["requests"]}
    assert counts[("GET", "/api/App/Version")] == 5
    admin.close()


def test_expect_100_continue_gets_an_interim_response(fake_wats: FakeWatsServer) -> None:
    body = b'"not a report"'
    with socket.create_connection(("127.0.0.1", fake_wats.port), timeout=5) as sock:
        sock.sendall(
            b"POST /api/Report/WSJF HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n"
            + f"Content-Length: {len(body)}\r\n".encode()
            + f"Authorization: Basic {fake_wats.token}\r\n\r\n".encode()
        )
        assert sock.recv(4096).startswith(b"HTTP/1.1 100 ")
        sock.sendall(body)
        answer = b""
        while b"\r\n\r\n" not in answer or not answer.rstrip().endswith(b"}"):
            answer += sock.recv(4096)
    assert answer.startswith(b"HTTP/1.1 400 Bad Request")
    assert b"top level is a JSON str" in answer


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(garbage=st.binary(min_size=1, max_size=300))
def test_garbage_on_the_socket_never_takes_the_server_down(
    fake_wats: FakeWatsServer, garbage: bytes
) -> None:
    with socket.create_connection(("127.0.0.1", fake_wats.port), timeout=5) as sock:
        sock.sendall(garbage + b"\r\n\r\n")
        sock.shutdown(socket.SHUT_WR)
        answer = b""
        try:
            while data := sock.recv(65536):
                answer += data
        except ConnectionResetError:
            answer = b"reset"
    # Whatever that was, it got an HTTP answer or a closed connection, and the next
    # client is served as usual.
    assert answer == b"" or answer == b"reset" or answer.startswith(b"HTTP/1.1 ")
    version = httpx.get(f"{fake_wats.url}/api/App/Version", headers=_basic(fake_wats.token))
    assert version.json() == "2026.1.5.324"
