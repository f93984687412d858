from __future__ import annotations

import builtins
import random

import httpx
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import pywats
from pywats_station import Action, RetryPolicy, is_retryable
from pywats_station._retry import describe_error

policies = st.builds(
    RetryPolicy,
    base_delay=st.floats(0.001, 100),
    max_delay=st.floats(0.001, 10_000),
    multiplier=st.floats(1, 10),
    max_attempts=st.integers(1, 1000),
    max_age=st.floats(1, 1e7),
    max_retry_after=st.floats(0, 1e5),
)


def _http_error(status: int, retry_after: float | None = None) -> pywats.PyWATSError:
    request = httpx.Request("POST", "http://wats.test/api/Report/WSJF")
    headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
    response = httpx.Response(
        status, request=request, headers=headers, json={"Message": f"problem {status}"}
    )
    with pytest.raises(pywats.PyWATSError) as caught:
        pywats.ErrorHandler().check(response, "Report.submit")
    return caught.value


TRANSIENT = [pywats.ConnectionError("refused"), pywats.TimeoutError("slow")]
# The client wraps these; meeting one raw is a bug of ours, not a transient failure.
UNWRAPPED = [
    builtins.ConnectionError("reset"),
    builtins.TimeoutError("timed out"),
    httpx.ConnectError("refused"),
    httpx.ReadTimeout("slow"),
]


@pytest.mark.parametrize("status", [408, 429, 500, 502, 503, 504])
def test_transient_statuses_are_retryable(status: int) -> None:
    assert is_retryable(_http_error(status))


@pytest.mark.parametrize("error", TRANSIENT, ids=lambda e: type(e).__name__)
def test_transport_errors_are_retryable(error: BaseException) -> None:
    assert is_retryable(error)


@pytest.mark.parametrize("status", [400, 401, 403, 404, 422, 501])
def test_permanent_statuses_are_not_retryable(status: int) -> None:
    assert not is_retryable(_http_error(status))


def test_an_idempotency_conflict_is_retried_and_counted() -> None:
    # 409: an earlier attempt with the same Idempotency-Key is still being processed.
    conflict = _http_error(409)
    assert is_retryable(conflict)
    decision = RetryPolicy(max_attempts=3).decide(conflict, attempts=1, age=0)
    assert decision.action is Action.RETRY
    assert decision.counts_as_attempt
    assert RetryPolicy(max_attempts=3).decide(conflict, attempts=3, age=0).action is Action.DEAD


def test_bugs_are_not_retryable() -> None:
    assert not is_retryable(ValueError("bad argument"))
    assert not is_retryable(KeyError("x"))


@pytest.mark.parametrize("error", UNWRAPPED, ids=lambda e: type(e).__name__)
def test_only_pywats_errors_are_judged(error: BaseException) -> None:
    assert not is_retryable(error)


def test_a_429_is_retried_without_counting_an_attempt() -> None:
    decision = RetryPolicy(max_attempts=1).decide(_http_error(429, 7), attempts=1, age=0)
    assert decision.action is Action.RETRY
    assert not decision.counts_as_attempt
    assert decision.delay == 7


def test_an_error_without_text_is_named_by_its_type() -> None:
    import httpx as _httpx

    blank = pywats.ConnectionError(
        "could not talk to http://wats.test: ", cause=_httpx.ReadError("")
    )
    assert describe_error(blank) == "could not talk to http://wats.test: ReadError"
    assert describe_error(OSError()) == "OSError"


@given(policy=policies, attempt=st.integers(1, 10_000), seed=st.integers())
def test_backoff_is_full_jitter_within_the_cap(
    policy: RetryPolicy, attempt: int, seed: int
) -> None:
    cap = policy.backoff_cap(attempt)
    assert 0 <= cap <= policy.max_delay
    try:
        growth = policy.multiplier ** (attempt - 1)
    except OverflowError:
        growth = float("inf")
    assert cap == pytest.approx(min(policy.max_delay, policy.base_delay * growth), rel=1e-9)
    delay = policy.backoff(attempt, random.Random(seed))
    assert 0 <= delay <= cap


@given(policy=policies, attempt=st.integers(1, 200))
def test_backoff_cap_never_shrinks(policy: RetryPolicy, attempt: int) -> None:
    assert policy.backoff_cap(attempt + 1) >= policy.backoff_cap(attempt)


def test_jitter_spreads_over_the_whole_range() -> None:
    policy = RetryPolicy(base_delay=1, max_delay=8)
    rng = random.Random(7)
    delays = [policy.backoff(4, rng) for _ in range(2000)]
    assert max(delays) <= 8
    # Full jitter: draws land in the low and the high end of [0, cap].
    assert min(delays) < 0.5
    assert max(delays) > 7.5


@given(
    policy=policies,
    retry_after=st.floats(-1e6, 1e7, allow_nan=False),
    attempts=st.integers(1, 1000),
)
def test_retry_after_is_honoured_and_clamped(
    policy: RetryPolicy, retry_after: float, attempts: int
) -> None:
    assume(attempts < policy.max_attempts)
    error = pywats.ServerError("busy", status_code=503, retry_after=retry_after)
    decision = policy.decide(error, attempts=attempts, age=0.0)
    assert decision.action is Action.RETRY
    assert decision.counts_as_attempt
    assert decision.delay == min(max(0.0, retry_after), policy.max_retry_after)


def test_retry_after_header_from_a_real_response_is_used() -> None:
    policy = RetryPolicy(max_retry_after=60)
    assert policy.decide(_http_error(503, 17), attempts=1, age=0).delay == 17
    assert policy.decide(_http_error(429, 9999), attempts=1, age=0).delay == 60


@given(
    policy=policies,
    status=st.sampled_from([401, 403]),
    attempts=st.integers(0, 2000),
    age=st.floats(0, 1e8),
    seed=st.integers(),
)
def test_auth_failures_reauthenticate_once_and_never_count(
    policy: RetryPolicy, status: int, attempts: int, age: float, seed: int
) -> None:
    error = _http_error(status)
    first = policy.decide(error, attempts=attempts, age=age, rng=random.Random(seed))
    assert first.action is Action.REAUTHENTICATE
    assert not first.counts_as_attempt
    again = policy.decide(
        error, attempts=attempts, age=age, reauthenticated=True, rng=random.Random(seed)
    )
    # Bad credentials are no fault of the item: it is neither counted nor dead-lettered.
    assert again.action is Action.RETRY
    assert not again.counts_as_attempt
    assert 0 <= again.delay <= policy.max_delay


@given(
    policy=policies,
    status=st.sampled_from([400, 404, 422]),
    attempts=st.integers(0, 5),
)
def test_client_errors_go_straight_to_dead_letters(
    policy: RetryPolicy, status: int, attempts: int
) -> None:
    decision = policy.decide(_http_error(status), attempts=attempts, age=0)
    assert decision.action is Action.DEAD
    assert f"problem {status}" in decision.reason  # the server's message is kept


@given(policy=policies, attempts=st.integers(1, 2000), error=st.sampled_from(TRANSIENT))
def test_transient_errors_retry_until_max_attempts(
    policy: RetryPolicy, attempts: int, error: BaseException
) -> None:
    decision = policy.decide(error, attempts=attempts, age=0)
    if attempts >= policy.max_attempts:
        assert decision.action is Action.DEAD
        assert f"gave up after {attempts} attempts" in decision.reason
    else:
        assert decision.action is Action.RETRY
        assert decision.counts_as_attempt
        assert 0 <= decision.delay <= policy.max_delay


@given(policy=policies, age=st.floats(0, 1e8))
def test_items_older_than_max_age_become_dead_letters(policy: RetryPolicy, age: float) -> None:
    assume(policy.max_attempts > 1)
    decision = policy.decide(_http_error(503), attempts=1, age=age)
    assert (decision.action is Action.DEAD) == (age >= policy.max_age)
    if decision.action is Action.DEAD:
        assert "HTTP 503" in decision.reason  # the last error is kept


@pytest.mark.parametrize(
    "kwargs",
    [
        {"base_delay": 0},
        {"max_delay": -1},
        {"multiplier": 0.5},
        {"max_attempts": 0},
        {"max_age": float("inf")},
        {"max_retry_after": -1},
    ],
)
def test_nonsense_policies_are_refused(kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError, match=next(iter(kwargs))):
        RetryPolicy(**kwargs)  # type: ignore[arg-type]
