"""The isolated runner: every conversion in a worker process, with limits, and warm reuse.

    from pywats_converters.runner import Runner

    with Runner() as runner:
        result = runner.convert("in/board1.xml", "atml", {"operation_code": 60})
        if result.ok:
            queue(result.reports)
        else:
            move_to_error(result.cause, result.message)

:meth:`Runner.convert` is blocking and thread-safe (the station calls it through
``asyncio.to_thread``); it never raises for anything a converter or a file does: it returns
:class:`Converted` or :class:`ConversionFailed` with a :class:`FailureCause`. A worker that
hangs, crashes, floods its output, runs out of memory or leaves processes behind is killed
with its whole process group and replaced; the next file gets a fresh, warm worker.
The runner's own process never imports converter code: listing reads entry-point metadata,
and :meth:`Runner.describe` asks a worker.
"""

from __future__ import annotations

import contextlib
import os
import socket
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from ._discovery import ConverterEntry, installed_converters
from ._fields import SettingField, SettingKind, setting_fields, settings_from_text
from ._process import Death, WorkerProcess, WorkerStartError
from ._results import (
    ContextInfo,
    ConversionFailed,
    ConversionResult,
    Converted,
    ConverterInfo,
    ConverterStatus,
    FailureCause,
    WsjfReport,
)
from ._sdk import DEFAULT_MAX_BYTES, StationInfo

__all__ = [
    "ContextInfo",
    "ConversionFailed",
    "ConversionResult",
    "Converted",
    "ConverterEntry",
    "ConverterInfo",
    "FailureCause",
    "Runner",
    "WsjfReport",
    "SettingField",
    "SettingKind",
    "setting_fields",
    "settings_from_text",
    "DEFAULT_TIME_LIMIT",
    "DEFAULT_MEMORY_LIMIT",
    "DEFAULT_OUTPUT_LIMIT",
]

#: Seconds one conversion may take unless configured otherwise.
DEFAULT_TIME_LIMIT = 60.0
#: Bytes of address space a worker may map (``RLIMIT_AS``; Linux and other POSIX systems).
DEFAULT_MEMORY_LIMIT = 2 * 1024**3
#: Bytes a converter may write to stdout/stderr during one conversion.
DEFAULT_OUTPUT_LIMIT = 16 * 1024**2

# Seconds describing a converter or checking settings waits for a busy pool before it
# starts a spare worker of its own (about what starting one costs).
_INSPECTION_PATIENCE = 1.0

# Causes after which a worker is not trusted with another file.
_DISCARD = {FailureCause.MEMORY}


class Runner:
    """Runs converters in warm worker processes; see the module docstring.

    * ``workers``: how many conversions may run at once (one process each).
    * ``time_limit``: seconds per conversion; ``time_limits`` overrides it per converter name.
    * ``memory_limit``: bytes of address space per worker (``None``: no limit).
    * ``output_limit``: bytes of stdout/stderr one conversion may write.
    * ``max_file_bytes``: the largest file ``SourceFile.read_bytes`` will read.
    * ``converters``: converters registered besides the installed entry points, by reference
      (``{"acme": "acme_module:Acme"}``), importable from ``python_path``: the test hook.
    * ``validate``: check every report with pywats-core's ``validate`` (on by default).
    * ``recycle_after``: replace a worker after that many conversions (bounds slow leaks).
    """

    def __init__(
        self,
        *,
        workers: int = 2,
        time_limit: float = DEFAULT_TIME_LIMIT,
        time_limits: Mapping[str, float] | None = None,
        memory_limit: int | None = DEFAULT_MEMORY_LIMIT,
        output_limit: int = DEFAULT_OUTPUT_LIMIT,
        max_file_bytes: int = DEFAULT_MAX_BYTES,
        startup_time_limit: float = 60.0,
        converters: Mapping[str, str] | None = None,
        python_path: Sequence[str | os.PathLike[str]] = (),
        validate: bool = True,
        recycle_after: int | None = 1000,
    ) -> None:
        if workers < 1:
            raise ValueError("workers must be at least 1")
        self._max_workers = workers
        self._time_limit = time_limit
        self._time_limits = dict(time_limits or {})
        self._memory_limit = memory_limit
        self._output_limit = output_limit
        self._max_file_bytes = max_file_bytes
        self._startup_time_limit = startup_time_limit
        self._extra = dict(converters or {})
        self._python_path = [str(Path(p).resolve()) for p in python_path]
        self._validate = validate
        self._recycle_after = recycle_after
        self._entries = installed_converters(self._extra)
        self._described: dict[str, ConverterInfo] = {}
        self._cond = threading.Condition()
        self._idle: list[WorkerProcess] = []
        self._busy: set[WorkerProcess] = set()
        self._spares: set[WorkerProcess] = set()  # describing while every worker converts
        self._starting = 0
        self._closed = threading.Event()

    # ------------------------------------------------------------------ listing

    def converters(self) -> dict[str, ConverterEntry]:
        """Installed converters by name, from entry-point metadata (nothing is imported)."""
        return dict(self._entries)

    def describe(self, names: Iterable[str] | None = None) -> list[ConverterInfo]:
        """Each converter's status and description, as a worker process found it.

        A converter whose import fails, or that was written for another converter API, is
        listed with that status and the reason; the others are unaffected. Results are kept:
        installed code does not change while the runner runs. A long conversion does not
        hold it up: when every worker stays busy for about a second, a spare worker
        answers. Raises ``KeyError`` for a name that is not installed.
        """
        wanted = sorted(self._entries) if names is None else list(names)
        unknown = [name for name in wanted if name not in self._entries]
        if unknown:
            raise KeyError(self._unknown(unknown[0]))
        missing = [name for name in wanted if name not in self._described]
        if missing:
            with self._inspector() as ask:
                for name in missing:
                    self._described[name] = self._describe_one(self._entries[name], ask)
        return [self._described[name] for name in wanted]

    def _describe_one(self, entry: ConverterEntry, ask: _Ask) -> ConverterInfo:
        base: dict[str, Any] = {
            "name": entry.name,
            "entry_point": entry.reference,
            "distribution": entry.distribution,
            "distribution_version": entry.distribution_version,
        }
        request = {"op": "describe", "name": entry.name, "reference": entry.reference}
        answer = ask(entry.name, request, self._time_limit_for(entry.name, None))
        if isinstance(answer, Death):
            error = f"loading it stopped the worker: {answer.cause.value}: {answer.text}"
            return ConverterInfo(**base, status="import failed", error=error)
        if answer[0] == "ok":
            return ConverterInfo(**base, status="ok", **answer[1])
        status: ConverterStatus = "incompatible" if answer[1] == "incompatible" else "import failed"
        return ConverterInfo(**base, status=status, error=answer[2])

    def check_settings(self, name: str, settings: Mapping[str, Any] | None) -> list[str]:
        """Problems of ``settings`` for converter ``name``, one per bad key; empty when valid.

        For validating a station's folder settings at start, before any file arrives, and
        a settings form; like :meth:`describe`, not held up by a long conversion.
        """
        entry = self._entries.get(name)
        if entry is None:
            return [self._unknown(name)]
        request = {
            "op": "settings",
            "name": name,
            "reference": entry.reference,
            "settings": dict(settings or {}),
        }
        with self._inspector() as ask:
            answer = ask(name, request, self._time_limit_for(name, None))
        if isinstance(answer, Death):
            return [f"converter {name!r} could not be loaded: {answer.cause.value}: {answer.text}"]
        if answer[0] == "ok":
            return list(answer[1])
        return [answer[2]]

    # ------------------------------------------------------------------ converting

    def convert(
        self,
        path: str | os.PathLike[str],
        converter: str,
        settings: Mapping[str, Any] | None = None,
        context: ContextInfo | None = None,
        *,
        time_limit: float | None = None,
        as_wsjf: bool = False,
    ) -> ConversionResult:
        """Convert the file at ``path`` with the converter named ``converter``.

        Returns :class:`Converted` (reports that passed validation) or
        :class:`ConversionFailed`; never raises for anything the file or the converter does.
        ``as_wsjf``: the worker writes each report as WSJF and only those bytes come back
        (``Converted.wsjf``), so this process never holds a large report's objects.
        """
        started = time.perf_counter()
        source = Path(path)
        entry = self._entries.get(converter)
        if entry is None:
            return self._failed(
                converter, source, FailureCause.UNKNOWN_CONVERTER, self._unknown(converter), started
            )
        if context is None:
            context = ContextInfo(station=StationInfo(machine_name=socket.gethostname()))
        request = {
            "op": "convert",
            "name": converter,
            "reference": entry.reference,
            "settings": dict(settings or {}),
            "path": str(source.absolute()),
            "context": context,
            "max_bytes": self._max_file_bytes,
            "validate": self._validate,
            "as_wsjf": as_wsjf,
        }
        answer = self._ask(converter, request, self._time_limit_for(converter, time_limit))
        if isinstance(answer, Death):
            return self._failed(
                converter, source, answer.cause, answer.text, started, detail=answer.detail
            )
        if answer[0] == "ok":
            return Converted(
                converter=converter,
                source=source,
                reports=answer[1].get("reports", []),
                wsjf=answer[1].get("wsjf", []),
                duration=answer[1]["duration"],
                elapsed=time.perf_counter() - started,
            )
        _, cause, text, detail, problems = answer
        return self._failed(
            converter, source, FailureCause(cause), text, started, detail=detail, problems=problems
        )

    def _failed(
        self,
        converter: str,
        source: Path,
        cause: FailureCause,
        text: str,
        started: float,
        *,
        detail: str = "",
        problems: Sequence[Any] = (),
    ) -> ConversionFailed:
        return ConversionFailed(
            converter=converter,
            source=source,
            cause=cause,
            message=f"{source.name}: converter {converter!r}: {cause.value}: {text}",
            detail=detail,
            problems=tuple(problems),
            elapsed=time.perf_counter() - started,
        )

    def _unknown(self, name: str) -> str:
        known = ", ".join(sorted(self._entries)) or "none"
        return f"no converter named {name!r} is installed (installed: {known})"

    def _time_limit_for(self, name: str, given: float | None) -> float:
        if given is not None:
            return given
        return self._time_limits.get(name, self._time_limit)

    # ------------------------------------------------------------------ workers

    def _ask(
        self,
        converter: str,
        request: Mapping[str, Any],
        time_limit: float,
        *,
        patience: float | None = None,
    ) -> Any:
        """Send ``request`` to a worker; the answer tuple or a :class:`Death`. Raises
        :class:`_Busy` when every worker stayed busy for ``patience`` seconds (None: waits
        as long as it takes)."""
        try:
            worker = self._acquire(patience=patience)
        except WorkerStartError as exc:
            return _start_failed(exc)
        except _Closed:
            return Death(FailureCause.RUNNER_CLOSED, "the runner was closed")
        keep = retire = False
        try:
            called = self._call(worker, request, time_limit)
            if isinstance(called, Death):
                return called
            answer, strays = called
            if strays:
                if answer[0] == "ok" and request["op"] == "convert":
                    listed = ", ".join(f"pid {pid} ({command})" for pid, command in strays[:3])
                    return Death(
                        FailureCause.STRAY_PROCESS,
                        f"left {len(strays)} process(es) running: {listed}; "
                        "they were killed with the worker",
                    )
                return answer
            if answer[0] == "fail" and answer[1] in {c.value for c in _DISCARD}:
                return answer
            worker.conversions += 1
            keep = self._recycle_after is None or worker.conversions < self._recycle_after
            retire = not keep
            return answer
        finally:
            self._release(worker, keep, retire=retire)

    @contextlib.contextmanager
    def _inspector(self) -> Iterator[_Ask]:
        """``ask`` for describing converters and checking settings: a worker of the pool
        when one is free within about a second, else a spare worker of this
        call's own for the rest of the call, stopped at the end. Looking at converters
        thus never waits long behind a conversion, which may run for its whole time limit
        (a station's Converters page, its settings form)."""
        spare: list[WorkerProcess] = []

        def ask(converter: str, request: Mapping[str, Any], time_limit: float) -> Any:
            if not spare:
                with contextlib.suppress(_Busy):
                    return self._ask(converter, request, time_limit, patience=_INSPECTION_PATIENCE)
            return self._ask_spare(spare, request, time_limit)

        try:
            yield ask
        finally:
            for worker in spare:
                with self._cond:
                    self._spares.discard(worker)
                worker.stop()

    def _ask_spare(
        self, spare: list[WorkerProcess], request: Mapping[str, Any], time_limit: float
    ) -> Any:
        if not spare or not spare[0].alive:
            if spare:  # died answering the last request (e.g. an import that crashed it)
                with self._cond:
                    self._spares.discard(spare.pop())
            try:
                worker = self._start_worker()
            except WorkerStartError as exc:
                return _start_failed(exc)
            with self._cond:
                closed = self._closed.is_set()
                if not closed:
                    self._spares.add(worker)  # close() stops it
            if closed:
                worker.kill()
                return Death(FailureCause.RUNNER_CLOSED, "the runner was closed")
            spare.append(worker)
        called = self._call(spare[0], request, time_limit)
        return called if isinstance(called, Death) else called[0]

    def _call(self, worker: WorkerProcess, request: Mapping[str, Any], time_limit: float) -> Any:
        """``(answer, strays)`` from ``worker`` (the strays it reported are killed), or a
        :class:`Death`."""
        answer = worker.call(request, time_limit)
        if self._closed.is_set():
            return Death(FailureCause.RUNNER_CLOSED, "the runner was closed")
        if isinstance(answer, Death):
            return answer
        reply, strays = answer
        if strays:
            worker.kill_strays(strays)
        return reply, strays

    def _acquire(self, *, patience: float | None = None) -> WorkerProcess:
        deadline = None if patience is None else time.monotonic() + patience
        with self._cond:
            while True:
                if self._closed.is_set():
                    raise _Closed
                if self._idle:
                    worker = self._idle.pop()
                    if worker.alive:
                        self._busy.add(worker)
                        return worker
                    worker.kill()
                    continue
                if len(self._busy) + self._starting < self._max_workers:
                    self._starting += 1
                    break
                left = None if deadline is None else deadline - time.monotonic()
                if left is not None and left <= 0:
                    raise _Busy
                self._cond.wait(left)
        try:
            worker = self._start_worker()
        finally:
            with self._cond:
                self._starting -= 1
                self._cond.notify()
        with self._cond:
            if self._closed.is_set():
                worker.kill()
                raise _Closed
            self._busy.add(worker)
        return worker

    def _start_worker(self) -> WorkerProcess:
        return WorkerProcess(
            memory_limit=self._memory_limit,
            output_limit=self._output_limit,
            python_path=self._python_path,
            startup_time_limit=self._startup_time_limit,
        )

    def _release(self, worker: WorkerProcess, keep: bool, *, retire: bool = False) -> None:
        """Back to the idle list, or ended: stopped when ``retire`` (healthy), else killed."""
        with self._cond:
            self._busy.discard(worker)
            keep = keep and not self._closed.is_set() and worker.alive
            if keep:
                self._idle.append(worker)
            self._cond.notify()
        if keep:
            return
        if retire:
            worker.stop()
        else:
            worker.kill()

    def start(self, workers: int | None = None) -> float:
        """Start ``workers`` (default: all) warm workers now; returns the slowest start in s.

        Optional: workers otherwise start on first use.
        """
        count = self._max_workers if workers is None else min(workers, self._max_workers)
        taken = [self._acquire() for _ in range(count)]
        slowest = max((w.startup_seconds for w in taken), default=0.0)
        for worker in taken:
            self._release(worker, True)
        return slowest

    def worker_pids(self) -> list[int]:
        """Process ids of the running workers (each leads a process group of its own)."""
        with self._cond:
            return sorted(w.pid for w in [*self._idle, *self._busy])

    def close(self) -> None:
        """Stop every worker (a conversion in progress fails with ``RUNNER_CLOSED``)."""
        with self._cond:
            self._closed.set()
            workers = [*self._idle, *self._busy, *self._spares]
            busy = self._busy | self._spares
            self._idle.clear()
            self._cond.notify_all()
        idle = set(workers) - busy
        for worker in workers:
            if worker in idle:
                worker.stop()  # lets it end cleanly (and flush what it must)
            else:
                worker.kill()

    def __enter__(self) -> Runner:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class _Closed(Exception):
    pass


class _Busy(Exception):
    """Every worker of the pool is busy (and none may start)."""


_Ask = Callable[[str, Mapping[str, Any], float], Any]


def _start_failed(exc: WorkerStartError) -> Death:
    return Death(FailureCause.CRASHED, str(exc).split("\n")[0], str(exc))
