"""The delivery loop: drains the queue into WATS, once per report in effect.

claim → submit the stored bytes as they are, with ``Idempotency-Key`` = the item's key
(the report id fixed at enqueue time) → ack; or nack / dead-letter / release as the
retry policy decides. All uploads go through the circuit breaker, and every outcome is
reported to the connection service and the metrics.

Before a worker claims anything it waits for two station-wide conditions: credentials
the server takes (:class:`~pywats_station._keeper.CredentialKeeper`) and its turn under
the back-pressure (:class:`~pywats_station._pressure.Backpressure`), so neither a refused
passcode nor a 429 nor an open breaker is met by every worker in turn.
"""

from __future__ import annotations

import asyncio
import enum
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Protocol

from pywats import RateLimitedError
from pywats_station._breaker import BreakerChange, BreakerState, CircuitBreaker, CircuitOpenError
from pywats_station._claims import ClaimJournal
from pywats_station._connection import ConnectionService
from pywats_station._keeper import CredentialKeeper
from pywats_station._metrics import StationMetrics
from pywats_station._pressure import Backpressure
from pywats_station._retry import Action, RetryPolicy, describe_error, is_auth_error

if TYPE_CHECKING:
    from pywats import AsyncWATS
    from pywats_queue import AsyncQueue, Item

__all__ = ["Uploader", "UploadOutcome", "UploadCounts"]

log = logging.getLogger(__name__)


class _Random(Protocol):
    def uniform(self, a: float, b: float) -> float: ...


class UploadOutcome(enum.Enum):
    ACKED = "acked"
    RETRY = "retry"
    """Failed; back in the queue for a later attempt (counted)."""
    RELEASED = "released"
    """Handed back without counting an attempt (re-authentication, breaker, shutdown)."""
    DEAD = "dead"


@dataclass
class UploadCounts:
    """How many claimed items ended each way."""

    acked: int = 0
    retry: int = 0
    released: int = 0
    dead: int = 0

    def add(self, outcome: UploadOutcome) -> None:
        setattr(self, outcome.value, getattr(self, outcome.value) + 1)

    def minus(self, earlier: UploadCounts) -> UploadCounts:
        return UploadCounts(
            *(getattr(self, o.value) - getattr(earlier, o.value) for o in UploadOutcome)
        )


class Uploader:
    """Uploads queued reports with ``concurrency`` workers.

    Queue items carry the report bytes as the payload, the report id as the key, and
    ``meta["format"]`` ``"wsjf"`` (default) or ``"wsxf"``. The bytes are sent exactly as
    stored; the id is never regenerated.

    ``keeper`` owns the client and the state of its credentials; without one, a keeper
    that cannot renew is made for ``client`` (a 401/403 then waits for
    :meth:`CredentialKeeper.replace`). A 401/403 hands the item back uncounted and
    starts the keeper's renewal; until it ends, no worker claims anything.

    ``claims`` counts uploads started without an outcome (the process died, or the lease
    ran out); an item claimed ``max_unfinished_claims`` times that way goes to the dead
    letters on its next claim.
    """

    def __init__(
        self,
        queue: AsyncQueue,
        client: AsyncWATS | None = None,
        *,
        keeper: CredentialKeeper | None = None,
        policy: RetryPolicy | None = None,
        breaker: CircuitBreaker | None = None,
        connection: ConnectionService | None = None,
        metrics: StationMetrics | None = None,
        concurrency: int = 2,
        lease_seconds: float = 300.0,
        idle_interval: float = 1.0,
        claims: ClaimJournal | None = None,
        max_unfinished_claims: int = 5,
        wall_clock: Callable[[], float] = time.time,
        rng: _Random | None = None,
    ) -> None:
        if concurrency < 1:
            raise ValueError(f"concurrency must be >= 1, got {concurrency}")
        if keeper is None:
            if client is None:
                raise ValueError("give the uploader a client or a credential keeper")
            keeper = CredentialKeeper(client, policy=policy)
        self.queue = queue
        self.keeper = keeper
        self.policy = policy or RetryPolicy()
        self.breaker = breaker or CircuitBreaker()
        self.connection = connection
        self.metrics = metrics
        self.concurrency = concurrency
        self.pressure = Backpressure(concurrency)
        self.lease_seconds = lease_seconds
        self.idle_interval = idle_interval
        self.claims = claims or ClaimJournal(None)
        self.max_unfinished_claims = max_unfinished_claims
        self._wall_clock = wall_clock
        self._rng = rng
        self._rate_limited_streak = 0
        self.counts = UploadCounts()
        self._wake = asyncio.Event()
        self.breaker.subscribe(self._on_breaker)

    @property
    def client(self) -> AsyncWATS:
        """The client uploads go out on now (the keeper's)."""
        return self.keeper.client

    def _on_breaker(self, change: BreakerChange) -> None:
        if change.new is BreakerState.OPEN:
            self.pressure.hold(self.breaker.reset_timeout, f"circuit breaker open: {change.reason}")

    def wake(self) -> None:
        """Tell idle workers that new items were queued."""
        self._wake.set()

    async def _submit(self, client: AsyncWATS, item: Item) -> None:
        fmt = str(item.meta.get("format", "wsjf")).lower()
        if fmt == "wsxf":
            await client.report.submit_wsxf(item.payload, report_id=item.key)
        else:
            await client.report.submit_wsjf(item.payload, report_id=item.key)

    async def _crashed_too_often(self, item: Item) -> bool:
        """Dead-letter ``item`` if its earlier claims keep ending without an outcome."""
        unfinished = self.claims.started(item.id) - 1
        if unfinished < self.max_unfinished_claims:
            return False
        reason = (
            f"the upload was started {unfinished} times without finishing (the station "
            "stopped or crashed during it, or its lease ran out); set aside so that it "
            "cannot stop the station again. `pywats-station queue retry` sends it again"
        )
        log.error("report %s moved to dead letters: %s", item.key, reason)
        await self.queue.dead(item, reason)
        self.claims.finished(item.id)
        if self.metrics is not None:
            self.metrics.upload_failed()
        return True

    async def upload_one(self) -> UploadOutcome | None:
        """Claim one ready item and deliver it; ``None`` when no item is ready or the
        credentials wait for renewal.

        Raises :class:`CircuitOpenError` (nothing claimed) while the breaker refuses calls.
        """
        if not self.keeper.is_valid:
            return None
        if self.breaker.retry_in() > 0:
            raise CircuitOpenError(self.breaker.state, self.breaker.retry_in())
        item = await self.queue.claim(self.lease_seconds)
        if item is None:
            return None
        if await self._crashed_too_often(item):
            self.counts.add(UploadOutcome.DEAD)
            return UploadOutcome.DEAD
        try:
            permit = self.breaker.acquire()
        except CircuitOpenError:
            await self.queue.release(item)
            self.claims.finished(item.id)
            self.counts.add(UploadOutcome.RELEASED)
            raise
        client = self.client
        started = self.keeper.now()
        try:
            await self._submit(client, item)
        except asyncio.CancelledError:
            # Shutdown: hand the item back uncounted, so none stays claimed.
            self.breaker.release(permit)
            await asyncio.shield(self.queue.release(item))
            self.claims.finished(item.id)
            self.counts.add(UploadOutcome.RELEASED)
            raise
        except Exception as exc:
            self.breaker.record(permit, exc)
            if self.connection is not None:
                self.connection.report(exc)
            outcome = await self._after_failure(item, exc, client)
            self.claims.finished(item.id)
        else:
            self.breaker.record(permit, None)
            if self.connection is not None:
                self.connection.report(None)
            self.keeper.confirmed(client, started)
            self.pressure.succeeded()
            self._rate_limited_streak = 0
            await self.queue.ack(item)
            self.claims.finished(item.id)
            if self.metrics is not None:
                self.metrics.upload_succeeded()
            log.debug("uploaded %s", item.key)
            outcome = UploadOutcome.ACKED
        self.counts.add(outcome)
        return outcome

    async def _after_failure(self, item: Item, exc: Exception, client: AsyncWATS) -> UploadOutcome:
        now = self._wall_clock()
        if is_auth_error(exc):
            # The credentials, not the report: hand it back uncounted; the keeper renews
            # them (once, whichever worker or probe met the refusal first) and every
            # worker waits for that before claiming again.
            self.keeper.refused(client, describe_error(exc))
            await self.queue.release(item)
            return UploadOutcome.RELEASED
        decision = self.policy.decide(
            exc, attempts=item.attempts + 1, age=max(0.0, now - item.created_at), rng=self._rng
        )
        if decision.action is Action.DEAD:
            log.warning("report %s moved to dead letters: %s", item.key, decision.reason)
            # The server answered this upload, so it was an attempt: count it.
            await self.queue.dead(item, decision.reason, attempted=decision.counts_as_attempt)
            if self.metrics is not None:
                self.metrics.upload_failed()
            return UploadOutcome.DEAD
        delay = decision.delay
        if isinstance(exc, RateLimitedError):
            # The token's pace, not this report: every worker holds, not only this one.
            self._rate_limited_streak += 1
            if exc.retry_after is None:
                delay = self.policy.backoff_cap(self._rate_limited_streak)
            self.pressure.hold(delay, f"rate limited by the server: {decision.reason}")
        retry_at = now + delay
        if not decision.counts_as_attempt:
            await self.queue.release(item, retry_at=retry_at)
            return UploadOutcome.RELEASED
        log.info(
            "upload of %s failed (attempt %d), retrying in %.1f s: %s",
            item.key,
            item.attempts + 1,
            decision.delay,
            decision.reason,
        )
        await self.queue.nack(item, decision.reason, retry_at=retry_at)
        if self.metrics is not None:
            self.metrics.upload_retried()
        return UploadOutcome.RETRY

    async def drain(self) -> UploadCounts:
        """Deliver until no item is ready now (or the breaker opens); returns the counts of
        this call. For ``submit``-and-wait and tests; the service uses :meth:`run`."""
        before = replace(self.counts)
        while True:
            try:
                outcome = await self.upload_one()
            except CircuitOpenError:
                break
            if outcome is None:
                break
        return self.counts.minus(before)

    async def _wait(self, stop: asyncio.Event, seconds: float) -> None:
        self._wake.clear()
        waiters = {asyncio.ensure_future(stop.wait()), asyncio.ensure_future(self._wake.wait())}
        try:
            await asyncio.wait(waiters, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiter in waiters:
                waiter.cancel()

    async def _worker(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            # No claim while the credentials are refused or being renewed.
            if not await self.keeper.wait_valid(stop):
                continue
            outcome: UploadOutcome | None = None
            async with self.pressure.admit(stop) as admitted:
                if not admitted or not self.keeper.is_valid:
                    continue
                try:
                    outcome = await self.upload_one()
                except CircuitOpenError as refused:
                    # Open: every worker holds until a probe may go. Half-open with the
                    # probe taken: a short pause, then try again.
                    self.pressure.hold(max(refused.retry_in, self.idle_interval / 10), f"{refused}")
                    continue
                except Exception:
                    # A queue or programming error must not end delivery; log it and go on.
                    log.exception("upload worker error")
                    outcome = None
            if outcome is None:
                await self._wait(stop, self.idle_interval)

    async def run(self, stop: asyncio.Event, *, grace: float = 30.0) -> None:
        """Deliver until ``stop`` is set; then let in-flight uploads finish for up to
        ``grace`` seconds, and cancel the rest (their items are released, not counted)."""
        workers = [asyncio.create_task(self._worker(stop)) for _ in range(self.concurrency)]
        try:
            await stop.wait()
            await asyncio.wait(workers, timeout=grace)
        finally:
            for task in workers:
                task.cancel()
            # Cancelled uploads release their items (shielded) before they finish.
            await asyncio.gather(*workers, return_exceptions=True)
