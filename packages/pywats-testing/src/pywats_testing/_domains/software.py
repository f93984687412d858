"""WATS area Software: packages (Draft -> Pending -> Released -> Revoked, versions per
name), their files from uploaded zips, virtual folders (wats-facts §4.7)."""

from __future__ import annotations

import io
import zipfile
from typing import TYPE_CHECKING, Any

from .._framework import Refusal, Reply, Request, RouteTable, json_object, or_404
from .._mes import multipart_file, new_id, now_iso

if TYPE_CHECKING:
    from .._app import FakeWatsApp

__all__ = ["routes"]

routes: RouteTable[FakeWatsApp] = RouteTable()

STATUSES = ("Draft", "Pending", "Released", "Revoked")
MOVES = {
    ("Draft", "Pending"),
    ("Pending", "Draft"),
    ("Pending", "Released"),
    ("Released", "Revoked"),
}
VIRTUAL_FOLDERS = [
    {"id": "6d0b2f8e-5a43-4a8c-9c1e-3f4b5a6c7d01", "name": "Root", "description": "Install root"}
]


def _status(raw: str | None) -> str | None:
    return next((s for s in STATUSES if raw and s.lower() == raw.lower()), None)


def package_or_404(app: FakeWatsApp, package_id: str) -> dict[str, Any]:
    found = app.mes.packages.get(package_id.lower())
    if found is None:
        raise Refusal(404, f"Package '{package_id}' not found")
    return found


def _by_name(app: FakeWatsApp, name: str) -> list[dict[str, Any]]:
    return sorted(
        (p for p in app.mes.packages.values() if p["name"].lower() == name.lower()),
        key=lambda p: p["version"],
    )


@routes.post("/api/Software/Package")
async def software_post_package(app: FakeWatsApp, request: Request) -> Reply:
    body = json_object(request.body, "name")
    name = str(body["name"])
    with app.mes.lock:
        versions = [p["version"] for p in _by_name(app, name)]
        package = {k: v for k, v in body.items() if v is not None}
        package.update(
            packageId=new_id(),
            name=name,
            version=max(versions, default=0) + 1,
            status="Draft",
            created=now_iso(),
            createdBy="pywats-testing",
            modified=now_iso(),
        )
        app.mes.packages[package["packageId"]] = package
        app.mes.package_files[package["packageId"]] = []
    return Reply.json(package)


@routes.get("/api/Software/Package/{id}")
async def software_get_package(app: FakeWatsApp, request: Request) -> Reply:
    return Reply.json(package_or_404(app, request.path_params["id"]))


@routes.put("/api/Software/Package/{id}")
async def software_put_package(app: FakeWatsApp, request: Request) -> Reply:
    body = json_object(request.body)
    with app.mes.lock:
        found = package_or_404(app, request.path_params["id"])
        if found["status"] != "Draft":
            return Reply.message(
                400, f"Only a Draft package can be changed (this is {found['status']})"
            )
        keep = {"packageId", "version", "status", "created", "createdBy"}
        found.update({k: v for k, v in body.items() if v is not None and k not in keep})
        found["modified"] = now_iso()
    return Reply(200, b"")


def _delete(app: FakeWatsApp, package: dict[str, Any]) -> Reply:
    if package["status"] not in ("Draft", "Revoked"):
        return Reply.message(400, f"A {package['status']} package cannot be deleted")
    del app.mes.packages[package["packageId"]]
    app.mes.package_files.pop(package["packageId"], None)
    return Reply(204, b"")


@routes.delete("/api/Software/Package/{id}")
async def software_delete_package(app: FakeWatsApp, request: Request) -> Reply:
    with app.mes.lock:
        return _delete(app, package_or_404(app, request.path_params["id"]))


@routes.get("/api/Software/PackageByName")
async def software_package_by_name(app: FakeWatsApp, request: Request) -> Reply:
    name, status = request.param("name"), _status(request.param("status"))
    if not name or status is None:
        return Reply.message(400, "name and a valid status are required")
    version = request.param("version")
    matches = [p for p in _by_name(app, name) if p["status"] == status]
    if version is not None:
        matches = [p for p in matches if str(p["version"]) == version]
    if not matches:
        return Reply.message(404, f"No {status} package named '{name}'")
    return Reply.json(matches[-1])


@routes.delete("/api/Software/PackageByName")
async def software_delete_package_by_name(app: FakeWatsApp, request: Request) -> Reply:
    name, version = request.param("name"), request.param("version")
    if not name or not version:
        return Reply.message(400, "name and version are required")
    with app.mes.lock:
        found = or_404(
            next((p for p in _by_name(app, name) if str(p["version"]) == version), None),
            f"Package '{name}' version {version}",
        )
        return _delete(app, found)


@routes.get("/api/Software/Packages")
async def software_packages(app: FakeWatsApp, request: Request) -> Reply:
    return Reply.json(list(app.mes.packages.values()))


@routes.get("/api/Software/PackagesByTag")
async def software_packages_by_tag(app: FakeWatsApp, request: Request) -> Reply:
    tag, status = request.param("tag") or "", _status(request.param("status"))
    if not tag or status is None:
        return Reply.message(400, "tag and a valid status are required")
    key, _, value = tag.partition("=")
    found = [
        p
        for p in app.mes.packages.values()
        if p["status"] == status
        and any(
            t.get("key", "").lower() == key.lower() and (not value or t.get("value") == value)
            for t in p.get("tags") or []
        )
    ]
    return Reply.json(found)


@routes.get("/api/Software/PackageFiles/{id}")
async def software_package_files(app: FakeWatsApp, request: Request) -> Reply:
    found = package_or_404(app, request.path_params["id"])
    return Reply.json(app.mes.package_files.get(found["packageId"], []))


@routes.get("/api/Software/VirtualFolders")
async def software_virtual_folders(app: FakeWatsApp, request: Request) -> Reply:
    return Reply.json(VIRTUAL_FOLDERS)


@routes.post("/api/Software/PackageStatus/{id}")
async def software_package_status(app: FakeWatsApp, request: Request) -> Reply:
    status = _status(request.param("status"))
    if status is None:
        return Reply.message(400, f"status must be one of {', '.join(STATUSES)}")
    with app.mes.lock:
        found = package_or_404(app, request.path_params["id"])
        if (found["status"], status) not in MOVES:
            return Reply.message(400, f"A {found['status']} package cannot become {status}")
        found["status"] = status
        stamp = {"Released": "released", "Revoked": "revoked"}.get(status)
        if stamp:
            found[stamp], found[stamp + "By"] = now_iso(), "pywats-testing"
    return Reply.json(found)


@routes.post("/api/Software/Package/UploadZip/{id}")
async def software_upload_zip(app: FakeWatsApp, request: Request) -> Reply:
    clean = request.flag("cleanInstall") or False
    try:
        _, content = multipart_file(request.headers.get("content-type", ""), request.body)
        names = zipfile.ZipFile(io.BytesIO(content)).namelist()
    except (ValueError, zipfile.BadZipFile) as exc:
        return Reply.message(400, f"The upload is not a zip in a multipart form: {exc}")
    files = [n for n in names if not n.endswith("/")]
    if any("/" not in n for n in files):
        return Reply.message(400, "Zip cannot contain files on root")
    with app.mes.lock:
        found = package_or_404(app, request.path_params["id"])
        current = [] if clean else app.mes.package_files.get(found["packageId"], [])
        by_path = {(f["packageFolderName"], f["name"]): f for f in current}
        for path in files:
            folder, _, name = path.rpartition("/")
            by_path[(folder, name)] = {
                "packageFileId": new_id(),
                "name": name,
                "packageFolderName": folder,
                "attributes": "",
            }
        app.mes.package_files[found["packageId"]] = list(by_path.values())
    return Reply(200, b"")


@routes.post("/api/Software/Package/FileAttribute/{id}")
async def software_file_attribute(app: FakeWatsApp, request: Request) -> Reply:
    attribute = request.param("attribute")
    if not attribute:
        return Reply.message(400, "attribute is required")
    file_id = request.path_params["id"].lower()
    with app.mes.lock:
        for files in app.mes.package_files.values():
            for entry in files:
                if entry["packageFileId"] == file_id:
                    entry["attributes"] = attribute
                    return Reply(200, b"")
    return Reply.message(404, f"Package file '{file_id}' not found")
