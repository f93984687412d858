"""The Asset domain: assets and their types, usage counts, calibration, maintenance, logs.

Most calls name an asset by ``asset_id`` or by ``serial_number``: pass exactly one.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from pywats import _operations as ops
from pywats._async._api import AsyncApi
from pywats._async._paging import AsyncPagedIterator
from pywats._odata import Filter
from pywats._operation import Operation, operation
from pywats._payload import JsonValue, dump, one_of, parse_found
from pywats.models import (
    Asset,
    AssetMessage,
    AssetType,
    ODataAsset,
    ODataAssetLog,
    ODataAssetType,
)

__all__ = ["AsyncAssetService"]


def _asset(op: Operation, asset_id: str | None, serial_number: str | None) -> dict[str, str | None]:
    """The query parameters naming one asset, by its id or by its serial number (one only)."""
    one_of(op.key, asset_id=asset_id, serial_number=serial_number)
    return {"id": asset_id, "serialNumber": serial_number}


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
        op = ops.Asset_GetAssetByAssetId
        body = await self._api.json(op, path={"assetId": asset_id})
        return parse_found(ODataAsset, body, op.key)

    @operation(ops.Asset_GetAssetBySerialNumber)
    async def get_by_serial_number(self, serial_number: str) -> ODataAsset | None:
        """One asset by its serial number (the server resolves the same route both ways)."""
        op = ops.Asset_GetAssetBySerialNumber
        body = await self._api.json(op, path={"serialNumber": serial_number})
        return parse_found(ODataAsset, body, op.key)

    @operation(ops.Asset_PutAsset)
    async def save(self, asset: Asset | Mapping[str, Any]) -> JsonValue:
        """Create (no ``asset_id``) or update an asset. Counts, calibration and
        maintenance dates change only through their own calls."""
        return await self._api.action(ops.Asset_PutAsset, json=dump(asset))

    @operation(ops.Asset_DeleteAsset)
    async def delete(
        self, *, asset_id: str | None = None, serial_number: str | None = None
    ) -> None:
        """Delete an asset and its log; its children move to its parent."""
        op = ops.Asset_DeleteAsset
        await self._api.action(op, params=_asset(op, asset_id, serial_number))

    @operation(ops.Asset_PutAssetCount)
    async def set_count(
        self,
        *,
        asset_id: str | None = None,
        serial_number: str | None = None,
        total_count: int | None = None,
        increment_by: int | None = None,
        increment_children: bool | None = None,
        culture_code: str | None = None,
    ) -> JsonValue:
        """Set an asset's total count, or add ``increment_by`` to its counts."""
        op = ops.Asset_PutAssetCount
        asset = _asset(op, asset_id, serial_number)
        one_of(op.key, total_count=total_count, increment_by=increment_by)
        return await self._api.action(
            op,
            params={
                **asset,
                "totalCount": total_count,
                "incrementBy": increment_by,
                "incrementChildren": increment_children,
                "cultureCode": culture_code,
            },
        )

    @operation(ops.Asset_ResetRunningCount)
    async def reset_running_count(
        self,
        *,
        asset_id: str | None = None,
        serial_number: str | None = None,
        comment: str | None = None,
    ) -> JsonValue:
        """Set an asset's running count back to 0."""
        op = ops.Asset_ResetRunningCount
        return await self._api.action(
            op, params={**_asset(op, asset_id, serial_number), "comment": comment}
        )

    @operation(ops.Asset_PostCalibration)
    async def record_calibration(
        self,
        *,
        asset_id: str | None = None,
        serial_number: str | None = None,
        when: datetime | str | None = None,
        comment: str | None = None,
    ) -> JsonValue:
        """Record a calibration (now, or at ``when``)."""
        return await self._dated_record(
            ops.Asset_PostCalibration, asset_id, serial_number, when, comment
        )

    @operation(ops.Asset_PostMaintenance)
    async def record_maintenance(
        self,
        *,
        asset_id: str | None = None,
        serial_number: str | None = None,
        when: datetime | str | None = None,
        comment: str | None = None,
    ) -> JsonValue:
        """Record a maintenance (now, or at ``when``)."""
        return await self._dated_record(
            ops.Asset_PostMaintenance, asset_id, serial_number, when, comment
        )

    async def _dated_record(
        self,
        op: Operation,
        asset_id: str | None,
        serial_number: str | None,
        when: datetime | str | None,
        comment: str | None,
    ) -> JsonValue:
        """A calibration or maintenance record: now, or at ``when``."""
        params = {**_asset(op, asset_id, serial_number), "dateTime": _iso(when), "comment": comment}
        return await self._api.action(op, params=params)

    @operation(ops.Asset_PutAssetState)
    async def set_state(
        self, state: int, *, asset_id: str | None = None, serial_number: str | None = None
    ) -> JsonValue:
        """Set an asset's state (0 to 6)."""
        op = ops.Asset_PutAssetState
        asset = _asset(op, asset_id, serial_number)
        if not 0 <= state <= 6:
            raise ValueError(f"an asset state runs from 0 to 6, not {state}")
        return await self._api.action(op, params={"state": state, **asset})

    @operation(ops.Asset_GetAssetStatus)
    async def status(
        self,
        *,
        asset_id: str | None = None,
        serial_number: str | None = None,
        translate: bool | None = None,
        culture_code: str | None = None,
    ) -> JsonValue:
        """An asset's status: counts and calibration/maintenance against their limits."""
        op = ops.Asset_GetAssetStatus
        return await self._api.json(
            op,
            params={
                **_asset(op, asset_id, serial_number),
                "translate": translate,
                "cultureCode": culture_code,
            },
        )

    @operation(ops.Asset_GetAssetChildren)
    async def sub_assets(
        self,
        *,
        asset_id: str | None = None,
        serial_number: str | None = None,
        level: int | None = None,
    ) -> JsonValue:
        """An asset's children, ``level`` levels deep."""
        op = ops.Asset_GetAssetChildren
        return await self._api.json(
            op, params={**_asset(op, asset_id, serial_number), "level": level}
        )

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
        self,
        message: str | AssetMessage,
        *,
        asset_id: str | None = None,
        serial_number: str | None = None,
        culture_code: str | None = None,
    ) -> JsonValue:
        """Write a message into an asset's log."""
        op = ops.Asset_PostAssetMessage
        body = AssetMessage(content=message) if isinstance(message, str) else message
        return await self._api.action(
            op,
            params={**_asset(op, asset_id, serial_number), "cultureCode": culture_code},
            json=dump(body),
        )

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
