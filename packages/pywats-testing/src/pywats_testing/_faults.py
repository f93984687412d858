"""Fault rules: what to do to which requests, drawn deterministically from a seeded RNG."""

from __future__ import annotations

import random
import threading
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any, Literal, get_args

__all__ = ["BodyShape", "Fault", "FaultKind", "FaultPlan", "parse_route_spec"]

FaultKind = Literal["status", "latency", "hang", "reset_before", "reset_after_commit"]
BodyShape = Literal["text", "json-string", "message-object"]

_KINDS: tuple[str, ...] = get_args(FaultKind)
_SHAPES: tuple[str, ...] = get_args(BodyShape)
# Faults that decide the fate of a request; at most one of them applies per request.
_TERMINAL = frozenset({"status", "hang", "reset_before", "reset_after_commit"})


def parse_route_spec(spec: str | None) -> tuple[str | None, str | None]:
    """``"POST /api/Report/WSJF"`` → ``("POST", "/api/report/wsjf")``; ``None`` → any."""
    if spec is None or spec.strip() in ("", "*"):
        return None, None
    parts = spec.split()
    if len(parts) == 1:
        method, path = None, parts[0]
    elif len(parts) == 2:
        method, path = parts[0].upper(), parts[1]
    else:
        raise ValueError(f"route must look like 'POST /api/Report/WSJF', got {spec!r}")
    if not path.startswith("/"):
        raise ValueError(f"route path must start with '/', got {path!r}")
    return method, path.rstrip("/").lower() or "/"


@dataclass
class Fault:
    """One armed fault.

    ``route`` selects requests (``"POST /api/Report/WSJF"``, a path alone for any method,
    a template such as ``"/api/Report/Wsjf/{id}"``, or ``None`` for every ``/api`` route).
    ``times`` limits it to the next N matching requests (``None``: no limit);
    ``probability`` makes it hit only that fraction of them, drawn from the server's
    seeded RNG in request order.
    """

    kind: FaultKind
    route: str | None = None
    times: int | None = 1
    probability: float = 1.0
    status: int = 503
    retry_after: int | None = None
    body: str | None = None
    body_shape: BodyShape = "text"
    seconds: float = 0.0
    id: int = 0
    hits: int = field(default=0)

    def __post_init__(self) -> None:
        if self.kind not in _KINDS:
            raise ValueError(f"unknown fault kind {self.kind!r}; expected one of {_KINDS}")
        if self.body_shape not in _SHAPES:
            raise ValueError(f"unknown body_shape {self.body_shape!r}; expected one of {_SHAPES}")
        if self.times is not None and self.times < 1:
            raise ValueError("times must be at least 1 (or None for no limit)")
        if not 0.0 < self.probability <= 1.0:
            raise ValueError("probability must be in (0, 1]")
        if not 100 <= self.status <= 599:
            raise ValueError(f"status must be an HTTP status code, got {self.status}")
        if self.seconds < 0:
            raise ValueError("seconds must not be negative")
        if self.retry_after is not None and self.retry_after < 0:
            raise ValueError("retry_after must not be negative")
        self._method, self._path = parse_route_spec(self.route)

    def matches(self, method: str, template: str, path: str) -> bool:
        if self._method is not None and self._method != method.upper():
            return False
        if self._path is None:
            return True
        return self._path in (template.rstrip("/").lower(), path.rstrip("/").lower())

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Fault:
        known = {
            "kind",
            "route",
            "times",
            "probability",
            "status",
            "retry_after",
            "body",
            "body_shape",
            "seconds",
        }
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown fault field(s): {', '.join(sorted(unknown))}")
        if "kind" not in data:
            raise ValueError("a fault needs a 'kind'")
        return cls(**dict(data))


class FaultPlan:
    """The armed faults of one server; thread-safe."""

    def __init__(self, seed: int | None = None) -> None:
        self._rng = random.Random(seed)
        self._faults: list[Fault] = []
        self._next_id = 1
        self._lock = threading.Lock()

    def add(self, fault: Fault) -> Fault:
        with self._lock:
            fault.id = self._next_id
            self._next_id += 1
            self._faults.append(fault)
        return fault

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def remove(self, fault_id: int) -> bool:
        with self._lock:
            before = len(self._faults)
            self._faults = [f for f in self._faults if f.id != fault_id]
            return len(self._faults) != before

    def active(self) -> list[Fault]:
        with self._lock:
            return list(self._faults)

    def draw(self, method: str, template: str, path: str) -> list[Fault]:
        """The faults that hit this request, consuming their counts.

        Every matching latency fault applies; of the others only the first (oldest)
        that hits applies, so "fail the next request" armed twice fails two requests.
        """
        hits: list[Fault] = []
        terminal_taken = False
        with self._lock:
            for fault in list(self._faults):
                if not fault.matches(method, template, path):
                    continue
                terminal = fault.kind in _TERMINAL
                if terminal and terminal_taken:
                    continue
                if fault.probability < 1.0 and self._rng.random() >= fault.probability:
                    continue
                hits.append(fault)
                fault.hits += 1
                terminal_taken = terminal_taken or terminal
                if fault.times is not None:
                    fault.times -= 1
                    if fault.times == 0:
                        self._faults.remove(fault)
        return hits
