"""The converter author's test kit: convert through the real isolated runner, assert validity.

    from pywats_converters.testing import assert_valid, convert_file

    def test_board_file_converts():
        reports = convert_file("tests/data/board1.csv", AcmeCsv, {"operation_code": 60})
        assert_valid(reports)
        assert reports[0].sn == "SN-0001"

``converter`` is a class (imported from a module, not defined in the test function), an
installed converter's name, or a ``"module:Class"`` reference. Conversions run exactly as on
a station: in a worker process, with the time limit, and with pywats-core's validation.
One runner per set of import paths is kept warm for the whole test session.
"""

from __future__ import annotations

import atexit
import os
import sys
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from pywats.report import Report, ValidationProblem, format_problems, validate

from ._results import ContextInfo, ConversionFailed, ConversionResult, FailureCause
from ._sdk import Converter, StationInfo
from .runner import Runner

__all__ = [
    "ConversionFailedError",
    "assert_fails",
    "assert_valid",
    "convert",
    "convert_file",
    "test_station",
]

_runners: dict[tuple[tuple[str, ...], tuple[tuple[str, str], ...]], Runner] = {}
_lock = threading.Lock()


class ConversionFailedError(AssertionError):
    """A conversion that a test expected to succeed failed; carries the failure."""

    def __init__(self, failure: ConversionFailed) -> None:
        self.failure = failure
        detail = f"\n{failure.detail}" if failure.detail else ""
        super().__init__(f"{failure.message}{detail}")


def test_station() -> StationInfo:
    """The station identity conversions get in tests (fixed, so reports compare equal)."""
    return StationInfo(machine_name="TEST-STATION", location="Test lab", purpose="Converter tests")


test_station.__test__ = False  # type: ignore[attr-defined]  # not a pytest test


def convert(
    path: str | os.PathLike[str],
    converter: type[Converter[Any]] | str,
    settings: Mapping[str, Any] | None = None,
    *,
    operator: str = "",
    processes: Mapping[str, int] | None = None,
    default_process_code: int | None = None,
    time_limit: float = 60.0,
) -> ConversionResult:
    """Convert ``path`` in a worker; the runner's result, success or failure."""
    name, reference, python_path = _resolve(converter)
    extra = {name: reference} if reference else {}
    runner = _runner(python_path, extra)
    context = ContextInfo(
        station=test_station(),
        operator=operator,
        default_process_code=default_process_code,
        processes=dict(processes or {}),
    )
    return runner.convert(path, name, settings, context, time_limit=time_limit)


def convert_file(
    path: str | os.PathLike[str],
    converter: type[Converter[Any]] | str,
    settings: Mapping[str, Any] | None = None,
    **options: Any,
) -> list[Report]:
    """The reports ``converter`` makes of ``path``; raises :class:`ConversionFailedError`.

    The reports have passed pywats-core's validator (the runner refuses invalid ones).
    ``options`` are those of :func:`convert`.
    """
    result = convert(path, converter, settings, **options)
    if not result.ok:
        raise ConversionFailedError(result)
    return result.reports


def assert_fails(
    path: str | os.PathLike[str],
    converter: type[Converter[Any]] | str,
    settings: Mapping[str, Any] | None = None,
    *,
    cause: FailureCause | None = None,
    match: str | None = None,
    **options: Any,
) -> ConversionFailed:
    """Assert that converting ``path`` fails (with ``cause``, and ``match`` in the message)."""
    result = convert(path, converter, settings, **options)
    if result.ok:
        raise AssertionError(f"{Path(path).name}: converted into {len(result.reports)} report(s)")
    if cause is not None and result.cause is not cause:
        raise AssertionError(f"expected cause {cause.value!r}, got: {result.message}")
    if match is not None and match not in result.message:
        raise AssertionError(f"expected {match!r} in: {result.message}")
    return result


def assert_valid(
    reports: Report | Sequence[Report], *, processes: Mapping[int, str] | None = None
) -> None:
    """Assert that every report passes pywats-core's validator (with ``processes``: also
    that each process code is one of them, as the server checks)."""
    items = [reports] if isinstance(reports, Report) else list(reports)
    if not items:
        raise AssertionError("no reports")
    lines: list[str] = []
    for index, report in enumerate(items):
        problems: list[ValidationProblem] = validate(report, processes=processes)
        if problems:
            lines.append(f"report {index + 1} ({report.sn or report.id}):")
            lines.append(format_problems(problems))
    if lines:
        raise AssertionError("\n".join(lines))


def _resolve(converter: type[Converter[Any]] | str) -> tuple[str, str, tuple[str, ...]]:
    """(name, reference or "" for installed, import paths the worker needs)."""
    if isinstance(converter, str):
        if ":" not in converter:
            return converter, "", ()
        module_name = converter.partition(":")[0]
        module = sys.modules.get(module_name)
        return converter, converter, _import_root(module_name, module)
    qualname = converter.__qualname__
    module_name = converter.__module__
    if module_name == "__main__" or "<locals>" in qualname:
        raise ValueError(
            f"{qualname} must be defined at the top level of an importable module: the"
            " worker process imports it by name"
        )
    reference = f"{module_name}:{qualname}"
    return converter.name, reference, _import_root(module_name, sys.modules.get(module_name))


def _import_root(module_name: str, module: Any) -> tuple[str, ...]:
    """The directory from which ``module_name`` imports, when it is not on the default path."""
    filename = getattr(module, "__file__", None)
    if not filename:
        return ()
    path = Path(filename).resolve()
    depth = module_name.count(".") + (1 if path.name != "__init__.py" else 2)
    root = path.parents[depth - 1]
    return (str(root),)


def _runner(python_path: tuple[str, ...], extra: Mapping[str, str]) -> Runner:
    key = (python_path, tuple(sorted(extra.items())))
    with _lock:
        runner = _runners.get(key)
        if runner is None:
            runner = Runner(workers=1, python_path=python_path, converters=extra)
            _runners[key] = runner
        return runner


@atexit.register
def _close_runners() -> None:
    with _lock:
        for runner in _runners.values():
            runner.close()
        _runners.clear()
