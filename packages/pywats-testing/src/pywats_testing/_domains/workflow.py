"""WATS areas Workflow and Export: a unit's test start and end (which move the unit's
current process), and certificate exports that are ready at once (a zip of one text
certificate per matching report) [inferred: the real server renders PDFs in a job]."""

from __future__ import annotations

import io
import zipfile
from typing import TYPE_CHECKING

from .._framework import Reply, Request, RouteTable, json_object, or_404
from .._mes import now_iso
from .production import unit_or_404

if TYPE_CHECKING:
    from .._app import FakeWatsApp

__all__ = ["routes"]

routes: RouteTable[FakeWatsApp] = RouteTable()


async def _workflow(app: FakeWatsApp, request: Request, state: str) -> Reply:
    serial, part = request.param("serialNumber"), request.param("partNumber")
    if not serial or not part:
        return Reply.message(
            400, "The request is invalid. serialNumber and partNumber are required."
        )
    passed = request.flag("passed")
    with app.mes.lock:
        unit = unit_or_404(app, serial, part)
        unit["currentLocation"] = request.param("stationName") or unit.get("currentLocation")
        unit["testState"] = state if passed is None else ("Passed" if passed else "Failed")
    return Reply.json({"serialNumber": serial, "partNumber": part, "state": unit["testState"]})


@routes.get("/api/Workflow/StartTest")
async def workflow_start(app: FakeWatsApp, request: Request) -> Reply:
    return await _workflow(app, request, "Started")


@routes.get("/api/Workflow/EndTest")
async def workflow_end(app: FakeWatsApp, request: Request) -> Reply:
    return await _workflow(app, request, "Ended")


@routes.post("/api/Export/Certificate")
async def export_certificate(app: FakeWatsApp, request: Request) -> Reply:
    wanted = json_object(request.body)
    part, serial = wanted.get("partNumber"), wanted.get("serialNumber")
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zf:
        for stored in app.state.all_reports():
            doc = stored.document
            if (part and doc.get("pn") != part) or (serial and doc.get("sn") != serial):
                continue
            lines = [f"{k}: {doc.get(k)}" for k in ("id", "pn", "sn", "rev", "result", "start")]
            zf.writestr(f"{doc.get('sn')}-{stored.id}.txt", "\n".join(lines))
    with app.mes.lock:
        name = f"certificates-{app.mes.next_number()}.zip"
        app.mes.exports[name] = archive.getvalue()
    return Reply.json({"fileName": name, "queued": now_iso()})


@routes.get("/api/Export/List")
async def export_list(app: FakeWatsApp, request: Request) -> Reply:
    return Reply.json([{"fileName": n, "size": len(c)} for n, c in app.mes.exports.items()])


@routes.get("/api/Export/{fileName}")
async def export_file(app: FakeWatsApp, request: Request) -> Reply:
    content = or_404(
        app.mes.exports.get(request.path_params["fileName"]),
        f"Export '{request.path_params['fileName']}'",
    )
    return Reply(200, content, "application/zip")


@routes.get("/api/Report/Certificate/{id}")
async def report_certificate(app: FakeWatsApp, request: Request) -> Reply:
    stored = or_404(
        app.state.get_report(request.path_params["id"]), f"Report '{request.path_params['id']}'"
    )
    doc = stored.document
    lines = [f"{k}: {doc.get(k)}" for k in ("id", "pn", "sn", "rev", "result", "start")]
    return Reply(200, ("\n".join(["Test certificate", *lines]) + "\n").encode(), "text/plain")
