"""``AsyncWATS``: the async entry point; ``WATS`` is its generated sync twin."""

from __future__ import annotations

from types import TracebackType

import httpx

from pywats._async._http import AsyncHttpClient
from pywats._async.app._repository import AsyncAppRepository
from pywats._async.app._service import AsyncAppService
from pywats._async.report._repository import AsyncReportRepository
from pywats._async.report._service import AsyncReportService
from pywats._concurrency import RateLimiter
from pywats._config import Timeouts
from pywats._errors import ErrorHandler, ErrorMode

__all__ = ["AsyncWATS"]


class AsyncWATS:
    """A client for one WATS server.

    ``base_url`` is the WATS root (``https://tenant.wats.com``; a trailing ``/`` or
    ``/api`` is fine, a prefix such as ``/wats`` is kept). ``token`` is sent as
    ``Authorization: Basic <token>`` exactly as given: an API token from WATS's Control
    Panel, or ``base64("<identifier>:<passcode>")`` of a registered station.

    Domain services hang off the client (``client.app``, ``client.report``). Use it as an async
    context manager, or call :meth:`aclose` when done. Nothing is written to disk.
    """

    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        timeouts: Timeouts | None = None,
        verify: bool | str = True,
        rate_limiter: RateLimiter | None = None,
        error_mode: ErrorMode = ErrorMode.STRICT,
        user_agent: str | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.http = AsyncHttpClient(
            base_url,
            token,
            timeouts=timeouts,
            verify=verify,
            rate_limiter=rate_limiter,
            user_agent=user_agent,
            transport=transport,
        )
        self.error_handler = ErrorHandler(error_mode)
        self.app = AsyncAppService(AsyncAppRepository(self.http, self.error_handler))
        self.report = AsyncReportService(AsyncReportRepository(self.http, self.error_handler))

    @property
    def base_url(self) -> str:
        return self.http.base_url

    @property
    def rate_limiter(self) -> RateLimiter:
        return self.http.rate_limiter

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self.http.aclose()

    async def __aenter__(self) -> AsyncWATS:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.base_url!r})"
