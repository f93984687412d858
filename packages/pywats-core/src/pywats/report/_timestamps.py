"""WATS timestamps: kept as the text received, parsed and written on request."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from typing import Annotated

from pydantic import AfterValidator

__all__ = ["Timestamp", "format_timestamp", "parse_timestamp"]

_TIMESTAMP = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?(?:\.(\d*))?)?"
    r"\s*(Z|[+-]\d{2}:?\d{2})?$"
)


def _check_timestamp(text: str) -> str:
    if _TIMESTAMP.match(text) is None:
        raise ValueError(f"{text!r} is not an ISO 8601 date-time")
    return text


def parse_timestamp(text: str) -> datetime:
    """Parse a WATS timestamp leniently (7 fractional digits, ``...00.Z``, no offset).

    Digits beyond microseconds are truncated; a timestamp without offset is naive.
    """
    match = _TIMESTAMP.match(text.strip())
    if match is None:
        raise ValueError(f"{text!r} is not an ISO 8601 date-time")
    year, month, day, hour, minute, second, fraction, offset = match.groups()
    micro = int((fraction or "").ljust(6, "0")[:6])
    tz: timezone | None = None
    if offset == "Z":
        tz = timezone.utc
    elif offset:
        sign = -1 if offset[0] == "-" else 1
        digits = offset[1:].replace(":", "")
        tz = timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))
    return datetime(
        int(year),
        int(month),
        int(day),
        int(hour or 0),
        int(minute or 0),
        int(second or 0),
        micro,
        tzinfo=tz,
    )


def format_timestamp(moment: datetime) -> str:
    """Write a timestamp the way WATS does: 7 fractional digits, offset or ``Z`` for UTC."""
    base = moment.strftime("%Y-%m-%dT%H:%M:%S")
    fraction = f".{moment.microsecond:06d}0"
    offset = moment.utcoffset()
    if offset is None:
        return base + fraction
    if offset == timedelta(0) and moment.tzinfo is timezone.utc:
        return base + fraction + "Z"
    total = int(offset.total_seconds() // 60)
    sign = "-" if total < 0 else "+"
    total = abs(total)
    return f"{base}{fraction}{sign}{total // 60:02d}:{total % 60:02d}"


Timestamp = Annotated[str, AfterValidator(_check_timestamp)]
