"""``ReportHeader`` rows (``GET /api/Report/Query/Header``) derived from stored reports."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timezone
from typing import Any

from ._odata import FieldType, Query
from ._state import Process, StoredReport

__all__ = [
    "EXPANDABLE",
    "HEADER_FIELDS",
    "ORDERABLE",
    "header_rows",
    "render_header",
    "render_misc",
]

HEADER_FIELDS: dict[str, FieldType] = {
    "uuid": "guid",
    "serialNumber": "string",
    "partNumber": "string",
    "reportType": "string",
    "start": "datetime",
    "revision": "string",
    "result": "string",
    "batchNumber": "string",
    "userName": "string",
    "stationName": "string",
    "location": "string",
    "purpose": "string",
    "measuresDeleted": "bool",
    "timeStamp": "long",
    "processCode": "int",
    "processName": "string",
    "comment": "string",
    "executionTime": "double",
    "swFilename": "string",
    "swVersion": "string",
    "testSocketIndex": "int",
    "fixtureId": "string",
    "errorCode": "int",
    "errorMessage": "string",
    "run": "int",
    "receiveCount": "int",
    "reportSize": "int",
    "causedUutFailure": "string",
    "causedUutFailurePath": "string",
    "passedInRun": "int",
    "referencedUut": "guid",
}
EXPANDABLE = (
    "subUnits",
    "miscInfo",
    "assets",
    "attachments",
    "uurSubUnits",
    "uurMiscInfo",
    "uurAttachments",
)
ORDERABLE = ("start", "uuid", "serialNumber", "timeStamp")
_RESULT_WORDS = {"P": "Passed", "F": "Failed", "E": "Error", "T": "Terminated"}


def _parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    text = value.strip().replace("Z", "+00:00")
    # Python < 3.11 takes at most 6 fractional digits; WATS writes 7.
    if "." in text:
        head, _, tail = text.partition(".")
        digits = ""
        while tail and tail[0].isdigit():
            digits, tail = digits + tail[0], tail[1:]
        text = f"{head}.{(digits + '000000')[:6]}{tail}"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=timezone.utc)


def _walk(
    step: Mapping[str, Any], path: tuple[str, ...]
) -> Iterable[tuple[Mapping[str, Any], tuple[str, ...]]]:
    here = (*path, str(step.get("name") or ""))
    yield step, here
    for child in step.get("steps") or ():
        if isinstance(child, Mapping):
            yield from _walk(child, here)


def _str(value: Any) -> str | None:
    return None if value is None else str(value)


def _base_row(report: StoredReport, processes: Mapping[int, Process]) -> dict[str, Any]:
    doc = report.document
    is_uur = doc.get("type") == "R"
    info: Mapping[str, Any] = doc.get("uur" if is_uur else "uut") or {}
    root: Mapping[str, Any] = doc.get("root") or {}
    seq: Mapping[str, Any] = root.get("seqCall") or {}
    caused: tuple[str | None, str | None] = (None, None)
    failing_id = info.get("stepIdCausedUUTFailure")
    if root:
        for step, path in _walk(root, ()):
            if step.get("causedUUTFailure") or (
                failing_id is not None and step.get("id") == failing_id
            ):
                caused = (_str(step.get("name")), "/".join(path))
                break
    code = doc.get("processCode")
    process = processes.get(code) if isinstance(code, int) else None
    return {
        "uuid": report.id,
        "serialNumber": _str(doc.get("sn")),
        "partNumber": _str(doc.get("pn")),
        "reportType": "R" if is_uur else "T",
        "start": _parse_time(doc.get("startUTC")) or _parse_time(doc.get("start")),
        "revision": _str(doc.get("rev")),
        "result": _RESULT_WORDS.get(str(doc.get("result")), _str(doc.get("result"))),
        "batchNumber": _str(info.get("batchSN")),
        "userName": _str(info.get("user")),
        "stationName": _str(doc.get("machineName")),
        "location": _str(doc.get("location")),
        "purpose": _str(doc.get("purpose")),
        "measuresDeleted": False,
        "timeStamp": report.timestamp,
        "processCode": code if isinstance(code, int) else None,
        "processName": process.name if process else _str(doc.get("processName")),
        "comment": _str(info.get("comment")),
        "executionTime": float(info["execTime"])
        if isinstance(info.get("execTime"), (int, float))
        else None,
        "swFilename": _str(seq.get("path")),
        "swVersion": _str(seq.get("version")),
        "testSocketIndex": info.get("testSocketIndex")
        if isinstance(info.get("testSocketIndex"), int)
        else None,
        "fixtureId": _str(info.get("fixtureId")),
        "errorCode": info.get("errorCode") if isinstance(info.get("errorCode"), int) else None,
        "errorMessage": _str(info.get("errorMessage")),
        "run": 1,
        "receiveCount": report.commits,
        "reportSize": max(1, (len(report.raw) + 1023) // 1024),
        "causedUutFailure": caused[0],
        "causedUutFailurePath": caused[1],
        "passedInRun": None,
        "referencedUut": (_str(info.get("refUUT")) or "").lower() or None if is_uur else None,
    }


def _expansions(report: StoredReport) -> dict[str, list[dict[str, Any]]]:
    doc = report.document
    is_uur = doc.get("type") == "R"
    units = [u for u in doc.get("subUnits") or () if isinstance(u, Mapping)]
    misc = [m for m in doc.get("miscInfos") or () if isinstance(m, Mapping)]
    sub_units = [
        {
            "partType": _str(u.get("partType")),
            "serialNumber": _str(u.get("sn")),
            "partNumber": _str(u.get("pn")),
            "revision": _str(u.get("rev")),
        }
        for u in units
    ]
    misc_info = [
        {
            "description": _str(m.get("description")),
            "value": _str(m.get("text")) if m.get("text") is not None else _str(m.get("numeric")),
        }
        for m in misc
    ]
    attachments: list[dict[str, Any]] = []
    root = doc.get("root")
    if isinstance(root, Mapping):
        for step, _path in _walk(root, ()):
            attachment = step.get("attachment")
            if isinstance(attachment, Mapping):
                attachments.append(
                    {"stepId": step.get("id"), "filename": _str(attachment.get("name"))}
                )
    uur_attachments = [
        {"id": _str(b.get("id")), "filename": _str(b.get("name"))} for b in _uur_binaries(doc)
    ]
    assets = [
        {"serialNumber": _str(a.get("assetSN")), "runningCount": a.get("usageCount")}
        for a in doc.get("assets") or ()
        if isinstance(a, Mapping)
    ]
    return {
        "subUnits": [] if is_uur else sub_units,
        "miscInfo": [] if is_uur else misc_info,
        "assets": assets,
        "attachments": [] if is_uur else attachments,
        "uurSubUnits": [{k: v for k, v in u.items() if k != "partType"} for u in sub_units]
        if is_uur
        else [],
        "uurMiscInfo": misc_info if is_uur else [],
        "uurAttachments": uur_attachments if is_uur else [],
    }


def render_misc(report: StoredReport) -> list[dict[str, Any]]:
    """The report's misc infos as ``{description, value}`` (value: text, else numeric)."""
    return _expansions(report)["uurMiscInfo" if report.document.get("type") == "R" else "miscInfo"]


def _uur_binaries(doc: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """Report-level binary data and failure attachments of a UUR report."""
    found = [b for b in doc.get("binaryData") or () if isinstance(b, Mapping)]
    for unit in doc.get("subUnits") or ():
        if not isinstance(unit, Mapping):
            continue
        for failure in unit.get("failures") or ():
            if isinstance(failure, Mapping):
                found.extend(a for a in failure.get("attachments") or () if isinstance(a, Mapping))
    return found


def header_rows(
    reports: Iterable[StoredReport], processes: Mapping[int, Process]
) -> list[tuple[dict[str, Any], StoredReport]]:
    """One typed row per report, with ``run`` and ``passedInRun`` numbered per unit."""
    rows = [(_base_row(r, processes), r) for r in reports]
    epoch = datetime.min.replace(tzinfo=timezone.utc)
    ordered = sorted(rows, key=lambda item: (item[0]["start"] or epoch, item[0]["timeStamp"]))
    runs: dict[tuple[Any, ...], int] = {}
    passed_in: dict[tuple[Any, ...], int] = {}
    for row, _report in ordered:
        if row["reportType"] != "T":
            continue
        unit = (row["serialNumber"], row["partNumber"], row["processCode"])
        runs[unit] = runs.get(unit, 0) + 1
        row["run"] = runs[unit]
        if row["result"] == "Passed" and unit not in passed_in:
            passed_in[unit] = row["run"]
    for row, _report in rows:
        unit = (row["serialNumber"], row["partNumber"], row["processCode"])
        row["passedInRun"] = passed_in.get(unit)
    return rows


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime):
        text = value.astimezone(timezone.utc).isoformat(timespec="milliseconds")
        return text.replace("+00:00", "Z")
    return value


def render_header(row: Mapping[str, Any], report: StoredReport, query: Query) -> dict[str, Any]:
    """The JSON object for one row, honouring ``$select`` and ``$expand``."""
    names = query.select if query.select is not None else tuple(HEADER_FIELDS)
    out = {name: _json_value(row[name]) for name in names}
    if query.expand:
        expansions = _expansions(report)
        for name in query.expand:
            out[name] = expansions[name]
    return out
