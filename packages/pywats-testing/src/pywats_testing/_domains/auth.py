"""WATS area Auth: the two ``GetToken`` routes the spec still lists.

WATS 2025.3 removed them; tokens come only from Control Panel -> Tokens (wats-facts
§3.3, the "End of support for provisioning tokens with GetToken" article). The fake
plays a current server (2026.1), so it answers them as that server answers a path it no
longer routes: ASP.NET Web API's ``404`` "No HTTP resource was found", before any
authentication. They are routes here, not unknown paths, so that the coverage test can
see the decision was taken and contract mode still checks what the client sends.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlencode

from .._framework import Reply, Request, RouteTable, no_resource

if TYPE_CHECKING:
    from .._app import FakeWatsApp

__all__ = ["routes"]

routes: RouteTable[FakeWatsApp] = RouteTable(auth="none")


def _removed(request: Request) -> Reply:
    query = urlencode(request.repeated)
    target = request.path + (f"?{query}" if query else "")
    return no_resource(request.headers.get("host", "localhost"), target)


@routes.get("/api/Auth/GetToken")
async def auth_get_token(app: FakeWatsApp, request: Request) -> Reply:
    return _removed(request)


@routes.get("/api/Auth/GetToken/{identifier}")
async def auth_get_token_for_identifier(app: FakeWatsApp, request: Request) -> Reply:
    return _removed(request)
