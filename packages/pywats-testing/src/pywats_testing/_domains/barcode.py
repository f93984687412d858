"""WATS area BarcodeIdentifiers: patterns (regular expressions) that pick serial number,
part number, revision ... out of a scanned code. ``IdentifyBarcode`` answers the first
identifier (by ``order``) whose pattern matches, its fields filled from the pattern's
named groups (``(?<serialNumber>...)``, .NET syntax accepted) [inferred]."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from .._framework import Reply, Request, RouteTable, json_object, or_404

if TYPE_CHECKING:
    from .._app import FakeWatsApp

__all__ = ["routes"]

routes: RouteTable[FakeWatsApp] = RouteTable()

_FIELDS = ("serialNumber", "partNumber", "revision", "batchNumber", "process")


def _compile(pattern: str) -> re.Pattern[str]:
    return re.compile(re.sub(r"\(\?<(?![=!])", "(?P<", pattern))  # .NET named groups


@routes.get("/api/BarcodeIdentifiers/BarcodeIdentifiers")
async def barcode_identifiers(app: FakeWatsApp, request: Request) -> Reply:
    ordered = sorted(app.mes.barcode_identifiers.values(), key=lambda b: b.get("order") or 0)
    return Reply.json(ordered)


@routes.put("/api/BarcodeIdentifiers/BarcodeIdentifier")
async def barcode_put(app: FakeWatsApp, request: Request) -> Reply:
    body = json_object(request.body, "pattern")
    try:
        _compile(str(body["pattern"]))
    except re.error as exc:
        return Reply.message(400, f"pattern is not a regular expression: {exc}")
    with app.mes.lock:
        number = int(body.get("id") or app.mes.next_number())
        stored = {**app.mes.barcode_identifiers.get(number, {}), **body, "id": number}
        app.mes.barcode_identifiers[number] = stored
    return Reply.json(stored)


@routes.delete("/api/BarcodeIdentifiers/BarcodeIdentifier/{id}")
async def barcode_delete(app: FakeWatsApp, request: Request) -> Reply:
    number = request.path_number("id")
    or_404(app.mes.barcode_identifiers.pop(number, None), f"Barcode identifier {number}")
    return Reply.json({})


@routes.get("/api/BarcodeIdentifiers/IdentifyBarcode")
async def barcode_identify(app: FakeWatsApp, request: Request) -> Reply:
    code = request.param("code")
    if not code:
        return Reply.message(400, "The request is invalid. code is required.")
    for identifier in sorted(
        app.mes.barcode_identifiers.values(), key=lambda b: b.get("order") or 0
    ):
        match = _compile(identifier["pattern"]).fullmatch(code)
        if match:
            found = {k: v for k, v in match.groupdict().items() if k in _FIELDS and v is not None}
            return Reply.json({**identifier, **found})
    return Reply.message(404, f"No barcode identifier matches '{code}'")
