"""WATS area Production, serial-number pools: types, taking numbers (XML or CSV answer),
lists by range or reference, export and upload files.

One type is configured: ``MAC`` (12 hex digits, handed out in order from
``000000000001``) [inferred: WATS's own default types are set up per installation].
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape

from .._framework import Refusal, Reply, Request, RouteTable
from .._mes import multipart_file, now_iso

if TYPE_CHECKING:
    from .._app import FakeWatsApp

__all__ = ["routes"]

routes: RouteTable[FakeWatsApp] = RouteTable()

MAC = {
    "name": "MAC",
    "description": "MAC addresses",
    "format": "XXXXXXXXXXXX",
    "regEx": "^[0-9A-F]{12}$",
    "identifier": 1,
    "identifierName": "MAC",
}


def _type(app: FakeWatsApp, request: Request) -> dict[str, Any]:
    [name] = request.required("serialNumberType")
    known = {"mac": MAC, **app.mes.serial_types}.get(name.lower())
    if known is None:
        raise Refusal(400, f"Serial number type '{name}' does not exist")
    return known


def _render(rows: list[dict[str, Any]], fmt: str) -> Reply:
    if fmt.lower() == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["SerialNumber", "RefSN", "RefPN", "Taken", "Station"])
        for r in rows:
            writer.writerow([r["serialNumber"], r["refSN"], r["refPN"], r["taken"], r["station"]])
        return Reply(200, out.getvalue().encode(), "text/csv; charset=utf-8")
    items = "".join(f"<SerialNumber>{escape(r['serialNumber'])}</SerialNumber>" for r in rows)
    return Reply(200, f"<SerialNumbers>{items}</SerialNumbers>".encode(), "application/xml")


def _in_dates(row: dict[str, Any], request: Request) -> bool:
    start, end = request.param("startDate"), request.param("endDate")
    return (not start or row["taken"] >= start) and (not end or row["taken"] <= end)


@routes.get("/api/Production/SerialNumbers/Types")
async def serial_types(app: FakeWatsApp, request: Request) -> Reply:
    return Reply.json([MAC, *app.mes.serial_types.values()])


@routes.post("/api/Production/SerialNumbers/Take")
async def serial_take(app: FakeWatsApp, request: Request) -> Reply:
    kind = _type(app, request)
    quantity = request.number("quantity")
    request.flag("onlyInSequence")
    if quantity < 1:
        return Reply.message(400, "quantity must be at least 1")
    with app.mes.lock:
        taken = app.mes.serials.setdefault(kind["name"], [])
        start = len(taken) + 1
        rows = [
            {
                "serialNumber": f"{n:012X}",
                "refSN": request.param("refSN") or "",
                "refPN": request.param("refPN") or "",
                "taken": now_iso(),
                "station": request.param("stationName") or "",
            }
            for n in range(start, start + quantity)
        ]
        taken.extend(rows)
    return _render(rows, request.param("format") or "xml")


def _taken_rows(
    app: FakeWatsApp, request: Request, keep: Callable[[dict[str, Any]], bool]
) -> Reply:
    """The numbers of the request's type taken in its date range that ``keep`` accepts."""
    kind = _type(app, request)
    taken = app.mes.serials.get(kind["name"], [])
    return Reply.json([r for r in taken if keep(r) and _in_dates(r, request)])


@routes.get("/api/Production/SerialNumbers/ByRange")
async def serial_by_range(app: FakeWatsApp, request: Request) -> Reply:
    low, high = request.param("startAddress"), request.param("endAddress")
    if not low or not high:
        return Reply.message(400, "startAddress and endAddress are required")
    return _taken_rows(app, request, lambda r: low.upper() <= r["serialNumber"] <= high.upper())


@routes.get("/api/Production/SerialNumbers/ByReference")
async def serial_by_reference(app: FakeWatsApp, request: Request) -> Reply:
    ref_sn, ref_pn = request.param("refSN"), request.param("refPN")
    return _taken_rows(
        app,
        request,
        lambda r: (not ref_sn or r["refSN"] == ref_sn) and (not ref_pn or r["refPN"] == ref_pn),
    )


@routes.get("/api/Production/SerialNumbers")
async def serial_export(app: FakeWatsApp, request: Request) -> Reply:
    kind = _type(app, request)
    [fmt] = request.required("format")
    low, high = request.param("startAddress") or "", request.param("endAddress") or "F" * 12
    rows = [
        r
        for r in app.mes.serials.get(kind["name"], [])
        if low.upper() <= r["serialNumber"] <= high.upper() and _in_dates(r, request)
    ]
    return _render(rows, fmt)


@routes.put("/api/Production/SerialNumbers")
async def serial_upload(app: FakeWatsApp, request: Request) -> Reply:
    kind = _type(app, request)
    try:
        _, content = multipart_file(request.headers.get("content-type", ""), request.body)
    except ValueError as exc:
        return Reply.message(400, str(exc))
    numbers = [line.strip().split(",")[0] for line in content.decode().splitlines()]
    numbers = [n.upper() for n in numbers if n and n.lower() != "serialnumber"]
    with app.mes.lock:
        taken = app.mes.serials.setdefault(kind["name"], [])
        known = {r["serialNumber"] for r in taken}
        for number in numbers:
            if number not in known:
                row = {"serialNumber": number, "refSN": "", "refPN": "", "taken": now_iso()}
                taken.append({**row, "station": ""})
    return Reply.json({})
