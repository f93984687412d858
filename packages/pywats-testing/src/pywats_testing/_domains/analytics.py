"""WATS area App statistics, computed from the reports the fake holds: a unit's history
(``SerialNumberHistory``), yield and volume per product revision (``VolumeYield``,
``WorstYield``, ``HighVolume`` and their product-group forms), report lists
(``UutReport``, ``UurReport``) and the most failed steps (``TopFailed``).

The spec leaves both answers untyped. History rows use the field names of WATS's
``SnHistoryReport`` (internal spec); yield rows the names WATS's yield views use as
olreppe/pyWATS reads them (``unitCount fpCount spCount tpCount lpCount fpy spy tpy lpy``)
[inferred]. Yields are per cent of units, counting each unit's runs per process in
start order: first pass, within two runs, within three, and its last run.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

from .._framework import Handler, Refusal, Reply, Request, RouteTable, int_field, json_object
from ._filter import RESULT, matching, unit_runs, yield_kpis

if TYPE_CHECKING:
    from .._app import FakeWatsApp

__all__ = ["routes"]

routes: RouteTable[FakeWatsApp] = RouteTable()


@routes.post("/api/App/SerialNumberHistory")
async def app_serial_number_history(app: FakeWatsApp, request: Request) -> Reply:
    wanted = json_object(request.body)
    if not wanted.get("serialNumber"):
        return Reply.message(400, "The filter needs a serialNumber")
    return Reply.json([_history_row(doc) for doc in matching(app, wanted)])


def _history_row(doc: dict[str, Any]) -> dict[str, Any]:
    return {
        "uuid": doc.get("id"),
        "serialNumber": doc.get("sn"),
        "partNumber": doc.get("pn"),
        "revision": doc.get("rev"),
        "reportType": doc.get("type"),
        "start": doc.get("start"),
        "startUtc": doc.get("startUTC"),
        "status": RESULT.get(str(doc.get("result")), doc.get("result")),
        "process": doc.get("processName") or str(doc.get("processCode")),
        "stationName": doc.get("machineName"),
        "location": doc.get("location"),
        "purpose": doc.get("purpose"),
        "operator": (doc.get("uut") or doc.get("uur") or {}).get("user"),
    }


def _yield_rows(app: FakeWatsApp, wanted: dict[str, Any]) -> list[dict[str, Any]]:
    products: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for doc in matching(app, wanted, kinds="T"):
        products[(str(doc.get("pn")), str(doc.get("rev")))].append(doc)
    rows = []
    for (part_number, revision), docs in sorted(products.items()):
        row: dict[str, Any] = {"partNumber": part_number, "revision": revision}
        row.update(yield_kpis(unit_runs(docs)))
        stored = app.mes.product(part_number)
        if stored is not None:
            row["productName"] = stored.get("name")
        rows.append(row)
    return rows


def _recent(request: Request) -> dict[str, Any]:
    """The filter of a GET statistic: its last ``days`` days; ``productGroupId`` must name
    a product group (``levelId`` is accepted and not applied) [inferred]."""
    days = request.number("days")
    if request.param("productGroupId") is None or request.param("levelId") is None:
        raise Refusal(400, "The request is invalid. productGroupId and levelId are required.")
    since = datetime.now(timezone.utc) - timedelta(days=days)
    return {
        "dateFrom": since.isoformat().replace("+00:00", "Z"),
        "_group": request.param("productGroupId"),
    }


def _in_group(
    app: FakeWatsApp, rows: list[dict[str, Any]], group: str | None
) -> list[dict[str, Any]]:
    if not group:
        return rows
    members = {f["partNumber"] for f in app.mes.group_filters if f["productGroup"] == group}
    return [r for r in rows if r["partNumber"] in members]


def _ranked(
    rows: list[dict[str, Any]], key: str, descending: bool, top: int
) -> list[dict[str, Any]]:
    return sorted(rows, key=lambda r: (r[key], r["partNumber"]), reverse=descending)[:top]


def _by_group(app: FakeWatsApp, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    groups: dict[str, dict[str, Any]] = {}
    for entry in app.mes.group_filters:
        for row in rows:
            if row["partNumber"] == entry["partNumber"] and not entry["exclude"]:
                total = groups.setdefault(
                    entry["productGroup"],
                    {"productGroup": entry["productGroup"], "unitCount": 0, "fpCount": 0},
                )
                total["unitCount"] += row["unitCount"]
                total["fpCount"] += row["fpCount"]
    for total in groups.values():
        total["fpy"] = round(100.0 * total["fpCount"] / total["unitCount"], 2)
    return list(groups.values())


@routes.post("/api/App/VolumeYield")
async def app_volume_yield(app: FakeWatsApp, request: Request) -> Reply:
    return Reply.json(_yield_rows(app, json_object(request.body)))


@routes.get("/api/App/VolumeYield")
async def app_volume_yield_recent(app: FakeWatsApp, request: Request) -> Reply:
    wanted = _recent(request)
    return Reply.json(_in_group(app, _yield_rows(app, wanted), wanted["_group"]))


def _ranking(key: str, descending: bool, method: str) -> Handler[FakeWatsApp]:
    """Product rows ranked by ``key``, the filter's ``topCount`` (default 10) of them. The
    POST form's filter is its body; the GET form's the last days of a product group."""

    async def handler(app: FakeWatsApp, request: Request) -> Reply:
        wanted = json_object(request.body) if method == "POST" else _recent(request)
        rows = _in_group(app, _yield_rows(app, wanted), wanted.get("_group"))
        return Reply.json(_ranked(rows, key, descending, (int_field(wanted, "topCount") or 10)))

    handler.__name__ = f"app_{key}_ranking_{method.lower()}"
    return handler


for _path, _key, _descending in (("WorstYield", "fpy", False), ("HighVolume", "unitCount", True)):
    for _method in ("POST", "GET"):
        routes.route(_method, f"/api/App/{_path}")(_ranking(_key, _descending, _method))


@routes.post("/api/App/WorstYieldByProductGroup")
async def app_worst_yield_by_group(app: FakeWatsApp, request: Request) -> Reply:
    rows = _by_group(app, _yield_rows(app, json_object(request.body)))
    return Reply.json(sorted(rows, key=lambda r: r["fpy"]))


@routes.post("/api/App/HighVolumeByProductGroup")
async def app_high_volume_by_group(app: FakeWatsApp, request: Request) -> Reply:
    rows = _by_group(app, _yield_rows(app, json_object(request.body)))
    return Reply.json(sorted(rows, key=lambda r: -r["unitCount"]))


def _headers(app: FakeWatsApp, wanted: dict[str, Any], kind: str, top: int) -> list[dict[str, Any]]:
    docs = matching(app, wanted, kinds=kind)
    return [_history_row(d) for d in reversed(docs)][:top]  # newest first


@routes.post("/api/App/UutReport")
async def app_uut_reports(app: FakeWatsApp, request: Request) -> Reply:
    wanted = json_object(request.body)
    return Reply.json(_headers(app, wanted, "T", (int_field(wanted, "topCount") or 1000)))


@routes.get("/api/App/UutReport")
async def app_uut_reports_recent(app: FakeWatsApp, request: Request) -> Reply:
    names = ("serialNumber", "partNumber", "revision", "testOperation", "dateFrom", "dateTo")
    wanted = {n: request.param(n) for n in names if request.param(n)}
    return Reply.json(_headers(app, wanted, "T", 1000))


@routes.post("/api/App/UurReport")
async def app_uur_reports(app: FakeWatsApp, request: Request) -> Reply:
    wanted = json_object(request.body)
    return Reply.json(_headers(app, wanted, "R", (int_field(wanted, "topCount") or 1000)))


def _failed_steps(doc: dict[str, Any]) -> list[str]:
    """Paths of the failed steps with no failed child (where the failure happened)."""
    out: list[str] = []

    def walk(step: dict[str, Any], path: str) -> bool:
        here = f"{path}/{step.get('name')}" if path else str(step.get("name"))
        children = [walk(child, here) for child in step.get("steps") or []]
        if step.get("status") == "F" and not any(children):
            out.append(here)
        return step.get("status") == "F"

    if isinstance(doc.get("root"), dict):
        walk(doc["root"], "")
    return out


def _top_failed(app: FakeWatsApp, wanted: dict[str, Any], top: int) -> list[dict[str, Any]]:
    counts: dict[str, int] = defaultdict(int)
    for doc in matching(app, wanted):
        for path in _failed_steps(doc):
            counts[path] += 1
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:top]
    return [
        {"stepPath": path, "stepName": path.rsplit("/", 1)[-1], "failCount": n}
        for path, n in ranked
    ]


@routes.post("/api/App/TopFailed")
async def app_top_failed(app: FakeWatsApp, request: Request) -> Reply:
    wanted = json_object(request.body)
    return Reply.json(_top_failed(app, wanted, (int_field(wanted, "topCount") or 10)))


@routes.get("/api/App/TopFailed")
async def app_top_failed_recent(app: FakeWatsApp, request: Request) -> Reply:
    wanted = _recent(request)
    count = request.number("count")
    wanted.update(
        partNumber=request.param("partNumber"), testOperation=request.param("processCode")
    )
    return Reply.json(_top_failed(app, wanted, count))
