"""``wats.internal.software``: package folders and files, download history and what a
station should install or remove.

**Internal** (``/api/internal/Software/...``): the vendor may change these routes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from pywats import _operations as ops
from pywats._async._api import AsyncApi
from pywats._operation import operation
from pywats._payload import JsonValue, dump
from pywats.internal import SoftwareEntity, SoftwarePackageRecord

__all__ = ["AsyncInternalSoftware"]


def _ids(values: Iterable[str]) -> str:
    # olreppe/pyWATS sent id lists as one comma-separated value.
    return ",".join(str(v) for v in values)


class AsyncInternalSoftware:
    def __init__(self, api: AsyncApi) -> None:
        self._api = api

    @operation(ops.Software_isConnected)
    async def is_connected(self) -> bool:
        """Whether the server's software module answers. INTERNAL: may change."""
        return bool(await self._api.json(ops.Software_isConnected))

    @operation(ops.Software_File)
    async def file(self, file_id: str) -> bytes | None:
        """The bytes of one file of a package. INTERNAL: may change without notice."""
        return await self._api.file(ops.Software_File, path={"id": file_id})

    @operation(ops.Software_CheckFile)
    async def check_file(
        self,
        package_id: str,
        parent_folder_id: str,
        file_path: str,
        checksum: str,
        file_date_epoch: int,
    ) -> JsonValue:
        """Whether the package already holds this file (by checksum and date). INTERNAL."""
        return await self._api.json(
            ops.Software_CheckFile,
            params={
                "checksum": checksum,
                "parentFolderId": parent_folder_id,
                "filePath": file_path,
                "packageId": package_id,
                "fileDateEpoch": file_date_epoch,
            },
        )

    @operation(ops.Software_PostPackageFolder)
    async def create_package_folder(
        self, package_id: str, folder: SoftwareEntity | Mapping[str, Any]
    ) -> JsonValue:
        """Add a folder (``parent_id`` places it) to a package. INTERNAL: may change."""
        return await self._api.json(
            ops.Software_PostPackageFolder, params={"packageId": package_id}, json=dump(folder)
        )

    @operation(ops.Software_UpdatePackageFolder)
    async def update_package_folder(self, folder: SoftwareEntity | Mapping[str, Any]) -> JsonValue:
        """Rename or move a package folder (its ``id`` names it). INTERNAL: may change."""
        return await self._api.json(ops.Software_UpdatePackageFolder, json=dump(folder))

    @operation(ops.Software_DeletePackageFolder)
    async def delete_package_folder(self, package_folder_id: str) -> JsonValue:
        """Remove a folder and its files from a package. INTERNAL: may change."""
        return await self._api.action(
            ops.Software_DeletePackageFolder, params={"packageFolderId": package_folder_id}
        )

    @operation(ops.Software_DeletePackageFolderFiles)
    async def delete_package_folder_files(self, file_ids: Iterable[str]) -> JsonValue:
        """Remove files from package folders by id. INTERNAL: may change without notice."""
        return await self._api.action(
            ops.Software_DeletePackageFolderFiles, params={"packageFolderFileIds": _ids(file_ids)}
        )

    @operation(ops.Software_GetPackageHistory)
    async def package_history(
        self, tags: str, *, status: int | None = None, all_versions: bool | None = None
    ) -> list[SoftwarePackageRecord]:
        """The versions of the packages with these tags. INTERNAL: may change."""
        return await self._api.model_list(
            ops.Software_GetPackageHistory,
            SoftwarePackageRecord,
            params={"tags": tags, "status": status, "allVersions": all_versions},
        )

    @operation(ops.Software_GetPackageDownloadHistory)
    async def download_history(self, client_id: int) -> list[JsonValue]:
        """The packages a station (by client id) downloaded. INTERNAL: may change."""
        body = await self._api.json(
            ops.Software_GetPackageDownloadHistory, params={"clientId": client_id}
        )
        return list(body or [])

    @operation(ops.Software_GetRevokedPackages)
    async def revoked_packages(
        self, installed_package_ids: Iterable[str], *, include_revoked_only: bool | None = None
    ) -> list[str]:
        """Which of the installed packages were revoked since. INTERNAL: may change."""
        body = await self._api.json(
            ops.Software_GetRevokedPackages,
            params={
                "installedPackages": _ids(installed_package_ids),
                "includeRevokedOnly": include_revoked_only,
            },
        )
        return [str(v) for v in body or []]

    @operation(ops.Software_GetAvailablePackages)
    async def available_packages(
        self, installed_package_ids: Iterable[str]
    ) -> list[SoftwarePackageRecord]:
        """Newer released versions of the installed packages. INTERNAL: may change."""
        return await self._api.model_list(
            ops.Software_GetAvailablePackages,
            SoftwarePackageRecord,
            params={"installedPackages": _ids(installed_package_ids)},
        )

    @operation(ops.Software_GetSoftwareEntityDetails)
    async def package_details(self, package_id: str) -> JsonValue:
        """A package with its folders, files and site relations. INTERNAL: may change."""
        return await self._api.json(
            ops.Software_GetSoftwareEntityDetails, params={"packageId": package_id}
        )

    @operation(ops.Software_Log)
    async def log_download(self, package_id: str, download_size: int) -> JsonValue:
        """Record that this station downloaded a package (bytes). INTERNAL: may change."""
        return await self._api.json(
            ops.Software_Log, params={"packageId": package_id, "downloadSize": download_size}
        )
