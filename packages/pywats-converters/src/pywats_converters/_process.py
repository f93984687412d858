"""One worker process as the runner sees it: start, ask, wait with a deadline, kill the group.

Each worker runs in a session of its own (``start_new_session``; a new process group on
Windows), so that killing it kills whatever its converter started. Two daemon threads per
worker read its pipes: one collects answer frames, the other drains stdout/stderr, keeps the
last bytes for failure reports, forwards lines to logging, and kills the worker when one
conversion writes more than the output limit.
"""

from __future__ import annotations

import contextlib
import logging
import os
import queue
import select
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ._protocol import ProtocolError, read_frame, write_frame
from ._results import FailureCause

__all__ = ["Death", "WorkerProcess", "WorkerStartError"]

_TAIL_BYTES = 8192
_output_log = logging.getLogger("pywats.converters.output")
_SELECTABLE_PIPES = os.name != "nt"
_MEMORY_MARKERS = (b"MemoryError", b"Cannot allocate memory", b"bad_alloc", b"out of memory")


class _NoAnswer(Exception):
    """No answer within the time allowed (not ``TimeoutError``: that is an ``OSError``)."""


class WorkerStartError(Exception):
    """The worker process did not come up (its message says how far it got)."""


@dataclass(frozen=True)
class Death:
    """The worker is gone (or was killed) instead of answering."""

    cause: FailureCause
    text: str
    detail: str = ""


class WorkerProcess:
    """A running worker. Not thread-safe: the runner lends it to one caller at a time."""

    def __init__(
        self,
        *,
        memory_limit: int | None,
        output_limit: int,
        python_path: Sequence[str],
        startup_time_limit: float,
    ) -> None:
        self.output_limit = output_limit
        self.conversions = 0
        self._flooded = False
        self._output_count = 0
        self._tail = bytearray()
        self._lock = threading.Lock()
        self._answers: queue.Queue[Any] = queue.Queue()
        command = [sys.executable, "-m", "pywats_converters._worker"]
        command += ["--memory-limit", str(memory_limit or 0)]
        env = dict(os.environ)
        if python_path:
            env["PYTHONPATH"] = os.pathsep.join([*python_path, env.get("PYTHONPATH", "")])
        env["PYTHONUNBUFFERED"] = "1"  # converter output arrives as it is written
        options: dict[str, Any] = {}
        if os.name == "nt":  # pragma: no cover - Windows
            options["creationflags"] = getattr(subprocess, "CREATE_NEW_PROCESS_GROUP", 0x200)
        else:
            options["start_new_session"] = True
        started = time.perf_counter()
        self.process = subprocess.Popen(
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
            bufsize=0,
            close_fds=True,
            **options,
        )
        self.pid = self.process.pid
        self._drain = threading.Thread(
            target=self._drain_output, name=f"converter-worker-{self.pid}-output", daemon=True
        )
        self._drain.start()
        self._reader: threading.Thread | None = None
        if not _SELECTABLE_PIPES:  # pragma: no cover - Windows: no select() on pipes
            self._reader = threading.Thread(
                target=self._read_answers, name=f"converter-worker-{self.pid}-answers", daemon=True
            )
            self._reader.start()
        try:
            ready = self._receive(startup_time_limit)
        except _NoAnswer:
            self.kill()
            raise WorkerStartError(
                f"the worker process did not start within {startup_time_limit:g} s"
            ) from None
        if not (isinstance(ready, tuple) and ready[:1] == ("ready",)):
            death = self._death()
            raise WorkerStartError(
                f"the worker process did not start: {death.text}\n{death.detail}"
            )
        self.startup_seconds = time.perf_counter() - started

    # ------------------------------------------------------------------ pipes

    def _receive(self, timeout: float) -> Any:
        """The next answer: a message, ``None`` at end of stream, or the exception that
        ended reading; raises ``_NoAnswer`` when none came within ``timeout`` seconds.

        On POSIX the calling thread waits on the pipe itself: no hand-off between threads,
        which costs a wake-up per file on a busy machine.
        """
        if self._reader is not None:  # pragma: no cover - Windows
            try:
                return self._answers.get(timeout=timeout)
            except queue.Empty:
                raise _NoAnswer from None
        stream = self.process.stdout
        assert stream is not None
        try:
            readable, _, _ = select.select([stream], [], [], max(timeout, 0.0))
        except (OSError, ValueError) as exc:  # the pipe was closed under us (runner closing)
            return exc
        if not readable:
            raise _NoAnswer
        try:
            return read_frame(stream)
        except (ProtocolError, OSError, EOFError, ValueError) as exc:
            return exc

    def _read_answers(self) -> None:
        stream = self.process.stdout
        assert stream is not None
        try:
            while True:
                message = read_frame(stream)
                self._answers.put(message)
                if message is None:
                    return
        except (ProtocolError, OSError, EOFError, ValueError) as exc:
            self._answers.put(exc)

    def _drain_output(self) -> None:
        stream = self.process.stderr
        assert stream is not None
        pending = b""
        while True:
            try:
                chunk = stream.read(65536)
            except (OSError, ValueError):
                return
            if not chunk:
                if pending:
                    self._log_line(pending)
                return
            with self._lock:
                self._output_count += len(chunk)
                flooded = self._output_count > self.output_limit
                self._tail += chunk
                del self._tail[:-_TAIL_BYTES]
            if flooded:
                if not self._flooded:
                    self._flooded = True
                    self.kill_group()
                continue  # keep draining so the pipe never blocks a dying writer
            pending += chunk
            *lines, pending = pending.split(b"\n")
            for line in lines:
                self._log_line(line)
            if len(pending) > _TAIL_BYTES:
                self._log_line(pending)
                pending = b""

    def _log_line(self, line: bytes) -> None:
        text = line.decode("utf-8", "replace").rstrip()
        if text:
            _output_log.info("[worker %d] %s", self.pid, text)

    # ------------------------------------------------------------------ calls

    @property
    def alive(self) -> bool:
        return self.process.poll() is None

    def call(self, request: Any, time_limit: float) -> Any:
        """Send ``request`` and wait for the answer; a :class:`Death` if there was none."""
        with self._lock:
            self._output_count = 0
        try:
            assert self.process.stdin is not None
            write_frame(self.process.stdin, request)
        except OSError:
            return self._death()
        try:
            answer = self._receive(time_limit)
        except _NoAnswer:
            self.kill()
            return Death(
                FailureCause.TIMEOUT,
                f"still running after {time_limit:g} s; the worker was killed",
                self.output_tail(),
            )
        if answer is None or isinstance(answer, BaseException):
            return self._death()
        return answer

    def _death(self) -> Death:
        """Reap a worker that stopped answering and say why it died."""
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=10)
        self.kill()
        self._drain.join(timeout=10)
        code = self.process.returncode
        tail = self.output_tail()
        if self._flooded:
            return Death(
                FailureCause.OUTPUT_FLOOD,
                f"wrote more than {self.output_limit:,} bytes to stdout/stderr; "
                "the worker was killed",
                tail,
            )
        if code is not None and code < 0:
            try:
                how = f"was killed by signal {signal.Signals(-code).name}"
            except ValueError:
                how = f"was killed by signal {-code}"
        else:
            how = f"exited with code {code}"
        if any(marker in tail.encode() for marker in _MEMORY_MARKERS):
            return Death(FailureCause.MEMORY, f"ran out of memory: the worker {how}", tail)
        return Death(FailureCause.CRASHED, f"the worker process {how}", tail)

    def output_tail(self) -> str:
        with self._lock:
            return bytes(self._tail).decode("utf-8", "replace")

    # ------------------------------------------------------------------ ending

    def kill_group(self) -> None:
        """SIGKILL the worker's whole process group (on Windows: its process tree)."""
        if os.name == "nt":  # pragma: no cover - Windows
            subprocess.run(
                ["taskkill", "/F", "/T", "/PID", str(self.pid)],
                capture_output=True,
                check=False,
            )
            return
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.pid, signal.SIGKILL)

    def stop(self, grace: float = 2.0) -> None:
        """End an idle worker: close its request pipe (it exits at the end of it), then kill
        the group, which also takes anything its converters left behind."""
        if self.process.stdin is not None:
            with contextlib.suppress(OSError):
                self.process.stdin.close()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=grace)
        self.kill()

    def kill(self) -> None:
        """Kill the group, reap the worker, close the pipes."""
        self.kill_group()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:  # pragma: no cover - SIGKILL does not take this long
            self.process.kill()
        # Close our ends of the pipes, so that replaced workers leak no descriptors. The
        # output pipe is closed only once drained (its tail goes into failure reports); a
        # process that escaped the group with a copy of it would keep it open.
        for thread in (self._reader, self._drain):
            if thread is not None and thread is not threading.current_thread():
                thread.join(timeout=5)
        for stream in (self.process.stdin, self.process.stdout):
            if stream is not None:
                with contextlib.suppress(OSError):
                    stream.close()
        if not self._drain.is_alive() and self.process.stderr is not None:
            with contextlib.suppress(OSError):
                self.process.stderr.close()

    def kill_strays(self, strays: Sequence[tuple[int, str]]) -> None:
        """Kill processes the worker reported left behind (they may have left its group)."""
        for pid, _ in strays:
            if pid > 0:
                with contextlib.suppress(OSError):
                    os.kill(pid, signal.SIGKILL)
        self.kill()
