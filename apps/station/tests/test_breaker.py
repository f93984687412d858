from __future__ import annotations

import asyncio
import threading

import httpx
import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    consumes,
    invariant,
    precondition,
    rule,
)

import pywats
from pywats_station import (
    BreakerChange,
    BreakerState,
    CircuitBreaker,
    CircuitOpenError,
    counts_as_breaker_failure,
)


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _status_error(status: int) -> pywats.PyWATSError:
    request = httpx.Request("GET", "http://wats.test/api/App/Version")
    with pytest.raises(pywats.PyWATSError) as caught:
        pywats.ErrorHandler().check(httpx.Response(status, request=request), "probe")
    return caught.value


@pytest.mark.parametrize(
    ("error", "counts"),
    [
        (pywats.ConnectionError("refused"), True),
        (pywats.TimeoutError("slow"), True),
        # The client wraps transport errors; raw ones are not judged (a bug of ours).
        (ConnectionResetError("reset"), False),
        (httpx.ConnectError("refused"), False),
        (_status_error(500), True),
        (_status_error(503), True),
        (_status_error(400), False),
        (_status_error(401), False),
        (_status_error(404), False),
        (_status_error(429), False),
        (ValueError("bug"), False),
    ],
    ids=repr,
)
def test_only_transport_errors_and_5xx_count(error: BaseException, counts: bool) -> None:
    assert counts_as_breaker_failure(error) is counts


def test_opens_after_threshold_then_lets_one_probe_through() -> None:
    clock = FakeClock()
    changes: list[BreakerChange] = []
    breaker = CircuitBreaker(failure_threshold=3, reset_timeout=30, clock=clock)
    breaker.subscribe(changes.append)
    for _ in range(2):
        breaker.record(breaker.acquire(), pywats.ConnectionError("down"))
    assert breaker.state is BreakerState.CLOSED
    breaker.record(breaker.acquire(), _status_error(503))
    assert breaker.state is BreakerState.OPEN
    assert [(c.old, c.new) for c in changes] == [(BreakerState.CLOSED, BreakerState.OPEN)]

    with pytest.raises(CircuitOpenError) as refused:
        breaker.acquire()
    assert refused.value.retry_in == 30
    clock.now += 29.5
    with pytest.raises(CircuitOpenError):
        breaker.acquire()
    clock.now += 0.5
    probe = breaker.acquire()
    assert probe.probe
    assert breaker.state is BreakerState.HALF_OPEN
    # While the probe is in flight everyone else is refused.
    for _ in range(5):
        with pytest.raises(CircuitOpenError, match="half-open"):
            breaker.acquire()
    breaker.record(probe, None)
    assert breaker.state is BreakerState.CLOSED
    assert breaker.consecutive_failures == 0
    assert [c.new for c in changes] == [
        BreakerState.OPEN,
        BreakerState.HALF_OPEN,
        BreakerState.CLOSED,
    ]


def test_failed_probe_reopens_for_a_full_timeout() -> None:
    clock = FakeClock()
    breaker = CircuitBreaker(failure_threshold=1, reset_timeout=10, clock=clock)
    breaker.record(breaker.acquire(), pywats.TimeoutError("slow"))
    clock.now += 10
    breaker.record(breaker.acquire(), pywats.ConnectionError("still down"))
    assert breaker.state is BreakerState.OPEN
    assert breaker.retry_in() == 10


def test_a_client_error_resets_the_failure_count() -> None:
    breaker = CircuitBreaker(failure_threshold=2, reset_timeout=10, clock=FakeClock())
    breaker.record(breaker.acquire(), pywats.ConnectionError("blip"))
    breaker.record(breaker.acquire(), _status_error(400))  # the server answered
    breaker.record(breaker.acquire(), pywats.ConnectionError("blip"))
    assert breaker.state is BreakerState.CLOSED


def test_a_cancelled_probe_frees_the_slot_for_the_next_caller() -> None:
    clock = FakeClock()
    breaker = CircuitBreaker(failure_threshold=1, reset_timeout=5, clock=clock)
    breaker.record(breaker.acquire(), pywats.ConnectionError("down"))
    clock.now += 5
    probe = breaker.acquire()
    breaker.release(probe)
    assert breaker.state is BreakerState.HALF_OPEN
    assert breaker.acquire().probe


def test_outcomes_of_calls_from_before_a_state_change_are_ignored() -> None:
    clock = FakeClock()
    breaker = CircuitBreaker(failure_threshold=2, reset_timeout=5, clock=clock)
    old_permits = [breaker.acquire() for _ in range(4)]
    breaker.record(old_permits[0], pywats.ConnectionError("down"))
    breaker.record(old_permits[1], pywats.ConnectionError("down"))
    assert breaker.state is BreakerState.OPEN
    clock.now += 5
    probe = breaker.acquire()
    # A slow call from before the outage succeeds: that must not close the breaker.
    breaker.record(old_permits[2], None)
    assert breaker.state is BreakerState.HALF_OPEN
    breaker.record(probe, None)
    assert breaker.state is BreakerState.CLOSED
    # A failure from before the recovery must not count against the new closed period.
    breaker.record(old_permits[3], pywats.ConnectionError("old news"))
    assert breaker.consecutive_failures == 0


def test_a_permit_cannot_be_used_twice() -> None:
    breaker = CircuitBreaker(clock=FakeClock())
    permit = breaker.acquire()
    breaker.record(permit, None)
    with pytest.raises(RuntimeError, match="already used"):
        breaker.record(permit, None)


def test_a_failing_subscriber_does_not_break_the_caller() -> None:
    seen: list[BreakerState] = []

    def broken(change: BreakerChange) -> None:
        raise RuntimeError("subscriber bug")

    clock = FakeClock()
    breaker = CircuitBreaker(failure_threshold=1, reset_timeout=1, clock=clock)
    breaker.subscribe(broken)
    unsubscribe = breaker.subscribe(lambda c: seen.append(c.new))
    breaker.record(breaker.acquire(), pywats.ConnectionError("down"))
    assert seen == [BreakerState.OPEN]
    unsubscribe()
    clock.now += 1
    breaker.acquire()
    assert breaker.state is BreakerState.HALF_OPEN
    assert seen == [BreakerState.OPEN]  # unsubscribed: no further calls


@pytest.mark.anyio
async def test_exactly_one_concurrent_caller_probes() -> None:
    clock = FakeClock()
    breaker = CircuitBreaker(failure_threshold=1, reset_timeout=1, clock=clock)
    breaker.record(breaker.acquire(), pywats.ConnectionError("down"))
    clock.now += 1
    release = asyncio.Event()
    calls = 0

    async def upload() -> str:
        nonlocal calls
        calls += 1
        await release.wait()
        return "ok"

    async def attempt() -> str:
        try:
            return await breaker.call(upload)
        except CircuitOpenError:
            return "refused"

    tasks = [asyncio.create_task(attempt()) for _ in range(20)]
    await asyncio.sleep(0.05)
    assert calls == 1
    release.set()
    results = await asyncio.gather(*tasks)
    assert results.count("ok") == 1
    assert results.count("refused") == 19
    assert breaker.state is BreakerState.CLOSED


@pytest.mark.anyio
async def test_no_lock_is_held_during_the_call() -> None:
    breaker = CircuitBreaker(failure_threshold=1, clock=FakeClock())
    inner_ok = threading.Event()

    async def call() -> None:
        # Another thread can use the breaker while this call runs: the lock is free.
        def other() -> None:
            breaker.record(breaker.acquire(), None)
            breaker.retry_in()
            inner_ok.set()

        thread = threading.Thread(target=other)
        thread.start()
        await asyncio.to_thread(thread.join, 10)

    await breaker.call(call)
    assert inner_ok.is_set()


@pytest.mark.anyio
async def test_call_records_failures_and_reraises() -> None:
    breaker = CircuitBreaker(failure_threshold=2, clock=FakeClock())

    async def down() -> None:
        raise pywats.ConnectionError("refused")

    for _ in range(2):
        with pytest.raises(pywats.ConnectionError):
            await breaker.call(down)
    assert breaker.state is BreakerState.OPEN
    with pytest.raises(CircuitOpenError):
        await breaker.call(down)


@pytest.mark.anyio
async def test_cancellation_releases_the_probe() -> None:
    clock = FakeClock()
    breaker = CircuitBreaker(failure_threshold=1, reset_timeout=1, clock=clock)
    breaker.record(breaker.acquire(), pywats.ConnectionError("down"))
    clock.now += 1

    async def hang() -> None:
        await asyncio.sleep(3600)

    task = asyncio.create_task(breaker.call(hang))
    await asyncio.sleep(0.01)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert breaker.state is BreakerState.HALF_OPEN
    assert breaker.acquire().probe  # the slot is free again


# -- model-based test ------------------------------------------------------------------

OUTCOMES = {
    "success": None,
    "transport": pywats.ConnectionError("refused"),
    "5xx": _status_error(503),
    "4xx": _status_error(400),
}


class BreakerMachine(RuleBasedStateMachine):
    """The breaker against a plain model of the rules, with an injected clock."""

    permits = Bundle("permits")

    def __init__(self) -> None:
        super().__init__()
        self.clock = FakeClock()
        self.threshold = 3
        self.timeout = 10.0
        self.breaker = CircuitBreaker(self.threshold, self.timeout, clock=self.clock)
        self.changes: list[tuple[str, str]] = []
        self.breaker.subscribe(lambda c: self.changes.append((c.old.value, c.new.value)))
        # The model.
        self.state = "closed"
        self.failures = 0
        self.opened_at = 0.0
        self.generation = 0
        self.probe_out = False
        self.expected_changes: list[tuple[str, str]] = []

    def _move(self, new: str) -> None:
        self.expected_changes.append((self.state, new))
        self.state = new
        self.generation += 1
        if new == "open":
            self.opened_at = self.clock.now
        if new == "closed":
            self.failures = 0

    @rule(seconds=st.sampled_from([0.0, 0.5, 3.0, 9.99, 10.0, 25.0]))
    def advance(self, seconds: float) -> None:
        self.clock.now += seconds

    @rule(target=permits)
    def acquire(self) -> object:
        expect_probe = False
        allowed = True
        if self.state == "open":
            if self.clock.now - self.opened_at >= self.timeout:
                self._move("half_open")
                expect_probe = True
            else:
                allowed = False
        elif self.state == "half_open":
            if self.probe_out:
                allowed = False
            else:
                expect_probe = True
        try:
            permit = self.breaker.acquire()
        except CircuitOpenError:
            assert not allowed, "refused a call the model allows"
            return ("refused", None, 0, False)
        assert allowed, f"allowed a call in model state {self.state}"
        assert permit.probe == expect_probe
        if expect_probe:
            self.probe_out = True
        return ("permit", permit, self.generation, expect_probe)

    @rule(entry=consumes(permits), outcome=st.sampled_from(sorted(OUTCOMES)))
    def finish(self, entry: tuple[str, object, int, bool], outcome: str) -> None:
        kind, permit, generation, probe = entry
        if kind != "permit":
            return
        failed = outcome in ("transport", "5xx")
        current = generation == self.generation
        if probe:
            if current:
                self.probe_out = False
                self._move("open" if failed else "closed")
        elif current and self.state == "closed":
            if failed:
                self.failures += 1
                if self.failures >= self.threshold:
                    self._move("open")
            else:
                self.failures = 0
        self.breaker.record(permit, OUTCOMES[outcome])  # type: ignore[arg-type]

    @rule(entry=consumes(permits))
    def cancel(self, entry: tuple[str, object, int, bool]) -> None:
        kind, permit, generation, probe = entry
        if kind != "permit":
            return
        if probe and generation == self.generation:
            self.probe_out = False
        self.breaker.release(permit)  # type: ignore[arg-type]

    @precondition(lambda self: self.state == "open")
    @rule()
    def retry_in_counts_down(self) -> None:
        expected = max(0.0, self.opened_at + self.timeout - self.clock.now)
        assert self.breaker.retry_in() == pytest.approx(expected)

    @invariant()
    def same_state_as_model(self) -> None:
        assert self.breaker.state.value == self.state
        if self.state == "closed":
            assert self.breaker.consecutive_failures == self.failures

    @invariant()
    def every_change_was_announced(self) -> None:
        assert self.changes == self.expected_changes


BreakerMachine.TestCase.settings = settings(max_examples=300, stateful_step_count=40, deadline=None)
test_breaker_matches_model = BreakerMachine.TestCase
