"""The credentials state machine and the station-wide back-pressure, in process."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from pywats_station import (
    Backpressure,
    CredentialKeeper,
    CredentialState,
    NeedsPerson,
    RegistrationError,
    RetryPolicy,
)

FAST = RetryPolicy(base_delay=0.01, max_delay=0.02)
S = CredentialState


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def _keeper(renew: Any, clock: Any = None) -> tuple[CredentialKeeper, object]:
    old = object()
    keeper = CredentialKeeper(old, renew, policy=FAST, **({"clock": clock} if clock else {}))  # type: ignore[arg-type]
    return keeper, old


@pytest.mark.anyio
async def test_transient_registration_failures_are_retried_until_valid() -> None:
    tries: list[int] = []
    new = object()

    async def renew() -> Any:
        tries.append(1)
        if len(tries) < 3:
            raise RegistrationError("registration failed: the server answered HTTP 503")
        return new

    keeper, old = _keeper(renew)
    keeper.refused(old, "HTTP 401")  # type: ignore[arg-type]
    assert keeper.state is S.REFUSED
    assert await asyncio.wait_for(keeper.wait_valid(asyncio.Event()), 30)
    assert len(tries) == 3
    assert keeper.client is new
    assert keeper.renewals == 1
    assert keeper.snapshot()["state"] == "valid"


@pytest.mark.anyio
async def test_a_refused_token_waits_for_a_person_and_a_person_ends_it() -> None:
    async def renew() -> Any:
        raise RegistrationError("registration failed: refused", token_refused=True)

    keeper, old = _keeper(renew)
    keeper.refused(old, "HTTP 401")  # type: ignore[arg-type]
    for _ in range(1000):
        if keeper.state is S.NEEDS_PERSON:
            break
        await asyncio.sleep(0.01)
    assert keeper.state is S.NEEDS_PERSON
    assert "pywats-station register" in keeper.reason
    person = object()
    keeper.replace(person, "a person registered the station again")  # type: ignore[arg-type]
    assert keeper.state is S.VALID
    assert keeper.client is person


@pytest.mark.anyio
async def test_no_stored_token_needs_a_person() -> None:
    async def renew() -> Any:
        raise NeedsPerson("no registration token is stored")

    keeper, old = _keeper(renew)
    keeper.refused(old, "HTTP 401")  # type: ignore[arg-type]
    stop = asyncio.Event()
    waiter = asyncio.create_task(keeper.wait_valid(stop))
    for _ in range(1000):
        if keeper.state is S.NEEDS_PERSON:
            break
        await asyncio.sleep(0.01)
    assert keeper.reason == "no registration token is stored"
    assert not waiter.done()  # workers keep waiting
    stop.set()
    assert await waiter is False


@pytest.mark.anyio
async def test_only_a_success_started_after_the_refusal_proves_the_credentials() -> None:
    clock = FakeClock()
    release = asyncio.Event()

    async def renew() -> Any:
        await release.wait()
        return object()

    keeper, old = _keeper(renew, clock)
    started_before = keeper.now()
    clock.now += 1
    keeper.refused(old, "HTTP 401")  # type: ignore[arg-type]
    keeper.confirmed(old, started_before)  # type: ignore[arg-type]
    assert keeper.state is not S.VALID  # it may have passed just before the refusal
    clock.now += 1
    keeper.confirmed(old, keeper.now())  # type: ignore[arg-type]
    assert keeper.state is S.VALID  # the old credentials work after all
    release.set()
    await keeper.close()


@pytest.mark.anyio
async def test_a_refusal_of_a_replaced_client_changes_nothing() -> None:
    async def renew() -> Any:
        raise AssertionError("must not renew")

    keeper, old = _keeper(renew)
    keeper.replace(object(), "new credentials")  # type: ignore[arg-type]
    keeper.refused(old, "HTTP 401 on the old client")  # type: ignore[arg-type]
    assert keeper.state is S.VALID


@pytest.mark.anyio
async def test_a_hold_stops_every_admission_then_sending_resumes_one_by_one() -> None:
    clock = FakeClock()
    pressure = Backpressure(3, clock=clock)
    stop = asyncio.Event()
    pressure.hold(5.0, "rate limited")
    assert pressure.window == 1
    first, second_turn = pressure.admit(stop), pressure.admit(stop)  # kept: alive = sending
    admitted = asyncio.create_task(first.__aenter__())
    await asyncio.sleep(0.05)
    assert not admitted.done()  # held
    clock.now += 5.0
    assert await asyncio.wait_for(admitted, 10) is True
    # One at a time: a second sender waits until the first is done or succeeds.
    second = asyncio.create_task(second_turn.__aenter__())
    await asyncio.sleep(0.05)
    assert not second.done()
    pressure.succeeded()  # one more worker may send
    assert await asyncio.wait_for(second, 10) is True
    pressure.succeeded()
    assert pressure.window == 3
    pressure.succeeded()
    assert pressure.window == 3  # never above the worker count
    assert pressure.snapshot()["holds"] == 1
    await first.__aexit__(None, None, None)
    await second_turn.__aexit__(None, None, None)
