"""The Software domain: packages, their files and status, virtual folders.

A package moves Draft -> Pending -> Released -> Revoked (Pending may go back to Draft);
only Draft and Revoked packages may be deleted.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pywats import _operations as ops
from pywats._async._api import AsyncApi
from pywats._operation import operation
from pywats._payload import dump
from pywats.models import Package, PackageFile, VirtualFolder

__all__ = ["AsyncSoftwareService", "PACKAGE_STATUSES"]

PACKAGE_STATUSES = ("Draft", "Pending", "Released", "Revoked")


def _status(status: str) -> str:
    for known in PACKAGE_STATUSES:
        if status.lower() == known.lower():
            return known
    raise ValueError(f"package status {status!r}: WATS knows {', '.join(PACKAGE_STATUSES)}")


class AsyncSoftwareService:
    def __init__(self, api: AsyncApi) -> None:
        self._api = api

    @operation(ops.Software_PostSoftwarePackage)
    async def create_package(self, package: Package | Mapping[str, Any]) -> Package:
        """Create a Draft package; a name that exists gets the next version."""
        return await self._api.model(ops.Software_PostSoftwarePackage, Package, json=dump(package))

    @operation(ops.Software_GetSoftwarePackage)
    async def package(self, package_id: str) -> Package | None:
        """One package by id."""
        return await self._api.found(
            ops.Software_GetSoftwarePackage, Package, path={"id": package_id}
        )

    @operation(ops.Software_PutSoftwarePackage)
    async def update_package(self, package_id: str, package: Package | Mapping[str, Any]) -> None:
        """Overwrite a package's settings."""
        await self._api.action(
            ops.Software_PutSoftwarePackage, path={"id": package_id}, json=dump(package)
        )

    @operation(ops.Software_DeleteSoftwarePackage)
    async def delete_package(self, package_id: str) -> None:
        """Delete a Draft or Revoked package."""
        await self._api.action(ops.Software_DeleteSoftwarePackage, path={"id": package_id})

    @operation(ops.Software_GetSoftwarePackageByName)
    async def package_by_name(
        self, name: str, status: str, *, version: int | None = None
    ) -> Package | None:
        """The package of this name in this status (the newest, or ``version``)."""
        return await self._api.found(
            ops.Software_GetSoftwarePackageByName,
            Package,
            params={"name": name, "status": _status(status), "version": version},
        )

    @operation(ops.Software_DeleteSoftwarePackageByName)
    async def delete_package_by_name(self, name: str, version: int) -> None:
        """Delete one version of a package by name."""
        await self._api.action(
            ops.Software_DeleteSoftwarePackageByName, params={"name": name, "version": version}
        )

    @operation(ops.Software_GetSoftwarePackages)
    async def packages(self) -> list[Package]:
        """Every package."""
        return await self._api.model_list(ops.Software_GetSoftwarePackages, Package)

    @operation(ops.Software_GetSoftwarePackagesByTag)
    async def packages_by_tag(self, tag: str, status: str) -> list[Package]:
        """Packages with a tag (``name=value``) in a status."""
        return await self._api.model_list(
            ops.Software_GetSoftwarePackagesByTag,
            Package,
            params={"tag": tag, "status": _status(status)},
        )

    @operation(ops.Software_GetSoftwareFiles)
    async def package_files(self, package_id: str) -> list[PackageFile]:
        """The files of a package."""
        return await self._api.model_list(
            ops.Software_GetSoftwareFiles, PackageFile, path={"id": package_id}
        )

    @operation(ops.Software_GetVirtualFolders)
    async def virtual_folders(self) -> list[VirtualFolder]:
        """The virtual folders packages may install into."""
        return await self._api.model_list(ops.Software_GetVirtualFolders, VirtualFolder)

    @operation(ops.Software_PostNewStatus)
    async def set_package_status(self, package_id: str, status: str) -> Package:
        """Move a package to another status; the server refuses moves it does not allow."""
        return await self._api.model(
            ops.Software_PostNewStatus,
            Package,
            path={"id": package_id},
            params={"status": _status(status)},
        )

    @operation(ops.Software_PostZipToPackage)
    async def upload_zip(
        self,
        package_id: str,
        zip_bytes: bytes,
        *,
        clean_install: bool | None = None,
        file_name: str = "package.zip",
    ) -> None:
        """Add a zip's files to a package (every file must sit in a folder, none at the
        zip's root); ``clean_install=True`` empties the package first."""
        await self._api.action(
            ops.Software_PostZipToPackage,
            path={"id": package_id},
            params={"cleanInstall": clean_install},
            files={"file": (file_name, zip_bytes, "application/zip")},
        )

    @operation(ops.Software_PostFileAttribute)
    async def set_file_attribute(self, file_id: str, attribute: str) -> None:
        """Set an attribute of a package file (e.g. ``ExecuteOnce``)."""
        await self._api.action(
            ops.Software_PostFileAttribute, path={"id": file_id}, params={"attribute": attribute}
        )
