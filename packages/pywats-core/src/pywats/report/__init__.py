"""The WSJF report model: parse, build, validate and convert WATS reports.

Everything here is pure data handling (no HTTP): ``parse_wsjf``/``dump_wsjf`` round-trip real
WATS exports losslessly, ``parse_wsxf``/``dumps_wsxf`` read and write the XML form,
``validate`` applies the server's known rules and reports problems in the server's words,
and ``UUTBuilder``/``UURBuilder`` write new reports in code.
"""

from __future__ import annotations

from ._builder import (
    MultiNumericStep,
    MultiPassFailStep,
    MultiStringStep,
    SequenceBuilder,
    UURBuilder,
    UUTBuilder,
    numeric_passes,
    string_passes,
)
from ._detect import detect_format
from ._enums import (
    CompOp,
    MeasurementStatus,
    ReportResult,
    ReportType,
    StepGroup,
    StepKind,
    StepStatus,
    StringCompOp,
)
from ._errors import ReportFormatError
from ._models import (
    Asset,
    AssetStats,
    BinaryData,
    Failure,
    MiscInfo,
    RefUUR,
    Report,
    SubUnit,
    UURInfo,
    UUTInfo,
)
from ._step_models import (
    AdditionalData,
    AdditionalDataArray,
    AdditionalDataArrayIndex,
    AdditionalDataProperty,
    Attachment,
    BooleanMeasurement,
    CallExe,
    Chart,
    ChartSeries,
    LoopInfo,
    MessagePopup,
    NumericMeasurement,
    SequenceCall,
    Step,
    StringMeasurement,
)
from ._timestamps import format_timestamp, parse_timestamp
from ._validate import ValidationProblem, format_problems, validate
from ._wsjf import dump_wsjf, dumps_wsjf, parse_wsjf
from ._wsxf import dumps_wsxf, parse_wsxf

__all__ = [
    # reading and writing
    "parse_wsjf",
    "dump_wsjf",
    "dumps_wsjf",
    "parse_wsxf",
    "dumps_wsxf",
    "detect_format",
    "parse_report",
    "ReportFormatError",
    # validation
    "validate",
    "ValidationProblem",
    "format_problems",
    # building
    "UUTBuilder",
    "UURBuilder",
    "SequenceBuilder",
    "MultiNumericStep",
    "MultiStringStep",
    "MultiPassFailStep",
    "numeric_passes",
    "string_passes",
    # model
    "Report",
    "ReportType",
    "ReportResult",
    "UUTInfo",
    "UURInfo",
    "RefUUR",
    "SubUnit",
    "Failure",
    "MiscInfo",
    "Asset",
    "AssetStats",
    "BinaryData",
    "AdditionalData",
    "AdditionalDataProperty",
    "AdditionalDataArray",
    "AdditionalDataArrayIndex",
    "Step",
    "StepKind",
    "StepStatus",
    "StepGroup",
    "LoopInfo",
    "NumericMeasurement",
    "StringMeasurement",
    "BooleanMeasurement",
    "MeasurementStatus",
    "CompOp",
    "StringCompOp",
    "SequenceCall",
    "CallExe",
    "MessagePopup",
    "Chart",
    "ChartSeries",
    "Attachment",
    "parse_timestamp",
    "format_timestamp",
]


def parse_report(data: bytes) -> Report:
    """Detect the format (WSJF or WSXF) from the content and parse it."""
    if detect_format(data) == "wsjf":
        return parse_wsjf(data)
    return parse_wsxf(data)
