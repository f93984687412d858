"""The isolated runner against hostile converters: each costs its file only, nothing survives.

The converters live in ``plugins/hostile_converters.py`` and reach the workers through the
runner's test hook (``converters=`` and ``python_path=``). "No process left behind" is
checked by scanning ``/proc`` for live members of every worker's process group and for the
children the hostile converters start.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from pywats_converters.runner import FailureCause, Runner

PLUGINS = Path(__file__).parent / "plugins"
EXAMPLE_SRC = Path(__file__).parent / "example_plugin" / "src"
sys.path.insert(0, str(PLUGINS))
import hostile_converters  # noqa: E402

CONVERTERS = {
    **hostile_converters.HOSTILE,
    "broken": "broken_converter:Broken",
    "acme-log": "acme_converters:AcmeLog",
}

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="process checks read /proc")


def _live(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            state = fh.read().rpartition(b")")[2].split()[0]
    except OSError:
        return False
    return state not in (b"Z", b"X")


def _processes() -> Iterator[tuple[int, list[bytes]]]:
    """Each live process: its pid and the fields of ``/proc/<pid>/stat`` after the name
    (state, ppid, pgid, ...)."""
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as fh:
                fields = fh.read().rpartition(b")")[2].split()
        except OSError:
            continue
        if fields[0] not in (b"Z", b"X"):
            yield int(entry), fields


def _group_members(pgid: int) -> list[int]:
    return [pid for pid, fields in _processes() if int(fields[2]) == pgid]


def _hostile_children() -> list[int]:
    found = []
    marker = hostile_converters.CHILD_CODE.encode()
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as fh:
                cmdline = fh.read()
        except OSError:
            continue
        if marker in cmdline and _live(int(entry)):
            found.append(int(entry))
    return found


def _wait_until(condition, timeout: float = 30.0) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


class _Tracked:
    """A runner that remembers every worker it ever had, to check their groups later."""

    def __init__(self, runner: Runner) -> None:
        self.runner = runner
        self.seen: set[int] = set()

    def convert(self, path: Path, name: str, *args, **kwargs):  # type: ignore[no-untyped-def]
        self.seen.update(self.runner.worker_pids())
        result = self.runner.convert(path, name, *args, **kwargs)
        self.seen.update(self.runner.worker_pids())
        return result

    def leftovers(self) -> dict[int, list[int]]:
        """Live processes in the groups of workers that are no longer the runner's."""
        current = set(self.runner.worker_pids())
        out = {}
        for pgid in self.seen - current:
            members = _group_members(pgid)
            if members:
                out[pgid] = members
        for pgid in current:
            others = [pid for pid in _group_members(pgid) if pid != pgid]
            if others:
                out[pgid] = others
        return out


@pytest.fixture
def runner() -> Iterator[_Tracked]:
    instance = Runner(
        workers=1,
        converters=CONVERTERS,
        python_path=[PLUGINS, EXAMPLE_SRC],
        time_limits={"hostile-hang": 3.0, "hostile-child-hang": 3.0},
        memory_limit=768 * 1024**2,
    )
    tracked = _Tracked(instance)
    try:
        yield tracked
    finally:
        instance.close()
    assert _wait_until(lambda: not tracked.leftovers()), tracked.leftovers()
    assert _wait_until(lambda: not _hostile_children()), _hostile_children()


@pytest.fixture
def data_file(tmp_path: Path) -> Path:
    path = tmp_path / "SN-42.txt"
    path.write_text("any content")
    return path


HOSTILE_CASES = [
    ("hostile-raise", FailureCause.CONVERTER_RAISED, "KeyError: \"no such column 'Voltage'\""),
    ("hostile-hang", FailureCause.TIMEOUT, "still running after 3 s"),
    ("hostile-exit", FailureCause.CRASHED, "exited with code 3"),
    ("hostile-segfault", FailureCause.CRASHED, "killed by signal SIGSEGV"),
    ("hostile-flood", FailureCause.OUTPUT_FLOOD, "wrote more than 16,777,216 bytes"),
    ("hostile-child", FailureCause.STRAY_PROCESS, "left 1 process(es) running"),
    ("hostile-setsid", FailureCause.STRAY_PROCESS, "left 1 process(es) running"),
    ("hostile-orphan", FailureCause.STRAY_PROCESS, "left 1 process(es) running"),
    ("hostile-child-hang", FailureCause.TIMEOUT, "still running after 3 s"),
    ("hostile-memory", FailureCause.MEMORY, "out of memory"),
]


@pytest.mark.parametrize(
    ("name", "cause", "text"), HOSTILE_CASES, ids=[c[0] for c in HOSTILE_CASES]
)
def test_a_hostile_converter_costs_only_its_file(
    runner: _Tracked, data_file: Path, name: str, cause: FailureCause, text: str
) -> None:
    result = runner.convert(data_file, name)
    assert not result.ok
    assert result.cause is cause, result.message
    assert result.message.startswith(f"SN-42.txt: converter {name!r}: {cause.value}: ")
    assert text in result.message
    assert "Traceback" not in result.message
    # Whatever the converter did, the next file converts normally ...
    good = runner.convert(data_file, "good")
    assert good.ok, good.message
    assert good.reports[0].sn == "SN-42"
    # ... and nothing of the hostile conversion is still running.
    assert _wait_until(lambda: not runner.leftovers()), runner.leftovers()
    assert _wait_until(lambda: not _hostile_children()), _hostile_children()


def test_a_raising_converter_keeps_its_traceback_for_the_logs(
    runner: _Tracked, data_file: Path
) -> None:
    result = runner.convert(data_file, "hostile-raise")
    assert not result.ok
    assert "Traceback (most recent call last)" in result.detail
    assert "hostile_converters.py" in result.detail


def test_a_segfault_leaves_the_python_stack_in_the_detail(
    runner: _Tracked, data_file: Path
) -> None:
    result = runner.convert(data_file, "hostile-segfault")
    assert not result.ok
    assert "Segmentation fault" in result.detail


def test_a_conversion_error_gives_its_text(runner: _Tracked, data_file: Path) -> None:
    result = runner.convert(data_file, "refuses")
    assert not result.ok
    assert result.cause is FailureCause.CONVERSION_ERROR
    assert result.message == (
        "SN-42.txt: converter 'refuses': conversion error: line 3: expected 5 fields, found 2"
    )


def test_a_converter_that_returns_nothing_fails(runner: _Tracked, data_file: Path) -> None:
    result = runner.convert(data_file, "returns-nothing")
    assert not result.ok
    assert result.cause is FailureCause.INVALID_RESULT
    assert "convert() returned no reports" in result.message


def test_an_invalid_report_is_a_failure_naming_the_problem(
    runner: _Tracked, data_file: Path
) -> None:
    result = runner.convert(data_file, "invalid-report")
    assert not result.ok
    assert result.cause is FailureCause.INVALID_REPORT
    assert "sn contains characters that break WATS searches: *" in result.message
    assert [p.message for p in result.problems] == [
        "sn contains characters that break WATS searches: *"
    ]


def test_a_file_that_disappears_before_it_is_read(runner: _Tracked, data_file: Path) -> None:
    result = runner.convert(data_file, "vanishing")
    assert not result.ok
    assert result.cause is FailureCause.CONVERSION_ERROR
    assert "the file disappeared before it was read" in result.message


def test_an_unknown_converter_is_named_with_the_installed_ones(
    runner: _Tracked, data_file: Path
) -> None:
    result = runner.convert(data_file, "nope")
    assert not result.ok
    assert result.cause is FailureCause.UNKNOWN_CONVERTER
    assert "no converter named 'nope' is installed (installed: acme-log, " in result.message
    assert ", good, " in result.message


def test_invalid_settings_name_the_key(runner: _Tracked, tmp_path: Path) -> None:
    path = tmp_path / "a.acme"
    path.write_text("SN=1\nPN=2\nREV=3\nV;1;0;2;V\n")
    result = runner.convert(path, "acme-log", {"proces": "ICT", "encoding": 5})
    assert not result.ok
    assert result.cause is FailureCause.SETTINGS_INVALID
    assert "proces: unknown setting" in result.message
    assert "encoding: Input should be a valid string" in result.message
    assert runner.runner.check_settings("acme-log", {"proces": 1}) == ["proces: unknown setting"]
    assert runner.runner.check_settings("acme-log", {"process": "ICT"}) == []


def test_incompatible_and_broken_converters_are_listed_and_refused(
    runner: _Tracked, data_file: Path
) -> None:
    infos = {info.name: info for info in runner.runner.describe()}
    assert infos["future-api"].status == "incompatible"
    assert infos["future-api"].error == (
        "converter 'future-api' was written for converter API 99; "
        "this pywats-converters provides converter API 1"
    )
    assert infos["broken"].status == "import failed"
    assert "ModuleNotFoundError: No module named 'pywats_converters_no_such_dependency'" in (
        infos["broken"].error
    )
    assert infos["good"].status == "ok"
    refused = runner.convert(data_file, "future-api")
    assert not refused.ok
    assert refused.cause is FailureCause.INCOMPATIBLE_API
    assert "written for converter API 99" in refused.message
    broken = runner.convert(data_file, "broken")
    assert not broken.ok
    assert broken.cause is FailureCause.IMPORT_FAILED
    assert "No module named 'pywats_converters_no_such_dependency'" in broken.message
    assert runner.convert(data_file, "good").ok


def test_describe_gives_schema_and_defaults(runner: _Tracked) -> None:
    (info,) = runner.runner.describe(["acme-log"])
    assert info.status == "ok"
    assert info.api_version == 1
    assert info.patterns == ("*.acme",)
    assert info.source_kind == "file"
    assert info.defaults == {"process": "", "encoding": "utf-8"}
    assert set(info.parameters_schema["properties"]) == {"process", "encoding"}
    assert info.parameters_schema["additionalProperties"] is False


def _workers_of_this_process() -> list[int]:
    """Live converter workers (``python -m pywats_converters._worker``) started here."""
    found = []
    for pid, fields in _processes():
        if int(fields[1]) != os.getpid():
            continue
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as fh:
                if b"pywats_converters._worker" in fh.read():
                    found.append(pid)
        except OSError:
            continue
    return found


def test_describe_and_check_settings_do_not_wait_behind_a_long_conversion(
    data_file: Path,
) -> None:
    runner = Runner(
        workers=1, converters=CONVERTERS, python_path=[PLUGINS, EXAMPLE_SRC], time_limit=3600
    )
    converting = threading.Thread(
        target=runner.convert, args=(data_file, "hostile-child-hang"), daemon=True
    )
    converting.start()
    answers: dict[str, object] = {}

    def look() -> None:
        answers["infos"] = {info.name: info for info in runner.describe()}
        answers["problems"] = runner.check_settings("acme-log", {"proces": 1})

    try:
        assert _wait_until(lambda: bool(_hostile_children()), timeout=120)  # the worker is busy
        looking = threading.Thread(target=look, daemon=True)
        looking.start()
        looking.join(timeout=120)
        assert not looking.is_alive(), "describe/check_settings waited behind the conversion"
        assert converting.is_alive()  # the one worker is still converting
        infos = answers["infos"]
        assert isinstance(infos, dict)
        assert infos["acme-log"].status == "ok"
        assert infos["broken"].status == "import failed"
        assert answers["problems"] == ["proces: unknown setting"]
        # the spare worker they used is gone: only the converting one is left
        assert _wait_until(lambda: len(_workers_of_this_process()) == 1)
    finally:
        runner.close()
        converting.join(timeout=120)
    assert _wait_until(lambda: not _hostile_children())


def test_listing_does_not_import_converter_code() -> None:
    before = set(sys.modules)
    with Runner(converters=CONVERTERS, python_path=[PLUGINS]) as runner:
        names = runner.converters()
    assert "broken" in names
    assert "wsjf" in names
    imported = set(sys.modules) - before
    assert not {m for m in imported if "broken" in m or m.startswith("pywats_converters.standard")}


def test_a_warm_worker_serves_the_next_file(runner: _Tracked, data_file: Path) -> None:
    assert runner.convert(data_file, "good").ok
    first = runner.runner.worker_pids()
    assert runner.convert(data_file, "good").ok
    assert runner.runner.worker_pids() == first


def test_a_crashed_worker_is_replaced(runner: _Tracked, data_file: Path) -> None:
    assert runner.convert(data_file, "good").ok
    (first,) = runner.runner.worker_pids()
    assert not runner.convert(data_file, "hostile-exit").ok
    assert runner.convert(data_file, "good").ok
    (second,) = runner.runner.worker_pids()
    assert second != first
    assert not _live(first)


def test_conversions_from_many_threads(data_file: Path) -> None:
    with Runner(workers=2, converters=CONVERTERS, python_path=[PLUGINS]) as runner:
        results: list[object] = []

        def work() -> None:
            for _ in range(5):
                results.append(runner.convert(data_file, "good"))

        threads = [threading.Thread(target=work) for _ in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=300)
        assert len(results) == 30
        assert all(getattr(r, "ok", False) for r in results)
        assert len(runner.worker_pids()) <= 2


def test_close_stops_every_worker(data_file: Path) -> None:
    runner = Runner(workers=2, converters=CONVERTERS, python_path=[PLUGINS])
    runner.start()
    pids = runner.worker_pids()
    assert len(pids) == 2
    runner.close()
    assert _wait_until(lambda: not any(_live(pid) for pid in pids))
    after = runner.convert(data_file, "good")
    assert not after.ok
    assert after.cause is FailureCause.RUNNER_CLOSED


def test_workers_and_their_children_die_with_a_killed_runner(data_file: Path) -> None:
    script = f"""
import sys
from pywats_converters.runner import Runner
runner = Runner(
    workers=1,
    converters={{"hang": "hostile_converters:SpawnsChildAndHangs"}},
    python_path=[{str(PLUGINS)!r}],
    time_limit=3600,
)
runner.start()
print(runner.worker_pids()[0], flush=True)
runner.convert({str(data_file)!r}, "hang")
"""
    station = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        assert station.stdout is not None
        worker = int(station.stdout.readline())
        # the converter is running once its child exists
        assert _wait_until(lambda: bool(_hostile_children()), timeout=120)
        station.kill()  # SIGKILL: the runner gets no chance to clean up
        station.wait(timeout=60)
        assert _wait_until(lambda: not _group_members(worker), timeout=60), _group_members(worker)
        assert _wait_until(lambda: not _hostile_children(), timeout=60), _hostile_children()
    finally:
        station.kill()
        station.wait(timeout=60)


def test_a_worker_is_replaced_after_its_quota_of_files(data_file: Path) -> None:
    with Runner(workers=1, converters=CONVERTERS, python_path=[PLUGINS], recycle_after=2) as runner:
        assert runner.convert(data_file, "good").ok
        (first,) = runner.worker_pids()
        assert runner.convert(data_file, "good").ok
        assert runner.worker_pids() == []  # retired after its second file
        assert runner.convert(data_file, "good").ok
        assert runner.worker_pids() != [first]
        assert _wait_until(lambda: not _live(first))


def test_describing_an_unknown_converter_names_the_installed_ones() -> None:
    with (
        Runner(converters=CONVERTERS, python_path=[PLUGINS]) as runner,
        pytest.raises(KeyError, match="no converter named 'nope' is installed"),
    ):
        runner.describe(["nope"])


def test_closing_the_runner_mid_conversion_fails_that_file_cleanly(data_file: Path) -> None:
    runner = Runner(workers=1, converters=CONVERTERS, python_path=[PLUGINS])
    results: list[object] = []
    thread = threading.Thread(
        target=lambda: results.append(runner.convert(data_file, "hostile-child-hang"))
    )
    thread.start()
    try:
        assert _wait_until(lambda: bool(_hostile_children()), timeout=120)
        pids = runner.worker_pids()
        runner.close()
        thread.join(timeout=120)
        (result,) = results
        assert getattr(result, "cause", None) is FailureCause.RUNNER_CLOSED
        assert _wait_until(lambda: not any(_group_members(pid) for pid in pids))
        assert _wait_until(lambda: not _hostile_children())
    finally:
        runner.close()


def test_replaced_workers_leave_no_open_descriptors(data_file: Path) -> None:
    with Runner(workers=1, converters=CONVERTERS, python_path=[PLUGINS]) as runner:
        assert not runner.convert(data_file, "hostile-exit").ok
        baseline = len(os.listdir("/proc/self/fd"))
        for _ in range(5):
            assert not runner.convert(data_file, "hostile-exit").ok
        assert _wait_until(lambda: len(os.listdir("/proc/self/fd")) <= baseline)
