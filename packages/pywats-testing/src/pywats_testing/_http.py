"""A small HTTP/1.1 server (asyncio + h11) that runs an ASGI app and can fail like a network.

Why not uvicorn: a fake server has to reset TCP connections for real (RST, not a 500),
refuse connections during an outage and drop everything that is open. ASGI gives an
application no handle on its transport, and uvicorn exposes none either, so the fault
modes would have to reach into its private classes. This front owns the transport, so it
can offer the application one extra ASGI extension, ``pywats_testing.connection``, whose
``abort()`` sets ``SO_LINGER`` to zero and aborts the transport: the kernel sends RST.

Scope: plain HTTP/1.1 with keep-alive, Content-Length and chunked bodies, and
``Expect: 100-continue``; one request at a time per connection, as h11 requires. The
whole request body is read before the app is called (reports are small).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import struct
from collections.abc import Awaitable, Callable, MutableMapping
from http import HTTPStatus
from typing import Any, Literal
from urllib.parse import unquote

import h11

__all__ = ["ASGIApp", "CONNECTION_EXTENSION", "HttpFront", "OutageMode"]

_log = logging.getLogger("pywats_testing.http")

ASGIApp = Callable[
    [
        MutableMapping[str, Any],
        Callable[[], Awaitable[MutableMapping[str, Any]]],
        Callable[[MutableMapping[str, Any]], Awaitable[None]],
    ],
    Awaitable[None],
]
OutageMode = Literal["refuse", "reset"]

#: Name of the ASGI scope extension that carries ``abort()`` (send RST, answer nothing).
CONNECTION_EXTENSION = "pywats_testing.connection"

_MAX_BODY = 256 * 1024 * 1024


def _reason(status: int) -> bytes:
    try:
        return HTTPStatus(status).phrase.encode("ascii")
    except ValueError:
        return b""


def reset_transport(transport: asyncio.BaseTransport) -> None:
    """Close ``transport`` with a TCP RST instead of an orderly FIN."""
    sock = transport.get_extra_info("socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    if isinstance(transport, asyncio.Transport):
        transport.abort()
    else:
        transport.close()


class _Connection(asyncio.Protocol):
    """One client connection: h11 state, the request being served, disconnect tracking."""

    def __init__(self, front: HttpFront) -> None:
        self._front = front
        self._h11 = h11.Connection(h11.SERVER, max_incomplete_event_size=64 * 1024)
        self._transport: asyncio.Transport | None = None
        self._request: h11.Request | None = None
        self._body = bytearray()
        self._task: asyncio.Task[None] | None = None
        self._disconnected = asyncio.Event()
        self._aborted = False
        self._paused = False

    # -- asyncio.Protocol -------------------------------------------------------------
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport
        if self._front.outage == "reset":
            # An outage that accepts and drops: the client sees its connection reset.
            self._front.outage_connections += 1
            self.abort()
            return
        self._front._connections.add(self)

    def data_received(self, data: bytes) -> None:
        try:
            self._h11.receive_data(data)
        except RuntimeError:
            # Data after the client's own close: nothing sensible to do with it.
            return
        self._process()

    def eof_received(self) -> bool | None:
        with contextlib.suppress(RuntimeError):
            self._h11.receive_data(b"")
        self._process()
        return None

    def connection_lost(self, exc: Exception | None) -> None:
        self._disconnected.set()
        self._front._connections.discard(self)

    # -- request handling -------------------------------------------------------------
    @property
    def idle(self) -> bool:
        return self._task is None

    def abort(self) -> None:
        """Reset the connection (RST); whatever the app was doing gets no reply out."""
        self._aborted = True
        if self._transport is not None and not self._transport.is_closing():
            reset_transport(self._transport)
        self._disconnected.set()

    def close(self) -> None:
        if self._transport is not None and not self._transport.is_closing():
            self._transport.close()
        self._disconnected.set()

    def _process(self) -> None:
        while self._task is None and not self._aborted:
            try:
                event = self._h11.next_event()
            except h11.RemoteProtocolError as exc:
                self._send_simple_error(exc.error_status_hint, str(exc))
                return
            if event is h11.NEED_DATA:
                return
            if event is h11.PAUSED:
                if self._transport is not None and not self._paused:
                    self._transport.pause_reading()
                    self._paused = True
                return
            if isinstance(event, h11.Request):
                self._request = event
                self._body = bytearray()
                if self._h11.client_is_waiting_for_100_continue:
                    self._write(h11.InformationalResponse(status_code=100, headers=[]))
            elif isinstance(event, h11.Data):
                self._body += event.data
                if len(self._body) > _MAX_BODY:
                    self._send_simple_error(413, "request body too large")
                    return
            elif isinstance(event, h11.EndOfMessage):
                assert self._request is not None
                self._task = asyncio.get_running_loop().create_task(
                    self._serve(self._request, bytes(self._body))
                )
                self._front._tasks.add(self._task)
                self._task.add_done_callback(self._front._tasks.discard)
            elif isinstance(event, h11.ConnectionClosed):
                self.close()
                return

    def _write(self, event: h11.Event) -> None:
        if self._transport is None or self._transport.is_closing():
            return
        data = self._h11.send(event)
        if data:
            self._transport.write(data)

    def _send_simple_error(self, status: int, message: str) -> None:
        with contextlib.suppress(h11.LocalProtocolError):
            body = message.encode()
            self._write(
                h11.Response(
                    status_code=status,
                    headers=[
                        ("content-type", "text/plain; charset=utf-8"),
                        ("content-length", str(len(body))),
                        ("connection", "close"),
                    ],
                )
            )
            self._write(h11.Data(data=body))
            self._write(h11.EndOfMessage())
        self.close()

    def _scope(self, request: h11.Request) -> dict[str, Any]:
        assert self._transport is not None
        target = request.target.decode("latin-1")
        raw_path, _, query = target.partition("?")
        peer = self._transport.get_extra_info("peername")
        local = self._transport.get_extra_info("sockname")
        return {
            "type": "http",
            "asgi": {"version": "3.0", "spec_version": "2.3"},
            "http_version": request.http_version.decode(),
            "method": request.method.decode(),
            "scheme": "http",
            "path": unquote(raw_path),
            "raw_path": raw_path.encode("latin-1"),
            "query_string": query.encode("latin-1"),
            "root_path": "",
            "headers": [(name.lower(), value) for name, value in request.headers],
            "client": tuple(peer[:2]) if peer else None,
            "server": tuple(local[:2]) if local else None,
            "extensions": {CONNECTION_EXTENSION: {"abort": self.abort}},
        }

    async def _serve(self, request: h11.Request, body: bytes) -> None:
        scope = self._scope(request)
        body_given = False
        started = False
        finished = False

        async def receive() -> MutableMapping[str, Any]:
            nonlocal body_given
            if not body_given:
                body_given = True
                return {"type": "http.request", "body": body, "more_body": False}
            await self._disconnected.wait()
            return {"type": "http.disconnect"}

        async def send(message: MutableMapping[str, Any]) -> None:
            nonlocal started, finished
            if self._aborted or finished:
                return
            if message["type"] == "http.response.start":
                started = True
                headers = [(bytes(k), bytes(v)) for k, v in message.get("headers", [])]
                status = int(message["status"])
                self._write(
                    h11.Response(status_code=status, headers=headers, reason=_reason(status))
                )
            elif message["type"] == "http.response.body":
                data = message.get("body", b"")
                if data:
                    self._write(h11.Data(data=data))
                if not message.get("more_body", False):
                    self._write(h11.EndOfMessage())
                    finished = True

        try:
            await self._front.app(scope, receive, send)
        except asyncio.CancelledError:
            self.abort()
            raise
        except Exception:
            _log.exception("unhandled error in the fake server app")
            if not started and not self._aborted:
                await send(
                    {
                        "type": "http.response.start",
                        "status": 500,
                        "headers": [(b"content-type", b"text/plain"), (b"content-length", b"21")],
                    }
                )
                await send({"type": "http.response.body", "body": b"Internal Server Error"})
            elif not finished:
                self.abort()
        finally:
            self._task = None
        self._after_response(finished)

    def _after_response(self, finished: bool) -> None:
        if self._aborted or self._transport is None or self._transport.is_closing():
            return
        if not finished:
            self.close()
            return
        if self._h11.our_state is h11.DONE and self._h11.their_state is h11.DONE:
            self._h11.start_next_cycle()
            if self._paused:
                self._transport.resume_reading()
                self._paused = False
            self._process()
        else:
            self.close()


class HttpFront:
    """Listens on one address, runs ``app`` per request and can simulate outages.

    Every method runs on the event loop that called :meth:`start`.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.host = "127.0.0.1"
        self.port = 0
        self.outage: OutageMode | None = None
        self.outage_connections = 0
        """Connections accepted and reset during ``"reset"`` outages (a refused connect
        never reaches the server, so ``"refuse"`` outages cannot count them)."""
        self._server: asyncio.Server | None = None
        self._connections: set[_Connection] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self._outage_timer: asyncio.TimerHandle | None = None

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.host = host
        self._server = await asyncio.get_running_loop().create_server(
            lambda: _Connection(self), host, port, reuse_address=True
        )
        sock = self._server.sockets[0]
        self.port = int(sock.getsockname()[1])

    async def _listen(self) -> None:
        if self._server is None:
            self._server = await asyncio.get_running_loop().create_server(
                lambda: _Connection(self), self.host, self.port, reuse_address=True
            )

    async def begin_outage(self, mode: OutageMode, seconds: float | None) -> None:
        """Stop answering: reset every open connection; refuse or reset new ones."""
        self.outage = mode
        if self._outage_timer is not None:
            self._outage_timer.cancel()
            self._outage_timer = None
        if mode == "refuse" and self._server is not None:
            # Closing the listening socket makes new connects fail with ECONNREFUSED.
            # Not awaiting wait_closed(): since 3.12 it also waits for open connections.
            self._server.close()
            self._server = None
        for connection in list(self._connections):
            connection.abort()
        if seconds is not None:
            loop = asyncio.get_running_loop()
            self._outage_timer = loop.call_later(
                seconds, lambda: loop.create_task(self.end_outage())
            )

    async def end_outage(self) -> None:
        if self._outage_timer is not None:
            self._outage_timer.cancel()
            self._outage_timer = None
        self.outage = None
        await self._listen()

    async def stop(self, grace: float = 2.0) -> None:
        """Stop listening, close idle connections, give in-flight requests ``grace`` s."""
        if self._outage_timer is not None:
            self._outage_timer.cancel()
        if self._server is not None:
            self._server.close()
            self._server = None
        for connection in list(self._connections):
            if connection.idle:
                connection.close()
        if self._tasks:
            _done, pending = await asyncio.wait(set(self._tasks), timeout=grace)
            for task in pending:
                task.cancel()
            if pending:
                await asyncio.wait(pending, timeout=1.0)
        for connection in list(self._connections):
            connection.close()
