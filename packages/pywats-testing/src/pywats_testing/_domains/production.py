"""WATS area Production: units (which need an existing product), phases and processes,
box build (child units), batches, the unit-change feed, unit verification from the
stored reports."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .._framework import Reply, Request, RouteTable, json_objects
from .._mes import now_iso

if TYPE_CHECKING:
    from .._app import FakeWatsApp

__all__ = ["routes"]

routes: RouteTable[FakeWatsApp] = RouteTable()

# Unit phases of a default WATS installation (id -> name) [inferred from the WATS UI].
PHASES = {1: "Under production", 2: "Production queued", 4: "Finalized", 8: "Scrapped"}


def _required(request: Request, *names: str) -> dict[str, str] | Reply:
    values = {name: request.param(name) for name in names}
    missing = [name for name, value in values.items() if not value]
    if missing:
        return Reply.message(400, f"The request is invalid. {', '.join(missing)} is required.")
    return {name: str(value) for name, value in values.items()}


def _unit_or_404(app: FakeWatsApp, serial_number: str, part_number: str) -> dict[str, Any] | Reply:
    unit = app.mes.unit(serial_number, part_number)
    if unit is None:
        return Reply.message(404, f"Unit '{serial_number}' of product '{part_number}' not found")
    return unit


@routes.put("/api/Production/Units")
async def production_put_units(app: FakeWatsApp, request: Request) -> Reply:
    try:
        units = json_objects(request.body, "units")
    except ValueError as exc:
        return Reply.message(400, f"The request is invalid. {exc}")
    mes = app.mes
    with mes.lock:
        for unit in units:
            sn, pn = str(unit.get("serialNumber") or ""), str(unit.get("partNumber") or "")
            if not sn or not pn:
                return Reply.message(400, "serialNumber and partNumber are required")
            if mes.product(pn) is None:
                return Reply.message(400, f"Product '{pn}' not found")
        for unit in units:
            key = (unit["serialNumber"].lower(), unit["partNumber"].lower())
            stored = mes.units.get(key) or {"serialDate": now_iso(), "unitPhaseId": 1}
            stored.update({k: v for k, v in unit.items() if v is not None and k != "unitPhase"})
            stored["unitPhase"] = PHASES.get(int(stored.get("unitPhaseId") or 1), "Unknown")
            mes.units[key] = stored
            mes.record_unit_change(stored)
    return Reply.json({})


@routes.put("/api/Production/Batches")
async def production_put_batches(app: FakeWatsApp, request: Request) -> Reply:
    try:
        batches = json_objects(request.body, "batches")
    except ValueError as exc:
        return Reply.message(400, f"The request is invalid. {exc}")
    with app.mes.lock:
        for batch in batches:
            number = str(batch.get("batchNumber") or "")
            if not number:
                return Reply.message(400, "batchNumber is required")
            app.mes.batches[number.lower()] = dict(batch)
    return Reply.json({})


@routes.get("/api/Production/Unit/{serialNumber}/{partNumber}")
async def production_get_unit(app: FakeWatsApp, request: Request) -> Reply:
    found = _unit_or_404(
        app, request.path_params["serialNumber"], request.path_params["partNumber"]
    )
    if isinstance(found, Reply):
        return found
    children = [
        u
        for u in app.mes.units.values()
        if (u.get("parentSerialNumber") or "").lower() == found["serialNumber"].lower()
    ]
    return Reply.json({**found, "subUnits": children})


@routes.put("/api/Production/SetUnitPhase")
async def production_set_phase(app: FakeWatsApp, request: Request) -> Reply:
    args = _required(request, "serialNumber", "partNumber", "phase")
    if isinstance(args, Reply):
        return args
    try:
        phase = int(args["phase"])
    except ValueError:
        return Reply.message(400, f"The value '{args['phase']}' is not valid for phase.")
    if phase not in PHASES:
        return Reply.message(400, f"Unit phase {phase} does not exist")
    with app.mes.lock:
        unit = _unit_or_404(app, args["serialNumber"], args["partNumber"])
        if isinstance(unit, Reply):
            return unit
        unit.update(unitPhaseId=phase, unitPhase=PHASES[phase])
        app.mes.record_unit_change(unit)
    return Reply.json({})


@routes.put("/api/Production/SetUnitProcess")
async def production_set_process(app: FakeWatsApp, request: Request) -> Reply:
    args = _required(request, "serialNumber", "partNumber", "processName")
    if isinstance(args, Reply):
        return args
    process = next((p for p in app.state.processes if p.name == args["processName"]), None)
    if process is None:
        return Reply.message(400, f"Process '{args['processName']}' does not exist")
    with app.mes.lock:
        unit = _unit_or_404(app, args["serialNumber"], args["partNumber"])
        if isinstance(unit, Reply):
            return unit
        unit["processCode"] = str(process.code)
    return Reply.json({})


@routes.post("/api/Production/AddChildUnit")
async def production_add_child(app: FakeWatsApp, request: Request) -> Reply:
    args = _required(
        request,
        "parentSerialNumber",
        "parentPartNumber",
        "childSerialNumber",
        "childPartNumber",
        "checkPartNumber",
        "checkRevision",
    )
    if isinstance(args, Reply):
        return args
    with app.mes.lock:
        parent = _unit_or_404(app, args["parentSerialNumber"], args["parentPartNumber"])
        if isinstance(parent, Reply):
            return parent
        child = _unit_or_404(app, args["childSerialNumber"], args["childPartNumber"])
        if isinstance(child, Reply):
            return child
        if child.get("parentSerialNumber"):
            return Reply.message(400, f"Unit '{child['serialNumber']}' already has a parent")
        child["parentSerialNumber"] = parent["serialNumber"]
        app.mes.record_unit_change(child)
    return Reply.json({})


@routes.post("/api/Production/RemoveChildUnit")
async def production_remove_child(app: FakeWatsApp, request: Request) -> Reply:
    args = _required(
        request, "parentSerialNumber", "parentPartNumber", "childSerialNumber", "childPartNumber"
    )
    if isinstance(args, Reply):
        return args
    with app.mes.lock:
        child = _unit_or_404(app, args["childSerialNumber"], args["childPartNumber"])
        if isinstance(child, Reply):
            return child
        if (child.get("parentSerialNumber") or "").lower() != args["parentSerialNumber"].lower():
            return Reply.message(400, "The unit is not a child of that parent")
        child["parentSerialNumber"] = None
        app.mes.record_unit_change(child)
    return Reply.json({})


@routes.get("/api/Production/CheckChildUnits")
async def production_check_children(app: FakeWatsApp, request: Request) -> Reply:
    args = _required(request, "parentSerialNumber", "parentPartNumber")
    if isinstance(args, Reply):
        return args
    parent = _unit_or_404(app, args["parentSerialNumber"], args["parentPartNumber"])
    if isinstance(parent, Reply):
        return parent
    children = [
        {"serialNumber": u["serialNumber"], "partNumber": u["partNumber"]}
        for u in app.mes.units.values()
        if (u.get("parentSerialNumber") or "").lower() == parent["serialNumber"].lower()
    ]
    return Reply.json({"parentSerialNumber": parent["serialNumber"], "children": children})


@routes.get("/api/Production/UnitVerification")
async def production_unit_verification(app: FakeWatsApp, request: Request) -> Reply:
    serial = request.param("serialNumber")
    if not serial:
        return Reply.message(400, "The request is invalid. serialNumber is required.")
    part = (request.param("partNumber") or "").lower()
    runs: dict[int, list[dict[str, Any]]] = {}
    for stored in app.state.all_reports():
        doc = stored.document
        if doc.get("type") != "T" or str(doc.get("sn", "")).lower() != serial.lower():
            continue
        if part and str(doc.get("pn", "")).lower() != part:
            continue
        runs.setdefault(int(doc.get("processCode", 0)), []).append(doc)
    results = []
    for code, docs in sorted(runs.items()):
        docs.sort(key=lambda d: str(d.get("startUTC") or d.get("start") or ""))
        results.append(
            {
                "processCode": code,
                "processName": docs[-1].get("processName"),
                "status": "Passed" if docs[-1].get("result") == "P" else "Failed",
                "startUtc": docs[-1].get("startUTC"),
                "stationName": docs[-1].get("machineName"),
                "totalCount": len(docs),
                "nonPassedCount": sum(1 for d in docs if d.get("result") != "P"),
                "repairCount": 0,
            }
        )
    first = all(r["nonPassedCount"] == 0 for r in results)
    last = all(r["status"] == "Passed" for r in results)
    return Reply.json(
        {
            "status": "Passed" if results and last else "Failed" if results else "Unknown",
            "grade": "A" if results and first else "B" if results and last else "F",
            "allProcessesPassedFirstRun": bool(results) and first,
            "allProcessesPassedLastRun": bool(results) and last,
            "allProcessesPassedAnyRun": bool(results) and last,
            "noRepairs": True,
            "results": results,
        }
    )


@routes.get("/api/Production/Units/Changes")
async def production_unit_changes(app: FakeWatsApp, request: Request) -> Reply:
    raw = request.param("maxCount")
    if raw is None:
        return Reply.message(400, "The request is invalid. maxCount is required.")
    try:
        count = int(raw)
    except ValueError:
        return Reply.message(400, f"The value '{raw}' is not valid for maxCount.")
    with app.mes.lock:
        changes = [app.mes.unit_changes[k] for k in sorted(app.mes.unit_changes)][: max(count, 0)]
    return Reply.json(changes)


@routes.delete("/api/Production/Units/Changes/{id}")
async def production_delete_unit_change(app: FakeWatsApp, request: Request) -> Reply:
    try:
        number = int(request.path_params["id"])
    except ValueError:
        return Reply.message(400, "The change id is a number")
    if app.mes.unit_changes.pop(number, None) is None:
        return Reply.message(404, f"Unit change {number} not found")
    return Reply.json({})
