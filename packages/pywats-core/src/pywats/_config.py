"""Client settings: server address, timeouts, identification."""

from __future__ import annotations

import platform
import urllib.parse
from dataclasses import dataclass

import httpx

from pywats._version import __version__

__all__ = ["Timeouts", "normalize_base_url", "USER_AGENT"]

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
