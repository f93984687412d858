"""WATS area Product: products and revisions (upsert by part number), bulk loads, BOMs
(WSBF XML), vendors, product-group filters."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import TYPE_CHECKING, Any

from .._framework import Refusal, Reply, Request, RouteTable, json_object, json_objects, or_404
from .._mes import new_id, odata_page
from .._odata import FieldType

if TYPE_CHECKING:
    from .._app import FakeWatsApp

__all__ = ["routes"]

routes: RouteTable[FakeWatsApp] = RouteTable()

WSBF = "{http://wats.virinco.com/schemas/WATS/wsbf}"
_VIEW_FIELDS: dict[str, FieldType] = {
    "partNumber": "string",
    "name": "string",
    "category": "string",
    "nonSerial": "bool",
    "state": "int",
}


def save_product(app: FakeWatsApp, body: dict[str, Any]) -> dict[str, Any]:
    """Create or update by part number (an empty ``productId`` creates, wats-facts §4.4)."""
    part_number = str(body.get("partNumber") or "").strip()
    if not part_number:
        raise Refusal(400, "partNumber is required")
    mes = app.mes
    with mes.lock:
        stored = mes.product(part_number) or {"productId": new_id(), "state": 1}
        stored.update({k: v for k, v in body.items() if k != "productId" and v is not None})
        stored["partNumber"] = part_number
        mes.products[part_number.lower()] = stored
        return dict(stored)


def save_revision(app: FakeWatsApp, body: dict[str, Any]) -> dict[str, Any]:
    """A revision of an existing product, named by ``PartNumber`` or ``productId``."""
    mes = app.mes
    revision = str(body.get("revision") or "").strip()
    if not revision:
        raise Refusal(400, "revision is required")
    with mes.lock:
        part_number = body.get("PartNumber") or body.get("partNumber")
        product = mes.product(str(part_number)) if part_number else None
        if product is None and body.get("productId"):
            product = next(
                (p for p in mes.products.values() if p["productId"] == body["productId"]), None
            )
        if product is None:
            raise Refusal(400, f"Product '{part_number or body.get('productId')}' not found")
        key = (product["partNumber"].lower(), revision.lower())
        stored = mes.revisions.get(key) or {"productRevisionId": new_id(), "state": 1}
        stored.update({k: v for k, v in body.items() if v is not None and k != "partNumber"})
        stored.update(
            productId=product["productId"], PartNumber=product["partNumber"], revision=revision
        )
        stored.setdefault("productRevisionId", new_id())
        mes.revisions[key] = stored
        return dict(stored)


@routes.get("/api/Product/Query")
async def product_query(app: FakeWatsApp, request: Request) -> Reply:
    rows = [
        {k: p.get(k) for k in ("partNumber", "name", "category", "nonSerial", "state")}
        for p in list(app.mes.products.values())
    ]
    page = odata_page(
        rows,
        request.query,
        _VIEW_FIELDS,
        type_name="Virinco.WATS.Web.Dashboard.Models.Mes.Product.ProductView",
        default_top=1000,
        order_by=("partNumber", False),
    )
    return Reply.json([{k: v for k, v in row.items() if v is not None} for row in page])


@routes.get("/api/Product/Vendors")
async def product_vendors(app: FakeWatsApp, request: Request) -> Reply:
    return Reply.json(list(app.mes.vendors.values()))


def _vendor_names(body: bytes) -> list[str]:
    """The ``VendorName`` of each ``Vendor`` of a JSON array (:class:`BadBody` if none)."""
    return [str(vendor.get("VendorName") or "") for vendor in json_objects(body)]


@routes.put("/api/Product/Vendors")
async def product_put_vendors(app: FakeWatsApp, request: Request) -> Reply:
    names = _vendor_names(request.body)
    if not all(names):
        return Reply.message(400, "VendorName is required")
    with app.mes.lock:
        app.mes.vendors.update({name.lower(): {"VendorName": name} for name in names})
    return Reply.json({})


@routes.delete("/api/Product/Vendors")
async def product_delete_vendors(app: FakeWatsApp, request: Request) -> Reply:
    names = _vendor_names(request.body)
    with app.mes.lock:
        for name in names:
            app.mes.vendors.pop(name.lower(), None)
    return Reply.json({})


@routes.put("/api/Product/BOM")
async def product_bom(app: FakeWatsApp, request: Request) -> Reply:
    try:
        root = ET.fromstring(request.body)  # noqa: S314 - stdlib parser: no external entities/DTDs
    except ET.ParseError as exc:
        return Reply.message(500, f"Invalid BOM: {exc}")
    if root.tag not in (WSBF + "BOM", "BOM") or not root.get("Partnumber"):
        return Reply.message(
            500, "Invalid BOM: expected <BOM Partnumber=...> in the wsbf namespace"
        )
    part_number, revision = root.get("Partnumber", ""), root.get("Revision", "")
    if app.mes.product(part_number) is None:
        return Reply.message(500, f"Invalid BOM: product '{part_number}' not found")
    app.mes.boms[(part_number.lower(), revision.lower())] = bytes(request.body)
    return Reply.json({})


@routes.post("/api/Product/ProductGroupFilter")
async def product_group_filter(app: FakeWatsApp, request: Request) -> Reply:
    group, part_number = request.param("productGroup"), request.param("partNumber")
    if not group or not part_number:
        return Reply.message(400, "productGroup and partNumber are required")
    exclude = request.flag("exclude") or False
    app.mes.group_filters.append(
        {
            "productGroup": group,
            "partNumber": part_number,
            "revision": request.param("revision"),
            "exclude": exclude,
        }
    )
    return Reply.json({})


@routes.get("/api/Product/ProductGroupsByProduct")
async def product_groups_by_product(app: FakeWatsApp, request: Request) -> Reply:
    part_number = (request.param("partNumber") or "").lower()
    if not part_number:
        return Reply.message(400, "partNumber is required")
    revision = (request.param("revision") or "").lower()
    groups = sorted(
        {
            f["productGroup"]
            for f in app.mes.group_filters
            if f["partNumber"].lower() == part_number
            and not f["exclude"]
            and (not f["revision"] or not revision or f["revision"].lower() == revision)
        }
    )
    return Reply.json([{"name": g} for g in groups])


@routes.put("/api/Product/Revision")
async def product_put_revision(app: FakeWatsApp, request: Request) -> Reply:
    return Reply.json(save_revision(app, json_object(request.body)))


@routes.put("/api/Product")
async def product_put(app: FakeWatsApp, request: Request) -> Reply:
    return Reply.json(save_product(app, json_object(request.body)))


@routes.put("/api/Products/Revisions")
async def products_put_revisions(app: FakeWatsApp, request: Request) -> Reply:
    return Reply.json([save_revision(app, body) for body in json_objects(request.body)])


@routes.put("/api/Products")
async def products_put(app: FakeWatsApp, request: Request) -> Reply:
    return Reply.json([save_product(app, body) for body in json_objects(request.body)])


@routes.get("/api/Product/{partNumber}/{revision}")
async def product_get_revision(app: FakeWatsApp, request: Request) -> Reply:
    key = (request.path_params["partNumber"].lower(), request.path_params["revision"].lower())
    stored = or_404(app.mes.revisions.get(key), f"Product revision '{'/'.join(key)}'")
    return Reply.json(stored)


@routes.get("/api/Product/{partNumber}")
async def product_get(app: FakeWatsApp, request: Request) -> Reply:
    stored = or_404(
        app.mes.product(request.path_params["partNumber"]),
        f"Product '{request.path_params['partNumber']}'",
    )
    revisions = [
        r for (pn, _), r in app.mes.revisions.items() if pn == stored["partNumber"].lower()
    ]
    return Reply.json({**stored, "revisions": revisions})
