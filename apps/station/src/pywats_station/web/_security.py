"""Host check against DNS rebinding, and the CSRF secret kept in the station home."""

from __future__ import annotations

import ipaddress
import logging
import os
import secrets
from collections.abc import Iterable
from pathlib import Path

from litestar.enums import ScopeType
from litestar.types import (
    ASGIApp,
    HTTPResponseBodyEvent,
    HTTPResponseStartEvent,
    Receive,
    Scope,
    Send,
)

__all__ = ["HostCheck", "allowed_host_names", "host_name", "load_csrf_secret"]

log = logging.getLogger("pywats_station.console")

_LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")


def allowed_host_names(bind_host: str, extra: Iterable[str]) -> frozenset[str]:
    """The names the browser may send in ``Host``: loopback names, the bound address
    (unless it is a wildcard) and the configured extras; compared without the port."""
    names = {n.lower() for n in _LOOPBACK_NAMES}
    if bind_host not in ("0.0.0.0", "::", ""):  # noqa: S104 - wildcards are not names
        names.add(bind_host.lower())
    names.update(n.strip().lower().strip("[]") for n in extra if n.strip())
    return frozenset(names)


def host_name(header: str) -> str | None:
    """The host name of a ``Host`` header without the port, lower-cased; None when the
    header is not a valid host[:port]."""
    value = header.strip().lower()
    if not value:
        return None
    if value.startswith("["):  # [v6]:port
        end = value.find("]")
        if end < 0:
            return None
        name, rest = value[1:end], value[end + 1 :]
        if rest and not (rest.startswith(":") and rest[1:].isdigit()):
            return None
        try:
            ipaddress.IPv6Address(name)
        except ValueError:
            return None
        return name
    name, sep, port = value.rpartition(":")
    if not sep:
        name = value
    elif not port.isdigit():
        return None
    if not name or any(c in name for c in "/@\\ ?#[]"):
        return None
    return name.rstrip(".")


class HostCheck:
    """ASGI middleware: refuse (421) any HTTP request whose ``Host`` names another host.

    Litestar's AllowedHostsConfig compares ``host:port`` since 2.22 (its issue #4869),
    which refuses ``localhost`` when the browser sends ``localhost:8765``; this compares
    the name alone. A page served under a rebinding name (``evil.example`` resolving to
    127.0.0.1) carries that name in ``Host`` and is refused before any handler runs.
    """

    def __init__(self, app: ASGIApp, allowed: frozenset[str]) -> None:
        self.app = app
        self.allowed = allowed

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in (ScopeType.HTTP, ScopeType.WEBSOCKET):
            raw = dict(scope["headers"]).get(b"host", b"").decode("latin-1")
            name = host_name(raw)
            if name is None or name not in self.allowed:
                log.warning("console: refused a request for host %r", raw[:100])
                if scope["type"] == ScopeType.HTTP:
                    body = b"This console answers only on its own host name.\n"
                    start: HTTPResponseStartEvent = {
                        "type": "http.response.start",
                        "status": 421,
                        "headers": [
                            (b"content-type", b"text/plain; charset=utf-8"),
                            (b"content-length", str(len(body)).encode()),
                        ],
                    }
                    await send(start)
                    end: HTTPResponseBodyEvent = {
                        "type": "http.response.body",
                        "body": body,
                        "more_body": False,
                    }
                    await send(end)
                return
        await self.app(scope, receive, send)


def load_csrf_secret(path: Path) -> str:
    """The CSRF signing secret, created once (owner-only) and kept, so that pages open
    in a browser keep working across a station restart."""
    try:
        secret = path.read_text(encoding="ascii").strip()
        if len(secret) >= 32:
            return secret
    except (OSError, UnicodeDecodeError):
        pass
    secret = secrets.token_urlsafe(32)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(secret)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    return secret
