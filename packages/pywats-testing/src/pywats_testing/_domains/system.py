"""WATS areas SystemManager and SystemStatus, and App's levels and product groups:
the registered clients (stations), the level hierarchy, the server's status.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from .._framework import Reply, Request, RouteTable, json_object, or_404

if TYPE_CHECKING:
    from .._app import FakeWatsApp
    from .._state import ClientRecord

__all__ = ["routes"]

routes: RouteTable[FakeWatsApp] = RouteTable()


def _client_view(app: FakeWatsApp, number: int, client: ClientRecord) -> dict[str, Any]:
    view = {
        "clientId": number,
        "identifier": client.identifier,
        "name": client.name,
        "location": client.location,
        "purpose": client.purpose,
        "description": client.description,
        "status": "Online",
        "pendingReports": 0,
    }
    view.update(app.mes.client_settings.get(client.identifier, {}))
    return view


def _clients(app: FakeWatsApp) -> list[dict[str, Any]]:
    ordered = sorted(app.state.clients.values(), key=lambda c: c.identifier)
    return [_client_view(app, n, c) for n, c in enumerate(ordered, start=1)]


@routes.get("/api/SystemManager/Clients")
async def system_clients(app: FakeWatsApp, request: Request) -> Reply:
    return Reply.json(_clients(app))


@routes.get("/api/SystemManager/Client")
async def system_client(app: FakeWatsApp, request: Request) -> Reply:
    name, identifier = request.param("name"), request.param("identifier")
    if not name and not identifier:
        return Reply.message(400, "Specify name or identifier")
    for client in _clients(app):
        if (identifier and client["identifier"].lower() == identifier.lower()) or (
            name and client["name"].lower() == name.lower()
        ):
            return Reply.json(client)
    return Reply.message(404, f"Client '{identifier or name}' not found")


@routes.put("/api/SystemManager/Client")
async def system_put_client(app: FakeWatsApp, request: Request) -> Reply:
    body = json_object(request.body)
    request.flag("moveWithHistory")
    target = or_404(
        next((c for c in _clients(app) if c["clientId"] == body.get("clientId")), None),
        f"Client {body.get('clientId')}",
    )
    changes = {
        k: v
        for k, v in body.items()
        if v is not None and k in ("displayName", "location", "purpose", "type", "clientGroupId")
    }
    app.mes.client_settings.setdefault(target["identifier"], {}).update(changes)
    return Reply.json({**target, **changes})


@routes.get("/api/SystemManager/ClientLog/{identifier}")
async def system_client_log(app: FakeWatsApp, request: Request) -> Reply:
    identifier = request.path_params["identifier"]
    if identifier not in app.state.clients:
        return Reply.message(404, f"Client '{identifier}' not found")
    return Reply.json({"identifier": identifier, "log": ""})


@routes.get("/api/SystemManager/Level")
async def system_level(app: FakeWatsApp, request: Request) -> Reply:
    """The leaf level's id, ``null`` when the hierarchy (topmost first) does not exist."""
    names = request.params("hierarchy")
    if not names or not all(names):
        return Reply.message(400, "hierarchy names the levels, topmost first")
    level = app.mes.levels.get(tuple(n.lower() for n in names))
    return Reply.json(None if level is None else level["levelId"])


@routes.post("/api/SystemManager/Level")
async def system_post_level(app: FakeWatsApp, request: Request) -> Reply:
    names = json.loads(request.body or b"[]")
    if not isinstance(names, list) or not names or not all(isinstance(n, str) and n for n in names):
        return Reply.message(400, "Expected a JSON array of level names, topmost first")
    with app.mes.lock:
        for depth in range(1, len(names) + 1):
            key = tuple(n.lower() for n in names[:depth])
            if key not in app.mes.levels:
                parent = app.mes.levels.get(key[:-1], {}).get("levelId")
                level = {"levelId": app.mes.next_number(), "name": names[depth - 1]}
                app.mes.levels[key] = {**level, "parentId": parent}
        return Reply.json(app.mes.levels[tuple(n.lower() for n in names)]["levelId"])


@routes.get("/api/App/Levels")
async def app_levels(app: FakeWatsApp, request: Request) -> Reply:
    return Reply.json(sorted(app.mes.levels.values(), key=lambda level: level["levelId"]))


@routes.get("/api/App/ProductGroups")
async def app_product_groups(app: FakeWatsApp, request: Request) -> Reply:
    with_filters = request.flag("includeFilters")
    groups: dict[str, list[dict[str, Any]]] = {}
    for entry in app.mes.group_filters:
        groups.setdefault(entry["productGroup"], []).append(entry)
    out = []
    for name, filters in sorted(groups.items()):
        group: dict[str, Any] = {"name": name}
        if with_filters:
            group["filters"] = filters
        out.append(group)
    return Reply.json(out)


@routes.get("/api/SystemStatus")
async def system_status(app: FakeWatsApp, request: Request) -> Reply:
    return Reply.json(
        {
            "Version": app.version,
            "ServerName": app.server_name,
            "Reports": str(len(app.state.all_reports())),
            "Clients": str(len(app.state.clients)),
        }
    )
