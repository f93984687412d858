"""The one error raised for input that is not a readable report, and the nesting limit."""

from __future__ import annotations

__all__ = ["MAX_STEP_DEPTH", "ReportFormatError"]

#: Deepest step tree read or written (the root step is level 1). Pydantic refuses to nest
#: models deeper than 255 levels; TestStand sequences rarely nest more than a few dozen.
MAX_STEP_DEPTH = 250


class ReportFormatError(ValueError):
    """The input is not a readable WSJF/WSXF report; the message says what and where."""
