"""WATS area SCIM: user provisioning (SCIM 2.0 ``/api/SCIM/v2``), with ``startIndex``/
``count`` paging, ``userName eq "..."`` filters and PATCH ``replace`` (the only operation
WATS supports, wats-facts §4.8)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from .._framework import Reply, Request, RouteTable, json_object, or_404
from .._mes import new_id

if TYPE_CHECKING:
    from .._app import FakeWatsApp

__all__ = ["routes"]

routes: RouteTable[FakeWatsApp] = RouteTable()

LIST = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
ERROR = "urn:ietf:params:scim:api:messages:2.0:Error"
_FILTER = re.compile(r'^\s*(\w+)\s+eq\s+"([^"]*)"\s*$', re.IGNORECASE)


def _error(status: int, detail: str) -> Reply:
    return Reply.json({"schemas": [ERROR], "status": str(status), "detail": detail}, status)


def _by_name(app: FakeWatsApp, user_name: str) -> dict[str, Any] | None:
    return next(
        (u for u in app.mes.scim_users.values() if u["userName"].lower() == user_name.lower()),
        None,
    )


@routes.get("/api/SCIM/v2/Users")
async def scim_users(app: FakeWatsApp, request: Request) -> Reply:
    users = sorted(app.mes.scim_users.values(), key=lambda u: u["userName"].lower())
    text = request.param("filter")
    if text:
        match = _FILTER.match(text)
        if match is None:
            return _error(400, f"Unsupported filter: {text}")
        name, value = match.groups()
        users = [u for u in users if str(u.get(name, "")).lower() == value.lower()]
    try:
        start = max(int(request.param("startIndex") or 1), 1)
        count = max(int(request.param("count") or 100), 0)
    except ValueError:
        return _error(400, "startIndex and count are numbers")
    page = users[start - 1 : start - 1 + count]
    return Reply.json(
        {
            "schemas": [LIST],
            "totalResults": len(users),
            "startIndex": start,
            "itemsPerPage": len(page),
            "Resources": page,
        }
    )


@routes.post("/api/SCIM/v2/Users")
async def scim_create_user(app: FakeWatsApp, request: Request) -> Reply:
    body = json_object(request.body)
    user_name = str(body.get("userName") or "")
    if not user_name:
        return _error(400, "userName is required")
    with app.mes.lock:
        if _by_name(app, user_name) is not None:
            return _error(409, f"User '{user_name}' exists")
        user = {**body, "id": new_id(), "userName": user_name, "active": body.get("active", True)}
        app.mes.scim_users[user["id"]] = user
    return Reply.json(user)  # the spec documents 200 only


@routes.get("/api/SCIM/v2/Users/userName={userName}")
async def scim_user_by_name(app: FakeWatsApp, request: Request) -> Reply:
    user = _by_name(app, request.path_params["userName"])
    return _error(404, "User not found") if user is None else Reply.json(user)


@routes.get("/api/SCIM/v2/Users/{id}")
async def scim_user(app: FakeWatsApp, request: Request) -> Reply:
    user = app.mes.scim_users.get(request.path_params["id"])
    return _error(404, "User not found") if user is None else Reply.json(user)


@routes.route("PATCH", "/api/SCIM/v2/Users/{id}")
async def scim_patch_user(app: FakeWatsApp, request: Request) -> Reply:
    body = json_object(request.body)
    with app.mes.lock:
        user = app.mes.scim_users.get(request.path_params["id"])
        if user is None:
            return _error(404, "User not found")
        for op in body.get("Operations") or []:
            if str(op.get("op", "")).lower() != "replace":
                return _error(400, f"Unsupported PATCH operation: {op.get('op')}")
            if op.get("path"):
                user[op["path"]] = op.get("value")
            elif isinstance(op.get("value"), dict):
                user.update(op["value"])
    return Reply.json(user)


@routes.delete("/api/SCIM/v2/Users/{id}")
async def scim_delete_user(app: FakeWatsApp, request: Request) -> Reply:
    if app.mes.scim_users.pop(request.path_params["id"], None) is None:
        return _error(404, "User not found")
    return Reply.json({})  # the spec documents 200 with a body only


@routes.get("/api/SCIM/v2/Token")
async def scim_token(app: FakeWatsApp, request: Request) -> Reply:
    try:
        days = int(request.param("duration") or 90)
    except ValueError:
        return _error(400, "duration is a number of days")
    return Reply.json({"token": app.state.new_secret(), "expiresInDays": days})


@routes.get("/api/App/CommonUserSettings")
async def app_common_user_settings(app: FakeWatsApp, request: Request) -> Reply:
    user = or_404(
        _by_name(app, request.param("UserName") or ""), f"User '{request.param('UserName')}'"
    )
    emails = user.get("emails") or []
    return Reply.json(
        {
            "fullName": user.get("displayName") or user["userName"],
            "email": emails[0].get("value") if emails and isinstance(emails[0], dict) else None,
            "cultureCode": user.get("locale") or "en-US",
            "roles": [],
            "levels": [],
            "productGroups": [],
        }
    )
