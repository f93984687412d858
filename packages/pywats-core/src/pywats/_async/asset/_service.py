"""The Asset domain: assets and their types, usage counts, calibration, maintenance, logs.

Calls that act on one asset take an :class:`~pywats.AssetRef` naming it by id or by serial
number (``AssetRef.by_serial("FIX-17")``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from pywats import _operations as ops
from pywats._asset_ref import AssetRef, asset_query
from pywats._async._api import AsyncApi
from pywats._async._paging import AsyncPagedIterator
from pywats._odata import Filter
from pywats._operation import Operation, operation
from pywats._payload import JsonValue, dump, one_of
from pywats.models import (
    Asset,
    AssetMessage,
    AssetType,
    ODataAsset,
    ODataAssetLog,
    ODataAssetType,
)

__all__ = ["AsyncAssetService"]


def _iso(value: datetime | str | None) -> str | None:
    return value.isoformat() if isinstance(value, datetime) else value


class AsyncAssetService:
    def __init__(self, api: AsyncApi) -> None:
        self._api = api

    @operation(ops.Asset_GetAssets)
    def query(
        self,
        filter: Filter | str | None = None,  # OData's own word
        *,
        order_by: str | None = None,
        page_size: int = 1000,
        max_items: int | None = None,
    ) -> AsyncPagedIterator[ODataAsset]:
        """Assets matching an OData filter, ordered by ``assetId`` unless ``order_by``
        says otherwise, fetched page by page."""
        return self._api.odata_query(
            ops.Asset_GetAssets,
            ODataAsset,
            filter,
            order_by=order_by,
            page_size=page_size,
            max_items=max_items,
        )

    @operation(ops.Asset_GetAssetByAssetId)
    async def get(self, asset_id: str) -> ODataAsset | None:
        """One asset by its id."""
        return await self._api.found(
            ops.Asset_GetAssetByAssetId, ODataAsset, path={"assetId": asset_id}
        )

    @operation(ops.Asset_GetAssetBySerialNumber)
    async def get_by_serial_number(self, serial_number: str) -> ODataAsset | None:
        """One asset by its serial number (the server resolves the same route both ways)."""
        return await self._api.found(
            ops.Asset_GetAssetBySerialNumber, ODataAsset, path={"serialNumber": serial_number}
        )

    @operation(ops.Asset_PutAsset)
    async def save(self, asset: Asset | Mapping[str, Any]) -> JsonValue:
        """Create (no ``asset_id``) or update an asset. Counts, calibration and
        maintenance dates change only through their own calls."""
        return await self._api.action(ops.Asset_PutAsset, json=dump(asset))

    @operation(ops.Asset_DeleteAsset)
    async def delete(self, asset: AssetRef) -> None:
        """Delete an asset and its log; its children move to its parent."""
        await self._api.action(ops.Asset_DeleteAsset, params=asset_query(asset))

    @operation(ops.Asset_PutAssetCount)
    async def set_count(
        self,
        asset: AssetRef,
        *,
        total_count: int | None = None,
        increment_by: int | None = None,
        increment_children: bool | None = None,
        culture_code: str | None = None,
    ) -> JsonValue:
        """Set an asset's total count, or add ``increment_by`` to its counts."""
        op = ops.Asset_PutAssetCount
        named = asset_query(asset)
        one_of(op.key, total_count=total_count, increment_by=increment_by)
        return await self._api.action(
            op,
            params={
                **named,
                "totalCount": total_count,
                "incrementBy": increment_by,
                "incrementChildren": increment_children,
                "cultureCode": culture_code,
            },
        )

    @operation(ops.Asset_ResetRunningCount)
    async def reset_running_count(
        self, asset: AssetRef, *, comment: str | None = None
    ) -> JsonValue:
        """Set an asset's running count back to 0."""
        params = {**asset_query(asset), "comment": comment}
        return await self._api.action(ops.Asset_ResetRunningCount, params=params)

    @operation(ops.Asset_PostCalibration)
    async def record_calibration(
        self, asset: AssetRef, *, when: datetime | str | None = None, comment: str | None = None
    ) -> JsonValue:
        """Record a calibration (now, or at ``when``)."""
        return await self._dated_record(ops.Asset_PostCalibration, asset, when, comment)

    @operation(ops.Asset_PostMaintenance)
    async def record_maintenance(
        self, asset: AssetRef, *, when: datetime | str | None = None, comment: str | None = None
    ) -> JsonValue:
        """Record a maintenance (now, or at ``when``)."""
        return await self._dated_record(ops.Asset_PostMaintenance, asset, when, comment)

    async def _dated_record(
        self, op: Operation, asset: AssetRef, when: datetime | str | None, comment: str | None
    ) -> JsonValue:
        """A calibration or maintenance record: now, or at ``when``."""
        params = {**asset_query(asset), "dateTime": _iso(when), "comment": comment}
        return await self._api.action(op, params=params)

    @operation(ops.Asset_PutAssetState)
    async def set_state(self, asset: AssetRef, state: int) -> JsonValue:
        """Set an asset's state (0 to 6)."""
        named = asset_query(asset)
        if not 0 <= state <= 6:
            raise ValueError(f"an asset state runs from 0 to 6, not {state}")
        return await self._api.action(ops.Asset_PutAssetState, params={"state": state, **named})

    @operation(ops.Asset_GetAssetStatus)
    async def status(
        self,
        asset: AssetRef,
        *,
        translate: bool | None = None,
        culture_code: str | None = None,
    ) -> JsonValue:
        """An asset's status: counts and calibration/maintenance against their limits."""
        params = {**asset_query(asset), "translate": translate, "cultureCode": culture_code}
        return await self._api.json(ops.Asset_GetAssetStatus, params=params)

    @operation(ops.Asset_GetAssetChildren)
    async def sub_assets(self, asset: AssetRef, *, level: int | None = None) -> JsonValue:
        """An asset's children, ``level`` levels deep."""
        params = {**asset_query(asset), "level": level}
        return await self._api.json(ops.Asset_GetAssetChildren, params=params)

    @operation(ops.Asset_GetAssetLog)
    def log(
        self,
        filter: Filter | str | None = None,  # OData's own word
        *,
        order_by: str | None = None,
        page_size: int = 1000,
        max_items: int | None = None,
    ) -> AsyncPagedIterator[ODataAssetLog]:
        """Asset log records (newest first unless ``order_by`` says otherwise)."""
        return self._api.odata_query(
            ops.Asset_GetAssetLog,
            ODataAssetLog,
            filter,
            order_by=order_by,
            page_size=page_size,
            max_items=max_items,
        )

    @operation(ops.Asset_PostAssetMessage)
    async def post_message(
        self, asset: AssetRef, message: str | AssetMessage, *, culture_code: str | None = None
    ) -> JsonValue:
        """Write a message into an asset's log."""
        body = AssetMessage(content=message) if isinstance(message, str) else message
        params = {**asset_query(asset), "cultureCode": culture_code}
        return await self._api.action(ops.Asset_PostAssetMessage, params=params, json=dump(body))

    @operation(ops.Asset_GetAssetTypes)
    def types(
        self,
        filter: Filter | str | None = None,  # OData's own word
        *,
        order_by: str | None = None,
        page_size: int = 1000,
        max_items: int | None = None,
    ) -> AsyncPagedIterator[ODataAssetType]:
        """Asset types (ordered by name unless ``order_by`` says otherwise)."""
        return self._api.odata_query(
            ops.Asset_GetAssetTypes,
            ODataAssetType,
            filter,
            order_by=order_by,
            page_size=page_size,
            max_items=max_items,
        )

    @operation(ops.Asset_PutAssetType)
    async def save_type(self, asset_type: AssetType | Mapping[str, Any]) -> JsonValue:
        """Create (no ``type_id``) or update an asset type."""
        return await self._api.action(ops.Asset_PutAssetType, json=dump(asset_type))
