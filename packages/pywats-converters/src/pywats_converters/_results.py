"""What the runner gives back: converted reports or a typed failure, and converter listings.

Everything here is plain, picklable data: it crosses the pipe between a worker process and
the runner, and the station stores parts of it (the cause and message of a failed file).
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pywats.report import Report, ValidationProblem, dumps_wsjf

from ._sdk import StationInfo

__all__ = [
    "ContextInfo",
    "ConversionFailed",
    "ConversionResult",
    "Converted",
    "ConverterInfo",
    "ConverterStatus",
    "FailureCause",
    "WsjfReport",
]


class FailureCause(str, enum.Enum):
    """Why a file was not converted. The value is the cause as users read it."""

    #: No installed converter has that name.
    UNKNOWN_CONVERTER = "unknown converter"
    #: The settings do not validate against the converter's parameters model.
    SETTINGS_INVALID = "settings invalid"
    #: The converter was written for another ``CONVERTER_API``.
    INCOMPATIBLE_API = "incompatible converter API"
    #: Importing the converter's module failed, or the entry point is not a converter.
    IMPORT_FAILED = "import failed"
    #: The converter refused the file (raised :class:`~pywats_converters.ConversionError`).
    CONVERSION_ERROR = "conversion error"
    #: The converter raised any other exception (a bug in the converter).
    CONVERTER_RAISED = "converter raised"
    #: The converter returned no reports, or something that is not a list of reports.
    INVALID_RESULT = "invalid result"
    #: A report failed pywats-core's ``validate``; ``problems`` lists why.
    INVALID_REPORT = "invalid report"
    #: The conversion ran past its time limit; the worker was killed.
    TIMEOUT = "timeout"
    #: The worker process died (signal or exit code) while converting.
    CRASHED = "crashed"
    #: The conversion ran out of the worker's memory limit.
    MEMORY = "memory limit"
    #: The converter wrote more to stdout/stderr than the output limit allows.
    OUTPUT_FLOOD = "output flood"
    #: The converter left child processes running after it returned.
    STRAY_PROCESS = "stray process"
    #: The runner was closed while the file waited or converted.
    RUNNER_CLOSED = "runner closed"


@dataclass(frozen=True)
class ContextInfo:
    """What the station tells every conversion besides the file (see ``ConversionContext``).

    ``processes`` maps process names to codes from the station's cached process list, so
    that converters resolve process names offline.
    """

    station: StationInfo
    operator: str = ""
    default_process_code: int | None = None
    processes: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class WsjfReport:
    """A converted report as the WSJF bytes that go to the server, with its header fields.

    What ``Runner.convert(..., as_wsjf=True)`` gives instead of ``Report`` objects: the
    worker writes the WSJF, so the caller never holds the parsed report, whose objects take
    about four times the size of its WSJF (a queue needs only the bytes).
    """

    wsjf: bytes
    id: str
    sn: str | None = None
    pn: str | None = None
    process_code: int | None = None
    #: the report result's letter (``"P"``, ``"F"`` ...)
    result: str | None = None

    @classmethod
    def of(cls, report: Report) -> WsjfReport:
        return cls(
            wsjf=dumps_wsjf(report),
            id=str(report.id),
            sn=report.sn,
            pn=report.pn,
            process_code=report.process_code,
            result=None if report.result is None else report.result.value,
        )


@dataclass(frozen=True)
class Converted:
    """A file converted into reports that passed validation.

    ``reports`` holds them as ``Report`` objects; with ``Runner.convert(..., as_wsjf=True)``
    ``reports`` is empty and ``wsjf`` holds them, in the same order, as WSJF bytes.
    """

    converter: str
    source: Path
    reports: list[Report]
    #: Seconds the converter's ``convert`` ran, measured in the worker.
    duration: float
    #: Seconds the whole call took, as the caller waited (queueing, pipe, validation).
    elapsed: float
    wsjf: list[WsjfReport] = field(default_factory=list)
    ok: Literal[True] = True


@dataclass(frozen=True)
class ConversionFailed:
    """A file that was not converted, and why.

    ``message`` is one line for users: it names the converter, the cause and the file's
    problem, never a traceback. ``detail`` is for logs: the converter's traceback, the
    worker's last output, validation problems one per line.
    """

    converter: str
    source: Path
    cause: FailureCause
    message: str
    detail: str = ""
    problems: tuple[ValidationProblem, ...] = ()
    elapsed: float = 0.0
    ok: Literal[False] = False

    def __str__(self) -> str:
        return self.message


#: What :meth:`Runner.convert` returns; tell them apart by ``result.ok``.
ConversionResult = Converted | ConversionFailed

ConverterStatus = Literal["ok", "incompatible", "import failed"]


@dataclass(frozen=True)
class ConverterInfo:
    """One installed converter as the worker found it when importing it.

    ``status`` is ``"ok"``, ``"incompatible"`` (``error`` names both API versions) or
    ``"import failed"`` (``error`` gives the exception). For converters that did not load,
    the fields describing the converter are empty.
    """

    name: str
    entry_point: str
    distribution: str
    distribution_version: str
    status: ConverterStatus
    error: str = ""
    api_version: int | None = None
    patterns: tuple[str, ...] = ()
    source_kind: str = "file"
    description: str = ""
    #: JSON schema of the converter's parameters (pydantic), with the defaults in it.
    parameters_schema: Mapping[str, Any] = field(default_factory=dict)
    #: The parameters' default values, JSON-ready (parameters without a default are absent).
    defaults: Mapping[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (``pywats-convert --list --json``, the station console)."""
        return {
            "name": self.name,
            "entry_point": self.entry_point,
            "distribution": self.distribution,
            "distribution_version": self.distribution_version,
            "status": self.status,
            "error": self.error,
            "api_version": self.api_version,
            "patterns": list(self.patterns),
            "source_kind": self.source_kind,
            "description": self.description,
            "parameters_schema": dict(self.parameters_schema),
            "defaults": dict(self.defaults),
        }
