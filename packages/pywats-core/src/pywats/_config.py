"""Client settings: server address, timeouts, identification."""

from __future__ import annotations

import platform
import urllib.parse
from dataclasses import dataclass, field

import httpx

from pywats._version import __version__

__all__ = ["Connection", "Timeouts", "normalize_base_url", "USER_AGENT"]

USER_AGENT = f"pywats/{__version__} (python {platform.python_version()}; httpx {httpx.__version__})"


@dataclass(frozen=True)
class Timeouts:
    """Seconds to wait for each phase of a request.

    ``connect``: establishing the TCP/TLS connection; ``read``: each wait for response
    bytes; ``write``: each wait to send request bytes; ``pool``: waiting for a free
    connection from the pool. ``upload_read`` replaces ``read`` for report uploads,
    which the server validates and stores before answering (the official WATS client
    allows 100 s).
    """

    connect: float = 10.0
    read: float = 30.0
    write: float = 30.0
    pool: float = 10.0
    upload_read: float = 100.0

    def to_httpx(self) -> httpx.Timeout:
        return httpx.Timeout(connect=self.connect, read=self.read, write=self.write, pool=self.pool)

    def for_upload(self) -> httpx.Timeout:
        return httpx.Timeout(
            connect=self.connect, read=self.upload_read, write=self.write, pool=self.pool
        )


def normalize_base_url(url: str) -> str:
    """The WATS root URL, without a trailing ``/`` or ``/api``.

    Accepts ``https://tenant.wats.com``, ``https://tenant.wats.com/``,
    ``https://tenant.wats.com/api``, ``https://host/wats/api/`` and so on; a path
    prefix such as ``/wats`` is kept. Every route is then ``<root>/api/...``.
    """
    text = url.strip()
    parts = urllib.parse.urlsplit(text)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        raise ValueError(
            f"base_url must be an http:// or https:// URL of the WATS server, not {url!r}"
        )
    if parts.query or parts.fragment:
        raise ValueError(f"base_url must not carry a query or fragment: {url!r}")
    if parts.username or parts.password:
        # WATS refuses user:password on the REST API since 2025.2; pass a token instead.
        raise ValueError("base_url must not contain credentials; pass token=... instead")
    path = parts.path.rstrip("/")
    if path.lower().endswith("/api"):
        path = path[: -len("/api")].rstrip("/")
    return urllib.parse.urlunsplit((parts.scheme.lower(), parts.netloc, path, "", ""))


@dataclass(frozen=True)
class Connection:
    """Which server, as whom, how long to wait, how to check its certificate: what the
    HTTP layer needs besides its transport and rate limiter. ``base_url`` is normalized
    (:func:`normalize_base_url`); the token stays out of ``repr``."""

    base_url: str
    token: str = field(repr=False)
    timeouts: Timeouts = Timeouts()
    verify: bool | str = True
    user_agent: str = USER_AGENT

    def __post_init__(self) -> None:
        if not self.token or self.token != self.token.strip():
            raise ValueError("token must be a non-empty string without surrounding whitespace")
        object.__setattr__(self, "base_url", normalize_base_url(self.base_url))
