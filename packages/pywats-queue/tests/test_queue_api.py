"""Behaviour of the queue API, identical on both backends."""

from __future__ import annotations

import asyncio
import threading
import time
from collections import Counter
from pathlib import Path

import pytest

from pywats_queue import (
    AsyncQueue,
    InvalidStateError,
    ItemNotFoundError,
    LeaseLostError,
    NewItem,
    State,
    UnsupportedQueueError,
    open_queue,
)


def test_put_same_key_returns_existing_item_not_a_duplicate(queue_url: str) -> None:
    with open_queue(queue_url) as queue:
        first = queue.put(b"report-1", key="uuid-1", meta={"file": "a.txt"})
        again = queue.put(b"report-1 changed", key="uuid-1")
        other = queue.put(b"report-2", key="uuid-2")
        assert again == first
        assert other != first
        assert queue.stats().depth["ready"] == 2
        item = queue.get(first)
        assert item.payload == b"report-1"
        assert item.meta == {"file": "a.txt"}
        assert item.state is State.READY
        assert item.attempts == 0


def test_claims_oldest_first_and_payload_round_trips(queue_url: str) -> None:
    payloads = [bytes([i]) * (i + 1) for i in range(5)]
    with open_queue(queue_url) as queue:
        ids = [queue.put(p, key=f"k{i}") for i, p in enumerate(payloads)]
        claimed = [queue.claim(30) for _ in range(5)]
        assert [c.id for c in claimed if c] == ids
        assert [c.payload for c in claimed if c] == payloads
        assert queue.claim(30) is None


def test_put_many_is_ordered_and_idempotent_within_and_across_batches(queue_url: str) -> None:
    with open_queue(queue_url) as queue:
        existing = queue.put(b"x", key="dup")
        ids = queue.put_many(
            [(b"a", "a"), NewItem(b"b", "b", {"n": 1}), (b"again", "dup"), (b"a2", "a")]
        )
        assert ids[2] == existing
        assert ids[3] == ids[0]
        assert len(set(ids)) == 3
        assert queue.get(ids[1]).meta == {"n": 1}
        assert queue.stats().depth["ready"] == 3


def test_leased_item_is_invisible_until_its_lease_expires(queue_url: str) -> None:
    now = [time.time()]  # the queue's clock: the lease expires when the test says so
    with open_queue(queue_url, clock=lambda: now[0]) as queue:
        item_id = queue.put(b"p", key="k")
        first = queue.claim(lease_seconds=0.2)
        assert first is not None
        assert first.id == item_id
        now[0] += 0.19
        assert queue.claim(lease_seconds=0.2) is None
        now[0] += 0.02
        second = queue.claim(lease_seconds=30)
        assert second is not None
        assert second.id == item_id
        assert second.attempts == 0  # an expired lease is not a counted attempt
        with pytest.raises(LeaseLostError):
            queue.ack(first)  # the first consumer's lease is gone
        assert queue.ack(second).state is State.ACKED


def test_nack_counts_attempt_keeps_error_and_waits_for_retry_time(queue_url: str) -> None:
    now = [time.time()]  # the queue's clock: the retry time comes when the test says so
    with open_queue(queue_url, clock=lambda: now[0]) as queue:
        item_id = queue.put(b"p", key="k")
        item = queue.claim(30)
        assert item is not None
        later = now[0] + 0.3
        nacked = queue.nack(item, "HTTP 503", retry_at=later)
        assert nacked.attempts == 1
        assert nacked.last_error == "HTTP 503"
        now[0] = later - 0.01
        assert queue.claim(30) is None
        now[0] = later + 0.01
        again = queue.claim(30)
        assert again is not None
        assert again.id == item_id
        assert again.attempts == 1
        assert again.last_error == "HTTP 503"
        assert queue.stats().attempts == {1: 1}


def test_release_returns_claim_without_counting_an_attempt(queue_url: str) -> None:
    with open_queue(queue_url) as queue:
        queue.put(b"p", key="k")
        item = queue.claim(30)
        assert item is not None
        queue.release(item)
        again = queue.claim(30)
        assert again is not None
        assert again.id == item.id
        assert again.attempts == 0
        with pytest.raises(LeaseLostError):
            queue.release(item)  # the old lease no longer exists


def test_dead_counts_the_attempt_only_when_asked(queue_url: str) -> None:
    with open_queue(queue_url) as queue:
        queue.put(b"refused", key="refused")
        queue.put(b"never-sent", key="never-sent")
        first = queue.claim(30)
        second = queue.claim(30)
        assert first is not None
        assert second is not None
        refused = queue.dead(first, "400: unknown process code", attempted=True)
        unsent = queue.dead(second, "gave up before sending")
        assert refused.attempts == 1
        assert queue.get(first.id).attempts == 1
        assert unsent.attempts == 0
        assert queue.get(second.id).attempts == 0
        assert queue.requeue(first.id).attempts == 1  # a retry keeps the count


def test_dead_letters_stay_until_requeued_or_discarded(queue_url: str) -> None:
    with open_queue(queue_url, acked_retention=0) as queue:
        queue.put(b"bad", key="bad")
        item = queue.claim(30)
        assert item is not None
        dead = queue.dead(item, "400: missing serial number")
        assert dead.state is State.DEAD
        assert queue.claim(30) is None
        assert queue.purge() == 0  # retention applies to acked items only
        assert [d.last_error for d in queue.list("dead")] == ["400: missing serial number"]
        requeued = queue.requeue(item.id)
        assert requeued.state is State.READY
        again = queue.claim(30)
        assert again is not None
        assert again.id == item.id
        queue.dead(again, "still bad")
        queue.discard(item.id)
        with pytest.raises(ItemNotFoundError):
            queue.get(item.id)
        # the key is free again once the item is discarded
        assert queue.put(b"fixed", key="bad") != item.id


def test_requeue_and_discard_refuse_wrong_states(queue_url: str) -> None:
    with open_queue(queue_url) as queue:
        ready_id = queue.put(b"a", key="a")
        queue.put(b"b", key="b")
        with pytest.raises(InvalidStateError):
            queue.requeue(ready_id)
        leased = queue.claim(30)
        assert leased is not None
        with pytest.raises(InvalidStateError, match="leased"):
            queue.discard(leased.id)
        with pytest.raises(ItemNotFoundError):
            queue.requeue("0" * 32)
        with pytest.raises(InvalidStateError, match="unknown state"):
            queue.list("sent")
        assert queue.get(leased.id).state is State.LEASED


def test_acked_items_are_kept_for_retention_then_removed(tmp_path: Path, backend: str) -> None:
    url = f"file://{tmp_path}/q" if backend == "file" else f"sqlite://{tmp_path}/q.db"
    now = [time.time()]
    with open_queue(url, acked_retention=3600, clock=lambda: now[0]) as queue:
        queue.put(b"p", key="k")
        item = queue.claim(30)
        assert item is not None
        queue.ack(item)
        assert queue.purge() == 0
        assert queue.get(item.id).state is State.ACKED
        # a repeat put of a delivered report is recognised while it is retained
        assert queue.put(b"p", key="k") == item.id
        now[0] += 3601
        assert queue.purge() == 1
        assert queue.stats().depth["acked"] == 0


def test_stats_reports_depth_age_and_attempts(queue_url: str) -> None:
    with open_queue(queue_url) as queue:
        for i in range(4):
            queue.put(b"p", key=str(i))
        a = queue.claim(30)
        b = queue.claim(30)
        assert a is not None
        assert b is not None
        queue.nack(a, "e", time.time() + 100)
        queue.ack(b)
        stats = queue.stats()
        assert stats.depth == {"ready": 3, "leased": 0, "acked": 1, "dead": 0}
        assert stats.attempts == {0: 2, 1: 1}
        age = stats.oldest_age["ready"]
        assert age is not None
        assert age >= 0
        assert stats.oldest_age["dead"] is None


def test_bad_arguments_get_clear_errors(queue_url: str) -> None:
    with open_queue(queue_url) as queue:
        with pytest.raises(TypeError, match="payload must be bytes"):
            queue.put("text", key="k")  # type: ignore[arg-type]
        with pytest.raises(ValueError, match="non-empty"):
            queue.put(b"p", key="")
        with pytest.raises(ValueError, match="JSON"):
            queue.put(b"p", key="k", meta={"x": object()})
        with pytest.raises(ValueError, match="positive"):
            queue.claim(0)
        assert queue.stats().depth["ready"] == 0


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("redis://localhost/0", "unsupported queue URL"),
        ("file://server/share/q", "must be local"),
        ("sqlite://", "no path"),
    ],
)
def test_unsupported_urls_are_refused(url: str, message: str) -> None:
    with pytest.raises(UnsupportedQueueError, match=message):
        open_queue(url)


def test_closed_queue_refuses_calls(queue_url: str) -> None:
    queue = open_queue(queue_url)
    queue.close()
    with pytest.raises(Exception, match="closed"):
        queue.put(b"p", key="k")


def test_threads_never_claim_the_same_item(queue_url: str) -> None:
    with open_queue(queue_url) as queue:
        ids = queue.put_many([(b"p", f"k{i}") for i in range(200)])
        claimed: list[str] = []
        lock = threading.Lock()

        def consume() -> None:
            while (item := queue.claim(60)) is not None:
                queue.ack(item)
                with lock:
                    claimed.append(item.id)

        workers = [threading.Thread(target=consume) for _ in range(4)]
        for w in workers:
            w.start()
        for w in workers:
            w.join()
        assert Counter(claimed) == Counter(ids)
        assert queue.stats().depth["acked"] == 200


@pytest.mark.anyio
async def test_async_queue_runs_the_same_operations(queue_url: str) -> None:
    async with await AsyncQueue.open(queue_url) as queue:
        item_id = await queue.put(b"p", key="k")
        assert await queue.put_many([(b"q", "k2")]) != [item_id]
        item = await queue.claim(30)
        assert item is not None
        assert item.id == item_id
        await queue.nack(item, "e", time.time() - 1)
        again = await queue.claim(30)
        assert again is not None
        assert again.attempts == 1
        await queue.ack(again)
        stats = await queue.stats()
        assert stats.depth["acked"] == 1
        assert [i.key for i in await queue.list(State.READY)] == ["k2"]


@pytest.mark.anyio
async def test_async_queue_keeps_the_event_loop_running_during_a_call(queue_url: str) -> None:
    """While a queue call is stuck inside storage, other tasks on the loop still run."""
    gate = threading.Event()
    gate.set()

    def clock() -> float:
        # Called inside every queue operation, in the worker thread. Only the event
        # loop can open the gate; if the call blocked the loop, this would time out.
        if not gate.wait(timeout=10):
            raise AssertionError("the event loop was blocked during the queue call")
        return time.time()

    queue = AsyncQueue(open_queue(queue_url, clock=clock))
    gate.clear()
    put = asyncio.ensure_future(queue.put(b"p", key="k"))
    for _ in range(5):
        await asyncio.sleep(0.01)  # the loop runs while the put waits in its thread
    assert not put.done()
    gate.set()
    item_id = await put
    assert (await queue.get(item_id)).payload == b"p"
    await queue.close()
