"""What every equipment converter shares: settings, text reading, header, numbers, errors."""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from datetime import datetime, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pywats_converters import (
    CompOp,
    ConversionContext,
    ConversionError,
    ConverterParameters,
    Field,
    ReportResult,
    SourceFile,
    UUTBuilder,
    field_validator,
    parse_xml,
)

__all__ = [
    "TEXT_ENCODINGS",
    "EquipmentParameters",
    "comparison",
    "fail",
    "new_uut",
    "parse_number",
    "read_text",
    "xml_root",
]

#: Tester PCs write UTF-8 or the Windows ANSI code page; UTF-8 is strict, so it goes first.
TEXT_ENCODINGS: tuple[str, ...] = ("utf-8-sig", "cp1252")


class EquipmentParameters(ConverterParameters):
    """Settings every equipment converter has.

    ``process`` is the WATS operation (process name or code) the reports are filed under;
    empty means the station's default. The part number and revision fill in where the file
    names none. ``time_zone`` is the tester's clock (IANA name, e.g. ``Europe/Oslo``); empty
    means the converting machine's own zone.
    """

    process: str | int | None = None
    part_number: str = ""
    revision: str = "1"
    time_zone: str = ""
    encodings: tuple[str, ...] = Field(default=TEXT_ENCODINGS, min_length=1)

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        if value:
            try:
                ZoneInfo(value)
            except (ZoneInfoNotFoundError, ValueError):
                raise ValueError(f"unknown time zone {value!r}") from None
        return value

    def zone(self) -> tzinfo | None:
        return ZoneInfo(self.time_zone) if self.time_zone else None


def fail(source: SourceFile, message: str) -> ConversionError:
    """A conversion error naming the source file; ``raise fail(source, "...")``."""
    return ConversionError(message, source=source.path)


def read_text(source: SourceFile, encodings: Sequence[str] = TEXT_ENCODINGS) -> str:
    """The file as text, refusing empty files and text with NUL characters.

    A NUL in decoded text almost always means UTF-16 written without a byte-order mark,
    which every 8-bit code page "decodes" into garbage; better to say so than to parse it.
    """
    text = source.read_text(encodings)
    if not text.strip():
        raise fail(source, "the file is empty")
    if "\x00" in text:
        raise fail(
            source,
            "the text contains NUL characters: not text in "
            f"{', '.join(encodings)} (UTF-16 without a byte-order mark?)",
        )
    return text


def xml_root(
    source: SourceFile,
    data: bytes | None = None,
    member: str = "",
    *,
    tag: str | None = None,
    kind: str = "",
) -> ET.Element:
    """The root element of ``source`` (or of ``data``, a ``member`` of it), safely parsed.

    With ``tag``, the root must be that element (``{*}Name``: ``Name`` in any namespace or
    none, as in ElementTree's paths); when it is not, the error names the root found and
    ``kind``, what the file should be (``"a Saki"``). Errors name the file (and member).
    """
    try:
        root = parse_xml(source.read_bytes() if data is None else data, name=member or None)
    except ConversionError as exc:
        raise fail(source, exc.message) from None
    if tag is None:
        return root
    found, wanted = root.tag, tag
    if tag.startswith("{*}"):
        found, wanted = root.tag.rsplit("}", 1)[-1], tag.removeprefix("{*}")
    if found != wanted:
        where = f"{member}: " if member else ""
        what = f"{kind} <{wanted}>" if kind else f"<{wanted}>"
        raise fail(source, f"{where}the root is <{found}>, not {what}")
    return root


def parse_number(text: str, source: SourceFile, where: str, *, decimal: str = ".") -> float:
    """A decimal number as the tester wrote it; the error says where it was and what it was."""
    cleaned = text.strip()
    if decimal != ".":
        cleaned = cleaned.replace(".", "").replace(decimal, ".")
    try:
        value = float(cleaned)
    except ValueError:
        raise fail(source, f"{where}: {text.strip()!r} is not a number") from None
    if math.isnan(value) or math.isinf(value):
        raise fail(source, f"{where}: {text.strip()!r} is not a finite number")
    return value


def comparison(low: float | None, high: float | None) -> tuple[CompOp, float | None, float | None]:
    """The comparison a measurement's limits stand for, with the limits as WATS keeps them.

    Both limits: ``GELE`` (low, high); one: ``GE`` or ``LE`` with that limit first (WATS
    keeps a single limit in lowLimit); none: ``LOG``, logged without a verdict.
    """
    if low is not None and high is not None:
        return CompOp.GELE, low, high
    if low is not None:
        return CompOp.GE, low, None
    if high is not None:
        return CompOp.LE, high, None
    return CompOp.LOG, None, None


def new_uut(
    context: ConversionContext,
    parameters: EquipmentParameters,
    *,
    sn: str,
    pn: str,
    rev: str,
    start: datetime,
    key: str | int,
    result: ReportResult | str | None = None,
    operator: str | None = None,
    process: str | int | None = None,
    sequence_name: str = "MainSequence Callback",
    machine_name: str | None = None,
) -> UUTBuilder:
    """A UUT builder with the station's identity, a stable id and the resolved process.

    ``process`` from the file wins over the ``process`` setting, which wins over the
    station's default. ``start`` without a zone is taken in the tester's zone.
    """
    if start.tzinfo is None:
        zone = parameters.zone()
        start = start.replace(tzinfo=zone) if zone is not None else start.astimezone()
    pn = pn.strip() or parameters.part_number
    if not pn:
        raise fail(context.source, "the file names no part number and no part_number is set")
    if not sn.strip():
        raise fail(context.source, "the test has no serial number")
    code = context.process_code(process if process not in (None, "") else parameters.process)
    return UUTBuilder(
        pn=pn,
        sn=sn.strip(),
        rev=rev or parameters.revision,
        process_code=code,
        machine_name=machine_name or context.station.machine_name,
        location=context.station.location,
        purpose=context.station.purpose,
        operator=operator or context.operator or None,
        start=start,
        report_id=context.report_id(key),
        result=result,
        sequence_name=sequence_name,
    )
