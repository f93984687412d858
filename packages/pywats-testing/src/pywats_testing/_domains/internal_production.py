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

from .._framework import Reply, Request, RouteTable, bool_param
from .._mes import now_iso
from .production import PHASES, _required, _unit_or_404, attach_child
from .serials import MAC, _type

if TYPE_CHECKING:
    from .._app import FakeWatsApp

__all__ = ["routes"]

routes: RouteTable[FakeWatsApp] = RouteTable()

# A default installation has one site [inferred: sites are configured in the web UI].
SITES = [{"SiteId": 1, "Code": "DEFAULT", "Name": "Default site"}]


def _children(app: FakeWatsApp, parent: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        u
        for u in app.mes.units.values()
        if (u.get("parentSerialNumber") or "").lower() == parent["serialNumber"].lower()
    ]


def _tree(app: FakeWatsApp, unit: dict[str, Any]) -> dict[str, Any]:
    return {**unit, "children": [_tree(app, c) for c in _children(app, unit)]}


def _unit(app: FakeWatsApp, request: Request) -> dict[str, Any] | Reply:
    args = _required(request, "serialNumber", "partNumber")
    if isinstance(args, Reply):
        return args
    return _unit_or_404(app, args["serialNumber"], args["partNumber"])


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
    serial = request.param("serialNumber")
    if not serial:
        return Reply.message(400, "The request is invalid. serialNumber is required.")
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
    if isinstance(unit, Reply):
        return unit
    code = unit.get("processCode")
    process = next((p for p in app.state.processes if str(p.code) == str(code)), None)
    return Reply.json(
        {
            **unit,
            "unitPhase": PHASES.get(int(unit.get("unitPhaseId") or 1)),
            "processName": process.name if process else None,
            "childCount": len(_children(app, unit)),
        }
    )


@routes.get("/api/internal/Production/GetUnitHierarchy")
async def production_unit_hierarchy(app: FakeWatsApp, request: Request) -> Reply:
    unit = _unit(app, request)
    if isinstance(unit, Reply):
        return unit
    return Reply.json(_tree(app, unit))


@routes.get("/api/internal/Production/GetUnitStateHistory")
async def production_unit_state_history(app: FakeWatsApp, request: Request) -> Reply:
    unit = _unit(app, request)
    if isinstance(unit, Reply):
        return unit
    key = (unit["serialNumber"].lower(), unit["partNumber"].lower())
    return Reply.json(list(app.mes.unit_history.get(key, [])))


@routes.get("/api/internal/Production/GetUnitPhase")
async def production_unit_phase(app: FakeWatsApp, request: Request) -> Reply:
    unit = _unit(app, request)
    if isinstance(unit, Reply):
        return unit
    phase = int(unit.get("unitPhaseId") or 1)
    return Reply.json({"UnitPhaseId": phase, "Name": PHASES.get(phase)})


@routes.get("/api/internal/Production/GetUnitProcess")
async def production_unit_process(app: FakeWatsApp, request: Request) -> Reply:
    unit = _unit(app, request)
    if isinstance(unit, Reply):
        return unit
    code = unit.get("processCode")
    process = next((p for p in app.state.processes if str(p.code) == str(code)), None)
    if process is None:
        return Reply.json(None)
    return Reply.json({"Code": process.code, "Name": process.name, "ProcessID": process.guid()})


@routes.get("/api/internal/Production/GetUnitContents")
async def production_unit_contents(app: FakeWatsApp, request: Request) -> Reply:
    unit = _unit(app, request)
    if isinstance(unit, Reply):
        return unit
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
                for c in _children(app, unit)
            ],
        }
    )


@routes.post("/api/internal/Production/CreateUnit")
async def production_create_unit(app: FakeWatsApp, request: Request) -> Reply:
    args = _required(request, "serialNumber", "partNumber", "revision")
    if isinstance(args, Reply):
        return args
    try:
        phase = int(request.param("unitPhase") or 1)
    except ValueError:
        return Reply.message(400, "The request is invalid. unitPhase is a number.")
    if phase not in PHASES:
        return Reply.message(400, f"Unit phase {phase} does not exist")
    mes = app.mes
    with mes.lock:
        if mes.product(args["partNumber"]) is None:
            return Reply.message(400, f"Product '{args['partNumber']}' not found")
        key = (args["serialNumber"].lower(), args["partNumber"].lower())
        if key in mes.units:
            return Reply.message(409, f"Unit '{args['serialNumber']}' already exists")
        unit = {
            "serialNumber": args["serialNumber"],
            "partNumber": args["partNumber"],
            "revision": args["revision"],
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
    return bool_param(request.param(name), name) is not False


@routes.post("/api/internal/Production/AddChildUnit")
async def production_internal_add_child(app: FakeWatsApp, request: Request) -> Reply:
    args = _required(
        request,
        "serialNumber",
        "partNumber",
        "childSerialNumber",
        "childPartNumber",
        "checkPartNumber",
        "checkRevision",
        "cultureCode",
    )
    if isinstance(args, Reply):
        return args
    try:
        check_phase = bool_param(request.param("checkPhase"), "checkPhase")
        _check(request, "checkPartNumber")
        _check(request, "checkRevision")
    except ValueError as exc:
        return Reply.message(400, f"The request is invalid. {exc}")
    found = attach_child(
        app,
        (args["serialNumber"], args["partNumber"]),
        (args["childSerialNumber"], args["childPartNumber"]),
        refuse_scrapped=bool(check_phase),
    )
    return found if isinstance(found, Reply) else Reply.json(found)


def _detach(app: FakeWatsApp, children: list[dict[str, Any]]) -> None:
    for child in children:
        child["parentSerialNumber"] = None
        app.mes.record_unit_change(child)


@routes.post("/api/internal/Production/RemoveChildUnit")
async def production_internal_remove_child(app: FakeWatsApp, request: Request) -> Reply:
    wanted = (request.param("childSerialNumber"), request.param("childPartNumber"))
    with app.mes.lock:
        parent = _unit(app, request)
        if isinstance(parent, Reply):
            return parent
        found = [
            c
            for c in _children(app, parent)
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
        if isinstance(parent, Reply):
            return parent
        children = _children(app, parent)
        _detach(app, children)
    return Reply.json({"removed": len(children)})


@routes.get("/api/internal/Production/CheckChildUnits")
async def production_internal_check_children(app: FakeWatsApp, request: Request) -> Reply:
    args = _required(request, "CultureCode", "ParentSerialNumber", "ParentPartNumber")
    if isinstance(args, Reply):
        return args
    parent = _unit_or_404(app, args["ParentSerialNumber"], args["ParentPartNumber"])
    if isinstance(parent, Reply):
        return parent
    children = _children(app, parent)
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


def _range_args(request: Request, start: str, end: str) -> tuple[int, int] | Reply:
    try:
        return (
            _address(request.param(start), 1),
            _address(request.param(end), _LAST),
        )
    except ValueError:
        return Reply.message(400, "The request is invalid. Addresses are hexadecimal.")


def _taken(
    app: FakeWatsApp, request: Request, since: str, until: str
) -> list[dict[str, Any]] | Reply:
    """Taken numbers of the request's type between its addresses and dates."""
    kind = _type(app, request)
    if isinstance(kind, Reply):
        return kind
    bounds = _range_args(request, "startAddress", "endAddress")
    if isinstance(bounds, Reply):
        return bounds
    start, end = request.param(since) or "", request.param(until) or "\uffff"
    return [r for r in _in_range(app, kind["name"], *bounds) if start <= r["taken"] <= end]


@routes.get("/api/internal/Production/SerialNumbers")
async def production_find_serials(app: FakeWatsApp, request: Request) -> Reply:
    rows = _taken(app, request, "startDate", "endDate")
    return rows if isinstance(rows, Reply) else Reply.json(rows)


@routes.get("/api/internal/Production/SerialNumbers/Count")
async def production_count_serials(app: FakeWatsApp, request: Request) -> Reply:
    rows = _taken(app, request, "fromDate", "toDate")
    return rows if isinstance(rows, Reply) else Reply.json(len(rows))


def _ranges_body(request: Request) -> list[tuple[str, int, int]] | Reply:
    try:
        items = json.loads(request.body or b"[]")
        return [
            (
                str(item["type"]),
                _address(item.get("startAddress"), 1),
                _address(item.get("endAddress"), _LAST),
            )
            for item in items
        ]
    except (ValueError, KeyError, TypeError) as exc:
        return Reply.message(400, f"The request is invalid. Expected serial-number ranges: {exc}")


@routes.put("/api/internal/Production/SerialNumbers/Free")
async def production_free_serials(app: FakeWatsApp, request: Request) -> Reply:
    """Taken numbers not yet bound to a unit (no refSN) go back to the pool."""
    ranges = _ranges_body(request)
    if isinstance(ranges, Reply):
        return ranges
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
    if isinstance(ranges, Reply):
        return ranges
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
        kind = _type(app, request)
        if isinstance(kind, Reply):
            return kind
        return Reply.json(_stats(app, kind))
    return Reply.json([_stats(app, k) for k in [MAC, *app.mes.serial_types.values()]])
