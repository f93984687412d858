"""The one error raised for input that is not a readable report."""

from __future__ import annotations

__all__ = ["ReportFormatError"]


class ReportFormatError(ValueError):
    """The input is not a readable WSJF/WSXF report; the message says what and where."""
