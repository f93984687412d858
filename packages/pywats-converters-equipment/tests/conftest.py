"""Shared helpers of the equipment converter tests: run a converter, check what it made."""

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
    Step,
    format_problems,
    validate,
)

STATION = StationInfo("EQ-STATION-1", location="Line 2", purpose="Production")
PROCESSES = {"ICT": 60, "Flying probe": 61, "AOI": 70, "Boundary scan": 62, "Audio": 80}

Convert = Callable[..., list[Report]]


def context_for(path: Path) -> ConversionContext:
    return ConversionContext(
        station=STATION,
        source=SourceFile.from_path(path),
        operator="op1",
        default_process_code=10,
        processes=PROCESSES,
    )


def run_converter(
    converter: type[Converter[Any]], path: Path, settings: Mapping[str, Any] | None = None
) -> list[Report]:
    """Convert ``path`` and fail the test unless every report passes the validator."""
    instance = converter.configure(settings)
    context = context_for(path)
    reports = list(instance.convert(context.source, context))
    for report in reports:
        problems = validate(report)
        assert not problems, f"{path.name} sn={report.sn}:\n{format_problems(problems)}"
    return reports


@pytest.fixture
def convert() -> Convert:
    return run_converter


def leaves(report: Report) -> list[Step]:
    """Test steps: every step that is not a sequence call."""
    return [s for s in report.steps() if s.seq_call is None and s.steps is None]


def step_named(report: Report, name: str, index: int = 0) -> Step:
    found = [s for s in report.steps() if s.name == name]
    assert len(found) > index, f"no step {name!r} (#{index}) in {report.sn}"
    return found[index]


@pytest.fixture(name="leaves")
def _leaves() -> Callable[[Report], list[Step]]:
    return leaves


@pytest.fixture(name="step_named")
def _step_named() -> Callable[..., Step]:
    return step_named
