"""The one place that sends HTTP: auth, headers, timeouts, rate limit, transport errors."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx

from pywats._concurrency import RateLimiter
from pywats._config import USER_AGENT, Timeouts, normalize_base_url
from pywats._errors import ConnectionError, TimeoutError

__all__ = ["AsyncHttpClient", "QueryParams"]

QueryParams = Mapping[str, "str | int | float | bool | None"]


def _query(params: QueryParams | None) -> dict[str, str | int | float] | None:
    """Drop ``None`` values and spell booleans the way ASP.NET reads them."""
    if not params:
        return None
    out: dict[str, str | int | float] = {}
    for key, value in params.items():
        if value is None:
            continue
        out[key] = ("true" if value else "false") if isinstance(value, bool) else value
    return out


class AsyncHttpClient:
    """An HTTP session with one WATS server.

    Sends ``Authorization: Basic <token>`` exactly as given (WATS tokens are already
    encoded; they must not be encoded again), a ``User-Agent`` naming pywats, and waits
    on the rate limiter before every request. Transport failures become
    :class:`pywats.ConnectionError` or :class:`pywats.TimeoutError`; status codes are
    left to the caller's :class:`~pywats.ErrorHandler`.
    """

    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        timeouts: Timeouts | None = None,
        verify: bool | str = True,
        rate_limiter: RateLimiter | None = None,
        user_agent: str | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        if not token or token != token.strip():
            raise ValueError("token must be a non-empty string without surrounding whitespace")
        self.base_url = normalize_base_url(base_url)
        self.timeouts = timeouts or Timeouts()
        self.rate_limiter = rate_limiter or RateLimiter()
        self._client = httpx.AsyncClient(
            base_url=self.base_url + "/",
            headers={
                "Authorization": f"Basic {token}",
                "User-Agent": user_agent or USER_AGENT,
                "Accept": "application/json",
            },
            timeout=self.timeouts.to_httpx(),
            verify=verify,
            transport=transport,
            follow_redirects=False,
        )

    async def request(
        self,
        method: str,
        path: str,
        *,
        operation: str | None = None,
        params: QueryParams | None = None,
        json: Any = None,
        content: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        idempotency_key: str | None = None,
        timeout: httpx.Timeout | None = None,
    ) -> httpx.Response:
        """Send one request to ``<base>/<path>`` and return the response, whatever its status.

        ``idempotency_key`` goes out as the ``Idempotency-Key`` header, so the server can
        recognise a retry of a request it already processed.
        """
        operation = operation or f"{method} /{path.lstrip('/')}"
        extra: dict[str, str] = dict(headers or {})
        if idempotency_key is not None:
            extra["Idempotency-Key"] = idempotency_key
        await self.rate_limiter.async_acquire()
        try:
            return await self._client.request(
                method,
                path.lstrip("/"),
                params=_query(params),
                json=json,
                content=content,
                headers=extra or None,
                timeout=timeout if timeout is not None else httpx.USE_CLIENT_DEFAULT,
            )
        except httpx.TimeoutException as exc:
            raise TimeoutError(
                f"no answer in time ({type(exc).__name__})", operation=operation, cause=exc
            ) from exc
        except httpx.TransportError as exc:
            raise ConnectionError(
                f"could not talk to {self.base_url}: {str(exc) or type(exc).__name__}",
                operation=operation,
                cause=exc,
            ) from exc

    async def aclose(self) -> None:
        await self._client.aclose()
