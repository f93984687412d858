"""The BarcodeIdentifiers domain: patterns that pick serial and part numbers out of a scan."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pywats import _operations as ops
from pywats._async._api import AsyncApi
from pywats._operation import operation
from pywats._payload import dump, parse, parse_found, parse_list
from pywats.models import BarcodeIdentifier

__all__ = ["AsyncBarcodeService"]


class AsyncBarcodeService:
    def __init__(self, api: AsyncApi) -> None:
        self._api = api

    @operation(ops.BarcodeIdentifiers_GetBarcodeIdentifiers)
    async def identifiers(self) -> list[BarcodeIdentifier]:
        """Every barcode identifier."""
        op = ops.BarcodeIdentifiers_GetBarcodeIdentifiers
        return parse_list(BarcodeIdentifier, await self._api.json(op), op.key)

    @operation(ops.BarcodeIdentifiers_PutBarcodeIdentifier)
    async def save_identifier(
        self, identifier: BarcodeIdentifier | Mapping[str, Any]
    ) -> BarcodeIdentifier:
        """Create (no ``id``) or update a barcode identifier."""
        op = ops.BarcodeIdentifiers_PutBarcodeIdentifier
        return parse(BarcodeIdentifier, await self._api.json(op, json=dump(identifier)), op.key)

    @operation(ops.BarcodeIdentifiers_DeleteBarcodeIdentifier)
    async def delete_identifier(self, identifier_id: int) -> None:
        """Delete a barcode identifier."""
        await self._api.action(
            ops.BarcodeIdentifiers_DeleteBarcodeIdentifier, path={"id": identifier_id}
        )

    @operation(ops.BarcodeIdentifiers_GetIdentifiedBarcode)
    async def identify(self, code: str) -> BarcodeIdentifier | None:
        """What a scanned code is, by the first identifier whose pattern matches it."""
        op = ops.BarcodeIdentifiers_GetIdentifiedBarcode
        return parse_found(
            BarcodeIdentifier, await self._api.json(op, params={"code": code}), op.key
        )
