"""The report model from ``pywats.report``, as the fake server uses it.

Validation and read-back go through the same model the client uses, so the fake never
grows a second opinion of what a WSJF report is.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from pywats.report import (
    Report,
    ReportFormatError,
    dump_wsjf,
    dumps_wsxf,
    format_problems,
    parse_wsjf,
    parse_wsxf,
    validate,
)

__all__ = [
    "ReportFormatError",
    "parse_submission",
    "readback_document",
    "to_wsxf",
    "validation_text",
]


def parse_submission(body: bytes, source_format: str) -> Report:
    """Parse a posted body; raises :class:`ReportFormatError` with the reason."""
    if source_format == "WSXF":
        return parse_wsxf(body)
    return parse_wsjf(body)


def validation_text(report: Report, processes: Mapping[int, str]) -> str | None:
    """The server's 400 text for ``report``, or ``None`` when it is valid.

    The search-character check is client policy, not a server rule, so it is off here.
    """
    problems = validate(report, processes=processes, check_search_characters=False)
    return format_problems(problems) if problems else None


def document_of(report: Report) -> dict[str, Any]:
    return dump_wsjf(report)


def to_wsxf(document: Mapping[str, Any]) -> bytes:
    return dumps_wsxf(parse_wsjf(document))


def _loop_summaries_as_exported(step: dict[str, Any]) -> None:
    loop = step.get("loop")
    if isinstance(loop, dict) and loop.get("idx") is None and isinstance(loop.get("num"), int):
        # What the real server exports (docs/wire-facts.md#loops): endingIndex == num, which its
        # own validator then rejects on re-import.
        loop["endingIndex"] = loop["num"]
    for child in step.get("steps") or ():
        if isinstance(child, dict):
            _loop_summaries_as_exported(child)


def _strip(step: dict[str, Any], *, charts: bool, attachments: bool) -> None:
    if not charts and isinstance(step.get("chart"), dict):
        for series in step["chart"].get("series") or ():
            if isinstance(series, dict):
                series["xdata"] = None
                series["ydata"] = None
    if not attachments and isinstance(step.get("attachment"), dict):
        step["attachment"]["data"] = None
    for child in step.get("steps") or ():
        if isinstance(child, dict):
            _strip(child, charts=charts, attachments=attachments)


_IDENTIFYING = (
    "type",
    "id",
    "pn",
    "sn",
    "rev",
    "productName",
    "processCode",
    "processCodeFormat",
    "processName",
    "result",
    "machineName",
    "location",
    "purpose",
    "origin",
    "start",
    "startUTC",
)


def readback_document(
    document: Mapping[str, Any],
    *,
    origin: str,
    process_name: str | None,
    detail_level: int = 7,
    include_chartdata: bool = True,
    include_attachments: bool = True,
    loop_export_quirk: bool = True,
) -> dict[str, Any]:
    """The report as ``GET /api/Report/Wsjf/{id}`` returns it
    (docs/wire-facts.md#reading-reports-back).

    Output-only fields are filled, an empty ``binaryData`` is not echoed, ``assetStats``
    is added, sub-unit ``rev``/``partType`` lose trailing spaces, and (by default) loop
    summaries come back as the real server exports them.
    """
    doc = copy.deepcopy(dict(document))
    doc["origin"] = origin
    doc.setdefault("productName", None)
    doc.setdefault("processCodeFormat", None)
    if process_name is not None:
        doc["processName"] = process_name
    doc.setdefault("assetStats", [])
    if doc.get("binaryData") == []:
        del doc["binaryData"]
    for unit in doc.get("subUnits") or ():
        if isinstance(unit, dict):
            for key in ("rev", "partType"):
                if isinstance(unit.get(key), str):
                    unit[key] = unit[key].rstrip()
    for info in doc.get("miscInfos") or ():
        if isinstance(info, dict) and info.get("text") and info.get("numeric") == 0:
            del info["numeric"]
    root = doc.get("root")
    if isinstance(root, dict):
        if loop_export_quirk:
            _loop_summaries_as_exported(root)
        _strip(root, charts=include_chartdata, attachments=include_attachments)
    if not include_attachments:
        for binary in doc.get("binaryData") or ():
            if isinstance(binary, dict):
                binary["data"] = None
    if detail_level <= 0:
        doc = {key: doc[key] for key in _IDENTIFYING if key in doc}
    return doc
