"""When to retry an upload, how long to wait, and when to give up.

Only transient failures are retried (connection, timeout, 408, 5xx, 429), with capped
exponential backoff and full jitter; a ``Retry-After`` from the server is honoured, clamped
to a maximum. A 429 says nothing about the report: it is retried without counting an
attempt (the uploader then holds every worker, not only this one). Validation-type
answers (400, 404, 422) go straight to dead letters with the server's message. A 409 is
retried: with an ``Idempotency-Key`` it means an earlier attempt with the same report id
is still being processed (an answer we gave up waiting for), and the report id is what
makes the retry safe. 401/403 are about the credentials: the uploader hands them to the
credential keeper and never counts them as an attempt.
"""

from __future__ import annotations

import enum
import math
import random
from dataclasses import dataclass
from typing import Protocol

from pywats import AuthenticationError, AuthorizationError, PyWATSError, RateLimitedError

__all__ = [
    "Action",
    "RetryDecision",
    "RetryPolicy",
    "is_retryable",
    "is_auth_error",
    "describe_error",
]


class _Random(Protocol):
    def uniform(self, a: float, b: float) -> float: ...


def is_auth_error(error: BaseException) -> bool:
    """401 or 403: the credentials, not the request, are the problem."""
    return isinstance(error, (AuthenticationError, AuthorizationError)) or (
        isinstance(error, PyWATSError) and error.status_code in (401, 403)
    )


def is_retryable(error: BaseException) -> bool:
    """Whether sending the same request later may succeed, judged by the pywats error.

    The client translates every transport failure into a pywats error, so only those
    are judged here. They carry their own verdict (connection, timeout, 429 and
    transient 5xx yes; 400, 401, 403, 404, 422 no). Two more are retryable for the
    station: 408 (the server gave up waiting for our request: nothing was processed)
    and 409 (every upload carries ``Idempotency-Key`` = the report id, so a 409 means "an
    earlier attempt with this key is still in progress"). Anything else (a bug, a bad
    argument) is not.
    """
    if isinstance(error, PyWATSError):
        return error.retryable or error.status_code in (408, 409)
    return False


def describe_error(error: BaseException) -> str:
    """A one-line description for a dead letter: status, our message, the server's text."""
    if isinstance(error, PyWATSError):
        text = error.message.rstrip()
        if text.endswith(":") or not text:
            # Never an empty reason: name what happened underneath.
            cause = error.cause or error.__cause__
            text = f"{text} {type(cause or error).__name__}".strip()
        if error.server_message and error.server_message not in text:
            text += f": {error.server_message}"
        return text
    return f"{type(error).__name__}: {error}" if str(error).strip() else type(error).__name__


class Action(enum.Enum):
    RETRY = "retry"
    """Try again after ``delay`` seconds."""
    REAUTHENTICATE = "reauthenticate"
    """Re-authenticate, then try again at once; not counted as an attempt."""
    DEAD = "dead"
    """Give up: move the item to dead letters with ``reason``."""


@dataclass(frozen=True)
class RetryDecision:
    action: Action
    delay: float
    """Seconds to wait before the next attempt (0 for REAUTHENTICATE and DEAD)."""
    counts_as_attempt: bool
    reason: str
    """Why; for DEAD the last error, including the server's message."""


@dataclass(frozen=True)
class RetryPolicy:
    """Capped exponential backoff with full jitter, attempt and age limits.

    The n-th retry (``attempt`` = attempts made so far, from 1) waits a uniformly random
    time in ``[0, min(max_delay, base_delay * multiplier ** (attempt - 1))]``. An item
    becomes a dead letter once ``max_attempts`` counted attempts have failed or it is
    older than ``max_age`` seconds. A server's ``Retry-After`` replaces the backoff,
    clamped to ``[0, max_retry_after]``.
    """

    base_delay: float = 1.0
    max_delay: float = 300.0
    multiplier: float = 2.0
    max_attempts: int = 20
    max_age: float = 7 * 24 * 3600.0
    max_retry_after: float = 3600.0

    def __post_init__(self) -> None:
        for name in ("base_delay", "max_delay", "max_age"):
            value = getattr(self, name)
            if not (math.isfinite(value) and value > 0):
                raise ValueError(f"{name} must be a positive number, got {value!r}")
        if not (math.isfinite(self.max_retry_after) and self.max_retry_after >= 0):
            raise ValueError(f"max_retry_after must be >= 0, got {self.max_retry_after!r}")
        if not (math.isfinite(self.multiplier) and self.multiplier >= 1):
            raise ValueError(f"multiplier must be >= 1, got {self.multiplier!r}")
        if self.max_attempts < 1:
            raise ValueError(f"max_attempts must be >= 1, got {self.max_attempts!r}")

    def backoff_cap(self, attempt: int) -> float:
        """The upper bound of the wait after ``attempt`` failed attempts."""
        if attempt < 1:
            raise ValueError(f"attempt counts from 1, got {attempt}")
        # Compare exponents, so a huge attempt number never overflows a float.
        exponent = attempt - 1
        if self.multiplier > 1 and exponent * math.log(self.multiplier) >= math.log(
            self.max_delay / self.base_delay + 1
        ):
            return self.max_delay
        return min(self.max_delay, self.base_delay * self.multiplier**exponent)

    def backoff(self, attempt: int, rng: _Random | None = None) -> float:
        """A full-jitter wait after ``attempt`` failed attempts."""
        return (rng or random).uniform(0.0, self.backoff_cap(attempt))

    def clamp_retry_after(self, retry_after: float) -> float:
        if math.isnan(retry_after):
            return 0.0
        return min(max(0.0, retry_after), self.max_retry_after)

    def decide(
        self,
        error: BaseException,
        *,
        attempts: int,
        age: float,
        reauthenticated: bool = False,
        rng: _Random | None = None,
    ) -> RetryDecision:
        """What to do after ``error``.

        ``attempts``: counted attempts made so far, including the one that just failed.
        ``age``: seconds since the item was enqueued. ``reauthenticated``: whether a
        re-authentication was already tried for this failure streak.
        """
        reason = describe_error(error)
        if is_auth_error(error):
            if not reauthenticated:
                return RetryDecision(Action.REAUTHENTICATE, 0.0, False, reason)
            # Re-authenticating did not help: the credentials are bad for every item, so
            # no item is blamed; wait and try again without counting.
            return RetryDecision(Action.RETRY, self.backoff(max(1, attempts), rng), False, reason)
        if not is_retryable(error):
            return RetryDecision(Action.DEAD, 0.0, True, reason)
        retry_after = error.retry_after if isinstance(error, PyWATSError) else None
        if isinstance(error, RateLimitedError) and age < self.max_age:
            # The server pacing this token is no verdict on the report: not an attempt.
            if retry_after is not None:
                delay = self.clamp_retry_after(retry_after)
            else:
                delay = self.backoff(max(1, attempts), rng)
            return RetryDecision(Action.RETRY, delay, False, reason)
        if attempts >= self.max_attempts:
            return RetryDecision(
                Action.DEAD, 0.0, True, f"gave up after {attempts} attempts; last error: {reason}"
            )
        if age >= self.max_age:
            return RetryDecision(
                Action.DEAD,
                0.0,
                True,
                f"gave up after {age:.0f} s in the queue ({attempts} attempts); "
                f"last error: {reason}",
            )
        if retry_after is not None:
            delay = self.clamp_retry_after(retry_after)
        else:
            delay = self.backoff(max(1, attempts), rng)
        return RetryDecision(Action.RETRY, delay, True, reason)
