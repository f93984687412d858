"""WATS area Client (internal): station registration, ping and server info."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import TYPE_CHECKING

from .._framework import Reply, Request, RouteTable

if TYPE_CHECKING:
    from .._app import FakeWatsApp

__all__ = ["routes"]

routes: RouteTable[FakeWatsApp] = RouteTable()


@routes.post("/api/internal/Client/Register", auth="register")
async def client_register(app: FakeWatsApp, request: Request) -> Reply:
    identifier = (request.param("mac") or "").strip()
    name = (request.param("name") or "").strip()
    if not identifier or not name:
        return Reply.message(400, "The request is invalid. mac and name are required.")
    passcode = app.state.register_client(
        identifier,
        name,
        location=request.param("location") or "",
        purpose=request.param("purpose") or "",
        description=request.param("description") or "",
    )
    return Reply.json(passcode)


@routes.get("/api/internal/Client/Ping")
async def client_ping(app: FakeWatsApp, request: Request) -> Reply:
    now = datetime.now(timezone.utc).isoformat(timespec="milliseconds")
    return Reply.json({"ServerName": app.server_name, "ServerTime": now.replace("+00:00", "Z")})


@routes.get("/api/internal/Client/ServerInfo")
async def client_server_info(app: FakeWatsApp, request: Request) -> Reply:
    return Reply.json(
        {
            "Version": app.version,
            "ServerName": app.server_name,
            "ServerTime": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        }
    )
