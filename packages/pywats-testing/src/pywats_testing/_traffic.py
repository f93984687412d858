"""What the fake answered, and when: one record per ``/api`` request, for tests to count.

``route_counts`` in the state counts requests that reached a route; this log adds the
outcome (the status sent, or ``None`` when no answer went out: a reset or a hang the
client gave up on) and the moment, so a test can count refused uploads (401), rate-limit
answers (429) or the busiest second. It wraps the ASGI application instead of living in
it, so it sees exactly what went on the wire.
"""

from __future__ import annotations

import bisect
import threading
import time
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from dataclasses import dataclass
from types import EllipsisType
from typing import Any
from urllib.parse import parse_qsl

from ._faults import parse_route_spec

__all__ = ["Answer", "TrafficLog", "TrafficRecorder"]

_Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
_Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
_App = Callable[[MutableMapping[str, Any], _Receive, _Send], Awaitable[None]]


@dataclass(frozen=True)
class Answer:
    """One ``/api`` request as the fake saw and answered it."""

    at: float
    """``time.monotonic()`` when the request arrived."""
    method: str
    path: str
    """The path as sent, lower-cased, without the server's path prefix."""
    status: int | None
    """The status sent; ``None`` when no answer went out (reset, or the client left)."""
    query: dict[str, str]
    """The query parameters as sent."""
    authorization: str | None
    """The ``Authorization`` header as sent (tests check it went out verbatim)."""


class TrafficLog:
    """Thread-safe list of :class:`Answer` records."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._answers: list[Answer] = []

    def add(self, answer: Answer) -> None:
        with self._lock:
            self._answers.append(answer)

    def clear(self) -> None:
        with self._lock:
            self._answers.clear()

    def answers(
        self, route: str | None = None, status: int | EllipsisType | None = ...
    ) -> list[Answer]:
        """Records matching ``route`` (``"POST /api/Report/WSJF"``, a path alone for any
        method, ``None`` for all) and ``status`` (``...``: any; ``None``: no answer went
        out), in arrival order."""
        method, path = parse_route_spec(route)
        with self._lock:
            answers = list(self._answers)
        return [
            a
            for a in answers
            if (method is None or a.method == method)
            and (path is None or a.path.rstrip("/") == path)
            and (status is ... or a.status == status)
        ]

    def count(self, route: str | None = None, status: int | EllipsisType | None = ...) -> int:
        return len(self.answers(route, status))

    @staticmethod
    def busiest(times: Iterable[float], seconds: float = 1.0) -> int:
        """The most of ``times`` that fall into any window ``seconds`` long."""
        ordered = sorted(times)
        return max(
            (bisect.bisect_left(ordered, t + seconds) - i for i, t in enumerate(ordered)),
            default=0,
        )


class TrafficRecorder:
    """ASGI middleware: records every ``/api`` request and the status it got."""

    def __init__(self, app: _App, log: TrafficLog, path_prefix: str = "") -> None:
        self.app = app
        self.log = log
        self._prefix = path_prefix.rstrip("/").lower()

    async def __call__(
        self, scope: MutableMapping[str, Any], receive: _Receive, send: _Send
    ) -> None:
        path = str(scope.get("path", "")).lower()
        if self._prefix and path.startswith(self._prefix + "/"):
            path = path[len(self._prefix) :]
        if scope.get("type") != "http" or not path.startswith("/api/"):
            await self.app(scope, receive, send)
            return
        arrived = time.monotonic()
        query = dict(
            parse_qsl(
                bytes(scope.get("query_string", b"")).decode("latin-1"), keep_blank_values=True
            )
        )
        authorization = next(
            (
                bytes(value).decode("latin-1")
                for name, value in scope.get("headers", [])
                if bytes(name).lower() == b"authorization"
            ),
            None,
        )

        method = str(scope.get("method", "")).upper()
        recorded = False

        def record(answered: int | None) -> None:
            nonlocal recorded
            recorded = True
            self.log.add(Answer(arrived, method, path, answered, query, authorization))

        async def recording_send(message: MutableMapping[str, Any]) -> None:
            # Recorded before the answer leaves: a client that has its answer must find it
            # in the log (recording after the send raced with the client's next look).
            if message.get("type") == "http.response.start" and not recorded:
                record(int(message["status"]))
            await send(message)

        try:
            await self.app(scope, receive, recording_send)
        finally:
            if not recorded:  # no answer went out: a reset, or a client that gave up
                record(None)
