"""``wats.internal.asset``: files attached to an asset (the Blob store).

**Internal** (``/api/internal/Blob/...``): the vendor may change these routes.
"""

from __future__ import annotations

from collections.abc import Iterable

from pywats import _operations as ops
from pywats._async._api import AsyncApi
from pywats._operation import operation
from pywats._payload import JsonValue

__all__ = ["AsyncInternalAsset"]


class AsyncInternalAsset:
    def __init__(self, api: AsyncApi) -> None:
        self._api = api

    @operation(ops.Blob_AssetPostFile)
    async def upload_file(self, asset_id: str, filename: str, content: bytes) -> JsonValue:
        """Attach a file to an asset (replacing one of the same name). INTERNAL: may change."""
        return await self._api.action(
            ops.Blob_AssetPostFile,
            params={"assetId": asset_id, "filename": filename},
            content=content,
        )

    @operation(ops.Blob_AssetGetFile)
    async def download_file(self, asset_id: str, filename: str) -> bytes | None:
        """The bytes of a file attached to an asset. INTERNAL: may change without notice."""
        return await self._api.file(
            ops.Blob_AssetGetFile, params={"assetId": asset_id, "filename": filename}
        )

    @operation(ops.Blob_AssetDeleteFiles)
    async def delete_files(self, asset_id: str, filenames: Iterable[str]) -> JsonValue:
        """Remove files from an asset by name. INTERNAL: may change without notice."""
        return await self._api.action(
            ops.Blob_AssetDeleteFiles, params={"assetId": asset_id}, json=list(filenames)
        )
