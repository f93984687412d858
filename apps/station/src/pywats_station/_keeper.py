"""The station's credentials as one state machine, and the client that goes with them.

    VALID ──401/403──▶ REFUSED ──▶ RENEWING ──▶ VALID
                         ▲            │
                         └─transient──┘ (connection, timeout, 5xx, 429: backoff, again)
                                      │
                                      └──token refused──▶ NEEDS_PERSON

A refusal (an upload's or the probe's 401/403 on the current client) starts one renewal:
the station registers again with its stored registration token, retrying transient
failures of ``Client/Register`` with the retry policy's backoff for as long as it takes.
Only when the server refuses the registration token itself (or none is stored) does it
wait for a person. Whichever path brings working credentials (the renewal, a probe or an
upload that gets through, a ``register`` run beside the station) makes them VALID again.

While the state is not VALID, nothing is sent with the refused credentials: workers wait
in :meth:`CredentialKeeper.wait_valid` (no claim, no POST, no attempt counted).
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import logging
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from pywats_station._register import RegistrationError
from pywats_station._retry import RetryPolicy, describe_error

if TYPE_CHECKING:
    from pywats import AsyncWATS

__all__ = ["CredentialKeeper", "CredentialState", "NeedsPerson"]

log = logging.getLogger(__name__)


class CredentialState(enum.Enum):
    VALID = "valid"
    """The server takes the credentials (as far as we know)."""
    REFUSED = "refused"
    """The server refused them; a renewal is due (after a backoff, if one failed)."""
    RENEWING = "renewing"
    """``Client/Register`` is in flight."""
    NEEDS_PERSON = "needs_person"
    """The server refused the registration token itself, or none is stored: someone has
    to run ``pywats-station register``."""


class NeedsPerson(Exception):
    """Raised by a renewal that no retry can make succeed."""


Renew = Callable[[], Awaitable["AsyncWATS | None"]]
"""One renewal attempt: returns the new client, or ``None`` when none was needed (a
person's credentials were found meanwhile and are in use). Raises
:class:`RegistrationError` (retried unless ``token_refused``) or :class:`NeedsPerson`."""


class CredentialKeeper:
    """Owns the current client and the state of its credentials.

    ``renew`` performs one renewal attempt (see :data:`Renew`); ``None`` means refused
    credentials can only wait for a person. ``on_valid`` is called (without awaiting)
    each time the state becomes VALID, e.g. to probe at once.
    """

    def __init__(
        self,
        client: AsyncWATS,
        renew: Renew | None = None,
        *,
        policy: RetryPolicy | None = None,
        on_valid: Callable[[], Any] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.client = client
        self._renew = renew
        self.policy = policy or RetryPolicy()
        self.on_valid = on_valid
        self._clock = clock
        self.state = CredentialState.VALID
        self.reason = "not refused"
        self.renewals = 0
        """Successful renewals (registrations) since start."""
        self._failed_tries = 0
        self._unconfirmed_renewals = 0
        self._retry_at: float | None = None
        self._refused_at = float("-inf")
        self._valid = asyncio.Event()
        self._valid.set()
        self._task: asyncio.Task[None] | None = None
        self._closed = False

    # -- what workers and the probe report ---------------------------------------------

    @property
    def is_valid(self) -> bool:
        return self.state is CredentialState.VALID

    def refused(self, client: AsyncWATS, reason: str) -> None:
        """``client`` got a 401/403. Starts a renewal if it is the current client and no
        renewal is under way; a refusal of an old client says nothing about the new one."""
        if client is not self.client or self._closed:
            return
        if self.state is not CredentialState.VALID:
            return
        self._refused_at = self._clock()
        self._set(CredentialState.REFUSED, f"the server refused the credentials: {reason}")
        if self._renew is None:
            self._set(
                CredentialState.NEEDS_PERSON,
                f"the server refused the credentials ({reason}); run `pywats-station register`",
            )
            return
        self._task = asyncio.get_running_loop().create_task(self._renewal())

    def confirmed(self, client: AsyncWATS, started: float | None = None) -> None:
        """A call with ``client``, started at ``started`` (this keeper's clock), got
        through: if it is the current client, its credentials work, whatever the state
        said. A call started before the last refusal proves nothing (it may have passed
        just before the passcode was voided)."""
        if client is not self.client:
            return
        if started is not None and started <= self._refused_at:
            return
        self._unconfirmed_renewals = 0
        if self.state is not CredentialState.VALID:
            self._stop_renewal()
            self._set(CredentialState.VALID, "the server took the credentials again")

    def replace(self, client: AsyncWATS, reason: str) -> None:
        """New credentials from elsewhere (a person ran ``register``): use them."""
        self.client = client
        self._unconfirmed_renewals = 0
        self._stop_renewal()
        self._set(CredentialState.VALID, reason)

    async def wait_valid(self, stop: asyncio.Event) -> bool:
        """Wait until the credentials are VALID (True) or ``stop`` is set (False)."""
        if self._valid.is_set():
            return True
        valid = asyncio.ensure_future(self._valid.wait())
        stopped = asyncio.ensure_future(stop.wait())
        try:
            await asyncio.wait({valid, stopped}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            valid.cancel()
            stopped.cancel()
        return self._valid.is_set() and not stop.is_set()

    def now(self) -> float:
        """This keeper's clock, for :meth:`confirmed`'s ``started``."""
        return self._clock()

    def snapshot(self) -> dict[str, object]:
        retry_in = None
        if self._retry_at is not None and self.state is CredentialState.REFUSED:
            retry_in = round(max(0.0, self._retry_at - self._clock()), 3)
        return {
            "state": self.state.value,
            "reason": self.reason,
            "renewals": self.renewals,
            "failed_tries": self._failed_tries,
            "retry_in_seconds": retry_in,
        }

    async def close(self) -> None:
        self._closed = True
        task = self._stop_renewal()
        if task is not None:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task

    # -- the machine -------------------------------------------------------------------

    def _set(self, state: CredentialState, reason: str) -> None:
        old = self.state
        self.state, self.reason = state, reason
        if state is CredentialState.VALID:
            self._failed_tries = 0
            self._retry_at = None
            self._valid.set()
        else:
            self._valid.clear()
        if state is old:
            return
        level = logging.ERROR if state is CredentialState.NEEDS_PERSON else logging.WARNING
        if state is CredentialState.VALID:
            level = logging.INFO
        log.log(level, "credentials %s -> %s: %s", old.value, state.value, reason)
        if state is CredentialState.VALID and self.on_valid is not None:
            try:
                self.on_valid()
            except Exception:
                log.exception("a credentials subscriber failed")

    def _stop_renewal(self) -> asyncio.Task[None] | None:
        task, self._task = self._task, None
        if task is not None and not task.done() and task is not asyncio.current_task():
            task.cancel()
        return task

    async def _renewal(self) -> None:
        assert self._renew is not None
        # Renewed credentials refused again before any call got through: wait before
        # registering once more, so a server that keeps refusing is not hammered.
        if self._unconfirmed_renewals:
            await self._pause(self.policy.backoff(self._unconfirmed_renewals))
        while not self._closed and self.state is not CredentialState.VALID:
            self._set(CredentialState.RENEWING, "registering again with the stored token")
            try:
                client = await self._renew()
            except NeedsPerson as exc:
                self._set(CredentialState.NEEDS_PERSON, str(exc))
                return
            except RegistrationError as exc:
                if exc.token_refused:
                    self._set(
                        CredentialState.NEEDS_PERSON,
                        f"re-registration failed: {exc}; run `pywats-station register`",
                    )
                    return
                self._failed_tries += 1
                # Half the backoff cap plus jitter: never a burst of tries, never in step
                # with other stations; a server's Retry-After (a 429 or 503) comes first.
                delay = self.policy.backoff_cap(self._failed_tries)
                delay = delay / 2 + self.policy.backoff(self._failed_tries) / 2
                retry_after = exc.cause.retry_after if exc.cause is not None else None
                if retry_after is not None:
                    delay = max(delay, self.policy.clamp_retry_after(retry_after))
                self._set(
                    CredentialState.REFUSED,
                    f"re-registration failed ({exc}); trying again in {delay:.1f} s",
                )
                await self._pause(delay)
                continue
            except Exception as exc:  # a bug must not leave the station stuck silently
                log.exception("re-registration failed unexpectedly")
                self._failed_tries += 1
                delay = self.policy.backoff_cap(self._failed_tries)
                self._set(
                    CredentialState.REFUSED,
                    f"re-registration failed ({describe_error(exc)}); trying again in "
                    f"{delay:.1f} s",
                )
                await self._pause(delay)
                continue
            if client is not None:
                self.client = client
                self.renewals += 1
                self._unconfirmed_renewals += 1
            self._task = None
            self._set(CredentialState.VALID, "registered again; uploads go on")
            return

    async def _pause(self, seconds: float) -> None:
        self._retry_at = self._clock() + seconds
        await asyncio.sleep(seconds)
