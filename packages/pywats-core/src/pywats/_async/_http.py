"""The one place that sends HTTP: auth, headers, timeouts, rate limit, transport errors."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import httpx

from pywats._concurrency import RateLimiter
from pywats._config import Connection
from pywats._errors import ConnectionError, TimeoutError

__all__ = ["AsyncHttpClient", "QueryParams", "Files"]

QueryParams = Mapping[str, "str | int | float | bool | Sequence[str] | None"]
# A multipart form's files: field name -> (file name, content, content type).
Files = Mapping[str, "tuple[str, bytes, str]"]


def _query(params: QueryParams | None) -> dict[str, str | int | float | list[str]] | None:
    """Drop ``None`` values and spell booleans the way ASP.NET reads them.

    A sequence goes out as the parameter repeated (``hierarchy=a&hierarchy=b``), which is
    how ASP.NET binds an array from the query string.
    """
    if not params:
        return None
    out: dict[str, str | int | float | list[str]] = {}
    for key, value in params.items():
        if value is None:
            continue
        if isinstance(value, bool):
            out[key] = "true" if value else "false"
        elif isinstance(value, (str, int, float)):
            out[key] = value
        else:
            out[key] = [str(v) for v in value]
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
        connection: Connection,
        *,
        rate_limiter: RateLimiter | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.base_url = connection.base_url
        self.timeouts = connection.timeouts
        self.rate_limiter = rate_limiter or RateLimiter()
        self._client = httpx.AsyncClient(
            base_url=self.base_url + "/",
            headers={
                "Authorization": f"Basic {connection.token}",
                "User-Agent": connection.user_agent,
                "Accept": "application/json",
            },
            timeout=self.timeouts.to_httpx(),
            verify=connection.verify,
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
        files: Files | None = None,
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
                files=dict(files) if files else None,
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
