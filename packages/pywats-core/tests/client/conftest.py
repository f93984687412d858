"""Client-logic tests: scripted answers through ``httpx.MockTransport``, on both facades.

``scripted`` answers each request with the next reply queued for its route and records
what the client sent. No socket is involved: these tests are about what the client puts
on the wire and how it reads answers (status mapping, error bodies, paging, parameter
names). Behaviour that needs a real server (timeouts, resets, what WATS does with a
request) is tested against the shipped fake, the ``fake_wats`` fixture of pywats_testing.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest

from pywats import WATS, AsyncWATS

TOKEN = "dGVzdC10b2tlbjpzZWNyZXQ="  # a made-up token, already base64
_JSON = {"Content-Type": "application/json; charset=utf-8"}


@dataclass
class Received:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]  # lower-case names
    body: bytes


class ScriptedTransport:
    """Queued answers per ``(method, path)``; the last one repeats. Unscripted: 404."""

    url = "http://wats.example.test"

    def __init__(self) -> None:
        self._routes: dict[tuple[str, str], list[httpx.Response]] = {}
        self._lock = threading.Lock()
        self.requests: list[Received] = []
        self.transport = httpx.MockTransport(self._answer)

    def _answer(self, request: httpx.Request) -> httpx.Response:
        received = Received(
            request.method,
            request.url.path,
            parse_qs(request.url.query.decode("ascii"), keep_blank_values=True),
            {k.lower(): v for k, v in request.headers.items()},
            request.content,
        )
        with self._lock:
            self.requests.append(received)
            queue = self._routes.get((received.method, received.path))
            if not queue:
                return httpx.Response(404, headers=_JSON, content=b'{"Message": "no such route"}')
            scripted = queue.pop(0) if len(queue) > 1 else queue[0]
        # A fresh response each time: an httpx.Response is read once.
        return httpx.Response(
            scripted.status_code, headers=scripted.headers, content=scripted.content
        )

    def script(self, method: str, path: str, *replies: httpx.Response) -> None:
        """Queue replies for a route; the last one repeats."""
        with self._lock:
            self._routes[(method, path)] = list(replies)

    def reply(
        self,
        method: str,
        path: str,
        status: int = 200,
        body: bytes = b"",
        headers: dict[str, str] | None = None,
    ) -> None:
        """Answer every request to the route with this response."""
        self.script(method, path, httpx.Response(status, headers=headers, content=body))

    def json(self, method: str, path: str, payload: Any, status: int = 200) -> None:
        self.reply(method, path, status, json.dumps(payload).encode(), _JSON)

    def pages(self, method: str, path: str, payloads: list[Any]) -> None:
        """Answer successive requests with successive JSON payloads."""
        self.script(
            method,
            path,
            *(httpx.Response(200, headers=_JSON, content=json.dumps(p).encode()) for p in payloads),
        )


@pytest.fixture
def token() -> str:
    return TOKEN


@pytest.fixture
def scripted() -> ScriptedTransport:
    return ScriptedTransport()


Call = Callable[..., Any]


@pytest.fixture(params=["sync", "async"])
def on_facade(request: pytest.FixtureRequest) -> Call:
    """``on_facade(lambda wats: wats.app.version(), base_url, **client_kwargs)`` on WATS
    or AsyncWATS (the test runs once for each)."""
    kind = request.param

    def _run(fn: Callable[[Any], Any], base_url: str, **kwargs: Any) -> Any:
        kwargs.setdefault("token", TOKEN)
        if kind == "sync":
            with WATS(base_url, **kwargs) as wats:
                return fn(wats)

        async def main() -> Any:
            async with AsyncWATS(base_url, **kwargs) as wats:
                return await fn(wats)

        return asyncio.run(main())

    return _run


@pytest.fixture
def call(on_facade: Call, scripted: ScriptedTransport) -> Call:
    """``call(lambda wats: wats.app.version(), **client_kwargs)`` answered by ``scripted``;
    ``url=`` changes the base URL the client is given."""

    def _call(fn: Callable[[Any], Any], *, url: str | None = None, **kwargs: Any) -> Any:
        return on_facade(fn, url or scripted.url, transport=scripted.transport, **kwargs)

    return _call
