"""The fake's /_fake admin area over loopback: faults armed, listed and removed over
HTTP strike the routes they name, and a malformed admin request is a 400 "bad admin
request: …" naming what is wrong (never a 500), an unknown one a 404."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from pywats_testing import FakeWatsServer


@pytest.fixture
def admin(fake_wats: FakeWatsServer) -> httpx.Client:
    """Plain httpx against the fake, without credentials (admin routes need none)."""
    with httpx.Client(base_url=fake_wats.url, timeout=10.0) as client:
        yield client  # type: ignore[misc]


BAD: list[tuple[str, str, Any, str]] = [
    ("POST", "/_fake/faults", {"route": "/api/Product"}, "a fault needs a 'kind'"),
    (
        "POST",
        "/_fake/faults",
        {"kind": "status", "colour": "red"},
        "unknown fault field(s): colour",
    ),
    ("POST", "/_fake/faults", {"kind": "explode"}, "unknown fault kind 'explode'"),
    ("POST", "/_fake/faults", {"kind": "status", "body_shape": "xml"}, "unknown body_shape 'xml'"),
    ("POST", "/_fake/faults", {"kind": "status", "times": 0}, "times must be at least 1"),
    (
        "POST",
        "/_fake/faults",
        {"kind": "status", "probability": 0},
        "probability must be in (0, 1]",
    ),
    ("POST", "/_fake/faults", {"kind": "status", "status": 99}, "must be an HTTP status code"),
    ("POST", "/_fake/faults", {"kind": "latency", "seconds": -1}, "seconds must not be negative"),
    ("POST", "/_fake/faults", {"kind": "status", "retry_after": -1}, "retry_after must not be"),
    ("POST", "/_fake/faults", {"kind": "status", "route": "a b c"}, "route must look like"),
    ("POST", "/_fake/faults", {"kind": "status", "route": "api/Product"}, "must start with '/'"),
    ("POST", "/_fake/faults", [1], "expected a JSON object"),
    ("POST", "/_fake/outage", {}, "needs 'seconds' > 0"),
    ("POST", "/_fake/outage", {"seconds": 1, "mode": "melt"}, "mode must be 'refuse' or 'reset'"),
    ("POST", "/_fake/credentials/expire", {}, "credential"),
    ("POST", "/_fake/tokens", {}, "token"),
    ("PUT", "/_fake/rate-limit", {"requests": "many"}, "many"),
]


@pytest.mark.parametrize(
    ("method", "path", "body", "reason"), BAD, ids=[f"{b[1]} {b[3]}" for b in BAD]
)
def test_a_malformed_admin_request_is_a_400(
    admin: httpx.Client, method: str, path: str, body: Any, reason: str
) -> None:
    answer = admin.request(method, path, json=body)
    assert answer.status_code == 400, answer.text
    assert answer.json()["Message"].startswith("bad admin request: ")
    assert reason in answer.json()["Message"]


def test_unknown_admin_things_are_404_and_a_wrong_method_405(admin: httpx.Client) -> None:
    assert admin.get("/_fake/reports/no-such-report").json() == {"Message": "no such report"}
    assert admin.get("/_fake/reports/no-such-report").status_code == 404
    assert admin.delete("/_fake/faults/999").status_code == 404
    assert admin.get("/_fake/nothing-here").status_code == 404
    assert admin.get("/_fake/clear").status_code == 405
    assert admin.delete("/_fake/faults/not-a-number").status_code == 400


def test_a_fault_armed_over_http_strikes_its_route_then_is_gone(
    fake_wats: FakeWatsServer, admin: httpx.Client, api: httpx.Client
) -> None:
    armed = admin.post(
        "/_fake/faults",
        json={
            "kind": "status",
            "route": "GET /api/Product/Query",
            "status": 429,
            "retry_after": 7,
            "body": "slow down",
            "body_shape": "json-string",
        },
    )
    assert armed.status_code == 201
    fault = armed.json()
    assert (fault["kind"], fault["times"], fault["hits"]) == ("status", 1, 0)
    assert [f["id"] for f in admin.get("/_fake/faults").json()] == [fault["id"]]

    assert api.get("/api/SystemStatus").status_code == 200  # another route: untouched
    struck = api.get("/api/Product/Query")
    assert (struck.status_code, struck.headers["Retry-After"], struck.json()) == (
        429,
        "7",
        "slow down",
    )
    assert admin.get("/_fake/faults").json() == []  # times=1: used up
    assert api.get("/api/Product/Query").status_code == 200


def test_faults_are_removed_one_by_one_or_all_at_once(
    admin: httpx.Client, api: httpx.Client
) -> None:
    first = admin.post("/_fake/faults", json={"kind": "status", "times": None}).json()
    second = admin.post("/_fake/faults", json={"kind": "status", "status": 502}).json()
    assert second["id"] == first["id"] + 1
    assert admin.delete(f"/_fake/faults/{first['id']}").status_code == 204
    assert [f["id"] for f in admin.get("/_fake/faults").json()] == [second["id"]]
    assert admin.delete("/_fake/faults").status_code == 204
    assert admin.get("/_fake/faults").json() == []
    assert api.get("/api/Product/Query").status_code == 200


def test_tokens_are_added_expired_and_restored_over_the_admin_area(
    admin: httpx.Client,
) -> None:
    def status_with(token: str) -> int:
        return admin.get(
            "/api/SystemStatus", headers={"Authorization": f"Basic {token}"}
        ).status_code

    assert status_with("extra") == 401
    assert admin.post("/_fake/tokens", json={"token": "extra"}).status_code == 204
    assert status_with("extra") == 200
    assert admin.post("/_fake/credentials/expire", json={"credential": "extra"}).status_code == 204
    assert status_with("extra") == 401
    assert admin.post("/_fake/credentials/restore", json={"credential": "extra"}).status_code == 204
    assert status_with("extra") == 200
    assert admin.put("/_fake/rate-limit", json={"requests": None}).status_code == 204
    assert admin.post("/_fake/release").status_code == 204
    assert admin.get("/_fake/reports").json() == []
    assert admin.post("/_fake/clear").status_code == 204
