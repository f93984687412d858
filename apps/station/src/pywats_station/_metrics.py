"""The station's metrics: Prometheus counters and gauges plus a JSON snapshot."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping

from prometheus_client import CollectorRegistry, Counter, Gauge, generate_latest

from pywats_station._breaker import BreakerChange, BreakerState
from pywats_station._connection import ConnectionChange, ConnectionState

__all__ = ["StationMetrics", "QUEUE_STATES"]

# The states of pywats_queue items (acknowledged items are delivered, not queued).
QUEUE_STATES = ("ready", "leased", "dead")
_BREAKER_VALUE = {BreakerState.CLOSED: 0, BreakerState.HALF_OPEN: 1, BreakerState.OPEN: 2}


class StationMetrics:
    """Counters and gauges in a registry of their own (never the global default), so two
    stations in one process, or tests, do not share numbers.

    Queue depth, offline time and breaker state are gauges that the owner refreshes (or
    that follow the breaker and connection callbacks); uploads are counters.
    """

    def __init__(self, *, wall_clock: Callable[[], float] = time.time) -> None:
        self._wall_clock = wall_clock
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.uploads_succeeded = Counter(
            "pywats_station_uploads_succeeded", "Reports the server accepted", registry=r
        )
        self.uploads_failed = Counter(
            "pywats_station_uploads_failed",
            "Reports that became dead letters (not retried any more)",
            registry=r,
        )
        self.uploads_retried = Counter(
            "pywats_station_uploads_retried",
            "Upload attempts that failed and were scheduled again",
            registry=r,
        )
        self.queue_depth = Gauge(
            "pywats_station_queue_depth", "Queue items per state", ["state"], registry=r
        )
        self.offline_seconds = Gauge(
            "pywats_station_offline_seconds",
            "Seconds of the current offline stretch (0 when online)",
            registry=r,
        )
        self.last_successful_upload = Gauge(
            "pywats_station_last_successful_upload_timestamp_seconds",
            "Unix time of the last accepted upload (0 if none yet)",
            registry=r,
        )
        self.breaker_state = Gauge(
            "pywats_station_breaker_state",
            "Circuit breaker: 0 closed, 1 half-open, 2 open",
            registry=r,
        )
        self.breaker_transitions = Counter(
            "pywats_station_breaker_transitions",
            "Circuit breaker state changes, by new state",
            ["state"],
            registry=r,
        )
        self.connection_state = Gauge(
            "pywats_station_connection_state",
            "1 for the current connection state, 0 for the others",
            ["state"],
            registry=r,
        )
        for state in QUEUE_STATES:
            self.queue_depth.labels(state=state).set(0)
        for bstate in BreakerState:
            self.breaker_transitions.labels(state=bstate.value)
        self._set_connection(ConnectionState.DISCONNECTED)

    # -- recording ---------------------------------------------------------------------

    def upload_succeeded(self) -> None:
        self.uploads_succeeded.inc()
        self.last_successful_upload.set(self._wall_clock())

    def upload_failed(self) -> None:
        self.uploads_failed.inc()

    def upload_retried(self) -> None:
        self.uploads_retried.inc()

    def set_queue_depth(self, depths: Mapping[str, int]) -> None:
        """Set the depth of each state given; states not given keep their value."""
        for state, depth in depths.items():
            if depth < 0:
                raise ValueError(f"queue depth of {state!r} cannot be negative: {depth}")
            self.queue_depth.labels(state=state).set(depth)

    def set_offline_seconds(self, seconds: float) -> None:
        self.offline_seconds.set(max(0.0, seconds))

    def on_breaker_change(self, change: BreakerChange) -> None:
        """Subscribe this to :meth:`CircuitBreaker.subscribe`."""
        self.breaker_state.set(_BREAKER_VALUE[change.new])
        self.breaker_transitions.labels(state=change.new.value).inc()

    def on_connection_change(self, change: ConnectionChange) -> None:
        """Subscribe this to :meth:`ConnectionService.subscribe`."""
        self._set_connection(change.new)

    def _set_connection(self, current: ConnectionState) -> None:
        for state in ConnectionState:
            self.connection_state.labels(state=state.value).set(1 if state is current else 0)

    # -- reading -----------------------------------------------------------------------

    def _value(self, name: str, labels: Mapping[str, str] | None = None) -> float:
        value = self.registry.get_sample_value(name, dict(labels or {}))
        return 0.0 if value is None else value

    def snapshot(self) -> dict[str, object]:
        """The metrics as plain JSON-able values, for ``status.json`` and ``status --json``."""
        breaker_value = int(self._value("pywats_station_breaker_state"))
        breaker = next(s for s, v in _BREAKER_VALUE.items() if v == breaker_value)
        connection = next(
            (
                s.value
                for s in ConnectionState
                if self._value("pywats_station_connection_state", {"state": s.value}) == 1
            ),
            ConnectionState.DISCONNECTED.value,
        )
        last = self._value("pywats_station_last_successful_upload_timestamp_seconds")
        return {
            "uploads": {
                "succeeded": int(self._value("pywats_station_uploads_succeeded_total")),
                "failed": int(self._value("pywats_station_uploads_failed_total")),
                "retried": int(self._value("pywats_station_uploads_retried_total")),
            },
            "queue_depth": {
                sample.labels["state"]: int(sample.value)
                for metric in self.queue_depth.collect()
                for sample in metric.samples
            },
            "offline_seconds": self._value("pywats_station_offline_seconds"),
            "last_successful_upload": last or None,
            "breaker_state": breaker.value,
            "connection_state": connection,
        }

    def exposition(self) -> bytes:
        """The Prometheus text exposition format."""
        return generate_latest(self.registry)
