"""The pywats client's report domain against the fake: submit, read back, page, search."""

from __future__ import annotations

import base64
import uuid
from collections.abc import Callable
from typing import Any

import pytest

import pywats
from pywats_testing import FakeWatsServer

pytestmark = pytest.mark.anyio


async def test_submit_read_back_and_attachments(
    fake_wats: FakeWatsServer, make_report: Callable[..., dict[str, Any]]
) -> None:
    report = make_report(miscInfos=[{"description": "fw", "text": "1.2.3"}])
    report["root"]["steps"].append(
        {
            "id": 3,
            "group": "M",
            "stepType": "WATS_AttachFile",
            "name": "Log",
            "status": "P",
            "attachment": {
                "name": "log.txt",
                "contentType": "text/plain",
                "data": base64.b64encode(b"hello").decode(),
            },
        }
    )
    async with pywats.AsyncWATS(fake_wats.url, token=fake_wats.token) as wats:
        result = await wats.report.submit_wsjf(report)
        assert result.id == report["id"]
        back = await wats.report.get_wsjf(report["id"])
        assert back is not None
        assert (back.sn, back.process_name) == ("SN-1", "SW Debug")
        assert back.origin == fake_wats.reports()[0].origin
        assert await wats.report.get_attachment(report["id"], step_id=3) == b"hello"
        assert b"log.txt" in await wats.report.get_attachments_zip(report["id"])
        found = await wats.report.query_by_misc_info(description="fw", data="1.2.3")
        assert [r.uuid for r in found] == [report["id"]]
        assert await wats.report.query_by_misc_info(description="fw", data="9") == []
        with pytest.raises(pywats.NotFoundError):
            await wats.report.get_wsjf(str(uuid.uuid4()))


async def test_query_headers_pages_through_everything(
    fake_wats: FakeWatsServer, make_report: Callable[..., dict[str, Any]]
) -> None:
    async with pywats.AsyncWATS(fake_wats.url, token=fake_wats.token) as wats:
        for n in range(25):
            await wats.report.submit_wsjf(
                make_report(
                    id=str(uuid.UUID(int=n + 1)),
                    sn=f"SN-{n:02d}",
                    start=f"2026-01-{n + 1:02d}T10:00:00+00:00",
                    startUTC=f"2026-01-{n + 1:02d}T10:00:00Z",
                )
            )
        headers = [h async for h in wats.report.query_headers(page_size=10)]
        assert [h.serial_number for h in headers] == [f"SN-{n:02d}" for n in range(24, -1, -1)]
        oldest = [
            h.serial_number
            async for h in wats.report.query_headers(
                "startswith(serialNumber,'SN-0')", order_by="start asc", page_size=4
            )
        ]
        assert oldest == [f"SN-{n:02d}" for n in range(10)]
    # 25 rows in pages of 10 take three requests (the last one short); then 10 in pages of 4.
    assert fake_wats.request_count("GET /api/Report/Query/Header") == 3 + 3
