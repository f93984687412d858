"""The WATS API the fake serves, one module per WATS area.

Each area module declares ``routes = RouteTable()`` and decorates its handlers, which
take ``(app, request)`` and return a :class:`~pywats_testing._framework.Reply`. To serve
a new area, add its module here and one line to ``DOMAINS``. The order of ``DOMAINS`` is
the order of ``FakeWatsServer.routes()`` and of matching (the first match wins).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._contract import checked
from .._framework import Route, RouteTable
from . import (
    analytics,
    app,
    asset,
    auth,
    barcode,
    client,
    dynamic,
    measurements,
    oee,
    product,
    production,
    repair,
    report,
    rootcause,
    scim,
    serials,
    software,
    system,
    workflow,
)

if TYPE_CHECKING:
    from .._app import FakeWatsApp

__all__ = ["API_ROUTES", "DOMAINS"]

DOMAINS: tuple[RouteTable[FakeWatsApp], ...] = tuple(
    checked(table)  # contract mode: requests and replies against the WATS spec
    for table in (
        app.routes,
        report.routes,
        client.routes,
        product.routes,
        production.routes,
        asset.routes,
        software.routes,
        rootcause.routes,
        analytics.routes,
        measurements.routes,
        dynamic.routes,
        repair.routes,
        oee.routes,
        system.routes,
        scim.routes,
        barcode.routes,
        serials.routes,
        workflow.routes,
        auth.routes,
    )
)

# The WATS routes this fake serves, with the spelling of the Swagger specs.
API_ROUTES: tuple[Route, ...] = tuple(route for table in DOMAINS for route in table.routes)
