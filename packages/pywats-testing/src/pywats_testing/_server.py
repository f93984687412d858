"""FakeWatsServer: the fake on a loopback port, with a Python control handle."""

from __future__ import annotations

import asyncio
import base64
import secrets
import threading
from collections.abc import Coroutine, Iterable
from pathlib import Path
from types import EllipsisType, TracebackType
from typing import Any, TypeVar

from ._app import API_ROUTES, FakeWatsApp, OutageController
from ._faults import BodyShape, Fault, FaultPlan
from ._http import HttpFront, OutageMode
from ._state import DEFAULT_PROCESSES, FakeState, Process, StoredReport
from ._traffic import Answer, TrafficLog, TrafficRecorder

__all__ = ["FakeWatsServer"]

_T = TypeVar("_T")


class _FrontOutages(OutageController):
    def __init__(self, front: HttpFront) -> None:
        self._front = front

    async def begin_outage(self, mode: OutageMode, seconds: float | None) -> None:
        await self._front.begin_outage(mode, seconds)

    def outage_connections(self) -> int:
        return self._front.outage_connections


class FakeWatsServer:
    """A fake WATS server on a real socket, steerable from Python.

    ``with FakeWatsServer() as fake:`` runs it in a background thread on a free loopback
    port; ``fake.url`` and ``fake.token`` are what a client needs. The methods below arm
    faults and read what the server saw; they are thread-safe and may be called from
    sync or async tests alike (the server has its own event loop).
    """

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        token: str | None = None,
        registration_token: str | None = None,
        seed: int | None = None,
        db_path: str | Path | None = None,
        processes: Iterable[Process] = DEFAULT_PROCESSES,
        version: str = "2026.1.5.324",
        path_prefix: str = "",
        validation_error_shape: BodyShape = "message-object",
        loop_export_quirk: bool = True,
    ) -> None:
        self.host = host
        self.port = port
        self.token = token or f"fake-token-{secrets.token_hex(8)}"
        self.registration_token = registration_token or f"fake-register-{secrets.token_hex(8)}"
        self.seed = seed
        self.state = FakeState(
            tokens=[self.token],
            registration_tokens=[self.registration_token],
            processes=processes,
            seed=seed,
            db_path=db_path,
        )
        self.faults = FaultPlan(seed)
        self.app = FakeWatsApp(
            self.state,
            self.faults,
            version=version,
            path_prefix=path_prefix,
            validation_error_shape=validation_error_shape,
            loop_export_quirk=loop_export_quirk,
        )
        self.traffic = TrafficLog()
        self._front = HttpFront(TrafficRecorder(self.app, self.traffic, self.app.path_prefix))
        self.app.outages = _FrontOutages(self._front)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle --------------------------------------------------------------------
    @property
    def url(self) -> str:
        """The base URL a client is given (includes the path prefix, if any)."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}{self.app.path_prefix}"

    async def start_async(self) -> None:
        """Listen on the running event loop (for ``serve`` and async embedding)."""
        self._loop = asyncio.get_running_loop()
        await self._front.start(self.host, self.port)
        self.port = self._front.port

    async def stop_async(self, grace: float = 2.0) -> None:
        await self._front.stop(grace)
        self.state.close()

    def start(self) -> FakeWatsServer:
        """Run in a background thread; returns once the port is listening."""
        if self._thread is not None:
            raise RuntimeError("this FakeWatsServer is already running")
        loop = asyncio.new_event_loop()
        started = threading.Event()

        def run() -> None:
            asyncio.set_event_loop(loop)
            loop.call_soon(started.set)
            loop.run_forever()
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()

        self._thread = threading.Thread(target=run, name="pywats-fake-wats", daemon=True)
        self._thread.start()
        started.wait()
        try:
            asyncio.run_coroutine_threadsafe(self.start_async(), loop).result(timeout=30)
        except BaseException:
            loop.call_soon_threadsafe(loop.stop)
            self._thread.join(timeout=10)
            self._thread = None
            raise
        return self

    def stop(self) -> None:
        """Stop listening, let in-flight requests finish briefly, end the thread."""
        loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return
        try:
            asyncio.run_coroutine_threadsafe(self.stop_async(), loop).result(timeout=30)
        finally:
            loop.call_soon_threadsafe(loop.stop)
            thread.join(timeout=30)
            self._thread = None
            self._loop = None

    def __enter__(self) -> FakeWatsServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def _on_loop(self, coro: Coroutine[Any, Any, _T]) -> _T:
        loop = self._loop
        if loop is None:
            coro.close()
            raise RuntimeError("the fake server is not running")
        if self._thread is None:
            coro.close()
            raise RuntimeError("call the async variant when the server runs on your loop")
        return asyncio.run_coroutine_threadsafe(coro, loop).result(timeout=30)

    # -- credentials ------------------------------------------------------------------
    def station_credential(self, identifier: str, passcode: str) -> str:
        """What a registered station sends after ``Basic ``: base64(identifier:passcode)."""
        return base64.b64encode(f"{identifier}:{passcode}".encode()).decode("ascii")

    def register_station(self, identifier: str, name: str = "station") -> str:
        """Register a station directly (no HTTP); returns its passcode."""
        return self.state.register_client(identifier, name)

    def expire_credential(self, credential: str | None = None) -> None:
        """From now on requests with this token (default: ``self.token``) or this station
        identifier get 401."""
        self.state.expire_credential(self.token if credential is None else credential)

    def restore_credential(self, credential: str | None = None) -> None:
        self.state.restore_credential(self.token if credential is None else credential)

    def add_token(self, token: str, *, registration: bool = False) -> None:
        self.state.add_token(token, registration=registration)

    def set_rate_limit(self, requests: int | None, per_seconds: float = 60.0) -> None:
        """Allow ``requests`` per ``per_seconds`` per credential; ``None`` switches it off."""
        self.state.set_rate_limit(requests, per_seconds)

    # -- faults -----------------------------------------------------------------------
    def add_fault(self, fault: Fault) -> Fault:
        return self.faults.add(fault)

    def fail(
        self,
        route: str | None = None,
        *,
        status: int = 503,
        times: int | None = 1,
        probability: float = 1.0,
        retry_after: int | None = None,
        body: str | None = None,
        body_shape: BodyShape = "text",
    ) -> Fault:
        """Answer matching requests with ``status`` (before auth or processing)."""
        return self.add_fault(
            Fault(
                "status",
                route,
                times=times,
                probability=probability,
                status=status,
                retry_after=retry_after,
                body=body,
                body_shape=body_shape,
            )
        )

    def add_latency(
        self,
        route: str | None = None,
        seconds: float = 0.5,
        *,
        times: int | None = None,
        probability: float = 1.0,
    ) -> Fault:
        return self.add_fault(
            Fault("latency", route, times=times, probability=probability, seconds=seconds)
        )

    def hang(self, route: str | None = None, *, times: int | None = 1) -> Fault:
        """Hold matching requests until the client disconnects (nothing is committed) or
        :meth:`release_hung` lets them go on."""
        return self.add_fault(Fault("hang", route, times=times))

    def reset_before(
        self, route: str | None = None, *, times: int | None = 1, probability: float = 1.0
    ) -> Fault:
        """Reset the TCP connection (RST) before the request is processed."""
        return self.add_fault(Fault("reset_before", route, times=times, probability=probability))

    def reset_after_commit(
        self, route: str | None = None, *, times: int | None = 1, probability: float = 1.0
    ) -> Fault:
        """Process and commit the request, then reset the connection instead of answering."""
        return self.add_fault(
            Fault("reset_after_commit", route, times=times, probability=probability)
        )

    def clear_faults(self) -> None:
        self.faults.clear()

    def release_hung(self) -> None:
        async def release() -> None:
            self.app.release_hung()

        self._on_loop(release())

    def outage(self, seconds: float | None = None, *, mode: OutageMode = "refuse") -> None:
        """Stop answering: open connections are reset; new ones are refused
        (``mode="refuse"``) or accepted and reset (``mode="reset"``), for ``seconds`` or
        until :meth:`end_outage`."""
        self._on_loop(self._front.begin_outage(mode, seconds))

    def end_outage(self) -> None:
        self._on_loop(self._front.end_outage())

    async def outage_async(
        self, seconds: float | None = None, *, mode: OutageMode = "refuse"
    ) -> None:
        """:meth:`outage` for a server started with :meth:`start_async` on your loop."""
        await self._front.begin_outage(mode, seconds)

    async def end_outage_async(self) -> None:
        await self._front.end_outage()

    async def release_hung_async(self) -> None:
        self.app.release_hung()

    # -- observability ----------------------------------------------------------------
    @staticmethod
    def routes() -> list[tuple[str, str]]:
        """Every ``(method, path)`` the fake serves (the spec's spelling)."""
        return [(route.method, route.template) for route in API_ROUTES]

    def request_count(self, route: str) -> int:
        """Requests that reached ``route`` (``"POST /api/Report/WSJF"``, case-insensitive)."""
        method, _, path = route.strip().partition(" ")
        wanted = (method.upper(), path.strip().lower())
        with self.state._lock:
            return sum(
                n for (m, t), n in self.state.route_counts.items() if (m, t.lower()) == wanted
            )

    def outage_connections(self) -> int:
        """Connections accepted and reset during ``mode="reset"`` outages so far: how
        often clients knocked while the server was down."""
        return self._front.outage_connections

    def answer_count(
        self, route: str | None = None, status: int | EllipsisType | None = ...
    ) -> int:
        """Requests to ``route`` (``None``: every ``/api`` route) answered with ``status``
        (``...``: any; ``None``: no answer went out, e.g. a reset), e.g. the uploads
        refused with 401."""
        return self.traffic.count(route, status)

    def answers(
        self, route: str | None = None, status: int | EllipsisType | None = ...
    ) -> list[Answer]:
        """Each matching request with its arrival time (``time.monotonic()``) and status."""
        return self.traffic.answers(route, status)

    def busiest_second(
        self, route: str | None = None, status: int | EllipsisType | None = ...
    ) -> int:
        """The most matching requests that arrived within any one second."""
        return self.traffic.busiest(a.at for a in self.traffic.answers(route, status))

    def request_counts(self) -> dict[str, int]:
        with self.state._lock:
            return {f"{m} {t}": n for (m, t), n in self.state.route_counts.items()}

    def reports(self) -> list[StoredReport]:
        return self.state.all_reports()

    def report(self, report_id: str) -> dict[str, Any] | None:
        """The stored report (WSJF JSON as committed), or ``None``."""
        stored = self.state.get_report(report_id)
        return None if stored is None else stored.document

    def commits(self, report_id: str) -> int:
        """How many times this report id was committed (upserts count each time)."""
        stored = self.state.get_report(report_id)
        return 0 if stored is None else stored.commits

    def replays(self, report_id: str) -> int:
        """How many times a stored response was replayed for an Idempotency-Key retry."""
        stored = self.state.get_report(report_id)
        return 0 if stored is None else stored.replays

    def clear(self) -> None:
        """Forget reports, stations, idempotency keys, counters and faults."""
        self.state.clear()
        self.faults.clear()
        self.traffic.clear()
