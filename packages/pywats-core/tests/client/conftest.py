"""A scripted HTTP server on a real loopback socket, and a way to call both facades.

The scripted server answers each request with the next response queued for its route,
records what it received, and can delay an answer (to provoke client timeouts). It tests
the client's HTTP handling; behaviour of WATS itself is the fake server's job.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from pywats import WATS, AsyncWATS

TOKEN = "dGVzdC10b2tlbjpzZWNyZXQ="  # a made-up token, already base64


@dataclass
class Scripted:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


@dataclass
class Received:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes
    at: float


class ScriptedServer:
    def __init__(self) -> None:
        self._routes: dict[tuple[str, str], list[Scripted]] = {}
        self.requests: list[Received] = []
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                parts = urlsplit(self.path)
                received = Received(
                    self.command,
                    parts.path,
                    parse_qs(parts.query, keep_blank_values=True),
                    {k.lower(): v for k, v in self.headers.items()},
                    body,
                    time.monotonic(),
                )
                reply = server._next(received)
                if reply.delay:
                    time.sleep(reply.delay)
                try:
                    self.send_response(reply.status)
                    for key, value in reply.headers.items():
                        self.send_header(key, value)
                    self.send_header("Content-Length", str(len(reply.body)))
                    self.end_headers()
                    self.wfile.write(reply.body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout tests)

            do_GET = do_POST = do_PUT = do_DELETE = _serve

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self.port = self._httpd.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        )
        self._thread.start()

    def _next(self, received: Received) -> Scripted:
        with self._lock:
            self.requests.append(received)
            queue = self._routes.get((received.method, received.path))
            if not queue:
                return Scripted(404, b'{"Message": "no such route"}', _JSON)
            return queue.pop(0) if len(queue) > 1 else queue[0]

    def script(self, method: str, path: str, *replies: Scripted) -> None:
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
        delay: float = 0.0,
    ) -> None:
        """Answer every request to the route with this response."""
        self.script(method, path, Scripted(status, body, dict(headers or {}), delay))

    def json(self, method: str, path: str, payload: Any, status: int = 200) -> None:
        self.script(method, path, Scripted(status, json.dumps(payload).encode(), _JSON))

    def pages(self, method: str, path: str, payloads: list[Any]) -> None:
        """Answer successive requests with successive JSON payloads."""
        self.script(method, path, *(Scripted(200, json.dumps(p).encode(), _JSON) for p in payloads))

    def close(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()


_JSON = {"Content-Type": "application/json; charset=utf-8"}


@pytest.fixture
def token() -> str:
    return TOKEN


@pytest.fixture
def server() -> Iterator[ScriptedServer]:
    srv = ScriptedServer()
    yield srv
    srv.close()


Call = Callable[..., Any]


@pytest.fixture(params=["sync", "async"])
def call(request: pytest.FixtureRequest, server: ScriptedServer) -> Call:
    """``call(lambda wats: wats.app.version(), **client_kwargs)`` on WATS or AsyncWATS."""
    kind = request.param

    def _call(fn: Callable[[Any], Any], *, url: str | None = None, **kwargs: Any) -> Any:
        kwargs.setdefault("token", TOKEN)
        base = url or server.url
        if kind == "sync":
            with WATS(base, **kwargs) as wats:
                return fn(wats)

        async def main() -> Any:
            async with AsyncWATS(base, **kwargs) as wats:
                return await fn(wats)

        return asyncio.run(main())

    return _call
