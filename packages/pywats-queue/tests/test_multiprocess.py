"""Two processes consuming one queue never claim the same item."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter

import pytest

from pywats_queue import State, open_queue

# Each consumer holds its lease a moment, as an upload would: draining alone then takes a
# couple of seconds, so a consumer that starts late still finds work and the two overlap.
_CONSUMER = """
import sys, time
from pywats_queue import open_queue
queue = open_queue(sys.argv[1])
sys.stdout.write("ready\\n"); sys.stdout.flush()
sys.stdin.readline()  # start together
while (item := queue.claim(600)) is not None:
    time.sleep(0.002)
    queue.ack(item)
    sys.stdout.write(item.id + "\\n")
queue.close()
"""


@pytest.mark.timeout(300)
def test_two_processes_claim_each_of_1000_items_exactly_once(queue_url: str) -> None:
    with open_queue(queue_url) as queue:
        ids = queue.put_many([(b"report %d" % i, f"k{i}") for i in range(1000)])
    consumers = [
        subprocess.Popen(
            [sys.executable, "-c", _CONSUMER, queue_url],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    for proc in consumers:
        assert proc.stdout is not None
        assert proc.stdout.readline() == "ready\n"
    for proc in consumers:
        assert proc.stdin is not None
        proc.stdin.write("go\n")
        proc.stdin.flush()
    outputs = [proc.communicate(timeout=240)[0].split() for proc in consumers]
    assert [proc.returncode for proc in consumers] == [0, 0]
    claimed = Counter(outputs[0] + outputs[1])
    assert [i for i, n in claimed.items() if n > 1] == []
    assert set(claimed) == set(ids)
    assert all(outputs), "both processes should have taken part"
    with open_queue(queue_url) as queue:
        assert queue.stats().depth == {"ready": 0, "leased": 0, "acked": 1000, "dead": 0}
        assert {i.id for i in queue.list(State.ACKED)} == set(ids)


# Each producer puts the same 600 keys, in batches of 40 (and the odd single put), in its
# own order: every batch races the other process's batches for some of its keys.
_PRODUCER = """
import json, random, sys
from pywats_queue import open_queue
queue = open_queue(sys.argv[1])
keys = [f"k{i}" for i in range(600)]
random.Random(int(sys.argv[2])).shuffle(keys)
sys.stdout.write("ready\\n"); sys.stdout.flush()
sys.stdin.readline()  # start together
ids = {}
for start in range(0, len(keys), 40):
    batch = keys[start : start + 40]
    if start % 200 == 0:
        ids[batch[0]] = queue.put(b"payload of " + batch[0].encode(), key=batch[0])
        batch = batch[1:]
    got = queue.put_many([(b"payload of " + k.encode(), k) for k in batch])
    ids.update(zip(batch, got))
queue.close()
sys.stdout.write(json.dumps(ids))
"""


@pytest.mark.timeout(300)
def test_two_processes_putting_the_same_keys_store_each_key_once(queue_url: str) -> None:
    producers = [
        subprocess.Popen(
            [sys.executable, "-c", _PRODUCER, queue_url, str(seed)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for seed in (1, 2)
    ]
    for proc in producers:
        assert proc.stdout is not None
        assert proc.stdout.readline() == "ready\n"
    for proc in producers:
        assert proc.stdin is not None
        proc.stdin.write("go\n")
        proc.stdin.flush()
    outputs = [proc.communicate(timeout=240)[0] for proc in producers]
    assert [proc.returncode for proc in producers] == [0, 0]
    first, second = (json.loads(out) for out in outputs)
    assert len(first) == len(second) == 600
    assert first == second  # both were told the same id for every key
    with open_queue(queue_url) as queue:
        stored = queue.list(State.READY)
    assert sorted(item.key for item in stored) == sorted(first)  # each key exactly once
    assert {item.key: item.id for item in stored} == first
    assert all(item.payload == b"payload of " + item.key.encode() for item in stored)
