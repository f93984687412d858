"""The BarcodeIdentifiers domain: patterns that pick serial and part numbers out of a scan."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pywats import _operations as ops
from pywats._async._api import AsyncApi
from pywats._operation import operation
from pywats._payload import dump
from pywats.models import BarcodeIdentifier

__all__ = ["AsyncBarcodeService"]


class AsyncBarcodeService:
    def __init__(self, api: AsyncApi) -> None:
        self._api = api

    @operation(ops.BarcodeIdentifiers_GetBarcodeIdentifiers)
    async def identifiers(self) -> list[BarcodeIdentifier]:
        """Every barcode identifier."""
        return await self._api.model_list(
            ops.BarcodeIdentifiers_GetBarcodeIdentifiers, BarcodeIdentifier
        )

    @operation(ops.BarcodeIdentifiers_PutBarcodeIdentifier)
    async def save_identifier(
        self, identifier: BarcodeIdentifier | Mapping[str, Any]
    ) -> BarcodeIdentifier:
        """Create (no ``id``) or update a barcode identifier."""
        return await self._api.model(
            ops.BarcodeIdentifiers_PutBarcodeIdentifier, BarcodeIdentifier, json=dump(identifier)
        )

    @operation(ops.BarcodeIdentifiers_DeleteBarcodeIdentifier)
    async def delete_identifier(self, identifier_id: int) -> None:
        """Delete a barcode identifier."""
        await self._api.action(
            ops.BarcodeIdentifiers_DeleteBarcodeIdentifier, path={"id": identifier_id}
        )

    @operation(ops.BarcodeIdentifiers_GetIdentifiedBarcode)
    async def identify(self, code: str) -> BarcodeIdentifier | None:
        """What a scanned code is, by the first identifier whose pattern matches it."""
        return await self._api.found(
            ops.BarcodeIdentifiers_GetIdentifiedBarcode, BarcodeIdentifier, params={"code": code}
        )
