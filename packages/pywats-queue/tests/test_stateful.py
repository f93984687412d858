"""Hypothesis drives each backend and a plain in-memory model with the same operations."""

from __future__ import annotations

import itertools
import shutil
import tempfile
from collections import Counter
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from pywats_queue import (
    DEFAULT_ACKED_RETENTION,
    InvalidStateError,
    Item,
    ItemNotFoundError,
    LeaseLostError,
    Queue,
    State,
    open_queue,
)
from pywats_queue._model import LIFE_STATES

FAR = 10**6  # seconds: "not yet" for retry times; leases never expire within a run
START = 1.7e9  # the queue's clock: a second further on every step
keys = st.integers(min_value=0, max_value=12).map(lambda n: f"key-{n}")
payloads = st.binary(max_size=64)


@dataclass
class ModelItem:
    key: str
    payload: bytes
    state: State
    due: float  # when it may be claimed
    order: int  # put order, which breaks ties of ``due``
    attempts: int = 0
    last_error: str | None = None


class QueueModel(RuleBasedStateMachine):
    backend = "file"

    def __init__(self) -> None:
        super().__init__()
        self.dir = tempfile.mkdtemp(prefix="pwq-model-")
        self.url = f"file://{self.dir}/q" if self.backend == "file" else f"sqlite://{self.dir}/q.db"
        self.now = START
        self.queue: Queue = open_queue(self.url, clock=lambda: self.now)
        self.puts = itertools.count()
        self.model: dict[str, ModelItem] = {}
        self.claims: dict[str, Item] = {}
        self.stale: list[Item] = []  # claims whose lease no longer exists

    def teardown(self) -> None:
        self.queue.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    def _id_of_key(self, key: str) -> str | None:
        return next((i for i, m in self.model.items() if m.key == key), None)

    def _new(self, key: str, payload: bytes) -> ModelItem:
        return ModelItem(key, payload, State.READY, due=self.now, order=next(self.puts))

    @rule()
    def time_passes(self) -> None:
        self.now += 1

    @rule(key=keys, payload=payloads)
    def put(self, key: str, payload: bytes) -> None:
        existing = self._id_of_key(key)
        item_id = self.queue.put(payload, key=key)
        if existing is not None:
            assert item_id == existing
        else:
            assert item_id not in self.model
            self.model[item_id] = self._new(key, payload)

    @rule(batch=st.lists(st.tuples(payloads, keys), min_size=1, max_size=5))
    def put_many(self, batch: list[tuple[bytes, str]]) -> None:
        ids = self.queue.put_many(batch)
        assert len(ids) == len(batch)
        for (payload, key), item_id in zip(batch, ids, strict=True):
            existing = self._id_of_key(key)
            if existing is not None:
                assert item_id == existing
            else:
                self.model[item_id] = self._new(key, payload)

    @rule()
    def claim(self) -> None:
        due = sorted(
            (m.due, m.order, i)
            for i, m in self.model.items()
            if m.state is State.READY and m.due <= self.now
        )
        item = self.queue.claim(FAR)
        if not due:
            assert item is None
            return
        assert item is not None
        assert item.id == due[0][2], "claim must take the item due longest (then put first)"
        assert item.claims == 1
        expected = self.model[item.id]
        assert (item.key, item.payload, item.attempts) == (
            expected.key,
            expected.payload,
            expected.attempts,
        )
        assert item.last_error == expected.last_error
        expected.state = State.LEASED
        self.claims[item.id] = item

    def _take_claim(self, data: st.DataObject) -> Item:
        item_id = data.draw(st.sampled_from(sorted(self.claims)))
        return self.claims.pop(item_id)

    @precondition(lambda self: self.claims)
    @rule(data=st.data())
    def ack(self, data: st.DataObject) -> None:
        item = self._take_claim(data)
        assert self.queue.ack(item).state is State.ACKED
        self.model[item.id].state = State.ACKED
        self.stale.append(item)

    @precondition(lambda self: self.claims)
    @rule(data=st.data(), later=st.booleans(), error=st.text(max_size=20))
    def nack(self, data: st.DataObject, later: bool, error: str) -> None:
        item = self._take_claim(data)
        retry_at = self.now + FAR if later else 0.0
        nacked = self.queue.nack(item, error, retry_at)
        model = self.model[item.id]
        model.state, model.attempts, model.last_error, model.due = (
            State.READY,
            model.attempts + 1,
            error,
            retry_at,
        )
        assert (nacked.attempts, nacked.last_error) == (model.attempts, error)
        self.stale.append(item)

    @precondition(lambda self: self.claims)
    @rule(data=st.data())
    def release(self, data: st.DataObject) -> None:
        item = self._take_claim(data)
        self.queue.release(item)
        model = self.model[item.id]
        model.state, model.due = State.READY, self.now
        self.stale.append(item)

    @precondition(lambda self: self.claims)
    @rule(data=st.data(), reason=st.text(max_size=20))
    def dead(self, data: st.DataObject, reason: str) -> None:
        item = self._take_claim(data)
        self.queue.dead(item, reason)
        model = self.model[item.id]
        model.state, model.last_error = State.DEAD, reason
        self.stale.append(item)

    @precondition(lambda self: self.stale)
    @rule(data=st.data())
    def stale_lease_is_refused(self, data: st.DataObject) -> None:
        item = data.draw(st.sampled_from(self.stale))
        before = self.model[item.id].state if item.id in self.model else None
        with pytest.raises(LeaseLostError):
            self.queue.ack(item)
        after = self.queue.get(item.id).state if item.id in self.model else None
        assert after == before

    @precondition(lambda self: self.model)
    @rule(data=st.data())
    def requeue(self, data: st.DataObject) -> None:
        item_id = data.draw(st.sampled_from(sorted(self.model)))
        model = self.model[item_id]
        if model.state in (State.DEAD, State.ACKED):
            assert self.queue.requeue(item_id).state is State.READY
            model.state, model.due = State.READY, self.now
        else:
            with pytest.raises(InvalidStateError):
                self.queue.requeue(item_id)

    @precondition(lambda self: self.model)
    @rule(data=st.data())
    def discard(self, data: st.DataObject) -> None:
        item_id = data.draw(st.sampled_from(sorted(self.model)))
        if self.model[item_id].state is State.LEASED:
            with pytest.raises(InvalidStateError):
                self.queue.discard(item_id)
            return
        assert self.queue.discard(item_id).id == item_id
        del self.model[item_id]
        with pytest.raises(ItemNotFoundError):
            self.queue.get(item_id)

    @rule()
    def purge_every_acked_item(self) -> None:
        self.queue.acked_retention = -1.0  # everything acknowledged so far is past it
        try:
            purged = self.queue.purge()
        finally:
            self.queue.acked_retention = DEFAULT_ACKED_RETENTION
        acked = [i for i, m in self.model.items() if m.state is State.ACKED]
        assert purged == len(acked)
        for item_id in acked:
            del self.model[item_id]

    @rule()
    def reopen(self) -> None:
        self.queue.close()
        self.queue = open_queue(self.url, clock=lambda: self.now)

    @invariant()
    def same_items_in_same_states(self) -> None:
        for state in State:  # quarantined included: nothing is damaged here
            stored = {i.id: i for i in self.queue.list(state)}
            expected = {i for i, m in self.model.items() if m.state is state}
            assert set(stored) == expected, f"{state.value} differs"
            for item_id, item in stored.items():
                model = self.model[item_id]
                assert (item.key, item.payload, item.attempts, item.last_error) == (
                    model.key,
                    model.payload,
                    model.attempts,
                    model.last_error,
                )
        stats = self.queue.stats()
        counts: Counter[str] = Counter(m.state.value for m in self.model.values())
        assert stats.depth == {s.value: counts.get(s.value, 0) for s in LIFE_STATES}
        assert stats.quarantined == 0
        histogram: dict[int, int] = Counter(
            m.attempts for m in self.model.values() if m.state is not State.ACKED
        )
        assert stats.attempts == dict(histogram)


_SETTINGS: dict[str, Any] = {
    "max_examples": 40,
    "stateful_step_count": 30,
    "deadline": None,
    "suppress_health_check": [HealthCheck.too_slow],
}


class FileQueueModel(QueueModel):
    backend = "file"


class SqliteQueueModel(QueueModel):
    backend = "sqlite"


TestFileQueueAgainstModel = FileQueueModel.TestCase
TestFileQueueAgainstModel.settings = settings(**_SETTINGS)
TestSqliteQueueAgainstModel = SqliteQueueModel.TestCase
TestSqliteQueueAgainstModel.settings = settings(**_SETTINGS)
