"""The pytest plugin (entry point ``pytest11``): ``fake_wats`` and ``fake_wats_factory``."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from ._server import FakeWatsServer

__all__ = ["fake_wats", "fake_wats_factory"]


@pytest.fixture
def fake_wats() -> Iterator[FakeWatsServer]:
    """A fresh fake WATS server on a free loopback port, stopped after the test.

    Use ``fake_wats.url`` and ``fake_wats.token`` for the client and the server's methods
    (``fail``, ``reset_after_commit``, ``outage``, ``commits`` ...) to steer and observe it.
    Its fault RNG is seeded with 0, so probabilistic faults repeat from run to run.
    """
    with FakeWatsServer(seed=0) as server:
        yield server


@pytest.fixture
def fake_wats_factory() -> Iterator[Callable[..., FakeWatsServer]]:
    """Start fake servers with your own options (``FakeWatsServer`` keyword arguments,
    e.g. ``path_prefix="/wats"`` or ``db_path=...``); all are stopped after the test."""
    started: list[FakeWatsServer] = []

    def start(**options: Any) -> FakeWatsServer:
        options.setdefault("seed", 0)
        server = FakeWatsServer(**options).start()
        started.append(server)
        return server

    yield start
    for server in reversed(started):
        server.stop()
