"""Copy every item from one queue to another, keeping state and attempts, then verify."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from ._model import Item, QueueError
from ._queue import Queue

_CHUNK = 500


@dataclass(frozen=True)
class MigrationResult:
    copied: int  # items written to the destination by this run
    already_present: int  # items an earlier (interrupted) run had already copied
    by_state: dict[str, int]  # items per state in the source, all verified in the destination


def _fingerprint(item: Item) -> tuple[object, ...]:
    return (item.key, item.state, item.attempts, item.last_error, bytes(item.payload))


def migrate(source: Queue, destination: Queue) -> MigrationResult:
    """Copy all items of ``source`` into ``destination`` and verify every one arrived.

    Safe to rerun after an interruption: items already in the destination are skipped.
    The source is left unchanged, as a backup, until a person removes it.
    """
    if source.url == destination.url:
        raise QueueError("source and destination are the same queue")
    copied = 0
    seen = 0
    expected: dict[str, tuple[object, ...]] = {}
    chunk: list[Item] = []
    for item in source.items():
        expected[item.id] = _fingerprint(item)
        chunk.append(item)
        if len(chunk) >= _CHUNK:
            copied += destination.import_items(chunk)
            seen += len(chunk)
            chunk = []
    if chunk:
        copied += destination.import_items(chunk)
        seen += len(chunk)
    found: dict[str, tuple[object, ...]] = {}
    for item in destination.items():
        if item.id in expected:
            found[item.id] = _fingerprint(item)
    missing = [i for i in expected if i not in found]
    differing = [i for i in expected if i in found and found[i] != expected[i]]
    if missing or differing:
        raise QueueError(
            f"verification failed: {len(missing)} item(s) missing and {len(differing)} "
            f"different in {destination.url} (first: {(missing or differing)[0]}); "
            "the source is unchanged, rerun the migration"
        )
    by_state = Counter(str(fp[1]) for fp in expected.values())
    return MigrationResult(copied, seen - copied, dict(sorted(by_state.items())))
