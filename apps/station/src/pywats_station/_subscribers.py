"""Callbacks on a component's state changes (the circuit breaker's, the connection's)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Generic, TypeVar

__all__ = ["Subscribers"]

log = logging.getLogger(__name__)
C = TypeVar("C")


class Subscribers(Generic[C]):
    """The callbacks subscribed to changes of type ``C``, called in subscription order.

    A callback that raises is logged (naming ``what`` it was subscribed to) and neither
    stops the others nor reaches the code that caused the change.
    """

    def __init__(self, what: str) -> None:
        self.what = what
        self._callbacks: list[Callable[[C], None]] = []

    def add(self, callback: Callable[[C], None]) -> Callable[[], None]:
        """Subscribe ``callback``; returns a function that unsubscribes it (idempotent)."""
        self._callbacks.append(callback)

        def unsubscribe() -> None:
            if callback in self._callbacks:
                self._callbacks.remove(callback)

        return unsubscribe

    def notify(self, change: C) -> None:
        for callback in list(self._callbacks):
            try:
                callback(change)
            except Exception:
                log.exception("a %s subscriber failed", self.what)
