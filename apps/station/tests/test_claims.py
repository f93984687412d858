"""The claim journal: counts of uploads started without an outcome, and their pruning."""

from __future__ import annotations

from pathlib import Path

import pytest

from pywats_queue import AsyncQueue
from pywats_station._claims import ClaimJournal


def test_counts_survive_a_reopen_and_end_with_an_outcome(tmp_path: Path) -> None:
    path = tmp_path / "claims.db"
    journal = ClaimJournal(path)
    assert journal.started("a") == 1
    assert journal.started("a") == 2
    assert journal.started("b") == 1
    journal.close()
    journal = ClaimJournal(path)  # as after a crash: the counts are still there
    assert (journal.unfinished("a"), journal.unfinished("b")) == (2, 1)
    journal.finished("a")
    assert journal.unfinished("a") == 0
    assert journal.item_ids() == ["b"]
    journal.close()


@pytest.mark.anyio
async def test_prune_forgets_items_that_cannot_be_claimed_again(tmp_path: Path) -> None:
    async with await AsyncQueue.open(f"sqlite://{tmp_path / 'q.db'}") as queue:
        ids = [await queue.put(b"report %d" % n, key=f"k{n}") for n in range(4)]
        acked, dead, discarded, waiting = ids
        for _ in range(3):
            item = await queue.claim(60)
            assert item is not None
            if item.id == acked:
                await queue.ack(item)
            elif item.id == dead:
                await queue.dead(item, "refused")
            else:
                await queue.release(item)
        await queue.discard(discarded)
        journal = ClaimJournal(tmp_path / "claims.db")
        for item_id in (*ids, "0" * 32):  # and one the queue never had
            journal.started(item_id)
        assert await journal.prune(queue) == 4
        assert journal.item_ids() == [waiting]
        assert journal.unfinished(waiting) == 1
        journal.close()
