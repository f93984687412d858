"""Status codes and error bodies (scripted answers), timeouts and refused connections
(real loopback sockets, the shipped fake WATS)."""

from __future__ import annotations

import builtins
import email.utils
import json
import socket
import time
from collections.abc import Callable
from typing import Any

import pytest

import pywats
from pywats import ErrorMode, Timeouts

VERSION = "/api/App/Version"
Call = Callable[..., Any]
ScriptedTransport = Any

STATUS_CASES = [
    (400, pywats.ValidationError, False),
    (401, pywats.AuthenticationError, False),
    (403, pywats.AuthorizationError, False),
    (404, pywats.NotFoundError, False),
    (409, pywats.ConflictError, False),
    (422, pywats.ValidationError, False),
    (429, pywats.RateLimitedError, True),
    (500, pywats.ServerError, True),
    (501, pywats.ServerError, False),
    (502, pywats.ServerError, True),
    (503, pywats.ServerError, True),
    (504, pywats.ServerError, True),
    (418, pywats.PyWATSError, False),
]


@pytest.mark.parametrize(("status", "error_type", "retryable"), STATUS_CASES)
def test_status_maps_to_exception(
    scripted: ScriptedTransport, call: Call, status: int, error_type: type, retryable: bool
) -> None:
    scripted.reply("GET", VERSION, status, b"went wrong", {"Content-Type": "text/plain"})
    with pytest.raises(pywats.PyWATSError) as info:
        call(lambda w: w.app.version())
    error = info.value
    assert type(error) is error_type
    assert error.status_code == status
    assert error.retryable is retryable
    assert error.server_message == "went wrong"
    assert error.operation == "GET /api/App/Version"
    assert f"HTTP {status}" in str(error)
    assert "went wrong" in str(error)


@pytest.mark.parametrize("key", ["message", "Message", "error", "detail", "title"])
def test_server_message_from_json_object(scripted: ScriptedTransport, call: Call, key: str) -> None:
    body = json.dumps({"other": 1, key: "SN is too long"}).encode()
    scripted.reply("GET", VERSION, 400, body, {"Content-Type": "application/json"})
    with pytest.raises(pywats.ValidationError) as info:
        call(lambda w: w.app.version())
    assert info.value.server_message == "SN is too long"


def test_server_message_from_json_string_and_multiline_text(
    scripted: ScriptedTransport, call: Call
) -> None:
    text = "root -> step A: Status cannot be different from measurement status.\nroot: x"
    scripted.reply("GET", VERSION, 400, json.dumps(text).encode())
    with pytest.raises(pywats.ValidationError) as info:
        call(lambda w: w.app.version())
    assert info.value.server_message == text

    scripted.reply("GET", VERSION, 400, text.encode(), {"Content-Type": "text/plain"})
    with pytest.raises(pywats.ValidationError) as info:
        call(lambda w: w.app.version())
    assert info.value.server_message == text


def test_empty_error_body_has_no_server_message(scripted: ScriptedTransport, call: Call) -> None:
    scripted.reply("GET", VERSION, 503, b"")
    with pytest.raises(pywats.ServerError) as info:
        call(lambda w: w.app.version())
    assert info.value.server_message is None
    assert info.value.retry_after is None


@pytest.mark.parametrize("status", [429, 503])
def test_retry_after_in_seconds(scripted: ScriptedTransport, call: Call, status: int) -> None:
    scripted.reply("GET", VERSION, status, b"", {"Retry-After": "7"})
    with pytest.raises(pywats.PyWATSError) as info:
        call(lambda w: w.app.version())
    assert info.value.retry_after == 7.0
    assert info.value.retryable


@pytest.mark.parametrize("status", [429, 503])
def test_retry_after_as_http_date(scripted: ScriptedTransport, call: Call, status: int) -> None:
    when = email.utils.formatdate(time.time() + 30, usegmt=True)
    scripted.reply("GET", VERSION, status, b"", {"Retry-After": when})
    with pytest.raises(pywats.PyWATSError) as info:
        call(lambda w: w.app.version())
    assert info.value.retry_after is not None
    assert 27.0 <= info.value.retry_after <= 31.0


def test_read_timeout_becomes_timeout_error(fake_wats: Any, on_facade: Call) -> None:
    # The fake holds the request until the client gives up: a real read timeout.
    fake_wats.hang(f"GET {VERSION}", times=None)
    with pytest.raises(pywats.TimeoutError) as info:
        on_facade(
            lambda w: w.app.version(),
            fake_wats.url,
            token=fake_wats.token,
            timeouts=Timeouts(read=0.2),
        )
    assert info.value.retryable
    assert isinstance(info.value, builtins.TimeoutError)  # catchable as the built-in too
    assert info.value.status_code is None


def test_refused_connection_becomes_connection_error(on_facade: Call) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    # Nothing listens on the port now: the connect is refused.
    with pytest.raises(pywats.ConnectionError) as info:
        on_facade(lambda w: w.app.version(), f"http://127.0.0.1:{port}")
    assert info.value.retryable
    assert isinstance(info.value, builtins.ConnectionError)
    assert f"127.0.0.1:{port}" in str(info.value)


def test_exact_authorization_and_user_agent(
    scripted: ScriptedTransport, call: Call, token: str
) -> None:
    scripted.json("GET", VERSION, "2026.1.5.324")
    assert call(lambda w: w.app.version()) == "2026.1.5.324"
    headers = scripted.requests[-1].headers
    # Sent verbatim: a WATS token must not be base64-encoded a second time.
    assert headers["authorization"] == f"Basic {token}"
    assert headers["user-agent"].startswith(f"pywats/{pywats.__version__} ")
    assert headers["accept"] == "application/json"


@pytest.mark.parametrize(
    ("suffix", "prefix"),
    [("", ""), ("/", ""), ("/api", ""), ("/api/", ""), ("/wats", "/wats"), ("/wats/api/", "/wats")],
)
def test_base_url_forms_reach_the_same_route(
    scripted: ScriptedTransport, call: Call, suffix: str, prefix: str
) -> None:
    scripted.json("GET", f"{prefix}{VERSION}", "1.2.3")
    assert call(lambda w: w.app.version(), url=scripted.url + suffix) == "1.2.3"
    assert scripted.requests[-1].path == f"{prefix}{VERSION}"


@pytest.mark.parametrize(
    ("given", "root"),
    [
        ("https://acme.wats.com", "https://acme.wats.com"),
        ("https://acme.wats.com/", "https://acme.wats.com"),
        ("https://acme.wats.com/api", "https://acme.wats.com"),
        ("https://acme.wats.com/API/", "https://acme.wats.com"),
        ("  HTTPS://host:8086/wats/api  ", "https://host:8086/wats"),
        ("http://host/wats/", "http://host/wats"),
        ("http://host/apix", "http://host/apix"),
    ],
)
def test_normalize_base_url(given: str, root: str) -> None:
    assert pywats.normalize_base_url(given) == root


@pytest.mark.parametrize(
    "bad", ["acme.wats.com", "ftp://host", "https://", "https://u:p@host", "https://h/?x=1"]
)
def test_normalize_base_url_rejects_bad_input(bad: str) -> None:
    with pytest.raises(ValueError, match="base_url"):
        pywats.normalize_base_url(bad)


def test_lenient_mode_turns_404_and_empty_lists_into_nothing(
    scripted: ScriptedTransport, call: Call
) -> None:
    scripted.reply("GET", "/api/App/Processes", 404, b"")
    assert call(lambda w: w.app.processes(), error_mode=ErrorMode.LENIENT) == []
    with pytest.raises(pywats.NotFoundError):
        call(lambda w: w.app.processes(), error_mode=ErrorMode.STRICT)


def test_empty_success_body(scripted: ScriptedTransport, call: Call) -> None:
    scripted.reply("GET", "/api/App/Processes", 200, b"")
    assert call(lambda w: w.app.processes(), error_mode=ErrorMode.LENIENT) == []
    with pytest.raises(pywats.EmptyResponseError) as info:
        call(lambda w: w.app.processes())
    assert not info.value.retryable
    # The version has no "nothing there" meaning: empty is an error in both modes.
    scripted.reply("GET", VERSION, 200, b"")
    with pytest.raises(pywats.EmptyResponseError):
        call(lambda w: w.app.version(), error_mode=ErrorMode.LENIENT)


def test_invalid_json_success_body(scripted: ScriptedTransport, call: Call) -> None:
    scripted.reply("GET", VERSION, 200, b"<html>proxy login</html>")
    with pytest.raises(pywats.PyWATSError, match="not valid JSON"):
        call(lambda w: w.app.version())
