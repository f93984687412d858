"""HTTP access for the Report domain."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import quote

from pywats._async._http import AsyncHttpClient, QueryParams
from pywats._async._paging import AsyncPagedIterator
from pywats._call import JSON_BODY, XML_BODY
from pywats._errors import ErrorHandler
from pywats._paging_styles import ODATA

__all__ = ["AsyncReportRepository"]

T = TypeVar("T")


class AsyncReportRepository:
    def __init__(self, http: AsyncHttpClient, handler: ErrorHandler) -> None:
        self._http = http
        self._handler = handler

    async def post_report(self, fmt: str, content: bytes, report_id: str) -> Any:
        """POST one report (``fmt`` is ``WSJF`` or ``WSXF``); the report id is the
        ``Idempotency-Key``, so a retry of a committed upload is recognised."""
        response = await self._http.request(
            "POST",
            f"api/Report/{fmt}",
            content=content,
            headers=JSON_BODY if fmt == "WSJF" else XML_BODY,
            idempotency_key=report_id,
            timeout=self._http.timeouts.for_upload(),
        )
        return self._handler.handle(response, f"POST /api/Report/{fmt}")

    async def get_wsjf(self, report_id: str, params: QueryParams) -> Any:
        path = f"api/Report/Wsjf/{quote(report_id, safe='')}"
        response = await self._http.request("GET", path, params=params)
        return self._handler.handle(response, "GET /api/Report/Wsjf/{id}")

    async def get_wsxf(self, report_id: str, params: QueryParams) -> bytes | None:
        path = f"api/Report/Wsxf/{quote(report_id, safe='')}"
        response = await self._http.request(
            "GET", path, params=params, headers={"Accept": "application/xml"}
        )
        return self._handler.handle_bytes(response, "GET /api/Report/Wsxf/{id}")

    def query_headers(
        self,
        params: QueryParams,
        parse: Callable[[Any], T],
        *,
        page_size: int,
        max_items: int | None,
    ) -> AsyncPagedIterator[T]:
        return AsyncPagedIterator.over(
            ODATA,
            self._http,
            self._handler,
            "api/Report/Query/Header",
            parse,
            params=params,
            page_size=page_size,
            max_items=max_items,
        )

    async def get_headers_by_misc_info(self, params: QueryParams) -> Any:
        response = await self._http.request(
            "GET", "api/Report/Query/HeaderByMiscInfo", params=params
        )
        return self._handler.handle(response, "GET /api/Report/Query/HeaderByMiscInfo")

    async def get_attachment(self, params: QueryParams) -> bytes | None:
        response = await self._http.request(
            "GET", "api/Report/Attachment", params=params, headers={"Accept": "*/*"}
        )
        return self._handler.handle_bytes(response, "GET /api/Report/Attachment")

    async def get_attachments_zip(self, report_id: str) -> bytes | None:
        path = f"api/Report/Attachments/{quote(report_id, safe='')}"
        response = await self._http.request("GET", path, headers={"Accept": "*/*"})
        return self._handler.handle_bytes(response, "GET /api/Report/Attachments/{id}")
