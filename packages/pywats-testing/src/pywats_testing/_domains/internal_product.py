"""WATS areas Product, Process and Blob, internal routes: a revision's BOM as JSON,
product info, revision relations (box build), product categories; process and repair
operation settings; files attached to assets.

Products, revisions, processes and assets are the public areas' own records.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from .._framework import Refusal, Reply, Request, RouteTable, or_404, refusing
from .._mes import new_id

if TYPE_CHECKING:
    from .._app import FakeWatsApp

__all__ = ["routes"]

routes: RouteTable[FakeWatsApp] = RouteTable()

# Fail codes of a default installation's repair operations [inferred from the WATS UI].
FAIL_CODES = [
    {"Name": "Component", "Codes": [{"Code": "C01", "Name": "Wrong component"}]},
    {
        "Name": "Solder",
        "Codes": [{"Code": "S01", "Name": "Short"}, {"Code": "S02", "Name": "Open"}],
    },
]


def _json_body(request: Request) -> Any:
    with refusing():
        return json.loads(request.body or b"null")


def _revision(app: FakeWatsApp, request: Request) -> dict[str, Any]:
    pn, rev = request.param("partNumber"), request.param("revision")
    if not pn or not rev:
        raise Refusal(400, "The request is invalid. partNumber and revision are required.")
    found = app.mes.revisions.get((pn.lower(), rev.lower()))
    if found is None:
        raise Refusal(404, f"Revision '{rev}' of product '{pn}' not found")
    return found


def _revision_by_id(app: FakeWatsApp, revision_id: object) -> dict[str, Any] | None:
    wanted = str(revision_id or "").lower()
    return next(
        (r for r in app.mes.revisions.values() if r["productRevisionId"].lower() == wanted), None
    )


# -- Product ---------------------------------------------------------------------------
@routes.get("/api/internal/Product/Bom")
async def product_internal_bom(app: FakeWatsApp, request: Request) -> Reply:
    found = _revision(app, request)
    key = (found["PartNumber"].lower(), found["revision"].lower())
    return Reply.json(app.mes.internal.get("bom", {}).get(key, []))


@routes.put("/api/internal/Product/BOM")
async def product_internal_put_bom(app: FakeWatsApp, request: Request) -> Reply:
    if (request.param("format") or "").lower() != "json":
        return Reply.message(400, f"BOM format '{request.param('format')}' is not supported")
    found = _revision(app, request)
    items = _json_body(request)
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        return Reply.message(400, "The request is invalid. Expected an array of BOM items.")
    key = (found["PartNumber"].lower(), found["revision"].lower())
    with app.mes.lock:
        app.mes.internal.setdefault("bom", {})[key] = items
    return Reply.json(True)


@routes.get("/api/internal/Product/GetProductInfo")
async def product_info(app: FakeWatsApp, request: Request) -> Reply:
    found = _revision(app, request)
    product = app.mes.product(found["PartNumber"]) or {}
    return Reply.json({**product, **found})


@routes.get("/api/internal/Product/GetProductByPN")
async def product_by_pn(app: FakeWatsApp, request: Request) -> Reply:
    pn = request.param("PN") or ""
    product = or_404(app.mes.product(pn), f"Product '{pn}'")
    revisions = [r for (p, _), r in app.mes.revisions.items() if p == pn.lower()]
    return Reply.json({**product, "Revisions": revisions})


def _relations_of(app: FakeWatsApp, parent_id: str) -> list[dict[str, Any]]:
    return [
        r
        for r in app.mes.internal.get("relations", {}).values()
        if r["ParentProductRevisionId"].lower() == parent_id.lower()
    ]


def _relation_body(request: Request) -> dict[str, Any]:
    body = _json_body(request)
    if not isinstance(body, dict):
        raise Refusal(400, "The request is invalid. Expected a relation.")
    return body


@routes.post("/api/internal/Product/PostProductRevisionRelation")
async def product_post_relation(app: FakeWatsApp, request: Request) -> Reply:
    body = _relation_body(request)
    with app.mes.lock:
        parent = _revision_by_id(app, body.get("ParentProductRevisionId"))
        child = _revision_by_id(app, body.get("ProductRevisionId"))
        if parent is None or child is None:
            return Reply.message(400, "Parent and child must be existing product revisions")
        relation = {
            **body,
            "ProductRevisionRelationId": new_id(),
            "ParentProductRevisionId": parent["productRevisionId"],
            "ProductRevisionId": child["productRevisionId"],
            "Quantity": int(body.get("Quantity") or 1),
        }
        app.mes.internal.setdefault("relations", {})[relation["ProductRevisionRelationId"]] = (
            relation
        )
        return Reply.json(_relations_of(app, parent["productRevisionId"]))


@routes.put("/api/internal/Product/PutProductRevisionRelation")
async def product_put_relation(app: FakeWatsApp, request: Request) -> Reply:
    body = _relation_body(request)
    with app.mes.lock:
        relation = app.mes.internal.get("relations", {}).get(
            str(body.get("ProductRevisionRelationId") or "").lower()
        )
        if relation is None:
            return Reply.message(404, "Product revision relation not found")
        fixed = ("ProductRevisionRelationId", "ParentProductRevisionId", "ProductRevisionId")
        relation.update({k: v for k, v in body.items() if v is not None and k not in fixed})
        return Reply.json(_relations_of(app, relation["ParentProductRevisionId"]))


@routes.delete("/api/internal/Product/DeleteProductRevisionRelation")
async def product_delete_relation(app: FakeWatsApp, request: Request) -> Reply:
    wanted = (request.param("productRevisionRelationId") or "").lower()
    with app.mes.lock:
        or_404(
            app.mes.internal.get("relations", {}).pop(wanted, None),
            f"Product revision relation '{wanted}'",
        )
    return Reply.json(True)


@routes.get("/api/internal/Product/GetProductCategories")
async def product_categories(app: FakeWatsApp, request: Request) -> Reply:
    return Reply.json(list(app.mes.internal.get("categories", {}).values()))


@routes.put("/api/internal/Product/PutProductCategories")
async def product_put_categories(app: FakeWatsApp, request: Request) -> Reply:
    items = _json_body(request)
    if not isinstance(items, list) or any(not (i or {}).get("Name") for i in items):
        return Reply.message(400, "The request is invalid. Every category needs a Name.")
    with app.mes.lock:
        stored = app.mes.internal.setdefault("categories", {})
        for item in items:
            key = str(item.get("ProductCategoryId") or new_id()).lower()
            stored[key] = {**stored.get(key, {}), **item, "ProductCategoryId": key}
        return Reply.json(list(stored.values()))


# -- Process ---------------------------------------------------------------------------
def _process(app: FakeWatsApp, process_id: str) -> Any:
    return next((p for p in app.state.processes if p.guid().lower() == process_id.lower()), None)


def _process_json(process: Any) -> dict[str, Any]:
    return {
        "Code": process.code,
        "ProcessID": process.guid(),
        "Name": process.name,
        "Description": process.description,
        "ProcessIndex": process.process_index,
        "State": process.state,
        "IsTestOperation": process.is_test_operation,
        "IsWIPOperation": process.is_wip_operation,
        "IsRepairOperation": process.is_repair_operation,
    }


@routes.get("/api/internal/Process/GetProcess/{id}")
async def process_get(app: FakeWatsApp, request: Request) -> Reply:
    found = or_404(
        _process(app, request.path_params["id"]), f"Process '{request.path_params['id']}'"
    )
    return Reply.json(_process_json(found))


@routes.get("/api/internal/Process/GetRepairOperations")
async def process_repair_operations(app: FakeWatsApp, request: Request) -> Reply:
    return Reply.json(
        [
            {**_process_json(p), "FailCodes": FAIL_CODES}
            for p in app.state.processes
            if p.is_repair_operation
        ]
    )


@routes.get("/api/internal/Process/GetRepairOperation/{id}")
async def process_repair_operation(app: FakeWatsApp, request: Request) -> Reply:
    found = _process(app, request.path_params["id"])
    if found is None or not found.is_repair_operation:
        return Reply.message(404, f"Repair operation '{request.path_params['id']}' not found")
    code = request.param("processCode")
    if code is not None and not any(
        str(p.code) == code and p.is_test_operation for p in app.state.processes
    ):
        return Reply.message(400, f"Process code {code} is not a test operation")
    return Reply.json({**_process_json(found), "TestProcessCode": code, "FailCodes": FAIL_CODES})


# -- Blob (asset files) ----------------------------------------------------------------
def _asset_files(app: FakeWatsApp, request: Request) -> tuple[str, dict[str, bytes]]:
    asset_id = request.param("assetId") or ""
    asset = app.mes.asset(asset_id, None)
    if asset is None:
        raise Refusal(404, f"Asset '{asset_id}' not found")
    files: dict[str, bytes] = app.mes.internal.setdefault("asset_files", {}).setdefault(
        asset["assetId"], {}
    )
    return asset["assetId"], files


@routes.post("/api/internal/Blob/Asset")
async def blob_asset_post(app: FakeWatsApp, request: Request) -> Reply:
    name = request.param("filename")
    if not name:
        return Reply.message(400, "The request is invalid. filename is required.")
    with app.mes.lock:
        found = _asset_files(app, request)
        found[1][name] = request.body
    return Reply.json(True)


@routes.get("/api/internal/Blob/Asset")
async def blob_asset_get(app: FakeWatsApp, request: Request) -> Reply:
    found = _asset_files(app, request)
    name = request.param("filename") or ""
    if name not in found[1]:
        return Reply.message(404, f"File '{name}' not found on asset '{found[0]}'")
    return Reply(200, found[1][name], "application/octet-stream")


@routes.delete("/api/internal/Blob/Assets")
async def blob_asset_delete(app: FakeWatsApp, request: Request) -> Reply:
    names = _json_body(request)
    if not isinstance(names, list):
        return Reply.message(400, "The request is invalid. Expected an array of file names.")
    with app.mes.lock:
        found = _asset_files(app, request)
        removed = [n for n in names if found[1].pop(str(n), None) is not None]
    return Reply.json(removed)
