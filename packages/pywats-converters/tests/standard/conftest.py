"""Shared fixtures of the standard converters' tests: a station context and a runner."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest

from pywats_converters import (
    ConversionContext,
    Converter,
    Report,
    SourceFile,
    StationInfo,
    format_problems,
    validate,
)

#: The station's cached process list (name -> code), as the station would pass it.
PROCESSES = {"SW Debug": 10, "ICT": 60, "Final Function": 100, "Repair": 500}

Convert = Callable[..., list[Report]]


def make_context(path: Path, **overrides: Any) -> ConversionContext:
    values: dict[str, Any] = {
        "station": StationInfo("Station-7", location="Line 2", purpose="Functional test"),
        "source": SourceFile.from_path(path),
        "operator": "station-operator",
        "default_process_code": 10,
        "processes": PROCESSES,
    }
    values.update(overrides)
    return ConversionContext(**values)


@pytest.fixture
def convert() -> Convert:
    """``convert(ConverterClass, path, settings=None, **context)`` -> the reports."""

    def run(
        converter: type[Converter[Any]],
        path: Path,
        settings: Mapping[str, Any] | None = None,
        **context: Any,
    ) -> list[Report]:
        ctx = make_context(path, **context)
        return list(converter.configure(settings).convert(ctx.source, ctx))

    return run


def _assert_valid(reports: list[Report]) -> None:
    assert reports, "no reports"
    codes = {code: name for name, code in PROCESSES.items()}
    for report in reports:
        problems = validate(report, processes=codes)
        assert problems == [], format_problems(problems)


@pytest.fixture
def assert_valid() -> Callable[[list[Report]], None]:
    """Asserts every report passes pywats-core's validator (with the process list)."""
    return _assert_valid
