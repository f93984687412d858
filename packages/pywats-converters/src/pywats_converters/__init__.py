"""pywats-converters: the SDK a converter author depends on, and nothing else.

Write a converter by subclassing :class:`Converter`, build reports with the report model
re-exported here (``UUTBuilder``, ``UURBuilder``, ``Report`` …), and raise
:class:`ConversionError` for bad input. Register it under the entry-point group
``pywats.converters``.
"""

from __future__ import annotations

# Settings models are pydantic models: an author needs these two and no pydantic import.
from pydantic import Field, field_validator

from pywats.report import (
    BooleanMeasurement,
    Chart,
    ChartSeries,
    CompOp,
    Failure,
    MiscInfo,
    MultiNumericStep,
    MultiPassFailStep,
    MultiStringStep,
    NumericMeasurement,
    Report,
    ReportFormatError,
    ReportResult,
    ReportType,
    SequenceBuilder,
    Step,
    StepStatus,
    StringCompOp,
    StringMeasurement,
    SubUnit,
    UURBuilder,
    UUTBuilder,
    ValidationProblem,
    detect_format,
    format_problems,
    parse_wsjf,
    parse_wsxf,
    validate,
)

from ._discovery import ENTRY_POINT_GROUP
from ._sdk import (
    CONVERTER_API,
    ConversionContext,
    ConversionError,
    Converter,
    ConverterParameters,
    NoParameters,
    SettingsError,
    SourceFile,
    SourceKind,
    StationInfo,
)
from ._version import __version__
from ._xml import parse_xml

__all__ = [
    # the SDK
    "CONVERTER_API",
    "ENTRY_POINT_GROUP",
    "Converter",
    "ConverterParameters",
    "Field",
    "field_validator",
    "NoParameters",
    "ConversionContext",
    "StationInfo",
    "SourceFile",
    "SourceKind",
    "ConversionError",
    "SettingsError",
    "parse_xml",
    # writing reports (pywats-core's report model): the builders and the values they take
    "UUTBuilder",
    "UURBuilder",
    "SequenceBuilder",
    "ReportResult",
    "StepStatus",
    "CompOp",
    "StringCompOp",
    "Chart",
    "ChartSeries",
    # what the builders make
    "Report",
    "ReportType",
    "Step",
    "MultiNumericStep",
    "MultiStringStep",
    "MultiPassFailStep",
    "NumericMeasurement",
    "StringMeasurement",
    "BooleanMeasurement",
    "Failure",
    "MiscInfo",
    "SubUnit",
    # reading and checking reports
    "parse_wsjf",
    "parse_wsxf",
    "detect_format",
    "ReportFormatError",
    "validate",
    "ValidationProblem",
    "format_problems",
    "__version__",
]
