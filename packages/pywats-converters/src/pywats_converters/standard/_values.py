"""Values as testers write them: numbers, timestamps, comparison operators, status words."""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Mapping
from datetime import datetime, timedelta, timezone
from typing import Final

from pywats.report import CompOp, MeasurementStatus, ReportResult, StepStatus, StringCompOp

__all__ = [
    "NUMERIC_OPS",
    "REPORT_RESULTS",
    "SINGLE_LIMIT_OPS",
    "STEP_STATUSES",
    "STRING_OPS",
    "TWO_LIMIT_OPS",
    "default_comp_op",
    "parse_float",
    "parse_timestamp_text",
    "step_status_from",
]

#: Every WATS numeric comparison, and the ones taking one limit (kept in lowLimit) or two.
NUMERIC_OPS = frozenset(op.value for op in CompOp)
SINGLE_LIMIT_OPS = frozenset({"EQ", "NE", "GT", "GE", "LT", "LE"})
TWO_LIMIT_OPS = frozenset({"GTLT", "GTLE", "GELT", "GELE", "LTGT", "LTGE", "LEGT", "LEGE"})
#: Every WATS string comparison.
STRING_OPS = frozenset(op.value for op in StringCompOp)

#: Step statuses and UUT results by the words WATS's own formats spell them with
#: (lower case); a format with more words extends these.
STEP_STATUSES: Final[Mapping[str, StepStatus]] = {
    "passed": StepStatus.PASSED,
    "failed": StepStatus.FAILED,
    "done": StepStatus.DONE,
    "skipped": StepStatus.SKIPPED,
    "error": StepStatus.ERROR,
    "terminated": StepStatus.TERMINATED,
}
REPORT_RESULTS: Final[Mapping[str, ReportResult]] = {
    "passed": ReportResult.PASSED,
    "failed": ReportResult.FAILED,
    "error": ReportResult.ERROR,
    "terminated": ReportResult.TERMINATED,
}


def step_status_from(statuses: Collection[MeasurementStatus]) -> StepStatus:
    """The step status its measurements' statuses make: failed if one failed, else passed
    if one passed, else skipped (the server's rule "step status = measurement status")."""
    if MeasurementStatus.FAILED in statuses:
        return StepStatus.FAILED
    if MeasurementStatus.PASSED in statuses:
        return StepStatus.PASSED
    return StepStatus.SKIPPED


def default_comp_op(low: float | None, high: float | None) -> str:
    """The comparison limits stand for when the file names none: ``GELE``, ``GE``, ``LE``
    for two, a low or a high limit, ``LOG`` for none."""
    if low is not None and high is not None:
        return "GELE"
    if low is not None:
        return "GE"
    if high is not None:
        return "LE"
    return "LOG"


def parse_float(text: str | None, *, decimal: str = ".") -> float | None:
    """A number from text, or ``None`` for blank text; ``NaN``/``Inf`` spelt any way.

    Raises ``ValueError`` for anything else.
    """
    if text is None:
        return None
    cleaned = text.strip()
    if not cleaned:
        return None
    if decimal != ".":
        cleaned = cleaned.replace(decimal, ".")
    lowered = cleaned.lower()
    if lowered in ("nan", "-nan", "ind", "-ind", "-nan(ind)"):
        return math.nan
    if lowered in ("inf", "+inf", "infinity", "+infinity"):
        return math.inf
    if lowered in ("-inf", "-infinity"):
        return -math.inf
    return float(cleaned)


_TS = re.compile(
    r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?"
    r"\s*(Z|[+-]\d{2}:?\d{2})?\s*$"
)


def parse_timestamp_text(text: str | None) -> datetime | None:
    """ISO-like date and time; no offset means the station's local time."""
    if not text:
        return None
    match = _TS.match(text)
    if match is None:
        return None
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    micro = int((fraction or "0")[:6].ljust(6, "0"))
    tz: timezone | None = None
    try:
        if zone == "Z":
            tz = timezone.utc
        elif zone:
            sign = 1 if zone[0] == "+" else -1
            digits = zone[1:].replace(":", "")
            # timezone() refuses an offset of a day or more: no timestamp, not a crash
            tz = timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))
        moment = datetime(
            int(year), int(month), int(day), int(hour), int(minute), int(second or 0), micro, tz
        )
        # local time: beyond year 1..9999 once shifted to the station's zone, it is none
        return moment if tz is not None else moment.astimezone()
    except (ValueError, OverflowError):
        return None
