"""The Report domain: submit, read back and query reports."""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from pywats import _operations as ops
from pywats._async._api import AsyncApi
from pywats._async._paging import AsyncPagedIterator
from pywats._async.report._repository import AsyncReportRepository
from pywats._errors import EmptyResponseError, PyWATSError
from pywats._odata import Filter
from pywats._operation import operation

if TYPE_CHECKING:
    from pywats._models import InsertReportResult, MiscInfoReport, ReportHeader
    from pywats.report import Report

__all__ = ["AsyncReportService"]

_ORDER_FIELDS = frozenset({"start", "uuid", "serialnumber", "timestamp"})
_EXPANDS = frozenset(
    {
        "subunits",
        "miscinfo",
        "assets",
        "attachments",
        "uursubunits",
        "uurmiscinfo",
        "uurattachments",
    }
)


def _checked_id(value: object, where: str) -> str:
    try:
        return str(uuid.UUID(str(value)))
    except ValueError:
        raise ValueError(f"{where}: {value!r} is not a report id (a UUID)") from None


def _wsjf_payload(
    report: Report | bytes | Mapping[str, Any], report_id: str | None
) -> tuple[bytes, str]:
    if isinstance(report, bytes):
        if report_id is None:
            try:
                document = json.loads(report)
            except ValueError as exc:
                raise ValueError(f"the WSJF bytes are not valid JSON: {exc}") from None
            if not isinstance(document, dict) or "id" not in document:
                raise ValueError("the WSJF document has no top-level 'id'")
            report_id = document["id"]
        return report, _checked_id(report_id, "report_id")
    if isinstance(report, Mapping):
        content = json.dumps(report, ensure_ascii=False, separators=(",", ":")).encode()
        return content, _checked_id(report_id or report.get("id"), "report id")
    from pywats.report import dumps_wsjf

    return dumps_wsjf(report), _checked_id(report.id, "report id")


def _insert_result(body: Any, report_id: str, operation: str) -> InsertReportResult:
    from pywats._models import InsertReportResult

    if isinstance(body, list) and len(body) == 1:
        body = body[0]
    if isinstance(body, str):
        body = {"ID": body}
    if not isinstance(body, Mapping):
        raise PyWATSError(
            f"unexpected answer to a report upload: {json.dumps(body)[:200]}", operation=operation
        )
    result = InsertReportResult.model_validate(body)
    if result.id.lower() != report_id.lower():
        raise PyWATSError(
            f"the server acknowledged report {result.id}, not the {report_id} that was sent",
            operation=operation,
        )
    return result


class AsyncReportService:
    def __init__(self, repository: AsyncReportRepository, api: AsyncApi) -> None:
        self._repository = repository
        self._api = api

    @operation(ops.Report_PostWSJF)
    async def submit_wsjf(
        self, report: Report | bytes | Mapping[str, Any], *, report_id: str | None = None
    ) -> InsertReportResult:
        """Upload one report as WSJF and return the server's ``InsertReportResult``.

        ``report`` may be a :class:`pywats.report.Report`, a JSON-ready mapping, or the
        WSJF bytes exactly as they should go out (nothing is re-serialised). The report id
        goes out as the ``Idempotency-Key``; WATS upserts by id, so sending the same report
        again is safe. ``report_id`` skips reading the id from the bytes.
        """
        content, rid = _wsjf_payload(report, report_id)
        body = await self._repository.post_report("WSJF", content, rid)
        return _insert_result(body, rid, "Report.submit_wsjf")

    @operation(ops.Report_PostWSXF)
    async def submit_wsxf(
        self, report: Report | bytes, *, report_id: str | None = None
    ) -> InsertReportResult:
        """Upload one report as WSXF (XML); see :meth:`submit_wsjf`."""
        if isinstance(report, bytes):
            content = report
            if report_id is None:
                from pywats.report import parse_wsxf

                report_id = parse_wsxf(report).id
        else:
            from pywats.report import dumps_wsxf

            content = dumps_wsxf(report)
            report_id = report.id
        rid = _checked_id(report_id, "report id")
        body = await self._repository.post_report("WSXF", content, rid)
        return _insert_result(body, rid, "Report.submit_wsxf")

    @operation(ops.Report_GetReportAsWSJF)
    async def get_wsjf(
        self,
        report_id: str,
        *,
        detail_level: int | None = None,
        include_chart_data: bool | None = None,
        include_attachments: bool | None = None,
    ) -> Report | None:
        """Read a report back as a :class:`~pywats.report.Report` (from WSJF).

        ``detail_level`` 0 (identifying data) to 7 (everything, the default). ``None`` when
        the report does not exist and the client is LENIENT; NotFoundError when STRICT.
        """
        body = await self._repository.get_wsjf(
            _checked_id(report_id, "report_id"),
            _read_params(detail_level, include_chart_data, include_attachments),
        )
        if body is None:
            return None
        from pywats.report import parse_wsjf

        return parse_wsjf(body)

    @operation(ops.Report_WSXF)
    async def get_wsxf(
        self,
        report_id: str,
        *,
        detail_level: int | None = None,
        include_chart_data: bool | None = None,
        include_attachments: bool | None = None,
        include_indexes: bool | None = None,
    ) -> bytes | None:
        """Read a report back as a WSXF document (bytes); parse it with
        :func:`pywats.report.parse_wsxf` if you want the model."""
        params = _read_params(detail_level, include_chart_data, include_attachments)
        params["includeIndexes"] = include_indexes
        return await self._repository.get_wsxf(_checked_id(report_id, "report_id"), params)

    @operation(ops.Report_HeaderQuery)
    def query_headers(
        self,
        filter: Filter | str | None = None,  # OData's own word
        *,
        order_by: str | None = "start desc",
        expand: Sequence[str] = (),
        page_size: int = 1000,
        max_items: int | None = None,
    ) -> AsyncPagedIterator[ReportHeader]:
        """Report headers matching an OData filter, newest first, fetched page by page.

        Nothing is sent until you iterate. ``page_size`` is capped at WATS's 10,000.
        ``order_by`` accepts ``start``, ``uuid``, ``serialNumber`` or ``timestamp``, each
        with an optional ``asc``/``desc``. ``expand`` names collections to include
        (``subUnits``, ``miscInfo``, ``assets``, ``attachments`` and the ``uur`` ones).
        """
        from pywats._models import ReportHeader

        params: dict[str, str | int | float | bool | None] = {
            "$filter": str(filter) if filter is not None else None,
            "$orderby": _order_by(order_by) if order_by else None,
            "$expand": ",".join(_expand(e) for e in expand) or None,
        }
        return self._repository.query_headers(
            params,
            ReportHeader.model_validate,
            page_size=min(page_size, 10_000),
            max_items=max_items,
        )

    @operation(ops.Report_HeaderByMiscInfo)
    async def query_by_misc_info(
        self,
        *,
        description: str | None = None,
        data: str | None = None,
        serial_number: str | None = None,
        process_code: int | None = None,
    ) -> list[MiscInfoReport]:
        """Test reports whose misc info matches (``description``/``data``), as WATS's
        ``HeaderByMiscInfo`` returns them."""
        from pywats._models import MiscInfoReport

        body = await self._repository.get_headers_by_misc_info(
            {
                "description": description,
                "data": data,
                "serialNumber": serial_number,
                "processCode": process_code,
            }
        )
        if body is None:
            return []
        if not isinstance(body, list):
            raise PyWATSError(
                "expected a JSON array of reports", operation="Report.query_by_misc_info"
            )
        return [MiscInfoReport.model_validate(item) for item in body]

    @operation(ops.Report_GetAttachment)
    async def get_attachment(
        self, report_id: str, *, step_id: int | None = None, attachment_id: str | None = None
    ) -> bytes | None:
        """One attachment's bytes: a UUT step's (``step_id``) or a UUR binary's
        (``attachment_id``)."""
        if (step_id is None) == (attachment_id is None):
            raise ValueError("pass exactly one of step_id (UUT) or attachment_id (UUR)")
        return await self._repository.get_attachment(
            {
                "reportId": _checked_id(report_id, "report_id"),
                "stepId": step_id,
                "attachmentId": attachment_id,
            }
        )

    @operation(ops.Report_GetAttachments)
    async def get_attachments_zip(self, report_id: str) -> bytes:
        """Every attachment of a report, as one zip archive."""
        body = await self._repository.get_attachments_zip(_checked_id(report_id, "report_id"))
        if body is None:
            raise EmptyResponseError(
                "the server sent no archive", operation="Report.get_attachments_zip"
            )
        return body

    @operation(ops.Report_Certificate)
    async def get_certificate(self, report_id: str) -> bytes | None:
        """A report's certificate document, as the server renders it."""
        op = ops.Report_Certificate
        return await self._api.file(op, path={"id": _checked_id(report_id, "report_id")})


def _read_params(
    detail_level: int | None, include_chart_data: bool | None, include_attachments: bool | None
) -> dict[str, str | int | float | bool | None]:
    if detail_level is not None and not 0 <= detail_level <= 7:
        raise ValueError(f"detail_level runs from 0 to 7, not {detail_level}")
    return {
        "detailLevel": detail_level,
        "includeChartdata": include_chart_data,
        "includeAttachments": include_attachments,
    }


def _order_by(text: str) -> str:
    parts = text.split()
    if not 1 <= len(parts) <= 2 or parts[0].lower() not in _ORDER_FIELDS:
        raise ValueError(
            f"order_by {text!r}: WATS sorts headers only by start, uuid, serialNumber or "
            "timestamp, optionally followed by asc or desc"
        )
    if len(parts) == 2 and parts[1].lower() not in ("asc", "desc"):
        raise ValueError(f"order_by {text!r}: the direction must be asc or desc")
    return text


def _expand(name: str) -> str:
    if name.lower() not in _EXPANDS:
        raise ValueError(f"cannot expand {name!r}; WATS expands {', '.join(sorted(_EXPANDS))}")
    return name
