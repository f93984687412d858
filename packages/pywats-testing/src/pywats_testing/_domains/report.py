"""WATS area Report: submit (WSJF, WSXF), read back, query headers, attachments."""

from __future__ import annotations

import base64
import binascii
import io
import re
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from .._framework import Refusal, Reply, Request, RouteTable
from .._headers import EXPANDABLE, HEADER_FIELDS, ORDERABLE, header_rows, render_header, render_misc
from .._odata import ODataError, evaluate, parse_query
from .._reports import (
    ReportFormatError,
    document_of,
    parse_submission,
    readback_document,
    to_wsxf,
    validation_text,
)
from .._state import FakeState, Process, StoredReport

if TYPE_CHECKING:
    from .._app import FakeWatsApp

__all__ = ["routes"]

routes: RouteTable[FakeWatsApp] = RouteTable()

_GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_ODATA_INVALID = "The query specified in the URI is not valid. "


@routes.post("/api/Report/WSJF")
async def post_wsjf(app: FakeWatsApp, request: Request) -> Reply:
    return _submit(app, request, "WSJF")


@routes.post("/api/Report/WSXF")
async def post_wsxf(app: FakeWatsApp, request: Request) -> Reply:
    return _submit(app, request, "WSXF")


@routes.get("/api/Report/Wsjf/{id}")
async def get_wsjf(app: FakeWatsApp, request: Request) -> Reply:
    return Reply.json(_readback(app, request))


@routes.get("/api/Report/Wsxf/{id}")
async def get_wsxf(app: FakeWatsApp, request: Request) -> Reply:
    return Reply(200, to_wsxf(_readback(app, request)), "application/xml; charset=utf-8")


@routes.get("/api/Report/Query/Header")
async def query_header(app: FakeWatsApp, request: Request) -> Reply:
    try:
        query = parse_query(
            request.query,
            fields=HEADER_FIELDS,
            expandable=EXPANDABLE,
            orderable=ORDERABLE,
            default_orderby=(("start", True),),
        )
    except ODataError as exc:
        return Reply.json({"Message": _ODATA_INVALID + str(exc), "ExceptionMessage": str(exc)}, 400)
    rows = header_rows(app.state.all_reports(), _process_table(app.state))
    if query.filter is not None:
        rows = [item for item in rows if evaluate(query.filter, item[0])]
    rows.sort(key=lambda item: -item[0]["timeStamp"])  # final tie-break: newest first
    for name, descending in reversed(query.orderby):
        present = [item for item in rows if item[0][name] is not None]
        missing = [item for item in rows if item[0][name] is None]
        present.sort(key=lambda item: item[0][name], reverse=descending)
        rows = missing + present if not descending else present + missing
    page = rows[query.skip : query.skip + query.top]
    return Reply.json([render_header(row, report, query) for row, report in page])


@routes.get("/api/Report/Query/HeaderByMiscInfo")
async def query_misc_info(app: FakeWatsApp, request: Request) -> Reply:
    """Test reports having a misc info that matches ``description``/``data`` exactly
    (the real matching rules are not documented [inferred]), newest first."""
    code_text = request.param("processCode")
    try:
        code = int(code_text) if code_text else None
    except ValueError:
        return Reply.message(400, f"The request is invalid. '{code_text}' is not a number.")
    serial = request.param("serialNumber")
    description = request.param("description")
    data = request.param("data")
    rows = header_rows(app.state.all_reports(), _process_table(app.state))
    rows.sort(key=lambda item: -item[0]["timeStamp"])
    out = []
    for row, stored in rows:
        if row["reportType"] != "T":
            continue
        if (code is not None and row["processCode"] != code) or (
            serial and row["serialNumber"] != serial
        ):
            continue
        misc = [
            {"description": m.get("description"), "data": m.get("value")}
            for m in render_misc(stored)
        ]
        if description and not any(m["description"] == description for m in misc):
            continue
        if data and not any(m["data"] == data for m in misc):
            continue
        start = row["start"]
        out.append(
            {
                "miscData": misc,
                "serialNumber": row["serialNumber"],
                "partNumber": row["partNumber"],
                "start": None if start is None else start.isoformat(),
                "result": row["result"],
                "uuid": row["uuid"],
                "processCode": row["processCode"],
                "processName": row["processName"],
            }
        )
    return Reply.json(out)


@routes.get("/api/Report/Attachment")
async def get_attachment(app: FakeWatsApp, request: Request) -> Reply:
    [report_id] = request.required("reportId")
    stored = _find_report(app.state, report_id)
    attachment_id = request.param("attachmentId")
    step_id = request.param("stepId")
    for item in _attachments(stored.document):
        if (attachment_id and item.key == attachment_id.lower()) or (
            step_id and item.key == f"step:{step_id.strip()}"
        ):
            return Reply(200, item.data, item.content_type or "application/octet-stream")
    if not attachment_id and not step_id:
        return Reply.message(400, "The request is invalid. attachmentId or stepId is required.")
    return Reply.message(404, "Attachment not found.")


@routes.get("/api/Report/Attachments/{id}")
async def get_attachments(app: FakeWatsApp, request: Request) -> Reply:
    stored = _find_report(app.state, request.path_params["id"])
    buffer = io.BytesIO()
    used: set[str] = set()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for item in _attachments(stored.document):
            name = item.name or "attachment"
            candidate, n = name, 1
            while candidate in used:
                n += 1
                candidate = f"{n}_{name}"
            used.add(candidate)
            archive.writestr(candidate, item.data)
    return Reply(200, buffer.getvalue(), "application/zip")


def _submit(app: FakeWatsApp, request: Request, source_format: Literal["WSJF", "WSXF"]) -> Reply:
    assert request.principal is not None
    shape = app.validation_error_shape
    if not request.body.strip():
        return Reply.message(400, "The report is empty.", shape)
    try:
        report = parse_submission(request.body, source_format)
    except ReportFormatError as exc:
        return Reply.message(400, str(exc), shape)
    active = {p.code: p.name for p in app.state.processes if p.state == 1}
    problems = validation_text(report, active)
    if problems is not None:
        # WATS (ASP.NET on Windows) separates the lines with CRLF [obs: service_error.txt].
        return Reply.message(400, "\r\n".join(problems.splitlines()), shape)
    stored = app.state.commit_report(
        report.id,
        document_of(report),
        source_format,
        request.body,
        request.principal.origin,
    )
    return Reply.json({"ID": report.id, "uuid": stored.id, "Report_ID": stored.report_number})


def _process_table(state: FakeState) -> dict[int, Process]:
    return {p.code: p for p in state.processes}


def _find_report(state: FakeState, report_id: str) -> StoredReport:
    found = state.get_report(report_id) if _GUID.match(report_id.strip()) else None
    if found is None:
        raise Refusal(404, "Report not found.")
    return found


def _readback(app: FakeWatsApp, request: Request) -> dict[str, Any]:
    stored = _find_report(app.state, request.path_params["id"])
    detail = request.number("detailLevel", default=7)
    charts = request.flag("includeChartdata")
    attachments = request.flag("includeAttachments")
    code = stored.document.get("processCode")
    process = _process_table(app.state).get(code) if isinstance(code, int) else None
    return readback_document(
        stored.document,
        origin=stored.origin,
        process_name=process.name if process else None,
        detail_level=detail,
        include_chartdata=charts is not False,
        include_attachments=attachments is not False,
        loop_export_quirk=app.loop_export_quirk,
    )


@dataclass
class _Attachment:
    key: str  # lower-case GUID, or "step:<id>"
    name: str | None
    content_type: str | None
    data: bytes


def _decode(data: Any) -> bytes:
    if not isinstance(data, str):
        return b""
    try:
        return base64.b64decode(data)
    except (binascii.Error, ValueError):
        return b""


def _attachments(document: Mapping[str, Any]) -> list[_Attachment]:
    found: list[_Attachment] = []

    def walk(step: Mapping[str, Any]) -> None:
        attachment = step.get("attachment")
        if isinstance(attachment, Mapping):
            found.append(
                _Attachment(
                    f"step:{step.get('id')}",
                    attachment.get("name"),
                    attachment.get("contentType"),
                    _decode(attachment.get("data")),
                )
            )
        for child in step.get("steps") or ():
            if isinstance(child, Mapping):
                walk(child)

    root = document.get("root")
    if isinstance(root, Mapping):
        walk(root)
    binaries = [b for b in document.get("binaryData") or () if isinstance(b, Mapping)]
    for unit in document.get("subUnits") or ():
        for failure in (unit.get("failures") or ()) if isinstance(unit, Mapping) else ():
            if isinstance(failure, Mapping):
                binaries.extend(
                    a for a in failure.get("attachments") or () if isinstance(a, Mapping)
                )
    for binary in binaries:
        found.append(
            _Attachment(
                str(binary.get("id") or "").lower(),
                binary.get("name"),
                binary.get("contentType"),
                _decode(binary.get("data")),
            )
        )
    return found
