"""The WSJF report model: parse, build, validate and convert WATS reports.

Everything here is pure data handling (no HTTP): ``parse_wsjf``/``dump_wsjf`` round-trip real
WATS exports losslessly, ``parse_wsxf``/``dumps_wsxf`` read and write the XML form,
``validate`` applies the server's known rules and reports problems in the server's words,
and ``UUTBuilder``/``UURBuilder`` write new reports in code.
"""

from __future__ import annotations

from . import _enums, _models, _step_models
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
from ._enums import *  # noqa: F403
from ._errors import ReportFormatError
from ._models import *  # noqa: F403
from ._models import Report
from ._step_builders import NumericLimits
from ._step_models import *  # noqa: F403
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
    "parse_timestamp",
    "format_timestamp",
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
    "NumericLimits",
    "numeric_passes",
    "string_passes",
]
# the model: every public name of these modules, each listed once in its module's ``__all__``
# (``__all__ +=`` of a module's list is the idiom type checkers follow)
__all__ += _models.__all__
__all__ += _step_models.__all__
__all__ += _enums.__all__


def parse_report(data: bytes) -> Report:
    """Detect the format (WSJF or WSXF) from the content and parse it."""
    if detect_format(data) == "wsjf":
        return parse_wsjf(data)
    return parse_wsxf(data)
