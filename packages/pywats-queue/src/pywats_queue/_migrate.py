"""Copy items between queues: ``migrate`` (file <-> SQLite) and ``recover`` (a damaged
SQLite file into a new queue). Items keep their key, state, attempts, errors and times;
the destination gives them ids of its own. The source is never changed."""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from ._model import Item, QueueError, State
from ._queue import Queue, _path_from_url
from ._sqlite import salvage

_CHUNK = 500


@dataclass(frozen=True)
class MigrationResult:
    copied: int  # items written to the destination by this run
    already_present: int  # keys the destination had already (e.g. from an interrupted run)
    by_state: dict[str, int]  # items per state in the source, all verified in the destination
    left_behind: int = 0  # quarantined items of the source, not copied


@dataclass(frozen=True)
class RecoveryResult:
    copied: int  # readable items written to the destination
    already_present: int  # readable items whose key the destination had already
    unreadable: list[str]  # one line for each item or range of rows that could not be read


def _fingerprint(item: Item) -> tuple[object, ...]:
    return (item.state, item.attempts, item.last_error, bytes(item.payload), dict(item.meta))


def _chunks(items: Iterable[Item]) -> Iterator[list[Item]]:
    iterator = iter(items)
    while chunk := list(itertools.islice(iterator, _CHUNK)):
        yield chunk


def migrate(source: Queue, destination: Queue) -> MigrationResult:
    """Copy all items of ``source`` into ``destination`` and verify every one arrived.

    Safe to rerun after an interruption: keys already in the destination are skipped.
    The source is left unchanged, as a backup, until a person removes it.
    """
    if source.url == destination.url:
        raise QueueError("source and destination are the same queue")
    copied = 0
    expected: dict[str, tuple[object, ...]] = {}
    for chunk in _chunks(source.items()):
        expected.update((item.key, _fingerprint(item)) for item in chunk)
        copied += destination.import_items(chunk)
    found = {item.key: _fingerprint(item) for item in destination.items() if item.key in expected}
    differing = [key for key, fp in expected.items() if found.get(key) != fp]
    if differing:
        raise QueueError(
            f"verification failed: {len(differing)} item(s) missing or different in "
            f"{destination.url} (first key: {differing[0]!r}); the source is unchanged. "
            "A key already used there by another item is never overwritten."
        )
    by_state = Counter(str(fp[0]) for fp in expected.values())
    left = len(source.list(State.QUARANTINED))
    return MigrationResult(copied, len(expected) - copied, dict(sorted(by_state.items())), left)


def recover(source_url: str, destination: Queue) -> RecoveryResult:
    """Copy every readable item of a damaged SQLite queue file into ``destination``."""
    scheme, path = _path_from_url(source_url)
    if scheme != "sqlite":
        raise QueueError(
            "recover reads SQLite queue files; a file queue sets damaged items aside by "
            "itself (see its quarantined items), and `migrate` copies it"
        )
    if Path(destination.url.partition("://")[2]) == path:
        raise QueueError("recover into a new queue, not into the damaged one")
    items, unreadable = salvage(path)
    copied = sum(destination.import_items(chunk) for chunk in _chunks(items))
    return RecoveryResult(copied, len(items) - copied, unreadable)
