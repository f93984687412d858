"""The worker process: imports converters and runs conversions for one runner.

Started by the runner as ``python -m pywats_converters._worker`` in a session (process group)
of its own. Requests arrive as frames on stdin and answers leave as frames on the original
stdout; before any converter runs, fd 0 is pointed at the null device and fd 1 at stderr,
so that whatever a converter reads or prints never touches the protocol. The runner drains
stderr, caps it, and kills the whole group when a conversion misbehaves.
"""

from __future__ import annotations

import contextlib
import faulthandler
import gc
import json
import logging
import os
import sys
import threading
import time
import traceback
from collections.abc import Mapping, Sequence
from typing import IO, Any

from pywats.report import Report, validate

from ._children import become_subreaper, children_left
from ._discovery import LoadFailure, describe_converter, load_converter
from ._protocol import read_frame, write_frame
from ._results import FailureCause, WsjfReport
from ._sdk import (
    CONVERTER_API,
    ConversionContext,
    ConversionError,
    Converter,
    SettingsError,
    SourceFile,
)

_MAX_CONFIGURED = 64

Response = tuple[Any, ...]


class _Worker:
    def __init__(self) -> None:
        self._classes: dict[tuple[str, str], type[Converter[Any]] | LoadFailure] = {}
        self._configured: dict[tuple[str, str, str], Converter[Any]] = {}

    # ------------------------------------------------------------------ requests

    def handle(self, request: Mapping[str, Any]) -> tuple[Response, bool]:
        """The answer to ``request``, and whether this worker must exit after sending it."""
        op = request.get("op")
        if op == "convert":
            return self._convert(request)
        if op == "describe":
            try:
                cls = self._load(request["name"], request["reference"])
            except LoadFailure as failure:
                return ("fail", failure.kind, failure.message, failure.detail), False
            return ("ok", describe_converter(cls)), False
        if op == "settings":
            try:
                cls = self._load(request["name"], request["reference"])
                cls.configure(request["settings"])
            except LoadFailure as failure:
                return ("fail", failure.kind, failure.message, failure.detail), False
            except SettingsError as exc:
                return ("ok", exc.problems), False
            return ("ok", []), False
        return ("fail", "protocol", f"unknown request {op!r}", ""), False

    def _load(self, name: str, reference: str) -> type[Converter[Any]]:
        key = (name, reference)
        if key not in self._classes:
            try:
                self._classes[key] = load_converter(name, reference)
            except LoadFailure as failure:
                self._classes[key] = failure
        loaded = self._classes[key]
        if isinstance(loaded, LoadFailure):
            raise loaded
        return loaded

    def _instance(self, name: str, reference: str, settings: Mapping[str, Any]) -> Converter[Any]:
        cls = self._load(name, reference)
        settings_key = json.dumps(settings, sort_keys=True, default=repr)
        key = (name, reference, settings_key)
        instance = self._configured.get(key)
        if instance is None:
            instance = cls.configure(settings)
            if len(self._configured) >= _MAX_CONFIGURED:
                self._configured.clear()
            self._configured[key] = instance
        return instance

    def _convert(self, request: Mapping[str, Any]) -> tuple[Response, bool]:
        name: str = request["name"]
        try:
            converter = self._instance(name, request["reference"], request["settings"])
        except LoadFailure as failure:
            cause = (
                FailureCause.INCOMPATIBLE_API
                if failure.kind == "incompatible"
                else FailureCause.IMPORT_FAILED
            )
            return _fail(cause, failure.message, failure.detail), False
        except SettingsError as exc:
            return _fail(FailureCause.SETTINGS_INVALID, "; ".join(exc.problems)), False
        try:
            return self._run(converter, name, request), False
        except MemoryError:
            # The heap may be in any state now: answer, then let the runner replace us.
            return _fail(FailureCause.MEMORY, "the converter ran out of memory"), True

    def _run(self, converter: Converter[Any], name: str, request: Mapping[str, Any]) -> Response:
        try:
            source = SourceFile.from_path(request["path"], max_bytes=request["max_bytes"])
            if source.kind != converter.source_kind:
                raise ConversionError(
                    f"converter {name!r} reads a {converter.source_kind}, and this is a "
                    f"{source.kind}",
                    source=source.path,
                )
            info = request["context"]
            context = ConversionContext(
                station=info.station,
                source=source,
                operator=info.operator,
                default_process_code=info.default_process_code,
                processes=dict(info.processes),
                logger=logging.getLogger(f"pywats.converters.{name}"),
            )
            started = time.perf_counter()
            result = converter.convert(source, context)
            duration = time.perf_counter() - started
        except ConversionError as exc:
            return _fail(FailureCause.CONVERSION_ERROR, exc.message)
        except MemoryError:
            raise
        except RecursionError:
            return _fail(
                FailureCause.CONVERTER_RAISED,
                "RecursionError: maximum recursion depth exceeded",
                traceback.format_exc(),
            )
        except SystemExit as exc:
            return _fail(
                FailureCause.CONVERTER_RAISED,
                f"SystemExit: the converter called sys.exit({exc.code!r})",
                traceback.format_exc(),
            )
        except Exception as exc:
            return _fail(FailureCause.CONVERTER_RAISED, _one_line(exc), traceback.format_exc())
        reports = _as_reports(result)
        if isinstance(reports, str):
            return _fail(FailureCause.INVALID_RESULT, reports)
        if request["validate"]:
            problems = []
            for index, report in enumerate(reports):
                label = f"report {index + 1} of {len(reports)} ({report.sn or report.id})"
                problems += [(label, problem) for problem in validate(report)]
            if problems:
                first = "; ".join(f"{label}: {problem}" for label, problem in problems[:3])
                more = f" (and {len(problems) - 3} more)" if len(problems) > 3 else ""
                return _fail(
                    FailureCause.INVALID_REPORT,
                    first + more,
                    "\n".join(f"{label}: {problem}" for label, problem in problems),
                    tuple(problem for _, problem in problems),
                )
        if request.get("as_wsjf"):
            # Only the bytes leave: the parsed reports are freed before the answer is pickled.
            return ("ok", {"wsjf": [WsjfReport.of(r) for r in reports], "duration": duration})
        return ("ok", {"reports": reports, "duration": duration})


def _as_reports(result: object) -> list[Report] | str:
    """The converter's result as a list of reports, or why it is not one."""
    if isinstance(result, Report):
        return [result]
    if not isinstance(result, Sequence) or isinstance(result, (str, bytes)):
        return f"convert() returned {type(result).__name__}, not a list of reports"
    reports = list(result)
    if not reports:
        return "convert() returned no reports"
    for index, item in enumerate(reports):
        if not isinstance(item, Report):
            return f"convert() returned a {type(item).__name__} at index {index}, not a Report"
    return reports


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    if len(text) > 300:
        text = text[:297] + "..."
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _fail(
    cause: FailureCause, text: str, detail: str = "", problems: tuple[Any, ...] = ()
) -> Response:
    return ("fail", cause.value, text, detail, problems)


def _limit_memory(limit: int) -> None:
    try:
        import resource
    except ImportError:  # Windows: a job object would do this; not implemented yet
        return
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _take_protocol_streams() -> tuple[IO[bytes], IO[bytes]]:
    """Keep private copies of stdin/stdout for frames; give converters harmless fds 0 and 1."""
    requests = os.fdopen(os.dup(0), "rb")
    answers = os.fdopen(os.dup(1), "wb")
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    os.dup2(2, 1)
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    return requests, answers


def _die_with_parent() -> None:
    """End this worker's whole group once the runner's process is gone.

    A runner that is killed (a station SIGKILLed mid-conversion) cannot kill its workers;
    a worker busy in a hung converter would never read the end of its request pipe. This
    thread notices the re-parenting and takes the group down, converter children included.
    """
    parent = os.getppid()

    def watch() -> None:
        while True:
            time.sleep(1.0)
            if os.getppid() != parent:
                if hasattr(os, "killpg"):
                    os.killpg(os.getpgrp(), 9)  # SIGKILL
                os._exit(70)

    if os.name != "nt":  # on Windows the runner's job object would do this (not yet)
        threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def _save_coverage() -> None:
    """Save coverage.py's data when it measures this worker (the project's test suite does):
    ``os._exit`` below skips the exit hook that would."""
    coverage: Any = sys.modules.get("coverage")
    current = coverage.Coverage.current() if coverage is not None else None
    if current is not None:
        with contextlib.suppress(Exception):
            current.stop()
            current.save()


def main(argv: Sequence[str]) -> int:
    _die_with_parent()
    become_subreaper()
    requests, answers = _take_protocol_streams()
    faulthandler.enable()  # a segfaulting converter leaves its Python stack in the output
    if len(argv) >= 2 and argv[0] == "--memory-limit" and int(argv[1]) > 0:
        _limit_memory(int(argv[1]))
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger("pywats.converters")
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    worker = _Worker()
    # Imported modules live as long as the worker: keep the collector from walking them.
    gc.freeze()
    write_frame(answers, ("ready", {"pid": os.getpid(), "api": CONVERTER_API}))
    while True:
        request = read_frame(requests)
        if request is None:
            return 0
        response, exit_after = worker.handle(request)
        left = children_left()  # processes the converter started and left running
        try:
            write_frame(answers, (response, left))
        except Exception as exc:  # e.g. a report that cannot be pickled
            text = f"the result cannot be sent: {_one_line(exc)}"
            write_frame(answers, (_fail(FailureCause.INVALID_RESULT, text), left))
        if exit_after:
            return 0


if __name__ == "__main__":
    try:
        code = main(sys.argv[1:])
    except (BrokenPipeError, KeyboardInterrupt):
        code = 0
    sys.stdout.flush()
    _save_coverage()
    # Skip interpreter teardown: a converter's threads or atexit hooks must not keep us alive.
    os._exit(code)
