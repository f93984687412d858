"""Which report format a file holds, from its content; WRML is recognised and named."""

from __future__ import annotations

import re
from typing import Literal

from ._errors import ReportFormatError

__all__ = ["WRML_NAMESPACE", "WSXF_NAMESPACE", "detect_format", "not_wrml"]

WSXF_NAMESPACE = "http://wats.virinco.com/schemas/WATS/Report/wsxf"
#: The WATS Client's own XML (its queue files; docs/wire-facts.md "WSXF"): not read here.
WRML_NAMESPACE = "http://wats.virinco.com/schemas/WATS/Report"

_WRML_DECLARATION = re.compile(
    rb"""xmlns(?::[\w.-]+)?\s*=\s*["']""" + re.escape(WRML_NAMESPACE.encode()) + rb"""["']"""
)


def not_wrml(source: str) -> ReportFormatError:
    """The error for a WRML document: what it is and what reads it."""
    return ReportFormatError(
        f"this is WRML (the WATS Client's XML format, namespace {WRML_NAMESPACE}), not "
        f"{source}. WRML is not read by pywats-core; use the pywats-converters WRML converter"
    )


def detect_format(data: bytes) -> Literal["wsjf", "wsxf"]:
    """Tell WSJF from WSXF by content (first significant character, after any BOM).

    Raises ``ReportFormatError`` for anything else, naming WRML when it is WRML.
    """
    head = data[:4096].lstrip(b"\xef\xbb\xbf").lstrip()
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        head = data.decode("utf-16", errors="replace").encode()[:4096].lstrip()
    if head.startswith(b"{"):
        return "wsjf"
    if head.startswith(b"<"):
        start = data[:8192]
        if WSXF_NAMESPACE.encode() in start:
            return "wsxf"
        if _WRML_DECLARATION.search(start) or _WRML_DECLARATION.search(head):
            raise not_wrml("WSJF or WSXF")
        if b"<Reports" in head:
            return "wsxf"  # parse_wsxf says what is wrong with it
        raise ReportFormatError(f"not a WSXF report: XML without the namespace {WSXF_NAMESPACE}")
    shown = head[:20].decode("utf-8", errors="replace")
    raise ReportFormatError(
        f"neither WSJF (JSON object) nor WSXF (XML): input starts with {shown!r}"
        if shown
        else "empty input: neither WSJF nor WSXF"
    )
