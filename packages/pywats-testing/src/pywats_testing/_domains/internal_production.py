"""WATS area Production and Mes, internal routes (``/api/internal/Production/...``,
``/api/internal/Mes/...``): unit phases, sites, unit lookups, units made and assembled,
and the serial-number pools.

The same units, products and serial numbers as the public area (``production.py``,
``serials.py``); the internal routes spell the unit's key ``serialNumber``/``partNumber``
(``CheckChildUnits`` PascalCase), as the internal spec lists them.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from .._framework import Refusal, Reply, Request, RouteTable, refusing
from .._mes import now_iso
from .production import PHASES, attach_child, children_of, unit_or_404
from .serials import MAC, _type

if TYPE_CHECKING:
    from .._app import FakeWatsApp

__all__ = ["routes"]

routes: RouteTable[FakeWatsApp] = RouteTable()

# A default installation has one site [inferred: sites are configured in the web UI].
SITES = [{"SiteId": 1, "Code": "DEFAULT", "Name": "Default site"}]


def _tree(app: FakeWatsApp, unit: dict[str, Any]) -> dict[str, Any]:
    return {**unit, "children": [_tree(app, c) for c in children_of(app, unit)]}


def _unit(app: FakeWatsApp, request: Request) -> dict[str, Any]:
    return unit_or_404(app, *request.required("serialNumber", "partNumber"))


@routes.get("/api/internal/Mes/GetUnitPhases")
async def mes_unit_phases(app: FakeWatsApp, request: Request) -> Reply:
    return Reply.json(
        [
            {"UnitPhaseId": n, "Code": name.upper().replace(" ", "_"), "Name": name}
            for n, name in PHASES.items()
        ]
    )


@routes.get("/api/internal/Production/isConnected")
async def production_is_connected(app: FakeWatsApp, request: Request) -> Reply:
    return Reply.json(True)


@routes.get("/api/internal/Production/GetSites")
async def production_sites(app: FakeWatsApp, request: Request) -> Reply:
    return Reply.json(SITES)


@routes.get("/api/internal/Production/GetUnit")
async def production_internal_unit(app: FakeWatsApp, request: Request) -> Reply:
    [serial] = request.required("serialNumber")
    part = request.param("partNumber")
    found = [
        u
        for u in app.mes.units.values()
        if u["serialNumber"].lower() == serial.lower()
        and (not part or u["partNumber"].lower() == part.lower())
    ]
    if not found:
        return Reply.message(404, f"Unit '{serial}' not found")
    return Reply.json(found[0])


@routes.get("/api/internal/Production/GetUnitInfo")
async def production_unit_info(app: FakeWatsApp, request: Request) -> Reply:
    unit = _unit(app, request)
    code = unit.get("processCode")
    process = next((p for p in app.state.processes if str(p.code) == str(code)), None)
    return Reply.json(
        {
            **unit,
            "unitPhase": PHASES.get(int(unit.get("unitPhaseId") or 1)),
            "processName": process.name if process else None,
            "childCount": len(children_of(app, unit)),
        }
    )


@routes.get("/api/internal/Production/GetUnitHierarchy")
async def production_unit_hierarchy(app: FakeWatsApp, request: Request) -> Reply:
    unit = _unit(app, request)
    return Reply.json(_tree(app, unit))


@routes.get("/api/internal/Production/GetUnitStateHistory")
async def production_unit_state_history(app: FakeWatsApp, request: Request) -> Reply:
    unit = _unit(app, request)
    key = (unit["serialNumber"].lower(), unit["partNumber"].lower())
    return Reply.json(list(app.mes.unit_history.get(key, [])))


@routes.get("/api/internal/Production/GetUnitPhase")
async def production_unit_phase(app: FakeWatsApp, request: Request) -> Reply:
    unit = _unit(app, request)
    phase = int(unit.get("unitPhaseId") or 1)
    return Reply.json({"UnitPhaseId": phase, "Name": PHASES.get(phase)})


@routes.get("/api/internal/Production/GetUnitProcess")
async def production_unit_process(app: FakeWatsApp, request: Request) -> Reply:
    unit = _unit(app, request)
    code = unit.get("processCode")
    process = next((p for p in app.state.processes if str(p.code) == str(code)), None)
    if process is None:
        return Reply.json(None)
    return Reply.json({"Code": process.code, "Name": process.name, "ProcessID": process.guid()})


@routes.get("/api/internal/Production/GetUnitContents")
async def production_unit_contents(app: FakeWatsApp, request: Request) -> Reply:
    unit = _unit(app, request)
    revision = request.param("revision") or ""
    bom = app.mes.internal.get("bom", {}).get((unit["partNumber"].lower(), revision.lower()), [])
    return Reply.json(
        {
            "serialNumber": unit["serialNumber"],
            "partNumber": unit["partNumber"],
            "revision": revision,
            "bom": bom,
            "children": [
                {"serialNumber": c["serialNumber"], "partNumber": c["partNumber"]}
                for c in children_of(app, unit)
            ],
        }
    )


@routes.post("/api/internal/Production/CreateUnit")
async def production_create_unit(app: FakeWatsApp, request: Request) -> Reply:
    serial, part, revision = request.required("serialNumber", "partNumber", "revision")
    phase = request.number("unitPhase", default=1)
    if phase not in PHASES:
        return Reply.message(400, f"Unit phase {phase} does not exist")
    mes = app.mes
    with mes.lock:
        if mes.product(part) is None:
            return Reply.message(400, f"Product '{part}' not found")
        key = (serial.lower(), part.lower())
        if key in mes.units:
            return Reply.message(409, f"Unit '{serial}' already exists")
        unit = {
            "serialNumber": serial,
            "partNumber": part,
            "revision": revision,
            "batchNumber": request.param("batchNumber"),
            "serialDate": now_iso(),
            "unitPhaseId": phase,
            "unitPhase": PHASES[phase],
        }
        mes.units[key] = {k: v for k, v in unit.items() if v is not None}
        mes.record_unit_change(mes.units[key])
    return Reply.json(mes.units[key])


def _check(request: Request, name: str) -> bool:
    # checkPartNumber / checkRevision are strings in the internal spec; "true" or "false".
    return request.flag(name) is not False


@routes.post("/api/internal/Production/AddChildUnit")
async def production_internal_add_child(app: FakeWatsApp, request: Request) -> Reply:
    serial, part, child_serial, child_part, *_ = request.required(
        "serialNumber",
        "partNumber",
        "childSerialNumber",
        "childPartNumber",
        "checkPartNumber",
        "checkRevision",
        "cultureCode",
    )
    check_phase = request.flag("checkPhase")
    _check(request, "checkPartNumber")
    _check(request, "checkRevision")
    found = attach_child(
        app, (serial, part), (child_serial, child_part), refuse_scrapped=bool(check_phase)
    )
    return Reply.json(found)


def _detach(app: FakeWatsApp, children: list[dict[str, Any]]) -> None:
    for child in children:
        child["parentSerialNumber"] = None
        app.mes.record_unit_change(child)


@routes.post("/api/internal/Production/RemoveChildUnit")
async def production_internal_remove_child(app: FakeWatsApp, request: Request) -> Reply:
    wanted = (request.param("childSerialNumber"), request.param("childPartNumber"))
    with app.mes.lock:
        parent = _unit(app, request)
        found = [
            c
            for c in children_of(app, parent)
            if (c["serialNumber"].lower(), c["partNumber"].lower())
            == tuple(str(w).lower() for w in wanted)
        ]
        if not found:
            return Reply.message(400, f"Unit '{wanted[0]}' is not a child of that parent")
        _detach(app, found)
    return Reply.json(found[0])


@routes.post("/api/internal/Production/RemoveAllChildUnits")
async def production_remove_all_children(app: FakeWatsApp, request: Request) -> Reply:
    with app.mes.lock:
        parent = _unit(app, request)
        children = children_of(app, parent)
        _detach(app, children)
    return Reply.json({"removed": len(children)})


@routes.get("/api/internal/Production/CheckChildUnits")
async def production_internal_check_children(app: FakeWatsApp, request: Request) -> Reply:
    _, serial, part = request.required("CultureCode", "ParentSerialNumber", "ParentPartNumber")
    parent = unit_or_404(app, serial, part)
    children = children_of(app, parent)
    return Reply.json(
        {
            "parentSerialNumber": parent["serialNumber"],
            "children": [
                {"serialNumber": c["serialNumber"], "partNumber": c["partNumber"]} for c in children
            ],
            "complete": bool(children),
        }
    )


# -- serial-number pools ----------------------------------------------------------------
_LAST = 0xFFFFFFFFFFFF  # the MAC pool's last address


def _address(value: str | None, default: int) -> int:
    return default if not value else int(value, 16)


def _in_range(app: FakeWatsApp, kind: str, start: int, end: int) -> list[dict[str, Any]]:
    return [
        row for row in app.mes.serials.get(kind, []) if start <= int(row["serialNumber"], 16) <= end
    ]


def _taken(app: FakeWatsApp, request: Request, since: str, until: str) -> list[dict[str, Any]]:
    """Taken numbers of the request's type between its addresses and dates."""
    kind = _type(app, request)
    try:
        bounds = (
            _address(request.param("startAddress"), 1),
            _address(request.param("endAddress"), _LAST),
        )
    except ValueError:
        raise Refusal(400, "The request is invalid. Addresses are hexadecimal.") from None
    start, end = request.param(since) or "", request.param(until) or "\uffff"
    return [r for r in _in_range(app, kind["name"], *bounds) if start <= r["taken"] <= end]


@routes.get("/api/internal/Production/SerialNumbers")
async def production_find_serials(app: FakeWatsApp, request: Request) -> Reply:
    return Reply.json(_taken(app, request, "startDate", "endDate"))


@routes.get("/api/internal/Production/SerialNumbers/Count")
async def production_count_serials(app: FakeWatsApp, request: Request) -> Reply:
    return Reply.json(len(_taken(app, request, "fromDate", "toDate")))


def _ranges_body(request: Request) -> list[tuple[str, int, int]]:
    with refusing("Expected serial-number ranges: ", (ValueError, KeyError, TypeError)):
        items = json.loads(request.body or b"[]")
        return [
            (
                str(item["type"]),
                _address(item.get("startAddress"), 1),
                _address(item.get("endAddress"), _LAST),
            )
            for item in items
        ]


@routes.put("/api/internal/Production/SerialNumbers/Free")
async def production_free_serials(app: FakeWatsApp, request: Request) -> Reply:
    """Taken numbers not yet bound to a unit (no refSN) go back to the pool."""
    ranges = _ranges_body(request)
    freed = 0
    with app.mes.lock:
        for kind, start, end in ranges:
            rows = app.mes.serials.get(kind, [])
            keep = [
                r for r in rows if r.get("refSN") or not start <= int(r["serialNumber"], 16) <= end
            ]
            freed += len(rows) - len(keep)
            app.mes.serials[kind] = keep
    return Reply.json({"freed": freed})


@routes.delete("/api/internal/Production/SerialNumbers/Free")
async def production_delete_free_serials(app: FakeWatsApp, request: Request) -> Reply:
    """Free numbers in the ranges are removed from the pool (never handed out)."""
    ranges = _ranges_body(request)
    with app.mes.lock:
        deleted = app.mes.internal.setdefault("deleted_serials", {})
        for kind, start, end in ranges:
            deleted.setdefault(kind, []).append((start, end))
    return Reply.json({"deleted": len(ranges)})


def _stats(app: FakeWatsApp, kind: dict[str, Any]) -> dict[str, Any]:
    taken = app.mes.serials.get(kind["name"], [])
    gone = sum(
        e - s + 1 for s, e in app.mes.internal.get("deleted_serials", {}).get(kind["name"], [])
    )
    reserved = sum(1 for r in taken if not r.get("refSN"))
    return {
        "type": kind["name"],
        "identifier": kind.get("identifier"),
        "identifierName": kind.get("identifierName"),
        "startAddress": f"{1:012X}",
        "endAddress": f"{_LAST:012X}",
        "total": _LAST - gone,
        "taken": len(taken),
        "reserved": reserved,
        "free": _LAST - gone - len(taken),
    }


@routes.get("/api/internal/Production/SerialNumbers/Ranges")
async def production_serial_ranges(app: FakeWatsApp, request: Request) -> Reply:
    wanted = request.param("serialNumberType")
    kinds = [MAC, *app.mes.serial_types.values()]
    return Reply.json(
        [_stats(app, k) for k in kinds if not wanted or k["name"].lower() == wanted.lower()]
    )


@routes.get("/api/internal/Production/SerialNumbers/Statistics")
async def production_serial_statistics(app: FakeWatsApp, request: Request) -> Reply:
    wanted = request.param("serialNumberType")
    if wanted:
        return Reply.json(_stats(app, _type(app, request)))
    return Reply.json([_stats(app, k) for k in [MAC, *app.mes.serial_types.values()]])
