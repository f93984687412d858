"""WATS area Software, internal routes (``/api/internal/Software/...``): package folders
and files, what a station downloaded, and which packages it should install or remove.

The packages are the public area's (``software.py``); the internal routes spell them in
PascalCase with an integer status (spec: ``Mes.Software.Package``).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from .._framework import Refusal, Reply, Request, RouteTable, or_404, refusing
from .._mes import new_id, now_iso
from .software import STATUSES, package_or_404

if TYPE_CHECKING:
    from .._app import FakeWatsApp

__all__ = ["routes"]

routes: RouteTable[FakeWatsApp] = RouteTable()

FOLDER, FILE = 0, 1  # SoftwareEntity.type [inferred]


def _record(package: dict[str, Any]) -> dict[str, Any]:
    """A package as the internal routes spell it; status as its index in STATUSES
    (Draft 0, Pending 1, Released 2, Revoked 3) [inferred]."""
    tags = ";".join(
        f"{t.get('key')}={t.get('value')}" if t.get("value") else str(t.get("key"))
        for t in package.get("tags") or []
    )
    return {
        "PackageId": package["packageId"],
        "Name": package["name"],
        "Version": package["version"],
        "Description": package.get("description"),
        "Tags": tags,
        "Status": list(STATUSES).index(package["status"]),
    }


def _entities(app: FakeWatsApp) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = app.mes.internal.setdefault("software_entities", {})
    return found


def _ids(raw: str | None) -> list[str]:
    return [part.strip().lower() for part in (raw or "").split(",") if part.strip()]


@routes.get("/api/internal/Software/isConnected")
async def software_is_connected(app: FakeWatsApp, request: Request) -> Reply:
    return Reply.json(True)


@routes.get("/api/internal/Software/File/{id}")
async def software_file(app: FakeWatsApp, request: Request) -> Reply:
    entity = _entities(app).get(request.path_params["id"].lower())
    if entity is None or entity.get("type") != FILE:
        return Reply.message(404, f"File '{request.path_params['id']}' not found")
    return Reply(200, str(entity.get("information") or "").encode(), "application/octet-stream")


@routes.get("/api/internal/Software/CheckFile")
async def software_check_file(app: FakeWatsApp, request: Request) -> Reply:
    package_id, parent = request.param("packageId") or "", request.param("parentFolderId") or ""
    path, checksum = request.param("filePath") or "", request.param("checksum") or ""
    same = [
        e
        for e in _entities(app).values()
        if e.get("packageId") == package_id.lower()
        and (e.get("parentId") or "") == parent.lower()
        and e.get("name") == path.rsplit("/", 1)[-1]
    ]
    return Reply.json(
        {
            "exists": bool(same),
            "unchanged": any(e.get("fileVersion") == checksum for e in same),
        }
    )


def _entity_body(request: Request) -> dict[str, Any]:
    with refusing():
        body = json.loads(request.body or b"{}")
    if not isinstance(body, dict) or not body.get("name"):
        raise Refusal(400, "The request is invalid. A folder needs a name.")
    return body


@routes.post("/api/internal/Software/PostPackageFolder")
async def software_post_folder(app: FakeWatsApp, request: Request) -> Reply:
    body = _entity_body(request)
    package_id = (request.param("packageId") or "").lower()
    with app.mes.lock:
        package_or_404(app, package_id)
        entity = {
            "type": FOLDER,
            **body,
            "id": new_id(),
            "packageId": package_id,
            "parentId": str(body.get("parentId") or "").lower() or None,
            "uploadedDate": now_iso(),
        }
        _entities(app)[entity["id"]] = entity
    return Reply.json(entity)


@routes.post("/api/internal/Software/UpdatePackageFolder")
async def software_update_folder(app: FakeWatsApp, request: Request) -> Reply:
    body = _entity_body(request)
    with app.mes.lock:
        entity = or_404(
            _entities(app).get(str(body.get("id") or "").lower()),
            f"Package folder '{body.get('id')}'",
        )
        entity.update({k: v for k, v in body.items() if v is not None and k != "id"})
    return Reply.json(entity)


def _remove(app: FakeWatsApp, entity_id: str) -> int:
    entities = _entities(app)
    children = [e["id"] for e in entities.values() if e.get("parentId") == entity_id]
    return (entities.pop(entity_id, None) is not None) + sum(_remove(app, c) for c in children)


@routes.post("/api/internal/Software/DeletePackageFolder")
async def software_delete_folder(app: FakeWatsApp, request: Request) -> Reply:
    folder_id = (request.param("packageFolderId") or "").lower()
    with app.mes.lock:
        if folder_id not in _entities(app):
            return Reply.message(404, f"Package folder '{folder_id}' not found")
        removed = _remove(app, folder_id)
    return Reply.json({"removed": removed})


@routes.post("/api/internal/Software/DeletePackageFolderFiles")
async def software_delete_folder_files(app: FakeWatsApp, request: Request) -> Reply:
    with app.mes.lock:
        removed = sum(_remove(app, i) for i in _ids(request.param("packageFolderFileIds")))
    return Reply.json({"removed": removed})


@routes.get("/api/internal/Software/GetPackageHistory")
async def software_package_history(app: FakeWatsApp, request: Request) -> Reply:
    wanted = request.param("tags") or ""
    status = request.optional_number("status")
    every = request.flag("allVersions")
    rows = [_record(p) for p in app.mes.packages.values()]
    rows = [
        r
        for r in rows
        if wanted.lower() in r["Tags"].lower() and (status is None or r["Status"] == status)
    ]
    if not every:
        newest: dict[str, dict[str, Any]] = {}
        for r in rows:
            if r["Version"] > newest.get(r["Name"].lower(), {"Version": 0})["Version"]:
                newest[r["Name"].lower()] = r
        rows = list(newest.values())
    return Reply.json(sorted(rows, key=lambda r: (r["Name"], r["Version"])))


def _client_id(request: Request) -> int:
    # Downloads are recorded per caller: a registered station by its identifier's
    # number, an API token as client 0 [inferred].
    principal = request.principal
    if principal is None or principal.kind != "station":
        return 0
    return int.from_bytes(principal.name.encode()[:4], "big")


@routes.get("/api/internal/Software/Log")
async def software_log(app: FakeWatsApp, request: Request) -> Reply:
    package_id = (request.param("packageId") or "").lower()
    size = request.number("downloadSize")
    with app.mes.lock:
        package = package_or_404(app, package_id)
        entry = {
            "clientId": _client_id(request),
            "packageId": package_id,
            "name": package["name"],
            "version": package["version"],
            "downloadSize": size,
            "date": now_iso(),
        }
        app.mes.internal.setdefault("downloads", []).append(entry)
    return Reply.json(entry)


@routes.get("/api/internal/Software/GetPackageDownloadHistory")
async def software_download_history(app: FakeWatsApp, request: Request) -> Reply:
    client = request.number("clientId")
    rows = app.mes.internal.get("downloads", [])
    return Reply.json([r for r in rows if r["clientId"] == client])


@routes.get("/api/internal/Software/GetRevokedPackages")
async def software_revoked(app: FakeWatsApp, request: Request) -> Reply:
    installed = _ids(request.param("installedPackages"))
    return Reply.json(
        [i for i in installed if (app.mes.packages.get(i) or {}).get("status") == "Revoked"]
    )


@routes.get("/api/internal/Software/GetAvailablePackages")
async def software_available(app: FakeWatsApp, request: Request) -> Reply:
    out = []
    for installed in _ids(request.param("installedPackages")):
        have = app.mes.packages.get(installed)
        if have is None:
            continue
        newer = [
            p
            for p in app.mes.packages.values()
            if p["name"].lower() == have["name"].lower()
            and p["status"] == "Released"
            and p["version"] > have["version"]
        ]
        if newer:
            out.append(_record(max(newer, key=lambda p: p["version"])))
    return Reply.json(out)


@routes.get("/api/internal/Software/GetSoftwareEntityDetails")
async def software_entity_details(app: FakeWatsApp, request: Request) -> Reply:
    package_id = (request.param("packageId") or "").lower()
    package = package_or_404(app, package_id)
    folders = [e for e in _entities(app).values() if e.get("packageId") == package_id]
    return Reply.json({**_record(package), "PackageFolders": folders})
