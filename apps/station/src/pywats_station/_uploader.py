"""The delivery loop: drains the queue into WATS, once per report in effect.

claim → submit the stored bytes as they are, with ``Idempotency-Key`` = the item's key
(the report id fixed at enqueue time) → ack; or nack / dead-letter / release as the
retry policy decides. All uploads go through the circuit breaker, and every outcome is
reported to the connection service and the metrics.
"""

from __future__ import annotations

import asyncio
import enum
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Protocol

from pywats_station._breaker import CircuitBreaker, CircuitOpenError
from pywats_station._connection import ConnectionService
from pywats_station._metrics import StationMetrics
from pywats_station._retry import Action, RetryPolicy, describe_error

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
    stored; the id is never regenerated. ``reauthenticate`` is awaited once when the
    server answers 401/403 (it is expected to replace :attr:`client`); until an upload
    succeeds again, further 401/403 answers only delay items without counting attempts.
    If it raises, it should :meth:`pause` the uploader; nothing is claimed until
    :meth:`resume`.

    The queue counts each item's claims since its last outcome (``Item.claims``): an item
    whose uploads were started ``max_unfinished_claims`` times without an outcome (the
    process died, or the lease ran out) goes to the dead letters on its next claim.
    """

    def __init__(
        self,
        queue: AsyncQueue,
        client: AsyncWATS,
        *,
        policy: RetryPolicy | None = None,
        breaker: CircuitBreaker | None = None,
        connection: ConnectionService | None = None,
        metrics: StationMetrics | None = None,
        concurrency: int = 2,
        lease_seconds: float = 300.0,
        idle_interval: float = 1.0,
        reauthenticate: Callable[[], Awaitable[None]] | None = None,
        max_unfinished_claims: int = 5,
        wall_clock: Callable[[], float] = time.time,
        rng: _Random | None = None,
    ) -> None:
        if concurrency < 1:
            raise ValueError(f"concurrency must be >= 1, got {concurrency}")
        self.queue = queue
        self.client = client
        self.policy = policy or RetryPolicy()
        self.breaker = breaker or CircuitBreaker()
        self.connection = connection
        self.metrics = metrics
        self.concurrency = concurrency
        self.lease_seconds = lease_seconds
        self.idle_interval = idle_interval
        self._reauthenticate = reauthenticate
        self.max_unfinished_claims = max_unfinished_claims
        self.paused_reason: str | None = None
        self._wall_clock = wall_clock
        self._rng = rng
        self._reauth_lock = asyncio.Lock()
        self._reauthenticated = False
        self._probe_refusal_handled = False
        self.counts = UploadCounts()
        self._wake = asyncio.Event()

    def credentials_changed(self) -> None:
        """A person stored new credentials: the next 401/403 may re-authenticate again,
        and a pause for bad credentials ends."""
        self._reauthenticated = False
        self._probe_refusal_handled = False
        self.resume()

    async def probe_refused(self, client: AsyncWATS, reason: str) -> bool:
        """The connection probe was refused (401/403) on ``client``: re-authenticate, so
        that a station with nothing to upload recovers too. Once until a probe succeeds
        again (:meth:`probe_accepted`); never while or after an upload re-authenticated
        with this client. Returns whether the client was replaced."""
        if (
            self._probe_refusal_handled
            or self._reauthenticated
            or self._reauthenticate is None
            or client is not self.client
            or self._reauth_lock.locked()
        ):
            return False
        self._probe_refusal_handled = True
        async with self._reauth_lock:
            if client is not self.client:
                return True
            log.info("credentials refused by the probe (%s); re-authenticating", reason)
            self._reauthenticated = True
            try:
                await self._reauthenticate()
            except Exception as reauth_error:
                log.warning("re-authentication failed: %s", describe_error(reauth_error))
                return False
            # Fresh credentials: a later 401 on them may re-authenticate again, or an
            # idle station could recover only once.
            self._reauthenticated = False
            return client is not self.client

    def probe_accepted(self) -> None:
        """The probe got through: a later refusal of it may re-authenticate again."""
        self._probe_refusal_handled = False

    def pause(self, reason: str) -> None:
        """Claim nothing until :meth:`resume` (uploads in flight finish)."""
        if self.paused_reason is None:
            log.error("uploads paused: %s", reason)
        self.paused_reason = reason

    def resume(self) -> None:
        if self.paused_reason is not None:
            log.info("uploads resumed")
        self.paused_reason = None
        self._wake.set()

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
        unfinished = item.claims - 1  # this claim is counted too
        if unfinished < self.max_unfinished_claims:
            return False
        reason = (
            f"the upload was started {unfinished} times without finishing (the station "
            "stopped or crashed during it, or its lease ran out); set aside so that it "
            "cannot stop the station again. `pywats-station queue retry` sends it again"
        )
        log.error("report %s moved to dead letters: %s", item.key, reason)
        await self.queue.dead(item, reason)
        if self.metrics is not None:
            self.metrics.upload_failed()
        return True

    async def upload_one(self) -> UploadOutcome | None:
        """Claim one ready item and deliver it; ``None`` when no item is ready.

        Raises :class:`CircuitOpenError` (nothing claimed) while the breaker refuses calls.
        """
        if self.paused_reason is not None:
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
            self.counts.add(UploadOutcome.RELEASED)
            raise
        client = self.client
        try:
            await self._submit(client, item)
        except asyncio.CancelledError:
            # Shutdown: hand the item back uncounted, so none stays claimed.
            self.breaker.release(permit)
            await asyncio.shield(self.queue.release(item))
            self.counts.add(UploadOutcome.RELEASED)
            raise
        except Exception as exc:
            self.breaker.record(permit, exc)
            if self.connection is not None:
                self.connection.report(exc)
            outcome = await self._after_failure(item, exc, client)
        else:
            self.breaker.record(permit, None)
            if self.connection is not None:
                self.connection.report(None)
            await self.queue.ack(item)
            self._reauthenticated = False
            if self.metrics is not None:
                self.metrics.upload_succeeded()
            log.debug("uploaded %s", item.key)
            outcome = UploadOutcome.ACKED
        self.counts.add(outcome)
        return outcome

    async def _after_failure(self, item: Item, exc: Exception, client: AsyncWATS) -> UploadOutcome:
        now = self._wall_clock()
        # A 401 on a client that was replaced meanwhile says nothing about the new one.
        stale_client = client is not self.client
        decision = self.policy.decide(
            exc,
            attempts=item.attempts + 1,
            age=max(0.0, now - item.created_at),
            reauthenticated=(self._reauthenticated and not stale_client)
            or self._reauthenticate is None,
            rng=self._rng,
        )
        if decision.action is Action.REAUTHENTICATE:
            async with self._reauth_lock:
                # Concurrent 401s re-authenticate once: later ones see the new client.
                if (
                    client is self.client
                    and not self._reauthenticated
                    and self._reauthenticate is not None
                ):
                    log.info("credentials refused (%s); re-authenticating", decision.reason)
                    self._reauthenticated = True
                    try:
                        await self._reauthenticate()
                    except Exception as reauth_error:
                        log.warning("re-authentication failed: %s", describe_error(reauth_error))
            await self.queue.release(item)
            return UploadOutcome.RELEASED
        if decision.action is Action.DEAD:
            log.warning("report %s moved to dead letters: %s", item.key, decision.reason)
            # The server answered this upload, so it was an attempt: count it.
            await self.queue.dead(item, decision.reason, attempted=decision.counts_as_attempt)
            if self.metrics is not None:
                self.metrics.upload_failed()
            return UploadOutcome.DEAD
        retry_at = now + decision.delay
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
            try:
                outcome = await self.upload_one()
            except CircuitOpenError as refused:
                await self._wait(stop, max(refused.retry_in, self.idle_interval / 10))
                continue
            except Exception:
                # A queue or programming error must not end delivery; log it and go on.
                log.exception("upload worker error")
                await self._wait(stop, self.idle_interval)
                continue
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
