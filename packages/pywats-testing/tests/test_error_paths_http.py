"""The fake's own HTTP/1.1 front over a raw loopback socket: a request that is not HTTP
gets a 400 and the connection closed, "Expect: 100-continue" gets its interim answer,
chunked bodies and pipelined keep-alive requests are served in order."""

from __future__ import annotations

import socket
from urllib.parse import urlsplit

import pytest

from pywats_testing import FakeWatsServer


@pytest.fixture
def raw(fake_wats: FakeWatsServer) -> socket.socket:
    address = urlsplit(fake_wats.url)
    with socket.create_connection((address.hostname, address.port), timeout=30) as sock:
        yield sock  # type: ignore[misc]


def _read_all(sock: socket.socket) -> bytes:
    """Everything until the server closes the connection."""
    out = b""
    while chunk := sock.recv(65536):
        out += chunk
    return out


def _read_until(sock: socket.socket, marker: bytes, count: int = 1) -> bytes:
    out = b""
    while out.count(marker) < count:
        chunk = sock.recv(65536)
        assert chunk, out
        out += chunk
    return out


def test_a_request_that_is_not_http_is_a_400_and_closes(raw: socket.socket) -> None:
    raw.sendall(b"THIS IS NOT HTTP\r\n\r\n")
    answer = _read_all(raw)
    assert answer.startswith(b"HTTP/1.1 400 ")
    assert b"connection: close" in answer.lower()


def test_expect_100_continue_gets_the_interim_answer(
    fake_wats: FakeWatsServer, raw: socket.socket
) -> None:
    host = urlsplit(fake_wats.url).netloc
    raw.sendall(
        f"POST /api/Report/WSJF HTTP/1.1\r\nHost: {host}\r\nAuthorization: Basic {fake_wats.token}"
        "\r\nContent-Type: application/json\r\nContent-Length: 2\r\n"
        "Expect: 100-continue\r\n\r\n".encode()
    )
    assert _read_until(raw, b"\r\n\r\n").startswith(b"HTTP/1.1 100 ")
    raw.sendall(b"{}")
    final = _read_until(raw, b"\r\n\r\n")
    assert final.startswith(b"HTTP/1.1 400 "), final


def test_a_chunked_body_and_pipelined_requests_are_served_in_order(
    fake_wats: FakeWatsServer, raw: socket.socket
) -> None:
    host = urlsplit(fake_wats.url).netloc
    auth = f"Authorization: Basic {fake_wats.token}"
    levels = b'["Site","Line"]'
    raw.sendall(
        f"POST /api/SystemManager/Level HTTP/1.1\r\nHost: {host}\r\n{auth}\r\n"
        "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n".encode()
        + f"{len(levels[:5]):x}\r\n".encode()
        + levels[:5]
        + f"\r\n{len(levels[5:]):x}\r\n".encode()
        + levels[5:]
        + b"\r\n0\r\n\r\n"
        + f"GET /api/SystemManager/Level?hierarchy=Site&hierarchy=Line HTTP/1.1\r\nHost: {host}"
        f"\r\n{auth}\r\nConnection: close\r\n\r\n".encode()
    )
    answer = _read_all(raw)
    assert answer.count(b"HTTP/1.1 200 ") == 2, answer
    created, looked_up = (part.split(b"\r\n\r\n", 1)[1] for part in answer.split(b"HTTP/1.1 ")[1:])
    assert created.strip() == looked_up.strip() != b"null"
