"""The pytest plugin (entry point ``pytest11``): the ``fake_wats`` fixture."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from ._server import FakeWatsServer

__all__ = ["fake_wats"]


@pytest.fixture
def fake_wats() -> Iterator[FakeWatsServer]:
    """A fresh fake WATS server on a free loopback port, stopped after the test.

    Use ``fake_wats.url`` and ``fake_wats.token`` for the client and the server's methods
    (``fail``, ``reset_after_commit``, ``outage``, ``commits`` ...) to steer and observe it.
    Its fault RNG is seeded with 0, so probabilistic faults repeat from run to run.
    """
    with FakeWatsServer(seed=0) as server:
        yield server
