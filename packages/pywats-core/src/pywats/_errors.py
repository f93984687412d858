"""The exception hierarchy and the mapping from HTTP responses to it.

Every error says whether it is ``retryable``: connection problems, timeouts, 429 and the
transient 5xx are; everything else is not. ``ConnectionError`` and ``TimeoutError``
also subclass the built-in exceptions of the same names, so ``except ConnectionError``
written against the built-ins still catches ours.
"""

from __future__ import annotations

import builtins
import email.utils
import enum
import json
import time
from collections.abc import Mapping
from typing import Any, ClassVar

import httpx

__all__ = [
    "PyWATSError",
    "NotFoundError",
    "ValidationError",
    "AuthenticationError",
    "AuthorizationError",
    "ConflictError",
    "RateLimitedError",
    "ServerError",
    "EmptyResponseError",
    "ConnectionError",
    "TimeoutError",
    "ErrorMode",
    "ErrorHandler",
]
# ``pywats`` re-exports exactly this list; ``error_from_response``, ``parse_retry_after`` and
# ``server_message_from`` serve the client's own modules.

# Keys under which WATS (ASP.NET) and proxies put a human-readable error text.
_MESSAGE_KEYS = ("message", "Message", "error", "detail", "title")
_MAX_SERVER_MESSAGE = 10_000


class PyWATSError(Exception):
    """Base of every pywats error.

    Attributes: ``message`` (what went wrong), ``operation`` (what we were doing, e.g.
    ``"GET /api/App/Version"``), ``details`` (extra context), ``cause`` (the underlying
    exception, if any), ``status_code`` and ``server_message`` (from the response, if
    any), ``retry_after`` (seconds the server asked us to wait, if it said).
    """

    _retryable: ClassVar[bool] = False

    def __init__(
        self,
        message: str,
        *,
        operation: str | None = None,
        details: Mapping[str, Any] | None = None,
        cause: BaseException | None = None,
        status_code: int | None = None,
        server_message: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.operation = operation
        self.details: dict[str, Any] = dict(details or {})
        self.cause = cause
        self.status_code = status_code
        self.server_message = server_message
        self.retry_after = retry_after
        if cause is not None:
            self.__cause__ = cause

    @property
    def retryable(self) -> bool:
        """Whether sending the same request again later may succeed."""
        return self._retryable

    def __str__(self) -> str:
        text = f"{self.operation}: {self.message}" if self.operation else self.message
        if self.server_message and self.server_message not in text:
            text += f"\nServer said: {self.server_message}"
        return text

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}({self.message!r}, operation={self.operation!r}, "
            f"status_code={self.status_code!r})"
        )


class NotFoundError(PyWATSError):
    """The server has no such resource (404)."""


class ValidationError(PyWATSError):
    """The server refused the request as invalid (400 or 422); sending it again won't help."""


class AuthenticationError(PyWATSError):
    """The credentials were refused (401): wrong, expired or revoked token."""


class AuthorizationError(PyWATSError):
    """The credentials are valid but not allowed to do this (403)."""


class ConflictError(PyWATSError):
    """The request conflicts with the server's state (409), e.g. the same idempotency key
    is still being processed."""


class RateLimitedError(PyWATSError):
    """The server's rate limit was hit (429); wait ``retry_after`` seconds if given."""

    _retryable = True


class ServerError(PyWATSError):
    """The server failed (5xx). Transient codes are retryable; 501 and 505 are not."""

    @property
    def retryable(self) -> bool:
        return self.status_code not in (501, 505)


class EmptyResponseError(PyWATSError):
    """The server answered success but without the body the operation needs."""


class ConnectionError(PyWATSError, builtins.ConnectionError):
    """The server could not be reached or dropped the connection."""

    _retryable = True


class TimeoutError(PyWATSError, builtins.TimeoutError):
    """The server did not answer in time (connect, read, write or pool timeout)."""

    _retryable = True


class ErrorMode(enum.Enum):
    """How an :class:`ErrorHandler` treats "nothing there" answers.

    ``STRICT`` raises for every non-success status and for an empty body.
    ``LENIENT`` returns ``None`` for 404 and for an empty success body, and raises for
    everything else.
    """

    STRICT = "strict"
    LENIENT = "lenient"


def server_message_from(response: httpx.Response) -> str | None:
    """Extract the server's human-readable message from an error response.

    Accepts a JSON object (``message``/``Message``/``error``/``detail``/``title``), a JSON
    string literal, or a plain-text body.
    """
    text = response.text.strip()
    if not text:
        return None
    if text[0] in '{["':
        try:
            body = json.loads(text)
        except ValueError:
            body = None
        if isinstance(body, str):
            return body.strip()[:_MAX_SERVER_MESSAGE] or None
        if isinstance(body, dict):
            for key in _MESSAGE_KEYS:
                value = body.get(key)
                if isinstance(value, str) and value.strip():
                    return value.strip()[:_MAX_SERVER_MESSAGE]
                if isinstance(value, dict):
                    nested = next(
                        (value[k] for k in _MESSAGE_KEYS if isinstance(value.get(k), str)), None
                    )
                    if nested:
                        return str(nested).strip()[:_MAX_SERVER_MESSAGE]
    return text[:_MAX_SERVER_MESSAGE]


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header: delta-seconds or an HTTP-date.

    Returns ``None`` for a missing or unparseable header; never a negative number.
    """
    if value is None:
        return None
    value = value.strip()
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:  # an HTTP-date is always GMT
        return None
    current = time.time() if now is None else now
    return max(0.0, when.timestamp() - current)


def _has_request(response: httpx.Response) -> bool:
    try:
        response.request  # noqa: B018  # raises RuntimeError when absent
    except RuntimeError:
        return False
    return True


_STATUS_ERRORS: dict[int, type[PyWATSError]] = {
    400: ValidationError,
    401: AuthenticationError,
    403: AuthorizationError,
    404: NotFoundError,
    409: ConflictError,
    422: ValidationError,
    429: RateLimitedError,
}

_STATUS_TEXT: dict[type[PyWATSError], str] = {
    ValidationError: "the server rejected the request as invalid",
    AuthenticationError: "the credentials were refused; check the token",
    AuthorizationError: "the credentials are not allowed to do this",
    NotFoundError: "not found",
    ConflictError: "conflict with the server's state",
    RateLimitedError: "rate limit exceeded",
    ServerError: "the server failed",
}


def error_from_response(response: httpx.Response, operation: str) -> PyWATSError:
    """The exception for a non-success response."""
    status = response.status_code
    if status in _STATUS_ERRORS:
        cls = _STATUS_ERRORS[status]
    elif status >= 500:
        cls = ServerError
    else:
        cls = PyWATSError
    server_message = server_message_from(response)
    summary = _STATUS_TEXT.get(cls, "unexpected response")
    return cls(
        f"HTTP {status}: {summary}",
        operation=operation,
        status_code=status,
        server_message=server_message,
        retry_after=parse_retry_after(response.headers.get("Retry-After")),
        details={"url": str(response.request.url)} if _has_request(response) else None,
    )


class ErrorHandler:
    """Turns a response into a decoded JSON body, ``None`` or an exception.

    Repositories pass every response through :meth:`handle`, so the mapping of statuses
    to exceptions lives in one place.
    """

    __slots__ = ("mode",)

    def __init__(self, mode: ErrorMode = ErrorMode.STRICT) -> None:
        self.mode = mode

    def handle(self, response: httpx.Response, operation: str) -> Any:
        """Decoded JSON of a success response; ``None`` where LENIENT allows it.

        Raises the matching :class:`PyWATSError` otherwise.
        """
        if response.is_success:
            content = response.content
            if not content.strip():
                if self.mode is ErrorMode.LENIENT:
                    return None
                raise EmptyResponseError(
                    f"HTTP {response.status_code} with an empty body",
                    operation=operation,
                    status_code=response.status_code,
                )
            try:
                return json.loads(content)
            except ValueError as exc:
                raise PyWATSError(
                    f"HTTP {response.status_code}: the body is not valid JSON",
                    operation=operation,
                    status_code=response.status_code,
                    server_message=response.text[:200],
                    cause=exc,
                ) from exc
        if response.status_code == 404 and self.mode is ErrorMode.LENIENT:
            return None
        raise error_from_response(response, operation)

    def handle_bytes(self, response: httpx.Response, operation: str) -> bytes | None:
        """The raw body of a success response (files, XML); ``None`` where LENIENT allows."""
        if response.is_success:
            if response.content or self.mode is ErrorMode.STRICT:
                return response.content
            return None
        if response.status_code == 404 and self.mode is ErrorMode.LENIENT:
            return None
        raise error_from_response(response, operation)

    def check(self, response: httpx.Response, operation: str) -> None:
        """Raise for a non-success response; ignore the body of a success."""
        if response.is_success:
            return
        if response.status_code == 404 and self.mode is ErrorMode.LENIENT:
            return
        raise error_from_response(response, operation)
