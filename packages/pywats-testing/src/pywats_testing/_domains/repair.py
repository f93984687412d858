"""WATS area App, repaired failures: ``RelatedRepairHistory`` lists the failures recorded
in the stored repair (UUR) reports of a product revision, and :func:`failure_rows` gives
them to ``DynamicRepair``.

A row names the failure with the words of the spec's repair dimensions (``repairCategory
repairCode componentRef componentNumber componentRevision componentVendor
componentDescription functionBlock referencedStep referencedStepPath``) [inferred]; the
referenced step is looked up by id in the test report the repair refers to (``refUUT``)
when that report is stored, its path in the ``¶`` form of measurement paths.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .._framework import Reply, Request, RouteTable
from ._filter import matching, start_of
from ._steps import walk_steps

if TYPE_CHECKING:
    from .._app import FakeWatsApp

__all__ = ["failure_rows", "repair_fields", "routes"]

routes: RouteTable[FakeWatsApp] = RouteTable()

Json = dict[str, Any]


def _referenced(app: FakeWatsApp, doc: Json, failure: Json) -> tuple[Any, Any]:
    """The referenced step's name and path (path only when the test report is stored)."""
    ref = (doc.get("uur") or {}).get("refUUT")
    tested = app.state.get_report(str(ref)) if ref else None
    if tested is not None and failure.get("refStepId") is not None:
        for path, step in walk_steps(tested.document):
            if step.get("id") == failure["refStepId"]:
                return step.get("name"), path
    return failure.get("refStepName"), None


def _process_name(app: FakeWatsApp, code: Any) -> Any:
    return next((p.name for p in app.state.processes if str(p.code) == str(code)), None)


def repair_fields(app: FakeWatsApp, doc: Json) -> Json:
    """What a repair report says about itself, under the repair dimensions' names."""
    uur = doc.get("uur") or {}
    return {
        "repairReportId": doc.get("id"),
        "serialNumber": doc.get("sn"),
        "partNumber": doc.get("pn"),
        "revision": doc.get("rev"),
        "productName": doc.get("productName"),
        "repairDate": start_of(doc).isoformat().replace("+00:00", "Z"),
        "repairOperation": doc.get("processName") or _process_name(app, doc.get("processCode")),
        "repairOperationCode": doc.get("processCode"),
        "testOperation": uur.get("processName") or _process_name(app, uur.get("processCode")),
        "testOperationCode": uur.get("processCode"),
        "testReportId": uur.get("refUUT"),
        "stationName": doc.get("machineName"),
        "location": doc.get("location"),
        "purpose": doc.get("purpose"),
        "operator": uur.get("user"),
    }


def failure_rows(app: FakeWatsApp, doc: Json) -> list[Json]:
    """One row per failure of a repair report (none for a repair without failures)."""
    report = repair_fields(app, doc)
    rows = []
    for unit in doc.get("subUnits") or ():
        for failure in (unit.get("failures") or ()) if isinstance(unit, dict) else ():
            if not isinstance(failure, dict):
                continue
            step, path = _referenced(app, doc, failure)
            rows.append(
                {
                    **report,
                    "unitSerialNumber": unit.get("sn"),
                    "unitPartNumber": unit.get("pn"),
                    "repairCategory": failure.get("category"),
                    "repairCode": failure.get("code"),
                    "componentRef": failure.get("comRef"),
                    "componentNumber": failure.get("artNumber"),
                    "componentRevision": failure.get("artRev"),
                    "componentVendor": failure.get("artVendor"),
                    "componentDescription": failure.get("artDescription"),
                    "functionBlock": failure.get("funcBlock"),
                    "referencedStep": step,
                    "referencedStepPath": path,
                    "comment": failure.get("comment"),
                }
            )
    return rows


@routes.get("/api/App/RelatedRepairHistory")
async def app_related_repair_history(app: FakeWatsApp, request: Request) -> Reply:
    part_number, revision = request.param("partNumber"), request.param("revision")
    if not part_number or not revision:
        return Reply.message(400, "The request is invalid. partNumber and revision are required.")
    repair_code = request.param("repairOperationCode")
    test_code = request.param("testOperationCode")
    rows = []
    for doc in reversed(matching(app, {"partNumber": part_number, "revision": revision}, "R")):
        uur = doc.get("uur") or {}
        if repair_code and str(doc.get("processCode")) != repair_code.strip():
            continue
        if test_code and str(uur.get("processCode")) != test_code.strip():
            continue
        rows.extend(failure_rows(app, doc))
    return Reply.json(rows)  # newest repair first
