"""WATS areas UnitFlow, App and Trigger, internal routes: the unit flow (how units move
between operations), step and measurement lists, top failed steps, and the alarm log.
Step paths join names with ``¶``, as the public statistics do (``_steps.py``).

All of it is computed from the stored reports, like the public statistics
(``analytics.py``): a filter picks reports by serial, part number, revision, test
operation and dates. Step and sequence filters (XML in WATS) are not interpreted: every
step counts [inferred; no example of their format is public].
"""

from __future__ import annotations

import itertools
import json
from collections import defaultdict
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .._framework import Handler, Reply, Request, RouteTable, int_field, json_object, refusing
from ._filter import filter_param, matching
from ._steps import walk_steps
from .analytics import _top_failed, app_top_failed

if TYPE_CHECKING:
    from .._app import FakeWatsApp

__all__ = ["routes"]

routes: RouteTable[FakeWatsApp] = RouteTable()

Json = dict[str, Any]


def _flow(app: FakeWatsApp, wanted: dict[str, Any], split_by: str | None = None) -> dict[str, Any]:
    """Nodes (operations, optionally split by a report field), links (a unit's move from
    one node to the next, in test order) and units, from the matching UUT reports."""
    docs = matching(app, wanted, kinds=("T",))
    node_ids: dict[str, int] = {}
    nodes: dict[int, dict[str, Any]] = {}
    unit_ids: dict[tuple[str, str], int] = {}
    paths: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for doc in docs:
        label = str(doc.get("processName") or doc.get("processCode"))
        if split_by:
            label += f" / {doc.get(split_by, '')}"
        node = node_ids.setdefault(label, len(node_ids) + 1)
        row = nodes.setdefault(
            node,
            {
                "id": node,
                "name": label,
                "processCode": doc.get("processCode"),
                "unitCount": 0,
                "passCount": 0,
                "failCount": 0,
            },
        )
        row["unitCount"] += 1
        row["passCount" if doc.get("result") == "P" else "failCount"] += 1
        unit = unit_ids.setdefault((str(doc["sn"]), str(doc["pn"])), len(unit_ids) + 1)
        paths[unit].append((node, str(doc.get("result"))))
    links: dict[tuple[int, int], dict[str, Any]] = {}
    units = []
    for (sn, pn), unit in unit_ids.items():
        path = paths[unit]
        for (source, _), (target, _) in itertools.pairwise(path):
            link = links.setdefault(
                (source, target), {"sourceId": source, "targetId": target, "unitCount": 0}
            )
            link["unitCount"] += 1
        results = [result for _, result in path]
        units.append(
            {
                "unitId": unit,
                "serialNumber": sn,
                "partNumber": pn,
                "source": path[0][0],
                "target": path[-1][0],
                "hasPassed": "P" in results,
                "hasFailed": "F" in results,
                "hasRetest": len(results) > len({n for n, _ in path}),
            }
        )
    return {"nodes": list(nodes.values()), "links": list(links.values()), "units": units}


@routes.post("/api/internal/UnitFlow")
async def unit_flow(app: FakeWatsApp, request: Request) -> Reply:
    return Reply.json(_flow(app, json_object(request.body)))


def _flow_part(part: str) -> Handler[FakeWatsApp]:
    async def handler(app: FakeWatsApp, request: Request) -> Reply:
        return Reply.json(_flow(app, filter_param(request))[part])

    handler.__name__ = f"unit_flow_{part}"
    return handler


routes.get("/api/internal/UnitFlow/Nodes")(_flow_part("nodes"))
routes.get("/api/internal/UnitFlow/Links")(_flow_part("links"))
routes.get("/api/internal/UnitFlow/Units")(_flow_part("units"))


@routes.post("/api/internal/UnitFlow/SN")
async def unit_flow_serial_numbers(app: FakeWatsApp, request: Request) -> Reply:
    with refusing("Expected unit ids: ", (ValueError, TypeError)):
        wanted = {int(i) for i in json.loads(request.body or b"[]")}
    units = _flow(app, {})["units"]
    return Reply.json([u["serialNumber"] for u in units if u["unitId"] in wanted])


@routes.post("/api/internal/UnitFlow/SplitBy")
async def unit_flow_split_by(app: FakeWatsApp, request: Request) -> Reply:
    wanted = json_object(request.body)
    dimension = str(wanted.pop("splitBy", "") or "")
    if not dimension:
        return Reply.message(400, "The request is invalid. splitBy is required.")
    return Reply.json(_flow(app, wanted, split_by=dimension))


@routes.post("/api/internal/UnitFlow/UnitOrder")
async def unit_flow_order(app: FakeWatsApp, request: Request) -> Reply:
    with refusing("Expected units: ", (ValueError, TypeError, AttributeError)):
        units = json.loads(request.body or b"[]")
        ordered = sorted(units, key=lambda u: (u.get("source") or 0, u.get("unitId") or 0))
    return Reply.json([{**u, "orders": [n]} for n, u in enumerate(ordered)])


# -- App: step and measurement lists, top failed ---------------------------------------
def _measurements(app: FakeWatsApp, wanted: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for doc in matching(app, wanted):
        for path, step in walk_steps(doc):
            for meas in step.get("numericMeas") or []:
                rows.append(
                    {
                        "serialNumber": doc.get("sn"),
                        "partNumber": doc.get("pn"),
                        "stepPath": path,
                        "measurementName": meas.get("name") or step.get("name"),
                        "value": meas.get("value"),
                        "status": meas.get("status"),
                        "lowLimit": meas.get("lowLimit"),
                        "highLimit": meas.get("highLimit"),
                    }
                )
    return rows


def _step_status(app: FakeWatsApp, wanted: dict[str, Any]) -> list[dict[str, Any]]:
    counts: dict[str, dict[str, Any]] = {}
    for doc in matching(app, wanted):
        for path, step in walk_steps(doc):
            row = counts.setdefault(
                path,
                {
                    "stepPath": path,
                    "stepName": step.get("name"),
                    "passed": 0,
                    "failed": 0,
                    "other": 0,
                },
            )
            status = step.get("status")
            row["passed" if status == "P" else "failed" if status == "F" else "other"] += 1
    return list(counts.values())


def _step_list(
    rows: Callable[[FakeWatsApp, Json], list[Json]], method: str
) -> Handler[FakeWatsApp]:
    """A step or measurement list: the GET form over every report, the POST form over the
    reports its body's filter picks. Both need the step and sequence filters (XML in WATS,
    not interpreted here)."""

    async def handler(app: FakeWatsApp, request: Request) -> Reply:
        request.required("stepFilters", "sequenceFilters")
        wanted = json_object(request.body) if method == "POST" else {}
        return Reply.json(rows(app, wanted))

    handler.__name__ = f"app{rows.__name__}_{method.lower()}"
    return handler


for _path, _rows in (("MeasurementList", _measurements), ("StepStatusList", _step_status)):
    for _method in ("GET", "POST"):
        routes.route(_method, f"/api/internal/App/{_path}")(_step_list(_rows, _method))


@routes.get("/api/internal/App/TopFailed")
async def app_internal_top_failed(app: FakeWatsApp, request: Request) -> Reply:
    count = request.number("count")
    wanted = {
        "partNumber": request.param("partNumber"),
        "testOperation": request.param("processCode"),
    }
    return Reply.json(_top_failed(app, wanted, count))


# The POST form is the public one's (a filter in the body).
routes.route("POST", "/api/internal/App/TopFailed", name="app_internal_top_failed_filter")(
    app_top_failed
)


# -- Trigger: alarms -------------------------------------------------------------------
@routes.post("/api/internal/Trigger/GetAlarmAndNotificationLogs")
async def trigger_alarm_logs(app: FakeWatsApp, request: Request) -> Reply:
    """A report alarm (type 1) for every failed UUT report the filter picks [inferred:
    the fake has one alarm rule, "a unit failed"]."""
    wanted = json_object(request.body)
    rows = [
        {
            "type": 1,
            "name": "Unit failed",
            "serialNumber": doc.get("sn"),
            "partNumber": doc.get("pn"),
            "processCode": doc.get("processCode"),
            "reportId": doc.get("id"),
            "date": doc.get("startUTC") or doc.get("start"),
        }
        for doc in matching(app, wanted)
        if doc.get("type", "T") == "T" and doc.get("result") == "F"
    ]
    top = int_field(wanted, "topCount")
    return Reply.json(rows[:top] if top else rows)
