"""WATS area App statistics, computed from the reports the fake holds: a unit's history
(``SerialNumberHistory``) and yield per product revision (``VolumeYield``).

The spec leaves both answers untyped. History rows use the field names of WATS's
``SnHistoryReport`` (internal spec); yield rows the names WATS's yield views use as
olreppe/pyWATS reads them (``unitCount fpCount spCount tpCount lpCount fpy spy tpy lpy``)
[inferred]. Yields are per cent of units, counting each unit's runs per process in
start order: first pass, within two runs, within three, and its last run.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING, Any

from .._framework import Reply, Request, RouteTable, json_object

if TYPE_CHECKING:
    from .._app import FakeWatsApp

__all__ = ["routes"]

routes: RouteTable[FakeWatsApp] = RouteTable()

_RESULT = {"P": "Passed", "F": "Failed", "E": "Error", "T": "Terminated"}


def _matching(app: FakeWatsApp, wanted: dict[str, Any]) -> list[dict[str, Any]]:
    """Stored reports matching the filter's fields this fake understands."""
    checks = {
        "sn": wanted.get("serialNumber"),
        "pn": wanted.get("partNumber"),
        "rev": wanted.get("revision"),
        "processCode": wanted.get("testOperation"),
    }
    out = []
    for stored in app.state.all_reports():
        doc = stored.document
        if any(
            v is not None and str(doc.get(k, "")).lower() != str(v).lower()
            for k, v in checks.items()
        ):
            continue
        start = str(doc.get("startUTC") or doc.get("start") or "")
        if wanted.get("dateFrom") and start < str(wanted["dateFrom"]):
            continue
        if wanted.get("dateTo") and start > str(wanted["dateTo"]):
            continue
        out.append(doc)
    out.sort(key=lambda d: str(d.get("startUTC") or d.get("start") or ""))
    return out


@routes.post("/api/App/SerialNumberHistory")
async def app_serial_number_history(app: FakeWatsApp, request: Request) -> Reply:
    wanted = json_object(request.body)
    if not wanted.get("serialNumber"):
        return Reply.message(400, "The filter needs a serialNumber")
    rows = [
        {
            "uuid": doc.get("id"),
            "serialNumber": doc.get("sn"),
            "partNumber": doc.get("pn"),
            "revision": doc.get("rev"),
            "reportType": doc.get("type"),
            "start": doc.get("start"),
            "startUtc": doc.get("startUTC"),
            "status": _RESULT.get(str(doc.get("result")), doc.get("result")),
            "process": doc.get("processName") or str(doc.get("processCode")),
            "stationName": doc.get("machineName"),
            "location": doc.get("location"),
            "purpose": doc.get("purpose"),
            "operator": (doc.get("uut") or doc.get("uur") or {}).get("user"),
        }
        for doc in _matching(app, wanted)
    ]
    return Reply.json(rows)


@routes.post("/api/App/VolumeYield")
async def app_volume_yield(app: FakeWatsApp, request: Request) -> Reply:
    wanted = json_object(request.body)
    runs: dict[tuple[str, str], dict[tuple[str, int], list[bool]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for doc in _matching(app, wanted):
        if doc.get("type") != "T":
            continue
        product = (str(doc.get("pn")), str(doc.get("rev")))
        unit = (str(doc.get("sn")).lower(), int(doc.get("processCode", 0)))
        runs[product][unit].append(doc.get("result") == "P")
    rows = []
    for (part_number, revision), units in sorted(runs.items()):
        count = len(units)
        counts = {
            "fpCount": sum(1 for r in units.values() if r[0]),
            "spCount": sum(1 for r in units.values() if any(r[:2])),
            "tpCount": sum(1 for r in units.values() if any(r[:3])),
            "lpCount": sum(1 for r in units.values() if r[-1]),
        }
        row: dict[str, Any] = {"partNumber": part_number, "revision": revision, "unitCount": count}
        row.update(counts)
        for name, value in counts.items():
            row[name[:2] + "y"] = round(100.0 * value / count, 2)
        stored = app.mes.product(part_number)
        if stored is not None:
            row["productName"] = stored.get("name")
        rows.append(row)
    return Reply.json(rows)
