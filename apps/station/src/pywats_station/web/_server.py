"""Serves the console inside the station's event loop (uvicorn, no signal handlers of
its own: the station owns SIGTERM/SIGINT and stops the console in its shutdown order)."""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import logging
import socket
from collections.abc import Callable, Generator
from pathlib import Path
from typing import Any

import uvicorn

from pywats_station._config import ConsoleSection
from pywats_station.web._app import build_app
from pywats_station.web._backend import ConsoleBackend
from pywats_station.web._security import allowed_host_names

__all__ = ["ConsoleServer", "is_loopback"]

log = logging.getLogger("pywats_station.console")


def is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class _Server(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        # The station's own handlers stay in charge; uvicorn's would re-raise the
        # signal after serving and kill the process before the queue is closed.
        yield


class ConsoleServer:
    """Binds, serves and stops the console; :attr:`url` is known after :meth:`start`."""

    def __init__(
        self,
        backend: ConsoleBackend,
        *,
        host: str,
        port: int,
        csrf_secret: str,
        allowed_hosts: list[str],
    ) -> None:
        self.host = host
        self.port = port
        self.stop_streams = asyncio.Event()
        self.app = build_app(
            backend,
            csrf_secret=csrf_secret,
            allowed_hosts=allowed_host_names(host, allowed_hosts),
            stop=self.stop_streams,
        )
        self.url = ""
        self._server: _Server | None = None
        self._task: asyncio.Task[None] | None = None

    def _bind(self) -> socket.socket:
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((self.host, self.port))
        except OSError:
            sock.close()
            raise
        sock.listen(128)
        sock.setblocking(False)
        return sock

    async def start(self) -> str:
        """Bind and start serving; returns the URL. Raises OSError when the address
        cannot be bound (the caller decides whether the station runs without it)."""
        sock = self._bind()
        port = sock.getsockname()[1]
        shown = "localhost" if self.host in ("127.0.0.1", "localhost") else self.host
        shown = f"[{shown}]" if ":" in shown else shown
        self.url = f"http://{shown}:{port}/"
        config = uvicorn.Config(
            self.app,
            log_config=None,
            access_log=False,
            lifespan="on",
            timeout_graceful_shutdown=5,
            server_header=False,
        )
        self._server = _Server(config)
        self._task = asyncio.create_task(self._serve(sock))
        # uvicorn offers no start event: poll its flag (at most a few ms at startup).
        while not self._server.started and not self._task.done():  # noqa: ASYNC110
            await asyncio.sleep(0.01)
        if self._task.done():
            self._task.result()  # raises what stopped it
        return self.url

    async def _serve(self, sock: socket.socket) -> None:
        assert self._server is not None
        await self._server.serve(sockets=[sock])

    async def stop(self) -> None:
        """End the SSE streams, then the server (bounded by the graceful timeout)."""
        self.stop_streams.set()
        if self._server is not None:
            self._server.should_exit = True
        if self._task is not None:
            with contextlib.suppress(Exception):
                await self._task

    async def __aenter__(self) -> ConsoleServer:
        await self.start()
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.stop()


async def open_console(
    backend: ConsoleBackend,
    settings: ConsoleSection,
    *,
    csrf_secret_file: Path,
    announce: Callable[[str], None] | None = None,
) -> ConsoleServer | None:
    """Start the console as ``[console]`` says; None when disabled or refused.

    A console that cannot start (address in use, a non-loopback host without
    ``allow_remote``) is logged and reported, and the station runs on without it:
    delivering reports matters more than watching them.
    """
    from pywats_station.web._security import load_csrf_secret

    say = announce or (lambda text: None)
    if not settings.enabled:
        return None
    host, port = settings.host, settings.port
    if not is_loopback(host) and not settings.allow_remote:
        message = (
            f"console not started: host {host!r} is not a loopback address; set "
            "[console] allow_remote = true to serve it to the network"
        )
        log.error(message)
        say(message)
        return None
    try:
        csrf_secret = load_csrf_secret(csrf_secret_file)
    except OSError as exc:
        message = (
            f"console not started: cannot keep its secret in {csrf_secret_file}: "
            f"{exc.strerror or type(exc).__name__}"
        )
        log.error(message)
        say(message)
        return None
    server = ConsoleServer(
        backend, host=host, port=port, csrf_secret=csrf_secret, allowed_hosts=settings.allowed_hosts
    )
    try:
        url = await server.start()
    except OSError as exc:
        message = f"console not started: cannot listen on {host}:{port}: {exc.strerror or exc}"
        log.error(message)
        say(message)
        return None
    if not is_loopback(host):
        warning = (
            f"WARNING: the console listens on {host}, reachable from the network; anyone "
            "who reaches it can retry and discard reports"
        )
        log.warning(warning)
        say(warning)
    log.info("console at %s", url)
    say(f"console at {url}")
    return server
