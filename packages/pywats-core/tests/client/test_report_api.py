"""The Report domain over real loopback HTTP: the fake WATS server, sync and async."""

from __future__ import annotations

import asyncio
import base64
import json
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

import pywats
from pywats import ErrorMode, Filter
from pywats.report import parse_wsjf, parse_wsxf

EXAMPLE = "olreppe-pyWATS/virinco-examples/WATS - WSJF UUT Example file.json"
EXPORT = "olreppe-pyWATS/server-exports/uut-wsjf-export.json"


@pytest.fixture(params=["sync", "async"])
def run(request: pytest.FixtureRequest, fake_wats: Any) -> Callable[..., Any]:
    """``run(lambda wats: wats.report....)`` against the fake, on WATS or AsyncWATS."""
    kind = request.param

    def _run(fn: Callable[[Any], Any], **kwargs: Any) -> Any:
        if kind == "sync":
            with pywats.WATS(fake_wats.url, fake_wats.token, **kwargs) as wats:
                return fn(wats)

        async def main() -> Any:
            async with pywats.AsyncWATS(fake_wats.url, fake_wats.token, **kwargs) as wats:
                result = fn(wats)
                if isinstance(result, pywats.AsyncPagedIterator):
                    return await result.collect()
                return await result

        return asyncio.run(main())

    return _run


def _collect(result: Any) -> Any:
    return result.collect() if isinstance(result, pywats.PagedIterator) else result


@pytest.fixture
def example(reference_dir: Path) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((reference_dir / EXAMPLE).read_text(encoding="utf-8"))
    document["id"] = str(uuid.uuid4())
    return document


def _variant(document: dict[str, Any], **changes: Any) -> dict[str, Any]:
    copy = json.loads(json.dumps(document))
    copy.update(id=str(uuid.uuid4()), **changes)
    return copy


def test_submit_bytes_then_read_back(run: Any, fake_wats: Any, example: dict[str, Any]) -> None:
    content = json.dumps(example).encode()
    result = run(lambda w: w.report.submit_wsjf(content))
    assert result.id.lower() == example["id"]
    assert fake_wats.commits(example["id"]) == 1
    stored = fake_wats.report(example["id"])
    assert stored is not None
    assert stored["sn"] == "FATTest-111"

    report = run(lambda w: w.report.get_wsjf(example["id"]))
    assert report.id == example["id"]
    assert report.sn == "FATTest-111"
    xml = run(lambda w: w.report.get_wsxf(example["id"]))
    assert parse_wsxf(xml).sn == "FATTest-111"


def test_submit_model_and_resubmit_is_replayed_not_duplicated(
    run: Any, fake_wats: Any, example: dict[str, Any]
) -> None:
    report = parse_wsjf(example)
    first = run(lambda w: w.report.submit_wsjf(report))
    again = run(lambda w: w.report.submit_wsjf(report))
    assert first.id.lower() == again.id.lower() == example["id"]
    # Same id as Idempotency-Key, same body: one commit, the second answer is a replay.
    assert fake_wats.commits(example["id"]) == 1
    assert fake_wats.replays(example["id"]) == 1
    assert len(fake_wats.reports()) == 1


def test_submit_wsxf(run: Any, fake_wats: Any, example: dict[str, Any]) -> None:
    from pywats.report import dumps_wsxf

    xml = dumps_wsxf(parse_wsjf(example))
    result = run(lambda w: w.report.submit_wsxf(xml))
    assert result.id.lower() == example["id"]
    assert fake_wats.commits(example["id"]) == 1


def test_invalid_report_gets_the_servers_validation_text(
    run: Any, fake_wats: Any, reference_dir: Path
) -> None:
    content = (reference_dir / EXPORT).read_bytes()
    with pytest.raises(pywats.ValidationError) as info:
        run(lambda w: w.report.submit_wsjf(content))
    assert info.value.status_code == 400
    assert not info.value.retryable
    assert info.value.server_message is not None
    assert "num is required to be one more than endingIndex." in info.value.server_message
    assert fake_wats.reports() == []


def test_query_headers_escapes_a_quote_in_the_serial_number(
    run: Any, fake_wats: Any, example: dict[str, Any]
) -> None:
    quoted = _variant(example, sn="O'Brien-7")
    plain = _variant(example, sn="OBrien-7")
    for document in (quoted, plain, example):
        run(lambda w, d=document: w.report.submit_wsjf(d))
    headers = run(
        lambda w: _collect(w.report.query_headers(Filter.eq("serialNumber", "O'Brien-7")))
    )
    assert [h.uuid.lower() for h in headers] == [quoted["id"]]
    assert headers[0].serial_number == "O'Brien-7"

    starts = run(
        lambda w: _collect(
            w.report.query_headers(
                Filter.startswith("serialNumber", "O") & Filter.eq("partNumber", "FATPartNo111"),
                order_by="serialNumber asc",
            )
        )
    )
    assert [h.serial_number for h in starts] == ["O'Brien-7", "OBrien-7"]


def test_query_headers_date_range_and_paging(
    run: Any, fake_wats: Any, example: dict[str, Any]
) -> None:
    base = datetime(2024, 5, 1, 12, 0, tzinfo=timezone.utc)
    ids = []
    for day in range(5):
        start = base + timedelta(days=day)
        document = _variant(
            example,
            sn=f"DAY-{day}",
            start=start.isoformat(),
            startUTC=start.isoformat().replace("+00:00", "Z"),
        )
        ids.append(document["id"])
        run(lambda w, d=document: w.report.submit_wsjf(d))
    window = Filter.between("start", base + timedelta(days=1), base + timedelta(days=4))
    found = run(
        lambda w: _collect(w.report.query_headers(window, order_by="start asc", page_size=2))
    )
    assert [h.serial_number for h in found] == ["DAY-1", "DAY-2", "DAY-3"]
    # Three rows in pages of two: the client asked twice.
    assert fake_wats.request_count("GET /api/Report/Query/Header") == 2
    newest = run(lambda w: _collect(w.report.query_headers(max_items=2)))
    assert [h.serial_number for h in newest] == ["DAY-4", "DAY-3"]


def test_download_step_attachment(run: Any, example: dict[str, Any]) -> None:
    run(lambda w: w.report.submit_wsjf(example))
    steps = [example["root"]]
    by_id = {}
    while steps:
        step = steps.pop()
        by_id[step["id"]] = step
        steps.extend(step.get("steps") or [])
    png = by_id[23]["attachment"]
    data = run(lambda w: w.report.get_attachment(example["id"], step_id=23))
    assert data == base64.b64decode(png["data"])
    assert data.startswith(b"\x89PNG")


def test_missing_report_strict_and_lenient(run: Any) -> None:
    missing = str(uuid.uuid4())
    with pytest.raises(pywats.NotFoundError):
        run(lambda w: w.report.get_wsjf(missing))
    assert run(lambda w: w.report.get_wsjf(missing), error_mode=ErrorMode.LENIENT) is None


def test_bad_arguments_are_refused_before_sending(run: Any, fake_wats: Any) -> None:
    with pytest.raises(ValueError, match="not a report id"):
        run(lambda w: w.report.get_wsjf("not-a-guid"))
    with pytest.raises(ValueError, match="detail_level"):
        run(lambda w: w.report.get_wsjf(str(uuid.uuid4()), detail_level=9))
    with pytest.raises(ValueError, match="sorts headers only by"):
        run(lambda w: _collect(w.report.query_headers(order_by="pn")))
    with pytest.raises(ValueError, match="exactly one"):
        run(lambda w: w.report.get_attachment(str(uuid.uuid4())))
    assert fake_wats.request_counts() == {} or sum(fake_wats.request_counts().values()) == 0
