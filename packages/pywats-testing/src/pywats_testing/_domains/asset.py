"""WATS area Asset: assets and types, usage counts, calibration, maintenance, state, the
asset log. An asset is named by ``id`` or ``serialNumber`` (by id first, wats-facts §4.6)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .._framework import Refusal, Reply, Request, RouteTable, json_object, or_404
from .._mes import new_id, now_iso, odata_page
from .._odata import FieldType

if TYPE_CHECKING:
    from .._app import FakeWatsApp

__all__ = ["routes"]

routes: RouteTable[FakeWatsApp] = RouteTable()

# Asset log record types (the spec's description of GET /api/Asset/Log).
MESSAGE, REGISTER, UPDATE, RESET_COUNT, CALIBRATION, MAINTENANCE, STATE = range(7)

_ASSET_FIELDS: dict[str, FieldType] = {
    "assetId": "string",
    "serialNumber": "string",
    "assetName": "string",
    "partNumber": "string",
    "typeId": "guid",
    "state": "int",
    "location": "string",
    "parentAssetId": "string",
    "firstSeenDate": "datetime",
    "totalCount": "int",
    "runningCount": "int",
}
_LOG_FIELDS: dict[str, FieldType] = {
    "logId": "int",
    "assetId": "string",
    "serialNumber": "string",
    "date": "datetime",
    "type": "int",
}
_TYPE_FIELDS: dict[str, FieldType] = {
    "typeId": "guid",
    "typeName": "string",
    "calibrationInterval": "double",
    "maintenanceInterval": "double",
}


def _odata(
    request: Request,
    rows: list[dict[str, Any]],
    fields: dict[str, FieldType],
    order: tuple[str, bool],
) -> Reply:
    type_name = "Virinco.WATS.Web.Dashboard.Models.Mes.Asset.OData"
    page = odata_page(
        rows, request.query, fields, type_name=type_name, default_top=1000, order_by=order
    )
    return Reply.json(list(page))


def _find(app: FakeWatsApp, request: Request) -> dict[str, Any]:
    asset_id, serial = request.param("id"), request.param("serialNumber")
    if not asset_id and not serial:
        raise Refusal(400, "Specify the asset by id or serialNumber")
    found = app.mes.asset(asset_id, serial)
    if found is None:
        raise Refusal(404, f"Asset '{asset_id or serial}' not found")
    return found


@routes.get("/api/Asset/Log")
async def asset_log(app: FakeWatsApp, request: Request) -> Reply:
    return _odata(request, list(app.mes.asset_log), _LOG_FIELDS, ("date", True))


@routes.get("/api/Asset/Types")
async def asset_types(app: FakeWatsApp, request: Request) -> Reply:
    return _odata(request, list(app.mes.asset_types.values()), _TYPE_FIELDS, ("typeName", False))


@routes.put("/api/Asset/Types")
async def asset_put_type(app: FakeWatsApp, request: Request) -> Reply:
    body = json_object(request.body, "typeName")
    with app.mes.lock:
        type_id = str(body.get("typeId") or new_id()).lower()
        stored = app.mes.asset_types.get(type_id, {})
        stored.update({k: v for k, v in body.items() if v is not None}, typeId=type_id)
        app.mes.asset_types[type_id] = stored
    return Reply.json(stored)


@routes.get("/api/Asset/Status")
async def asset_status(app: FakeWatsApp, request: Request) -> Reply:
    found = _find(app, request)
    kind = app.mes.asset_types.get(str(found.get("typeId")).lower(), {})
    limit = kind.get("runningCountLimit")
    return Reply.json(
        {
            "assetId": found["assetId"],
            "serialNumber": found["serialNumber"],
            "state": found.get("state"),
            "runningCount": found.get("runningCount", 0),
            "runningCountLimit": limit,
            "runningCountExceeded": bool(limit) and found.get("runningCount", 0) > limit,
            "totalCount": found.get("totalCount", 0),
            "lastCalibrationDate": found.get("lastCalibrationDate"),
            "lastMaintenanceDate": found.get("lastMaintenanceDate"),
        }
    )


@routes.get("/api/Asset/SubAssets")
async def asset_sub_assets(app: FakeWatsApp, request: Request) -> Reply:
    found = _find(app, request)
    depth = request.number("level", default=1)
    out, parents = [], {found["assetId"]}
    for _ in range(max(depth, 1)):
        children = [a for a in app.mes.assets.values() if a.get("parentAssetId") in parents]
        out.extend(children)
        parents = {a["assetId"] for a in children}
    return Reply.json(out)


@routes.put("/api/Asset/Count")
async def asset_count(app: FakeWatsApp, request: Request) -> Reply:
    total, increment = request.optional_number("totalCount"), request.optional_number("incrementBy")
    children = request.flag("incrementChildren")
    if (total is None) == (increment is None):
        return Reply.message(400, "Specify totalCount or incrementBy")
    with app.mes.lock:
        found = _find(app, request)
        targets = [found]
        if children:
            targets += [
                a for a in app.mes.assets.values() if a.get("parentAssetId") == found["assetId"]
            ]
        for asset in targets:
            if total is not None:
                asset["totalCount"] = total
            else:
                assert increment is not None
                asset["totalCount"] = asset.get("totalCount", 0) + increment
                asset["runningCount"] = asset.get("runningCount", 0) + increment
            asset["lastSeenDate"] = now_iso()
    return Reply.json({})


@routes.post("/api/Asset/ResetRunningCount")
async def asset_reset_running(app: FakeWatsApp, request: Request) -> Reply:
    with app.mes.lock:
        found = _find(app, request)
        found["runningCount"] = 0
        app.mes.log_asset(found, RESET_COUNT, request.param("comment"))
    return Reply.json({})


async def _dated(app: FakeWatsApp, request: Request, field: str, kind: int) -> Reply:
    when = request.param("dateTime") or now_iso()
    with app.mes.lock:
        found = _find(app, request)
        found[field] = when
        if kind == CALIBRATION:
            # A calibration starts a new interval: the running count restarts [inferred
            # from runningCountLimit, "max count until next calibration"].
            found["runningCount"] = 0
        app.mes.log_asset(found, kind, request.param("comment"))
    return Reply.json({})


@routes.post("/api/Asset/Calibration")
async def asset_calibration(app: FakeWatsApp, request: Request) -> Reply:
    return await _dated(app, request, "lastCalibrationDate", CALIBRATION)


@routes.post("/api/Asset/Maintenance")
async def asset_maintenance(app: FakeWatsApp, request: Request) -> Reply:
    return await _dated(app, request, "lastMaintenanceDate", MAINTENANCE)


@routes.put("/api/Asset/State")
async def asset_state(app: FakeWatsApp, request: Request) -> Reply:
    state = request.optional_number("state")
    if state is None or not 0 <= state <= 6:
        return Reply.message(400, "state must be 0..6")
    with app.mes.lock:
        found = _find(app, request)
        found["state"] = state
        app.mes.log_asset(found, STATE, None, property="state", value=str(state))
    return Reply.json({})


@routes.post("/api/Asset/Message")
async def asset_message(app: FakeWatsApp, request: Request) -> Reply:
    body = json_object(request.body, "content")
    with app.mes.lock:
        found = _find(app, request)
        app.mes.log_asset(found, MESSAGE, str(body["content"]))
    return Reply.json({})


@routes.get("/api/Asset")
async def asset_list(app: FakeWatsApp, request: Request) -> Reply:
    return _odata(request, list(app.mes.assets.values()), _ASSET_FIELDS, ("assetId", False))


@routes.put("/api/Asset")
async def asset_put(app: FakeWatsApp, request: Request) -> Reply:
    body = json_object(request.body, "serialNumber", "typeId")
    serial, type_id = body["serialNumber"], str(body["typeId"]).lower()
    if type_id not in app.mes.asset_types:
        return Reply.message(400, f"Asset type '{type_id}' not found")
    with app.mes.lock:
        stored = app.mes.asset(body.get("assetId"), serial)
        created = stored is None
        if stored is None:
            stored = {
                "assetId": str(body.get("assetId") or app.mes.next_number()),
                "firstSeenDate": now_iso(),
                "totalCount": 0,
                "runningCount": 0,
                "state": 1,
            }
        # Counts and dates change only through their own calls (the spec's description).
        protected = {"runningCount", "totalCount", "lastCalibrationDate", "lastMaintenanceDate"}
        stored.update(
            {k: v for k, v in body.items() if v is not None and k not in protected | {"assetId"}}
        )
        stored["typeId"] = type_id
        if body.get("parentSerialNumber"):
            parent = app.mes.asset(None, body["parentSerialNumber"])
            if parent is None:
                return Reply.message(400, f"Parent asset '{body['parentSerialNumber']}' not found")
            stored["parentAssetId"] = parent["assetId"]
        app.mes.assets[stored["assetId"].lower()] = stored
        app.mes.log_asset(stored, REGISTER if created else UPDATE, None)
    return Reply.json(stored)


@routes.delete("/api/Asset")
async def asset_delete(app: FakeWatsApp, request: Request) -> Reply:
    with app.mes.lock:
        found = _find(app, request)
        del app.mes.assets[found["assetId"].lower()]
        app.mes.asset_log[:] = [r for r in app.mes.asset_log if r["assetId"] != found["assetId"]]
        for child in app.mes.assets.values():  # children move up to the grandparent
            if child.get("parentAssetId") == found["assetId"]:
                child["parentAssetId"] = found.get("parentAssetId")
                child["parentSerialNumber"] = found.get("parentSerialNumber")
    return Reply.json({})


@routes.get("/api/Asset/{assetId}")
async def asset_get(app: FakeWatsApp, request: Request) -> Reply:
    key = request.path_params["assetId"]
    found = or_404(app.mes.asset(key, key), f"Asset '{key}'")
    return Reply.json(found)
