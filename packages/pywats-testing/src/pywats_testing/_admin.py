"""The fake's own admin API under ``/_fake/``: inspect what it saw, arm faults, steer it.

Admin routes need no credentials and are not counted; a malformed admin request gets a
400 that names the problem (see ``FakeWatsApp``).
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from ._domains import API_ROUTES
from ._faults import Fault
from ._framework import Reply, Request, RouteTable, json_object
from ._state import StoredReport

if TYPE_CHECKING:
    from ._app import FakeWatsApp

__all__ = ["ADMIN_PREFIX", "routes"]

ADMIN_PREFIX = "/_fake"

routes: RouteTable[FakeWatsApp] = RouteTable(auth="none")


@routes.get("/_fake/routes")
async def admin_routes(app: FakeWatsApp, request: Request) -> Reply:
    return Reply.json([{"method": r.method, "path": r.template} for r in API_ROUTES])


@routes.get("/_fake/stats")
async def admin_stats(app: FakeWatsApp, request: Request) -> Reply:
    counts = dict(app.state.route_counts)
    return Reply.json(
        {
            "requests": [
                {
                    "method": r.method,
                    "path": r.template,
                    "count": counts.get((r.method, r.template), 0),
                }
                for r in API_ROUTES
            ],
            "reports": len(app.state.all_reports()),
            "outage_connections": app.outages.outage_connections(),
        }
    )


@routes.get("/_fake/reports")
async def admin_reports(app: FakeWatsApp, request: Request) -> Reply:
    return Reply.json([_report_summary(r) for r in app.state.all_reports()])


@routes.get("/_fake/reports/{id}")
async def admin_report(app: FakeWatsApp, request: Request) -> Reply:
    stored = app.state.get_report(request.path_params["id"])
    if stored is None:
        return Reply.message(404, "no such report")
    return Reply.json({**_report_summary(stored), "document": stored.document})


@routes.get("/_fake/faults")
async def admin_faults(app: FakeWatsApp, request: Request) -> Reply:
    return Reply.json([f.to_json() for f in app.faults.active()])


@routes.post("/_fake/faults")
async def admin_add_fault(app: FakeWatsApp, request: Request) -> Reply:
    fault = app.faults.add(Fault.from_json(json_object(request.body)))
    return Reply.json(fault.to_json(), 201)


@routes.delete("/_fake/faults")
async def admin_clear_faults(app: FakeWatsApp, request: Request) -> Reply:
    app.faults.clear()
    return Reply(204)


@routes.delete("/_fake/faults/{id}")
async def admin_remove_fault(app: FakeWatsApp, request: Request) -> Reply:
    removed = app.faults.remove(int(request.path_params["id"]))
    return Reply(204) if removed else Reply.message(404, "no such fault")


@routes.post("/_fake/outage")
async def admin_outage(app: FakeWatsApp, request: Request) -> Reply:
    data = json_object(request.body)
    seconds = data.get("seconds")
    mode = data.get("mode", "refuse")
    if not isinstance(seconds, (int, float)) or seconds <= 0:
        raise ValueError("an outage over HTTP needs 'seconds' > 0 (nothing answers during it)")
    if mode not in ("refuse", "reset"):
        raise ValueError("mode must be 'refuse' or 'reset'")
    # Answer first, then go down: the caller deserves to know the outage started.
    asyncio.get_running_loop().call_later(
        0.05,
        lambda: asyncio.ensure_future(app.outages.begin_outage(mode, float(seconds))),
    )
    return Reply.json({"mode": mode, "seconds": seconds}, 202)


@routes.post("/_fake/credentials/expire")
async def admin_expire(app: FakeWatsApp, request: Request) -> Reply:
    app.state.expire_credential(str(json_object(request.body)["credential"]))
    return Reply(204)


@routes.post("/_fake/credentials/restore")
async def admin_restore(app: FakeWatsApp, request: Request) -> Reply:
    app.state.restore_credential(str(json_object(request.body)["credential"]))
    return Reply(204)


@routes.post("/_fake/tokens")
async def admin_add_token(app: FakeWatsApp, request: Request) -> Reply:
    data = json_object(request.body)
    app.state.add_token(str(data["token"]), registration=bool(data.get("registration")))
    return Reply(204)


@routes.put("/_fake/rate-limit")
async def admin_rate_limit(app: FakeWatsApp, request: Request) -> Reply:
    data = json_object(request.body)
    requests = data.get("requests")
    app.state.set_rate_limit(
        None if requests is None else int(requests), float(data.get("per_seconds", 60.0))
    )
    return Reply(204)


@routes.post("/_fake/release")
async def admin_release(app: FakeWatsApp, request: Request) -> Reply:
    app.release_hung()
    return Reply(204)


@routes.post("/_fake/clear")
async def admin_clear(app: FakeWatsApp, request: Request) -> Reply:
    app.state.clear()
    app.faults.clear()
    return Reply(204)


def _report_summary(stored: StoredReport) -> dict[str, Any]:
    doc = stored.document
    return {
        "id": stored.id,
        "type": doc.get("type"),
        "sn": doc.get("sn"),
        "pn": doc.get("pn"),
        "format": stored.source_format,
        "origin": stored.origin,
        "commits": stored.commits,
        "replays": stored.replays,
    }
