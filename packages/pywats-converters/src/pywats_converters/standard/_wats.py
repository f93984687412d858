"""WSJF and WSXF: files already in a WATS format, read by pywats-core's parsers.

Both formats hold one report per file, UUT or UUR. The converters add nothing to the report:
what the file says is what the server gets, after the runner's validation.
"""

from __future__ import annotations

from abc import abstractmethod

from pywats.report import Report, ReportFormatError, parse_wsjf, parse_wsxf

from .._sdk import (
    ConversionContext,
    ConversionError,
    Converter,
    ConverterParameters,
    SourceFile,
)
from .._xml import parse_xml
from ._normalize import normalize_report

__all__ = ["WatsFormatSettings", "WsjfConverter", "WsxfConverter"]

_UTF16_32_MARKS = (b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff")


class WatsFormatSettings(ConverterParameters):
    """Settings of the WSJF and WSXF converters."""

    normalize: bool = False
    """Repair what WATS's own exports get wrong on re-import (loop counters, loops whose
    iterations differ, step/measurement status disagreements). Off: the report goes as
    the file says, and the validator names each problem. Off by default because a repair
    can change a recorded status: turn it on for re-importing server exports, not for a
    tester's own files."""


class _WatsFormatConverter(Converter[WatsFormatSettings]):
    """A file already in a WATS format: parsed by pywats-core, errors named by file."""

    def convert(self, source: SourceFile, context: ConversionContext) -> list[Report]:
        data = source.read_bytes()
        try:
            report = self._parse(data, source)
        except ReportFormatError as exc:
            raise ConversionError(str(exc), source=source.path) from None
        return [normalize_report(report) if self.parameters.normalize else report]

    @abstractmethod
    def _parse(self, data: bytes, source: SourceFile) -> Report:
        """The report in ``data``; raises ``ReportFormatError`` for a malformed one."""


class WsjfConverter(_WatsFormatConverter):
    """WATS Standard JSON Format (WSJF) report, UUT or UUR."""

    name = "wsjf"
    patterns = ("*.json", "*.wsjf")
    description = "WATS Standard JSON Format (WSJF): one UUT or UUR report per file"

    def _parse(self, data: bytes, source: SourceFile) -> Report:
        return parse_wsjf(data)


class WsxfConverter(_WatsFormatConverter):
    """WATS Standard XML Format (WSXF) report, UUT or UUR."""

    name = "wsxf"
    patterns = ("*.xml", "*.wsxf")
    description = "WATS Standard XML Format (WSXF): one UUT or UUR report per file"

    def _parse(self, data: bytes, source: SourceFile) -> Report:
        if _may_hold_declarations(data):
            # Entity declarations (billion laughs), external entities and DTDs are refused
            # by the defused parser with a clear message before the report parser sees them.
            parse_xml(data, name=source.name)
        return parse_wsxf(data)


def _may_hold_declarations(data: bytes) -> bool:
    """Whether ``data`` may declare a DTD or entities: say so for anything not plainly ASCII.

    In UTF-8 and every ASCII-compatible encoding a declaration is the literal bytes
    ``<!DOCTYPE`` or ``<!ENTITY``; other encodings (UTF-16, UTF-32) get the full check.
    """
    head = data[:4]
    if head.startswith(_UTF16_32_MARKS) or b"\x00" in head:
        return True
    return b"<!DOCTYPE" in data or b"<!ENTITY" in data
