"""The enumerations of the report model.

Parsed in any letter case (docs/wire-facts.md "Spelling variants").
"""

from __future__ import annotations

from enum import Enum
from typing import Any

__all__ = [
    "CompOp",
    "MeasurementStatus",
    "ReportResult",
    "ReportType",
    "StepGroup",
    "StepKind",
    "StepStatus",
    "StringCompOp",
]


class _CaseInsensitiveEnum(str, Enum):
    """A string enum that accepts any letter case and keeps its canonical value."""

    @classmethod
    def _missing_(cls, value: object) -> Any:
        if isinstance(value, str):
            wanted = value.strip().upper()
            for member in cls:
                if member.value.upper() == wanted:
                    return member
        return None

    def __str__(self) -> str:
        return str(self.value)


class ReportType(_CaseInsensitiveEnum):
    """``T`` = UUT (test) report, ``R`` = UUR (repair) report."""

    UUT = "T"
    UUR = "R"


class ReportResult(_CaseInsensitiveEnum):
    PASSED = "P"
    FAILED = "F"
    ERROR = "E"
    TERMINATED = "T"


class StepStatus(_CaseInsensitiveEnum):
    PASSED = "P"
    FAILED = "F"
    DONE = "D"
    SKIPPED = "S"
    ERROR = "E"
    TERMINATED = "T"
    UNKNOWN = "U"


class MeasurementStatus(_CaseInsensitiveEnum):
    PASSED = "P"
    FAILED = "F"
    SKIPPED = "S"


class StepGroup(_CaseInsensitiveEnum):
    SETUP = "S"
    MAIN = "M"
    CLEANUP = "C"


class CompOp(_CaseInsensitiveEnum):
    """Numeric comparison operators; single-limit ones use ``lowLimit``.

    See docs/wire-facts.md "Comparison operators".
    """

    LOG = "LOG"
    EQ = "EQ"
    NE = "NE"
    GT = "GT"
    GE = "GE"
    LT = "LT"
    LE = "LE"
    GTLT = "GTLT"
    GTLE = "GTLE"
    GELT = "GELT"
    GELE = "GELE"
    LTGT = "LTGT"
    LTGE = "LTGE"
    LEGT = "LEGT"
    LEGE = "LEGE"


class StringCompOp(_CaseInsensitiveEnum):
    """String comparison operators; ``EQ`` and ``CASESENSIT`` mean the same."""

    LOG = "LOG"
    EQ = "EQ"
    NE = "NE"
    CASESENSIT = "CASESENSIT"
    IGNORECASE = "IGNORECASE"


class StepKind(str, Enum):
    """What a step is, from the payload keys it carries (docs/wire-facts.md "Step kinds")."""

    SEQUENCE_CALL = "sequence_call"
    NUMERIC = "numeric"
    MULTI_NUMERIC = "multi_numeric"
    PASS_FAIL = "pass_fail"  # noqa: S105 - a step family, not a secret
    MULTI_PASS_FAIL = "multi_pass_fail"  # noqa: S105
    STRING = "string"
    MULTI_STRING = "multi_string"
    MIXED = "mixed"
    CALL_EXE = "call_exe"
    MESSAGE_POPUP = "message_popup"
    ATTACHMENT = "attachment"
    CHART = "chart"
    GENERIC = "generic"
