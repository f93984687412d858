"""WATS area Production: units (which need an existing product), phases and processes,
box build (child units), batches, the unit-change feed, unit verification from the
stored reports."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .._framework import Refusal, Reply, Request, RouteTable, json_objects, or_404
from .._mes import now_iso

if TYPE_CHECKING:
    from .._app import FakeWatsApp

__all__ = ["routes"]

routes: RouteTable[FakeWatsApp] = RouteTable()

# Unit phases of a default WATS installation (id -> name) [inferred from the WATS UI].
PHASES = {1: "Under production", 2: "Production queued", 4: "Finalized", 8: "Scrapped"}


def unit_or_404(app: FakeWatsApp, serial_number: str, part_number: str) -> dict[str, Any]:
    """The unit; a :class:`Refusal` (404) when there is none."""
    unit = app.mes.unit(serial_number, part_number)
    if unit is None:
        raise Refusal(404, f"Unit '{serial_number}' of product '{part_number}' not found")
    return unit


def children_of(app: FakeWatsApp, parent: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        u
        for u in app.mes.units.values()
        if (u.get("parentSerialNumber") or "").lower() == parent["serialNumber"].lower()
    ]


@routes.put("/api/Production/Units")
async def production_put_units(app: FakeWatsApp, request: Request) -> Reply:
    units = json_objects(request.body, "units")
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
    batches = json_objects(request.body, "batches")
    with app.mes.lock:
        for batch in batches:
            number = str(batch.get("batchNumber") or "")
            if not number:
                return Reply.message(400, "batchNumber is required")
            app.mes.batches[number.lower()] = dict(batch)
    return Reply.json({})


@routes.get("/api/Production/Unit/{serialNumber}/{partNumber}")
async def production_get_unit(app: FakeWatsApp, request: Request) -> Reply:
    found = unit_or_404(app, request.path_params["serialNumber"], request.path_params["partNumber"])
    return Reply.json({**found, "subUnits": children_of(app, found)})


@routes.put("/api/Production/SetUnitPhase")
async def production_set_phase(app: FakeWatsApp, request: Request) -> Reply:
    serial, part, raw = request.required("serialNumber", "partNumber", "phase")
    try:
        phase = int(raw)
    except ValueError:
        return Reply.message(400, f"The value '{raw}' is not valid for phase.")
    if phase not in PHASES:
        return Reply.message(400, f"Unit phase {phase} does not exist")
    with app.mes.lock:
        unit = unit_or_404(app, serial, part)
        unit.update(unitPhaseId=phase, unitPhase=PHASES[phase])
        app.mes.record_unit_change(unit)
    return Reply.json({})


@routes.put("/api/Production/SetUnitProcess")
async def production_set_process(app: FakeWatsApp, request: Request) -> Reply:
    serial, part, name = request.required("serialNumber", "partNumber", "processName")
    process = next((p for p in app.state.processes if p.name == name), None)
    if process is None:
        return Reply.message(400, f"Process '{name}' does not exist")
    with app.mes.lock:
        unit = unit_or_404(app, serial, part)
        unit["processCode"] = str(process.code)
    return Reply.json({})


@routes.post("/api/Production/AddChildUnit")
async def production_add_child(app: FakeWatsApp, request: Request) -> Reply:
    parent_sn, parent_pn, child_sn, child_pn, _, _ = request.required(
        "parentSerialNumber",
        "parentPartNumber",
        "childSerialNumber",
        "childPartNumber",
        "checkPartNumber",
        "checkRevision",
    )
    attach_child(app, (parent_sn, parent_pn), (child_sn, child_pn))
    return Reply.json({})


def attach_child(
    app: FakeWatsApp,
    parent_key: tuple[str, str],
    child_key: tuple[str, str],
    *,
    refuse_scrapped: bool = False,
) -> dict[str, Any]:
    """Put a unit (serial, part number) into a parent; the child, or a :class:`Refusal`.
    Shared with the internal AddChildUnit (``internal_production.py``)."""
    with app.mes.lock:
        parent = unit_or_404(app, *parent_key)
        child = unit_or_404(app, *child_key)
        if child.get("parentSerialNumber"):
            raise Refusal(400, f"Unit '{child['serialNumber']}' already has a parent")
        if refuse_scrapped and int(child.get("unitPhaseId") or 1) == 8:
            raise Refusal(400, f"Unit '{child['serialNumber']}' is scrapped")
        child["parentSerialNumber"] = parent["serialNumber"]
        app.mes.record_unit_change(child)
        return child


@routes.post("/api/Production/RemoveChildUnit")
async def production_remove_child(app: FakeWatsApp, request: Request) -> Reply:
    parent_sn, _, child_sn, child_pn = request.required(
        "parentSerialNumber", "parentPartNumber", "childSerialNumber", "childPartNumber"
    )
    with app.mes.lock:
        child = unit_or_404(app, child_sn, child_pn)
        if (child.get("parentSerialNumber") or "").lower() != parent_sn.lower():
            return Reply.message(400, "The unit is not a child of that parent")
        child["parentSerialNumber"] = None
        app.mes.record_unit_change(child)
    return Reply.json({})


@routes.get("/api/Production/CheckChildUnits")
async def production_check_children(app: FakeWatsApp, request: Request) -> Reply:
    parent = unit_or_404(app, *request.required("parentSerialNumber", "parentPartNumber"))
    children = [
        {"serialNumber": u["serialNumber"], "partNumber": u["partNumber"]}
        for u in children_of(app, parent)
    ]
    return Reply.json({"parentSerialNumber": parent["serialNumber"], "children": children})


@routes.get("/api/Production/UnitVerification")
async def production_unit_verification(app: FakeWatsApp, request: Request) -> Reply:
    [serial] = request.required("serialNumber")
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
    number = request.path_number("id")
    or_404(app.mes.unit_changes.pop(number, None), f"Unit change {number}")
    return Reply.json({})
